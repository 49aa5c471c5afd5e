//! The device's link to its hub (migration `0003_hub_link.sql`): kept in
//! the encrypted file because the credential is a secret, and beside the
//! documents because "when did this laptop last sync" belongs to the
//! register, not to the app's preferences.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::credentials::CertFingerprint;
use crate::domain::DeviceRole;
use crate::ids::LabId;

/// Where this device syncs, and as what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubLink {
    /// The hub's address (`wss://host:port`, or `ws://` on loopback).
    pub url: String,
    /// SHA-256 of the hub's TLS certificate, pinned at enrolment (migration
    /// `0004_hub_pin.sql`); none for `ws://`.
    pub cert: Option<CertFingerprint>,
    /// The device credential (secret).
    pub token: String,
    /// What the device was enrolled as.
    pub role: DeviceRole,
    /// Its lab (none for coordinators).
    pub lab: Option<LabId>,
    /// The lab's sync-bundle key, hex (none for coordinators).
    pub bundle_key: Option<String>,
}

/// How a sync attempt ended, as the app shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Everything exchanged.
    Ok,
    /// Exchanged, but the hub refused some documents.
    Partial,
    /// The hub could not be reached.
    Offline,
    /// The hub does not accept this device's credential.
    Unauthorized,
    /// The coordinator revoked this device.
    Revoked,
    /// The hub closed the sync: the device was over its limits or silent
    /// too long. Syncing again in a minute is the answer.
    Busy,
    /// The hub speaks another version of the sync protocol: nothing was
    /// exchanged. The app asks the hub which side is older.
    Version,
    /// Anything else (a broken connection, a protocol error).
    Failed,
}

impl SyncOutcome {
    pub(super) fn key(self) -> &'static str {
        match self {
            SyncOutcome::Ok => "ok",
            SyncOutcome::Partial => "partial",
            SyncOutcome::Offline => "offline",
            SyncOutcome::Unauthorized => "unauthorized",
            SyncOutcome::Revoked => "revoked",
            SyncOutcome::Busy => "busy",
            SyncOutcome::Version => "version",
            SyncOutcome::Failed => "failed",
        }
    }

    pub(super) fn parse(s: &str) -> Option<SyncOutcome> {
        Some(match s {
            "ok" => SyncOutcome::Ok,
            "partial" => SyncOutcome::Partial,
            "offline" => SyncOutcome::Offline,
            "unauthorized" => SyncOutcome::Unauthorized,
            "revoked" => SyncOutcome::Revoked,
            "busy" => SyncOutcome::Busy,
            "version" => SyncOutcome::Version,
            "failed" => SyncOutcome::Failed,
            _ => return None,
        })
    }
}

/// The link's public part and its history: what the sync screen shows
/// (never the credential).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct HubLinkStatus {
    /// The hub's address.
    pub url: String,
    /// What the device was enrolled as.
    pub role: DeviceRole,
    /// Its lab.
    pub lab: Option<LabId>,
    /// The last attempt, successful or not.
    pub last_attempt: Option<DateTime<Utc>>,
    /// The last sync that completed.
    pub last_success: Option<DateTime<Utc>>,
    /// How the last attempt ended.
    pub last_outcome: Option<SyncOutcome>,
}

pub(super) fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

/// Whether a device whose last completed sync was at `last_success` is past
/// the limit of `days` at `now`. Never synced counts as stale.
pub(super) fn is_stale(last_success: Option<DateTime<Utc>>, now: DateTime<Utc>, days: u32) -> bool {
    last_success.is_none_or(|t| now.signed_duration_since(t) > chrono::Duration::days(i64::from(days)))
}

#[cfg(test)]
mod stale_tests {
    use super::*;

    #[test]
    fn a_device_is_stale_after_the_limit_or_if_it_never_synced() {
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().expect("time");
        let days_ago = |d: i64| Some(now - chrono::Duration::days(d));
        assert!(!is_stale(days_ago(0), now, 30));
        assert!(!is_stale(days_ago(30), now, 30), "the limit itself is still allowed");
        assert!(is_stale(Some(now - chrono::Duration::days(30) - chrono::Duration::seconds(1)), now, 30));
        assert!(is_stale(days_ago(200), now, 30));
        assert!(is_stale(None, now, 30), "paired but never synced");
    }
}

#[cfg(test)]
mod key_tests {
    use crate::Store;
    use crate::credentials::BundleKey;
    use crate::store::Replication;
    use uuid::Uuid;

    use super::*;
    use crate::codes::CodeRange;
    use crate::env::SeededEnv;
    use crate::ids::{DeviceId, ProjectId};
    use crate::store::DeviceConfig;

    #[test]
    fn a_new_bundle_key_replaces_the_lab_devices_one_and_no_other() {
        let config = DeviceConfig {
            device: DeviceId(Uuid::from_u128(1)),
            project: ProjectId(Uuid::from_u128(2)),
            codes: CodeRange::new(1, 99).expect("range"),
        };
        let mut s = Store::in_memory(config, Box::new(SeededEnv::with_seed(1))).expect("store");
        let new = BundleKey([8; 32]);
        assert!(!s.set_bundle_key(&new).expect("unpaired"), "no link, nothing kept");
        let link = HubLink {
            url: "wss://hub.example.org:7878".into(),
            cert: None,
            token: "secret".into(),
            role: DeviceRole::Volunteer,
            lab: Some(LabId(Uuid::from_u128(3))),
            bundle_key: Some(BundleKey([1; 32]).to_hex()),
        };
        s.set_hub_link(&link).expect("link");
        assert!(s.set_bundle_key(&new).expect("rotate"));
        assert!(!s.set_bundle_key(&new).expect("same again"), "unchanged");
        let kept = s.hub_link().expect("read").expect("paired").bundle_key;
        assert_eq!(kept.as_deref().and_then(BundleKey::from_hex), Some(new));
    }
}
