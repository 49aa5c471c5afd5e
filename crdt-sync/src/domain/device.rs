//! What a device was enrolled as, what that grants, and the directory of
//! the devices the hub enrolled: plain values, which the hub writes into the
//! project document. Who may do what with them is `crate::authz`.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::ids::{DeviceId, LabId, OrganisationId};

/// What a device was enrolled as. The hub records it at enrolment; nothing
/// a device writes changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// A volunteer's laptop.
    Volunteer,
    /// An operator's laptop.
    Operator,
    /// The lab lead's laptop.
    Lead,
    /// A coordinator: every lab.
    Coordinator,
}

impl DeviceRole {
    /// Every role, least privileged first.
    pub const ALL: [DeviceRole; 4] =
        [DeviceRole::Volunteer, DeviceRole::Operator, DeviceRole::Lead, DeviceRole::Coordinator];

    /// The stable name used on the command line and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceRole::Volunteer => "volunteer",
            DeviceRole::Operator => "operator",
            DeviceRole::Lead => "lead",
            DeviceRole::Coordinator => "coordinator",
        }
    }

    /// Parses [`DeviceRole::as_str`]'s names.
    pub fn parse(s: &str) -> Option<DeviceRole> {
        Some(match s {
            "volunteer" => DeviceRole::Volunteer,
            "operator" => DeviceRole::Operator,
            "lead" => DeviceRole::Lead,
            "coordinator" => DeviceRole::Coordinator,
            _ => return None,
        })
    }
}

/// What a device may do: its role, except for coordinators its lab, and
/// for a coordinator of one partner organisation that organisation (whose
/// volunteers' register it keeps; decision 0033).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: DeviceRole,
    /// The lab (ignored for coordinators).
    pub lab: Option<LabId>,
    /// The organisation it was enrolled for (`taccuino-hub enroll
    /// --organisation`); `None` for a project-wide device.
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
}

impl Grant {
    /// A project-wide coordinator's grant.
    pub const COORDINATOR: Grant = Grant { role: DeviceRole::Coordinator, lab: None, organisation: None };

    /// A coordinator of `organisation`: every lab, and that organisation's
    /// volunteers' register.
    pub fn coordinator_of(organisation: OrganisationId) -> Grant {
        Grant { organisation: Some(organisation), ..Grant::COORDINATOR }
    }

    /// A lab device's grant.
    pub fn of_lab(role: DeviceRole, lab: LabId) -> Grant {
        Grant { role, lab: Some(lab), organisation: None }
    }

    /// Whether this is a coordinator's grant.
    pub fn is_coordinator(self) -> bool {
        self.role == DeviceRole::Coordinator
    }
}

/// A device as the directory records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// Its role and lab.
    pub grant: Grant,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// Every device the hub enrolled (role, lab, revoked), and the hub's own
/// id. The hub keeps it in the project document, from its registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directory {
    /// The devices.
    pub devices: BTreeMap<DeviceId, DirectoryEntry>,
    /// The hub's own id (its actor writes labs and retention erasures).
    pub hub: Option<DeviceId>,
}
