//! The grant's indicators (*indicatori*), defined once, here.
//!
//! Everything is computed with SQL from the projection tables, for a
//! [`Selection`] (a set of labs and a period), per lab and month, per lab,
//! per month (all selected labs together) and in total. Distinct counts are
//! counted at each level, so a family reached in March and in April counts
//! once in the total, and a family reached at two labs counts in both labs
//! and once in the total: **the lab rows do not add up to the total, by
//! design**. `docs/indicators.md` holds the same definitions for a
//! coordinator.
//!
//! ## Definitions
//!
//! A *family* is a household counted as the family it was merged into, if
//! any (`households.canonical_id`): two registrations merged by a lab lead
//! count once. Attendance keeps the household id it was recorded with, so a
//! family whose household document is not on this device (never received)
//! still counts, as itself. A family *erased* on this device counts exactly
//! as before its erasure: the store keeps an aggregate-only trace of it
//! (member and family ids, birth years, pathway spans; no names, contacts or
//! notes) in `erased_members` and `erased_pathways`.
//!
//! - **Famiglie raggiunte** (families reached): families with at least one
//!   member present at a meeting of the labs in the period. Attributed to the
//!   lab that held the meeting.
//! - **Famiglie accompagnate** (families accompanied): families with a
//!   pathway (*percorso*) open during the period: started on or before its
//!   last day and not ended before its first day (a pathway without an end
//!   date is open; a suspended one still counts). Attributed to the lab that
//!   registered the family. Pathways live in the household document; the
//!   spans of an erased family's pathways are kept in its trace, so it still
//!   counts where it was erased (a replica that never held its document
//!   never counted it).
//! - **Persone raggiunte** (members reached): members present at least once.
//!   A member of a merged-away family counts as the member of the surviving
//!   family with the same first name, last name and birth year, if there is
//!   one.
//! - **Minori raggiunti** (minors reached): members reached who were under 18
//!   in the year of at least one of those meetings, counted by birth year
//!   only (`year of the meeting − birth year < 18`). Someone born in 2008 is a
//!   minor at a meeting in 2025 and an adult at one in 2026. Unknown birth
//!   years never count as minors.
//! - **Incontri realizzati** (meetings held): meetings dated in the period,
//!   in total and by activity type.
//! - **Presenze** (attendances): members ticked present, one per member and
//!   meeting.
//! - **Ospiti** (guests): the sum of the guests recorded on the meetings.
//! - **Laboratori attivi** (active labs): labs that held at least one meeting.
//! - **Operatori / volontari formati** (operators / volunteers trained):
//!   people of that role on the labs' rosters whose training, from the start
//!   of the register to the last day of the period (or of the month), adds up
//!   to at least the project's `trained_hours`. Only sessions the person
//!   *completed* count (attended at least the session's threshold, 80%
//!   unless the session sets another), each with the minutes actually
//!   attended: a session attended in part does not qualify, as it earns no
//!   professional credit. An attendee with no times recorded attended the
//!   whole session. Training is a status reached once, so it is not limited
//!   to sessions inside the period.
//! - **Ore di formazione** (training hours): minutes actually attended of
//!   the training sessions in the period, by the people of the labs, whether
//!   or not they completed the session (person-hours).
//!
//! Each total is measured against the project's [`Targets`]: families
//! accompanied against `families` (800), active labs against `labs` (10),
//! operators and volunteers trained against theirs (60 and 120).

mod organisations;
mod people;
mod query;
mod reach;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crdt_sync::{Lab, LabId, ProjectSettings, Store, Targets};
use crdt_sync::{Month, Period, Selection};

pub use organisations::{OrganisationTraining, training_by_organisation};
pub use people::{PersonTraining, training_by_person};

/// The figures of one cell: a lab and month, a lab, a month, or the total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Counts {
    /// *Famiglie raggiunte*: families with any attendance.
    pub families_reached: u32,
    /// *Famiglie accompagnate*: families on a pathway open in the period.
    pub families_accompanied: u32,
    /// *Persone raggiunte*: members present at least once.
    pub members_reached: u32,
    /// *Minori raggiunti*: of those, minors in the year of a meeting.
    pub minors_reached: u32,
    /// *Incontri realizzati*: meetings held.
    pub meetings: u32,
    /// Meetings held, by activity type key.
    pub meetings_by_activity: BTreeMap<String, u32>,
    /// Guests of those meetings, by activity type key (their sum is
    /// `guests`). Absent in figures serialised before issue 15.
    #[serde(default)]
    pub guests_by_activity: BTreeMap<String, u32>,
    /// Attendances at those meetings, by activity type key: the attendance
    /// rows of each meeting (their sum is `attendances`, which `reach.rs`
    /// counts from the same rows). Absent before issue 15.
    #[serde(default)]
    pub attendances_by_activity: BTreeMap<String, u32>,
    /// *Presenze*: members ticked present (member × meeting).
    pub attendances: u32,
    /// *Ospiti*: guests.
    pub guests: u32,
    /// *Laboratori attivi*: labs with at least one meeting.
    pub active_labs: u32,
    /// *Operatori formati*: operators trained by the end of the cell.
    pub operators_trained: u32,
    /// *Volontari formati*: volunteers trained by the end of the cell.
    pub volunteers_trained: u32,
    /// Person-minutes of training attended in the cell (*ore di formazione* × 60).
    pub training_minutes: u64,
}

/// The figures of one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MonthCounts {
    /// The month.
    pub month: Month,
    /// The part of it inside the selection's period.
    pub days: Period,
    /// Its figures.
    pub counts: Counts,
}

/// The figures of one lab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct LabIndicators {
    /// The lab.
    pub lab: Lab,
    /// Over the whole period.
    pub total: Counts,
    /// Month by month, every month of the period (zeros included).
    pub months: Vec<MonthCounts>,
}

/// Which target a figure is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Families accompanied against [`Targets::families`].
    Families,
    /// Active labs against [`Targets::labs`].
    Labs,
    /// Operators trained against [`Targets::operators_trained`].
    OperatorsTrained,
    /// Volunteers trained against [`Targets::volunteers_trained`].
    VolunteersTrained,
}

/// A total against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TargetProgress {
    /// Which target.
    pub goal: Goal,
    /// The figure reached.
    pub value: u32,
    /// The target.
    pub target: u32,
}

impl TargetProgress {
    /// `value / target` (1.0 = reached); 0 when the target is 0.
    pub fn ratio(&self) -> f64 {
        if self.target == 0 { 0.0 } else { f64::from(self.value) / f64::from(self.target) }
    }
}

/// The indicators of a selection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Indicators {
    /// The period.
    pub period: Period,
    /// The grant's targets, from the project document.
    pub targets: Targets,
    /// All selected labs together, over the whole period.
    pub total: Counts,
    /// All selected labs together, month by month.
    pub months: Vec<MonthCounts>,
    /// Each selected lab, by number.
    pub labs: Vec<LabIndicators>,
}

impl Indicators {
    /// The totals against the targets, in a fixed order.
    pub fn progress(&self) -> [TargetProgress; 4] {
        let t = &self.total;
        [
            TargetProgress {
                goal: Goal::Families,
                value: t.families_accompanied,
                target: self.targets.families,
            },
            TargetProgress { goal: Goal::Labs, value: t.active_labs, target: self.targets.labs },
            TargetProgress {
                goal: Goal::OperatorsTrained,
                value: t.operators_trained,
                target: self.targets.operators_trained,
            },
            TargetProgress {
                goal: Goal::VolunteersTrained,
                value: t.volunteers_trained,
                target: self.targets.volunteers_trained,
            },
        ]
    }

    /// The figures of one lab, if it was selected.
    pub fn lab(&self, id: LabId) -> Option<&LabIndicators> {
        self.labs.iter().find(|l| l.lab.id == id)
    }
}

/// Computes the indicators of `selection` from the projection.
///
/// Errors: an invalid period, or a lab the store does not know.
pub fn compute(store: &Store, selection: &Selection) -> Result<Indicators> {
    let period = selection.period.checked()?;
    let labs = store.resolve_labs(&selection.labs)?;
    let months: Vec<(Month, Period)> =
        period.months().into_iter().filter_map(|m| period.clip(m).map(|p| (m, p))).collect();
    let lab_ids: Vec<String> = labs.iter().map(|l| l.id.to_string()).collect();
    let targets = query::targets(store.reader())?;
    let mut cells = query::Cells::default();
    reach::attendance(store.reader(), &lab_ids, period, &mut cells)?;
    query::meetings(store.reader(), &lab_ids, period, &mut cells)?;
    query::pathways(store.reader(), &lab_ids, period, &months, &mut cells)?;
    query::training(store.reader(), &lab_ids, period, &months, targets.trained_hours, &mut cells)?;

    let month_list = |lab: Option<&str>| -> Vec<MonthCounts> {
        months
            .iter()
            .map(|(m, days)| MonthCounts {
                month: *m,
                days: *days,
                counts: cells.get(lab, Some(&m.to_string())),
            })
            .collect()
    };
    let per_lab = labs
        .into_iter()
        .map(|lab| {
            let key = lab.id.to_string();
            LabIndicators { total: cells.get(Some(&key), None), months: month_list(Some(&key)), lab }
        })
        .collect();
    Ok(Indicators { period, targets, total: cells.get(None, None), months: month_list(None), labs: per_lab })
}
