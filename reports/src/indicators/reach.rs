//! Families, members and minors reached, and attendances: the distinct
//! counts over the attendance of a selection. SQL resolves every member to
//! the family and person they count as ([`MEMBERS`]); the counting at the
//! four levels is one pass here, with bit sets.

use std::collections::HashMap;

use crdt_sync::{Period, Reader};
use rusqlite::params;

use super::query::{Cells, json};
use crate::error::Result;

/// Every member in the projection, resolved once: the family they count for
/// (merges followed), the person they count as (a member of a merged-away
/// family is the surviving family's member with the same name and birth
/// year, if any), and their birth year. Families and persons are keyed by
/// their projection rowid. Members whose family's document is not here
/// (not received) have no row: they count as themselves, in the family
/// their attendance names. Members of a family erased on this device come
/// from its trace (`erased_members`, kept at erasure): the family and person
/// they counted as then, as a row key when that family or person is still
/// here and as an id otherwise, so the counts are the same as before.
const MEMBERS: &str = "
SELECT m.id,
       CASE WHEN h.canonical_id = h.id THEN h.rowid
            ELSE coalesce((SELECT c.rowid FROM households c WHERE c.id = h.canonical_id),
                          h.canonical_id, m.household_id) END,
       CASE WHEN h.canonical_id <> m.household_id THEN coalesce(
           (SELECT w.rowid FROM members w
             WHERE w.household_id = h.canonical_id AND w.first_name = m.first_name
               AND w.last_name = m.last_name AND w.birth_year IS m.birth_year
             ORDER BY w.id LIMIT 1),
           m.rowid)
       ELSE m.rowid END,
       m.birth_year
  FROM members m LEFT JOIN households h ON h.id = m.household_id
UNION ALL
SELECT e.member_id,
       coalesce((SELECT c.rowid FROM households c WHERE c.id = e.family_id), e.family_id),
       coalesce((SELECT w.rowid FROM members w WHERE w.id = e.person_id), e.person_id),
       e.birth_year
  FROM erased_members e";

/// Every attendance of the selection: lab, month, year, member.
const ATTENDANCE: &str = "
SELECT lab_id, substr(date, 1, 7), CAST(substr(date, 1, 4) AS INTEGER), member_id, household_id
  FROM attendance NOT INDEXED
 WHERE lab_id IN (SELECT value FROM json_each(?1)) AND date BETWEEN ?2 AND ?3";

/// A family's or person's key: a rowid, or an id without a row.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Who {
    Row(i64),
    Id(String),
}

fn who(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Who> {
    match v {
        rusqlite::types::ValueRef::Integer(n) => Ok(Who::Row(n)),
        other => Ok(Who::Id(other.as_str()?.to_owned())),
    }
}

fn text(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<&str> {
    Ok(v.as_str()?)
}

/// Numbers 0, 1, 2… for the distinct values seen.
#[derive(Default)]
struct Dense(HashMap<Who, usize>);

impl Dense {
    fn of(&mut self, w: Who) -> usize {
        let next = self.0.len();
        *self.0.entry(w).or_insert(next)
    }
}

/// A set of dense numbers.
#[derive(Clone)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn insert(&mut self, i: usize) {
        // Grows for the few keys numbered after the sets were sized
        // (families without a document, met during the scan).
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

/// Distinct families, persons and minors, and attendances, of one cell.
#[derive(Clone)]
struct Reach {
    families: Bits,
    persons: Bits,
    minors: Bits,
    attendances: u32,
}

/// Families and members reached, minors, attendances. SQL resolves every
/// member to their family and person ([`MEMBERS`]) and lists the
/// attendances; the distinct counts at the four levels are taken here, in
/// one pass, as bit sets. (The same in SQL alone, four `count(DISTINCT …)`
/// groupings over a join of 37,500 rows, took three times as long on the
/// five-year register.)
pub(super) fn attendance(conn: Reader<'_>, labs: &[String], period: Period, cells: &mut Cells) -> Result<()> {
    let p = params![json(labs)?, period.from.to_string(), period.to.to_string()];
    let (mut families, mut persons) = (Dense::default(), Dense::default());
    let mut present: HashMap<String, (usize, usize, Option<i64>)> = HashMap::new();
    let mut stmt = conn.prepare(MEMBERS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (f, p) = (families.of(who(r.get_ref(1)?)?), persons.of(who(r.get_ref(2)?)?));
        present.insert(r.get(0)?, (f, p, r.get(3)?));
    }
    let empty = Reach {
        families: Bits::new(families.0.len()),
        persons: Bits::new(persons.0.len()),
        minors: Bits::new(persons.0.len()),
        attendances: 0,
    };
    // Cells as indices while counting: lab 0..n or n for "all", month
    // 0..m or m for "whole period" (months numbered as first seen).
    let index: HashMap<&str, usize> = labs.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    let mut months: Vec<String> = Vec::new();
    let mut month_index: HashMap<String, usize> = HashMap::new();
    let mut reach: Vec<Vec<Option<Reach>>> = vec![Vec::new(); labs.len() + 1];
    let all = labs.len();
    let mut stmt = conn.prepare(ATTENDANCE)?;
    let mut rows = stmt.query(p)?;
    while let Some(r) = rows.next()? {
        let lab = index.get(text(r.get_ref(0)?)?).copied().unwrap_or(all);
        let month_text = text(r.get_ref(1)?)?;
        let month = match month_index.get(month_text) {
            Some(&m) => m + 1,
            None => {
                month_index.insert(month_text.to_owned(), months.len());
                months.push(month_text.to_owned());
                months.len()
            }
        };
        let year: i64 = r.get(2)?;
        let member = text(r.get_ref(3)?)?;
        let (family, person, birth) = match present.get(member) {
            Some(&known) => known,
            None => {
                let household = text(r.get_ref(4)?)?;
                (families.of(Who::Id(household.to_owned())), persons.of(Who::Id(member.to_owned())), None)
            }
        };
        let minor = birth.is_some_and(|b| year - b < 18);
        // Month slot 0 is the whole period; slot m + 1 is month m.
        for (l, m) in [(lab, month), (lab, 0), (all, month), (all, 0)] {
            let row = &mut reach[l];
            if row.len() <= m {
                row.resize(m + 1, None);
            }
            let c = row[m].get_or_insert_with(|| empty.clone());
            c.families.insert(family);
            c.persons.insert(person);
            if minor {
                c.minors.insert(person);
            }
            c.attendances += 1;
        }
    }
    for (l, row) in reach.into_iter().enumerate() {
        for (m, r) in row.into_iter().enumerate() {
            let Some(r) = r else { continue };
            let lab = labs.get(l).cloned();
            let month = m.checked_sub(1).and_then(|i| months.get(i)).cloned();
            let c = cells.at(lab, month);
            c.families_reached = r.families.len();
            c.members_reached = r.persons.len();
            c.minors_reached = r.minors.len();
            c.attendances = r.attendances;
        }
    }
    Ok(())
}
