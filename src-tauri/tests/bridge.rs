//! The typed bridge cannot drift, and the window can call exactly the app's
//! commands. `src/command_list.rs` is the one list: the committed TypeScript
//! bindings are what it generates now, every command function is on it, and
//! the access control Tauri builds from the capability grants exactly its
//! commands and event listening, nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use taccuino_app::command_list::COMMANDS;
use tauri::ipc::Origin;
use tauri::test::MockRuntime;
use tauri::utils::acl::{capability::Capability, manifest::Manifest, resolved::Resolved};

/// What the window may call besides the commands: listening to the shell's
/// events (`RegisterLocked`, `SyncStatusChanged`).
const EVENT_LISTENING: [&str; 2] = ["plugin:event|listen", "plugin:event|unlisten"];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fresh_bindings() -> String {
    let fresh = tempfile::NamedTempFile::new().expect("temp file");
    taccuino_app::export_bindings(fresh.path()).expect("export");
    std::fs::read_to_string(fresh.path()).expect("read")
}

/// Fails with what one set has and the other lacks, rather than both sets.
#[track_caller]
fn assert_same(actual: &BTreeSet<String>, expected: &BTreeSet<String>, what: &str) {
    let extra: Vec<_> = actual.difference(expected).collect();
    let missing: Vec<_> = expected.difference(actual).collect();
    assert!(extra.is_empty() && missing.is_empty(), "{what}: {extra:?} beyond the list, {missing:?} missing");
}

fn listed() -> BTreeSet<String> {
    let listed: BTreeSet<String> = COMMANDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(listed.len(), COMMANDS.len(), "a command is listed twice");
    listed
}

#[test]
fn committed_bindings_are_up_to_date() {
    let committed = manifest_dir().join("../ui/src/bindings.ts");
    let committed = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed == fresh_bindings(),
        "ui/src/bindings.ts is stale: run `cargo run -p taccuino-app -- --export-bindings`"
    );
}

/// The names the build script makes permissions of are the names the
/// handler answers to (a `rename` on a command would part them).
#[test]
fn the_listed_names_are_the_names_the_bindings_invoke() {
    let invoked: BTreeSet<String> = fresh_bindings()
        .split("__TAURI_INVOKE(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    assert_same(&invoked, &listed(), "the generated bindings invoke other commands than command_list.rs");
}

/// A command written but not listed would be neither registered nor
/// granted: every `#[tauri::command]` function under `src/` is on the list.
#[test]
fn every_command_function_is_listed() {
    fn scan(dir: &Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("source");
                // The attribute on a line of its own, the function's name
                // after the next `fn ` (other attributes and docs between).
                let mut lines = source.lines();
                while let Some(line) = lines.next() {
                    if !line.trim_start().starts_with("#[tauri::command") {
                        continue;
                    }
                    let name = lines
                        .find_map(|l| l.split_once("fn ").map(|(_, rest)| rest))
                        .and_then(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next())
                        .unwrap_or_else(|| panic!("no fn after #[tauri::command] in {}", path.display()));
                    found.insert(name.to_owned());
                }
            }
        }
    }
    let mut written = BTreeSet::new();
    scan(&manifest_dir().join("src"), &mut written);
    assert_same(&written, &listed(), "the #[tauri::command] functions differ from command_list.rs");
}

/// Resolves the access control list the way `tauri::generate_context!` does,
/// from the manifests and capabilities the build script wrote, then checks
/// the compiled-in authority of the app's context against it.
#[test]
fn the_window_is_granted_exactly_the_commands_and_event_listening() {
    let schemas = manifest_dir().join("gen/schemas");
    let read = |name: &str| std::fs::read_to_string(schemas.join(name)).expect("written by the build script");
    let manifests: BTreeMap<String, Manifest> =
        serde_json::from_str(&read("acl-manifests.json")).expect("manifests");
    let from_files: BTreeMap<String, Capability> =
        serde_json::from_str(&read("capabilities.json")).expect("capabilities");
    let mut context = taccuino_app::context::<MockRuntime>();
    let capabilities =
        tauri::utils::acl::get_capabilities(context.config(), from_files, None).expect("capabilities");
    assert_eq!(capabilities.keys().collect::<Vec<_>>(), ["main"], "one capability, the main window's");
    let resolved =
        Resolved::resolve(&manifests, capabilities, tauri::utils::platform::Target::current()).expect("ACL");
    assert!(resolved.has_app_acl, "app commands are checked against the ACL, not allowed by default");

    let granted: BTreeSet<String> = resolved.allowed_commands.keys().cloned().collect();
    let mut expected = listed();
    expected.extend(EVENT_LISTENING.map(str::to_owned));
    assert_same(&granted, &expected, "the window's grants differ from the commands and event listening");

    // The authority compiled into the app (`runtime_authority_mut` is the
    // one way to reach it; Tauri marks it unstable, so a Tauri upgrade may
    // have to adapt this line, never loosen it).
    let authority = context.runtime_authority_mut();
    let allowed = |command: &str, window: &str, origin: &Origin| {
        authority.resolve_access(command, window, window, origin).is_some()
    };
    for command in &expected {
        assert!(allowed(command, "main", &Origin::Local), "{command} is not granted to the main window");
        assert!(
            !allowed(command, "other", &Origin::Local),
            "{command} is granted to a window other than main"
        );
        let remote = Origin::Remote { url: "https://example.com".parse().expect("url") };
        assert!(!allowed(command, "main", &remote), "{command} is granted to remote content");
    }
    for command in [
        "not_a_command",
        "plugin:dialog|open",
        "plugin:dialog|save",
        "plugin:fs|read_file",
        "plugin:shell|execute",
        "plugin:http|fetch",
        "plugin:event|emit",
        "plugin:window|close",
        "plugin:webview|create_webview_window",
    ] {
        assert!(!allowed(command, "main", &Origin::Local), "{command} is granted to the main window");
    }
}
