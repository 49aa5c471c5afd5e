//! The training register.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::training_presence::{Attendee, SessionSpan};
use crate::ids::{PersonId, TrainingId};

/// The share of a session (percent) that completes it when the session
/// names none: social workers' professional credits need at least 80% of
/// an event's duration.
pub const DEFAULT_COMPLETION_PERCENT: u8 = 80;

/// A training session, as read from the training document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TrainingSession {
    /// Id.
    pub id: TrainingId,
    /// Date.
    pub date: NaiveDate,
    /// Start time (Pavia local), when recorded: arrival and departure are
    /// placed against it. Sessions recorded before issue 15 have none.
    pub start: Option<NaiveTime>,
    /// Title.
    pub title: String,
    /// Duration in minutes.
    pub minutes: u32,
    /// The share of the session, in percent (1–100), an attendee must
    /// attend to have completed it ([`DEFAULT_COMPLETION_PERCENT`] unless set).
    pub completion_percent: u8,
    /// Who attended, by person id, with the minutes each attended.
    pub attendees: Vec<Attendee>,
}

impl TrainingSession {
    /// The ids of those who attended.
    pub fn attendee_ids(&self) -> BTreeSet<PersonId> {
        self.attendees.iter().map(|a| a.person).collect()
    }

    /// One attendee, if the person attended.
    pub fn attendee(&self, person: PersonId) -> Option<&Attendee> {
        self.attendees.iter().find(|a| a.person == person)
    }

    /// What attendance is measured against: start, length, threshold.
    pub fn span(&self) -> SessionSpan {
        SessionSpan { start: self.start, minutes: self.minutes, completion_percent: self.completion_percent }
    }

    /// The session's end, when its start is known.
    pub fn end(&self) -> Option<NaiveTime> {
        let start = self.start?;
        let (end, wrapped) = start.overflowing_add_signed(chrono::Duration::minutes(i64::from(self.minutes)));
        (wrapped == 0).then_some(end)
    }
}

/// Input for a new training session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewTraining {
    /// Date.
    pub date: NaiveDate,
    /// Start time, if known (the session must then end the same day).
    #[serde(default)]
    pub start: Option<NaiveTime>,
    /// Title.
    pub title: String,
    /// Duration in minutes (1 to 24 hours).
    pub minutes: u32,
    /// The completion threshold in percent (1–100); `None` is
    /// [`DEFAULT_COMPLETION_PERCENT`].
    #[serde(default)]
    pub completion_percent: Option<u8>,
    /// Attendees (present for the whole session until times are recorded).
    pub attendees: BTreeSet<PersonId>,
}

/// A change to a training session; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TrainingPatch {
    /// Date.
    pub date: Option<NaiveDate>,
    /// Start time.
    #[serde(default)]
    pub start: Option<NaiveTime>,
    /// Title.
    pub title: Option<String>,
    /// Duration in minutes.
    pub minutes: Option<u32>,
    /// The completion threshold in percent (1–100).
    #[serde(default)]
    pub completion_percent: Option<u8>,
}
