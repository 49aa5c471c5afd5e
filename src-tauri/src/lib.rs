//! # Taccuino, the desktop app
//!
//! A thin Tauri shell over `crdt-sync`: the front end (`ui/`) calls the
//! [`commands`], each of which opens nothing and decides nothing on its own
//! but adapts one call into the core. The bridge is typed: the commands,
//! their argument and result types and the [`error::AppError`] union are
//! declared here once and `ui/src/bindings.ts` is generated from them
//! (`cargo run -p taccuino-app --bin taccuino -- --export-bindings`, checked by a
//! test so it cannot go stale).
//!
//! Where the register lives: `$TACCUINO_DATA_DIR` if set, else the
//! platform's app data directory (`~/.local/share/it.benecomune.taccuino`
//! on Linux). Three files: `register.db` (SQLCipher), `keys.json` (the
//! database key, wrapped by the passphrase) and `settings.json`.

pub mod command_names;
pub mod commands;
pub mod error;
pub mod events;
pub mod files;
pub mod files_dialog;
pub mod settings;
pub mod state;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tauri::Manager;

use crate::state::AppState;

/// The tauri-specta builder for a runtime: the command list and the event
/// types, shared by the app, the bindings export and the tests (which pass
/// `tauri::test::MockRuntime`). A macro because one command is generic over
/// the runtime and `collect_commands!` needs it named.
#[macro_export]
macro_rules! taccuino_builder {
    ($runtime:ty) => {
        $crate::tauri_specta::Builder::<$runtime>::new()
            .commands($crate::tauri_specta::collect_commands![
                $crate::commands::families::search_families,
                $crate::commands::families::get_family,
                $crate::commands::families::register_family,
                $crate::commands::families::update_family,
                $crate::commands::families::add_member,
                $crate::commands::families::update_member,
                $crate::commands::families::merge_families,
                $crate::commands::families::undo_merge,
                $crate::commands::families::confirm_merge,
                $crate::commands::families::erase_family,
                $crate::commands::families::renew_consent,
                $crate::commands::families::withdraw_consent,
                $crate::commands::families::restrict_family,
                $crate::commands::families::lift_restriction,
                $crate::commands::privacy::privacy_settings,
                $crate::commands::privacy::set_privacy_settings,
                $crate::commands::privacy::retention_due,
                $crate::commands::privacy::pending_decisions,
                $crate::commands::privacy::erase_due,
                $crate::commands::privacy::audit_trail,
                $crate::commands::privacy::export_audit_trail::<$runtime>,
                $crate::commands::privacy::subject_access::<$runtime>,
                $crate::commands::meetings::list_meetings,
                $crate::commands::meetings::get_meeting,
                $crate::commands::meetings::create_meeting,
                $crate::commands::meetings::update_meeting,
                $crate::commands::meetings::set_presence,
                $crate::commands::meetings::family_for_attendance,
                $crate::commands::register::app_status,
                $crate::commands::register::set_language,
                $crate::commands::register::select_lab,
                $crate::commands::register::set_operator,
                $crate::commands::register::create_demo_register,
                $crate::commands::register::unlock,
                $crate::commands::register::unlock_with_recovery,
                $crate::commands::register::set_new_passphrase,
                $crate::commands::register::add_recovery_key,
                $crate::commands::register::recovery_keys,
                $crate::commands::register::lock_register,
                $crate::commands::register::change_passphrase,
                $crate::commands::register::session_info,
                $crate::commands::reports::indicators,
                $crate::commands::reports::export_register::<$runtime>,
                $crate::commands::reports::cancel_export,
                $crate::commands::reports::audit_log,
                $crate::commands::staff::list_staff,
                $crate::commands::staff::add_staff,
                $crate::commands::staff::update_staff,
                $crate::commands::staff::training_register,
                $crate::commands::staff::add_training,
                $crate::commands::staff::update_training,
                $crate::commands::staff::set_training_presence,
                $crate::commands::sync::pair_with_hub::<$runtime>,
                $crate::commands::sync::sync_status,
                $crate::commands::sync::sync_now::<$runtime>,
                $crate::commands::sync::export_bundle::<$runtime>,
                $crate::commands::sync::import_bundle::<$runtime>,
            ])
            .events($crate::tauri_specta::collect_events![
                $crate::events::RegisterLocked,
                $crate::events::SyncStatusChanged
            ])
            .dangerously_cast_bigints_to_number()
            .disable_serde_phases()
    };
}

#[doc(hidden)]
pub use tauri_specta;

/// The app's configuration, capabilities and embedded front end, for any
/// runtime (the tests build the app on `tauri::test::MockRuntime` with it).
pub fn context<R: tauri::Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The builder for the real runtime.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    taccuino_builder!(tauri::Wry)
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated by `taccuino --export-bindings`: do not edit.\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

/// The register's directory: the one given, else `$TACCUINO_DATA_DIR`,
/// else the platform's.
fn data_dir(app: &tauri::App, given: Option<PathBuf>) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(dir) = given {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os("TACCUINO_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    Ok(app.path().app_data_dir()?)
}

/// Runs the app until its window closes, on the register in `data_dir`
/// (default: `$TACCUINO_DATA_DIR`, else the platform's app data directory).
pub fn run(data_dir: Option<PathBuf>) {
    let builder = specta_builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let dir = self::data_dir(app, data_dir)?;
            std::fs::create_dir_all(&dir)?;
            app.manage(AppState::new(&dir, state::Kdf::Calibrated)?);
            events::start_idle_lock(app.handle().clone(), Duration::from_secs(30), Instant::now);
            commands::sync::start_auto_sync(app.handle().clone(), Duration::from_secs(15));
            Ok(())
        })
        .build(context());
    match result {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event
                && let Some(state) = handle.try_state::<AppState>()
            {
                state::close(&mut state.lock_blocking());
            }
        }),
        Err(e) => {
            eprintln!("Taccuino could not start: {e}");
            std::process::exit(1);
        }
    }
}
