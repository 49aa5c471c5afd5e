//! The revocation journal: every device revoked since the last backup,
//! kept beside the backups, so that a restore cannot bring a revoked
//! laptop back.
//!
//! A backup holds the registry as it was when it was taken. A laptop
//! revoked after it (lost, stolen, handed back) would be active again on a
//! hub restored from it, its token good, its lab's old bundle key too. So
//! the hub appends each revocation, before it is committed, to
//! `revocations.log` in the backups' directory (`[backup]` in its
//! configuration, which is on another disk or a share), or else beside the
//! last backup made by hand; a restore reads the journal beside the backup
//! it restores from and revokes again every device the journal names.
//!
//! **Lines.** `<device id> <revoked at, ms since the epoch> <tag>`, the tag
//! an HMAC-SHA256 of the first two under a key derived from the hub's key.
//! Whoever can write the backups' directory but does not hold the hub's
//! key cannot make a restore revoke a device: lines without a good tag are
//! ignored, and counted. Taking a line out un-revokes nothing that the
//! backup itself holds revoked; it is the same power as deleting the newest
//! backups, which the journal does not claim to prevent.
//!
//! Decision 0041.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crdt_sync::{DeviceId, Key};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{HubError, Result};
use crate::hub_key;

/// The journal's name in the backups' directory.
pub const FILE: &str = "revocations.log";
/// The label of the journal's key, derived from the hub's.
const LABEL: &[u8] = b"taccuino-hub/revocation-journal/1";
/// The most of a journal a restore reads (a line is under 120 bytes: tens
/// of thousands of revocations; a larger file is not one this hub wrote).
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Where this hub journals its revocations, and the key of their tags.
#[derive(Clone)]
pub struct Journal {
    site: Site,
    key: Zeroizing<[u8; 32]>,
}

/// Which directory the journal is in.
#[derive(Clone, Debug)]
enum Site {
    /// This one: the backups' directory of `[backup]`, or the directory of
    /// the backup a restore reads.
    Dir(PathBuf),
    /// The directory of the last backup made, read from the data
    /// directory's `backup.stamp` at each revocation (a hub whose backups
    /// are made by hand, with `backup --out`). None made yet: nothing to
    /// journal, since every backup to come holds the revocation.
    BesideLastBackup { stamp: PathBuf },
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("site", &self.site).finish_non_exhaustive()
    }
}

/// What a restore read in a journal.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Entries {
    /// The devices revoked, each with when (ms since the epoch), in the
    /// journal's order.
    pub revoked: Vec<(DeviceId, i64)>,
    /// Lines that are not this hub's (no good tag, or not a line at all).
    pub ignored: usize,
}

impl Journal {
    /// The journal in the backups' directory `dir` of the hub whose key is
    /// `key`.
    pub fn in_dir(dir: &Path, key: &Key) -> Journal {
        Journal { site: Site::Dir(dir.to_owned()), key: hub_key::derive(key, LABEL) }
    }

    /// The journal beside the last backup the data directory's `stamp`
    /// (`backup.stamp`) names, wherever that is when a device is revoked.
    pub fn beside_last_backup(stamp: &Path, key: &Key) -> Journal {
        Journal { site: Site::BesideLastBackup { stamp: stamp.to_owned() }, key: hub_key::derive(key, LABEL) }
    }

    /// The journal's file now, `None` if no backup was made yet.
    pub fn path(&self) -> Option<PathBuf> {
        match &self.site {
            Site::Dir(dir) => Some(dir.join(FILE)),
            Site::BesideLastBackup { stamp } => Some(super::last_backup(stamp)?.parent()?.join(FILE)),
        }
    }

    /// Appends the revocation of `device` at `at` and waits for it to be on
    /// disk (nothing if no backup was made yet).
    pub fn record(&self, device: DeviceId, at: i64) -> Result<()> {
        let Some(path) = self.path() else { return Ok(()) };
        let io = |source| HubError::Io { path: path.clone(), source };
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(io)?;
        let line = format!("{device} {at} {}\n", self.tag(device, at));
        file.write_all(line.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// The entries of the journal, `None` if there is none.
    pub fn read(&self) -> Result<Option<Entries>> {
        let Some(path) = self.path() else { return Ok(None) };
        let io = |source| HubError::Io { path: path.clone(), source };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(HubError::Usage(format!(
                "{} is over {} MiB: it is not a revocation journal this hub wrote (move it away to \
                 restore without it)",
                path.display(),
                MAX_BYTES / (1024 * 1024)
            )));
        }
        let mut entries = Entries::default();
        for line in String::from_utf8_lossy(&bytes).lines().filter(|l| !l.trim().is_empty()) {
            match self.parse(line) {
                Some(entry) => entries.revoked.push(entry),
                None => entries.ignored += 1,
            }
        }
        Ok(Some(entries))
    }

    fn parse(&self, line: &str) -> Option<(DeviceId, i64)> {
        let mut fields = line.split(' ');
        let (device, at, tag) = (fields.next()?, fields.next()?, fields.next()?);
        if fields.next().is_some() {
            return None;
        }
        let device = DeviceId(device.parse().ok()?);
        let at: i64 = at.parse().ok()?;
        let tag = hex::decode(tag).ok()?;
        self.mac(device, at).verify_slice(&tag).ok()?;
        Some((device, at))
    }

    fn mac(&self, device: DeviceId, at: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&*self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"));
        mac.update(format!("{device} {at}").as_bytes());
        mac
    }

    fn tag(&self, device: DeviceId, at: i64) -> String {
        hex::encode(self.mac(device, at).finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(n: u128) -> DeviceId {
        DeviceId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn what_is_recorded_reads_back_and_nothing_else_does() {
        let tmp = tempfile::tempdir().expect("tmp");
        let journal = Journal::in_dir(tmp.path(), &Key::from_bytes([5; 32]));
        assert_eq!(journal.read().expect("read"), None, "no journal yet");
        journal.record(device(1), 1_000).expect("record");
        journal.record(device(2), 2_000).expect("record");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(journal.path().expect("path")).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by the hub's user only");
        }
        let read = journal.read().expect("read").expect("a journal");
        assert_eq!(read, Entries { revoked: vec![(device(1), 1_000), (device(2), 2_000)], ignored: 0 });

        // Lines someone without the key added or changed, and noise.
        let text = std::fs::read_to_string(journal.path().expect("path")).expect("text");
        let first = text.lines().next().expect("line");
        let tag = first.rsplit(' ').next().expect("tag");
        let forged = [
            format!("{} 1000 {tag}", device(3)), // another device, the first line's tag
            format!("{} 1001 {tag}", device(1)), // another time
            format!("{} 1000 {}", device(1), "00".repeat(32)), // a made-up tag
            format!("{first} extra"),
            "not a line at all".to_owned(),
        ];
        let mut file =
            std::fs::OpenOptions::new().append(true).open(journal.path().expect("path")).expect("open");
        for line in &forged {
            writeln!(file, "{line}").expect("write");
        }
        let read = journal.read().expect("read").expect("a journal");
        assert_eq!(read.revoked, vec![(device(1), 1_000), (device(2), 2_000)]);
        assert_eq!(read.ignored, forged.len());

        // Another hub's key reads none of it.
        let other = Journal::in_dir(tmp.path(), &Key::from_bytes([6; 32]));
        let read = other.read().expect("read").expect("a journal");
        assert!(read.revoked.is_empty());
        assert_eq!(read.ignored, 2 + forged.len());
    }

    #[test]
    fn an_oversized_journal_is_refused_with_its_reason() {
        let tmp = tempfile::tempdir().expect("tmp");
        let journal = Journal::in_dir(tmp.path(), &Key::from_bytes([5; 32]));
        let file = std::fs::File::create(journal.path().expect("path")).expect("create");
        file.set_len(MAX_BYTES + 1).expect("grow");
        let err = journal.read().expect_err("too large");
        assert!(err.to_string().contains("not a revocation journal"), "{err}");
    }
}
