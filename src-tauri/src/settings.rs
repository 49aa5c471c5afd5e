//! Preferences kept beside the register, readable before it is unlocked
//! (the language of the unlock screen is one of them). Nothing personal.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crdt_sync::export::Language;

use crate::error::{AppError, AppResult};
use crate::files::write_atomically;

/// The app's preferences (`settings.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(default)]
pub struct Settings {
    /// Interface language.
    pub language: Language,
    /// The lab shown by default (this laptop's lab).
    pub lab: Option<crdt_sync::LabId>,
    /// Minutes without use after which the register locks itself.
    pub lock_after_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { language: Language::It, lab: None, lock_after_minutes: 15 }
    }
}

impl Settings {
    /// Reads `path`, or the defaults when there is no file yet. A file that
    /// does not parse is an error, not silently replaced.
    pub fn load(path: &Path) -> AppResult<Settings> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| AppError::BadFile { detail: format!("{}: {e}", path.display()) }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(AppError::file(path, e)),
        }
    }

    /// Writes the settings durably (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> AppResult<()> {
        let bytes =
            serde_json::to_vec_pretty(self).map_err(|e| AppError::Internal { detail: e.to_string() })?;
        write_atomically(path, &bytes)
    }
}
