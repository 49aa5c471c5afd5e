//! The small register every frozen fixture is made from, built through the
//! public API with a seeded environment: the same seed gives the same ids,
//! times and automerge actors on every run, so today's code can remake the
//! committed fixtures and compare.
//!
//! One lab (3, "Laboratorio Crosione"), an operator (Olga Ferri), two
//! families: the Rossi (Anna 1980, Luca 2012, a minor whose guardian is
//! Anna; a closed pathway; consent to contact; a withdrawal of photos) and
//! the Bianchi, erased on request, so the lab document carries a tombstone.
//! One meeting (2026-10-15, Anna and Luca present, two guests, notes), one
//! training session (2026-09-20 09:30, 90 minutes, completed at 75%; Olga,
//! signed in 09:40 and out 11:00), the default activity types and the
//! targets, and one area of the nomenclature (`A1`, mapped from the open
//! lab).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::{
    ActivityType, Area, Attendance, CodeRange, ConsentScope, Consents, Contacts, DeviceConfig, DeviceId,
    DocRef, Erasure, ErasureReason, Families, HouseholdId, LabId, LegalBasis, Meetings, NewConsent,
    NewGuardian, NewHousehold, NewLab, NewMeeting, NewMember, NewPathway, NewPerson, NewTraining,
    PathwayKind, PathwayPatch, PathwayStatus, PersonId, PresenceRecord, ProjectId, ProjectSettings,
    ReferralSource, Role, SeededEnv, Staff, Store, Targets, WithdrawnScopes,
};
use uuid::Uuid;

/// The seed of the environment the fixtures are made with.
pub const SEED: u64 = 2016;

/// The project of the fixtures.
pub fn project() -> ProjectId {
    ProjectId(Uuid::from_u128(0x7acc_0000_0000_0000_0000_0000_0000_0001))
}

/// The device that made them.
pub fn config() -> DeviceConfig {
    DeviceConfig {
        device: DeviceId(Uuid::from_u128(0x7acc_0000_0000_0000_0000_0000_0000_00d1)),
        project: project(),
        codes: CodeRange::new(301, 399).expect("range"),
    }
}

/// A date.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// The environment of the fixtures (starts on 2026-11-02 09:00 in Pavia).
pub fn env() -> Box<SeededEnv> {
    Box::new(SeededEnv::with_seed(SEED))
}

/// The ids of what [`fill`] made.
#[derive(Clone, Copy, Debug)]
pub struct Made {
    /// Lab 3.
    pub lab: LabId,
    /// Olga Ferri, operator.
    pub olga: PersonId,
    /// The Rossi family.
    pub rossi: HouseholdId,
}

impl Made {
    /// One document of each kind, in the order a replica applies them.
    pub fn docs(&self) -> [(&'static str, DocRef); 5] {
        [
            ("project", DocRef::project(project())),
            ("training", DocRef::training(project())),
            ("lab", DocRef::lab(self.lab)),
            ("person", DocRef::person(self.olga)),
            ("household", DocRef::household(self.rossi)),
        ]
    }
}

/// A fresh in-memory store of the fixtures' device.
pub fn store() -> Store {
    Store::in_memory(config(), env()).expect("in-memory store")
}

/// Writes the register into `s`, a fresh store made with [`config`] and [`env`].
pub fn fill(s: &mut Store) -> Made {
    for t in ActivityType::defaults() {
        s.put_activity_type(t).expect("activity type");
    }
    s.set_targets(Targets {
        families: 40,
        labs: 1,
        operators_trained: 2,
        volunteers_trained: 6,
        trained_hours: 3,
    })
    .expect("targets");
    let lab = s
        .create_lab(NewLab {
            number: 3,
            name: "Laboratorio Crosione".into(),
            address: "Via Acerbi 21, Pavia".into(),
            partner: "Coop. Il Convoglio".into(),
        })
        .expect("lab");
    let olga = s
        .create_person(NewPerson {
            lab,
            first_name: "Olga".into(),
            last_name: "Ferri".into(),
            role: Role::Operator,
            organisation: "Caritas".into(),
            phone: "+39 0382 000000".into(),
            email: "olga@example.it".into(),
        })
        .expect("person");
    let member = |first: &str, last: &str, year| NewMember {
        first_name: first.into(),
        last_name: last.into(),
        birth_year: Some(year),
    };
    let rossi = s
        .create_household(NewHousehold {
            lab,
            reference: member("Anna", "Rossi", 1980),
            others: vec![member("Luca", "Rossi", 2012)],
            contacts: Contacts {
                phone: "+39 333 1111111".into(),
                email: "rossi@example.it".into(),
                address: "Via Folla di Sotto 3, Pavia".into(),
            },
            areas: BTreeSet::from([Area::Economic, Area::Social]),
            referral: Some(ReferralSource::School),
            consent: NewConsent {
                basis: LegalBasis::Consent,
                special: None,
                notice_version: "2026-01".into(),
                date: d(2026, 9, 1),
                collected_by: olga,
                guardian: Some(NewGuardian::Member { index: 0 }),
                scopes: BTreeSet::from([ConsentScope::Contact, ConsentScope::Photos]),
            },
        })
        .expect("Rossi");
    let pathway = s
        .add_pathway(
            rossi,
            NewPathway {
                kind: PathwayKind::FamilyTutoring,
                start: d(2026, 9, 7),
                operator: Some(olga),
                notes: "Compiti del pomeriggio".into(),
            },
        )
        .expect("pathway");
    s.update_pathway(
        rossi,
        pathway,
        PathwayPatch {
            status: Some(PathwayStatus::Closed),
            end: Some(Some(d(2026, 10, 30))),
            ..Default::default()
        },
    )
    .expect("close the pathway");
    s.withdraw_consent(
        rossi,
        WithdrawnScopes::Only(BTreeSet::from([ConsentScope::Photos])),
        d(2026, 10, 20),
        olga,
    )
    .expect("withdraw photos");
    let bianchi = s
        .create_household(NewHousehold {
            lab,
            reference: member("Marco", "Bianchi", 1975),
            others: vec![],
            contacts: Contacts::default(),
            areas: BTreeSet::new(),
            referral: None,
            consent: NewConsent::given(d(2026, 9, 2), "2026-01", olga),
        })
        .expect("Bianchi");
    let members = s.household(rossi).expect("Rossi").members;
    s.create_meeting(NewMeeting {
        lab,
        date: d(2026, 10, 15),
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 30, 0).expect("time"),
        activity: "open_lab".into(),
        theme: "Compiti e merenda".into(),
        facilitators: BTreeSet::from([olga]),
        attendance: members.iter().map(|m| Attendance { household: rossi, member: m.id }).collect(),
        guests: 2,
        notes: "Luca ha finito i compiti di matematica".into(),
    })
    .expect("meeting");
    let training = s
        .create_training(NewTraining {
            date: d(2026, 9, 20),
            start: NaiveTime::from_hms_opt(9, 30, 0),
            title: "Ascolto e accoglienza".into(),
            minutes: 90,
            completion_percent: Some(75),
            attendees: BTreeSet::from([olga]),
        })
        .expect("training");
    s.erase_household(bianchi, ErasureReason::Request, Some(olga)).expect("erase the Bianchi");
    // Since issue 15: Olga signed in at 09:40 and out at 11:00 (80 of 90 minutes).
    let signed = PresenceRecord {
        arrival: NaiveTime::from_hms_opt(9, 40, 0),
        departure: NaiveTime::from_hms_opt(11, 0, 0),
        minutes: None,
    };
    s.record_training_presence(training, olga, signed).expect("Olga's times");
    // Since issue 15, last (the earlier ids and times stay as they were):
    // an area of the nomenclature, mapped from the open lab.
    s.put_nomenclature_area(crdt_sync::NomenclatureArea {
        code: "A1".into(),
        name: "Famiglia e minori".into(),
    })
    .expect("area");
    s.set_activity_nomenclature("open_lab", Some("A1")).expect("mapping");
    Made { lab, olga, rossi }
}
