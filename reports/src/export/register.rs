//! The register's tables, read from the projection: meetings, attendance
//! and trainings (households are in `families.rs`).
//!
//! Pseudonymisation happens here, by construction: a pseudonymised export
//! never selects a name, phone, e-mail, address or note column, so nothing
//! downstream can leak one, and it shows families, members and staff by
//! their keyed pseudonyms (`F-…`, `M-…`, `S-…`: `pseudonym.rs`), never by
//! the codes printed on paper forms. A full export shows families by their
//! code (`PV03-0042`), members as the code and their number in the family
//! (`PV03-0042/2`: members numbered in id order, the same on every replica
//! and in every export), and people by name.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use crdt_sync::{Period, Reader};
use rusqlite::params;

use super::labels::{Label, Language, yes_no};
use super::pseudonym::{Kind, PseudonymKey};
use super::table::{Cell, Table, TableKind};
use super::{Options, Privacy};
use crate::error::{Error, Result};

/// What every query of one export shares.
pub(crate) struct Ctx<'a> {
    pub conn: Reader<'a>,
    pub lang: Language,
    pub full: bool,
    /// The key of a pseudonymised export (`None` in a full one).
    pub pseudonyms: Option<&'a PseudonymKey>,
    /// The selected lab ids, as a JSON array for `json_each`.
    pub labs: String,
    pub period: Period,
    activities: HashMap<String, String>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(conn: Reader<'a>, options: &'a Options, lab_ids: &[String]) -> Result<Ctx<'a>> {
        let labs =
            serde_json::to_string(lab_ids).map_err(|e| Error::internal(format!("lab list as JSON: {e}")))?;
        let mut stmt = conn.prepare("SELECT key, label_it, label_en FROM activity_types")?;
        let activities = stmt
            .query_map([], |r| {
                let (key, it, en): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                Ok((key, if options.language == Language::En { en } else { it }))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Ctx {
            conn,
            lang: options.language,
            full: matches!(options.privacy, Privacy::Full),
            pseudonyms: match &options.privacy {
                Privacy::Pseudonymised(key) => Some(key),
                Privacy::Full => None,
            },
            labs,
            period: options.selection.period,
            activities,
        })
    }

    /// An activity type's label (its key if the project does not list it).
    pub(crate) fn activity(&self, key: &str) -> String {
        self.activities.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }

    pub(crate) fn text(&self, l: Label) -> &'static str {
        l.text(self.lang)
    }

    pub(crate) fn bounds(&self) -> (String, String, String) {
        (self.labs.clone(), self.period.from.to_string(), self.period.to.to_string())
    }

    /// A person of the staff as the export shows them: their name (or code)
    /// in a full export, their pseudonym in a pseudonymised one.
    pub(crate) fn person(
        &self,
        id: &str,
        code: Option<String>,
        first: Option<String>,
        last: Option<String>,
    ) -> String {
        if let Some(key) = self.pseudonyms {
            return key.of_text(Kind::Staff, id);
        }
        match (code, first, last) {
            (_, Some(f), Some(l)) => format!("{f} {l}"),
            (Some(code), _, _) => code,
            _ => "?".to_owned(),
        }
    }

    /// A family as the export shows it: its pseudonym, or its code in a
    /// full export.
    pub(crate) fn family(&self, id: &str, code: String) -> String {
        match self.pseudonyms {
            Some(key) => key.of_text(Kind::Household, id),
            None => code,
        }
    }
}

/// Facilitators of the selected meetings, by meeting id, in a stable order.
fn facilitators(ctx: &Ctx<'_>) -> Result<HashMap<String, Vec<String>>> {
    let mut stmt = ctx.conn.prepare(
        "SELECT f.meeting_id, p.code, p.first_name, p.last_name, f.person_id
           FROM meeting_facilitators f
           JOIN meetings m ON m.id = f.meeting_id
           LEFT JOIN persons p ON p.id = f.person_id
          WHERE m.lab_id IN (SELECT value FROM json_each(?1)) AND m.date BETWEEN ?2 AND ?3
          ORDER BY f.meeting_id, p.code, f.person_id",
    )?;
    let (labs, from, to) = ctx.bounds();
    let mut rows = stmt.query(params![labs, from, to])?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let who = ctx.person(super::text(r.get_ref(4)?)?, r.get(1)?, r.get(2)?, r.get(3)?);
        out.entry(r.get(0)?).or_default().push(who);
    }
    if !ctx.full {
        // In code order, pseudonyms would tell the codes' order: sort them.
        out.values_mut().for_each(|v| v.sort());
    }
    Ok(out)
}

const MEETINGS: &str = "
SELECT m.id, l.number, l.name, m.date, m.start_time, m.end_time, m.activity, m.theme, m.guests, m.notes
  FROM meetings m JOIN labs l ON l.id = m.lab_id
 WHERE m.lab_id IN (SELECT value FROM json_each(?1)) AND m.date BETWEEN ?2 AND ?3
 ORDER BY l.number, m.date, m.start_time, m.id";

/// A meeting of the selection, as exported.
pub(crate) struct MeetingRow {
    pub id: String,
    pub lab_number: i64,
    pub lab_name: String,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    /// The activity's label.
    pub activity: String,
    pub theme: String,
    /// Codes, or names in a full export.
    pub facilitators: Vec<String>,
    pub present: i64,
    pub families: i64,
    pub minors: i64,
    pub guests: i64,
    /// Only in a full export (free text may name people).
    pub notes: Option<String>,
}

/// Present, families (as counted after merges) and minors, by meeting.
fn tally(attendance: &[AttendanceRow]) -> HashMap<&str, (i64, i64, i64)> {
    let mut families: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut out: HashMap<&str, (i64, i64, i64)> = HashMap::new();
    for a in attendance {
        let t = out.entry(a.meeting_id.as_str()).or_default();
        t.0 += 1;
        t.2 += i64::from(a.minor() == Some(true));
        families.entry(a.meeting_id.as_str()).or_default().insert(a.family.as_str());
    }
    for (m, f) in families {
        if let Some(t) = out.get_mut(m) {
            t.1 = f.len() as i64;
        }
    }
    out
}

/// The meetings of the selection, by lab number, date and time, with their
/// counts taken from the selection's attendance rows.
pub(crate) fn meeting_rows(ctx: &Ctx<'_>, attendance: &[AttendanceRow]) -> Result<Vec<MeetingRow>> {
    let tally = tally(attendance);
    let mut facilitators = facilitators(ctx)?;
    let mut stmt = ctx.conn.prepare(MEETINGS)?;
    let (labs, from, to) = ctx.bounds();
    let mut rows = stmt.query(params![labs, from, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let activity: String = r.get(6)?;
        let (present, families, minors) = tally.get(id.as_str()).copied().unwrap_or_default();
        out.push(MeetingRow {
            facilitators: facilitators.remove(&id).unwrap_or_default(),
            id,
            lab_number: r.get(1)?,
            lab_name: r.get(2)?,
            date: super::parse_date(r.get(3)?)?,
            start: r.get(4)?,
            end: r.get(5)?,
            activity: ctx.activity(&activity),
            theme: r.get(7)?,
            present,
            families,
            minors,
            guests: r.get(8)?,
            notes: if ctx.full { Some(r.get(9)?) } else { None },
        });
    }
    Ok(out)
}

/// One row per meeting.
pub(crate) fn meetings(ctx: &Ctx<'_>, attendance: &[AttendanceRow]) -> Result<Table> {
    use Label as L;
    let mut t = Table::new(
        TableKind::Meetings,
        ctx.lang,
        &[
            (L::ColMeetingId, 38.0),
            (L::ColLab, 11.0),
            (L::ColLabName, 24.0),
            (L::ColDate, 12.0),
            (L::ColStart, 8.0),
            (L::ColEnd, 8.0),
            (L::ColActivity, 26.0),
            (L::ColTheme, 30.0),
            (L::ColFacilitators, 30.0),
            (L::ColPresent, 10.0),
            (L::ColFamilies, 10.0),
            (L::ColMinors, 10.0),
            (L::ColGuests, 10.0),
        ],
    );
    if ctx.full {
        t.push_column(ctx.text(L::ColNotes).to_owned(), 40.0);
    }
    for m in meeting_rows(ctx, attendance)? {
        let mut row = vec![
            Cell::Text(m.id),
            Cell::Int(m.lab_number),
            Cell::Text(m.lab_name),
            Cell::Date(m.date),
            Cell::Text(m.start),
            Cell::Text(m.end),
            Cell::Text(m.activity),
            Cell::Text(m.theme),
            Cell::Text(m.facilitators.join(", ")),
            Cell::Int(m.present),
            Cell::Int(m.families),
            Cell::Int(m.minors),
            Cell::Int(m.guests),
        ];
        if let Some(notes) = m.notes {
            row.push(Cell::Text(notes));
        }
        t.rows.push(row);
    }
    Ok(t)
}

/// Attendance rows: the family is the one the attendance counts for (after
/// merges); the person is who was ticked, under the code of the family they
/// were recorded with. Sorted afterwards, in memory (sorting 37,500 wide
/// rows in SQLite cost a third of the export).
const ATTENDANCE: &str = "
SELECT a.meeting_id, l.number, a.date, m.activity,
       coalesce(c.code,
                (SELECT code FROM lab_households WHERE household_id = coalesce(h.canonical_id, a.household_id) LIMIT 1),
                h.code, '?'),
       coalesce(h.code, (SELECT code FROM lab_households WHERE household_id = a.household_id LIMIT 1), '?'),
       a.member_id,
       mb.id IS NOT NULL, mb.first_name, mb.last_name, mb.birth_year, m.start_time,
       coalesce(h.canonical_id, a.household_id),
       coalesce(c.restricted, 0) OR coalesce(h.restricted, 0)
  FROM attendance a NOT INDEXED
  JOIN meetings m ON m.id = a.meeting_id
  JOIN labs l ON l.id = a.lab_id
  LEFT JOIN households h ON h.id = a.household_id
  LEFT JOIN households c ON c.id = h.canonical_id
  LEFT JOIN members mb ON mb.id = a.member_id
 WHERE a.lab_id IN (SELECT value FROM json_each(?1)) AND a.date BETWEEN ?2 AND ?3
";

/// A member present at a meeting, as exported.
pub(crate) struct AttendanceRow {
    pub meeting_id: String,
    pub lab_number: i64,
    pub date: NaiveDate,
    /// The meeting's start, `HH:MM` (for the order of the rows).
    pub start: String,
    /// The activity's label.
    pub activity: String,
    /// The family it counts for: its pseudonym, or its code in a full export.
    pub family: String,
    /// The member's pseudonym, or `PV03-0042/2` in a full export (the code of
    /// the family they were recorded with, and their number in it); the
    /// "erased" label when the family's document is gone.
    pub person: String,
    /// First and last name, only in a full export ("erased" when gone).
    pub name: Option<(String, String)>,
    pub birth_year: Option<i64>,
    /// The family's processing is restricted (GDPR art. 18): the row counts
    /// in the meeting's totals but is not listed in any export.
    pub restricted: bool,
}

impl AttendanceRow {
    /// Under 18 in the year of the meeting (`None` if the birth year is unknown).
    pub(crate) fn minor(&self) -> Option<bool> {
        self.birth_year.map(|y| i64::from(self.date.year()) - y < 18)
    }

    /// The birth year as the export shows it: a minor's as an age band in
    /// a pseudonymised export (`coarse`), see [`birth`].
    pub(crate) fn birth(&self, coarse: bool) -> Cell {
        self.birth_year.map_or(Cell::Empty, |y| birth(y, i64::from(self.date.year()), coarse))
    }
}

/// A birth year as a pseudonymised export shows it, in the year `year`: an
/// adult's year as it is; a minor's as an age band (`<6`, `6–10`, `11–13`,
/// `14–17`), because a child's exact birth year, with the family's other
/// years, singles the family out more than an adult's (decision 0012). A
/// full export (`coarse == false`) shows every year.
pub(crate) fn birth(birth_year: i64, year: i64, coarse: bool) -> Cell {
    let age = year - birth_year;
    if !coarse || age >= 18 {
        return Cell::Int(birth_year);
    }
    // En dashes: "6-10" in a CSV would become a date in a spreadsheet.
    Cell::from(match age {
        ..=5 => "<6",
        6..=10 => "6–10",
        11..=13 => "11–13",
        _ => "14–17",
    })
}

/// Each member's number in their family (1, 2, …, in id order).
fn ordinals(ctx: &Ctx<'_>) -> Result<HashMap<String, i64>> {
    let mut stmt = ctx.conn.prepare("SELECT household_id, id FROM members ORDER BY household_id, id")?;
    let mut rows = stmt.query([])?;
    let (mut out, mut family, mut n) = (HashMap::new(), String::new(), 0);
    while let Some(r) = rows.next()? {
        let (h, id): (String, String) = (r.get(0)?, r.get(1)?);
        if h != family {
            (family, n) = (h, 0);
        }
        n += 1;
        out.insert(id, n);
    }
    Ok(out)
}

/// The attendance of the selection, by lab, date, meeting and family.
pub(crate) fn attendance_rows(ctx: &Ctx<'_>) -> Result<Vec<AttendanceRow>> {
    // Members' numbers show only in a full export.
    let ordinals = if ctx.full { ordinals(ctx)? } else { HashMap::new() };
    let mut stmt = ctx.conn.prepare(ATTENDANCE)?;
    let (labs, from, to) = ctx.bounds();
    let mut rows = stmt.query(params![labs, from, to])?;
    let erased = ctx.text(Label::Erased);
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let activity: String = r.get(3)?;
        let known: bool = r.get(7)?;
        let recorded: String = r.get(5)?;
        let member = super::text(r.get_ref(6)?)?;
        let person = match (known, ctx.pseudonyms) {
            (false, _) => erased.to_owned(),
            (true, Some(key)) => key.of_text(Kind::Member, member),
            (true, None) => format!("{recorded}/{}", ordinals.get(member).copied().unwrap_or(0)),
        };
        let name = if ctx.full {
            let first: Option<String> = r.get(8)?;
            let last: Option<String> = r.get(9)?;
            Some((first.unwrap_or_else(|| erased.to_owned()), last.unwrap_or_else(|| erased.to_owned())))
        } else {
            None
        };
        out.push(AttendanceRow {
            meeting_id: r.get(0)?,
            lab_number: r.get(1)?,
            date: super::parse_date(r.get(2)?)?,
            start: r.get(11)?,
            activity: ctx.activity(&activity),
            family: ctx.family(super::text(r.get_ref(12)?)?, r.get(4)?),
            person,
            name,
            birth_year: r.get(10)?,
            restricted: r.get(13)?,
        });
    }
    out.sort_by(|a, b| {
        (a.lab_number, a.date, &a.start, &a.meeting_id, &a.family, &a.person).cmp(&(
            b.lab_number,
            b.date,
            &b.start,
            &b.meeting_id,
            &b.family,
            &b.person,
        ))
    });
    Ok(out)
}

/// One row per member present at a meeting.
pub(crate) fn attendance(ctx: &Ctx<'_>, rows: Vec<AttendanceRow>) -> Table {
    use Label as L;
    let mut columns = vec![
        (L::ColMeetingId, 38.0),
        (L::ColLab, 11.0),
        (L::ColDate, 12.0),
        (L::ColActivity, 26.0),
        (L::ColFamily, 12.0),
        (L::ColPerson, 14.0),
    ];
    if ctx.full {
        columns.extend([(L::ColFirstName, 16.0), (L::ColLastName, 18.0)]);
    }
    columns.extend([(L::ColBirthYear, 15.0), (L::ColMinor, 8.0)]);
    let mut t = Table::new(TableKind::Attendance, ctx.lang, &columns);
    for a in rows.into_iter().filter(|a| !a.restricted) {
        let minor = a.minor().map(|m| yes_no(m, ctx.lang));
        let birth = a.birth(!ctx.full);
        let mut row = vec![
            Cell::Text(a.meeting_id),
            Cell::Int(a.lab_number),
            Cell::Date(a.date),
            Cell::Text(a.activity),
            Cell::Text(a.family),
            Cell::Text(a.person),
        ];
        if let Some((first, last)) = a.name {
            row.extend([Cell::Text(first), Cell::Text(last)]);
        }
        row.extend([birth, Cell::from(minor)]);
        t.rows.push(row);
    }
    t
}
