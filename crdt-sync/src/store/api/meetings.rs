//! The lab meetings and who attended them.

use crate::error::Result;
use crate::{
    Attendance, FieldConflict, LabId, Meeting, MeetingId, MeetingPatch, MeetingSummary, MemberId, NewMeeting,
};
use chrono::NaiveDate;

/// The lab meetings and who attended them.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Meetings: super::Sealed {
    /// Records a meeting, with the attendance known so far.
    fn create_meeting(&mut self, m: NewMeeting) -> Result<MeetingId>;

    /// Edits a meeting's fields (only those set in the patch change).
    fn update_meeting(&mut self, id: MeetingId, patch: MeetingPatch) -> Result<()>;

    /// Ticks a member as present at a meeting.
    fn record_attendance(&mut self, meeting: MeetingId, a: Attendance) -> Result<()>;

    /// Unticks a member. Returns whether they had been ticked.
    fn remove_attendance(&mut self, meeting: MeetingId, member: MemberId) -> Result<bool>;

    /// Meetings of `lab` from `from` to `to` (both included), by date and time.
    fn meetings(&self, lab: LabId, from: NaiveDate, to: NaiveDate) -> Result<Vec<MeetingSummary>>;

    /// One meeting, read from its lab document.
    fn meeting(&mut self, id: MeetingId) -> Result<Meeting>;

    /// Fields of a meeting where two values were entered concurrently
    /// (paths relative to the meeting).
    fn meeting_conflicts(&mut self, id: MeetingId) -> Result<Vec<FieldConflict>>;
}
