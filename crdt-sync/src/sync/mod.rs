//! Sync between a device and the hub, sans I/O.
//!
//! One connection carries [`Frame`]s. The device opens with `Hello` (the
//! documents it holds); the hub answers with a `Catalog` of the documents
//! this device may sync (decided by [`access`] from the device's [`Grant`]
//! and what the hub knows), `Refused` for the rest, and its first automerge
//! sync messages. From then on both sides exchange one automerge sync
//! message per document per turn (`Sync`), until neither has anything to
//! say. Changes a peer sends are stored through the store's strict,
//! transactional path, so the projection follows and a bad message changes
//! nothing. A household created offline is accepted once its lab's
//! document, synced in the same session, lists it.
//!
//! [`Session`] is the state machine; the hub's WebSocket handler and the
//! app's client move its frames. Why not samod: see
//! `docs/decisions/0006-sync-protocol.md`.

pub mod bundle;
mod enroll;
#[cfg(test)]
mod insider_tests;
pub mod manage;
pub use crate::doc::limits;
#[cfg(test)]
mod limits_tests;
pub mod pairing;
#[cfg(test)]
mod points_tests;
#[cfg(test)]
mod restriction_tests;
mod session;
#[cfg(any(test, feature = "testing"))]
mod turns;
#[cfg(test)]
mod volunteer_erasure_tests;
#[cfg(test)]
mod volunteer_tests;
mod wire;

pub use crate::authz::{Access, DeviceRole, DocFacts, Grant, access};
pub use crate::sync_points::{Peer, SyncPoints};
pub use enroll::{EnrollError, EnrollRequest, EnrollResponse, Enrolled};
pub use limits::{BytesRefused, Cost};
pub use pairing::{CertFingerprint, PairingCode};
pub use session::{Session, Stats};
/// The in-process harness that runs a device and the hub to the end of a
/// session (tests and simulations: feature `testing`).
#[cfg(any(test, feature = "testing"))]
pub use turns::{Turns, in_turns};
pub use wire::{
    DecodeError, Fatal, Frame, MAX_FRAME, PROTOCOL_VERSION, Refusal, bit, bits, catalog_docs, heads_digest,
    set_bit,
};
