//! Configuration: flags, then environment variables, then a TOML file, then
//! defaults. Clap reads flags and the environment; this module adds the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{HubError, Result};

/// The example configuration, printed by `taccuino-hub config-example`.
pub const EXAMPLE: &str = include_str!("../taccuino-hub.example.toml");

/// Settings as they may appear in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See the example.
    pub data_dir: Option<PathBuf>,
    /// See the example.
    pub listen: Option<String>,
    /// See the example.
    pub pairing_ttl_hours: Option<u32>,
}

/// The resolved configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Listen address.
    pub listen: String,
    /// Pairing code validity.
    pub pairing_ttl_hours: u32,
}

/// What flags and environment gave (clap fills these).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--data-dir` / `TACCUINO_HUB_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--listen` / `TACCUINO_HUB_LISTEN`.
    pub listen: Option<String>,
    /// `--pairing-ttl-hours` / `TACCUINO_HUB_PAIRING_TTL_HOURS`.
    pub pairing_ttl_hours: Option<u32>,
}

impl Config {
    /// Reads the optional file and layers the overrides over it.
    pub fn resolve(overrides: Overrides, file: Option<&Path>) -> Result<Config> {
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| HubError::Io { path: path.to_owned(), source })?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| HubError::Usage(format!("{}: {e}", path.display())))?
            }
            None => FileConfig::default(),
        };
        let data_dir = overrides.data_dir.or(from_file.data_dir).ok_or_else(|| {
            HubError::Usage(
                "no data directory: give --data-dir, TACCUINO_HUB_DATA_DIR or data_dir in --config".into(),
            )
        })?;
        Ok(Config {
            data_dir,
            listen: overrides.listen.or(from_file.listen).unwrap_or_else(|| "127.0.0.1:7878".into()),
            pairing_ttl_hours: overrides.pairing_ttl_hours.or(from_file.pairing_ttl_hours).unwrap_or(72),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_and_flags_win() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("hub.toml");
        std::fs::write(&file, EXAMPLE).expect("write");
        let c = Config::resolve(Overrides::default(), Some(&file)).expect("resolve");
        assert_eq!(c.listen, "127.0.0.1:7878");
        assert_eq!(c.pairing_ttl_hours, 72);
        let c = Config::resolve(
            Overrides { listen: Some("0.0.0.0:1".into()), ..Overrides::default() },
            Some(&file),
        )
        .expect("resolve");
        assert_eq!(c.listen, "0.0.0.0:1");
        std::fs::write(&file, "bogus = 1").expect("write");
        assert!(Config::resolve(Overrides::default(), Some(&file)).is_err());
        assert!(Config::resolve(Overrides::default(), None).is_err(), "a data dir is required");
    }
}
