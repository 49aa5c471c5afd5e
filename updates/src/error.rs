//! Why a release was refused.

/// Why a release, or a downloaded package, was refused. Each has a stable
/// name ([`UpdateError::as_str`]) that the app translates.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum UpdateError {
    /// The manifest or the signature is not what `taccuino-release` writes.
    #[error("the release is malformed: {0}")]
    Malformed(String),
    /// Signed by a key this build does not trust (or not signed at all).
    #[error("the release is signed by a key this build does not trust")]
    UnknownKey,
    /// Signed by a trusted key's id, but the signature does not hold: the
    /// manifest was changed after it was signed.
    #[error("the release's signature does not match its manifest: it was changed after signing")]
    BadSignature,
    /// A manifest for another product.
    #[error("the release is for {0:?}, not Taccuino")]
    WrongProduct(String),
    /// Not newer than what is installed (or offered already): a downgrade
    /// or a replay.
    #[error("version {offered} is not newer than {current}")]
    NotNewer {
        /// The release's version.
        offered: String,
        /// The version it was compared with.
        current: String,
    },
    /// A package of another kind than this installation's.
    #[error("the release is a {offered} package; this installation needs {wanted}")]
    WrongFormat {
        /// The release's format.
        offered: String,
        /// The installation's.
        wanted: String,
    },
    /// More bytes than the manifest says, or than any package may be.
    #[error("the package is larger than its manifest says ({expected} bytes)")]
    TooLarge {
        /// The manifest's size.
        expected: u64,
    },
    /// Fewer bytes than the manifest says.
    #[error("the package is incomplete: {got} of {expected} bytes")]
    Truncated {
        /// Bytes received.
        got: u64,
        /// The manifest's size.
        expected: u64,
    },
    /// The package's bytes are not the ones signed: tampered with or
    /// damaged on the way.
    #[error("the package's SHA-256 is not the one its signed manifest names: it was changed or damaged")]
    DigestMismatch,
}

impl UpdateError {
    /// The stable name of the refusal, for the app's messages and the logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            UpdateError::Malformed(_) => "malformed",
            UpdateError::UnknownKey => "unknown_key",
            UpdateError::BadSignature => "bad_signature",
            UpdateError::WrongProduct(_) => "wrong_product",
            UpdateError::NotNewer { .. } => "not_newer",
            UpdateError::WrongFormat { .. } => "wrong_format",
            UpdateError::TooLarge { .. } => "too_large",
            UpdateError::Truncated { .. } => "truncated",
            UpdateError::DigestMismatch => "digest_mismatch",
        }
    }
}
