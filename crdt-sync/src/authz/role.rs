//! What a device was enrolled as, and what that grants.

use serde::{Deserialize, Serialize};

use crate::ids::LabId;

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

/// What a device may do: its role and, except for coordinators, its lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: DeviceRole,
    /// The lab (ignored for coordinators).
    pub lab: Option<LabId>,
}

impl Grant {
    /// A coordinator's grant.
    pub const COORDINATOR: Grant = Grant { role: DeviceRole::Coordinator, lab: None };

    /// Whether this is a coordinator's grant.
    pub fn is_coordinator(self) -> bool {
        self.role == DeviceRole::Coordinator
    }
}
