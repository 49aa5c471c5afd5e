//! # taccuino-hub
//!
//! The central hub the labs sync to. It keeps every document in the same
//! kind of encrypted store as a device (so it has the projection of all ten
//! labs), enrols devices with one-time pairing codes, and serves sync over
//! one authenticated WebSocket per device, deciding per document what each
//! device may read and write (`crdt_sync::sync::access`).
//!
//! `router(state)` builds the service without a socket, for tests;
//! `serve_tls(listener, identity, state, shutdown)` runs it over TLS (what
//! `taccuino-hub serve` does), and `serve` without TLS, for in-process tests
//! on loopback (the client refuses `ws://` anywhere else). Both stop
//! gracefully once `shutdown` resolves: the open syncs get a grace period,
//! then the databases are checkpointed (`drain.rs`). `metrics` serves the
//! hub's Prometheus metrics on a loopback listener of its own.

pub mod admin;
pub mod backup;
mod config;
mod conn;
mod data_dir;
pub mod directory;
mod drain;
mod error;
mod health;
mod hub_key;
mod import;
mod limits;
mod manage;
pub mod metrics;
mod pace;
mod pairing;
mod private;
mod registry;
pub mod releases;
pub mod reports;
mod server;
mod throttle;
mod tls;
mod upkeep;

pub use config::{Config, EXAMPLE as CONFIG_EXAMPLE, FileConfig, MetricsFile, Overrides};
pub use conn::Peer;
pub use data_dir::{DataDir, DirLock, read_pseudonym_key};
pub use error::{HubError, Result};
pub use health::Failure;
pub use hub_key::{KEY_ENV, KeyOrigin};
pub use import::open_bundle;
pub use limits::{Cost, DeviceLimits, Limits, LimitsFile, MAX_WAIT, Verdict};
pub use registry::{
    Actor, AdminEntry, Device, DevicesMark, Finished, Hold, PublishedRelease, Registry, RetiredKey,
};
pub use server::{AppState, router, serve, serve_tls};
pub use tls::{CertPaths, Identity, TlsListener};
