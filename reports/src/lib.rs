//! # taccuino-reports: what the register gives out
//!
//! The indicators the funder and the city are told ([`indicators`]), the
//! exports of the merged register (CSV, XLSX, the printable PDF registers)
//! and the subject access file a family may ask for ([`export`]).
//!
//! Everything here *reads* the register: the store's projection, through
//! [`Store::reader`](crdt_sync::Store::reader), whose statements SQLite
//! checks are read-only before they run. The only write is the line each
//! export adds to the store's audit log. The core (`taccuino-crdt-sync`)
//! knows nothing of this crate, so whatever needs the documents or the sync
//! protocol (the hub's sync path, a test of convergence) links no PDF engine
//! and no spreadsheet writer.

pub mod error;
pub mod export;
pub mod indicators;
pub mod monitoring;

pub use error::{Error, Result};
