//! Authorisation: who may do what, in one place.
//!
//! Every right comes from facts the hub holds — a device's enrolment (its
//! role and lab), which lab's device created a document, which device
//! authored a change — never from content a lab writes into its own
//! documents. The same rules are applied wherever data is applied: by the
//! hub to every sync message and bundle, by laptops to what they receive,
//! by the shell before a command, and by the UI (through the bindings) to
//! decide what to offer.
//!
//! - [`actions`]: role × action, for the commands and the UI ([`Action`],
//!   [`allows`]).
//! - [`documents`]: role × document kind, for sync and bundles
//!   ([`access`], from a device's [`Grant`] and the [`DocFacts`] the hub
//!   knows).
//! - [`authors`]: which device may author which change ([`Directory`]): a
//!   change is bound to the device whose actor wrote it, and erasures,
//!   restrictions and the project's settings come only from coordinators.
//! - [`write_check`]: the conditions a document must meet after a peer's
//!   changes ([`WriteCheck`]).
//!
//! `docs/decisions/0014-authorisation.md` explains the choices;
//! `docs/decisions/0018-threat-model.md` says, role by role, what a device
//! can and cannot do, each line pointing at its test.

pub mod actions;
pub mod authors;
pub mod documents;
pub mod write_check;

pub use crate::domain::{DeviceRole, Directory, Grant};
pub use crate::error::AuthorRefusal;
pub use actions::{Action, allows, rights};
pub use authors::Author;
pub use documents::{Access, DocFacts, access};
pub use write_check::WriteCheck;
