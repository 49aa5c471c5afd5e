//! The hub's registry of pairing codes and devices, in `hub.db` (no
//! personal data: hashes, roles, labs, dates). The CLI and the server open
//! it from separate processes; WAL and a busy timeout make that safe.

use std::path::Path;

use chrono::Utc;
use crdt_sync::sync::bundle::BundleKey;
use crdt_sync::sync::pairing as code;
use crdt_sync::sync::{CertFingerprint, DeviceRole, EnrollError, Enrolled, Grant, PairingCode};
use crdt_sync::{CodeRange, DeviceId, LabId, ProjectId};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::error::{HubError, Result};
use crate::pairing;

/// Code numbers handed to each device.
const CODE_BLOCK: u32 = 1000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pairing_codes (
    code_hash   TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    lab_id      TEXT,
    lab_number  INTEGER,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    device_id   TEXT
);
CREATE TABLE IF NOT EXISTS lab_keys (
    lab_id  TEXT PRIMARY KEY,
    key     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    lab_id       TEXT,
    lab_number   INTEGER,
    code_first   INTEGER NOT NULL,
    code_last    INTEGER NOT NULL,
    enrolled_at  INTEGER NOT NULL,
    last_sync    INTEGER,
    revoked_at   INTEGER
);
";

/// An enrolled device, as `taccuino-hub devices` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// Its id.
    pub id: DeviceId,
    /// The name it gave at enrolment.
    pub name: String,
    /// Role.
    pub role: DeviceRole,
    /// Lab id, for non-coordinators.
    pub lab: Option<LabId>,
    /// Lab number, for display.
    pub lab_number: Option<u8>,
    /// Last sync (ms since the epoch).
    pub last_sync: Option<i64>,
    /// When it was revoked (ms since the epoch).
    pub revoked_at: Option<i64>,
}

impl Device {
    /// What the device may do.
    pub fn grant(&self) -> Grant {
        Grant { role: self.role, lab: self.lab }
    }
}

/// The registry.
pub struct Registry {
    conn: Connection,
}

fn now() -> i64 {
    Utc::now().timestamp_millis()
}

/// A `devices` row as stored.
struct RawDevice {
    id: String,
    name: String,
    role: String,
    lab: Option<String>,
    lab_number: Option<u8>,
    last_sync: Option<i64>,
    revoked_at: Option<i64>,
}

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDevice> {
    Ok(RawDevice {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        lab: r.get(3)?,
        lab_number: r.get(4)?,
        last_sync: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

fn to_device(raw: RawDevice) -> Result<Device> {
    let bad = |what: &str| HubError::Internal(format!("registry row with bad {what}"));
    Ok(Device {
        id: raw.id.parse().map_err(|_| bad("id"))?,
        name: raw.name,
        role: DeviceRole::parse(&raw.role).ok_or_else(|| bad("role"))?,
        lab: raw.lab.map(|l| l.parse().map_err(|_| bad("lab"))).transpose()?,
        lab_number: raw.lab_number,
        last_sync: raw.last_sync,
        revoked_at: raw.revoked_at,
    })
}

const DEVICE_COLUMNS: &str = "id, name, role, lab_id, lab_number, last_sync, revoked_at";

impl Registry {
    /// Opens (creating if needed) the registry at `path`.
    pub fn open(path: &Path) -> Result<Registry> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
        )?;
        conn.execute_batch(SCHEMA)?;
        Ok(Registry { conn })
    }

    /// Issues a one-time pairing code for a device of `role` in `lab`
    /// (`None` for coordinators), valid for `ttl_hours`. Returns the code,
    /// which is shown once and stored only as a hash of its secret part;
    /// with `cert`, the code ends with the check that lets the device pin
    /// the hub's certificate (`crdt_sync::sync::pairing`).
    pub fn issue_code(
        &mut self,
        role: DeviceRole,
        lab: Option<(LabId, u8)>,
        ttl_hours: u32,
        cert: Option<&CertFingerprint>,
    ) -> Result<String> {
        if role != DeviceRole::Coordinator && lab.is_none() {
            return Err(HubError::Usage("a volunteer, operator or lead device needs --lab".into()));
        }
        let secret = code::new_secret(&mut rand::rng());
        let created = now();
        self.conn.execute(
            "INSERT INTO pairing_codes (code_hash, role, lab_id, lab_number, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                pairing::hash(&secret),
                role.as_str(),
                lab.map(|(id, _)| id.to_string()),
                lab.map(|(_, n)| n),
                created,
                created + i64::from(ttl_hours) * 3_600_000
            ],
        )?;
        Ok(code::display_code(&secret, cert))
    }

    /// Redeems a pairing code, once. On success the device is enrolled and
    /// gets its credential and a range of code numbers.
    pub fn redeem(
        &mut self,
        code: &str,
        name: &str,
        project: ProjectId,
    ) -> Result<std::result::Result<Enrolled, EnrollError>> {
        let hash = pairing::hash(&PairingCode::parse(code).secret);
        let tx = self.conn.transaction()?;
        type CodeRow = (String, Option<String>, Option<u8>, i64, Option<i64>);
        let row: Option<CodeRow> = tx
            .query_row(
                "SELECT role, lab_id, lab_number, expires_at, used_at FROM pairing_codes WHERE code_hash = ?1",
                [&hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((role, lab, lab_number, expires_at, used_at)) = row else {
            return Ok(Err(EnrollError::Unknown));
        };
        if used_at.is_some() {
            return Ok(Err(EnrollError::Used));
        }
        if expires_at < now() {
            return Ok(Err(EnrollError::Expired));
        }
        let role =
            DeviceRole::parse(&role).ok_or_else(|| HubError::Internal("bad role in pairing code".into()))?;
        let lab: Option<LabId> =
            lab.map(|l| l.parse().map_err(|_| HubError::Internal("bad lab".into()))).transpose()?;
        let block: u32 = tx
            .query_row("SELECT value FROM meta WHERE key = 'next_code_block'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('next_code_block', ?1)
             ON CONFLICT (key) DO UPDATE SET value = ?1",
            [(block + 1).to_string()],
        )?;
        let codes = CodeRange::new(block * CODE_BLOCK, block * CODE_BLOCK + CODE_BLOCK - 1)
            .map_err(|e| HubError::Internal(e.to_string()))?;
        let device = DeviceId(Uuid::now_v7());
        let token = pairing::new_token(&mut rand::rng());
        let bundle_key = match lab {
            Some(l) => Some(hex::encode(Self::lab_key_in(&tx, l)?.0)),
            None => None,
        };
        let name = name.trim();
        let name = if name.is_empty() { "device" } else { name };
        tx.execute(
            "INSERT INTO devices (id, name, token_hash, role, lab_id, lab_number, code_first, code_last, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                device.to_string(),
                name.chars().take(80).collect::<String>(),
                pairing::hash(&token),
                role.as_str(),
                lab.map(|l| l.to_string()),
                lab_number,
                codes.first,
                codes.last,
                now()
            ],
        )?;
        tx.execute(
            "UPDATE pairing_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
            params![hash, now(), device.to_string()],
        )?;
        tx.commit()?;
        Ok(Ok(Enrolled { device, token, project, role, lab, codes, bundle_key }))
    }

    fn lab_key_in(conn: &Connection, lab: LabId) -> Result<BundleKey> {
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
        let bytes = hex::decode(&hex_key).map_err(|_| HubError::Internal("bad lab key".into()))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| HubError::Internal("bad lab key".into()))?;
        Ok(BundleKey(key))
    }

    /// The key that signs lab `lab`'s sync bundles (created on first use).
    pub fn lab_key(&mut self, lab: LabId) -> Result<BundleKey> {
        Self::lab_key_in(&self.conn, lab)
    }

    /// The device a credential belongs to, if it is valid and not revoked.
    pub fn authenticate(&self, token: &str) -> Result<Option<Device>> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL"),
                [pairing::hash(token)],
                device_row,
            )
            .optional()?;
        row.map(to_device).transpose()
    }

    /// Whether the device was revoked.
    pub fn is_revoked(&self, device: DeviceId) -> Result<bool> {
        let revoked: Option<Option<i64>> = self
            .conn
            .query_row("SELECT revoked_at FROM devices WHERE id = ?1", [device.to_string()], |r| r.get(0))
            .optional()?;
        Ok(!matches!(revoked, Some(None)))
    }

    /// Every device, most recently enrolled first.
    pub fn devices(&self) -> Result<Vec<Device>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY enrolled_at DESC"))?;
        let rows = stmt.query_map([], device_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_device).collect()
    }

    /// Revokes a device. Returns false if it does not exist.
    pub fn revoke(&mut self, device: DeviceId) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
            params![device.to_string(), now()],
        )?;
        Ok(n > 0)
    }

    /// Records a finished sync.
    pub fn touch(&mut self, device: DeviceId) -> Result<()> {
        self.conn
            .execute("UPDATE devices SET last_sync = ?2 WHERE id = ?1", params![device.to_string(), now()])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_redeemed_once_and_a_revoked_device_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let mut r = Registry::open(&dir.path().join("hub.db")).expect("open");
        let lab = LabId(Uuid::from_u128(3));
        assert!(r.issue_code(DeviceRole::Volunteer, None, 1, None).is_err());
        let code = r.issue_code(DeviceRole::Volunteer, Some((lab, 3)), 1, None).expect("code");
        let project = ProjectId(Uuid::from_u128(1));
        assert_eq!(r.redeem("WRONG-CODE0", "x", project).expect("redeem"), Err(EnrollError::Unknown));
        let e =
            r.redeem(&code.to_lowercase(), "Laptop Crosione", project).expect("redeem").expect("enrolled");
        assert_eq!((e.role, e.lab), (DeviceRole::Volunteer, Some(lab)));
        assert_eq!(r.redeem(&code, "again", project).expect("redeem"), Err(EnrollError::Used));
        let d = r.authenticate(&e.token).expect("auth").expect("valid");
        assert_eq!(d.id, e.device);
        assert!(r.authenticate("nope").expect("auth").is_none());
        let code2 = r.issue_code(DeviceRole::Coordinator, None, 1, None).expect("code");
        let e2 = r.redeem(&code2, "Ufficio", project).expect("redeem").expect("enrolled");
        assert!(e2.codes.first > e.codes.last, "ranges never overlap");
        assert!(r.revoke(e.device).expect("revoke"));
        assert!(r.is_revoked(e.device).expect("revoked"));
        assert!(r.authenticate(&e.token).expect("auth").is_none());
        assert_eq!(r.devices().expect("devices").len(), 2);
    }

    #[test]
    fn expired_codes_are_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let mut r = Registry::open(&dir.path().join("hub.db")).expect("open");
        let code = r.issue_code(DeviceRole::Coordinator, None, 0, None).expect("code");
        std::thread::sleep(std::time::Duration::from_millis(5));
        let project = ProjectId(Uuid::from_u128(1));
        assert_eq!(r.redeem(&code, "x", project).expect("redeem"), Err(EnrollError::Expired));
    }
}
