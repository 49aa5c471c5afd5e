//! The register itself: first run (create, with or without the demo data),
//! unlock, lock, passphrase change, language and lab preferences, and who
//! is using the app.

use chrono::NaiveDate;
use crdt_sync::authz::Action;
use crdt_sync::sync::DeviceRole;
use crdt_sync::{
    ActivityType, CodeRange, DeviceConfig, DeviceId, Key, Lab, LabId, Person, PersonId, ProjectId,
    ProjectSettings, Replication, Staff, Store, SystemEnv,
};
use serde::Serialize;
use taccuino_demo::{self as demo, DemoSize};
use taccuino_keys::{KeyFile, RecoveryPublic, RecoverySecret};
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::files::write_atomically;
use crate::settings::{Language, Settings};
use crate::state::{AppState, close};

/// The demo data is the same on every computer, so a trainer can say
/// "search for Nicolò" to a room of volunteers.
const DEMO_SEED: u64 = 2026;

/// Where the app is in its life on this computer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RegisterState {
    /// No register yet: the first-run screens.
    New,
    /// A register exists and is locked.
    Locked,
    /// Open.
    Unlocked,
}

/// What the app shows before anything else.
#[derive(Debug, Serialize, specta::Type)]
pub struct AppStatus {
    /// New, locked or open.
    pub register: RegisterState,
    /// Preferences (language first).
    pub settings: Settings,
}

/// What every screen needs once the register is open.
#[derive(Debug, Serialize, specta::Type)]
pub struct SessionInfo {
    /// The labs this register knows, by number.
    pub labs: Vec<Lab>,
    /// The project's activity types.
    pub activity_types: Vec<ActivityType>,
    /// The lab shown by default.
    pub lab: Option<LabId>,
    /// Today in Pavia.
    pub today: NaiveDate,
    /// Preferences.
    pub settings: Settings,
    /// What this device was enrolled as; none on the demo register, which
    /// is not paired and where every action is allowed.
    pub role: Option<DeviceRole>,
    /// What this device's role may do, from the one table the shell
    /// enforces too ([`crdt_sync::authz::rights`]): the screens offer only
    /// these.
    pub rights: Vec<Action>,
    /// The person using the app, as they said after opening the register
    /// ([`set_operator`]): the audit trail names them beside this device.
    /// None until they say, if they prefer not to, and after every lock.
    pub operator: Option<Person>,
}

/// New, locked or open, and the preferences.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> AppResult<AppStatus> {
    let inner = state.lock().await;
    let register = if inner.store.is_some() {
        RegisterState::Unlocked
    } else if state.paths.db().exists() {
        RegisterState::Locked
    } else {
        RegisterState::New
    };
    Ok(AppStatus { register, settings: inner.settings.clone() })
}

/// Sets the interface language (kept across restarts).
#[tauri::command]
#[specta::specta]
pub async fn set_language(state: State<'_, AppState>, language: Language) -> AppResult<()> {
    let mut inner = state.lock().await;
    let mut settings = inner.settings.clone();
    settings.language = language;
    settings.save(&state.paths.settings())?;
    inner.settings = settings;
    Ok(())
}

/// Sets the lab shown by default.
#[tauri::command]
#[specta::specta]
pub async fn select_lab(state: State<'_, AppState>, lab: LabId) -> AppResult<SessionInfo> {
    let mut inner = state.lock().await;
    let mut settings = inner.settings.clone();
    settings.lab = Some(lab);
    settings.save(&state.paths.settings())?;
    inner.settings = settings;
    drop(inner);
    state.with_store(session).await
}

/// Says who is using the app from now on ("Chi sta usando il registro?",
/// asked after every unlock): every change and export made until the
/// register locks is recorded in the audit trail with this person as well
/// as this device. `null`: nobody said, and entries carry the device only.
/// The person must be on the register's staff: an unknown id is refused
/// with `not_found` (`person`) and nothing changes. The choice is
/// remembered on this computer (`settings.last_operator`) and offered
/// first next time; choosing nobody keeps the last person offered.
#[tauri::command]
#[specta::specta]
pub async fn set_operator(state: State<'_, AppState>, person: Option<PersonId>) -> AppResult<SessionInfo> {
    let mut inner = state.lock().await;
    inner.last_used = std::time::Instant::now();
    let crate::state::Inner { store, settings, .. } = &mut *inner;
    let store = store.as_mut().ok_or(AppError::Locked)?;
    if let Some(id) = person {
        // Persons are never erased today; an id the register does not
        // know (a typo, another project's) answers `not_found` here.
        store.person(id)?;
        if settings.last_operator != Some(id) {
            let changed = Settings { last_operator: Some(id), ..settings.clone() };
            changed.save(&state.paths.settings())?;
            *settings = changed;
        }
    }
    store.set_operator(person);
    session(store, settings)
}

/// Creates a register with the small demo data set (one lab, 25
/// families) to try the app: a random database key, wrapped by
/// `passphrase`. A real register comes from pairing with the hub
/// (`pair_with_hub`), which brings the project's labs. If anything fails
/// half-way, the files are removed so that the next attempt starts clean.
#[tauri::command]
#[specta::specta]
pub async fn create_demo_register(state: State<'_, AppState>, passphrase: String) -> AppResult<SessionInfo> {
    let mut inner = state.lock().await;
    if state.paths.db().exists() {
        return Err(AppError::RegisterExists);
    }
    let key = taccuino_keys::generate_key(&mut rand::rng())?;
    let file = KeyFile::create(&key, &passphrase, state.kdf.params(), &mut rand::rng())?;
    let created = (|| {
        // The key file goes first: a register must never exist without it.
        write_atomically(&state.paths.keys(), file.to_json().as_bytes())?;
        let config = DeviceConfig {
            device: DeviceId(uuid::Uuid::now_v7()),
            project: ProjectId(uuid::Uuid::now_v7()),
            codes: CodeRange::new(1, 9999)?,
        };
        let mut store = Store::create(state.paths.db(), &key, config, Box::new(SystemEnv))?;
        demo::populate(&mut store, DemoSize::Small, DEMO_SEED)?;
        AppResult::Ok(store)
    })();
    let mut store = match created {
        Ok(store) => store,
        Err(e) => {
            remove_register_files(&state);
            return Err(e);
        }
    };
    let mut settings = inner.settings.clone();
    settings.lab = store.labs()?.first().map(|l| l.id);
    settings.save(&state.paths.settings())?;
    inner.settings = settings;
    let info = session(&mut store, &inner.settings)?;
    inner.store = Some(store);
    Ok(info)
}

/// Removes a register that could not be completed (best effort: what
/// cannot be removed is reported in the log, and the next attempt says
/// `register_exists`).
pub(crate) fn remove_register_files(state: &AppState) {
    let db = state.paths.db();
    let mut paths = vec![state.paths.keys()];
    for suffix in ["", "-wal", "-shm"] {
        paths.push(std::path::PathBuf::from(format!("{}{suffix}", db.display())));
    }
    for p in paths {
        if let Err(e) = std::fs::remove_file(&p)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::error!(path = %p.display(), error = %e, "could not remove a half-created register file");
        }
    }
}

/// Opens the register with the passphrase.
#[tauri::command]
#[specta::specta]
pub async fn unlock(state: State<'_, AppState>, passphrase: String) -> AppResult<SessionInfo> {
    let file = read_key_file(&state)?;
    let key = file.unlock(&passphrase)?;
    open_with(&state, &key).await
}

/// Opens the register with the recovery key the coordinator holds, when
/// the passphrase is lost. Set a new passphrase right after.
#[tauri::command]
#[specta::specta]
pub async fn unlock_with_recovery(
    state: State<'_, AppState>,
    recovery_key: String,
) -> AppResult<SessionInfo> {
    let file = read_key_file(&state)?;
    let secret = RecoverySecret::from_text(recovery_key.trim()).map_err(|_| AppError::WrongRecoveryKey)?;
    let key = file.unlock_with_recovery(&secret)?;
    let info = open_with(&state, &key).await?;
    state.lock().await.recovered = Some(key);
    Ok(info)
}

/// After opening with the recovery key: sets the new passphrase (the old
/// one is lost, so it is not asked). Refused in any other session.
#[tauri::command]
#[specta::specta]
pub async fn set_new_passphrase(state: State<'_, AppState>, new_passphrase: String) -> AppResult<()> {
    let mut inner = state.lock().await;
    let key = inner.recovered.as_ref().ok_or(AppError::Locked)?;
    let mut file = read_key_file(&state)?;
    file.set_passphrase(key, &new_passphrase, state.kdf.params(), &mut rand::rng())?;
    write_atomically(&state.paths.keys(), file.to_json().as_bytes())?;
    inner.recovered = None;
    Ok(())
}

/// Adds a recovery wrap for the coordinator's recovery key (its public
/// half, `tcr1-…`, which the coordinator hands out): from then on the
/// coordinator's secret half opens this register if the passphrase is lost.
/// Asks for the passphrase again, since it grants a second way in.
#[tauri::command]
#[specta::specta]
pub async fn add_recovery_key(
    state: State<'_, AppState>,
    passphrase: String,
    recovery_public: String,
) -> AppResult<Vec<String>> {
    let _inner = state.lock().await;
    let recipient = RecoveryPublic::from_text(recovery_public.trim())
        .map_err(|e| AppError::Invalid { field: "recovery_public".into(), reason: e.to_string() })?;
    let mut file = read_key_file(&state)?;
    let key = file.unlock(&passphrase)?;
    file.add_recovery(&key, &recipient, &mut rand::rng())?;
    write_atomically(&state.paths.keys(), file.to_json().as_bytes())?;
    Ok(file.recovery_recipients().map(|r| r.to_text()).collect())
}

/// The recovery keys (public halves) that can open this register.
#[tauri::command]
#[specta::specta]
pub async fn recovery_keys(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    let file = read_key_file(&state)?;
    Ok(file.recovery_recipients().map(|r| r.to_text()).collect())
}

/// Locks the register now (and forgets who was using it).
#[tauri::command]
#[specta::specta]
pub async fn lock_register(state: State<'_, AppState>) -> AppResult<()> {
    close(&mut *state.lock().await);
    Ok(())
}

/// Changes the passphrase. The database key stays the same, so nothing in
/// the register is rewritten; only the small key file is replaced, whole.
#[tauri::command]
#[specta::specta]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    old_passphrase: String,
    new_passphrase: String,
) -> AppResult<()> {
    let _inner = state.lock().await;
    let mut file = read_key_file(&state)?;
    file.change_passphrase(&old_passphrase, &new_passphrase, state.kdf.params(), &mut rand::rng())?;
    write_atomically(&state.paths.keys(), file.to_json().as_bytes())
}

/// Labs, activity types and today, for the screens.
#[tauri::command]
#[specta::specta]
pub async fn session_info(state: State<'_, AppState>) -> AppResult<SessionInfo> {
    state.with_store(session).await
}

pub(crate) fn session(store: &mut Store, settings: &Settings) -> AppResult<SessionInfo> {
    let labs = store.labs()?;
    let role = store.hub_link()?.map(|l| l.role);
    let lab = settings.lab.filter(|l| labs.iter().any(|x| x.id == *l)).or_else(|| labs.first().map(|l| l.id));
    Ok(SessionInfo {
        labs,
        activity_types: store.activity_types()?,
        lab,
        today: crdt_sync::Environment::today(&mut SystemEnv),
        settings: settings.clone(),
        role,
        rights: crdt_sync::authz::rights(role),
        operator: store.operator().map(|id| store.person(id)).transpose()?,
    })
}

fn read_key_file(state: &AppState) -> AppResult<KeyFile> {
    let path = state.paths.keys();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NoRegister),
        Err(e) => return Err(AppError::file(&path, e)),
    };
    Ok(KeyFile::from_json(&bytes)?)
}

async fn open_with(state: &AppState, key: &Key) -> AppResult<SessionInfo> {
    let mut inner = state.lock().await;
    if inner.store.is_none() {
        // Opening checks the projection and compacts: see `Store::open`.
        inner.store = Some(Store::open(state.paths.db(), key, Box::new(SystemEnv))?);
    }
    inner.last_used = std::time::Instant::now();
    let crate::state::Inner { store, settings, .. } = &mut *inner;
    let store = store.as_mut().ok_or(AppError::Locked)?;
    session(store, settings)
}
