//! Role × action: what a person may do from a device of each role. The
//! shell checks it before a command, and the UI, through the bindings,
//! offers only what it allows. The hub does not trust it: it enforces the
//! same rights on the documents themselves ([`super::documents`],
//! [`super::write_check`], [`super::authors`]).
//!
//! A register that is not paired with a hub (the demo data) has no role and
//! may do everything: it syncs with nobody.

use serde::{Deserialize, Serialize};

use crate::domain::DeviceRole;

/// Something a person asks a device to do that not every role may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Erase a family (GDPR art. 17): writes a tombstone in its lab's document.
    Erase,
    /// Ask a coordinator to erase a family.
    RequestErasure,
    /// Restrict a family's processing (art. 18), or lift the restriction.
    Restrict,
    /// Change the project's settings: targets, activity types, labs,
    /// retention policy, the areas of the social-services nomenclature and
    /// the activity types' mapping to them.
    ChangeProjectSettings,
    /// See what waits for a coordinator's decision and the families due
    /// under the retention policy.
    DecidePrivacy,
    /// Read a family's or a lab's audit trail, and subject access extracts.
    ReadAuditTrail,
    /// Keep the training register: add sessions, record who attended (the
    /// training document, which only coordinators write).
    KeepTrainingRegister,
    /// See the project's devices, create pairing codes, revoke a lost
    /// laptop (the hub checks it again on its side: `/devices`).
    ManageDevices,
    /// Ask the coordinators for a new device of one's own lab.
    AskForDevice,
    /// See the releases the hub offers and hold a lab on a version (the
    /// hub checks it again on its side: `/devices`).
    ManageUpdates,
    /// See the queue of conflicting edits of every document the device
    /// holds. Choosing a value is an edit of that document: whoever may
    /// write it may ([`super::access`]), from the queue or the family's page.
    ReviewConflicts,
    /// Keep the volunteers' register of one's organisation (CTS art. 17);
    /// which entries is the device's organisation's to say
    /// ([`super::documents`], decision 0033).
    KeepVolunteersRegister,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 12] = [
        Action::Erase,
        Action::RequestErasure,
        Action::Restrict,
        Action::ChangeProjectSettings,
        Action::DecidePrivacy,
        Action::ReadAuditTrail,
        Action::KeepTrainingRegister,
        Action::ManageDevices,
        Action::AskForDevice,
        Action::ManageUpdates,
        Action::ReviewConflicts,
        Action::KeepVolunteersRegister,
    ];

    /// The stable name, as in the bindings and in `Forbidden` errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Erase => "erase",
            Action::RequestErasure => "request_erasure",
            Action::Restrict => "restrict",
            Action::ChangeProjectSettings => "change_project_settings",
            Action::DecidePrivacy => "decide_privacy",
            Action::ReadAuditTrail => "read_audit_trail",
            Action::KeepTrainingRegister => "keep_training_register",
            Action::ManageDevices => "manage_devices",
            Action::AskForDevice => "ask_for_device",
            Action::ManageUpdates => "manage_updates",
            Action::ReviewConflicts => "review_conflicts",
            Action::KeepVolunteersRegister => "keep_volunteers_register",
        }
    }
}

/// Whether a device of `role` (`None`: a register paired with no hub) may
/// do `action`. The table:
///
/// | action                    | volunteer | operator | lead | coordinator |
/// | ------------------------- | --------- | -------- | ---- | ----------- |
/// | erase                     |           |          |      | yes         |
/// | request_erasure           |           |          | yes  |             |
/// | restrict                  |           |          |      | yes         |
/// | change_project_settings   |           |          |      | yes         |
/// | decide_privacy            |           |          |      | yes         |
/// | read_audit_trail          |           |          | yes  | yes         |
/// | keep_training_register    |           |          |      | yes         |
/// | manage_devices            |           |          |      | yes         |
/// | ask_for_device            |           |          | yes  |             |
/// | manage_updates            |           |          |      | yes         |
/// | review_conflicts          |           |          | yes  | yes         |
/// | keep_volunteers_register  |           |          |      | yes         |
pub fn allows(role: Option<DeviceRole>, action: Action) -> bool {
    use Action::*;
    use DeviceRole::*;
    let Some(role) = role else { return true };
    match action {
        Erase
        | Restrict
        | ChangeProjectSettings
        | DecidePrivacy
        | KeepTrainingRegister
        | ManageDevices
        | ManageUpdates
        | KeepVolunteersRegister => role == Coordinator,
        // A coordinator makes the code instead of asking.
        AskForDevice => role == Lead,
        // A coordinator erases instead of asking.
        RequestErasure => role == Lead,
        ReadAuditTrail | ReviewConflicts => matches!(role, Lead | Coordinator),
    }
}

/// Every action `role` may do, in [`Action::ALL`]'s order.
pub fn rights(role: Option<DeviceRole>) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| allows(role, *a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table above, cell by cell: a change to a right is a change here.
    #[test]
    fn the_table() {
        use Action::*;
        use DeviceRole::*;
        let yes = |roles: &[DeviceRole]| DeviceRole::ALL.map(|r| roles.contains(&r));
        let table = [
            (Erase, yes(&[Coordinator])),
            (RequestErasure, yes(&[Lead])),
            (Restrict, yes(&[Coordinator])),
            (ChangeProjectSettings, yes(&[Coordinator])),
            (DecidePrivacy, yes(&[Coordinator])),
            (ReadAuditTrail, yes(&[Lead, Coordinator])),
            (KeepTrainingRegister, yes(&[Coordinator])),
            (ManageDevices, yes(&[Coordinator])),
            (AskForDevice, yes(&[Lead])),
            (ManageUpdates, yes(&[Coordinator])),
            (ReviewConflicts, yes(&[Lead, Coordinator])),
            (KeepVolunteersRegister, yes(&[Coordinator])),
        ];
        assert_eq!(table.len(), Action::ALL.len(), "every action is in the table");
        for (action, row) in table {
            for (role, want) in DeviceRole::ALL.into_iter().zip(row) {
                assert_eq!(allows(Some(role), action), want, "{role:?} {action:?}");
            }
            assert!(allows(None, action), "an unpaired register may {action:?}");
        }
        assert_eq!(rights(Some(Volunteer)), Vec::<Action>::new());
        assert_eq!(rights(Some(Lead)), vec![RequestErasure, ReadAuditTrail, AskForDevice, ReviewConflicts]);
        assert_eq!(rights(None), Action::ALL.to_vec());
    }
}
