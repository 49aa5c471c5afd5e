//! Reads: lists and searches from the projection, single entities from
//! their documents.

use chrono::NaiveDate;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::Store;
use crate::doc::{self, DocRef, FieldConflict};
use crate::domain::{ActivityType, Household, Lab, Meeting, Person, Targets, TrainingSession};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, MeetingId, MemberId, PersonId};

/// A line of the meetings list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MeetingSummary {
    /// Id.
    pub id: MeetingId,
    /// Lab.
    pub lab: LabId,
    /// Date.
    pub date: NaiveDate,
    /// Start, `HH:MM`.
    pub start: String,
    /// End, `HH:MM`.
    pub end: String,
    /// Activity type key.
    pub activity: String,
    /// Theme.
    pub theme: String,
    /// Members present.
    pub attendees: u32,
    /// Guests.
    pub guests: u32,
}

/// A search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct HouseholdHit {
    /// Id.
    pub id: HouseholdId,
    /// Code.
    pub code: String,
    /// Lab.
    pub lab: LabId,
    /// Every member's name, reference person first.
    pub names: String,
    /// Set when merged into another family.
    pub merged_into: Option<HouseholdId>,
}

/// One attendance in a family's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct AttendanceEntry {
    /// The meeting.
    pub meeting: MeetingId,
    /// Its lab.
    pub lab: LabId,
    /// Its date.
    pub date: NaiveDate,
    /// Its activity type key.
    pub activity: String,
    /// Who was present.
    pub member: MemberId,
    /// The household the attendance was recorded for (a merged-away
    /// family's id when it came from a duplicate).
    pub recorded_for: HouseholdId,
}

fn parse<T: std::str::FromStr>(s: String) -> rusqlite::Result<T> {
    s.parse().map_err(|_| rusqlite::Error::InvalidColumnType(0, s, rusqlite::types::Type::Text))
}

fn date(s: String) -> rusqlite::Result<NaiveDate> {
    parse(s)
}

/// Turns what a person types into an FTS5 query: each word a prefix, all
/// words required; punctuation dropped, so no input is an FTS syntax error.
fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() { None } else { Some(words.join(" AND ")) }
}

impl Store {
    /// Every lab, by number.
    pub fn labs(&self) -> Result<Vec<Lab>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, number, name, address, partner FROM labs ORDER BY number")?;
        let rows = stmt.query_map([], |r| {
            Ok(Lab {
                id: parse(r.get(0)?)?,
                number: r.get(1)?,
                name: r.get(2)?,
                address: r.get(3)?,
                partner: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The activity types, by key.
    pub fn activity_types(&self) -> Result<Vec<ActivityType>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT key, label_it, label_en FROM activity_types ORDER BY key")?;
        let rows = stmt.query_map([], |r| {
            Ok(ActivityType { key: r.get(0)?, label_it: r.get(1)?, label_en: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The grant's targets.
    pub fn targets(&mut self) -> Result<Targets> {
        Ok(doc::project::targets(self.doc(DocRef::project(self.project))?))
    }

    /// Meetings of `lab` from `from` to `to` (both included), by date and time.
    pub fn meetings(&self, lab: LabId, from: NaiveDate, to: NaiveDate) -> Result<Vec<MeetingSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.lab_id, m.date, m.start_time, m.end_time, m.activity, m.theme,
                    (SELECT count(*) FROM attendance a WHERE a.meeting_id = m.id), m.guests
             FROM meetings m WHERE m.lab_id = ?1 AND m.date BETWEEN ?2 AND ?3
             ORDER BY m.date, m.start_time, m.id",
        )?;
        let rows = stmt.query_map(params![lab.to_string(), from.to_string(), to.to_string()], |r| {
            Ok(MeetingSummary {
                id: parse(r.get(0)?)?,
                lab: parse(r.get(1)?)?,
                date: date(r.get(2)?)?,
                start: r.get(3)?,
                end: r.get(4)?,
                activity: r.get(5)?,
                theme: r.get(6)?,
                attendees: r.get(7)?,
                guests: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One meeting, read from its lab document.
    pub fn meeting(&mut self, id: MeetingId) -> Result<Meeting> {
        let lab: String = self
            .conn
            .prepare_cached("SELECT lab_id FROM meetings WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .map_err(|_| Error::not_found("meeting", id))?;
        let lab: LabId = lab.parse().map_err(|_| Error::not_found("meeting", id))?;
        doc::lab::read_meeting(self.doc(DocRef::lab(lab))?, lab, id)
            .ok_or_else(|| Error::not_found("meeting", id))
    }

    /// One family, read from its household document.
    /// An erased family is [`Error::Erased`], with its code.
    pub fn household(&mut self, id: HouseholdId) -> Result<Household> {
        if let Some(e) = self.erased_doc(DocRef::household(id))? {
            return Err(e);
        }
        doc::household::read(self.doc(DocRef::household(id))?, id)
            .ok_or_else(|| Error::not_found("household", id))
    }

    /// One person, read from their document.
    pub fn person(&mut self, id: PersonId) -> Result<Person> {
        doc::person::read(self.doc(DocRef::person(id))?, id).ok_or_else(|| Error::not_found("person", id))
    }

    /// Every person, optionally only those on a lab's roster, by name.
    pub fn persons(&mut self, lab: Option<LabId>) -> Result<Vec<Person>> {
        let ids: Vec<String> = match lab {
            Some(l) => self
                .conn
                .prepare_cached(
                    "SELECT p.id FROM persons p JOIN lab_roster r ON r.person_id = p.id
                     WHERE r.lab_id = ?1 ORDER BY p.last_name, p.first_name, p.id",
                )?
                .query_map([l.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
            None => self
                .conn
                .prepare_cached("SELECT id FROM persons ORDER BY last_name, first_name, id")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        };
        ids.into_iter()
            .map(|s| s.parse().map_err(|_| Error::not_found("person", &s)).and_then(|id| self.person(id)))
            .collect()
    }

    /// Every training session, by date.
    pub fn trainings(&mut self) -> Result<Vec<TrainingSession>> {
        let d = self.doc(DocRef::training(self.project))?;
        let mut out: Vec<TrainingSession> =
            doc::training::session_ids(d).into_iter().filter_map(|id| doc::training::read(d, id)).collect();
        out.sort_by_key(|t| (t.date, t.id));
        Ok(out)
    }

    /// Families whose names or code start with the words typed, accents
    /// ignored ("nicolo" finds "Nicolò", "pv03-004" finds "PV03-0042").
    pub fn search_households(&self, query: &str, limit: u32) -> Result<Vec<HouseholdHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.id, h.code, h.lab_id, s.names, h.merged_into
             FROM household_search s JOIN households h ON h.id = s.household_id
             WHERE household_search MATCH ?1
             ORDER BY s.rank, h.code LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![q, limit], |r| {
            Ok(HouseholdHit {
                id: parse(r.get(0)?)?,
                code: r.get(1)?,
                lab: parse(r.get(2)?)?,
                names: r.get(3)?,
                merged_into: r.get::<_, Option<String>>(4)?.map(parse).transpose()?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every attendance of a family, including those recorded for families
    /// merged into it, by date.
    pub fn attendance_history(&self, id: HouseholdId) -> Result<Vec<AttendanceEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.meeting_id, a.lab_id, a.date, m.activity, a.member_id, a.household_id
             FROM attendance a
             JOIN meetings m ON m.id = a.meeting_id
             LEFT JOIN households h ON h.id = a.household_id
             WHERE coalesce(h.canonical_id, a.household_id) = ?1
             ORDER BY a.date, a.meeting_id, a.member_id",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok(AttendanceEntry {
                meeting: parse(r.get(0)?)?,
                lab: parse(r.get(1)?)?,
                date: date(r.get(2)?)?,
                activity: r.get(3)?,
                member: parse(r.get(4)?)?,
                recorded_for: parse(r.get(5)?)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A family's code, from the projection (`None` if it is unknown here).
    pub fn household_code(&self, id: HouseholdId) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT code FROM households WHERE id = ?1")?;
        let mut rows = stmt.query([id.to_string()])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    /// The family this one counts as (itself unless merged).
    pub fn canonical_household(&self, id: HouseholdId) -> Result<HouseholdId> {
        let c: String = self
            .conn
            .prepare_cached("SELECT canonical_id FROM households WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .map_err(|_| Error::not_found("household", id))?;
        c.parse().map_err(|_| Error::not_found("household", c))
    }

    /// The schema version document `r` declares (newer than
    /// [`crate::SCHEMA_VERSION`] when a newer app wrote it).
    pub fn doc_schema_version(&mut self, r: DocRef) -> Result<u64> {
        Ok(doc::schema_version(self.doc(r)?))
    }

    /// Fields of a family where two values were entered concurrently.
    pub fn household_conflicts(&mut self, id: HouseholdId) -> Result<Vec<FieldConflict>> {
        Ok(doc::conflicts(self.doc(DocRef::household(id))?))
    }

    /// Copies the write-ahead log into the database file and truncates it.
    /// Cheap when there is little to copy; the app calls it when idle, so
    /// that writes rarely pay for a checkpoint.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): `"ok"`
    /// when the database is sound, otherwise the problems it found, one per
    /// line. A diagnostic for support and for crash tests.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(lines.join("\n"))
    }

    /// Fields of a meeting where two values were entered concurrently
    /// (paths relative to the meeting).
    pub fn meeting_conflicts(&mut self, id: MeetingId) -> Result<Vec<FieldConflict>> {
        let lab = self.meeting(id)?.lab;
        let prefix = format!("meetings.{id}.");
        Ok(doc::conflicts(self.doc(DocRef::lab(lab))?)
            .into_iter()
            .filter_map(|c| {
                c.path
                    .strip_prefix(&prefix)
                    .map(|p| FieldConflict { path: p.to_owned(), values: c.values.clone() })
            })
            .collect())
    }

    /// The projected rows that belong to lab `lab`, as text, sorted: the lab,
    /// its households with their members, pathways and search rows, its
    /// staff, its index and roster, its meetings with facilitators and
    /// attendance. Two replicas that hold the same documents of a lab have
    /// equal dumps for it, whatever else each holds (a device holds one lab,
    /// the hub all of them). Like [`Store::projection_dump`], for tests.
    pub fn projection_dump_for_lab(&self, lab: LabId) -> Result<Vec<String>> {
        const OF_LAB: &str = "SELECT id FROM households WHERE lab_id = ?1";
        const STAFF: &str = concat!(
            "SELECT person_id FROM person_labs WHERE lab_id = ?1 ",
            "UNION SELECT person_id FROM lab_roster WHERE lab_id = ?1"
        );
        let queries = [
            ("labs", "SELECT * FROM labs WHERE id = ?1".to_owned()),
            ("households", "SELECT * FROM households WHERE lab_id = ?1".to_owned()),
            ("members", format!("SELECT * FROM members WHERE household_id IN ({OF_LAB})")),
            ("pathways", format!("SELECT * FROM pathways WHERE household_id IN ({OF_LAB})")),
            (
                "household_search",
                format!("SELECT household_id, code, names FROM household_search WHERE household_id IN ({OF_LAB})"),
            ),
            ("persons", format!("SELECT * FROM persons WHERE id IN ({STAFF})")),
            ("person_labs", format!("SELECT * FROM person_labs WHERE person_id IN ({STAFF})")),
            ("lab_households", "SELECT * FROM lab_households WHERE lab_id = ?1".to_owned()),
            ("lab_roster", "SELECT * FROM lab_roster WHERE lab_id = ?1".to_owned()),
            ("meetings", "SELECT * FROM meetings WHERE lab_id = ?1".to_owned()),
            (
                "meeting_facilitators",
                "SELECT * FROM meeting_facilitators WHERE meeting_id IN (SELECT id FROM meetings WHERE lab_id = ?1)"
                    .to_owned(),
            ),
            ("attendance", "SELECT * FROM attendance WHERE lab_id = ?1".to_owned()),
        ];
        let lab = lab.to_string();
        let mut out = Vec::new();
        for (name, sql) in queries {
            out.extend(crate::projection::dump_rows(&self.conn, name, &sql, [&lab])?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_becomes_a_safe_prefix_query() {
        assert_eq!(fts_query("nicolo ross").as_deref(), Some("\"nicolo\"* AND \"ross\"*"));
        assert_eq!(fts_query("PV03-0042").as_deref(), Some("\"PV03\"* AND \"0042\"*"));
        assert_eq!(fts_query("\" OR"), Some("\"OR\"*".to_owned()));
        assert_eq!(fts_query("\" * ("), None);
    }
}
