//! What the crash test (`tests/tests/crash.rs`) and its child process
//! (`src/bin/crash_writer.rs`) agree on: the key, the lines the child
//! prints, and the file that tells the device child where its hub is.

use std::path::Path;

use crdt_sync::Key;
use crdt_sync::sync::CertFingerprint;
use taccuino_sync_client::Endpoint;

use crate::fixture;

/// The key of the crash test's database.
pub fn key() -> Key {
    fixture::key(KEY_BYTE)
}

/// The byte [`key`] is made of (the parent also reads the file without the
/// store, and needs the raw key for that).
pub const KEY_BYTE: u8 = 0xC4;

/// Printed once the store is open and holds the register.
pub const READY: &str = "ready";

/// Printed just before each `create_meeting`.
pub const WRITING: &str = "writing";

/// Printed, followed by the meeting's id, just after `create_meeting`
/// returned: that meeting is durable.
pub const COMMITTED: &str = "committed ";

/// Printed by `crash_writer device` just before each sync with the hub.
pub const SYNCING: &str = "syncing";

/// Printed by `crash_writer device` just before each step of a sync that
/// takes the register (to compute what to send, or to store what came).
pub const STEP: &str = "step";

/// Printed just after such a step returned: a last [`STEP`] with no
/// `stepped` after it means the kill landed inside the step.
pub const STEPPED: &str = "stepped";

/// Printed, followed by the number of documents the sync changed here, when
/// a sync finished: every meeting reported [`COMMITTED`] before the
/// [`SYNCING`] that started it is on the hub.
pub const SYNCED: &str = "synced ";

/// Printed, followed by `<kind>: <error>`, when a sync failed and the device
/// carries on (the hub went away). `<kind>` names the variant of
/// [`taccuino_sync_client::ClientError`] in lower case (`network`, `io`,
/// `protocol`, `stalled`, `store`, ...).
pub const SYNC_FAILED: &str = "sync failed ";

/// The hub a `crash_writer device` syncs with and its credential, in a file
/// that the child reads before every sync: the parent rewrites it when it
/// restarts the hub on another port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The hub, its certificate pinned.
    pub hub: Endpoint,
    /// The device's credential.
    pub token: String,
}

/// A link file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Reading or writing the file failed.
    #[error("link file: {0}")]
    Io(#[from] std::io::Error),
    /// The file does not hold `wss://address`, a fingerprint and a token.
    #[error("link file: {0}")]
    Malformed(String),
}

impl Link {
    /// Writes the link to `path` at once (a new file renamed over the old),
    /// so that a child reading it meanwhile sees the old link or the new.
    pub fn write(&self, path: &Path) -> Result<(), LinkError> {
        let pin = self.hub.pin().ok_or_else(|| LinkError::Malformed("no pinned certificate".into()))?;
        let text = format!("wss://{}\n{}\n{}\n", self.hub.authority(), pin.to_hex(), self.token);
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".new");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Reads what [`Link::write`] wrote.
    pub fn read(path: &Path) -> Result<Link, LinkError> {
        let text = std::fs::read_to_string(path)?;
        let mut lines = text.lines();
        let mut next = |what: &str| lines.next().ok_or_else(|| LinkError::Malformed(format!("no {what}")));
        let url = next("address")?;
        let hub = Endpoint::parse(url).map_err(|e| LinkError::Malformed(e.to_string()))?;
        let pin = next("fingerprint")?;
        let pin = CertFingerprint::from_hex(pin).ok_or_else(|| LinkError::Malformed(pin.to_owned()))?;
        let token = next("token")?.to_owned();
        Ok(Link { hub: hub.pinned(pin), token })
    }
}
