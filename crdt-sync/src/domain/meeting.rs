//! Lab meetings and who attended them.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::ids::{HouseholdId, LabId, MeetingId, MemberId, PersonId};

/// One member present at a meeting. Attendance is keyed by member, so two
/// volunteers ticking the same meeting offline merge to the union.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Attendance {
    /// The household the member belongs to.
    pub household: HouseholdId,
    /// The member.
    pub member: MemberId,
}

/// A meeting, as read from its lab document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Meeting {
    /// Id.
    pub id: MeetingId,
    /// The lab that held it.
    pub lab: LabId,
    /// Date (Pavia local).
    pub date: NaiveDate,
    /// Start time.
    pub start: NaiveTime,
    /// End time.
    pub end: NaiveTime,
    /// Activity type key (see the project's activity types).
    pub activity: String,
    /// Theme.
    pub theme: String,
    /// Staff who ran it.
    pub facilitators: BTreeSet<PersonId>,
    /// Who attended, ordered by member.
    pub attendance: Vec<Attendance>,
    /// People who came but did not register.
    pub guests: u32,
    /// Notes.
    pub notes: String,
}

/// Input for a new meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewMeeting {
    /// The lab.
    pub lab: LabId,
    /// Date.
    pub date: NaiveDate,
    /// Start time.
    pub start: NaiveTime,
    /// End time (after start).
    pub end: NaiveTime,
    /// Activity type key.
    pub activity: String,
    /// Theme.
    pub theme: String,
    /// Facilitators.
    pub facilitators: BTreeSet<PersonId>,
    /// Attendance recorded with the meeting.
    pub attendance: Vec<Attendance>,
    /// Guests.
    pub guests: u32,
    /// Notes.
    pub notes: String,
}

/// A change to a meeting's own fields; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MeetingPatch {
    /// Date.
    pub date: Option<NaiveDate>,
    /// Start time.
    pub start: Option<NaiveTime>,
    /// End time.
    pub end: Option<NaiveTime>,
    /// Activity type key.
    pub activity: Option<String>,
    /// Theme.
    pub theme: Option<String>,
    /// Facilitators (the whole new set).
    pub facilitators: Option<BTreeSet<PersonId>>,
    /// Guests.
    pub guests: Option<u32>,
    /// Notes (the whole new text; stored as a text diff).
    pub notes: Option<String>,
}
