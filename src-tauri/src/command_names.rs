//! Every command the front end may call, by name. The build script turns
//! this list into one permission per command (`allow-<name>`), and
//! `capabilities/main.json` grants them one by one; a test checks that this
//! list and the commands registered in `lib.rs` are the same set.

/// The commands, in the order of `commands/`.
pub const COMMANDS: &[&str] = &[
    // families
    "search_families",
    "get_family",
    "register_family",
    "update_family",
    "add_member",
    "update_member",
    "merge_families",
    "undo_merge",
    "confirm_merge",
    "erase_family",
    "renew_consent",
    "withdraw_consent",
    "restrict_family",
    "lift_restriction",
    // privacy
    "privacy_settings",
    "set_privacy_settings",
    "retention_due",
    "pending_decisions",
    "erase_due",
    "audit_trail",
    "export_audit_trail",
    "subject_access",
    // meetings
    "list_meetings",
    "get_meeting",
    "create_meeting",
    "update_meeting",
    "set_presence",
    "family_for_attendance",
    // register
    "app_status",
    "set_language",
    "select_lab",
    "set_operator",
    "create_demo_register",
    "unlock",
    "unlock_with_recovery",
    "set_new_passphrase",
    "add_recovery_key",
    "recovery_keys",
    "lock_register",
    "change_passphrase",
    "session_info",
    // reports
    "indicators",
    "export_register",
    "cancel_export",
    "audit_log",
    // staff
    "list_staff",
    "add_staff",
    "update_staff",
    "training_register",
    "add_training",
    "update_training",
    "set_training_presence",
    // sync
    "pair_with_hub",
    "sync_status",
    "sync_now",
    "export_bundle",
    "import_bundle",
];
