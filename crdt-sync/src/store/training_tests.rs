//! Training attendance that counts (issue 15): times recorded per
//! attendee, refused when impossible, merged per field between replicas,
//! read from documents written before times were kept, and projected.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT};
use chrono::NaiveTime;

use super::Store;
use crate::doc::{DocRef, map_at};
use crate::domain::{NewPerson, NewTraining, PresenceRecord, Role, TrainingPatch};
use crate::error::Error;
use crate::ids::{PersonId, TrainingId};
use crate::store::{Maintenance, Staff};
use crate::testing::d;
use crate::testing::one_family::{copy_all, lab, store};

fn at(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

fn person(s: &mut Store, first: &str) -> PersonId {
    let l = lab(s, 1);
    s.create_person(NewPerson {
        lab: l,
        first_name: first.into(),
        last_name: "Colombo".into(),
        role: Role::Volunteer,
        organisation: "Auser".into(),
        phone: String::new(),
        email: String::new(),
    })
    .expect("person")
}

/// 2026-09-01 09:00, 120 minutes, at the default 80%.
fn session(s: &mut Store, who: &[PersonId]) -> TrainingId {
    s.create_training(NewTraining {
        date: d(2026, 9, 1),
        start: at(9, 0),
        title: "Ascolto attivo".into(),
        minutes: 120,
        completion_percent: None,
        attendees: who.iter().copied().collect(),
    })
    .expect("training")
}

fn times(arrival: Option<NaiveTime>, departure: Option<NaiveTime>) -> PresenceRecord {
    PresenceRecord { arrival, departure, minutes: None }
}

/// (minutes attended, share, completed) of `p` at the first session.
fn counted(s: &mut Store, p: PersonId) -> (u32, u32, bool) {
    let t = s.trainings().expect("trainings").remove(0);
    let a = t.attendee(p).expect("present").clone();
    (a.attended_minutes, a.share_percent, a.completed)
}

#[test]
fn recorded_times_count_clamped_to_the_session_and_are_projected() {
    let mut s = store(1);
    let marta = person(&mut s, "Marta");
    let t = session(&mut s, &[marta]);
    assert_eq!(s.trainings().expect("t")[0].completion_percent, 80);
    // Nothing recorded: the whole session.
    assert_eq!(counted(&mut s, marta), (120, 100, true));
    s.record_training_presence(t, marta, times(at(9, 24), at(11, 0))).expect("96 minutes");
    assert_eq!(counted(&mut s, marta), (96, 80, true));
    s.record_training_presence(t, marta, times(at(9, 25), at(11, 0))).expect("95 minutes");
    assert_eq!(counted(&mut s, marta), (95, 79, false));
    // Early and late: clamped to 09:00–11:00; the times stay as written.
    s.record_training_presence(t, marta, times(at(8, 40), at(11, 30))).expect("clamped");
    assert_eq!(counted(&mut s, marta), (120, 100, true));
    assert_eq!(s.trainings().expect("t")[0].attendees[0].record, times(at(8, 40), at(11, 30)));
    // Minutes alone, once the times are cleared.
    let minutes = PresenceRecord { minutes: Some(100), ..PresenceRecord::default() };
    s.record_training_presence(t, marta, minutes).expect("minutes");
    assert_eq!(counted(&mut s, marta), (100, 83, true));
    assert_eq!(s.trainings().expect("t")[0].attendees[0].record, minutes);
    // The projection holds the counted minutes and the verdict, like a rebuild.
    let row: (i64, bool) = s
        .conn
        .query_row("SELECT minutes, completed FROM training_attendance", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("row");
    assert_eq!(row, (100, true));
    let start: (Option<String>, i64) = s
        .conn
        .query_row("SELECT start, completion FROM trainings", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("row");
    assert_eq!(start, (Some("09:00".into()), 80));
    let incremental = s.projection_dump().expect("dump");
    s.rebuild_projection().expect("rebuild");
    assert_eq!(incremental, s.projection_dump().expect("dump"));
    // A threshold of its own: at 90%, 100 of 120 minutes is not enough.
    let p = TrainingPatch { completion_percent: Some(90), ..TrainingPatch::default() };
    s.update_training(t, p).expect("threshold");
    assert_eq!(counted(&mut s, marta), (100, 83, false));
    let completed: bool =
        s.conn.query_row("SELECT completed FROM training_attendance", [], |r| r.get(0)).expect("row");
    assert!(!completed, "the projection follows the session's threshold");
}

#[test]
fn impossible_attendance_is_refused_and_nothing_changes() {
    let mut s = store(1);
    let marta = person(&mut s, "Marta");
    let t = session(&mut s, &[marta]);
    s.record_training_presence(t, marta, times(at(9, 10), at(10, 50))).expect("first");
    let before = s.projection_dump().expect("dump");
    let invalid = |r: crate::error::Result<()>| match r {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("{other:?}"),
    };
    let (field, reason) = invalid(s.record_training_presence(t, marta, times(at(10, 0), at(9, 30))));
    assert_eq!(field, "training.departure");
    assert_eq!(reason, "departure at 09:30 is not after arrival at 10:00");
    let too_long = PresenceRecord { minutes: Some(121), ..PresenceRecord::default() };
    assert_eq!(invalid(s.record_training_presence(t, marta, too_long)).0, "training.attended_minutes");
    // A session without a start: times cannot be placed.
    let no_start = s
        .create_training(NewTraining {
            date: d(2026, 9, 2),
            start: None,
            title: "Senza orario".into(),
            minutes: 60,
            completion_percent: Some(50),
            attendees: BTreeSet::from([marta]),
        })
        .expect("session");
    assert_eq!(
        invalid(s.record_training_presence(no_start, marta, times(at(9, 0), None))).0,
        "training.start"
    );
    // The thresholds and the day's end are checked too.
    let bad = TrainingPatch { completion_percent: Some(0), ..TrainingPatch::default() };
    assert_eq!(invalid(s.update_training(t, bad)).0, "training.completion_percent");
    let late = TrainingPatch { start: at(23, 0), ..TrainingPatch::default() };
    assert_eq!(invalid(s.update_training(t, late)).0, "training.minutes");
    // Someone unknown, a session unknown.
    let nobody = PersonId(uuid::Uuid::from_u128(77));
    assert!(s.record_training_presence(t, nobody, PresenceRecord::default()).is_err());
    let missing = TrainingId(uuid::Uuid::from_u128(78));
    assert!(matches!(
        s.record_training_presence(missing, marta, PresenceRecord::default()),
        Err(Error::NotFound { .. })
    ));
    // Only the new session's rows were added; Marta's times at the first stand.
    assert_eq!(counted(&mut s, marta), (100, 83, true));
    let after = s.projection_dump().expect("dump");
    assert_eq!(before.iter().filter(|r| !after.contains(r)).count(), 0, "nothing stored was lost");
}

#[test]
fn recording_times_marks_someone_present_and_untick_removes_them() {
    let mut s = store(1);
    let marta = person(&mut s, "Marta");
    let t = session(&mut s, &[]);
    s.record_training_presence(t, marta, times(at(9, 0), at(10, 0))).expect("times");
    assert_eq!(counted(&mut s, marta), (60, 50, false));
    // Ticking someone already present keeps their times.
    s.set_training_attendance(t, marta, true).expect("tick");
    assert_eq!(counted(&mut s, marta), (60, 50, false));
    s.set_training_attendance(t, marta, false).expect("untick");
    assert!(s.trainings().expect("t")[0].attendees.is_empty());
    assert_eq!(s.count_rows("training_attendance").expect("rows"), 0);
}

#[test]
fn two_replicas_recording_one_attendee_merge_per_field() {
    let mut a = store(1);
    let marta = person(&mut a, "Marta");
    let t = session(&mut a, &[marta]);
    let mut b = store(2);
    copy_all(&mut a, &mut b);
    // Offline, A records the arrival and B the departure.
    a.record_training_presence(t, marta, times(at(9, 15), None)).expect("A");
    b.record_training_presence(t, marta, times(None, at(10, 45))).expect("B");
    copy_all(&mut a, &mut b);
    copy_all(&mut b, &mut a);
    for s in [&mut a, &mut b] {
        assert_eq!(s.trainings().expect("t")[0].attendees[0].record, times(at(9, 15), at(10, 45)));
        assert_eq!(counted(s, marta), (90, 75, false));
    }
    // Both correct the arrival at once: one value wins, the same on both.
    a.record_training_presence(t, marta, times(at(9, 5), at(10, 45))).expect("A");
    b.record_training_presence(t, marta, times(at(9, 20), at(10, 45))).expect("B");
    copy_all(&mut a, &mut b);
    copy_all(&mut b, &mut a);
    let (ra, rb) = (a.trainings().expect("a")[0].clone(), b.trainings().expect("b")[0].clone());
    assert_eq!(ra, rb, "the replicas agree");
    assert!([at(9, 5), at(9, 20)].contains(&ra.attendees[0].record.arrival), "{ra:?}");
    assert_eq!(ra.attendees[0].record.departure, at(10, 45), "the departure is untouched");
    assert_eq!(a.projection_dump().expect("a"), b.projection_dump().expect("b"));
}

/// Writes `person` as the attendee of a session made before issue 15: the
/// value `true`, no start, no threshold.
fn old_session(s: &mut Store, person: PersonId) -> TrainingId {
    let id = TrainingId(uuid::Uuid::from_u128(0x0170_0000_0000_7000_8000_0000_0000_0001));
    let r = DocRef::training(s.project);
    let (_, p) = s
        .edit(r, false, |tx| {
            let sessions = map_at(tx, &ROOT, "sessions").expect("sessions");
            let m = tx.put_object(&sessions, id.to_string().as_str(), ObjType::Map)?;
            tx.put(&m, "date", "2026-06-01")?;
            tx.put(&m, "title", "Prima del numero 15")?;
            tx.put(&m, "minutes", 90_u64)?;
            let set = tx.put_object(&m, "attendees", ObjType::Map)?;
            tx.put(&set, person.to_string().as_str(), true)?;
            Ok(())
        })
        .expect("old layout");
    s.commit(p.into_iter().collect()).expect("commit");
    id
}

#[test]
fn an_attendee_of_an_old_session_attended_all_of_it_and_may_get_times_on_both_replicas() {
    let mut a = store(1);
    let marta = person(&mut a, "Marta");
    let t = old_session(&mut a, marta);
    let read = a.trainings().expect("t").remove(0);
    assert_eq!((read.start, read.completion_percent), (None, 80));
    assert_eq!(counted(&mut a, marta), (90, 100, true), "present for the whole session, as recorded then");
    let mut b = store(2);
    copy_all(&mut a, &mut b);
    // Both set the start and record a time at once: the `true` becomes a
    // map on each replica, two maps at one key; reading merges them.
    let start = TrainingPatch { start: at(14, 0), ..TrainingPatch::default() };
    a.update_training(t, start.clone()).expect("start A");
    b.update_training(t, start).expect("start B");
    a.record_training_presence(t, marta, times(at(14, 10), None)).expect("A");
    b.record_training_presence(t, marta, times(None, at(15, 0))).expect("B");
    copy_all(&mut a, &mut b);
    copy_all(&mut b, &mut a);
    for s in [&mut a, &mut b] {
        assert_eq!(s.trainings().expect("t")[0].attendees[0].record, times(at(14, 10), at(15, 0)));
        assert_eq!(counted(s, marta), (50, 55, false));
    }
    // The next record writes one map again, with the whole record.
    a.record_training_presence(t, marta, times(at(14, 0), at(15, 0))).expect("resolve");
    copy_all(&mut a, &mut b);
    assert_eq!(counted(&mut b, marta), (60, 66, false));
}
