//! The trainings tables: one row per session in the period with someone of
//! the selected labs present, only those people counted and listed (by
//! pseudonym, or by name in a full export); and one row per such person
//! and session, with the minutes attended, their share of the session and
//! whether the session counts as completed (decision 0030).

use rusqlite::params;

use super::labels::{Label, yes_no};
use super::register::Ctx;
use super::table::{Cell, Table, TableKind};
use crate::error::Result;

/// The staff of the selected labs (`?1`, a JSON array of lab ids): on a
/// lab's roster or registered for it. Both trainings tables count only them.
const STAFF: &str = "WITH staff(person) AS (
             SELECT person_id FROM person_labs WHERE lab_id IN (SELECT value FROM json_each(?1))
             UNION SELECT person_id FROM lab_roster WHERE lab_id IN (SELECT value FROM json_each(?1)))";

/// One row per training session in the period with someone of the selected
/// labs present; only those people are counted and listed.
pub(crate) fn trainings(ctx: &Ctx<'_>) -> Result<Table> {
    use Label as L;
    let mut t = Table::new(
        TableKind::Trainings,
        ctx.lang,
        &[
            (L::ColDate, 12.0),
            (L::ColTitle, 36.0),
            (L::ColHours, 8.0),
            (L::ColParticipants, 14.0),
            (L::ColOperators, 11.0),
            (L::ColVolunteers, 11.0),
            (L::ColParticipantList, 60.0),
        ],
    );
    let mut stmt = ctx.conn.prepare(&format!(
        "{STAFF}
         SELECT t.id, t.date, t.title, t.minutes, p.code, p.first_name, p.last_name, p.role, ta.person_id
           FROM trainings t
           JOIN training_attendance ta ON ta.training_id = t.id
           LEFT JOIN persons p ON p.id = ta.person_id
          WHERE t.date BETWEEN ?2 AND ?3 AND ta.person_id IN (SELECT person FROM staff)
          ORDER BY t.date, t.id, p.code, ta.person_id"
    ))?;
    let (labs, from, to) = ctx.bounds();
    let mut rows = stmt.query(params![labs, from, to])?;
    let mut current: Option<String> = None;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if current.as_deref() != Some(id.as_str()) {
            let minutes: i64 = r.get(3)?;
            t.rows.push(vec![
                Cell::Date(super::parse_date(r.get(1)?)?),
                Cell::Text(r.get(2)?),
                Cell::Decimal(minutes as f64 / 60.0),
                Cell::Int(0),
                Cell::Int(0),
                Cell::Int(0),
                Cell::Text(String::new()),
            ]);
            current = Some(id);
        }
        let role: Option<String> = r.get(7)?;
        let who = ctx.person(super::text(r.get_ref(8)?)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let Some(row) = t.rows.last_mut() else { continue };
        let bump = |c: &mut Cell| {
            if let Cell::Int(n) = c {
                *n += 1;
            }
        };
        bump(&mut row[3]);
        match role.as_deref() {
            Some("operator") => bump(&mut row[4]),
            Some("volunteer") => bump(&mut row[5]),
            _ => {}
        }
        if let Cell::Text(list) = &mut row[6] {
            if !list.is_empty() {
                list.push_str(", ");
            }
            list.push_str(&who);
        }
    }
    Ok(t)
}

/// One row per participant of the selected labs and training session in
/// the period: the minutes attended, their share of the session (rounded
/// down, as the rule measures it) and whether the session is completed,
/// as the projection holds them (`training_attendance.minutes`,
/// `.completed`: the rule of `crdt_sync::SessionSpan`, applied once).
pub(crate) fn training_attendance(ctx: &Ctx<'_>) -> Result<Table> {
    use Label as L;
    let mut t = Table::new(
        TableKind::TrainingAttendance,
        ctx.lang,
        &[
            (L::ColDate, 12.0),
            (L::ColTitle, 36.0),
            (L::ColParticipant, 24.0),
            (L::ColRole, 12.0),
            (L::ColSessionMinutes, 12.0),
            (L::ColMinutesAttended, 12.0),
            (L::ColShareOfSession, 12.0),
            (L::ColThreshold, 10.0),
            (L::ColCompleted, 11.0),
        ],
    );
    let mut stmt = ctx.conn.prepare(&format!(
        "{STAFF}
         SELECT t.date, t.title, t.minutes, t.completion, p.code, p.first_name,
                p.last_name, p.role, ta.person_id, ta.minutes, ta.completed
           FROM trainings t
           JOIN training_attendance ta ON ta.training_id = t.id
           LEFT JOIN persons p ON p.id = ta.person_id
          WHERE t.date BETWEEN ?2 AND ?3 AND ta.person_id IN (SELECT person FROM staff)
          ORDER BY t.date, t.id, p.code, ta.person_id"
    ))?;
    let (labs, from, to) = ctx.bounds();
    let mut rows = stmt.query(params![labs, from, to])?;
    while let Some(r) = rows.next()? {
        let session: i64 = r.get(2)?;
        let threshold: i64 = r.get(3)?;
        let who = ctx.person(super::text(r.get_ref(8)?)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let role = match r.get::<_, Option<String>>(7)?.as_deref() {
            Some("operator") => L::RoleOperator.text(ctx.lang),
            Some("volunteer") => L::RoleVolunteer.text(ctx.lang),
            _ => "",
        };
        let attended: i64 = r.get(9)?;
        let completed: bool = r.get(10)?;
        let share = if session > 0 { attended * 100 / session } else { 0 };
        t.rows.push(vec![
            Cell::Date(super::parse_date(r.get(0)?)?),
            Cell::Text(r.get(1)?),
            Cell::Text(who),
            Cell::Text(role.to_owned()),
            Cell::Int(session),
            Cell::Int(attended),
            Cell::Percent(share as f64 / 100.0),
            Cell::Percent(threshold as f64 / 100.0),
            Cell::Text(yes_no(completed, ctx.lang).to_owned()),
        ]);
    }
    Ok(t)
}
