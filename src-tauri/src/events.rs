//! Events the shell sends to the front end.

use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::state::AppState;

/// The register locked itself after inactivity: show the unlock screen.
#[derive(Clone, Debug, Serialize, specta::Type, Event)]
pub struct RegisterLocked {
    /// Minutes of inactivity that triggered it.
    pub after_minutes: u32,
}

/// A sync started (`syncing`) or ended (with its `outcome`).
#[derive(Clone, Debug, Serialize, specta::Type, Event)]
pub struct SyncStatusChanged {
    /// A sync is running.
    pub syncing: bool,
    /// How the sync that just ended went.
    pub outcome: Option<crdt_sync::SyncOutcome>,
}

/// What is known of new versions changed: an offer, a download's
/// progress, its end.
#[derive(Clone, Debug, Serialize, specta::Type, Event)]
pub struct UpdateStatusChanged {
    /// What is known now.
    pub status: crate::updates::UpdateStatus,
}

/// Checks every `tick` whether the register has been idle too long and,
/// if so, locks it and tells the front end.
pub fn start_idle_lock<R: Runtime>(app: AppHandle<R>, tick: Duration, now: fn() -> Instant) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(tick);
            let Some(state) = app.try_state::<AppState>() else { continue };
            if state.lock_if_idle(now()) {
                let after_minutes = state.lock_blocking().settings.lock_after_minutes;
                if let Err(e) = (RegisterLocked { after_minutes }).emit(&app) {
                    tracing::warn!(error = %e, "could not tell the window the register locked");
                }
            }
        }
    });
}
