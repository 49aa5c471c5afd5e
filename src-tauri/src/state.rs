//! What the running app holds: where its files are, its preferences, and
//! the open register while it is unlocked.

use crdt_sync::{Maintenance, Replication, Store};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use taccuino_keys::KdfParams;
use taccuino_sync_client::{ClientError, StoreAccess};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{AppError, AppResult};
use crate::settings::Settings;

/// The files of one register, all in one directory.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The directory.
    pub dir: PathBuf,
}

impl Paths {
    /// The encrypted SQLite register.
    pub fn db(&self) -> PathBuf {
        self.dir.join("register.db")
    }
    /// The wrapped database key.
    pub fn keys(&self) -> PathBuf {
        self.dir.join("keys.json")
    }
    /// Preferences.
    pub fn settings(&self) -> PathBuf {
        self.dir.join("settings.json")
    }
    /// The key of pseudonyms in funder exports (kept apart from them).
    pub fn pseudonym_key(&self) -> PathBuf {
        self.dir.join("pseudonym.key")
    }
}

/// How the passphrase is stretched into a wrapping key.
#[derive(Clone, Copy, Debug)]
pub enum Kdf {
    /// Argon2id calibrated on this computer (the app).
    Calibrated,
    /// Fixed parameters (tests, where calibration would only cost time).
    Fixed(KdfParams),
}

impl Kdf {
    /// The parameters to wrap with now.
    pub fn params(&self) -> KdfParams {
        match self {
            Kdf::Calibrated => KdfParams::calibrate_here(KdfParams::target_here()),
            Kdf::Fixed(p) => *p,
        }
    }
}

/// The app's state, shared by every command.
pub struct AppState {
    /// Where the register lives.
    pub paths: Paths,
    /// Key stretching.
    pub kdf: Kdf,
    /// New versions from the hub (`updates/` beside the register).
    pub updates: crate::updates::Updates,
    inner: Mutex<Inner>,
    /// Held by the sync that is running: one at a time. Apart from `inner`,
    /// which a sync takes only for a step at a time.
    syncing: Mutex<()>,
}

/// Guarded by one mutex: commands run one at a time against the store,
/// which is how SQLite wants a single writer anyway.
pub struct Inner {
    /// Preferences.
    pub settings: Settings,
    /// The open register; `None` while locked.
    pub store: Option<Store>,
    /// When a command last touched the register.
    pub last_used: Instant,
    /// The database key, kept only while a register opened with the
    /// recovery key waits for its new passphrase.
    pub recovered: Option<crdt_sync::Key>,
    /// When the next automatic sync is due.
    pub backoff: taccuino_sync_client::Backoff,
    /// How many times the register was closed: a sync that sees it change
    /// between two steps ends, even if the register was opened again.
    closings: u64,
}

impl AppState {
    /// State for the register in `dir`.
    pub fn new(dir: &Path, kdf: Kdf) -> AppResult<AppState> {
        let paths = Paths { dir: dir.to_path_buf() };
        let settings = Settings::load(&paths.settings())?;
        Ok(AppState {
            updates: crate::updates::Updates::for_this_build(paths.dir.join("updates")),
            paths,
            kdf,
            inner: Mutex::new(Inner {
                settings,
                store: None,
                last_used: Instant::now(),
                recovered: None,
                backoff: taccuino_sync_client::Backoff::standard(Instant::now()),
                closings: 0,
            }),
            syncing: Mutex::new(()),
        })
    }

    /// The guarded state. An async mutex: commands wait for each other
    /// rather than fail; each holds it only while it computes (a sync takes
    /// it a step at a time, never across a network wait: [`Register`]).
    pub async fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().await
    }

    /// The guarded state if nothing holds it now (background work that
    /// should not queue behind the user).
    pub fn inner_try_lock(&self) -> Result<MutexGuard<'_, Inner>, tokio::sync::TryLockError> {
        self.inner.try_lock()
    }

    /// [`AppState::lock`] from a thread outside the async runtime.
    pub fn lock_blocking(&self) -> MutexGuard<'_, Inner> {
        self.inner.blocking_lock()
    }

    /// Runs `f` on the unlocked register, or answers [`AppError::Locked`].
    pub async fn with_store<T>(&self, f: impl FnOnce(&mut Store, &Settings) -> AppResult<T>) -> AppResult<T> {
        let mut inner = self.lock().await;
        inner.last_used = Instant::now();
        let Inner { store, settings, .. } = &mut *inner;
        let store = store.as_mut().ok_or(AppError::Locked)?;
        f(store, settings)
    }

    /// Like [`AppState::with_store`], for commands that show or change
    /// families' personal data: refused with [`AppError::Stale`] on a paired
    /// laptop that has not synced for longer than the project allows.
    pub async fn with_personal_data<T>(
        &self,
        f: impl FnOnce(&mut Store, &Settings) -> AppResult<T>,
    ) -> AppResult<T> {
        self.with_store(|s, settings| {
            ensure_fresh(s)?;
            f(s, settings)
        })
        .await
    }

    /// Waits for any running sync, then holds the right to sync until the
    /// guard is dropped.
    pub async fn sync_turn(&self) -> MutexGuard<'_, ()> {
        self.syncing.lock().await
    }

    /// The right to sync if no sync is running (background work).
    pub fn try_sync_turn(&self) -> Option<MutexGuard<'_, ()>> {
        self.syncing.try_lock().ok()
    }

    /// The open register as a sync takes it: a step at a time, and only
    /// while the register stays open as it is now (see [`Register`]).
    pub fn register(&self, inner: &Inner) -> Register<'_> {
        Register { state: self, closings: inner.closings }
    }

    /// Locks the register if it has been idle longer than the setting.
    /// Returns whether it locked now.
    pub fn lock_if_idle(&self, now: Instant) -> bool {
        let mut inner = self.lock_blocking();
        let limit = Duration::from_secs(u64::from(inner.settings.lock_after_minutes) * 60);
        if inner.store.is_some() && now.saturating_duration_since(inner.last_used) >= limit {
            close(&mut inner);
            true
        } else {
            false
        }
    }
}

/// Closes the register: checkpoints the WAL so the file is whole, then
/// drops the store (and with it the key, and the person using the app:
/// the next unlock asks again).
pub fn close(inner: &mut Inner) {
    inner.recovered = None;
    inner.closings += 1;
    if let Some(store) = inner.store.take()
        && let Err(e) = store.checkpoint()
    {
        tracing::warn!(error = %e, "checkpoint at lock failed");
    }
}

/// Refuses access to families' personal data on a paired laptop whose last
/// completed sync is older than the project's `stale_device_days` (or that
/// never completed one). Syncing lifts it. The demo register is not paired
/// and never stale.
fn ensure_fresh(s: &mut Store) -> AppResult<()> {
    match s.stale_limit()? {
        Some(days) => Err(AppError::Stale { days }),
        None => Ok(()),
    }
}

/// The register lent to a sync ([`StoreAccess`]): each step locks the state,
/// runs on the store and unlocks. A register closed since the sync began
/// (locked by the user or after inactivity, even if opened again) ends the
/// sync with [`ClientError::StoreClosed`]: the session's view of the
/// documents belongs to the register it started on.
pub struct Register<'a> {
    state: &'a AppState,
    closings: u64,
}

impl StoreAccess for Register<'_> {
    async fn with_store<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T + Send,
    ) -> Result<T, ClientError> {
        let mut inner = self.state.lock().await;
        if inner.closings != self.closings {
            return Err(ClientError::StoreClosed);
        }
        let store = inner.store.as_mut().ok_or(ClientError::StoreClosed)?;
        Ok(f(store))
    }
}
