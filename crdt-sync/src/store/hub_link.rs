//! The device's link to its hub (migration `0003_hub_link.sql`): kept in
//! the encrypted file because the credential is a secret, and beside the
//! documents because "when did this laptop last sync" belongs to the
//! register, not to the app's preferences.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};
use crate::ids::LabId;
use crate::sync::bundle::BundleKey;
use crate::sync::{CertFingerprint, DeviceRole};

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
    /// Anything else (a broken connection, a protocol error).
    Failed,
}

impl SyncOutcome {
    fn key(self) -> &'static str {
        match self {
            SyncOutcome::Ok => "ok",
            SyncOutcome::Partial => "partial",
            SyncOutcome::Offline => "offline",
            SyncOutcome::Unauthorized => "unauthorized",
            SyncOutcome::Revoked => "revoked",
            SyncOutcome::Busy => "busy",
            SyncOutcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<SyncOutcome> {
        Some(match s {
            "ok" => SyncOutcome::Ok,
            "partial" => SyncOutcome::Partial,
            "offline" => SyncOutcome::Offline,
            "unauthorized" => SyncOutcome::Unauthorized,
            "revoked" => SyncOutcome::Revoked,
            "busy" => SyncOutcome::Busy,
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

fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

impl Store {
    /// Records the link after enrolment. A device is enrolled once: a
    /// second link is refused rather than silently replacing the first.
    pub fn set_hub_link(&mut self, link: &HubLink) -> Result<()> {
        if self.hub_link()?.is_some() {
            return Err(Error::invalid("hub_link", "this device is already paired with a hub"));
        }
        self.conn.execute(
            "INSERT INTO hub_link (id, url, token, role, lab_id, bundle_key, cert_sha256)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                link.url,
                link.token,
                link.role.as_str(),
                link.lab.map(|l| l.to_string()),
                link.bundle_key,
                link.cert.map(|c| c.to_hex())
            ],
        )?;
        Ok(())
    }

    /// The link, with its credential, if the device is paired.
    pub fn hub_link(&self) -> Result<Option<HubLink>> {
        let row = self
            .conn
            .query_row(
                "SELECT url, token, role, lab_id, bundle_key, cert_sha256 FROM hub_link WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((url, token, role, lab, bundle_key, cert)) = row else { return Ok(None) };
        let cert = match cert {
            Some(hex) => Some(
                CertFingerprint::from_hex(&hex)
                    .ok_or_else(|| Error::Internal("hub_link holds a damaged certificate pin".into()))?,
            ),
            None => None,
        };
        let role = DeviceRole::parse(&role)
            .ok_or_else(|| Error::Internal(format!("hub_link holds an unknown role {role:?}")))?;
        let lab = match lab {
            Some(l) => {
                Some(l.parse().map_err(|_| Error::Internal(format!("hub_link holds a bad lab {l:?}")))?)
            }
            None => None,
        };
        Ok(Some(HubLink { url, token, role, lab, bundle_key, cert }))
    }

    /// What the sync screen shows, if paired.
    pub fn hub_link_status(&self) -> Result<Option<HubLinkStatus>> {
        let Some(link) = self.hub_link()? else { return Ok(None) };
        let (attempt, success, outcome) = self.conn.query_row(
            "SELECT last_attempt, last_success, last_outcome FROM hub_link WHERE id = 1",
            [],
            |r| {
                Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, Option<String>>(2)?))
            },
        )?;
        Ok(Some(HubLinkStatus {
            url: link.url,
            role: link.role,
            lab: link.lab,
            last_attempt: time(attempt),
            last_success: time(success),
            last_outcome: outcome.as_deref().and_then(SyncOutcome::parse),
        }))
    }

    /// Records how a sync attempt ended, stamped with the store's clock.
    pub fn record_sync(&mut self, outcome: SyncOutcome) -> Result<()> {
        let now = self.env.now().timestamp_millis();
        let success = matches!(outcome, SyncOutcome::Ok | SyncOutcome::Partial);
        let changed = self.conn.execute(
            "UPDATE hub_link SET last_attempt = ?1, last_outcome = ?2,
                 last_success = CASE WHEN ?3 THEN ?1 ELSE last_success END
             WHERE id = 1",
            params![now, outcome.key(), success],
        )?;
        if changed == 0 {
            return Err(Error::invalid("hub_link", "this device is not paired with a hub"));
        }
        Ok(())
    }

    /// Keeps the lab's bundle key the hub sent at a sync (it rotates a lab's
    /// key when one of its devices is revoked), in place of the one held.
    /// Returns whether it changed; `false` too on a device with no hub link
    /// or no lab (a coordinator's), which keeps no bundle key.
    pub fn set_bundle_key(&mut self, key: &BundleKey) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE hub_link SET bundle_key = ?1
             WHERE id = 1 AND lab_id IS NOT NULL AND bundle_key IS NOT ?1",
            params![key.to_hex()],
        )?;
        Ok(changed > 0)
    }
}

impl Store {
    /// On a paired device whose last completed sync is older than the
    /// project's `stale_device_days` (or that never completed one): that
    /// limit, and families' personal data stay closed until it syncs, so
    /// an erasure reaches every laptop within a bounded time. `None` when
    /// fresh, or not paired (the demo register).
    pub fn stale_limit(&mut self) -> Result<Option<u32>> {
        let Some(status) = self.hub_link_status()? else { return Ok(None) };
        let days = self.retention_policy()?.stale_device_days;
        let now = self.env.now();
        Ok(is_stale(status.last_success, now, days).then_some(days))
    }
}

/// Whether a device whose last completed sync was at `last_success` is past
/// the limit of `days` at `now`. Never synced counts as stale.
fn is_stale(last_success: Option<DateTime<Utc>>, now: DateTime<Utc>, days: u32) -> bool {
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
