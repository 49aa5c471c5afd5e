//! Each lab's bundle key (sync bundles carried on a stick, decision 0016):
//! made on first use, replaced when one of the lab's devices is revoked,
//! the replaced key's id kept to tell its bundles apart.

use crdt_sync::sync::bundle::{BundleKey, KeyId};
use crdt_sync::{DeviceId, LabId};
use rusqlite::{Connection, OptionalExtension, params};

use super::Registry;
use crate::error::{HubError, Result};

/// A lab's bundle key that was replaced when one of its devices was revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetiredKey {
    /// The lab.
    pub lab: LabId,
    /// When it was replaced (ms since the epoch).
    pub retired_at: i64,
    /// The device whose revocation replaced it.
    pub revoked_device: DeviceId,
}

impl Registry {
    pub(super) fn lab_key_in(conn: &Connection, lab: LabId) -> Result<BundleKey> {
        let existing: Option<String> = conn
            .query_row("SELECT key FROM lab_keys WHERE lab_id = ?1", [lab.to_string()], |r| r.get(0))
            .optional()?;
        let hex_key = match existing {
            Some(k) => k,
            None => {
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                let k = hex::encode(key);
                conn.execute(
                    "INSERT INTO lab_keys (lab_id, key) VALUES (?1, ?2)",
                    params![lab.to_string(), k],
                )?;
                k
            }
        };
        BundleKey::from_hex(&hex_key).ok_or_else(|| HubError::Internal("bad lab key".into()))
    }

    /// The key of lab `lab`'s sync bundles (created on first use).
    pub fn lab_key(&mut self, lab: LabId) -> Result<BundleKey> {
        Self::lab_key_in(&self.conn, lab)
    }

    /// Replaces `lab`'s bundle key, after `device` of the lab was revoked:
    /// the revoked device holds the old one. Only the old key's id is kept,
    /// to tell its bundles apart ([`Registry::retired_key`]); the key
    /// itself is forgotten, so nothing made with it is ever opened again.
    pub(super) fn rotate_in(conn: &Connection, lab: &str, device: DeviceId, at: i64) -> Result<()> {
        let old: Option<String> =
            conn.query_row("SELECT key FROM lab_keys WHERE lab_id = ?1", [lab], |r| r.get(0)).optional()?;
        // No key handed out yet: nothing to replace.
        let Some(old) = old else { return Ok(()) };
        let old = BundleKey::from_hex(&old).ok_or_else(|| HubError::Internal("bad lab key".into()))?;
        conn.execute(
            "INSERT OR IGNORE INTO retired_bundle_keys (key_id, lab_id, retired_at, revoked_device)
             VALUES (?1, ?2, ?3, ?4)",
            params![hex::encode(old.id()), lab, at, device.to_string()],
        )?;
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        conn.execute(
            "UPDATE lab_keys SET key = ?2 WHERE lab_id = ?1",
            params![lab, BundleKey(key).to_hex()],
        )?;
        Ok(())
    }

    /// The lab key with id `id`, if it was retired by a revocation.
    pub fn retired_key(&self, id: &KeyId) -> Result<Option<RetiredKey>> {
        let row: Option<(String, i64, String)> = self
            .conn
            .query_row(
                "SELECT lab_id, retired_at, revoked_device FROM retired_bundle_keys WHERE key_id = ?1",
                [hex::encode(id)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let bad = || HubError::Internal("registry row with a bad retired key".into());
        row.map(|(lab, retired_at, device)| {
            Ok(RetiredKey {
                lab: lab.parse().map_err(|_| bad())?,
                retired_at,
                revoked_device: device.parse().map_err(|_| bad())?,
            })
        })
        .transpose()
    }
}
