//! The retention policy (issue 6): which families are due for erasure
//! because nothing happened with them for `inactive_years`, and erasing
//! the ones a coordinator confirms.
//!
//! A family's **last activity** is the latest of, over the family and every
//! duplicate merged into it (`households.canonical_id`, unconfirmed merges
//! included):
//!
//! - its registration (`created_at`, as a date in Pavia);
//! - the date of its consent (`consent.date`);
//! - the date of any meeting one of its members attended (attendance
//!   recorded under the duplicate's id counts for the family);
//! - the start or end date of any of its pathways.
//!
//! Edits to the record (a new phone number) are not activity: correcting
//! data is not contact with the family, and the change times come from
//! device clocks. A family is **due** on `today` when `today` is on or after
//! the `inactive_years`-th anniversary of its last activity (a last activity
//! on 29 February reaches it on 28 February). See
//! `docs/decisions/0011-retention-and-audit-trail.md`.

use super::Store;
use crate::store::api::*;
use chrono_tz::Europe::Rome;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::doc::{self, DocRef};
use crate::domain::{ErasureReason, RetentionPolicy, Tombstone};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, PersonId};

/// Longest retention a coordinator may set (a typo guard).
const MAX_YEARS: u32 = 100;
/// Longest time without a sync a coordinator may set (ten years).
const MAX_STALE_DAYS: u32 = 3650;

/// A family due for erasure under the retention policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct RetentionDue {
    /// The family (the one duplicates were merged into).
    pub household: HouseholdId,
    /// Its human code.
    pub code: String,
    /// Its lab.
    pub lab: LabId,
    /// The date of its last activity (see the module documentation).
    pub last_activity: NaiveDate,
    /// Whole years since then.
    pub years_inactive: u32,
    /// Codes of the duplicates merged into it: they are erased with it.
    pub merged: Vec<String>,
    /// A merge into it is not confirmed: erasing it is refused until that
    /// merge is confirmed or undone ([`Error::Merge`]).
    pub unconfirmed_merge: bool,
}

/// One household row, as the retention preview reads it.
struct Row {
    code: String,
    lab: LabId,
    family: HouseholdId,
    merge_confirmed: bool,
    last: NaiveDate,
}

fn later(a: NaiveDate, b: Option<NaiveDate>) -> NaiveDate {
    b.map_or(a, |b| a.max(b))
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.parse().ok())
}

/// `from` plus `years` years (29 February goes to 28 February); `None` past
/// the calendar's end.
pub(super) fn plus_years(from: NaiveDate, years: u32) -> Option<NaiveDate> {
    from.checked_add_months(Months::new(years.saturating_mul(12)))
}

/// Whole years from `from` to `to`, anniversaries as [`plus_years`] counts
/// them (0 when `to` is earlier).
pub(super) fn whole_years(from: NaiveDate, to: NaiveDate) -> u32 {
    let years = u32::try_from(to.year() - from.year()).unwrap_or(0);
    if plus_years(from, years).is_some_and(|d| d <= to) { years } else { years.saturating_sub(1) }
}

impl Store {
    /// Every household of this store with its family and own last activity.
    fn retention_rows(&self) -> Result<BTreeMap<HouseholdId, Row>> {
        let mut rows = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.id, h.code, h.lab_id, h.created_at, h.consent_date, h.merge_confirmed,
                    CASE WHEN EXISTS (SELECT 1 FROM households c WHERE c.id = h.canonical_id)
                         THEN h.canonical_id ELSE h.id END,
                    (SELECT max(max(p.start_date), coalesce(max(p.end_date), ''))
                       FROM pathways p WHERE p.household_id = h.id),
                    (SELECT max(a.date) FROM attendance a WHERE a.household_id = h.id)
               FROM households h",
        )?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let (Ok(id), Ok(lab), Ok(family)) = (
                r.get::<_, String>(0)?.parse::<HouseholdId>(),
                r.get::<_, String>(2)?.parse::<LabId>(),
                r.get::<_, String>(6)?.parse::<HouseholdId>(),
            ) else {
                continue;
            };
            let created = DateTime::from_timestamp_millis(r.get(3)?)
                .map(|t| t.with_timezone(&Rome).date_naive())
                .unwrap_or_default();
            let last = later(created, date(r.get(4)?));
            let last = later(last, date(r.get(7)?));
            let last = later(last, date(r.get(8)?));
            rows.insert(id, Row { code: r.get(1)?, lab, family, merge_confirmed: r.get(5)?, last });
        }
        Ok(rows)
    }
}

impl Retention for Store {
    fn retention_policy(&mut self) -> Result<RetentionPolicy> {
        Ok(doc::project::retention(self.doc(DocRef::project(self.project))?))
    }

    fn set_retention_policy(&mut self, p: RetentionPolicy) -> Result<()> {
        if !(1..=MAX_YEARS).contains(&p.inactive_years) {
            return Err(Error::invalid(
                "retention.inactive_years",
                format!("{} is not between 1 and {MAX_YEARS}", p.inactive_years),
            ));
        }
        if !(1..=MAX_YEARS).contains(&p.volunteer_years) {
            return Err(Error::invalid(
                "retention.volunteer_years",
                format!("{} is not between 1 and {MAX_YEARS}", p.volunteer_years),
            ));
        }
        if !(1..=MAX_STALE_DAYS).contains(&p.stale_device_days) {
            return Err(Error::invalid(
                "retention.stale_device_days",
                format!("{} is not between 1 and {MAX_STALE_DAYS}", p.stale_device_days),
            ));
        }
        let (_, pending) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_retention(tx, &p))?;
        self.commit(pending.into_iter().collect())
    }

    fn retention_due(&mut self, today: NaiveDate) -> Result<Vec<RetentionDue>> {
        let years = self.retention_policy()?.inactive_years;
        let rows = self.retention_rows()?;
        let mut families: BTreeMap<HouseholdId, (NaiveDate, Vec<String>, bool)> = BTreeMap::new();
        for (id, row) in &rows {
            let f = families.entry(row.family).or_insert((row.last, Vec::new(), false));
            f.0 = f.0.max(row.last);
            if *id != row.family {
                f.1.push(row.code.clone());
                f.2 |= !row.merge_confirmed;
            }
        }
        let mut out = Vec::new();
        for (id, (last, mut merged, unconfirmed)) in families {
            let Some(row) = rows.get(&id) else { continue };
            let due = plus_years(last, years);
            if due.is_none_or(|due| today < due) {
                continue;
            }
            merged.sort();
            out.push(RetentionDue {
                household: id,
                code: row.code.clone(),
                lab: row.lab,
                last_activity: last,
                years_inactive: whole_years(last, today),
                merged,
                unconfirmed_merge: unconfirmed,
            });
        }
        out.sort_by(|a, b| a.code.cmp(&b.code).then(a.household.cmp(&b.household)));
        Ok(out)
    }

    fn erase_due(
        &mut self,
        today: NaiveDate,
        confirmed: &[HouseholdId],
        by_person: Option<PersonId>,
    ) -> Result<Vec<Tombstone>> {
        let due: BTreeMap<HouseholdId, RetentionDue> =
            self.retention_due(today)?.into_iter().map(|d| (d.household, d)).collect();
        let mut ids = confirmed.to_vec();
        ids.sort();
        ids.dedup();
        for id in &ids {
            match due.get(id) {
                None => {
                    let code = self.household_code(*id)?.unwrap_or_else(|| id.to_string());
                    return Err(Error::NotDue { household: *id, code });
                }
                Some(d) if d.unconfirmed_merge => {
                    return Err(Error::Merge(format!(
                        "a merge into {} is not confirmed: confirm or undo it before erasing",
                        d.code
                    )));
                }
                Some(_) => {}
            }
        }
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.erase_household(id, ErasureReason::Retention, by_person)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn whole_years_count_anniversaries() {
        assert_eq!(whole_years(d(2020, 3, 1), d(2025, 3, 1)), 5);
        assert_eq!(whole_years(d(2020, 3, 1), d(2025, 2, 28)), 4);
        assert_eq!(whole_years(d(2020, 2, 29), d(2025, 2, 28)), 5);
        assert_eq!(whole_years(d(2020, 2, 29), d(2025, 2, 27)), 4);
        assert_eq!(whole_years(d(2025, 3, 1), d(2020, 3, 1)), 0);
    }
}
