//! Configuration: flags, then environment variables, then a TOML file, then
//! defaults. Clap reads flags and the environment; this module adds the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::backup::schedule::Schedule;
use crate::error::{HubError, Result};
use crate::limits::{Limits, LimitsFile};
use crate::tls::CertPaths;

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
    /// See the example.
    pub tls_cert: Option<PathBuf>,
    /// See the example.
    pub tls_key: Option<PathBuf>,
    /// See the example's `[limits]`.
    pub limits: Option<LimitsFile>,
    /// See the example's `[backup]`.
    pub backup: Option<Schedule>,
    /// See the example's `[metrics]`.
    pub metrics: Option<MetricsFile>,
}

/// The file's `[metrics]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsFile {
    /// See the example.
    pub listen: Option<String>,
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
    /// A certificate the hub is given; `None`: the one generated in the
    /// data directory.
    pub tls: Option<CertPaths>,
    /// Deadlines and limits per device and per address.
    pub limits: Limits,
    /// Scheduled backups, if any.
    pub backup: Option<Schedule>,
    /// Where `serve` serves `/metrics` (loopback only); `None`: nowhere.
    pub metrics_listen: Option<String>,
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
    /// `--tls-cert` / `TACCUINO_HUB_TLS_CERT`.
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key` / `TACCUINO_HUB_TLS_KEY`.
    pub tls_key: Option<PathBuf>,
    /// `serve`'s limit flags (`--idle-secs`, …) / `TACCUINO_HUB_IDLE_SECS`, ….
    pub limits: LimitsFile,
    /// `--metrics-listen` / `TACCUINO_HUB_METRICS_LISTEN`.
    pub metrics_listen: Option<String>,
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
        let tls = match (overrides.tls_cert.or(from_file.tls_cert), overrides.tls_key.or(from_file.tls_key)) {
            (Some(cert), Some(key)) => Some(CertPaths { cert, key }),
            (None, None) => None,
            _ => {
                return Err(HubError::Usage(
                    "give both a TLS certificate and its key (tls_cert and tls_key), or neither".into(),
                ));
            }
        };
        let limits = Limits::resolve(&overrides.limits, &from_file.limits.unwrap_or_default())?;
        let backup = from_file.backup.map(Schedule::checked).transpose()?;
        let metrics_listen = overrides.metrics_listen.or(from_file.metrics.and_then(|m| m.listen));
        Ok(Config {
            backup,
            limits,
            metrics_listen,
            tls,
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
        assert_eq!(c.limits, Limits::default(), "the example shows the defaults");
        assert_eq!(c.metrics_listen, None, "no metrics listener unless asked for");
        let metrics_on = EXAMPLE.replace("# listen = \"127.0.0.1:9464\"", "listen = \"127.0.0.1:9464\"");
        std::fs::write(&file, metrics_on).expect("write");
        let c = Config::resolve(Overrides::default(), Some(&file)).expect("resolve");
        assert_eq!(c.metrics_listen.as_deref(), Some("127.0.0.1:9464"));
        let flag = Overrides { metrics_listen: Some("[::1]:1".into()), ..Overrides::default() };
        let c = Config::resolve(flag, Some(&file)).expect("resolve");
        assert_eq!(c.metrics_listen.as_deref(), Some("[::1]:1"));
        std::fs::write(&file, EXAMPLE).expect("write");
        let c = Config::resolve(
            Overrides { listen: Some("0.0.0.0:1".into()), ..Overrides::default() },
            Some(&file),
        )
        .expect("resolve");
        assert_eq!(c.listen, "0.0.0.0:1");
        std::fs::write(&file, "bogus = 1").expect("write");
        assert!(Config::resolve(Overrides::default(), Some(&file)).is_err());
        assert!(Config::resolve(Overrides::default(), None).is_err(), "a data dir is required");
        let half = Overrides {
            data_dir: Some(dir.path().into()),
            tls_cert: Some("c.pem".into()),
            ..Overrides::default()
        };
        let e = Config::resolve(half, None).expect_err("a certificate without its key");
        assert!(e.to_string().contains("tls_key"), "{e}");
    }
}
