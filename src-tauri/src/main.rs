//! The `taccuino` binary.
//!
//! - `taccuino` starts the app on the register in the platform's data
//!   directory (or `$TACCUINO_DATA_DIR`);
//! - `taccuino --data-dir DIR` on the register in `DIR` (the end-to-end
//!   tests give each run its own);
//! - `taccuino --export-bindings [PATH]` writes the TypeScript bindings
//!   (default `ui/src/bindings.ts`) instead of starting;
//! - `taccuino --update-info` says this build's version, the package it was
//!   installed from and the release keys it trusts;
//! - `taccuino --install-update DIR [--installed-from FORMAT]` installs a
//!   signed release directory with the checks of an update from the hub.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next();
    if first.as_deref() == Some("--export-bindings") {
        let path = args.next().unwrap_or_else(|| "ui/src/bindings.ts".into());
        if let Err(e) = taccuino_app::export_bindings(std::path::Path::new(&path)) {
            eprintln!("could not write the bindings: {e}");
            std::process::exit(1);
        }
        return;
    }
    if first.as_deref() == Some("--update-info") {
        println!("{}", taccuino_app::updates::describe_this_build());
        return;
    }
    if first.as_deref() == Some("--install-update") {
        let Some(dir) = args.next() else {
            eprintln!("--install-update needs a release directory");
            std::process::exit(2);
        };
        let format = match (args.next().as_deref(), args.next()) {
            (None, _) => None,
            (Some("--installed-from"), Some(f)) => match taccuino_updates::PackageFormat::parse(&f) {
                Some(f) => Some(f),
                None => {
                    eprintln!("unknown package format {f:?}: deb, rpm, nsis or dmg");
                    std::process::exit(2);
                }
            },
            _ => {
                eprintln!("usage: taccuino --install-update DIR [--installed-from FORMAT]");
                std::process::exit(2);
            }
        };
        match taccuino_app::updates::install_release_dir(std::path::Path::new(&dir), format) {
            Ok(done) => println!("{done}"),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        return;
    }
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let data_dir = match first.as_deref() {
        Some("--data-dir") => match args.next() {
            Some(dir) => Some(std::path::PathBuf::from(dir)),
            None => {
                eprintln!("--data-dir needs a directory");
                std::process::exit(2);
            }
        },
        Some(other) => {
            eprintln!("unknown argument {other:?}: try --data-dir DIR or --export-bindings [PATH]");
            std::process::exit(2);
        }
        None => None,
    };
    taccuino_app::run(data_dir);
}
