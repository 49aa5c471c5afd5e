//! Enrolment: a device redeems a one-time pairing code for a credential.
//! Both messages travel as JSON text over the hub's `/enroll` WebSocket.

use serde::{Deserialize, Serialize};

use crate::authz::DeviceRole;
use crate::codes::CodeRange;
use crate::ids::{DeviceId, LabId, ProjectId};

/// Device → hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The pairing code as the person typed it (case, spaces and dashes do not matter).
    pub code: String,
    /// A name for the device, shown in `taccuino-hub devices`.
    pub name: String,
}

/// Hub → device: everything the device needs to create its store and sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    /// The device's id (its store's `DeviceConfig::device`).
    pub device: DeviceId,
    /// The secret credential; the hub keeps only its hash.
    pub token: String,
    /// The project.
    pub project: ProjectId,
    /// The device's role.
    pub role: DeviceRole,
    /// Its lab (none for coordinators).
    pub lab: Option<LabId>,
    /// Code numbers this device may assign.
    pub codes: CodeRange,
    /// The lab's sync-bundle key, hex (none for coordinators).
    pub bundle_key: Option<String>,
}

/// Hub → device when enrolment fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum EnrollError {
    /// No such code (or mistyped).
    #[error("unknown pairing code: check it with the coordinator")]
    Unknown,
    /// The code was already used.
    #[error("this pairing code was already used: ask the coordinator for a new one")]
    Used,
    /// The code expired.
    #[error("this pairing code has expired: ask the coordinator for a new one")]
    Expired,
    /// Too many attempts.
    #[error("too many attempts: wait a minute and try again")]
    RateLimited,
}

impl EnrollError {
    /// Its stable name: the snake_case name it has in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollError::Unknown => "unknown",
            EnrollError::Used => "used",
            EnrollError::Expired => "expired",
            EnrollError::RateLimited => "rate_limited",
        }
    }
}

/// The hub's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollResponse {
    /// Success.
    Enrolled(Enrolled),
    /// Failure.
    Refused(EnrollError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_named_as_in_json() {
        use EnrollError::*;
        for e in [Unknown, Used, Expired, RateLimited] {
            assert_eq!(serde_json::to_value(e).expect("json"), e.as_str(), "{e:?}");
        }
    }
}
