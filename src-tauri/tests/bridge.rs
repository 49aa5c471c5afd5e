//! The typed bridge cannot drift: the committed TypeScript bindings are what
//! the Rust commands generate now, every generated command is in the
//! permission list of the build script, and the capability file grants
//! exactly those permissions.

use std::collections::BTreeSet;
use std::path::Path;

use taccuino_app::command_names::COMMANDS;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_bindings_are_up_to_date() {
    let committed = manifest_dir().join("../ui/src/bindings.ts");
    let fresh = tempfile::NamedTempFile::new().expect("temp file");
    taccuino_app::export_bindings(fresh.path()).expect("export");
    let fresh = std::fs::read_to_string(fresh.path()).expect("read");
    let committed = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.ts is stale: run `cargo run -p taccuino-app -- --export-bindings`"
    );
}

#[test]
fn every_command_has_a_permission_and_the_capability_grants_exactly_them() {
    let bindings = {
        let f = tempfile::NamedTempFile::new().expect("temp file");
        taccuino_app::export_bindings(f.path()).expect("export");
        std::fs::read_to_string(f.path()).expect("read")
    };
    let generated: BTreeSet<String> = bindings
        .split("__TAURI_INVOKE(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    let declared: BTreeSet<String> = COMMANDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(declared.len(), COMMANDS.len(), "a command is listed twice");
    assert_eq!(generated, declared, "command_names.rs and lib.rs disagree");

    let cap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("capabilities/main.json")).expect("capability"),
    )
    .expect("json");
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(granted, declared, "capabilities/main.json grants a different set");
    let others: Vec<&str> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.starts_with("allow-"))
        .collect();
    assert_eq!(
        others,
        ["core:event:allow-listen", "core:event:allow-unlisten"],
        "no plugin reaches the webview"
    );
}
