//! The hub's data directory: its registry, its encrypted register, the key
//! of that register, its TLS certificate, and the project's pseudonym key
//! for funder exports (`pseudonym.key`, decision 0012).

use std::io::Write;
use std::path::{Path, PathBuf};

use crdt_sync::export::PseudonymKey;
use crdt_sync::{CodeRange, DeviceConfig, DeviceId, Key, ProjectId, Store, SystemEnv};
use rand::RngCore;
use uuid::Uuid;

use crate::error::{HubError, Result};
use crate::registry::Registry;
use crate::tls::{CertPaths, Identity};

/// Paths inside the data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The directory at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
        move |source| HubError::Io { path: path.to_owned(), source }
    }

    /// Creates a new hub for `project`: the register (encrypted with a new
    /// random key written to `hub.key`, readable by the owner only) and the
    /// registry. Refuses to touch an existing hub.
    pub fn init(&self, project: ProjectId) -> Result<()> {
        std::fs::create_dir_all(&self.root).map_err(Self::io(&self.root))?;
        let key_path = self.path("hub.key");
        if key_path.exists() || self.path("register.db").exists() {
            return Err(HubError::Usage(format!("{} already holds a hub", self.root.display())));
        }
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&key_path).map_err(Self::io(&key_path))?;
        f.write_all(hex::encode(key).as_bytes()).map_err(Self::io(&key_path))?;
        f.sync_all().map_err(Self::io(&key_path))?;
        let config = DeviceConfig {
            device: DeviceId(Uuid::now_v7()),
            project,
            // The hub registers nothing itself; block 0 is its own.
            codes: CodeRange::new(1, 999)?,
        };
        Store::create(self.path("register.db"), &Key::from_bytes(key), config, Box::new(SystemEnv))?;
        Registry::open(&self.path("hub.db"))?;
        Identity::generate(&self.generated_tls())?;
        self.pseudonym_key()?;
        Ok(())
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
        if paths.cert.exists() { Identity::load(&paths) } else { Identity::generate(&paths) }
    }

    fn key(&self) -> Result<Key> {
        let path = self.path("hub.key");
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => HubError::Usage(format!(
                "{} holds no hub: run `taccuino-hub init` first",
                self.root.display()
            )),
            _ => HubError::Io { path: path.clone(), source: e },
        })?;
        let bytes = hex::decode(text.trim())
            .map_err(|_| HubError::Usage(format!("{} is damaged", path.display())))?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| HubError::Usage(format!("{} is damaged", path.display())))?;
        Ok(Key::from_bytes(key))
    }

    /// Takes the data directory's exclusive lock: the running server holds
    /// it, so a command that writes the register (`import`) cannot run
    /// behind the server's back. Released when the file is dropped or the
    /// process dies.
    pub fn lock(&self) -> Result<std::fs::File> {
        let path = self.path("serve.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Self::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(HubError::Usage(format!("the hub in {} is running: stop it first", self.root.display())))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(HubError::Io { path, source: e }),
        }
    }

    /// Opens the register.
    pub fn open_store(&self) -> Result<Store> {
        let key = self.key()?;
        Ok(Store::open(self.path("register.db"), &key, Box::new(SystemEnv))?)
    }

    /// Opens the registry.
    pub fn open_registry(&self) -> Result<Registry> {
        if !self.path("register.db").exists() {
            return Err(HubError::Usage(format!(
                "{} holds no hub: run `taccuino-hub init` first",
                self.root.display()
            )));
        }
        Registry::open(&self.path("hub.db"))
    }
}

/// Reads a pseudonym key file (the hub's, or one given with
/// `--pseudonym-key`).
pub fn read_pseudonym_key(path: &Path) -> Result<PseudonymKey> {
    let text =
        std::fs::read_to_string(path).map_err(|source| HubError::Io { path: path.to_owned(), source })?;
    PseudonymKey::from_text(&text)
        .map_err(|_| HubError::Usage(format!("{} is not a pseudonym key", path.display())))
}
