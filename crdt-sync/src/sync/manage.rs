//! Devices managed from the coordinator's app: the hub's `/devices`
//! WebSocket, authenticated as `/sync` is (`Authorization: Bearer`), one
//! JSON request and one JSON answer per connection.
//!
//! What each role may ask is [`Action::ManageDevices`] and
//! [`Action::AskForDevice`] in the authorisation table
//! ([`crate::authz::allows`]); the hub applies it to the role its registry
//! holds for the credential, never to anything the app says.
//!
//! [`Action::ManageDevices`]: crate::authz::Action::ManageDevices
//! [`Action::AskForDevice`]: crate::authz::Action::AskForDevice

use serde::{Deserialize, Serialize};

use crate::authz::DeviceRole;
use crate::ids::DeviceId;

/// The longest note a lead may add to a request, in characters.
pub const MAX_NOTE: usize = 500;

/// App → hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ManageRequest {
    /// Every device of the project, and the open requests for new ones
    /// (coordinators).
    List,
    /// A one-time pairing code for a new device (coordinators). With
    /// `answering`, the lead's request it answers is closed.
    IssueCode {
        /// Its role.
        role: DeviceRole,
        /// Its lab's number (none for a coordinator's device).
        lab: Option<u8>,
        /// Hours the code stays valid (the hub's default if none; at most
        /// a week).
        ttl_hours: Option<u32>,
        /// The request this code answers, if any.
        answering: Option<i64>,
    },
    /// Revokes a device: its open connection is cut, its next sync refused
    /// (coordinators; not the device asking).
    Revoke {
        /// The device.
        device: DeviceId,
    },
    /// A lead asks the coordinators for a new device of the lead's lab.
    Ask {
        /// volunteer or operator.
        role: DeviceRole,
        /// Who it is for, a few words (at most [`MAX_NOTE`] characters).
        note: String,
    },
    /// Closes a request without a code (coordinators).
    Dismiss {
        /// The request.
        request: i64,
    },
    /// The releases the hub offers and the labs held on a version
    /// (coordinators: `manage_updates`).
    Releases,
    /// Holds lab `lab` on `version` (its laptops are offered nothing
    /// newer), or lets it go with `None` (coordinators: `manage_updates`).
    Hold {
        /// The lab's number.
        lab: u8,
        /// A published version, or none to let the lab go.
        version: Option<String>,
    },
}

/// A release published on the hub, as the coordinator's app lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ReleaseEntry {
    /// Its version.
    pub version: String,
    /// Its package's format (`deb`, `rpm`, `nsis`, `dmg`).
    pub format: String,
    /// When it was published (milliseconds since 1970, UTC).
    pub published_at: i64,
}

/// A lab held on a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct LabHold {
    /// The lab's number.
    pub lab: u8,
    /// The newest version its laptops are offered.
    pub version: String,
}

/// One device, as the coordinator's app lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct DeviceEntry {
    /// Its id.
    pub id: DeviceId,
    /// The name given at pairing.
    pub name: String,
    /// Its role.
    pub role: DeviceRole,
    /// Its lab's number (none for coordinators).
    pub lab: Option<u8>,
    /// The app version it last synced with, as it said.
    pub app_version: Option<String>,
    /// Its last finished sync (milliseconds since 1970, UTC).
    pub last_sync: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// A lead's request for a new device, still open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct DeviceRequest {
    /// Its number.
    pub id: i64,
    /// The lab it is for.
    pub lab: u8,
    /// The role asked for.
    pub role: DeviceRole,
    /// The lead's note.
    pub note: String,
    /// The device that asked.
    pub asked_by: DeviceId,
    /// When (milliseconds since 1970, UTC).
    pub asked_at: i64,
}

/// A pairing code just made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct IssuedCode {
    /// The code, to copy onto the new laptop (shown once).
    pub code: String,
    /// Its role.
    pub role: DeviceRole,
    /// Its lab's number.
    pub lab: Option<u8>,
    /// When it stops working (milliseconds since 1970, UTC).
    pub expires_at: i64,
}

/// Why the hub refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ManageRefusal {
    /// The device's role may not do this.
    #[error("this device's role may not do that")]
    NotAllowed,
    /// No such lab in the register.
    #[error("no such lab")]
    UnknownLab,
    /// No such device, or it is the device asking.
    #[error("no such device")]
    UnknownDevice,
    /// No such open request.
    #[error("no such open request")]
    UnknownRequest,
    /// A role, lab or validity that does not go together.
    #[error("the role, lab or validity given is not valid")]
    Invalid,
    /// The hub could not do it now.
    #[error("the hub could not do it: try again later")]
    Unavailable,
}

impl ManageRefusal {
    /// Its stable name: the snake_case name it has in JSON, which the app
    /// explains.
    pub fn as_str(self) -> &'static str {
        match self {
            ManageRefusal::NotAllowed => "not_allowed",
            ManageRefusal::UnknownLab => "unknown_lab",
            ManageRefusal::UnknownDevice => "unknown_device",
            ManageRefusal::UnknownRequest => "unknown_request",
            ManageRefusal::Invalid => "invalid",
            ManageRefusal::Unavailable => "unavailable",
        }
    }
}

/// Hub → app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManageResponse {
    /// The devices and the open requests.
    Devices {
        /// Every device ever paired, revoked ones included.
        devices: Vec<DeviceEntry>,
        /// Leads' open requests.
        requests: Vec<DeviceRequest>,
    },
    /// A new pairing code.
    Code(IssuedCode),
    /// The device is revoked.
    Revoked {
        /// Which.
        device: DeviceId,
    },
    /// The request is recorded, under this number.
    Asked {
        /// Its number.
        request: i64,
    },
    /// The request is closed.
    Dismissed,
    /// The releases and the holds.
    Releases {
        /// Every release published, oldest version first.
        releases: Vec<ReleaseEntry>,
        /// Every lab held on a version.
        holds: Vec<LabHold>,
    },
    /// The hold is set (or lifted).
    Held,
    /// Refused.
    Refused(ManageRefusal),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_named_as_in_json() {
        use ManageRefusal::*;
        for r in [NotAllowed, UnknownLab, UnknownDevice, UnknownRequest, Invalid, Unavailable] {
            assert_eq!(serde_json::to_value(r).expect("json"), r.as_str(), "{r:?}");
        }
    }
}
