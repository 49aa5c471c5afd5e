//! # taccuino-crdt-sync: Taccuino's core
//!
//! Taccuino is the register of the ten *Laboratori di comunità* of
//! "Fare #BeneComune": volunteers record meetings on laptops that are often
//! offline, and the laptops reconcile through a hub. This crate is
//! the register's truth and how it travels: the domain, the documents, the
//! store, who may do what, and the sync protocol (sans I/O). It does no
//! networking and knows nothing of Tauri or axum.
//!
//! ## Where the truth lives
//!
//! The truth is a set of [automerge](https://docs.rs/automerge) documents (see [`DocKind`]):
//! one *project* document (labs, activity types, targets), one *lab*
//! document per lab (its meetings with attendance, the codes of the families
//! registered there, its roster), one *household* document per family (all
//! of its personal data, so erasing a family is dropping one document), one
//! *person* document per operator or volunteer, and one *training* document.
//! Documents are maps keyed by entity id, so concurrent edits merge per field
//! and two volunteers ticking the same meeting merge to the union. When two
//! values are entered for one field, every replica shows the same one and
//! [`Store::household_conflicts`] lists the others, for a person to confirm;
//! [`Conflicts`] lists them across the register, from the projection, and
//! settles one by writing the chosen value again.
//!
//! The [`Store`] keeps, in one SQLCipher-encrypted SQLite file, the
//! documents (a compacted save plus incremental chunks) and a *projection*:
//! ordinary tables and a full-text index derived from the documents, so that
//! lists, searches and exports are plain SQL. Every write is one automerge
//! change and one SQLite transaction holding both the change bytes and the
//! projection rows; bytes from another replica ([`Store::apply_bytes`]) take
//! the same path. The projection is planned by a pure function of the
//! document and can always be rebuilt ([`Store::rebuild_projection`]).
//!
//! ## How replicas converge
//!
//! A device exports a document ([`Store::export_doc`], or only what another
//! replica lacks with [`Store::export_since`]) and another applies it. Order
//! does not matter: after every replica has seen every change, all hold the
//! same heads, the same values and the same projection rows, which
//! [`Store::fingerprint`] summarises as a code two people can read aloud.
//!
//! ## Erasure
//!
//! A coordinator erases a family with [`Store::erase_household`]: a
//! [`Tombstone`] in the family's lab document (code, time, who, why; no
//! personal data). Every replica that commits that lab document drops the
//! family's document and projection rows in the same transaction, keeps only
//! what the indicators count, vacuums the file, and refuses the family's
//! document from then on ([`Error::Erased`]); the hub refuses tombstones from
//! any other device ([`WriteCheck::NoErasure`]). See
//! `docs/decisions/0009-erasure.md`.
//!
//! ```
//! use std::collections::BTreeSet;
//! use crdt_sync::{CodeRange, DeviceConfig, DeviceId, DocRef, LegalBasis, NewConsent, NewHousehold,
//!     NewLab, NewMember, NewPerson, ProjectId, Role, SeededEnv, Store};
//! // The parts of the register this example touches.
//! use crdt_sync::{Families, ProjectSettings, Replication, Staff};
//!
//! # fn main() -> crdt_sync::Result<()> {
//! let project = ProjectId(uuid::Uuid::from_u128(1));
//! let device = |n: u128, first: u32| DeviceConfig {
//!     device: DeviceId(uuid::Uuid::from_u128(n)),
//!     project,
//!     codes: CodeRange::new(first, first + 99).expect("range"),
//! };
//! let mut a = Store::in_memory(device(10, 1), Box::new(SeededEnv::with_seed(1)))?;
//! let mut b = Store::in_memory(device(11, 101), Box::new(SeededEnv::with_seed(2)))?;
//!
//! // Laptop A creates the lab and registers a family.
//! let lab = a.create_lab(NewLab { number: 3, name: "Lab Crosione".into(),
//!     address: "Via Acerbi 21".into(), partner: "Coop. Il Convoglio".into() })?;
//! let volunteer = a.create_person(NewPerson { lab, first_name: "Giulia".into(),
//!     last_name: "Ferri".into(), role: Role::Volunteer, organisation: String::new(),
//!     phone: String::new(), email: String::new() })?;
//! let today = a.today();
//! let family = a.create_household(NewHousehold {
//!     lab,
//!     reference: NewMember { first_name: "Nicolò".into(), last_name: "Bianchi".into(), birth_year: Some(1984) },
//!     others: vec![],
//!     contacts: Default::default(),
//!     areas: BTreeSet::new(),
//!     referral: None,
//!     // No family is registered without its legal basis record.
//!     consent: NewConsent { basis: LegalBasis::Consent, special: None, notice_version: "2026-01".into(),
//!         date: today, collected_by: volunteer, guardian: None, scopes: BTreeSet::new() },
//! })?;
//!
//! // Laptop B receives the documents, in any order.
//! for doc in a.doc_refs()? {
//!     let bytes = a.export_doc(doc)?;
//!     b.apply_bytes(doc, &bytes)?;
//! }
//! assert_eq!(b.search_households("nicolo", 10)?[0].id, family);
//! let docs = a.doc_refs()?;
//! assert_eq!(a.fingerprint(&docs)?, b.fingerprint(&docs)?);
//! # Ok(()) }
//! ```
//!
//! ## Layout of the crate
//!
//! - [`authz`]: who may do what, in one place: role × action for the
//!   commands and the UI, role × document for sync and bundles, and which
//!   device may author which change.
//! - `domain`: plain values and inputs, with validation that names the field.
//! - `doc`: the document layout; reading and writing domain values.
//! - `projection`: the pure plan (document in, rows out) and its execution.
//! - `store`: the SQLite file, the write path, operations and queries;
//!   [`Store::reader`], the read-only view the reports read through.
//! - [`sync`]: frames, the session state machine, bundles, limits on the
//!   work a peer's bytes may cause.
//! - [`base32`]: the text form of keys people copy by hand.
//! - `testing` (feature `testing`): the test kit, for the tests of this
//!   crate and of the crates above it.
//!
//! ## What is not here
//!
//! This crate depends on none of Taccuino's others; they depend on it:
//! `taccuino-keys` wraps the database [`Key`] with the volunteer's
//! passphrase, `taccuino-reports` makes the indicators and the exports,
//! `taccuino-demo` generates the demo register, `taccuino-sync-client` and
//! `taccuino-hub` move this crate's frames over the network. Whatever needs
//! the documents, the store or the sync protocol links no PDF engine, no
//! spreadsheet writer and no Argon2.

pub mod authz;
pub mod base32;
mod codes;
mod credentials;
mod doc;
mod domain;
mod env;
mod error;
mod ids;
mod projection;
mod selection;
mod store;
pub mod sync;
mod sync_points;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

// The root names what a caller of the register needs; the sync protocol
// (`sync`), authorisation (`authz`) and the test kit (`testing`) keep their
// own paths.

// Documents and changes.
pub use automerge::ChangeHash;
pub use doc::{ConflictValue, DocKind, DocRef, FieldConflict, SCHEMA_VERSION};

// The store: opening it, its operations by concern, and what they return.
pub use env::{Environment, SeededEnv, SystemEnv};
pub use store::key_connection;
pub use store::{
    Applied, AttendanceEntry, DeviceConfig, HouseholdHit, Key, MeetingSummary, Reader, Store, WriteCheck,
};
pub use store::{AuditAction, AuditEntry, SubjectAccessRecord};
pub use store::{
    AuditLog, AuditTrail, Conflicts, Consents, Erasure, Families, Maintenance, Meetings, ProjectSettings,
    Replication, Retention, Staff, SyncMemory, VolunteerRegister,
};
pub use store::{ConflictSubject, OpenConflict};
pub use store::{CoverWarning, FieldChange, VolunteerChange, VolunteerDue};
pub use store::{HubLink, HubLinkStatus, SyncOutcome};
pub use store::{RetentionDue, TrailAction, TrailEntry, TrailScope, WithdrawnFamily};

// The domain's values and inputs.
pub use codes::{CodeRange, format_code};
pub use domain::{
    ActivityType, AgeStatus, Area, Attendance, Consent, ConsentScope, Contacts, ErasedHousehold,
    ErasureReason, ErasureRequest, Guardian, Household, HouseholdPatch, Keyed, Lab, LegalBasis, LegalStatus,
    Meeting, MeetingPatch, Member, MemberPatch, NewConsent, NewGuardian, NewHousehold, NewLab, NewMeeting,
    NewMember, NewPathway, NewPerson, NewTraining, Pathway, PathwayKind, PathwayPatch, PathwayStatus, Person,
    PersonPatch, ReferralSource, Restriction, RestrictionReason, RetentionPolicy, Role, SpecialCondition,
    Targets, Tombstone, TrainingPatch, TrainingSession, Withdrawal, WithdrawnScopes,
};
pub use domain::{Attendee, DEFAULT_COMPLETION_PERCENT, PresenceRecord, SessionSpan};
pub use domain::{CodiceFiscale, CodiceFiscaleError, Sex};
pub use domain::{DeviceRole, Directory, DirectoryEntry, Grant};
pub use domain::{MAX_NOMENCLATURE_CODE, NomenclatureArea};
pub use domain::{Organisation, VolunteerEntry, VolunteerRecord, VolunteerTombstone};
pub use ids::{
    DeviceId, HouseholdId, LabId, MeetingId, MemberId, OrganisationId, PathwayId, PersonId, ProjectId,
    TrainingId,
};
pub use selection::{Labs, Month, Period, Selection};

// Errors.
pub use error::{AuthorRefusal, ErasureRefusal, Error, Result};
