//! The retention policy and its preview (issue 6): the preview lists exactly
//! the families due, and `erase_due` erases only those still due.

use crate::store::Erasure;
use crate::store::Families;
use crate::store::Meetings;
use crate::store::ProjectSettings;
use crate::store::Replication;
use crate::store::Retention;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use uuid::Uuid;

use super::{DeviceConfig, Store};
use crate::codes::CodeRange;
use crate::doc::DocRef;
use crate::domain::{
    ActivityType, Attendance, Contacts, ErasureReason, NewHousehold, NewLab, NewMeeting, NewMember,
    NewPathway, PathwayKind, PathwayPatch, RetentionPolicy,
};
use crate::env::{Environment, SeededEnv};
use crate::error::Error;
use crate::ids::{DeviceId, HouseholdId, LabId, ProjectId};
use crate::testing::d;

/// A clock the test moves while the store holds it.
#[derive(Clone)]
struct Clock(Arc<Mutex<SeededEnv>>);

impl Clock {
    fn set(&self, day: NaiveDate) {
        let t = Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()));
        if let Ok(mut env) = self.0.lock() {
            env.set_now(t);
        }
    }
}

impl Environment for Clock {
    fn now(&mut self) -> DateTime<Utc> {
        self.0.lock().map(|mut e| e.now()).unwrap_or_default()
    }
    fn new_uuid(&mut self) -> Uuid {
        self.0.lock().map(|mut e| e.new_uuid()).unwrap_or_default()
    }
}

/// A store whose clock starts on `start` (09:00 UTC), and its clock.
fn store_at(start: NaiveDate) -> (Store, Clock) {
    let t = Utc.from_utc_datetime(&start.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()));
    let clock = Clock(Arc::new(Mutex::new(SeededEnv::new(7, t))));
    let config = DeviceConfig {
        device: DeviceId(Uuid::from_u128(1)),
        project: ProjectId(Uuid::from_u128(1)),
        codes: CodeRange::new(1, 9999).expect("range"),
    };
    (Store::in_memory(config, Box::new(clock.clone())).expect("store"), clock)
}

fn lab(s: &mut Store) -> LabId {
    for t in ActivityType::defaults() {
        s.put_activity_type(t).expect("activity");
    }
    s.create_lab(NewLab { number: 3, name: "Scala".into(), address: String::new(), partner: String::new() })
        .expect("lab")
}

fn register(s: &mut Store, lab: LabId) -> HouseholdId {
    let today = s.today();
    s.create_household(NewHousehold {
        lab,
        reference: NewMember { first_name: "Ada".into(), last_name: "Rossi".into(), birth_year: Some(1980) },
        others: Vec::new(),
        contacts: Contacts::default(),
        areas: BTreeSet::new(),
        referral: None,
        // Given on the day of registration: no activity of its own.
        consent: crate::domain::NewConsent::given(
            today,
            "2026-01",
            crate::ids::PersonId(uuid::Uuid::from_u128(0xC0)),
        ),
    })
    .expect("household")
}

fn attend(s: &mut Store, lab: LabId, h: HouseholdId, date: NaiveDate) {
    let member = s.household(h).expect("household").members[0].id;
    s.create_meeting(NewMeeting {
        lab,
        date,
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: String::new(),
        facilitators: BTreeSet::new(),
        attendance: vec![Attendance { household: h, member }],
        guests: 0,
        notes: String::new(),
    })
    .expect("meeting");
}

fn due(s: &mut Store, today: NaiveDate) -> Vec<HouseholdId> {
    s.retention_due(today).expect("preview").into_iter().map(|d| d.household).collect()
}

/// The register of the boundary cases, with a five-year policy.
struct Register {
    s: Store,
    /// Registered on 2015-01-10, nothing since.
    idle: HouseholdId,
    /// Registered 2015-01-10, attended a meeting on 2017-06-01.
    attended: HouseholdId,
    /// Registered 2015-01-10, pathway from then to 2018-03-01.
    pathway: HouseholdId,
    /// Registered 2019-12-01.
    recent: HouseholdId,
    /// Registered 2015-01-10, erased in 2019.
    erased: HouseholdId,
    /// Registered 2015-01-10; `loser` (registered 2016-05-01, attended
    /// 2016-05-02) was merged into it, confirmed.
    winner: HouseholdId,
    loser: HouseholdId,
}

fn register_of_cases() -> Register {
    let (mut s, clock) = store_at(d(2015, 1, 10));
    let l = lab(&mut s);
    let idle = register(&mut s, l);
    let attended = register(&mut s, l);
    let pathway = register(&mut s, l);
    let erased = register(&mut s, l);
    let winner = register(&mut s, l);
    let p = s
        .add_pathway(
            pathway,
            NewPathway {
                kind: PathwayKind::FamilyTutoring,
                start: d(2015, 1, 10),
                operator: None,
                notes: String::new(),
            },
        )
        .expect("pathway");
    clock.set(d(2016, 5, 1));
    let loser = register(&mut s, l);
    clock.set(d(2016, 5, 2));
    attend(&mut s, l, loser, d(2016, 5, 2));
    s.merge_households(loser, winner).expect("merge");
    s.confirm_merge(loser).expect("confirm");
    clock.set(d(2017, 6, 1));
    attend(&mut s, l, attended, d(2017, 6, 1));
    clock.set(d(2018, 3, 1));
    s.update_pathway(pathway, p, PathwayPatch { end: Some(Some(d(2018, 3, 1))), ..Default::default() })
        .expect("end");
    clock.set(d(2019, 2, 1));
    s.erase_household(erased, ErasureReason::Request, None).expect("erase");
    clock.set(d(2019, 12, 1));
    let recent = register(&mut s, l);
    Register { s, idle, attended, pathway, recent, erased, winner, loser }
}

#[test]
fn the_retention_preview_lists_exactly_the_families_due() {
    let mut r = register_of_cases();
    assert_eq!(r.s.retention_policy().expect("policy"), RetentionPolicy::default());
    // One day short of five years: nobody.
    assert_eq!(due(&mut r.s, d(2020, 1, 9)), Vec::<HouseholdId>::new());
    // Exactly five years after the registration: only the idle family (the
    // erased one is never listed).
    assert_eq!(due(&mut r.s, d(2020, 1, 10)), vec![r.idle]);
    let entry = &r.s.retention_due(d(2020, 1, 10)).expect("preview")[0];
    assert_eq!((entry.last_activity, entry.years_inactive), (d(2015, 1, 10), 5));
    assert!(entry.merged.is_empty() && !entry.unconfirmed_merge);
    // The merged pair follows the loser's attendance (2016-05-02).
    assert!(!due(&mut r.s, d(2021, 5, 1)).contains(&r.winner));
    let at = due(&mut r.s, d(2021, 5, 2));
    assert!(at.contains(&r.winner) && !at.contains(&r.loser), "the loser is listed under its winner");
    let w = r.s.retention_due(d(2021, 5, 2)).expect("preview");
    let w = w.iter().find(|e| e.household == r.winner).expect("winner");
    let loser_code = r.s.household(r.loser).expect("loser").code;
    assert_eq!((w.last_activity, w.merged.clone()), (d(2016, 5, 2), vec![loser_code]));
    // Attendance only: five years after the meeting, not before.
    assert!(!due(&mut r.s, d(2022, 5, 31)).contains(&r.attended));
    assert!(due(&mut r.s, d(2022, 6, 1)).contains(&r.attended));
    // A pathway's end counts.
    assert!(!due(&mut r.s, d(2023, 2, 28)).contains(&r.pathway));
    let mut all = due(&mut r.s, d(2023, 3, 1));
    all.sort();
    let mut expected = vec![r.idle, r.attended, r.pathway, r.winner];
    expected.sort();
    assert_eq!(all, expected, "recently registered and erased families are not due");
    // The recent family five years on.
    assert!(!due(&mut r.s, d(2024, 11, 30)).contains(&r.recent));
    assert!(due(&mut r.s, d(2024, 12, 1)).contains(&r.recent));
    assert!(!due(&mut r.s, d(2040, 1, 1)).contains(&r.erased));
}

#[test]
fn a_shorter_policy_brings_families_forward_and_is_validated() {
    let mut r = register_of_cases();
    let p = RetentionPolicy { inactive_years: 2, stale_device_days: 14, volunteer_years: 3 };
    r.s.set_retention_policy(p).expect("policy");
    assert_eq!(r.s.retention_policy().expect("policy"), p);
    assert!(due(&mut r.s, d(2017, 1, 10)).contains(&r.idle));
    for bad in [
        RetentionPolicy { inactive_years: 0, stale_device_days: 30, volunteer_years: 5 },
        RetentionPolicy { inactive_years: 101, stale_device_days: 30, volunteer_years: 5 },
        RetentionPolicy { inactive_years: 5, stale_device_days: 30, volunteer_years: 0 },
        RetentionPolicy { inactive_years: 5, stale_device_days: 0, volunteer_years: 5 },
    ] {
        assert!(matches!(r.s.set_retention_policy(bad), Err(Error::Invalid { .. })), "{bad:?}");
    }
    // The policy travels with the project document.
    let (mut other, _) = store_at(d(2015, 1, 10));
    let bytes = r.s.export_doc(DocRef::project(r.s.project())).expect("export");
    other.apply_bytes(DocRef::project(other.project()), &bytes).expect("apply");
    assert_eq!(other.retention_policy().expect("policy"), p);
}

#[test]
fn erase_due_erases_only_families_still_due() {
    let mut r = register_of_cases();
    let today = d(2021, 5, 2);
    // A family not due makes the whole confirmation fail: nothing erased.
    let err = r.s.erase_due(today, &[r.idle, r.recent], None).expect_err("recent is not due");
    assert!(matches!(err, Error::NotDue { household, .. } if household == r.recent), "{err}");
    assert!(r.s.household(r.idle).is_ok(), "nothing was erased");
    // The loser is not due on its own: it goes with its winner.
    assert!(matches!(r.s.erase_due(today, &[r.loser], None), Err(Error::NotDue { .. })));
    let t = r.s.erase_due(today, &[r.idle, r.winner, r.idle], None).expect("erase");
    let erased: BTreeSet<HouseholdId> = t.iter().map(|t| t.household).collect();
    assert_eq!(erased, [r.idle, r.winner, r.loser].into_iter().collect());
    assert!(t.iter().all(|t| t.reason == ErasureReason::Retention));
    for h in [r.idle, r.winner, r.loser] {
        assert!(matches!(r.s.household(h), Err(Error::Erased { .. })));
    }
    assert_eq!(due(&mut r.s, today), Vec::<HouseholdId>::new());
    // Erased families are not due any more either.
    assert!(matches!(r.s.erase_due(today, &[r.idle], None), Err(Error::NotDue { .. })));
}

#[test]
fn an_unconfirmed_merge_is_flagged_and_blocks_the_erasure() {
    let (mut s, clock) = store_at(d(2015, 1, 10));
    let l = lab(&mut s);
    let w = register(&mut s, l);
    let x = register(&mut s, l);
    s.merge_households(x, w).expect("merge");
    clock.set(d(2016, 1, 1));
    let today = d(2020, 1, 10);
    let preview = s.retention_due(today).expect("preview");
    assert_eq!(preview.len(), 1);
    assert!(preview[0].unconfirmed_merge);
    assert!(matches!(s.erase_due(today, &[w], None), Err(Error::Merge(_))));
    assert!(s.household(w).is_ok());
}
