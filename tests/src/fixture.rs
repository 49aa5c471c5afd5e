//! Ids, keys and a small lab register to build tests on.
//!
//! [`Register::ensure`] is idempotent: it adds only what a store lacks, so
//! the `crash_writer` child can call it on every start, even after being
//! killed half-way through the first one.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::{
    ActivityType, AgeStatus, Attendance, CodeRange, Contacts, DeviceConfig, DeviceId, DocKind, Families,
    HouseholdId, Key, LabId, NewConsent, NewGuardian, NewHousehold, NewLab, NewMeeting, NewMember, NewPerson,
    PersonId, ProjectId, ProjectSettings, Replication, Role, Staff, Store,
};
use uuid::Uuid;

/// The project every test store belongs to.
pub const PROJECT: ProjectId = ProjectId(Uuid::from_u128(0x7acc_0000_0000_0001));

/// The number of the register's lab (its codes start `PV01-`).
pub const LAB_NUMBER: u8 = 1;

/// Families of the register: reference person, then the other members.
const FAMILIES: &[(&str, &str, &[&str])] = &[
    ("Giulia", "Ferrari", &["Marco", "Sofia"]),
    ("Ahmed", "Benali", &["Yasmine", "Karim", "Nour"]),
    ("Elena", "Rossi", &["Luca"]),
    ("Mihaela", "Popescu", &["Andrei", "Ioana"]),
    ("Francesca", "Colombo", &[]),
    ("Chiara", "Ricci", &["Tommaso", "Alice", "Pietro"]),
    ("Fatou", "Diallo", &["Awa"]),
    ("Nicolò", "Bianchi", &["Anna"]),
];

/// Device `n` of [`PROJECT`], assigning codes from `first_code` on (a
/// thousand of them): give two stores that sync different `first_code`s.
pub fn device(n: u128, first_code: u32) -> DeviceConfig {
    DeviceConfig {
        device: DeviceId(Uuid::from_u128(0x7acc_d000_0000_0000 + n)),
        project: PROJECT,
        codes: CodeRange::new(first_code, first_code + 999).expect("1 <= first <= last"),
    }
}

/// A database key made of one repeated byte: tests need keys that differ,
/// not keys that are secret.
pub fn key(byte: u8) -> Key {
    Key::from_bytes([byte; 32])
}

/// A date, for literals in tests.
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date literal")
}

/// A member with a birth year.
pub fn member(first_name: &str, last_name: &str, birth_year: Option<u16>) -> NewMember {
    NewMember { first_name: first_name.into(), last_name: last_name.into(), birth_year }
}

/// A family registered at `lab`, with a phone number and nothing optional.
pub fn household(lab: LabId, reference: NewMember, others: Vec<NewMember>, phone: &str) -> NewHousehold {
    let date = consent_date();
    let mut h = NewHousehold {
        lab,
        reference,
        others,
        contacts: Contacts { phone: phone.into(), ..Contacts::default() },
        areas: BTreeSet::new(),
        referral: None,
        consent: NewConsent::given(date, "2026-01", PersonId(Uuid::from_u128(0xC0))),
    };
    if h.needs_guardian(date) {
        // The reference person, unless she is a minor herself.
        let guardian = if AgeStatus::of(h.reference.birth_year, date) == AgeStatus::Minor {
            NewGuardian::Named { name: format!("Tutore {}", h.reference.last_name) }
        } else {
            NewGuardian::Member { index: 0 }
        };
        h.consent = h.consent.with_guardian(guardian);
    }
    h
}

/// The date of the legal basis record of every family [`household`] builds.
pub fn consent_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).expect("valid date")
}

/// A lab with the default activity types, one facilitator and a few
/// families, as held by some store.
#[derive(Clone, Debug)]
pub struct Register {
    /// The lab ([`LAB_NUMBER`]).
    pub lab: LabId,
    /// A volunteer on the lab's roster.
    pub facilitator: PersonId,
    /// The lab's families, by id.
    pub households: Vec<HouseholdId>,
    /// Every member of those families, as attendance.
    pub attendees: Vec<Attendance>,
}

impl Register {
    /// Most families [`Register::ensure`] can create.
    pub const MAX_FAMILIES: usize = FAMILIES.len();

    /// Makes sure `store` holds the activity types, the lab, a facilitator
    /// and at least `families` families (at most [`Register::MAX_FAMILIES`]),
    /// creating only what is missing, and returns them.
    pub fn ensure(store: &mut Store, families: usize) -> crdt_sync::Result<Register> {
        let have: BTreeSet<String> = store.activity_types()?.into_iter().map(|t| t.key).collect();
        for t in ActivityType::defaults() {
            if !have.contains(&t.key) {
                store.put_activity_type(t)?;
            }
        }
        let lab = match store.labs()?.into_iter().find(|l| l.number == LAB_NUMBER) {
            Some(l) => l.id,
            None => store.create_lab(NewLab {
                number: LAB_NUMBER,
                name: "Lab Crosione".into(),
                address: "Via Acerbi 21, Pavia".into(),
                partner: "Coop. Il Convoglio".into(),
            })?,
        };
        let facilitator = match store.persons(Some(lab))?.first() {
            Some(p) => p.id,
            None => store.create_person(NewPerson {
                lab,
                first_name: "Paola".into(),
                last_name: "Invernizzi".into(),
                role: Role::Volunteer,
                organisation: "Fare #BeneComune".into(),
                phone: String::new(),
                email: String::new(),
            })?,
        };
        let mut households = Vec::new();
        for r in store.doc_refs()? {
            if r.kind == DocKind::Household && store.household(HouseholdId(r.id))?.lab == lab {
                households.push(HouseholdId(r.id));
            }
        }
        let wanted = families.min(FAMILIES.len());
        for (i, (first, last, others)) in FAMILIES.iter().enumerate().take(wanted).skip(households.len()) {
            let year = 1970 + (i as u16) * 3;
            let others = others
                .iter()
                .enumerate()
                .map(|(j, name)| member(name, last, Some(year + 25 + j as u16)))
                .collect();
            let phone = format!("0382 55{i:04}");
            households.push(store.create_household(household(
                lab,
                member(first, last, Some(year)),
                others,
                &phone,
            ))?);
        }
        households.sort();
        let mut attendees = Vec::new();
        for h in &households {
            for m in store.household(*h)?.members {
                attendees.push(Attendance { household: *h, member: m.id });
            }
        }
        Ok(Register { lab, facilitator, households, attendees })
    }

    /// An open-lab meeting of the register's lab on `date`, 17:00 to 19:00,
    /// run by the facilitator.
    pub fn meeting(&self, date: NaiveDate, attendance: Vec<Attendance>) -> NewMeeting {
        let time = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("a valid hour");
        NewMeeting {
            lab: self.lab,
            date,
            start: time(17),
            end: time(19),
            activity: "open_lab".into(),
            theme: "Compiti insieme".into(),
            facilitators: BTreeSet::from([self.facilitator]),
            attendance,
            guests: 2,
            notes: String::new(),
        }
    }
}
