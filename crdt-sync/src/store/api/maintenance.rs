//! Looking after the file itself: checkpoints, integrity, and rebuilding or
//! comparing the projection.

use crate::error::Result;
use crate::{DocRef, LabId};

/// Looking after the file itself: checkpoints, integrity, and rebuilding or
/// comparing the projection.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Maintenance: super::Sealed {
    /// Housekeeping for idle moments (also run at open): compacts every
    /// document with many chunks into one save, each in its own
    /// transaction, checkpoints the WAL, and scrubs the file if an erasure
    /// was not scrubbed yet. Returns how many documents were compacted.
    fn maintenance(&mut self) -> Result<usize>;

    /// Compares each document's heads with the heads it was projected at and
    /// re-projects those that differ (or were projected by another version).
    /// Returns how many were re-projected.
    fn check_projection(&mut self) -> Result<usize>;

    /// Drops every projected row and rebuilds them all from the documents.
    fn rebuild_projection(&mut self) -> Result<()>;

    /// Every projected row as text, sorted: two stores with equal dumps have
    /// byte-for-byte the same projection.
    fn projection_dump(&self) -> Result<Vec<String>>;

    /// Counts rows in a projection table (for diagnostics and tests).
    fn count_rows(&self, table: &str) -> Result<i64>;

    /// The schema version document `r` declares (newer than
    /// [`crate::SCHEMA_VERSION`] when a newer app wrote it).
    fn doc_schema_version(&mut self, r: DocRef) -> Result<u64>;

    /// Copies the write-ahead log into the database file and truncates it.
    /// Cheap when there is little to copy; the app calls it when idle, so
    /// that writes rarely pay for a checkpoint.
    fn checkpoint(&self) -> Result<()>;

    /// SQLite's own check of the file (`PRAGMA integrity_check`): `"ok"`
    /// when the database is sound, otherwise the problems it found, one per
    /// line. A diagnostic for support and for crash tests.
    fn integrity_check(&self) -> Result<String>;

    /// The projected rows that belong to lab `lab`, as text, sorted: the lab,
    /// its households with their members, pathways and search rows, its
    /// staff, its index and roster, its meetings with facilitators and
    /// attendance. Two replicas that hold the same documents of a lab have
    /// equal dumps for it, whatever else each holds (a device holds one lab,
    /// the hub all of them). Like
    /// [`Store::projection_dump`](crate::Store::projection_dump), for tests.
    fn projection_dump_for_lab(&self, lab: LabId) -> Result<Vec<String>>;
}
