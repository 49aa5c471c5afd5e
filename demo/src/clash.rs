//! What happens when two laptops edit the same thing offline: in each lab,
//! a second laptop of the lab changes a family's phone and a meeting's
//! theme while the first changes them too, then their changes meet. The
//! register then holds conflicting edits for the coordinators' queue
//! (decision 0031), as a real register soon does.

use chrono::Duration;
use crdt_sync::{
    CodeRange, Contacts, DeviceConfig, DeviceId, DocRef, Families, HouseholdId, HouseholdPatch, LabId,
    MeetingId, MeetingPatch, Meetings, Replication, Result, SeededEnv, Store,
};

/// The other laptop of the lab: a fixed device id per seed, so the same
/// seed gives the same register.
fn other_laptop(store: &mut Store, seed: u64) -> Result<Store> {
    let config = DeviceConfig {
        device: DeviceId(uuid::Uuid::from_u128(0xDE30_0000_0000 + u128::from(seed))),
        project: store.project(),
        codes: CodeRange::new(1, 1)?,
    };
    // Its clock: a few minutes behind the first laptop's.
    let start = store.now() - Duration::minutes(7);
    Store::in_memory(config, Box::new(SeededEnv::new(seed, start)))
}

/// In `lab`, the family `family` and the meeting `meeting` get two values
/// each: the first laptop's and the other's. Returns how many fields clash.
pub(crate) fn clash(
    store: &mut Store,
    seed: u64,
    lab: LabId,
    family: HouseholdId,
    meeting: MeetingId,
) -> Result<usize> {
    let mut other = other_laptop(store, seed)?;
    let docs = [DocRef::project(store.project()), DocRef::lab(lab), DocRef::household(family)];
    for r in docs {
        let bytes = store.export_doc(r)?;
        other.apply_bytes(r, &bytes)?;
    }
    let phone = store.household(family)?.contacts.phone;
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let last = digits.chars().last().and_then(|c| c.to_digit(10)).unwrap_or(0);
    // The family's new number, typed on both laptops: the other mistypes
    // its last digit.
    let theme = store.meeting(meeting)?.theme;
    for (s, digit, theme) in [
        (&mut *store, last, format!("{theme} e merenda")),
        (&mut other, (last + 1) % 10, format!("{theme} (gruppo grandi)")),
    ] {
        let contacts = Contacts { phone: format!("+39 347 551 02{digit}"), ..s.household(family)?.contacts };
        s.update_household(family, HouseholdPatch { contacts: Some(contacts), ..HouseholdPatch::default() })?;
        s.update_meeting(meeting, MeetingPatch { theme: Some(theme), ..MeetingPatch::default() })?;
    }
    for r in docs {
        let bytes = other.export_doc(r)?;
        store.apply_bytes(r, &bytes)?;
    }
    Ok(2)
}
