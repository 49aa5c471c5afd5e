//! One lab, one family with names, a phone and a pathway note no other
//! test data uses (so a test can look for them in files and exports), and
//! the moves erasure and insider tests make with them.

use crate::store::Families;
use crate::store::Meetings;
use crate::store::ProjectSettings;
use crate::store::Replication;
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};

use crate::doc::DocRef;
use crate::domain::{
    ActivityType, Attendance, Contacts, ErasureReason, NewHousehold, NewLab, NewMeeting, NewMember,
    NewPathway, PathwayKind, Tombstone,
};
use crate::ids::{HouseholdId, LabId};
use crate::store::{DeviceConfig, Store};

/// The reference person's first name.
pub const NAME: &str = "Quirinaldo";
/// The family's surname.
pub const SURNAME: &str = "Zabarellini";
/// The family's phone.
pub const PHONE: &str = "+39 347 8812605";
/// The note on the family's pathway.
pub const NOTE: &str = "Segnalazione riservata Xylofonte";

/// Device `n` of project 1, with codes `1000n + 1 ..= 1000n + 999`.
pub fn config(n: u128) -> DeviceConfig {
    super::config(n, 1, codes(n))
}

/// An in-memory store for device `n` of project 1, with its own code range.
pub fn store(n: u128) -> Store {
    super::store(n, 1, codes(n))
}

fn codes(n: u128) -> std::ops::RangeInclusive<u32> {
    1 + 1000 * n as u32..=999 + 1000 * n as u32
}

/// The default activity types and lab number `number`.
pub fn lab(s: &mut Store, number: u8) -> LabId {
    for t in ActivityType::defaults() {
        s.put_activity_type(t).expect("activity");
    }
    s.create_lab(NewLab {
        number,
        name: format!("Laboratorio {number}"),
        address: "Via Scala 1, Pavia".into(),
        partner: "Caritas".into(),
    })
    .expect("lab")
}

/// A family with a distinctive name, phone and pathway note.
pub fn family(s: &mut Store, lab: LabId) -> HouseholdId {
    let h = s
        .create_household(NewHousehold {
            lab,
            reference: NewMember {
                first_name: NAME.into(),
                last_name: SURNAME.into(),
                birth_year: Some(1980),
            },
            others: vec![NewMember {
                first_name: "Ottavina".into(),
                last_name: SURNAME.into(),
                birth_year: Some(2015),
            }],
            contacts: Contacts { phone: PHONE.into(), ..Contacts::default() },
            areas: BTreeSet::new(),
            referral: None,
            consent: crate::domain::NewConsent::given(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
                "2026-01",
                crate::ids::PersonId(uuid::Uuid::from_u128(0xC0)),
            )
            .with_guardian(crate::domain::NewGuardian::Member { index: 0 }),
        })
        .expect("household");
    let today = NaiveDate::from_ymd_opt(2025, 1, 10).expect("date");
    s.add_pathway(
        h,
        NewPathway { kind: PathwayKind::FamilyTutoring, start: today, operator: None, notes: NOTE.into() },
    )
    .expect("pathway");
    h
}

/// A meeting on `date` in `lab` that every member of `h` attends.
pub fn attend(s: &mut Store, lab: LabId, h: HouseholdId, date: NaiveDate) {
    let members = s.household(h).expect("household").members;
    s.create_meeting(NewMeeting {
        lab,
        date,
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: "Compiti".into(),
        facilitators: BTreeSet::new(),
        attendance: members.iter().map(|m| Attendance { household: h, member: m.id }).collect(),
        guests: 1,
        notes: String::new(),
    })
    .expect("meeting");
}

/// Writes a tombstone the way a device that is not a coordinator's could,
/// and returns the lab document's changes.
pub fn forged_tombstone(s: &mut Store, lab: LabId, household: HouseholdId) -> Vec<u8> {
    let r = DocRef::lab(lab);
    let heads = s.heads(r).expect("heads");
    let t = Tombstone {
        household,
        lab,
        code: "PV99-0001".into(),
        at: chrono::DateTime::from_timestamp_millis(1).expect("time"),
        by_device: s.device(),
        by_person: None,
        reason: ErasureReason::Other,
        requested_by: None,
        confirmed_by: None,
    };
    s.write_tombstone_unchecked(&t).expect("tombstone");
    s.export_since(r, &heads).expect("export")
}

/// Every document of `from`, applied to `to`.
pub fn copy_all(from: &mut Store, to: &mut Store) {
    for r in from.doc_refs().expect("refs") {
        let bytes = from.export_doc(r).expect("export");
        to.apply_bytes(r, &bytes).expect("apply");
    }
}
