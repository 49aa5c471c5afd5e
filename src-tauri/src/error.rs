//! The error every command returns: a tagged union the front end matches on
//! `kind` and shows in the user's language (`ui/src/api/errors.ts`). The
//! text of a variant is for logs; the UI never shows it as is.

use serde::Serialize;

/// What went wrong, in terms the front end can explain.
#[derive(Debug, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// The register is locked (after inactivity or by the user): unlock first.
    #[error("the register is locked")]
    Locked,
    /// There is no register on this computer yet.
    #[error("no register has been created yet")]
    NoRegister,
    /// A register already exists: creating a second one would overwrite it.
    #[error("a register already exists here")]
    RegisterExists,
    /// The passphrase does not open this register.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The recovery key does not open this register.
    #[error("wrong recovery key")]
    WrongRecoveryKey,
    /// A new passphrase is too short.
    #[error("the passphrase must have at least {min_chars} characters")]
    WeakPassphrase {
        /// Minimum length, in characters.
        min_chars: u32,
    },
    /// A value was refused; `field` names it.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as named in the core's validation.
        field: String,
        /// Why (English, for logs and as a fallback).
        reason: String,
    },
    /// Something asked for does not exist (any more).
    #[error("{what} not found")]
    NotFound {
        /// What kind of thing.
        what: String,
    },
    /// Two families could not be merged.
    #[error("merge not possible: {reason}")]
    Merge {
        /// Why.
        reason: String,
    },
    /// The family's processing is restricted (GDPR art. 18): it cannot be
    /// changed until a coordinator lifts the restriction.
    #[error("family {code} is restricted")]
    Restricted {
        /// The family's code.
        code: String,
    },
    /// The family was erased: its data is no longer kept.
    #[error("family {code} was erased")]
    Erased {
        /// The family's code.
        code: String,
    },
    /// The volunteer's register entry was erased: it can be neither read
    /// nor written again.
    #[error("the volunteer's register entry was erased")]
    VolunteerErased,
    /// A volunteer's entry confirmed for erasure under the retention
    /// policy is not due (any more): nothing was erased.
    #[error("the volunteer's register entry is not due for erasure")]
    VolunteerNotDue,
    /// This device has used all its human codes; syncing gets new ones.
    #[error("the device has no codes left")]
    CodesExhausted,
    /// This device is not paired with a hub.
    #[error("this device is not paired with a hub")]
    NotPaired,
    /// The hub could not be reached (no network, wrong address, hub down).
    #[error("the hub cannot be reached")]
    Offline,
    /// The hub does not accept this device (unknown credential).
    #[error("the hub does not accept this device")]
    Unauthorized,
    /// The coordinator revoked this device.
    #[error("this device was revoked")]
    Revoked,
    /// The hub closed the sync: this device was over its limits
    /// (connections, traffic) or silent too long. Try again in a minute.
    #[error("the hub closed the sync: try again in a minute")]
    HubBusy,
    /// This device's role may not do this (e.g. a volunteer erasing a family).
    #[error("not allowed for this device's role: {action}")]
    Forbidden {
        /// The command.
        action: String,
    },
    /// This laptop has not completed a sync for longer than the project
    /// allows: families' personal data stay closed until it syncs.
    #[error("no sync for more than {days} days: families' data are locked until this laptop syncs")]
    Stale {
        /// The project's limit.
        days: u32,
    },
    /// A family confirmed for erasure under the retention policy is no
    /// longer due (it had activity since the list was shown): nothing was
    /// erased; the list must be looked at again.
    #[error("family {code} is no longer due for erasure")]
    NotDue {
        /// Its code.
        code: String,
    },
    /// The hub presented a TLS certificate other than the one pinned when
    /// this device was paired: the connection may be intercepted.
    #[error("the hub's certificate is not the one this device was paired with")]
    UntrustedHub,
    /// The pairing code was refused; `reason` is `unknown`, `used`,
    /// `expired`, `rate_limited` (the hub's `EnrollError`), or, checked on
    /// this device before anything is sent, `code_incomplete` (no
    /// certificate check) or `code_mismatch` (the hub's certificate fails
    /// the code's check).
    #[error("pairing refused: {reason}")]
    Pairing {
        /// Why, as a key the UI explains.
        reason: String,
    },
    /// The hub refused a device management request; `reason` is the hub's
    /// `ManageRefusal` (`not_allowed`, `unknown_lab`, `unknown_device`,
    /// `unknown_request`, `invalid`, `unavailable`).
    #[error("the hub refused: {reason}")]
    DeviceManagement {
        /// Why, as a key the UI explains.
        reason: String,
    },
    /// A new version could not be taken; `reason` is a key the UI
    /// explains: a check that failed (`bad_signature`, `unknown_key`,
    /// `not_newer`, `wrong_format`, `digest_mismatch`, `too_large`,
    /// `truncated`, `malformed`), or `no_offer`, `not_downloaded`,
    /// `install_failed`.
    #[error("update: {reason}")]
    Update {
        /// Why, as a key the UI explains.
        reason: String,
    },
    /// The hub and this app speak different sync protocols: the sync
    /// screen says which side is older (an update to install, or a hub to
    /// wait for). Nothing was exchanged; the data stays here.
    #[error("the hub and this app speak different sync versions")]
    VersionMismatch,
    /// The database was written by a newer Taccuino.
    #[error("the register was written by a newer Taccuino")]
    NewerDatabase,
    /// The user cancelled (a dialog, a long export).
    #[error("cancelled")]
    Cancelled,
    /// A file could not be read or written.
    #[error("file error: {detail}")]
    File {
        /// The path and the system's message.
        detail: String,
    },
    /// A file the user chose is not what it should be (a damaged bundle, a
    /// key file that does not parse).
    #[error("unreadable file: {detail}")]
    BadFile {
        /// What is wrong with it.
        detail: String,
    },
    /// Anything else: a bug or a damaged database. The detail goes to the
    /// log and to the "details" disclosure in the UI.
    #[error("internal error: {detail}")]
    Internal {
        /// Technical detail.
        detail: String,
    },
}

/// What every command returns.
pub type AppResult<T> = Result<T, AppError>;

impl From<crdt_sync::Error> for AppError {
    fn from(e: crdt_sync::Error) -> Self {
        use crdt_sync::Error as E;
        match e {
            E::WrongKeyOrNotADatabase { .. } => AppError::WrongPassphrase,
            E::NoDatabase { .. } => AppError::NoRegister,
            E::AlreadyExists { .. } => AppError::RegisterExists,
            E::NewerDatabase { .. } => AppError::NewerDatabase,
            E::Invalid { field, reason } => AppError::Invalid { field: field.into(), reason },
            E::NotFound { what, .. } => AppError::NotFound { what: what.into() },
            E::Merge(reason) => AppError::Merge { reason },
            E::Restricted { code, .. } => AppError::Restricted { code },
            E::Erased { code, .. } => AppError::Erased { code },
            E::CodesExhausted { .. } => AppError::CodesExhausted,
            E::NotDue { code, .. } => AppError::NotDue { code },
            E::NotOfOrganisation => AppError::Forbidden { action: "volunteers_register".into() },
            E::VolunteerErased { .. } => AppError::VolunteerErased,
            E::VolunteerNotDue { .. } => AppError::VolunteerNotDue,
            E::Io { path, source } => AppError::File { detail: format!("{}: {source}", path.display()) },
            other => {
                tracing::error!(error = %other, "core error");
                AppError::Internal { detail: other.to_string() }
            }
        }
    }
}

impl From<taccuino_reports::Error> for AppError {
    fn from(e: taccuino_reports::Error) -> Self {
        use taccuino_reports::Error as E;
        match e {
            E::Register(e) => e.into(),
            E::Cancelled => AppError::Cancelled,
            other => {
                tracing::error!(error = %other, "report error");
                AppError::Internal { detail: other.to_string() }
            }
        }
    }
}

impl AppError {
    /// A file error with its path.
    pub fn file(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        AppError::File { detail: format!("{}: {e}", path.display()) }
    }
}

impl From<taccuino_keys::KeyError> for AppError {
    fn from(e: taccuino_keys::KeyError) -> Self {
        use taccuino_keys::KeyError as K;
        match e {
            K::WrongPassphrase => AppError::WrongPassphrase,
            K::WrongRecoveryKey => AppError::WrongRecoveryKey,
            K::WeakPassphrase { min_chars } => {
                AppError::WeakPassphrase { min_chars: u32::try_from(min_chars).unwrap_or(u32::MAX) }
            }
            other => AppError::BadFile { detail: other.to_string() },
        }
    }
}
