//! The hub's data directory: its registry, its encrypted register, the key
//! of that register (unless it is kept outside: `hub_key`), its TLS
//! certificate, and the project's pseudonym key for funder exports
//! (`pseudonym.key`, decision 0012). The directory is 0700 and what it holds
//! 0600 (`private`, decision 0016).

use std::io::Write;
use std::path::{Path, PathBuf};

use crdt_sync::{CodeRange, DeviceConfig, DeviceId, Key, ProjectId, Store, SystemEnv};
use rand::RngCore;
use taccuino_reports::export::PseudonymKey;
use uuid::Uuid;

use crate::error::{HubError, Result};
use crate::hub_key::{self, KEY_FILE_NAME, KeyOrigin};
use crate::private;
use crate::registry::Registry;
use crate::tls::{CertPaths, Identity};

/// Paths inside the data directory, and where the hub's key is.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
    key: KeyOrigin,
}

/// The data directory's exclusive lock ([`DataDir::lock`]), held while it
/// lives.
#[derive(Debug)]
pub struct DirLock(#[allow(dead_code)] std::fs::File);

impl DataDir {
    /// The directory at `root`, its key in `root/hub.key`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into(), key: KeyOrigin::DataDir }
    }

    /// The directory at `root`, its key kept as `key` says.
    pub fn with_key(root: impl Into<PathBuf>, key: KeyOrigin) -> Self {
        DataDir { root: root.into(), key }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
        move |source| HubError::Io { path: path.to_owned(), source }
    }

    /// Creates a new hub for `project`: the register, encrypted with the
    /// hub's key, and the registry, in a 0700 directory. The key is a new
    /// random one written to `hub.key` (readable by the owner only), or,
    /// when it is kept outside the directory, the one in the environment,
    /// or the one in the key file (written there if the file does not exist
    /// yet). Refuses to touch an existing hub.
    pub fn init(&self, project: ProjectId) -> Result<()> {
        private::create_dir(&self.root)?;
        if self.path(KEY_FILE_NAME).exists() || self.path("register.db").exists() {
            return Err(HubError::Usage(format!("{} already holds a hub", self.root.display())));
        }
        let key = match &self.key {
            KeyOrigin::Env(_) => self.key()?,
            KeyOrigin::File(path) if path.exists() => self.key()?,
            KeyOrigin::DataDir | KeyOrigin::File(_) => {
                let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
                rand::rng().fill_bytes(bytes.as_mut_slice());
                let key = Key::from_bytes(*bytes);
                let path = match &self.key {
                    KeyOrigin::File(path) => path.clone(),
                    _ => self.path(KEY_FILE_NAME),
                };
                hub_key::write_key_file(&path, &key)?;
                key
            }
        };
        let config = DeviceConfig {
            device: DeviceId(Uuid::now_v7()),
            project,
            // The hub registers nothing itself; block 0 is its own.
            codes: CodeRange::new(1, 999)?,
        };
        Store::create(self.path("register.db"), &key, config, Box::new(SystemEnv))?;
        Registry::open(&self.path("hub.db"), &key)?;
        private::create_dir(&self.path("tls"))?;
        Identity::generate(&self.generated_tls())?;
        self.pseudonym_key()?;
        private::tighten(&self.root);
        Ok(())
    }

    /// The register (`/metrics` reports its size).
    pub(crate) fn register_path(&self) -> PathBuf {
        self.path("register.db")
    }

    /// The registry (`/metrics` reports its size).
    pub(crate) fn registry_path(&self) -> PathBuf {
        self.path("hub.db")
    }

    /// The file `taccuino-hub backup` writes after each backup: its mtime
    /// is when the last one finished (`/metrics`).
    pub(crate) fn backup_stamp_path(&self) -> PathBuf {
        self.path("backup.stamp")
    }

    /// The file `/health` writes, syncs to disk and removes, to know that
    /// the data directory's disk takes writes.
    pub(crate) fn health_probe_path(&self) -> PathBuf {
        self.path("health.probe")
    }

    /// Where the project's pseudonym key is (it may not exist yet).
    pub fn pseudonym_key_path(&self) -> PathBuf {
        self.path("pseudonym.key")
    }

    /// The project's pseudonym key for funder exports: read from
    /// `pseudonym.key`, or created there (readable by the owner only) on
    /// first use by a hub that predates it. It never goes into an export.
    pub fn pseudonym_key(&self) -> Result<PseudonymKey> {
        let path = self.pseudonym_key_path();
        if path.exists() {
            return read_pseudonym_key(&path);
        }
        self.key()?;
        let key = PseudonymKey::generate(&mut rand::rngs::OsRng)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = match options.open(&path) {
            Ok(f) => f,
            // Another command created it just now: use that one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return read_pseudonym_key(&path),
            Err(e) => return Err(HubError::Io { path, source: e }),
        };
        f.write_all(key.to_text().as_bytes()).map_err(Self::io(&path))?;
        f.write_all(b"\n").map_err(Self::io(&path))?;
        f.sync_all().map_err(Self::io(&path))?;
        Ok(key)
    }

    /// Where `init` puts the self-signed certificate.
    fn generated_tls(&self) -> CertPaths {
        CertPaths { cert: self.path("tls/cert.pem"), key: self.path("tls/key.pem") }
    }

    /// The hub's TLS identity: the certificate it was given, or the one in
    /// the data directory (generated now if this hub predates TLS).
    pub fn tls_identity(&self, given: Option<&CertPaths>) -> Result<Identity> {
        if let Some(paths) = given {
            return Identity::load(paths);
        }
        self.key()?;
        let paths = self.generated_tls();
        if paths.cert.exists() {
            return Identity::load(&paths);
        }
        private::create_dir(&self.path("tls"))?;
        let identity = Identity::generate(&paths)?;
        private::tighten(&self.root);
        Ok(identity)
    }

    /// The hub's key, from wherever it is kept. On the way, the directory
    /// and what it holds are brought to 0700 / 0600 (with a warning for
    /// what was looser).
    pub(crate) fn key(&self) -> Result<Key> {
        private::tighten(&self.root);
        let in_dir = self.path(KEY_FILE_NAME);
        match &self.key {
            KeyOrigin::DataDir => read_key_file(&in_dir, || {
                let no_hub = !self.path("register.db").exists();
                if no_hub {
                    format!("{} holds no hub: run `taccuino-hub init` first", self.root.display())
                } else {
                    format!(
                        "no key for the hub in {}: give it with {}, --key-file, {} or systemd's \
                         credential hub.key",
                        self.root.display(),
                        hub_key::KEY_ENV,
                        "TACCUINO_HUB_KEY_FILE"
                    )
                }
            }),
            other => {
                if in_dir.exists() {
                    tracing::warn!(
                        path = %in_dir.display(),
                        "the data directory still holds a key file: a copy of the directory carries \
                         its key; move it out once the key kept outside works"
                    );
                }
                match other {
                    KeyOrigin::Env(hex) => hub_key::parse_key(hex, hub_key::KEY_ENV),
                    KeyOrigin::File(path) => {
                        read_key_file(path, || format!("no hub key at {}", path.display()))
                    }
                    KeyOrigin::DataDir => unreachable!("matched above"),
                }
            }
        }
    }

    /// A wrong key says so, and where it came from (never "file is not a
    /// database").
    fn wrong_key(&self, e: HubError) -> HubError {
        match e {
            HubError::Core(crdt_sync::Error::WrongKeyOrNotADatabase { path }) => {
                HubError::WrongKey { path, whence: self.key.describe(&self.root) }
            }
            e => e,
        }
    }

    /// Takes the data directory's exclusive lock: the running server holds
    /// it, so a command that writes the register (`import`) cannot run
    /// behind the server's back. Released when the file is dropped or the
    /// process dies.
    pub fn lock(&self) -> Result<DirLock> {
        self.try_lock()?.ok_or_else(|| {
            HubError::Usage(format!("the hub in {} is running: stop it first", self.root.display()))
        })
    }

    /// [`DataDir::lock`], or `None` when a running hub holds it: the
    /// administration commands then hand their work to that hub
    /// (`admin::socket::send`).
    pub fn try_lock(&self) -> Result<Option<DirLock>> {
        let path = self.path("serve.lock");
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(Self::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DirLock(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(HubError::Io { path, source: e }),
        }
    }

    /// The data directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Opens the register.
    pub fn open_store(&self) -> Result<Store> {
        let key = self.key()?;
        Store::open(self.path("register.db"), &key, Box::new(SystemEnv)).map_err(|e| self.wrong_key(e.into()))
    }

    /// Opens the registry. A plaintext registry of an earlier version is
    /// encrypted first, under the data directory's lock: if a hub is
    /// running (an earlier version, with the file open), that is refused
    /// until it is stopped.
    pub fn open_registry(&self) -> Result<Registry> {
        self.registry(None)
    }

    /// The journal of this hub's revocations (decision 0041): in
    /// `configured`, the directory its scheduled backups go to, or else
    /// beside its last backup, wherever that is at each revocation.
    pub fn revocation_journal(&self, configured: Option<&Path>) -> Result<crate::backup::journal::Journal> {
        use crate::backup::journal::Journal;
        let key = self.key()?;
        Ok(match configured {
            Some(dir) => Journal::in_dir(dir, &key),
            None => Journal::beside_last_backup(&self.path(crate::backup::STAMP), &key),
        })
    }

    /// Opens the registry while holding the directory's `lock` (the server).
    pub fn open_registry_locked(&self, lock: &DirLock) -> Result<Registry> {
        self.registry(Some(lock))
    }

    fn registry(&self, held: Option<&DirLock>) -> Result<Registry> {
        if !self.path("register.db").exists() {
            return Err(HubError::Usage(format!(
                "{} holds no hub: run `taccuino-hub init` first",
                self.root.display()
            )));
        }
        let key = self.key()?;
        let path = self.path("hub.db");
        let _lock = match held {
            None if Registry::needs_encrypting(&path)? => Some(self.lock().map_err(|e| match e {
                HubError::Usage(_) => HubError::Usage(format!(
                    "{} is not encrypted yet and a hub is running on {}: stop it, then run this \
                     command again (or start this version's hub) to encrypt it",
                    path.display(),
                    self.root.display()
                )),
                e => e,
            })?),
            _ => None,
        };
        let registry = Registry::open(&path, &key).map_err(|e| self.wrong_key(e))?;
        private::tighten(&self.root);
        Ok(registry)
    }
}

fn read_key_file(path: &Path, missing: impl FnOnce() -> String) -> Result<Key> {
    hub_key::read_key_file(path, missing)
}

/// Reads a pseudonym key file (the hub's, or one given with
/// `--pseudonym-key`).
pub fn read_pseudonym_key(path: &Path) -> Result<PseudonymKey> {
    let text =
        std::fs::read_to_string(path).map_err(|source| HubError::Io { path: path.to_owned(), source })?;
    PseudonymKey::from_text(&text)
        .map_err(|_| HubError::Usage(format!("{} is not a pseudonym key", path.display())))
}
