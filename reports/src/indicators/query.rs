//! The SQL behind the indicators. Each query returns rows keyed by
//! `(lab, month)` where either may be NULL: NULL lab means "all selected
//! labs", NULL month "the whole period". Distinct counts are computed by
//! SQL at each level, except for attendance (`reach.rs`), where SQL resolves
//! each member to their family and person and the distinct counts are taken
//! in one pass; sums of meetings and guests are added up here.
//!
//! The selected labs and the period's months go in as JSON arrays
//! (`json_each`), so every statement is a constant string.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;

use super::Counts;
use crate::error::{Error, Result};
use crdt_sync::{Month, Period, Reader, Targets};

/// `(lab id, month "YYYY-MM")`; `None` is "all" / "whole period".
type Key = (Option<String>, Option<String>);

/// The figures gathered so far, by cell.
#[derive(Default)]
pub(super) struct Cells(BTreeMap<Key, Counts>);

impl Cells {
    pub(super) fn at(&mut self, lab: Option<String>, month: Option<String>) -> &mut Counts {
        self.0.entry((lab, month)).or_default()
    }

    /// The groups (labs, or organisations) that have a figure, each once.
    pub(super) fn groups(&self) -> BTreeSet<&str> {
        self.0.keys().filter_map(|(g, _)| g.as_deref()).collect()
    }

    /// The figures of a cell (zeros if nothing happened there).
    pub(super) fn get(&self, lab: Option<&str>, month: Option<&str>) -> Counts {
        self.0.get(&(lab.map(str::to_owned), month.map(str::to_owned))).cloned().unwrap_or_default()
    }
}

pub(super) fn json(labs: &[String]) -> Result<String> {
    serde_json::to_string(labs).map_err(|e| Error::internal(format!("lab list as JSON: {e}")))
}

/// The whole period (key NULL) and each month clipped to it, as JSON rows
/// `{key, start, end}`.
fn spans(period: Period, months: &[(Month, Period)]) -> String {
    let row = |key: Option<String>, p: Period| serde_json::json!({ "key": key, "start": p.from.to_string(), "end": p.to.to_string() });
    let mut rows = vec![row(None, period)];
    rows.extend(months.iter().map(|(m, p)| row(Some(m.to_string()), *p)));
    serde_json::Value::Array(rows).to_string()
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The targets from the projection (the project document's, or the
/// defaults where it has none).
pub(super) fn targets(conn: Reader<'_>) -> Result<Targets> {
    let mut t = Targets::default();
    let mut stmt = conn.prepare("SELECT key, value FROM targets")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (key, value) = row?;
        let v = count(value);
        match key.as_str() {
            "families" => t.families = v,
            "labs" => t.labs = v,
            "operators_trained" => t.operators_trained = v,
            "volunteers_trained" => t.volunteers_trained = v,
            "trained_hours" => t.trained_hours = v,
            _ => {}
        }
    }
    Ok(t)
}

/// Per lab, month and activity: meetings, guests, and the attendance rows
/// of those meetings (found by the attendance table's primary key, which
/// starts with the meeting).
const MEETINGS: &str = "
SELECT m.lab_id, substr(m.date, 1, 7), m.activity, count(*), sum(m.guests),
       sum((SELECT count(*) FROM attendance a WHERE a.meeting_id = m.id))
  FROM meetings m
 WHERE m.lab_id IN (SELECT value FROM json_each(?1)) AND m.date BETWEEN ?2 AND ?3
 GROUP BY m.lab_id, substr(m.date, 1, 7), m.activity";

/// Meetings, guests and attendances by activity, meetings and guests, and
/// active labs. SQL counts per lab, month and activity; the levels above
/// are sums (a meeting belongs to one lab and one month), except active
/// labs, which are distinct labs. (The attendances themselves, with the
/// distinct counts of who attended, are `reach.rs`'s.)
pub(super) fn meetings(conn: Reader<'_>, labs: &[String], period: Period, cells: &mut Cells) -> Result<()> {
    let mut stmt = conn.prepare(MEETINGS)?;
    let mut rows = stmt.query(params![json(labs)?, period.from.to_string(), period.to.to_string()])?;
    let mut active: BTreeMap<Option<String>, BTreeSet<String>> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let (lab, month, activity): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (n, guests, present) = (count(r.get(3)?), count(r.get(4)?), count(r.get(5)?));
        for (l, m) in [
            (Some(lab.clone()), Some(month.clone())),
            (Some(lab.clone()), None),
            (None, Some(month.clone())),
            (None, None),
        ] {
            let c = cells.at(l, m.clone());
            c.meetings += n;
            c.guests += guests;
            *c.meetings_by_activity.entry(activity.clone()).or_default() += n;
            *c.guests_by_activity.entry(activity.clone()).or_default() += guests;
            *c.attendances_by_activity.entry(activity.clone()).or_default() += present;
            active.entry(m).or_default().insert(lab.clone());
        }
    }
    for (month, set) in active {
        for lab in &set {
            cells.at(Some(lab.clone()), month.clone()).active_labs = 1;
        }
        cells.at(None, month).active_labs = count(set.len() as i64);
    }
    Ok(())
}

const PATHWAYS: &str = "
WITH sel(lab) AS MATERIALIZED (SELECT value FROM json_each(?1)),
span(key, start, end) AS MATERIALIZED (
    SELECT json_extract(value, '$.key'), json_extract(value, '$.start'), json_extract(value, '$.end')
      FROM json_each(?2)),
pw AS MATERIALIZED (
    SELECT h.canonical_id AS family, coalesce(c.lab_id, h.lab_id) AS lab,
           p.start_date AS start, coalesce(p.end_date, '9999-12-31') AS end
      FROM pathways p
      JOIN households h ON h.id = p.household_id
      LEFT JOIN households c ON c.id = h.canonical_id
    UNION ALL
    SELECT family_id, lab_id, start_date, coalesce(end_date, '9999-12-31') FROM erased_pathways)
SELECT pw.lab, span.key, count(DISTINCT pw.family)
  FROM pw JOIN span ON pw.start <= span.end AND pw.end >= span.start
 WHERE pw.lab IN (SELECT lab FROM sel)
 GROUP BY pw.lab, span.key
UNION ALL
SELECT NULL, span.key, count(DISTINCT pw.family)
  FROM pw JOIN span ON pw.start <= span.end AND pw.end >= span.start
 WHERE pw.lab IN (SELECT lab FROM sel)
 GROUP BY span.key";

/// Families accompanied: on a pathway open in the month (or period).
pub(super) fn pathways(
    conn: Reader<'_>,
    labs: &[String],
    period: Period,
    months: &[(Month, Period)],
    cells: &mut Cells,
) -> Result<()> {
    let mut stmt = conn.prepare(PATHWAYS)?;
    let mut rows = stmt.query(params![json(labs)?, spans(period, months)])?;
    while let Some(r) = rows.next()? {
        cells.at(r.get(0)?, r.get(1)?).families_accompanied = count(r.get(2)?);
    }
    Ok(())
}

/// Who is on which lab's roster (from either side: the lab document or the
/// person's own).
const STAFF: &str = "
sel(lab) AS MATERIALIZED (SELECT value FROM json_each(?1)),
span(key, start, end) AS MATERIALIZED (
    SELECT json_extract(value, '$.key'), json_extract(value, '$.start'), json_extract(value, '$.end')
      FROM json_each(?2)),
staff(person, lab) AS MATERIALIZED (
    SELECT person_id, lab_id FROM person_labs WHERE lab_id IN (SELECT lab FROM sel)
    UNION SELECT person_id, lab_id FROM lab_roster WHERE lab_id IN (SELECT lab FROM sel))";

/// The groups the training figures are given for, as a CTE `grp(person,
/// g)`: each lab of a person's rosters (the indicators' rows), or the
/// person's own organisation, trimmed (the monitoring's staff table; a
/// person whose document is not here is in the group `''`). The rows with a
/// NULL group are all the staff together either way.
pub(super) const BY_LAB: &str = "grp(person, g) AS MATERIALIZED (SELECT person, lab FROM staff)";
pub(super) const BY_ORGANISATION: &str = "grp(person, g) AS MATERIALIZED (
    SELECT DISTINCT s.person, coalesce(trim(p.organisation), '')
      FROM staff s LEFT JOIN persons p ON p.id = s.person)";

/// People trained by the end of each span. A running sum of the minutes
/// each person attended of the sessions they completed (under each
/// session's threshold), in date order, gives the day they reached the
/// threshold (?3); they are trained in every span that ends on or after it.
fn trained_sql(groups: &str) -> String {
    format!(
        "WITH {STAFF},
{groups},
since AS MATERIALIZED (
    SELECT person, min(date) AS day FROM (
        SELECT ta.person_id AS person, t.date AS date,
               sum(ta.minutes) OVER (PARTITION BY ta.person_id ORDER BY t.date, t.id) AS total
          FROM training_attendance ta JOIN trainings t ON t.id = ta.training_id
         WHERE ta.completed AND ta.person_id IN (SELECT person FROM staff))
     WHERE total >= ?3 GROUP BY person),
trained AS MATERIALIZED (
    SELECT span.key AS key, since.person AS person, p.role AS role
      FROM span JOIN since ON since.day <= span.end JOIN persons p ON p.id = since.person)
SELECT grp.g, trained.key,
       count(DISTINCT CASE WHEN role = 'operator' THEN trained.person END),
       count(DISTINCT CASE WHEN role = 'volunteer' THEN trained.person END)
  FROM trained JOIN grp ON grp.person = trained.person
 GROUP BY grp.g, trained.key
UNION ALL
SELECT NULL, key,
       count(DISTINCT CASE WHEN role = 'operator' THEN person END),
       count(DISTINCT CASE WHEN role = 'volunteer' THEN person END)
  FROM trained GROUP BY key"
    )
}

/// Person-minutes of training inside each span: the minutes each person
/// attended, whether or not that completed the session.
fn minutes_sql(groups: &str) -> String {
    format!(
        "WITH {STAFF},
{groups},
present AS MATERIALIZED (
    SELECT span.key AS key, ta.person_id AS person, ta.minutes AS minutes
      FROM span
      JOIN trainings t ON t.date BETWEEN span.start AND span.end
      JOIN training_attendance ta ON ta.training_id = t.id
     WHERE ta.person_id IN (SELECT person FROM staff))
SELECT grp.g, present.key, sum(present.minutes)
  FROM present JOIN grp ON grp.person = present.person
 GROUP BY grp.g, present.key
UNION ALL
SELECT NULL, key, sum(minutes) FROM present GROUP BY key"
    )
}

/// Operators and volunteers trained, and training hours.
pub(super) fn training(
    conn: Reader<'_>,
    labs: &[String],
    period: Period,
    months: &[(Month, Period)],
    trained_hours: u32,
    cells: &mut Cells,
) -> Result<()> {
    let (labs, spans) = (json(labs)?, spans(period, months));
    let threshold = i64::from(trained_hours) * 60;
    training_by(conn, BY_LAB, &labs, &spans, threshold, cells)
}

/// Operators and volunteers trained by the end of the period, and training
/// hours in it, by the person's own organisation (key: the organisation, or
/// NULL for all the staff of the labs; month NULL).
pub(super) fn training_by_organisation(
    conn: Reader<'_>,
    labs: &[String],
    period: Period,
    trained_hours: u32,
    cells: &mut Cells,
) -> Result<()> {
    let (labs, spans) = (json(labs)?, spans(period, &[]));
    training_by(conn, BY_ORGANISATION, &labs, &spans, i64::from(trained_hours) * 60, cells)
}

fn training_by(
    conn: Reader<'_>,
    groups: &str,
    labs: &str,
    spans: &str,
    threshold: i64,
    cells: &mut Cells,
) -> Result<()> {
    let mut stmt = conn.prepare(&trained_sql(groups))?;
    let mut rows = stmt.query(params![labs, spans, threshold])?;
    while let Some(r) = rows.next()? {
        let c = cells.at(r.get(0)?, r.get(1)?);
        c.operators_trained = count(r.get(2)?);
        c.volunteers_trained = count(r.get(3)?);
    }
    let mut stmt = conn.prepare(&minutes_sql(groups))?;
    let mut rows = stmt.query(params![labs, spans])?;
    while let Some(r) = rows.next()? {
        cells.at(r.get(0)?, r.get(1)?).training_minutes = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
    }
    Ok(())
}
