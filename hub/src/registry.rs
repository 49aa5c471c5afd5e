//! The hub's registry of pairing codes and devices, in `hub.db` (no
//! personal data: hashes, roles, labs, dates, and each lab's bundle key).
//! The CLI and the server open it from separate processes; WAL and a busy
//! timeout make that safe. The file is encrypted with SQLCipher under a key
//! derived from the hub's key; a plaintext `hub.db` of an earlier version is
//! encrypted in place when first opened ([`at_rest`]). Decision 0016.

mod at_rest;
mod lab_keys;
mod releases;
mod requests;

pub use releases::{Hold, PublishedRelease};

use std::collections::HashSet;
use std::path::Path;

use chrono::Utc;
use crdt_sync::sync::pairing as code;
use crdt_sync::sync::{CertFingerprint, DeviceRole, EnrollError, Enrolled, Grant, PairingCode};
use crdt_sync::{CodeRange, DeviceId, Key, LabId, OrganisationId, ProjectId};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::backup::journal::Journal;
use crate::error::{HubError, Result};
use crate::hub_key;
use crate::pairing::{self, SecretHasher};
pub use lab_keys::RetiredKey;

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
-- Keys a lab's bundles were made with before one of its devices was
-- revoked: only their ids, to refuse such bundles with a clear message.
CREATE TABLE IF NOT EXISTS retired_bundle_keys (
    key_id          TEXT PRIMARY KEY,
    lab_id          TEXT NOT NULL,
    retired_at      INTEGER NOT NULL,
    revoked_device  TEXT NOT NULL
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
-- A lead's request for a new device of the lead's lab, until a coordinator
-- answers it with a pairing code or dismisses it.
CREATE TABLE IF NOT EXISTS device_requests (
    id          INTEGER PRIMARY KEY,
    lab_id      TEXT NOT NULL,
    lab_number  INTEGER NOT NULL,
    role        TEXT NOT NULL,
    note        TEXT NOT NULL,
    asked_by    TEXT NOT NULL,
    asked_at    INTEGER NOT NULL,
    closed_at   INTEGER,
    closed_by   TEXT,
    outcome     TEXT
);
-- Who managed devices, when: pairing codes made, devices revoked, requests
-- asked and answered, from the command line or a coordinator's app.
CREATE TABLE IF NOT EXISTS admin_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL
);
";

/// Columns added to existing tables since the registry's first version:
/// each is added to a registry that lacks it when it is opened.
const ADDED_COLUMNS: [(&str, &str, &str); 3] = [
    ("devices", "app_version", "TEXT"),
    // The partner organisation a coordinator's device was enrolled for
    // (its volunteers' register, decision 0033), on the code and the device.
    ("pairing_codes", "organisation_id", "TEXT"),
    ("devices", "organisation_id", "TEXT"),
];

/// Who did something to the registry, for the administration log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The hub's command line, on the server.
    CommandLine,
    /// A device, through `/devices`.
    Device(DeviceId),
}

impl Actor {
    fn label(&self) -> String {
        match self {
            Actor::CommandLine => "command line".into(),
            Actor::Device(id) => format!("device {id}"),
        }
    }
}

/// One line of the administration log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminEntry {
    /// When (ms since the epoch).
    pub at: i64,
    /// Who: `command line` or `device <id>`.
    pub actor: String,
    /// What: `issue_code`, `revoke`, `ask`, `dismiss`.
    pub action: String,
    /// On what: a device, a role and lab, a request.
    pub target: String,
}

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
    /// The app version it last synced with, as it said.
    pub app_version: Option<String>,
    /// The partner organisation it was enrolled for (coordinators).
    pub organisation: Option<OrganisationId>,
}

impl Device {
    /// What the device may do.
    pub fn grant(&self) -> Grant {
        Grant { role: self.role, lab: self.lab, organisation: self.organisation }
    }
}

/// A finished sync, to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// When it ended (ms since the epoch).
    pub at: i64,
    /// The app version the device said it runs (`User-Agent`).
    pub app_version: Option<String>,
}

/// The registry.
pub struct Registry {
    conn: Connection,
    hasher: SecretHasher,
    /// Enrolments and revocations made through this connection (SQLite's
    /// `data_version` counts only other connections' commits).
    own_changes: u64,
    /// Where revocations are journaled beside the backups, if the hub
    /// makes them ([`Registry::journal_revocations`]).
    journal: Option<Journal>,
}

/// A mark of the registry's devices: two equal marks mean no device was
/// enrolled or revoked in between, by this process or another
/// ([`Registry::devices_mark`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DevicesMark {
    /// SQLite's count of commits by other connections (a CLI `revoke`).
    others: i64,
    /// Enrolments and revocations through this connection.
    own: u64,
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
    app_version: Option<String>,
    organisation: Option<String>,
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
        app_version: r.get(7)?,
        organisation: r.get(8)?,
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
        app_version: raw.app_version,
        organisation: raw.organisation.map(|o| o.parse().map_err(|_| bad("organisation"))).transpose()?,
    })
}

const DEVICE_COLUMNS: &str =
    "id, name, role, lab_id, lab_number, last_sync, revoked_at, app_version, organisation_id";

impl Registry {
    /// Opens (creating if needed) the registry at `path`, encrypted under a
    /// key derived from the hub's `key`. A plaintext registry of an earlier
    /// version is encrypted in place first: the caller makes sure no other
    /// process has it open (`DataDir` holds the serve lock meanwhile).
    /// A wrong key is `crdt_sync::Error::WrongKeyOrNotADatabase`.
    pub fn open(path: &Path, key: &Key) -> Result<Registry> {
        let db_key = hub_key::registry_key(key);
        if at_rest::is_plaintext(path)? {
            at_rest::encrypt_in_place(path, &db_key)?;
        }
        let conn = Connection::open(path)?;
        crdt_sync::key_connection(&conn, &db_key, path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
        )?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(releases::SCHEMA)?;
        for (table, column, kind) in ADDED_COLUMNS {
            let has: bool = conn.query_row(
                &format!("SELECT count(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
                [column],
                |r| r.get(0),
            )?;
            if !has {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
            }
        }
        Ok(Registry {
            conn,
            hasher: SecretHasher::new(hub_key::hashes_key(key)),
            own_changes: 0,
            journal: None,
        })
    }

    /// Whether the registry at `path` is still a plaintext file of an
    /// earlier version (opening it encrypts it).
    pub fn needs_encrypting(path: &Path) -> Result<bool> {
        at_rest::is_plaintext(path)
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
        self.issue_code_for(role, lab, None, ttl_hours, cert)
    }

    /// [`Registry::issue_code`] for a coordinator of a partner
    /// organisation (`organisation`: the device keeps that organisation's
    /// volunteers' register). Only coordinators are enrolled for one.
    pub fn issue_code_for(
        &mut self,
        role: DeviceRole,
        lab: Option<(LabId, u8)>,
        organisation: Option<OrganisationId>,
        ttl_hours: u32,
        cert: Option<&CertFingerprint>,
    ) -> Result<String> {
        if role != DeviceRole::Coordinator && lab.is_none() {
            return Err(HubError::Usage("a volunteer, operator or lead device needs --lab".into()));
        }
        if role != DeviceRole::Coordinator && organisation.is_some() {
            return Err(HubError::Usage(
                "only a coordinator's device is enrolled for an organisation: drop --organisation".into(),
            ));
        }
        let secret = code::new_secret(&mut rand::rng());
        let created = now();
        self.conn.execute(
            "INSERT INTO pairing_codes (code_hash, role, lab_id, lab_number, created_at, expires_at,
                                        organisation_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                self.hasher.hash(&secret),
                role.as_str(),
                lab.map(|(id, _)| id.to_string()),
                lab.map(|(_, n)| n),
                created,
                created + i64::from(ttl_hours) * 3_600_000,
                organisation.map(|o| o.to_string())
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
        let secret = PairingCode::parse(code).secret;
        let keyed = self.hasher.hash(&secret);
        // Immediate: it reads, then writes. A deferred transaction whose
        // snapshot another process's write made stale (the running hub
        // recording a sync) fails at once with `SQLITE_BUSY`, whatever the
        // busy timeout; an immediate one waits for the lock.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        type CodeRow = (String, String, Option<String>, Option<u8>, i64, Option<i64>, Option<String>);
        // A code issued before decision 0016 is stored as a plain SHA-256.
        let row: Option<CodeRow> = tx
            .query_row(
                "SELECT code_hash, role, lab_id, lab_number, expires_at, used_at, organisation_id
                 FROM pairing_codes WHERE code_hash = ?1 OR code_hash = ?2",
                [&keyed, &pairing::legacy_hash(&secret)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let Some((hash, role, lab, lab_number, expires_at, used_at, organisation)) = row else {
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
            Some(l) => Some(Self::lab_key_in(&tx, l)?.to_hex()),
            None => None,
        };
        let name = name.trim();
        let name = if name.is_empty() { "device" } else { name };
        tx.execute(
            "INSERT INTO devices (id, name, token_hash, role, lab_id, lab_number, code_first, code_last, enrolled_at,
                                  organisation_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                device.to_string(),
                name.chars().take(80).collect::<String>(),
                self.hasher.hash(&token),
                role.as_str(),
                lab.map(|l| l.to_string()),
                lab_number,
                codes.first,
                codes.last,
                now(),
                organisation
            ],
        )?;
        // A legacy row is rewritten in the keyed form as it is used.
        tx.execute(
            "UPDATE pairing_codes SET used_at = ?2, device_id = ?3, code_hash = ?4 WHERE code_hash = ?1",
            params![hash, now(), device.to_string(), keyed],
        )?;
        tx.commit()?;
        self.own_changes += 1;
        Ok(Ok(Enrolled { device, token, project, role, lab, codes, bundle_key }))
    }

    /// The device a credential belongs to, if it is valid and not revoked.
    /// A credential of a device enrolled before decision 0016 is stored as
    /// a plain SHA-256: found that way too, and rewritten keyed.
    pub fn authenticate(&self, token: &str) -> Result<Option<Device>> {
        let keyed = self.hasher.hash(token);
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {DEVICE_COLUMNS}, token_hash FROM devices
                     WHERE (token_hash = ?1 OR token_hash = ?2) AND revoked_at IS NULL"
                ),
                [&keyed, &pairing::legacy_hash(token)],
                |r| Ok((device_row(r)?, r.get::<_, String>("token_hash")?)),
            )
            .optional()?;
        let Some((raw, stored)) = row else { return Ok(None) };
        if pairing::is_legacy(&stored) {
            self.conn.execute(
                "UPDATE devices SET token_hash = ?2 WHERE token_hash = ?1",
                params![stored, keyed],
            )?;
        }
        to_device(raw).map(Some)
    }

    /// The device with id `id`, revoked or not.
    pub fn device(&self, id: DeviceId) -> Result<Option<Device>> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
                [id.to_string()],
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

    /// Journals every revocation made through this registry from now on
    /// in `journal`, beside the backups (decision 0041).
    pub fn journal_revocations(&mut self, journal: Journal) {
        self.journal = Some(journal);
    }

    /// Revokes a device and, if it is a lab's, replaces the lab's bundle
    /// key in the same transaction (the lab's other devices receive the new
    /// one at their next sync). Returns false if it does not exist; revoking
    /// twice changes nothing.
    pub fn revoke(&mut self, device: DeviceId) -> Result<bool> {
        // Immediate: it reads, then writes. A deferred transaction whose
        // snapshot another process's write made stale (the running hub
        // recording a sync) fails at once with `SQLITE_BUSY`, whatever the
        // busy timeout; an immediate one waits for the lock.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(Option<String>, Option<i64>)> = tx
            .query_row("SELECT lab_id, revoked_at FROM devices WHERE id = ?1", [device.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((lab, revoked_at)) = row else { return Ok(false) };
        if revoked_at.is_none() {
            let at = now();
            // Journaled before it is committed: a journal line for a
            // revocation that did not commit only revokes again at a
            // restore. A journal that cannot be written (the backups' disk
            // away) does not stop the revocation: the next backup holds it.
            if let Some(journal) = &self.journal
                && let Err(e) = journal.record(device, at)
            {
                tracing::error!(
                    error = %e,
                    %device,
                    "the revocation is not in the journal beside the backups: a restore from a backup older \
                     than the next one would bring this device back"
                );
            }
            tx.execute("UPDATE devices SET revoked_at = ?2 WHERE id = ?1", params![device.to_string(), at])?;
            if let Some(lab) = lab {
                Self::rotate_in(&tx, &lab, device, at)?;
            }
        }
        tx.commit()?;
        self.own_changes += 1;
        Ok(true)
    }

    /// Records finished syncs, each device with the time its sync ended
    /// (ms since the epoch) and the app version it said it runs, in one
    /// transaction: one write to disk for all of them, where one each took
    /// the registry for a disk flush per device.
    pub fn record_syncs(&mut self, syncs: &[(DeviceId, Finished)]) -> Result<()> {
        if syncs.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE devices SET last_sync = ?2, app_version = coalesce(?3, app_version) WHERE id = ?1",
            )?;
            for (device, f) in syncs {
                stmt.execute(params![device.to_string(), f.at, f.app_version])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a line of the administration log.
    pub fn log_admin(&mut self, actor: &Actor, action: &str, target: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO admin_log (at, actor, action, target) VALUES (?1, ?2, ?3, ?4)",
            params![now(), actor.label(), action, target],
        )?;
        Ok(())
    }

    /// The administration log, oldest first.
    pub fn admin_log(&self) -> Result<Vec<AdminEntry>> {
        let mut stmt = self.conn.prepare("SELECT at, actor, action, target FROM admin_log ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(AdminEntry { at: r.get(0)?, actor: r.get(1)?, action: r.get(2)?, target: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Copies the write-ahead log into the file and truncates it (when the
    /// hub stops). Another process reading the registry at that moment
    /// (`taccuino-hub devices`) leaves part of the log in place: an error
    /// that says so.
    pub fn checkpoint(&self) -> Result<()> {
        let busy: i64 = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(HubError::Internal("the registry's checkpoint was blocked by another reader".into()));
        }
        Ok(())
    }

    /// Every revoked device: one query for the whole hub, where each open
    /// connection used to ask about its own device five times a second.
    pub fn revoked(&self) -> Result<HashSet<DeviceId>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM devices WHERE revoked_at IS NOT NULL")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter()
            .map(|id| id.parse().map_err(|_| HubError::Internal("registry row with bad id".into())))
            .collect()
    }

    /// Where the registry's devices stand: the mark changes whenever a
    /// device is enrolled or revoked, through this registry or by another
    /// process (and at some other writes of other processes), so a caller
    /// that keeps [`Registry::devices`] can tell when to read them again.
    pub fn devices_mark(&self) -> Result<DevicesMark> {
        let others = self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(DevicesMark { others, own: self.own_changes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_redeemed_once_and_a_revoked_device_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let mut r = Registry::open(&dir.path().join("hub.db"), &Key::from_bytes([4; 32])).expect("open");
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
        let mut r = Registry::open(&dir.path().join("hub.db"), &Key::from_bytes([4; 32])).expect("open");
        let code = r.issue_code(DeviceRole::Coordinator, None, 0, None).expect("code");
        std::thread::sleep(std::time::Duration::from_millis(5));
        let project = ProjectId(Uuid::from_u128(1));
        assert_eq!(r.redeem(&code, "x", project).expect("redeem"), Err(EnrollError::Expired));
    }

    #[test]
    fn revoking_a_lab_device_replaces_its_labs_key_and_remembers_only_the_old_id() {
        let dir = tempfile::tempdir().expect("dir");
        let mut r = Registry::open(&dir.path().join("hub.db"), &Key::from_bytes([4; 32])).expect("open");
        let (lab, other) = (LabId(Uuid::from_u128(3)), LabId(Uuid::from_u128(4)));
        let project = ProjectId(Uuid::from_u128(1));
        let enrol = |r: &mut Registry, lab: LabId, n: u8| {
            let code = r.issue_code(DeviceRole::Lead, Some((lab, n)), 1, None).expect("code");
            r.redeem(&code, "x", project).expect("redeem").expect("enrolled")
        };
        let a = enrol(&mut r, lab, 3);
        let b = enrol(&mut r, lab, 3);
        let c = enrol(&mut r, other, 4);
        let old = r.lab_key(lab).expect("key");
        let others = r.lab_key(other).expect("key");
        assert_eq!(a.bundle_key, Some(old.to_hex()));
        assert_eq!(b.bundle_key, Some(old.to_hex()));
        assert!(r.retired_key(&old.id()).expect("read").is_none());
        assert!(r.revoke(a.device).expect("revoke"));
        let new = r.lab_key(lab).expect("key");
        assert_ne!(new, old, "replaced");
        assert_eq!(r.lab_key(other).expect("key"), others, "another lab's key stays");
        let retired = r.retired_key(&old.id()).expect("read").expect("recorded");
        assert_eq!((retired.lab, retired.revoked_device), (lab, a.device));
        assert!(r.revoke(a.device).expect("again"));
        assert_eq!(r.lab_key(lab).expect("key"), new, "revoking twice rotates once");
        assert!(r.device(b.device).expect("read").is_some_and(|d| d.revoked_at.is_none()));
        assert!(r.device(c.device).expect("read").is_some());
        assert!(r.device(DeviceId(Uuid::from_u128(9))).expect("read").is_none());
    }

    #[test]
    fn credentials_are_stored_keyed_and_legacy_rows_are_rewritten_when_used() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("hub.db");
        let mut r = Registry::open(&path, &Key::from_bytes([4; 32])).expect("open");
        let project = ProjectId(Uuid::from_u128(1));
        let code = r.issue_code(DeviceRole::Coordinator, None, 1, None).expect("code");
        let e = r.redeem(&code, "x", project).expect("redeem").expect("enrolled");
        let stored: String =
            r.conn.query_row("SELECT token_hash FROM devices", [], |row| row.get(0)).expect("row");
        assert!(!pairing::is_legacy(&stored), "{stored}");
        assert_ne!(stored, pairing::legacy_hash(&e.token));
        // A row as an earlier version wrote it.
        r.conn
            .execute("UPDATE devices SET token_hash = ?1", [pairing::legacy_hash(&e.token)])
            .expect("legacy");
        assert_eq!(r.authenticate(&e.token).expect("auth").map(|d| d.id), Some(e.device));
        let stored: String =
            r.conn.query_row("SELECT token_hash FROM devices", [], |row| row.get(0)).expect("row");
        assert_eq!(stored, r.hasher.hash(&e.token), "rewritten keyed");
        assert_eq!(r.authenticate(&e.token).expect("auth").map(|d| d.id), Some(e.device));
        drop(r);
        // Another hub key neither opens the file nor matches its hashes.
        let wrong = Registry::open(&path, &Key::from_bytes([5; 32])).err().expect("wrong key");
        assert!(matches!(wrong, HubError::Core(crdt_sync::Error::WrongKeyOrNotADatabase { .. })), "{wrong}");
    }

    #[test]
    fn the_devices_mark_moves_with_enrolments_and_revocations_here_or_in_another_process() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("hub.db");
        let key = Key::from_bytes([4; 32]);
        let mut r = Registry::open(&path, &key).expect("open");
        let project = ProjectId(Uuid::from_u128(1));
        let lab = LabId(Uuid::from_u128(3));
        let start = r.devices_mark().expect("mark");
        assert_eq!(r.devices_mark().expect("mark"), start, "nothing happened");
        let code = r.issue_code(DeviceRole::Volunteer, Some((lab, 3)), 1, None).expect("code");
        let e = r.redeem(&code, "x", project).expect("redeem").expect("enrolled");
        let enrolled = r.devices_mark().expect("mark");
        assert_ne!(enrolled, start, "an enrolment here moves it");
        let version = |v: Option<&str>| Finished { at: 1_234, app_version: v.map(str::to_owned) };
        r.record_syncs(&[(e.device, version(Some("0.1.0")))]).expect("record");
        let device = r.device(e.device).expect("read").expect("it");
        assert_eq!((device.last_sync, device.app_version.as_deref()), (Some(1_234), Some("0.1.0")));
        r.record_syncs(&[(e.device, version(None))]).expect("record");
        let device = r.device(e.device).expect("read").expect("it");
        assert_eq!(device.app_version.as_deref(), Some("0.1.0"), "an unsaid version keeps the last one said");
        assert!(r.revoked().expect("revoked").is_empty());
        // The CLI's `revoke` is another connection (another process).
        let mut cli = Registry::open(&path, &key).expect("open again");
        assert!(cli.revoke(e.device).expect("revoke"));
        assert_ne!(r.devices_mark().expect("mark"), enrolled, "a revocation elsewhere moves it");
        assert_eq!(r.revoked().expect("revoked"), HashSet::from([e.device]));
        let mark = r.devices_mark().expect("mark");
        assert!(r.record_syncs(&[]).is_ok());
        assert_eq!(r.devices_mark().expect("mark"), mark);
    }
}
