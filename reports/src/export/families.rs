//! The households table: one row per family of the selection, counted as
//! the indicators count it (a merged duplicate is folded into the family it
//! was merged into; an erased family keeps a row with its code only).
//! A pseudonymised export shows each family by its pseudonym (`F-…`), in
//! pseudonym order, so that not even the order of the rows follows the codes.
//!
//! The families of a selection are those registered at the selected labs
//! and those with attendance at their meetings in the period, except those
//! whose processing is restricted (GDPR art. 18): they are in no export.

use std::collections::HashMap;

use chrono::Datelike;
use rusqlite::params;

use super::labels::{self, Label};
use super::register::Ctx;
use super::table::{Cell, Table, TableKind};
use crate::error::Result;
use crdt_sync::{Area, Keyed, PathwayKind, PathwayStatus, ReferralSource};

const FAMILIES: &str = "
WITH sel(lab) AS (SELECT value FROM json_each(?1)),
att AS (
    SELECT household_id AS hid, count(*) AS n FROM attendance NOT INDEXED
     WHERE lab_id IN (SELECT lab FROM sel) AND date BETWEEN ?2 AND ?3 GROUP BY household_id),
att_family AS (
    SELECT coalesce(h.canonical_id, att.hid) AS id, sum(att.n) AS n
      FROM att LEFT JOIN households h ON h.id = att.hid GROUP BY 1),
fam AS (
    SELECT DISTINCT coalesce(h.canonical_id, x.id) AS id FROM (
        SELECT id FROM households WHERE lab_id IN (SELECT lab FROM sel)
        UNION SELECT household_id FROM lab_households WHERE lab_id IN (SELECT lab FROM sel)
        UNION SELECT hid FROM att) x
    LEFT JOIN households h ON h.id = x.id)
SELECT f.id,
       coalesce(h.code, (SELECT code FROM lab_households WHERE household_id = f.id LIMIT 1), '?') AS code,
       (SELECT number FROM labs WHERE id = coalesce(h.lab_id,
           (SELECT lab_id FROM lab_households WHERE household_id = f.id LIMIT 1))),
       h.id IS NOT NULL, h.areas, h.referral, h.consent_date, h.reference_id, h.phone, h.email, h.address,
       coalesce(af.n, 0)
  FROM fam f
  LEFT JOIN households h ON h.id = f.id
  LEFT JOIN att_family af ON af.id = f.id
 WHERE NOT coalesce(h.restricted, 0)
 ORDER BY code, f.id";

struct Member {
    id: String,
    first: String,
    last: String,
    birth: Option<i64>,
}

/// Members by household (every household: a few thousand rows).
fn members(ctx: &Ctx<'_>) -> Result<HashMap<String, Vec<Member>>> {
    let mut stmt = ctx.conn.prepare(
        "SELECT household_id, id, first_name, last_name, birth_year FROM members ORDER BY household_id, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: HashMap<String, Vec<Member>> = HashMap::new();
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(Member {
            id: r.get(1)?,
            first: r.get(2)?,
            last: r.get(3)?,
            birth: r.get(4)?,
        });
    }
    Ok(out)
}

/// Pathways by the family they count for, as `kind (status)`.
fn pathways(ctx: &Ctx<'_>) -> Result<HashMap<String, Vec<String>>> {
    let mut stmt = ctx.conn.prepare(
        "SELECT h.canonical_id, p.kind, p.status FROM pathways p JOIN households h ON h.id = p.household_id
          ORDER BY h.canonical_id, p.start_date, p.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let (kind, status): (String, String) = (r.get(1)?, r.get(2)?);
        let kind =
            PathwayKind::from_key(&kind).map_or(kind, |k| labels::pathway_kind(k, ctx.lang).to_owned());
        let status = PathwayStatus::from_key(&status)
            .map_or(status, |s| labels::pathway_status(s, ctx.lang).to_owned());
        out.entry(r.get(0)?).or_default().push(format!("{kind} ({status})"));
    }
    Ok(out)
}

fn areas(keys: &str, ctx: &Ctx<'_>) -> String {
    keys.split(',')
        .filter(|k| !k.is_empty())
        .map(|k| Area::from_key(k).map_or(k, |a| labels::area(a, ctx.lang)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row per family.
pub(crate) fn households(ctx: &Ctx<'_>) -> Result<Table> {
    use Label as L;
    let mut columns = vec![
        (if ctx.full { L::ColCode } else { L::ColPseudonym }, 12.0),
        (L::ColLab, 11.0),
        (L::ColStatus, 16.0),
        (L::ColMembers, 12.0),
        (L::ColMinors, 9.0),
        (L::ColBirthYears, 22.0),
        (L::ColAreas, 26.0),
        (L::ColReferral, 18.0),
        (L::ColConsent, 14.0),
        (L::ColPathways, 36.0),
        (L::ColAttendancesInPeriod, 14.0),
    ];
    if ctx.full {
        columns.extend([
            (L::ColReference, 24.0),
            (L::ColMemberNames, 50.0),
            (L::ColPhone, 18.0),
            (L::ColEmail, 28.0),
            (L::ColAddress, 34.0),
        ]);
    }
    let mut t = Table::new(TableKind::Households, ctx.lang, &columns);
    let members = members(ctx)?;
    let pathways = pathways(ctx)?;
    // Minors as of the year the period ends: the year the report speaks of.
    let year = i64::from(ctx.period.to.year());
    let mut stmt = ctx.conn.prepare(FAMILIES)?;
    let (from, to) = (ctx.period.from.to_string(), ctx.period.to.to_string());
    let mut rows = stmt.query(params![ctx.labs, from, to])?;
    let none = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let known: bool = r.get(3)?;
        let ms = members.get(&id).unwrap_or(&none);
        let status = if known { L::Registered } else { L::Erased };
        let births: Vec<String> = ms
            .iter()
            .filter_map(|m| m.birth)
            .map(|y| match super::register::birth(y, year, !ctx.full) {
                Cell::Text(band) => band,
                _ => y.to_string(),
            })
            .collect();
        let minors = ms.iter().filter(|m| m.birth.is_some_and(|y| year - y < 18)).count();
        let referral: Option<String> = r.get(5)?;
        let referral = referral
            .map(|k| ReferralSource::from_key(&k).map_or(k, |s| labels::referral(s, ctx.lang).to_owned()));
        let consent: Option<String> = r.get(6)?;
        let mut row = vec![
            Cell::Text(ctx.family(&id, r.get(1)?)),
            Cell::from(r.get::<_, Option<i64>>(2)?),
            Cell::from(ctx.text(status)),
            if known { Cell::Int(ms.len() as i64) } else { Cell::Empty },
            if known { Cell::Int(minors as i64) } else { Cell::Empty },
            Cell::Text(births.join(", ")),
            Cell::Text(areas(&r.get::<_, Option<String>>(4)?.unwrap_or_default(), ctx)),
            Cell::from(referral),
            consent.map(super::parse_date).transpose()?.map_or(Cell::Empty, Cell::Date),
            Cell::Text(pathways.get(&id).map(|p| p.join("; ")).unwrap_or_default()),
            Cell::Int(r.get(11)?),
        ];
        if ctx.full {
            let reference: Option<String> = r.get(7)?;
            let name = |m: &Member| format!("{} {}", m.first, m.last);
            let reference_name =
                reference.and_then(|rid| ms.iter().find(|m| m.id == rid)).map(name).unwrap_or_default();
            let all = ms
                .iter()
                .map(|m| match m.birth {
                    Some(y) => format!("{} ({y})", name(m)),
                    None => name(m),
                })
                .collect::<Vec<_>>()
                .join("; ");
            let text = |i| -> rusqlite::Result<Cell> {
                Ok(Cell::Text(r.get::<_, Option<String>>(i)?.unwrap_or_default()))
            };
            row.extend([Cell::Text(reference_name), Cell::Text(all), text(8)?, text(9)?, text(10)?]);
        }
        t.rows.push(row);
    }
    if !ctx.full {
        t.rows.sort_by(|a, b| match (a.first(), b.first()) {
            (Some(Cell::Text(a)), Some(Cell::Text(b))) => a.cmp(b),
            _ => std::cmp::Ordering::Equal,
        });
    }
    Ok(t)
}
