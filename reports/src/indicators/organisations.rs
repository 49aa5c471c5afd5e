//! Operators and volunteers trained, and training hours, by the person's
//! own organisation (the `organisation` of their person document) rather
//! than by the labs whose rosters they are on: the partnership reports
//! per partner organisation, and a partner's staff may work in another
//! partner's labs.
//!
//! The same definitions as the indicators' (`super`): the staff are the
//! people on the rosters of the selected labs; *trained* by the last day of
//! the period (minutes attended of the sessions completed, from the start
//! of the register, at least the project's `trained_hours`); *training
//! hours* the minutes attended of the sessions in the period, completed or
//! not. A person belongs to one organisation, so the organisations add up
//! to the labs' total (unlike labs, where one person may be on two
//! rosters).

use serde::{Deserialize, Serialize};

use super::query::{self, Cells};
use crate::error::Result;
use crdt_sync::{ProjectSettings, Selection, Store};

/// One organisation's trained staff.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct OrganisationTraining {
    /// The organisation as the person documents name it, trimmed (empty:
    /// people with none, or whose document is not on this device).
    pub organisation: String,
    /// *Operatori formati* of the organisation by the end of the period.
    pub operators_trained: u32,
    /// *Volontari formati* of the organisation by the end of the period.
    pub volunteers_trained: u32,
    /// Person-minutes of training attended in the period.
    pub training_minutes: u64,
}

/// The organisations of the selected labs' staff that have someone trained
/// or any training attended in the period, by name (case-insensitive; the
/// unnamed group last).
///
/// Errors: an invalid period, or a lab the store does not know.
pub fn training_by_organisation(store: &Store, selection: &Selection) -> Result<Vec<OrganisationTraining>> {
    let period = selection.period.checked()?;
    let labs = store.resolve_labs(&selection.labs)?;
    let lab_ids: Vec<String> = labs.iter().map(|l| l.id.to_string()).collect();
    let targets = query::targets(store.reader())?;
    let mut cells = Cells::default();
    query::training_by_organisation(store.reader(), &lab_ids, period, targets.trained_hours, &mut cells)?;
    let mut out: Vec<OrganisationTraining> = cells
        .groups()
        .into_iter()
        .map(|org| {
            let c = cells.get(Some(org), None);
            OrganisationTraining {
                organisation: org.to_owned(),
                operators_trained: c.operators_trained,
                volunteers_trained: c.volunteers_trained,
                training_minutes: c.training_minutes,
            }
        })
        .collect();
    // By name, the unnamed group last.
    out.sort_by_cached_key(|o| {
        (o.organisation.is_empty(), o.organisation.to_lowercase(), o.organisation.clone())
    });
    Ok(out)
}
