//! Who attended a training session, and for how long: the rule that says
//! who completed it.
//!
//! Social workers earn professional credits only for at least 80% of an
//! event's duration, with arrival and departure recorded. Each attendee of
//! a session may therefore carry an arrival and a departure time, or, when
//! only that is known, the minutes attended. From them:
//!
//! - **Minutes attended.** Arrival and departure are clamped to the session
//!   (its start and start + duration): arriving early or leaving late adds
//!   nothing. A missing arrival is the session's start, a missing departure
//!   its end. Times win over minutes; minutes alone count up to the
//!   session's length. An attendee with nothing recorded attended the whole
//!   session: that is what ticking someone present meant before times were
//!   kept, and still means.
//! - **Share**: minutes attended over the session's minutes, in whole
//!   percent, rounded down.
//! - **Completed**: minutes attended × 100 ≥ threshold × session minutes,
//!   in integers (a 120-minute session at 80% needs 96 minutes; 95 is not
//!   enough).

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::PersonId;

/// What was recorded of one attendee's presence; every field may be absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PresenceRecord {
    /// Arrival time (Pavia local), as signed on the sheet.
    pub arrival: Option<NaiveTime>,
    /// Departure time, as signed on the sheet.
    pub departure: Option<NaiveTime>,
    /// Minutes attended, when only that is known (ignored when a time is recorded).
    pub minutes: Option<u32>,
}

/// One attendee of a session: what was recorded and what it counts for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Attendee {
    /// The person.
    pub person: PersonId,
    /// What was recorded (nothing: the whole session).
    pub record: PresenceRecord,
    /// Minutes of the session attended, by the rule of this module.
    pub attended_minutes: u32,
    /// `attended_minutes` over the session's minutes, in whole percent (0–100).
    pub share_percent: u32,
    /// The share reaches the session's completion threshold.
    pub completed: bool,
}

/// The session an attendance is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSpan {
    /// Start, when known.
    pub start: Option<NaiveTime>,
    /// Length in minutes (at least 1).
    pub minutes: u32,
    /// Completion threshold in percent.
    pub completion_percent: u8,
}

fn minutes_of(t: NaiveTime) -> i64 {
    use chrono::Timelike;
    i64::from(t.num_seconds_from_midnight() / 60)
}

impl SessionSpan {
    /// Start and end in minutes from midnight, when the start is known.
    fn bounds(&self) -> Option<(i64, i64)> {
        let start = minutes_of(self.start?);
        Some((start, start + i64::from(self.minutes)))
    }

    /// Minutes of this session attended by someone with `record`.
    pub fn attended(&self, record: &PresenceRecord) -> u32 {
        let whole = self.minutes;
        let timed = record.arrival.is_some() || record.departure.is_some();
        let span = if timed {
            match (self.bounds(), record.arrival, record.departure) {
                (Some((start, end)), a, d) => {
                    let a = a.map_or(start, minutes_of).max(start);
                    let d = d.map_or(end, minutes_of).min(end);
                    d - a
                }
                // No start to place the times against (a document made
                // otherwise): their difference, or the whole session.
                (None, Some(a), Some(d)) => minutes_of(d) - minutes_of(a),
                (None, _, _) => i64::from(whole),
            }
        } else {
            record.minutes.map_or(i64::from(whole), i64::from)
        };
        u32::try_from(span.clamp(0, i64::from(whole))).unwrap_or(0)
    }

    /// `attended` minutes in whole percent of the session, rounded down.
    pub fn share_percent(&self, attended: u32) -> u32 {
        let share = u64::from(attended.min(self.minutes)) * 100 / u64::from(self.minutes.max(1));
        u32::try_from(share).unwrap_or(100)
    }

    /// Whether `attended` minutes complete the session.
    pub fn completes(&self, attended: u32) -> bool {
        u64::from(attended) * 100 >= u64::from(self.completion_percent) * u64::from(self.minutes)
    }

    /// The attendee `person` with `record`, measured.
    pub fn attendee(&self, person: PersonId, record: PresenceRecord) -> Attendee {
        let attended = self.attended(&record);
        Attendee {
            person,
            record,
            attended_minutes: attended,
            share_percent: self.share_percent(attended),
            completed: self.completes(attended),
        }
    }

    /// Refuses a record that cannot be right: times without the session's
    /// start, a departure not after the arrival, both times and minutes,
    /// more minutes than the session has.
    pub(crate) fn check(&self, record: &PresenceRecord) -> Result<()> {
        let timed = record.arrival.is_some() || record.departure.is_some();
        if timed && self.start.is_none() {
            return Err(Error::invalid(
                "training.start",
                "the session has no start time: record it before arrival and departure times",
            ));
        }
        if let (Some(a), Some(d)) = (record.arrival, record.departure)
            && d <= a
        {
            return Err(Error::invalid(
                "training.departure",
                format!("departure at {} is not after arrival at {}", d.format("%H:%M"), a.format("%H:%M")),
            ));
        }
        if timed && record.minutes.is_some() {
            return Err(Error::invalid(
                "training.attended_minutes",
                "give arrival and departure times, or the minutes attended, not both",
            ));
        }
        if let Some(m) = record.minutes
            && m > self.minutes
        {
            return Err(Error::invalid(
                "training.attended_minutes",
                format!("{m} minutes attended is more than the session's {} minutes", self.minutes),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    /// 09:00–11:00, 120 minutes, 80%.
    fn two_hours() -> SessionSpan {
        SessionSpan { start: Some(t(9, 0)), minutes: 120, completion_percent: 80 }
    }

    fn times(a: Option<NaiveTime>, d: Option<NaiveTime>) -> PresenceRecord {
        PresenceRecord { arrival: a, departure: d, minutes: None }
    }

    #[test]
    fn ninety_six_minutes_of_a_hundred_and_twenty_complete_at_eighty_percent_ninety_five_do_not() {
        let s = two_hours();
        // 96 × 100 = 9600 = 80 × 120: exactly the threshold.
        assert!(s.completes(96));
        assert!(!s.completes(95));
        assert_eq!((s.share_percent(96), s.share_percent(95)), (80, 79));
        // The same through times: 09:24–11:00 is 96 minutes, 09:25–11:00 is 95.
        let late = s.attendee(PersonId(uuid::Uuid::nil()), times(Some(t(9, 24)), None));
        assert_eq!((late.attended_minutes, late.share_percent, late.completed), (96, 80, true));
        let later = s.attendee(PersonId(uuid::Uuid::nil()), times(Some(t(9, 25)), None));
        assert_eq!((later.attended_minutes, later.share_percent, later.completed), (95, 79, false));
        // And through minutes alone.
        let m = |n| PresenceRecord { minutes: Some(n), ..PresenceRecord::default() };
        assert!(s.completes(s.attended(&m(96))));
        assert!(!s.completes(s.attended(&m(95))));
    }

    #[test]
    fn arriving_late_and_leaving_early_both_count() {
        let s = two_hours();
        // 09:10–10:45: 95 minutes.
        assert_eq!(s.attended(&times(Some(t(9, 10)), Some(t(10, 45)))), 95);
        // Leaving at 10:36 after arriving on time: 96.
        assert_eq!(s.attended(&times(None, Some(t(10, 36)))), 96);
        assert_eq!(s.attended(&times(Some(t(9, 0)), Some(t(10, 36)))), 96);
    }

    #[test]
    fn times_outside_the_session_are_clamped_to_it() {
        let s = two_hours();
        // Early arrival and late departure add nothing.
        assert_eq!(s.attended(&times(Some(t(8, 30)), Some(t(11, 45)))), 120);
        assert_eq!(s.attended(&times(Some(t(8, 30)), Some(t(10, 0)))), 60);
        assert_eq!(s.attended(&times(Some(t(10, 0)), Some(t(12, 0)))), 60);
        // Wholly outside: nothing.
        assert_eq!(s.attended(&times(Some(t(7, 0)), Some(t(8, 0)))), 0);
        assert_eq!(s.attended(&times(Some(t(11, 30)), None)), 0);
        // Minutes beyond the session count as the session.
        assert_eq!(s.attended(&PresenceRecord { minutes: Some(500), ..PresenceRecord::default() }), 120);
    }

    #[test]
    fn nothing_recorded_is_the_whole_session_and_times_win_over_minutes() {
        let s = two_hours();
        let whole = s.attendee(PersonId(uuid::Uuid::nil()), PresenceRecord::default());
        assert_eq!((whole.attended_minutes, whole.share_percent, whole.completed), (120, 100, true));
        // Both present (two replicas each recorded one): the times count.
        let both = PresenceRecord { arrival: Some(t(10, 0)), departure: None, minutes: Some(120) };
        assert_eq!(s.attended(&both), 60);
        // A session without a start: the difference of the times, at most the session.
        let no_start = SessionSpan { start: None, ..s };
        assert_eq!(no_start.attended(&times(Some(t(14, 0)), Some(t(15, 30)))), 90);
        assert_eq!(no_start.attended(&times(Some(t(14, 0)), Some(t(18, 0)))), 120);
        // A departure before the arrival (merged from two replicas) counts nothing.
        assert_eq!(s.attended(&times(Some(t(10, 30)), Some(t(10, 0)))), 0);
    }

    #[test]
    fn the_threshold_is_the_session_s_own() {
        let s = SessionSpan { completion_percent: 100, ..two_hours() };
        assert!(!s.completes(119) && s.completes(120));
        let s = SessionSpan { completion_percent: 50, ..two_hours() };
        assert!(s.completes(60) && !s.completes(59));
    }

    #[test]
    fn impossible_records_are_refused_with_the_field_and_why() {
        let s = two_hours();
        let err = |r: PresenceRecord, span: SessionSpan| match span.check(&r) {
            Err(Error::Invalid { field, reason }) => (field, reason),
            other => panic!("{r:?}: {other:?}"),
        };
        let (field, reason) = err(times(Some(t(10, 0)), Some(t(9, 30))), s);
        assert_eq!(field, "training.departure");
        assert!(reason.contains("09:30") && reason.contains("10:00"), "{reason}");
        assert_eq!(err(times(Some(t(10, 0)), Some(t(10, 0))), s).0, "training.departure");
        assert_eq!(err(times(Some(t(9, 5)), None), SessionSpan { start: None, ..s }).0, "training.start");
        let both = PresenceRecord { arrival: Some(t(9, 5)), departure: None, minutes: Some(30) };
        assert_eq!(err(both, s).0, "training.attended_minutes");
        let (field, reason) = err(PresenceRecord { minutes: Some(121), ..PresenceRecord::default() }, s);
        assert_eq!(field, "training.attended_minutes");
        assert!(reason.contains("121") && reason.contains("120"), "{reason}");
        // Accepted: times clamped later, minutes within the session, nothing.
        assert!(s.check(&times(Some(t(8, 0)), Some(t(12, 0)))).is_ok());
        assert!(s.check(&PresenceRecord { minutes: Some(120), ..PresenceRecord::default() }).is_ok());
        assert!(s.check(&PresenceRecord::default()).is_ok());
    }
}
