//! The indicators of the hand-built register in `crdt_sync::testing::register`. Every
//! expected number was counted by hand from the tables in that module's doc,
//! not computed by the code under test.

use std::collections::BTreeMap;

use super::{Counts, Goal, Indicators, compute};
use crdt_sync::testing::d;
use crdt_sync::testing::register::{self as fixture, Fixture};
use crdt_sync::{Families, Labs, Maintenance, Month, Period, ProjectSettings, Selection, Store};

fn on_b() -> (Store, Fixture) {
    let (mut a, f) = fixture::build();
    let b = fixture::replica_without_f5(&mut a, &f);
    (b, f)
}

fn month(ind: &[super::MonthCounts], y: i32, m: u32) -> &Counts {
    &ind.iter().find(|c| c.month == Month { year: y, month: m }).expect("month present").counts
}

fn activities(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn all(store: &Store) -> Indicators {
    compute(store, &Selection::all_labs(fixture::period())).expect("indicators")
}

#[test]
fn totals_of_every_indicator() {
    let (b, _) = on_b();
    let ind = all(&b);
    let expected = Counts {
        // F1, F2 (its duplicate F3 counts as F2), F4, F5 (no document here).
        families_reached: 4,
        // F1 (from 2025-01-15), F2 (until 2025-02-28, then F3's from June).
        // F4 starts after the period; F5's pathway went with its document.
        families_accompanied: 2,
        // Anna, Luca, Marco, Sara (F3's Marco and Sara are F2's), Ionuț, Ana, Mirela.
        members_reached: 7,
        // Luca (17 in 2025), Sara, Ana; Mirela's birth year is not here.
        minors_reached: 3,
        meetings: 4,
        meetings_by_activity: activities(&[
            ("family_tutoring", 1),
            ("open_lab", 2),
            ("parenting_support", 1),
        ]),
        // M1 2 + M3 1 (open lab), M2 0, M4 3.
        guests_by_activity: activities(&[("family_tutoring", 0), ("open_lab", 3), ("parenting_support", 3)]),
        // M1 3 + M3 1 (open lab), M2 2, M4 3: the 9 below.
        attendances_by_activity: activities(&[
            ("family_tutoring", 2),
            ("open_lab", 4),
            ("parenting_support", 3),
        ]),
        // 3 + 2 + 1 + 3; M0 is before the period.
        attendances: 9,
        guests: 6,
        active_labs: 2,
        // Olga: 120 + 90 minutes of completed sessions. Vera completed only
        // T2 (90): her 90 minutes of T1 (75%) do not count towards trained.
        operators_trained: 1,
        volunteers_trained: 0,
        // Minutes attended, completed or not. T1: Olga 120, Piero 96, Vera
        // 90 = 306; T2: Olga 90 (clamped), Vera 90, Walter 60 = 240.
        training_minutes: 546,
    };
    assert_eq!(ind.total, expected);
    assert_eq!(ind.targets.trained_hours, 3);
    let progress: Vec<(Goal, u32, u32)> =
        ind.progress().iter().map(|p| (p.goal, p.value, p.target)).collect();
    assert_eq!(
        progress,
        [
            (Goal::Families, 2, 5),
            (Goal::Labs, 2, 2),
            (Goal::OperatorsTrained, 1, 3),
            (Goal::VolunteersTrained, 0, 4)
        ]
    );
    assert!((ind.progress()[0].ratio() - 0.4).abs() < 1e-9);
}

#[test]
fn per_lab_totals() {
    let (b, f) = on_b();
    let ind = all(&b);
    assert_eq!(ind.labs.iter().map(|l| l.lab.number).collect::<Vec<_>>(), [1, 2]);
    let lab1 = &ind.lab(f.lab1).expect("lab 1").total;
    assert_eq!(
        (lab1.families_reached, lab1.families_accompanied, lab1.members_reached, lab1.minors_reached),
        (2, 2, 4, 2)
    );
    assert_eq!((lab1.meetings, lab1.attendances, lab1.guests, lab1.active_labs), (3, 6, 3, 1));
    // Olga trained; minutes of lab 1's staff: T1 Olga 120 + Vera 90, T2 90 + 90 + 60.
    assert_eq!((lab1.operators_trained, lab1.volunteers_trained, lab1.training_minutes), (1, 0, 450));
    let lab2 = &ind.lab(f.lab2).expect("lab 2").total;
    assert_eq!(
        (lab2.families_reached, lab2.families_accompanied, lab2.members_reached, lab2.minors_reached),
        (2, 0, 3, 1)
    );
    assert_eq!((lab2.meetings, lab2.attendances, lab2.guests, lab2.active_labs), (1, 3, 3, 1));
    // Piero left T1 at 10:36: 96 minutes.
    assert_eq!((lab2.operators_trained, lab2.volunteers_trained, lab2.training_minutes), (0, 0, 96));
    assert_eq!(lab2.meetings_by_activity, activities(&[("parenting_support", 1)]));
}

#[test]
fn month_by_month() {
    let (b, f) = on_b();
    let ind = all(&b);
    assert_eq!(ind.months.len(), 13);
    // The meeting of 31 January counts in January.
    let jan = month(&ind.months, 2025, 1);
    assert_eq!((jan.meetings, jan.families_reached, jan.members_reached, jan.minors_reached), (1, 2, 3, 1));
    assert_eq!((jan.attendances, jan.guests, jan.families_accompanied), (3, 2, 2));
    assert_eq!((jan.operators_trained, jan.volunteers_trained, jan.training_minutes), (0, 0, 306));
    let feb = month(&ind.months, 2025, 2);
    assert_eq!((feb.meetings, feb.families_reached, feb.members_reached, feb.minors_reached), (1, 1, 2, 1));
    assert_eq!(feb.families_accompanied, 2);
    let mar = month(&ind.months, 2025, 3);
    assert_eq!(
        (mar.families_reached, mar.members_reached, mar.minors_reached, mar.attendances),
        (2, 3, 1, 3)
    );
    // F2's pathway ended in February and F3's starts in June.
    assert_eq!(mar.families_accompanied, 1);
    assert_eq!((mar.operators_trained, mar.volunteers_trained, mar.training_minutes), (1, 0, 240));
    let jun = month(&ind.months, 2025, 6);
    assert_eq!((jun.meetings, jun.families_reached, jun.families_accompanied, jun.active_labs), (0, 0, 2, 0));
    // Luca, born in 2008, is 18 in 2026.
    let jan26 = month(&ind.months, 2026, 1);
    assert_eq!((jan26.families_reached, jan26.members_reached, jan26.minors_reached), (1, 1, 0));
    let lab1 = ind.lab(f.lab1).expect("lab 1");
    assert_eq!(month(&lab1.months, 2025, 1).minors_reached, 1);
    assert_eq!(month(&lab1.months, 2026, 1).minors_reached, 0);
    assert_eq!(month(&lab1.months, 2025, 3).meetings, 0);
    assert_eq!(month(&ind.lab(f.lab2).expect("lab 2").months, 2025, 3).active_labs, 1);
}

#[test]
fn a_member_who_turns_18_is_not_a_minor_in_a_2026_report() {
    let (b, f) = on_b();
    let sel = Selection::lab(f.lab1, Period::month(2026, 1).expect("month"));
    let ind = compute(&b, &sel).expect("indicators");
    assert_eq!((ind.total.members_reached, ind.total.minors_reached), (1, 0));
    let sel = Selection::lab(f.lab1, Period::new(d(2025, 1, 31), d(2025, 1, 31)).expect("one day"));
    let ind = compute(&b, &sel).expect("indicators");
    assert_eq!((ind.total.members_reached, ind.total.minors_reached), (3, 1));
}

#[test]
fn the_erased_family_counts_as_reached_on_b_and_fully_on_a() {
    let (mut a, f) = fixture::build();
    let b = fixture::replica_without_f5(&mut a, &f);
    assert_eq!(b.count_rows("households").expect("count"), 4);
    let (on_a, on_b) = (all(&a), all(&b));
    assert_eq!((on_a.total.families_reached, on_b.total.families_reached), (4, 4));
    assert_eq!((on_a.total.members_reached, on_b.total.members_reached), (7, 7));
    // Mirela (2010) is a minor only where her birth year is known.
    assert_eq!((on_a.total.minors_reached, on_b.total.minors_reached), (4, 3));
    assert_eq!((on_a.total.families_accompanied, on_b.total.families_accompanied), (3, 2));
}

#[test]
fn a_merged_family_counts_once_and_undoing_the_merge_counts_it_twice() {
    let (mut a, f) = fixture::build();
    let sel = Selection::lab(f.lab1, fixture::period());
    let merged = compute(&a, &sel).expect("indicators").total;
    assert_eq!((merged.families_reached, merged.members_reached), (2, 4));
    a.undo_merge(f.f3).expect("undo");
    let apart = compute(&a, &sel).expect("indicators").total;
    assert_eq!((apart.families_reached, apart.members_reached, apart.families_accompanied), (3, 5, 3));
}

#[test]
fn selections_are_checked() {
    let (b, _) = on_b();
    let bad = Selection {
        labs: Labs::Only([crdt_sync::LabId(uuid::Uuid::from_u128(999))].into()),
        period: fixture::period(),
    };
    assert!(matches!(
        compute(&b, &bad),
        Err(crate::Error::Register(crdt_sync::Error::NotFound { what: "lab", .. }))
    ));
    let backwards = Selection::all_labs(Period { from: d(2026, 1, 1), to: d(2025, 1, 1) });
    assert!(matches!(
        compute(&b, &backwards),
        Err(crate::Error::Register(crdt_sync::Error::Invalid { field: "period.to", .. }))
    ));
}

#[test]
fn an_empty_register_has_zero_everywhere() {
    let s = fixture::store(9);
    let ind = all(&s);
    assert_eq!(ind.total, Counts::default());
    assert!(ind.labs.is_empty());
    assert_eq!(ind.targets, crdt_sync::Targets::default());
}

#[test]
fn training_by_person_adds_the_completed_sessions_and_applies_the_threshold() {
    let (mut s, f) = crdt_sync::testing::register::build();
    let threshold_minutes = s.targets().expect("targets").trained_hours * 60;
    let people = super::training_by_person(&mut s).expect("people");
    let [olga, piero, vera, walter] = [0, 1, 2, 3].map(|i| f.staff[i]);
    // By hand (testing::register): counted (completed) minutes, attended
    // minutes, sessions, completed sessions.
    for (who, minutes, attended, sessions, completed) in
        [(olga, 210, 210, 2, 2), (piero, 96, 96, 1, 1), (vera, 90, 180, 2, 1), (walter, 0, 60, 1, 0)]
    {
        let p = people.iter().find(|p| p.person == who).expect("on the roster");
        assert_eq!(
            (p.minutes, p.attended_minutes, p.sessions, p.sessions_completed),
            (minutes, attended, sessions, completed),
            "{}",
            p.name
        );
        assert_eq!(p.trained, minutes >= threshold_minutes, "{}", p.name);
    }
    // Vera's 180 attended minutes reach the 3 hours; her completed ones do not.
    assert_eq!(threshold_minutes, 180);
    assert!(people.iter().filter(|p| p.trained).map(|p| p.person).eq([olga]));
    let mut names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    let sorted = {
        let mut n = names.clone();
        n.sort();
        n
    };
    assert_eq!(names, sorted);
    names.dedup();
    assert_eq!(names.len(), people.len());
}
