//! The crate's one error type.

use std::path::PathBuf;

use crate::ids::{DeviceId, HouseholdId, PersonId};

/// Everything that can go wrong in `crdt-sync`.
///
/// Variants carry the context a person needs to act: which field is invalid,
/// which document is missing, that a passphrase is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key does not open the database, or the file is not a Taccuino database.
    /// The file was not modified.
    #[error("wrong passphrase or not a Taccuino database: {path}")]
    WrongKeyOrNotADatabase {
        /// The database file.
        path: PathBuf,
    },
    /// `Store::open` was given a path with no database.
    #[error("no Taccuino database at {path}: create one first")]
    NoDatabase {
        /// The path that was asked for.
        path: PathBuf,
    },
    /// `Store::create` was given a path that already has a file.
    #[error("a file already exists at {path}: refusing to overwrite it")]
    AlreadyExists {
        /// The path that was asked for.
        path: PathBuf,
    },
    /// The database was written by a newer Taccuino.
    #[error("the database has schema version {found}, newer than this app ({supported}): update Taccuino")]
    NewerDatabase {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// An input failed validation; `field` names it (`meeting.date`, `member.first_name`).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Dotted name of the offending field.
        field: &'static str,
        /// What is wrong with it, in English, for logs.
        reason: String,
    },
    /// This device may not keep the volunteers' register it was asked to
    /// write: it is no coordinator enrolled for the entry's organisation
    /// (or the hub's directory has not reached it yet: sync first).
    #[error("only the coordinators of the volunteer's organisation keep their register entry")]
    NotOfOrganisation,
    /// A referenced entity does not exist in this store.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// The kind of entity (`household`, `meeting`, ...).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// Bytes offered as a document are corrupt, or belong to another document.
    #[error("rejected document bytes for {doc}: {reason}")]
    RejectedBytes {
        /// The document the bytes were offered for.
        doc: String,
        /// Why they were refused.
        reason: String,
    },
    /// Bytes offered as a document ask for more work than a replica does
    /// for one message (inflated size, changes, operations, changes waiting
    /// for a dependency: [`crate::doc::limits`]). Refused before automerge
    /// parsed them; nothing was stored.
    #[error("refused document bytes for {doc}: {reason}")]
    TooLarge {
        /// The document the bytes were offered for.
        doc: String,
        /// Which limit they are over.
        reason: String,
    },
    /// A merge operation is not allowed in the household's current state.
    #[error("merge not possible: {0}")]
    Merge(String),
    /// The device's range of human codes is used up.
    #[error("this device has used all its codes ({start}..={end}): sync with the hub to get a new range")]
    CodesExhausted {
        /// First code of the range.
        start: u32,
        /// Last code of the range.
        end: u32,
    },
    /// A stored document could not be decoded: the database is damaged.
    #[error("stored document {doc} is damaged: {source}")]
    DamagedDocument {
        /// The document's key.
        doc: String,
        /// The automerge error.
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// An automerge operation failed.
    #[error("document operation failed: {0}")]
    Automerge(#[source] Box<automerge::AutomergeError>),
    /// An invariant of this crate did not hold: a bug, to be reported.
    #[error("internal error (please report): {0}")]
    Internal(String),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The family was erased (GDPR art. 17): its document is gone from this
    /// store and is refused from anywhere. Registers show it by its code only
    /// ("famiglia cancellata").
    #[error("family {code} was erased: its data is no longer kept (famiglia cancellata)")]
    Erased {
        /// The family.
        household: HouseholdId,
        /// Its human code.
        code: String,
    },
    /// The volunteer's entry in an organisation's register was erased
    /// (decision 0033): its document is gone from this store and is refused
    /// from anywhere. The person stays; her entry cannot be written again.
    #[error("the register entry of volunteer {person} was erased: its data is no longer kept")]
    VolunteerErased {
        /// The volunteer.
        person: PersonId,
    },
    /// The family's processing is restricted (GDPR art. 18): its document
    /// is frozen and no attendance can be added until a coordinator lifts
    /// the restriction. Nothing was stored.
    #[error("family {code} is restricted (GDPR art. 18): it cannot be changed (famiglia limitata)")]
    Restricted {
        /// The family.
        household: HouseholdId,
        /// Its human code.
        code: String,
    },
    /// Changes to a lab document were refused because of what they do to
    /// erasures: the sender may not make them, or a tombstone names a family
    /// the lab does not list. Nothing was stored.
    #[error("refused changes to {doc}: {refusal}")]
    ErasureRefused {
        /// The lab document.
        doc: String,
        /// What was wrong.
        refusal: ErasureRefusal,
    },
    /// Changes from a peer whose author may not have written them: written
    /// as another device, by a revoked device, or doing what only a
    /// coordinator may ([`crate::authz::authors`]). Nothing was stored.
    #[error("refused changes to {doc}: {refusal}")]
    WrongAuthor {
        /// The document.
        doc: String,
        /// What was wrong.
        refusal: AuthorRefusal,
    },
    /// A file operation failed.
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An erasure for retention was confirmed for a family that is not due
    /// (any more) on that day: it had activity since the preview, it is a
    /// duplicate merged into another family (erased with it), or it is not
    /// registered here. Nothing was erased: show the preview again.
    #[error("family {code} is not due for erasure under the retention policy: refresh the list")]
    NotDue {
        /// The family.
        household: HouseholdId,
        /// Its human code (its id when this store has none).
        code: String,
    },
    /// An erasure for retention was confirmed for a volunteer's entry that
    /// is not due (any more) on that day: its end was moved or removed
    /// since the preview, or it is not this organisation's. Nothing was
    /// erased: show the list again.
    #[error("the register entry of volunteer {person} is not due for erasure: refresh the list")]
    VolunteerNotDue {
        /// The volunteer.
        person: PersonId,
    },
}

/// Why changes touching erasures were refused ([`Error::ErasureRefused`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErasureRefusal {
    /// A device that is not a coordinator's added, changed or removed a
    /// tombstone: only a coordinator confirms an erasure.
    #[error("only a coordinator may erase a family, or change or remove an erasure")]
    NotCoordinator,
    /// A device that is not a lab lead's (or a coordinator's) touched the
    /// erasure requests.
    #[error("only a lab lead or a coordinator may request the erasure of a family")]
    RequestNotAllowed,
    /// A tombstone names a family this lab document does not list: a forged
    /// erasure of another lab's family.
    #[error("the erased family {household} is not registered in this lab")]
    NotInLab {
        /// The family the tombstone names.
        household: HouseholdId,
    },
    /// A volunteer's tombstone names another organisation than the one
    /// whose register holds the entry: a forged erasure of another
    /// organisation's volunteer.
    #[error("the erased entry of volunteer {person} is in another organisation's register")]
    OtherOrganisation {
        /// The volunteer the tombstone names.
        person: PersonId,
    },
}

/// Why a change's author was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorRefusal {
    /// The sender itself is unknown or revoked.
    #[error("the sending device is not enrolled, or was revoked")]
    Sender,
    /// A change written as another device (a coordinator's, the hub's,
    /// another lab's, or an unknown actor).
    #[error("a change is written as another device ({actor})")]
    Impersonation {
        /// The actor, hex.
        actor: DeviceId,
    },
    /// A change by a device that was revoked.
    #[error("a change is by a revoked device ({actor})")]
    Revoked {
        /// The actor.
        actor: DeviceId,
    },
    /// A change does what its author may not: an erasure, a restriction or
    /// a project setting by a device that is not a coordinator's.
    #[error("a change by {actor} does what only {who} may do: {what}")]
    NotAllowed {
        /// The actor (nil if it is no device id).
        actor: DeviceId,
        /// What the change did.
        what: &'static str,
        /// Who may.
        who: &'static str,
    },
}

impl From<automerge::AutomergeError> for Error {
    fn from(e: automerge::AutomergeError) -> Self {
        Error::Automerge(Box::new(e))
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid { field, reason: reason.into() }
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        Error::NotFound { what, id: id.to_string() }
    }
}
