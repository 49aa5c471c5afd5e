//! The hub's error type. Clients see a short, safe message; details go to
//! the log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Everything that can fail in the hub.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The core library failed.
    #[error(transparent)]
    Core(#[from] crdt_sync::Error),
    /// An export or an indicator table failed.
    #[error(transparent)]
    Report(#[from] taccuino_reports::Error),
    /// The registry database failed.
    #[error("registry: {0}")]
    Registry(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The hub's key does not open one of its files.
    #[error(
        "the hub's key (from {whence}) does not open {}: it is not this hub's key, or the file is damaged",
        path.display()
    )]
    WrongKey {
        /// The file.
        path: std::path::PathBuf,
        /// Where the key came from (never the key).
        whence: String,
    },
    /// A sync bundle the hub will not import, and why.
    #[error("{reason}")]
    BundleRefused {
        /// Why (which key, which device).
        reason: String,
    },
    /// Bad configuration or command-line use.
    #[error("{0}")]
    Usage(String),
    /// A request without a valid credential.
    #[error("unknown or revoked device credential")]
    Unauthorized,
    /// A bug.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `Result` with [`HubError`].
pub type Result<T, E = HubError> = std::result::Result<T, E>;

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        match self {
            HubError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "unknown or revoked device credential").into_response()
            }
            HubError::Usage(m) => (StatusCode::BAD_REQUEST, m).into_response(),
            other => {
                tracing::error!(error = %other, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}
