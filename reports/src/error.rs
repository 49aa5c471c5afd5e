//! The crate's error type: the register's own, and what only making a
//! report can meet (a cancelled export, a file the writer could not make).

/// Everything that can go wrong making an indicator table or an export.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The register refused or failed: an invalid selection, a family that
    /// was erased, a damaged database ([`crdt_sync::Error`] says which).
    #[error(transparent)]
    Register(#[from] crdt_sync::Error),
    /// An export was cancelled by the caller (its cancel flag was set).
    /// Nothing was returned and nothing was recorded in the audit log.
    #[error("the export was cancelled")]
    Cancelled,
    /// Writing an export file failed (a bug or a limit of the format, such
    /// as more rows than a spreadsheet holds): the register is unchanged.
    #[error("could not write the {format} export: {source}")]
    ExportFailed {
        /// The format being written (`csv`, `zip`, `xlsx`, `pdf`).
        format: &'static str,
        /// The writer's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Register(crdt_sync::Error::Sqlite(e))
    }
}

impl Error {
    /// An input failed validation; `field` names it.
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Register(crdt_sync::Error::Invalid { field, reason: reason.into() })
    }

    /// An invariant of this crate did not hold: a bug, to be reported.
    pub(crate) fn internal(what: impl Into<String>) -> Self {
        Error::Register(crdt_sync::Error::Internal(what.into()))
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
