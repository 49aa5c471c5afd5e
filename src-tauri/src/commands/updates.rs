//! *Aggiornamenti*: the release the hub offers, its download, and its
//! install when the person agrees (`crate::updates`, decision 0034).

use crdt_sync::Replication;
use tauri::{AppHandle, Runtime, State};
use tauri_specta::Event;

use super::sync::endpoint_of;
use crate::error::{AppError, AppResult};
use crate::events::UpdateStatusChanged;
use crate::state::{self, AppState};
use crate::updates::{Installs, UpdateStatus, installer};

/// What is known of new versions (nothing is asked of the hub).
#[tauri::command]
#[specta::specta]
pub async fn update_status(state: State<'_, AppState>) -> AppResult<UpdateStatus> {
    Ok(state.updates.status())
}

/// Asks the hub now whether it offers a release to this laptop (the app
/// also asks after every sync).
#[tauri::command]
#[specta::specta]
pub async fn check_for_update(state: State<'_, AppState>) -> AppResult<UpdateStatus> {
    let (hub, token) = hub_of(&state).await?;
    state.updates.check(&hub, &token).await
}

/// Downloads the offered release in the background of the window (the
/// register stays free), announcing its progress with
/// `UpdateStatusChanged`; checked byte by byte against the signed
/// manifest, kept only whole.
#[tauri::command]
#[specta::specta]
pub async fn download_update<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> AppResult<UpdateStatus> {
    let (hub, token) = hub_of(&state).await?;
    let last = std::sync::atomic::AtomicU64::new(0);
    let result = state
        .updates
        .download(&hub, &token, |received, total| {
            // A word to the window every 1 % or so, not every chunk.
            let step = (total / 100).max(1);
            if received / step != last.swap(received, std::sync::atomic::Ordering::Relaxed) / step {
                announce(&app, &state);
            }
        })
        .await;
    announce(&app, &state);
    result
}

/// Installs the downloaded release, which the person asked for: checked
/// once more, then the system's installer runs. On Linux the app waits
/// for it (`pkexec` asks for an administrator's password; the register
/// stays open meanwhile, and a cancelled or failed install changes
/// nothing), then closes the register cleanly (everything saved is in the
/// file; the next start asks for the passphrase) and starts the new
/// version. On Windows the register is closed first, then the per-user
/// installer replaces the app and starts it again; on macOS the disk image
/// opens for the person to drag the app.
#[tauri::command]
#[specta::specta]
pub async fn install_update<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<()> {
    let (package, format) = state.updates.verified_package()?;
    let (mut command, how) = installer(format, &package);
    tracing::info!(package = %package.display(), ?how, "installing an update");
    let failed = |e: std::io::Error| {
        tracing::error!(error = %e, "the installer did not start");
        AppError::Update { reason: "install_failed".into() }
    };
    match how {
        Installs::WaitThenRestart => {
            let status = tauri::async_runtime::spawn_blocking(move || command.status())
                .await
                .map_err(|e| AppError::Internal { detail: e.to_string() })?
                .map_err(failed)?;
            if !status.success() {
                tracing::warn!(%status, "the installer failed or was cancelled");
                return Err(AppError::Update { reason: "install_failed".into() });
            }
            close_register(&state).await;
            app.restart()
        }
        Installs::ExitNow => {
            close_register(&state).await;
            command.spawn().map_err(failed)?;
            app.exit(0);
            Ok(())
        }
        Installs::OpenOnly => {
            command.spawn().map_err(failed)?;
            Ok(())
        }
    }
}

/// Closes the register cleanly before the app goes: no sync in the middle
/// of its work, no half-written save, the write-ahead log checkpointed.
async fn close_register(state: &AppState) {
    let _turn = state.sync_turn().await;
    let mut inner = state.lock().await;
    state::close(&mut inner);
}

/// The hub and the credential, from the open register.
async fn hub_of(state: &AppState) -> AppResult<(taccuino_sync_client::Endpoint, String)> {
    let link = state.with_store(|s, _| Ok(s.hub_link()?)).await?.ok_or(AppError::NotPaired)?;
    let hub = endpoint_of(&link).map_err(super::sync::client_error)?;
    Ok((hub, link.token))
}

/// Tells the window what is known now.
pub(crate) fn announce<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    if let Err(e) = (UpdateStatusChanged { status: state.updates.status() }).emit(app) {
        tracing::debug!(error = %e, "no window to tell about the update");
    }
}
