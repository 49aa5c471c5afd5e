//! The queue of conflicting edits ([`Conflicts`]): where they are comes
//! from the projection (`doc_conflicts`), what they are from the documents.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use super::rows::{date, parse};
use crate::doc::{self, DocKind, DocRef, FieldConflict};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, MeetingId, PersonId};
use crate::store::api::*;

/// One field in conflict, in the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct OpenConflict {
    /// The document holding it (what [`Conflicts::resolve_conflict`] takes).
    pub doc: DocRef,
    /// What the document, or the part of it, is.
    pub subject: ConflictSubject,
    /// The lab it belongs to, when it belongs to one (its meetings, its
    /// families, its roster).
    pub lab: Option<LabId>,
    /// The field, as a dotted path below the subject (`contacts.phone` of a
    /// family, `theme` of a meeting), for the UI's names of fields.
    pub field: String,
    /// The field's full path in the document and its values, the one shown
    /// first, with who wrote each.
    pub conflict: FieldConflict,
    /// Whether a value may be chosen here: not in a privileged part
    /// (tombstones, restrictions, the device directory), which its own
    /// command writes.
    pub resolvable: bool,
}

/// What a conflicting field belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConflictSubject {
    /// A family's document.
    Household {
        /// Its id.
        id: HouseholdId,
        /// Its code.
        code: String,
        /// The reference person's name (empty if unknown).
        name: String,
    },
    /// A meeting, in its lab's document.
    Meeting {
        /// Its id.
        id: MeetingId,
        /// Its date.
        date: Option<NaiveDate>,
        /// Its theme.
        theme: String,
    },
    /// A lab's document, outside its meetings (its roster, its index of families).
    Lab,
    /// An operator's or volunteer's document.
    Person {
        /// Their id.
        id: PersonId,
        /// Their code.
        code: String,
        /// Their name.
        name: String,
    },
    /// The project's settings.
    Project,
    /// The training register.
    Training,
}

impl Conflicts for Store {
    fn conflict_count(&self) -> Result<u32> {
        let n: i64 =
            self.conn.prepare_cached("SELECT count(*) FROM doc_conflicts")?.query_row([], |r| r.get(0))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn open_conflicts(&mut self, limit: u32) -> Result<Vec<OpenConflict>> {
        let rows: Vec<(String, String)> = self
            .conn
            .prepare_cached("SELECT doc_key, path FROM doc_conflicts ORDER BY doc_key, path LIMIT ?1")?
            .query_map([i64::from(limit)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(rows.len());
        let mut i = 0;
        while i < rows.len() {
            // One document at a time: its conflicts are read in one pass
            // over its changes' metadata.
            let key = &rows[i].0;
            let n = rows[i..].iter().take_while(|(k, _)| k == key).count();
            let r: DocRef = key.parse()?;
            let wanted: Vec<&str> = rows[i..i + n].iter().map(|(_, p)| p.as_str()).collect();
            i += n;
            let found: Vec<FieldConflict> = doc::conflicts::at(self.doc(r)?, &wanted);
            for conflict in found {
                let (subject, lab, field) = self.subject(r, &conflict.path)?;
                let resolvable = !crate::authz::authors::privileged_path(r.kind, &conflict.path);
                out.push(OpenConflict { doc: r, subject, lab, field, conflict, resolvable });
            }
        }
        Ok(out)
    }

    fn resolve_conflict(&mut self, r: DocRef, path: &str, choice: &str) -> Result<()> {
        if crate::authz::authors::privileged_path(r.kind, path) {
            return Err(Error::invalid(
                "conflict.path",
                format!("{path} of {r} is written by its own command (an erasure, a restriction)"),
            ));
        }
        if r.kind == DocKind::Household {
            self.refuse_restricted(HouseholdId(r.id))?;
        }
        let (_, p) = self.edit(r, false, |tx| doc::conflicts::resolve(tx, path, choice))?;
        self.commit(p.into_iter().collect())
    }
}

impl Store {
    /// What the field at `path` of `r` belongs to, its lab, and its path
    /// below that subject; read from the projection.
    fn subject(&self, r: DocRef, path: &str) -> Result<(ConflictSubject, Option<LabId>, String)> {
        let id = r.id.to_string();
        Ok(match r.kind {
            DocKind::Household => {
                let row: Option<(String, String, Option<String>)> = self
                    .conn
                    .prepare_cached(
                        "SELECT h.code, h.lab_id,
                                (SELECT m.first_name || ' ' || m.last_name FROM members m WHERE m.id = h.reference_id)
                         FROM households h WHERE h.id = ?1",
                    )?
                    .query_row([&id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))
                    .optional()?;
                let (code, lab, name) = row.unwrap_or_default();
                let subject = ConflictSubject::Household {
                    id: HouseholdId(r.id),
                    code,
                    name: name.unwrap_or_default(),
                };
                (subject, lab.parse().ok(), path.to_owned())
            }
            DocKind::Lab => {
                let lab = Some(LabId(r.id));
                let meeting = path.strip_prefix("meetings.").and_then(|rest| rest.split_once('.'));
                match meeting.and_then(|(m, field)| Some((m.parse::<MeetingId>().ok()?, field))) {
                    Some((m, field)) => {
                        let row: Option<(String, String)> = self
                            .conn
                            .prepare_cached("SELECT date, theme FROM meetings WHERE id = ?1")?
                            .query_row(params![m.to_string()], |x| Ok((x.get(0)?, x.get(1)?)))
                            .optional()?;
                        let (day, theme) = match row {
                            Some((d, theme)) => (date(d).ok(), theme),
                            None => (None, String::new()),
                        };
                        (ConflictSubject::Meeting { id: m, date: day, theme }, lab, field.to_owned())
                    }
                    None => (ConflictSubject::Lab, lab, path.to_owned()),
                }
            }
            // A volunteer's register entry shares the person's id: shown
            // as that person (only their organisation's coordinators hold it).
            DocKind::Person | DocKind::Volunteer => {
                let row: Option<(String, String)> = self
                    .conn
                    .prepare_cached("SELECT code, first_name || ' ' || last_name FROM persons WHERE id = ?1")?
                    .query_row([&id], |x| Ok((x.get(0)?, x.get(1)?)))
                    .optional()?;
                let (code, name) = row.unwrap_or_default();
                let lab: Option<String> = self
                    .conn
                    .prepare_cached(
                        "SELECT lab_id FROM person_labs WHERE person_id = ?1 ORDER BY lab_id LIMIT 1",
                    )?
                    .query_row([&id], |x| x.get(0))
                    .optional()?;
                let lab = lab.map(parse).transpose()?;
                (ConflictSubject::Person { id: PersonId(r.id), code, name }, lab, path.to_owned())
            }
            DocKind::Project => (ConflictSubject::Project, None, path.to_owned()),
            DocKind::Training => (ConflictSubject::Training, None, path.to_owned()),
        })
    }
}
