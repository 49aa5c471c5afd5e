//! The one list of the commands the front end may call. Adding a command
//! means writing its function in `commands/` and its line here; everything
//! else is derived from this list:
//!
//! - [`taccuino_builder!`](crate::taccuino_builder) registers exactly these
//!   functions with tauri-specta, which makes the invoke handler and
//!   `ui/src/bindings.ts` from them;
//! - the build script (which includes this file with `#[path]`) turns
//!   [`COMMANDS`] into one permission per command (`allow-<name>`) and the
//!   permission set [`PERMISSION_SET`] holding all of them, which
//!   `capabilities/main.json` grants to the window.
//!
//! A macro rather than a table because the registration needs the functions
//! as paths (the generic ones named with a concrete runtime, where the caller
//! expands it) and the build script needs their names as strings: only a
//! macro turns one into the other. A function in `commands/` missing here is
//! caught by `tests/bridge.rs`.

/// The list, expanded into what the first tokens ask for: `names` gives the
/// names as a `&[&str]`; `register <runtime type>` gives tauri-specta's
/// `collect_commands!` for that runtime. Each command is `module::function`
/// under `crate::commands`, in the order of `commands/`; a function generic
/// over the runtime carries `::<R>`.
#[doc(hidden)]
#[macro_export]
macro_rules! taccuino_commands {
    (@expand [names] $($module:ident :: $name:ident $(::<$generic:ident>)?,)*) => {
        &[$(stringify!($name)),*]
    };
    (@expand [register $runtime:ty] $($module:ident :: $name:ident $(::<$generic:ident>)?,)*) => {{
        // The list names the runtime `R`; a type alias rather than a
        // substitution because `collect_commands!` declares functions of its
        // own, which could not see a generic parameter of the caller's.
        type R = $runtime;
        $crate::tauri_specta::collect_commands![$($crate::commands::$module::$name $(::<$generic>)?),*]
    }};
    ($($what:tt)+) => {
        $crate::taccuino_commands! { @expand [$($what)+]
            conflicts::conflict_count,
            conflicts::list_conflicts,
            conflicts::resolve_conflict,
            devices::list_devices,
            devices::create_pairing_code,
            devices::revoke_device,
            devices::dismiss_device_request,
            devices::ask_for_device,
            devices::list_releases,
            devices::hold_lab,
            families::search_families,
            families::get_family,
            families::register_family,
            families::update_family,
            families::add_member,
            families::update_member,
            families::merge_families,
            families::undo_merge,
            families::confirm_merge,
            families::erase_family,
            families::renew_consent,
            families::withdraw_consent,
            families::restrict_family,
            families::lift_restriction,
            privacy::privacy_settings,
            privacy::set_privacy_settings,
            privacy::retention_due,
            privacy::pending_decisions,
            privacy::erase_due,
            privacy::audit_trail,
            privacy::export_audit_trail::<R>,
            privacy::subject_access::<R>,
            meetings::list_meetings,
            meetings::get_meeting,
            meetings::create_meeting,
            meetings::update_meeting,
            meetings::set_presence,
            meetings::family_for_attendance,
            nomenclature::nomenclature,
            nomenclature::put_nomenclature_area,
            nomenclature::remove_nomenclature_area,
            nomenclature::set_activity_nomenclature,
            register::app_status,
            register::set_language,
            register::select_lab,
            register::set_operator,
            register::create_demo_register,
            register::unlock,
            register::unlock_with_recovery,
            register::set_new_passphrase,
            register::add_recovery_key,
            register::recovery_keys,
            register::lock_register,
            register::change_passphrase,
            register::session_info,
            reports::indicators,
            reports::export_register::<R>,
            reports::export_monitoring::<R>,
            reports::cancel_export,
            reports::audit_log,
            staff::list_staff,
            staff::add_staff,
            staff::update_staff,
            staff::training_register,
            staff::add_training,
            staff::update_training,
            staff::set_training_presence,
            staff::record_training_times,
            staff::export_sign_in_sheet::<R>,
            staff::export_training_certificate::<R>,
            sync::pair_with_hub::<R>,
            sync::sync_status,
            sync::sync_now::<R>,
            sync::export_bundle::<R>,
            sync::import_bundle::<R>,
            updates::update_status,
            updates::check_for_update,
            updates::download_update::<R>,
            updates::install_update::<R>,
            volunteers::volunteers_view,
            volunteers::keep_volunteer,
            volunteers::volunteer_history,
            volunteers::add_organisation,
            volunteers::export_volunteers_register::<R>,
            volunteers::erase_volunteer,
            volunteers::erase_volunteers_due,
            volunteers::volunteer_access::<R>,
        }
    };
}

/// Every command the front end may call, by name (the name the webview
/// invokes, which is the function's), in the order of `commands/`.
pub const COMMANDS: &[&str] = taccuino_commands!(names);

/// The permission set that grants every command: the build script defines
/// it, `capabilities/main.json` grants it.
pub const PERMISSION_SET: &str = "app-commands";
