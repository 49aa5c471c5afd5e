//! The training register.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{PersonId, TrainingId};

/// A training session, as read from the training document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TrainingSession {
    /// Id.
    pub id: TrainingId,
    /// Date.
    pub date: NaiveDate,
    /// Title.
    pub title: String,
    /// Duration in minutes.
    pub minutes: u32,
    /// Who attended.
    pub attendees: BTreeSet<PersonId>,
}

/// Input for a new training session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewTraining {
    /// Date.
    pub date: NaiveDate,
    /// Title.
    pub title: String,
    /// Duration in minutes (1 to 24 hours).
    pub minutes: u32,
    /// Attendees.
    pub attendees: BTreeSet<PersonId>,
}

/// A change to a training session; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TrainingPatch {
    /// Date.
    pub date: Option<NaiveDate>,
    /// Title.
    pub title: Option<String>,
    /// Duration in minutes.
    pub minutes: Option<u32>,
}
