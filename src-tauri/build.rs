//! Tauri's build step, with the app's commands declared by name so that
//! each one needs its own permission (`allow-<command>`) in a capability
//! file: the webview can call nothing it was not granted.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(taccuino_commands::COMMANDS)),
    )
    .expect("tauri build step");
}

#[path = "src/command_names.rs"]
mod taccuino_commands;
