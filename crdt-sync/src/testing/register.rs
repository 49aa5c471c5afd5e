//! A small register built by hand through the store's operations, shared by
//! the tests of the indicators and of the exports. Every number the tests
//! expect is worked out by hand from the comments here.
//!
//! Two labs; the period of interest is 2025-01-01 to 2026-01-31.
//!
//! | family | lab | members (birth year) | notes |
//! | --- | --- | --- | --- |
//! | F1 Rossi | 1 | Anna (1980), Luca (2008) | Luca: minor in 2025, 18 in 2026; pathway from 2025-01-15 |
//! | F2 Bianchi | 1 | Marco (1975), Sara (2015) | pathway 2024-06-01 to 2025-02-28 |
//! | F3 Bianchi | 1 | Marco (1975), Sara (2015) | a duplicate of F2, merged into it; pathway from 2025-06-01 |
//! | F4 Popescu | 2 | Ionuț (1990), Ana (2012) | pathway from 2026-02-01 (after the period) |
//! | F5 Kovač | 2 | Mirela (2010) | pathway from 2025-03-01; its document never reaches replica B |
//!
//! | meeting | lab | date | activity | present | guests |
//! | --- | --- | --- | --- | --- | --- |
//! | M0 | 2 | 2024-12-31 | open_lab | Ionuț | 5 (before the period) |
//! | M1 | 1 | 2025-01-31 | open_lab | Anna, Luca, Marco (F2) | 2 |
//! | M2 | 1 | 2025-02-01 | family_tutoring | Marco (F3), Sara (F3) | 0 |
//! | M3 | 1 | 2026-01-10 | open_lab | Luca | 1 |
//! | M4 | 2 | 2025-03-10 | parenting_support | Ionuț, Ana, Mirela | 3 |
//!
//! Staff: Olga (operator, lab 1), Piero (operator, lab 2), Vera and Walter
//! (volunteers, lab 1). Training, each at the default threshold of 80%:
//!
//! | session | date, time | present: minutes attended (completed?) |
//! | --- | --- | --- |
//! | T1 | 2025-01-10 09:00–11:00, 120 min | Olga, nothing recorded: 120 (yes); Piero, left 10:36: 96 (yes, 80%); Vera, 09:30–11:00: 90 (no, 75%) |
//! | T2 | 2025-03-05 14:00–15:30, 90 min | Olga, 13:45–15:40 clamped to the session: 90 (yes); Vera, nothing recorded: 90 (yes); Walter, 60 minutes recorded: 60 (no, 66%) |
//!
//! Person-minutes attended: T1 306, T2 240. Targets: families 5, labs 2,
//! operators 3, volunteers 4, trained at 3 hours (180 min) of completed
//! sessions: Olga (120 + 90 = 210) is trained from 2025-03-05; Vera has
//! 90 completed (her 90 minutes of T1 would have made 180 had incomplete
//! sessions counted, 210 when every attendee counted the whole session),
//! Piero 96, Walter none: never trained.

use crate::store::Families;
use crate::store::Meetings;
use crate::store::ProjectSettings;
use crate::store::Replication;
use crate::store::Staff;
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};

use crate::doc::DocRef;
use crate::domain::{
    ActivityType, AgeStatus, Area, Attendance, ConsentScope, Contacts, LegalBasis, NewConsent, NewGuardian,
    NewHousehold, NewLab, NewMeeting, NewMember, NewPathway, NewPerson, NewTraining, PathwayKind,
    PathwayPatch, PathwayStatus, PresenceRecord, Role, Targets,
};
use crate::ids::{HouseholdId, LabId, MeetingId, MemberId, PersonId};
use crate::selection::Period;
use crate::store::Store;
use crate::testing::d;

/// The period the tests look at.
pub fn period() -> Period {
    Period::new(d(2025, 1, 1), d(2026, 1, 31)).expect("period")
}

/// An in-memory store for device `device` of project 77.
pub fn store(device: u128) -> Store {
    super::store(device, 77, u32::try_from(device).expect("small") * 100 + 1..=99_999)
}

/// The ids of what [`build`] registered.
pub struct Fixture {
    /// Lab 1.
    pub lab1: LabId,
    /// Lab 2.
    pub lab2: LabId,
    /// F1 Rossi (lab 1).
    pub f1: HouseholdId,
    /// F2 Bianchi (lab 1).
    pub f2: HouseholdId,
    /// F3 Bianchi, the duplicate merged into F2.
    pub f3: HouseholdId,
    /// F4 Popescu (lab 2).
    pub f4: HouseholdId,
    /// F5 Kovač (lab 2).
    pub f5: HouseholdId,
    /// M1, lab 1, 2025-01-31.
    pub m1: MeetingId,
    /// M3, lab 1, 2026-01-10.
    pub m3: MeetingId,
    /// M4, lab 2, 2025-03-10.
    pub m4: MeetingId,
    /// Olga, Piero, Vera, Walter.
    pub staff: Vec<PersonId>,
}

/// The date of every family's legal basis record in the fixture.
pub fn consent_date() -> NaiveDate {
    d(2025, 1, 2)
}

/// A consent record collected by `by` on [`consent_date`]: the reference
/// person is the guardian when a member is a minor, or a named relative when
/// the reference person is a minor herself.
pub fn consent(by: PersonId, members: &[(&str, &str, u16)]) -> NewConsent {
    let minor = |y: u16| AgeStatus::of(Some(y), consent_date()) == AgeStatus::Minor;
    let guardian = match members.first() {
        Some((_, last, y)) if minor(*y) => Some(NewGuardian::Named { name: format!("Dragana {last}") }),
        _ if members.iter().any(|(_, _, y)| minor(*y)) => Some(NewGuardian::Member { index: 0 }),
        _ => None,
    };
    NewConsent {
        basis: LegalBasis::Consent,
        special: None,
        notice_version: "2025-01".into(),
        date: consent_date(),
        collected_by: by,
        guardian,
        scopes: BTreeSet::from([ConsentScope::Contact]),
    }
}

/// Registers a family in `lab` (its reference person first), with a
/// consent collected by `by`.
pub fn family(
    s: &mut Store,
    lab: LabId,
    members: &[(&str, &str, u16)],
    phone: &str,
    by: PersonId,
) -> HouseholdId {
    let m = |(first, last, year): &(&str, &str, u16)| NewMember {
        first_name: (*first).into(),
        last_name: (*last).into(),
        birth_year: Some(*year),
    };
    s.create_household(NewHousehold {
        lab,
        reference: m(&members[0]),
        others: members[1..].iter().map(m).collect(),
        contacts: Contacts {
            phone: phone.into(),
            email: format!("{}@example.it", members[0].1.to_lowercase()),
            address: "Via Folla di Sotto 3, Pavia".into(),
        },
        areas: BTreeSet::from([Area::Economic, Area::Social]),
        referral: None,
        consent: consent(by, members),
    })
    .expect("household")
}

fn member(s: &mut Store, h: HouseholdId, first: &str) -> Attendance {
    let m: MemberId =
        s.household(h).expect("household").members.iter().find(|m| m.first_name == first).expect("member").id;
    Attendance { household: h, member: m }
}

/// Records a meeting of `lab` from 16:00 to 18:00.
pub fn meeting(
    s: &mut Store,
    lab: LabId,
    date: NaiveDate,
    activity: &str,
    present: Vec<Attendance>,
    guests: u32,
    facilitators: &[PersonId],
) -> MeetingId {
    s.create_meeting(NewMeeting {
        lab,
        date,
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: activity.into(),
        theme: "Compiti e merenda".into(),
        facilitators: facilitators.iter().copied().collect(),
        attendance: present,
        guests,
        notes: "Nota riservata su Anna".into(),
    })
    .expect("meeting")
}

fn pathway(s: &mut Store, h: HouseholdId, start: NaiveDate, end: Option<NaiveDate>) {
    let id = s
        .add_pathway(
            h,
            NewPathway { kind: PathwayKind::FamilyTutoring, start, operator: None, notes: String::new() },
        )
        .expect("pathway");
    if let Some(end) = end {
        let patch =
            PathwayPatch { status: Some(PathwayStatus::Closed), end: Some(Some(end)), ..Default::default() };
        s.update_pathway(h, id, patch).expect("close pathway");
    }
}

/// Replica A, holding everything.
pub fn build() -> (Store, Fixture) {
    let mut s = store(1);
    for t in ActivityType::defaults() {
        s.put_activity_type(t).expect("activity type");
    }
    s.set_targets(Targets {
        families: 5,
        labs: 2,
        operators_trained: 3,
        volunteers_trained: 4,
        trained_hours: 3,
    })
    .expect("targets");
    let lab = |s: &mut Store, number: u8, name: &str| {
        s.create_lab(NewLab {
            number,
            name: name.into(),
            address: "Pavia".into(),
            partner: "Cooperativa Sociale".into(),
        })
        .expect("lab")
    };
    let lab1 = lab(&mut s, 1, "Laboratorio Crosione");
    let lab2 = lab(&mut s, 2, "Laboratorio Scala");
    let person = |s: &mut Store, lab: LabId, first: &str, last: &str, role: Role| {
        s.create_person(NewPerson {
            lab,
            first_name: first.into(),
            last_name: last.into(),
            role,
            organisation: "Caritas".into(),
            phone: "+39 0382 000000".into(),
            email: String::new(),
        })
        .expect("person")
    };
    let olga = person(&mut s, lab1, "Olga", "Ferri", Role::Operator);
    let piero = person(&mut s, lab2, "Piero", "Galli", Role::Operator);
    let vera = person(&mut s, lab1, "Vera", "Sala", Role::Volunteer);
    let walter = person(&mut s, lab1, "Walter", "Neri", Role::Volunteer);

    let f1 =
        family(&mut s, lab1, &[("Anna", "Rossi", 1980), ("Luca", "Rossi", 2008)], "+39 333 1111111", olga);
    let f2 = family(
        &mut s,
        lab1,
        &[("Marco", "Bianchi", 1975), ("Sara", "Bianchi", 2015)],
        "+39 333 2222222",
        olga,
    );
    let f3 = family(
        &mut s,
        lab1,
        &[("Marco", "Bianchi", 1975), ("Sara", "Bianchi", 2015)],
        "+39 333 3333333",
        vera,
    );
    let f4 = family(
        &mut s,
        lab2,
        &[("Ionuț", "Popescu", 1990), ("Ana", "Popescu", 2012)],
        "+39 333 4444444",
        piero,
    );
    let f5 = family(&mut s, lab2, &[("Mirela", "Kovač", 2010)], "+39 333 5555555", piero);

    pathway(&mut s, f1, d(2025, 1, 15), None);
    pathway(&mut s, f2, d(2024, 6, 1), Some(d(2025, 2, 28)));
    pathway(&mut s, f3, d(2025, 6, 1), None);
    pathway(&mut s, f4, d(2026, 2, 1), None);
    pathway(&mut s, f5, d(2025, 3, 1), None);

    let p = vec![member(&mut s, f4, "Ionuț")];
    meeting(&mut s, lab2, d(2024, 12, 31), "open_lab", p, 5, &[piero]);
    let p = vec![member(&mut s, f1, "Anna"), member(&mut s, f1, "Luca"), member(&mut s, f2, "Marco")];
    let m1 = meeting(&mut s, lab1, d(2025, 1, 31), "open_lab", p, 2, &[olga, vera]);
    let p = vec![member(&mut s, f3, "Marco"), member(&mut s, f3, "Sara")];
    meeting(&mut s, lab1, d(2025, 2, 1), "family_tutoring", p, 0, &[olga]);
    let p = vec![member(&mut s, f1, "Luca")];
    let m3 = meeting(&mut s, lab1, d(2026, 1, 10), "open_lab", p, 1, &[walter]);
    let p = vec![member(&mut s, f4, "Ionuț"), member(&mut s, f4, "Ana"), member(&mut s, f5, "Mirela")];
    let m4 = meeting(&mut s, lab2, d(2025, 3, 10), "parenting_support", p, 3, &[piero]);

    s.merge_households(f3, f2).expect("merge the duplicate");

    let training = |s: &mut Store, date, start: (u32, u32), minutes, who: &[PersonId]| {
        s.create_training(NewTraining {
            date,
            start: NaiveTime::from_hms_opt(start.0, start.1, 0),
            title: "Ascolto e accoglienza".into(),
            minutes,
            completion_percent: None,
            attendees: who.iter().copied().collect(),
        })
        .expect("training")
    };
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0);
    let presence = |s: &mut Store, t, p, record| s.record_training_presence(t, p, record).expect("presence");
    let t1 = training(&mut s, d(2025, 1, 10), (9, 0), 120, &[olga, piero, vera]);
    presence(&mut s, t1, piero, PresenceRecord { arrival: None, departure: at(10, 36), minutes: None });
    presence(&mut s, t1, vera, PresenceRecord { arrival: at(9, 30), departure: at(11, 0), minutes: None });
    let t2 = training(&mut s, d(2025, 3, 5), (14, 0), 90, &[olga, vera, walter]);
    presence(&mut s, t2, olga, PresenceRecord { arrival: at(13, 45), departure: at(15, 40), minutes: None });
    presence(&mut s, t2, walter, PresenceRecord { minutes: Some(60), ..PresenceRecord::default() });

    let f = Fixture { lab1, lab2, f1, f2, f3, f4, f5, m1, m3, m4, staff: vec![olga, piero, vera, walter] };
    (s, f)
}

/// Replica B: every document of A except F5's household document, as if F5
/// had been erased (or its document had not arrived yet). The lab document
/// still lists F5's code and its attendance.
pub fn replica_without_f5(a: &mut Store, f: &Fixture) -> Store {
    let mut b = store(2);
    for r in a.doc_refs().expect("doc refs") {
        if r == DocRef::household(f.f5) {
            continue;
        }
        let bytes = a.export_doc(r).expect("export");
        b.apply_bytes(r, &bytes).expect("apply");
    }
    b
}
