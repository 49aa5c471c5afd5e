//! Preferences kept beside the register, readable before it is unlocked
//! (the language of the unlock screen is one of them). Nothing personal:
//! ids at most, never a name (the file is not encrypted).

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use taccuino_reports::export::Language;

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
    /// The person who last said they were using the app on this computer
    /// ("Chi sta usando il registro?"), offered first the next time the
    /// register opens. Only a suggestion: nobody is named in the audit
    /// trail until they choose again (`set_operator`). Absent in files
    /// written before it existed.
    pub last_operator: Option<crdt_sync::PersonId>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { language: Language::It, lab: None, lock_after_minutes: 15, last_operator: None }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_from_before_the_last_operator_still_loads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("settings.json");
        std::fs::write(&path, br#"{ "language": "en", "lab": null, "lock_after_minutes": 5 }"#)
            .expect("write");
        let loaded = Settings::load(&path).expect("load");
        assert_eq!(
            loaded,
            Settings { language: Language::En, lab: None, lock_after_minutes: 5, last_operator: None }
        );
        let person = crdt_sync::PersonId(uuid::Uuid::from_u128(7));
        Settings { last_operator: Some(person), ..loaded }.save(&path).expect("save");
        assert_eq!(Settings::load(&path).expect("load").last_operator, Some(person));
    }
}
