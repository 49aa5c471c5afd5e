//! *Sincronizzazione*: pairing with the hub (on first run), syncing now,
//! the link's status, and sync bundles for labs with no network.
//!
//! A sync takes the register only to compute and to apply, a step at a
//! time, never while it waits on the network (`state::Register`,
//! decision 0021): a save during a sync with a slow hub does not wait for
//! it. One sync runs at a time (`AppState::sync_turn`). What arrives is
//! applied through the store's own write path, so the projection follows.

use crdt_sync::sync::bundle::{self, BundleKey};
use crdt_sync::sync::{Fatal, Grant, access};
use crdt_sync::{DeviceConfig, DocRef, HubLink, HubLinkStatus, Replication, Store, SyncOutcome, SystemEnv};
use serde::Serialize;
use taccuino_keys::KeyFile;
use taccuino_sync_client::{ClientError, Endpoint, Paired, Report, StoreAccess};
use tauri::{AppHandle, Runtime, State};
use tauri_specta::Event;

use super::register::{SessionInfo, remove_register_files, session};
use crate::error::{AppError, AppResult};
use crate::events::SyncStatusChanged;
use crate::files::write_atomically;
use crate::files_dialog::chooser;
use crate::state::AppState;

/// The sync screen's data.
#[derive(Debug, Serialize, specta::Type)]
pub struct SyncStatus {
    /// The link to the hub, if this device is paired.
    pub link: Option<HubLinkStatus>,
}

/// What a sync did.
#[derive(Debug, Serialize, specta::Type)]
pub struct SyncSummary {
    /// How it ended.
    pub outcome: SyncOutcome,
    /// Documents that changed here.
    pub docs_changed: u64,
    /// Bytes sent and received.
    pub bytes_out: u64,
    /// Bytes received.
    pub bytes_in: u64,
    /// Documents the hub refused, with the reason (`not_allowed`,
    /// `read_only`, `bad_bytes`, `not_listed`, `erased`,
    /// `erasure_not_allowed`, `restricted`, `too_large`).
    pub refused: Vec<RefusedDoc>,
}

/// One refused document.
#[derive(Debug, Serialize, specta::Type)]
pub struct RefusedDoc {
    /// `kind:uuid`.
    pub doc: String,
    /// Why, as a key the UI explains in words.
    pub reason: String,
}

/// What importing a bundle did.
#[derive(Debug, Serialize, specta::Type)]
pub struct BundleImport {
    /// Documents that gained changes.
    pub changed: u32,
    /// Documents already up to date.
    pub unchanged: u32,
    /// Documents this device may not write (left out).
    pub skipped: u32,
    /// Documents refused (damaged, or a family that would leave the lab).
    pub refused: u32,
}

/// First run, paired: redeems the pairing code at the hub, creates the
/// register with the identity the hub gives (device id, project, code
/// range), keeps the credential inside the encrypted file, and syncs once.
#[tauri::command]
#[specta::specta]
pub async fn pair_with_hub<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    url: String,
    code: String,
    device_name: String,
    passphrase: String,
) -> AppResult<SessionInfo> {
    let hub = Endpoint::parse(&url)
        .map_err(|e| AppError::Invalid { field: "hub.url".into(), reason: e.to_string() })?;
    let mut inner = state.lock().await;
    if state.paths.db().exists() {
        return Err(AppError::RegisterExists);
    }
    // Check the passphrase before spending the one-time code.
    let key = taccuino_keys::generate_key(&mut rand::rng())?;
    let file = KeyFile::create(&key, &passphrase, state.kdf.params(), &mut rand::rng())?;
    let Paired { enrolled, hub } =
        taccuino_sync_client::enroll(&hub, code.trim(), device_name.trim()).await.map_err(client_error)?;
    let created = (|| {
        write_atomically(&state.paths.keys(), file.to_json().as_bytes())?;
        let config =
            DeviceConfig { device: enrolled.device, project: enrolled.project, codes: enrolled.codes };
        let mut store = Store::create(state.paths.db(), &key, config, Box::new(SystemEnv))?;
        store.set_hub_link(&HubLink {
            url: hub.to_string(),
            cert: hub.pin(),
            token: enrolled.token.clone(),
            role: enrolled.role,
            lab: enrolled.lab,
            bundle_key: enrolled.bundle_key.clone(),
        })?;
        AppResult::Ok(store)
    })();
    let mut store = match created {
        Ok(store) => store,
        Err(e) => {
            // The code is spent: the coordinator must issue a new one, but
            // nothing half-made stays on this laptop.
            remove_register_files(&state);
            return Err(e);
        }
    };
    // The first sync brings the labs; if it fails the register is still
    // paired and the next sync will bring them.
    let summary = run_sync(&app, &mut store).await;
    if let Err(e) = &summary {
        tracing::warn!(error = %e, "first sync after pairing failed");
    }
    let mut settings = inner.settings.clone();
    settings.lab = enrolled.lab.or(settings.lab);
    settings.save(&state.paths.settings())?;
    inner.settings = settings;
    let info = session(&mut store, &inner.settings)?;
    inner.store = Some(store);
    Ok(info)
}

/// The link's status, for the sync screen.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> AppResult<SyncStatus> {
    state.with_store(|s, _| Ok(SyncStatus { link: s.hub_link_status()? })).await
}

/// Syncs with the hub now, emitting `SyncStatusChanged` as it goes. Waits
/// for a sync already running (one at a time), then runs its own; the
/// register stays free for other commands meanwhile.
#[tauri::command]
#[specta::specta]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<SyncSummary> {
    let _turn = state.sync_turn().await;
    let mut register = {
        let mut inner = state.lock().await;
        if inner.store.is_none() {
            return Err(AppError::Locked);
        }
        inner.last_used = std::time::Instant::now();
        state.register(&inner)
    };
    let result = run_sync(&app, &mut register).await;
    state.lock().await.backoff.record(std::time::Instant::now(), attempt_of(&result), rand::random());
    result
}

/// Syncs by itself while the register is open and paired: when the
/// [`Backoff`](taccuino_sync_client::Backoff) says it is due (every 10
/// minutes, sooner retries after a failure, none after a refusal). A tick
/// that finds the register busy, or a sync running, simply waits for the
/// next one. The register stays free for commands while the sync runs.
pub fn start_auto_sync<R: Runtime>(app: AppHandle<R>, tick: std::time::Duration) {
    use tauri::Manager;
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(tick).await;
            let Some(state) = app.try_state::<AppState>() else { continue };
            let Some(_turn) = state.try_sync_turn() else { continue };
            let mut register = {
                let Ok(inner) = state.inner_try_lock() else { continue };
                let now = std::time::Instant::now();
                let Some(store) = inner.store.as_ref() else { continue };
                if !inner.backoff.due(now) || !matches!(store.hub_link(), Ok(Some(_))) {
                    continue;
                }
                state.register(&inner)
            };
            let result = run_sync(&app, &mut register).await;
            if let Err(e) = &result {
                tracing::info!(error = %e, "automatic sync did not complete");
            }
            state.lock().await.backoff.record(std::time::Instant::now(), attempt_of(&result), rand::random());
        }
    });
}

fn attempt_of(result: &AppResult<SyncSummary>) -> taccuino_sync_client::Attempt {
    use taccuino_sync_client::Attempt;
    match result {
        Ok(_) => Attempt::Succeeded,
        Err(AppError::Revoked | AppError::Unauthorized | AppError::NotPaired) => Attempt::Refused,
        Err(_) => Attempt::Failed,
    }
}

/// Writes a sync bundle of this lab's documents where the user chooses
/// (a USB stick), for another device of the lab or the hub to import.
/// `Ok(None)` when the user closed the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_bundle<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> AppResult<Option<String>> {
    let (bytes, name) = state
        .with_store(|s, _| {
            let (link, lab, key) = bundle_identity(s)?;
            let grant = Grant { role: link.role, lab: Some(lab), organisation: None };
            let mut docs: Vec<DocRef> = Vec::new();
            for doc in s.doc_refs()? {
                if access(grant, doc, &s.doc_facts(doc)?).can_write() {
                    docs.push(doc);
                }
            }
            let now = crdt_sync::Environment::now(&mut SystemEnv);
            let bytes = bundle::export(s, lab, &key, &docs, now.timestamp_millis())?;
            Ok((bytes, format!("taccuino-{}.bundle", now.format("%Y-%m-%d"))))
        })
        .await?;
    let Some(path) = chooser(&app).save_file(&name)? else { return Ok(None) };
    write_atomically(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

/// Imports a sync bundle the user picks. A forged or altered file is
/// refused whole; importing twice changes nothing. `Ok(None)` when the user
/// closed the dialog.
#[tauri::command]
#[specta::specta]
pub async fn import_bundle<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> AppResult<Option<BundleImport>> {
    let Some(path) = chooser(&app).pick_file()? else { return Ok(None) };
    let meta = std::fs::metadata(&path).map_err(|e| AppError::file(&path, e))?;
    if meta.len() > bundle::MAX_BUNDLE as u64 {
        return Err(AppError::BadFile {
            detail: format!("{} is larger than a bundle can be", path.display()),
        });
    }
    let bytes = std::fs::read(&path).map_err(|e| AppError::file(&path, e))?;
    state
        .with_store(|s, _| {
            let (_, lab, key) = bundle_identity(s)?;
            let done = bundle::import_as_device(s, &bytes, &key, lab)
                .map_err(|e| AppError::BadFile { detail: e.to_string() })?;
            let n = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
            for (doc, why) in &done.refused {
                tracing::warn!(%doc, reason = %why, "a bundle document was refused");
            }
            Ok(Some(BundleImport {
                changed: n(done.changed.len()),
                unchanged: n(done.unchanged.len()),
                skipped: n(done.skipped.len()),
                refused: n(done.refused.len()),
            }))
        })
        .await
}

fn bundle_identity(s: &Store) -> AppResult<(HubLink, crdt_sync::LabId, BundleKey)> {
    let link = s.hub_link()?.ok_or(AppError::NotPaired)?;
    let lab = link.lab.ok_or(AppError::Invalid {
        field: "bundle".into(),
        reason: "a coordinator's device has no lab bundle key".into(),
    })?;
    let hex_key = link.bundle_key.clone().ok_or(AppError::NotPaired)?;
    let mut key = [0u8; 32];
    hex::decode_to_slice(&hex_key, &mut key)
        .map_err(|_| AppError::Internal { detail: "the stored bundle key is not 32 bytes of hex".into() })?;
    Ok((link, lab, BundleKey(key)))
}

/// One sync, recorded in the store and announced to the window. The store
/// is taken through `register` a step at a time (`sync_with`); a register
/// locked during the sync ends it with [`AppError::Locked`], and then there
/// is no store to record the outcome in.
pub(crate) async fn run_sync<R: Runtime>(
    app: &AppHandle<R>,
    register: &mut impl StoreAccess,
) -> AppResult<SyncSummary> {
    let link =
        register.with_store(|s| s.hub_link()).await.map_err(client_error)??.ok_or(AppError::NotPaired)?;
    announce(app, SyncOutcomeOrRunning::Syncing);
    let result = match endpoint_of(&link) {
        Ok(hub) => taccuino_sync_client::sync_with(register, &hub, &link.token).await,
        Err(e) => Err(e),
    };
    let outcome = match &result {
        Ok(r) if r.refused.is_empty() => SyncOutcome::Ok,
        Ok(_) => SyncOutcome::Partial,
        Err(e) => outcome_of(e),
    };
    match register.with_store(|s| s.record_sync(outcome)).await {
        Ok(recorded) => recorded?,
        Err(ClientError::StoreClosed) => tracing::info!(?outcome, "the register was locked during the sync"),
        Err(e) => return Err(client_error(e)),
    }
    announce(app, SyncOutcomeOrRunning::Done(outcome));
    // After a sync that reached the hub (or that the hub refused for its
    // version), ask it about new versions: the answer does not depend on
    // the sync protocol.
    if matches!(outcome, SyncOutcome::Ok | SyncOutcome::Partial | SyncOutcome::Version)
        && let Ok(hub) = endpoint_of(&link)
    {
        use tauri::Manager;
        if let Some(state) = app.try_state::<AppState>() {
            match state.updates.check(&hub, &link.token).await {
                Ok(_) => super::updates::announce(app, &state),
                Err(e) => tracing::info!(error = %e, "could not ask the hub about new versions"),
            }
        }
    }
    match result {
        Ok(report) => Ok(summary(outcome, report)),
        Err(e) => Err(client_error(e)),
    }
}

enum SyncOutcomeOrRunning {
    Syncing,
    Done(SyncOutcome),
}

fn announce<R: Runtime>(app: &AppHandle<R>, what: SyncOutcomeOrRunning) {
    let event = match what {
        SyncOutcomeOrRunning::Syncing => SyncStatusChanged { syncing: true, outcome: None },
        SyncOutcomeOrRunning::Done(o) => SyncStatusChanged { syncing: false, outcome: Some(o) },
    };
    if let Err(e) = event.emit(app) {
        tracing::debug!(error = %e, "no window to tell about the sync");
    }
}

fn summary(outcome: SyncOutcome, r: Report) -> SyncSummary {
    SyncSummary {
        outcome,
        docs_changed: r.stats.docs_changed,
        bytes_out: r.stats.bytes_out,
        bytes_in: r.stats.bytes_in,
        refused: r
            .refused
            .iter()
            .map(|(doc, why)| RefusedDoc { doc: doc.to_string(), reason: why.as_str().to_owned() })
            .collect(),
    }
}

/// The stored link as the client takes it: the address, pinned to the
/// certificate met at pairing.
pub(crate) fn endpoint_of(link: &HubLink) -> Result<Endpoint, ClientError> {
    let hub = Endpoint::parse(&link.url)?;
    Ok(match link.cert {
        Some(pin) => hub.pinned(pin),
        None => hub,
    })
}

fn outcome_of(e: &ClientError) -> SyncOutcome {
    match e {
        ClientError::Network(_) | ClientError::Io(_) | ClientError::Stalled(_) => SyncOutcome::Offline,
        ClientError::Unauthorized => SyncOutcome::Unauthorized,
        ClientError::Revoked => SyncOutcome::Revoked,
        ClientError::Closed(Fatal::Idle | Fatal::Busy) => SyncOutcome::Busy,
        ClientError::Closed(Fatal::Version) => SyncOutcome::Version,
        _ => SyncOutcome::Failed,
    }
}

pub(crate) fn client_error(e: ClientError) -> AppError {
    match e {
        ClientError::Network(_) | ClientError::Io(_) | ClientError::Stalled(_) => AppError::Offline,
        ClientError::Unauthorized => AppError::Unauthorized,
        ClientError::CertificateChanged | ClientError::NotPinned => AppError::UntrustedHub,
        ClientError::CodeIncomplete => AppError::Pairing { reason: "code_incomplete".into() },
        ClientError::CodeMismatch => AppError::Pairing { reason: "code_mismatch".into() },
        ClientError::Revoked => AppError::Revoked,
        ClientError::Closed(Fatal::Idle | Fatal::Busy) => AppError::HubBusy,
        ClientError::Closed(Fatal::Version) => AppError::VersionMismatch,
        ClientError::Enroll(why) => AppError::Pairing { reason: why.as_str().to_owned() },
        ClientError::Store(e) => e.into(),
        ClientError::StoreClosed => AppError::Locked,
        other => AppError::Internal { detail: other.to_string() },
    }
}
