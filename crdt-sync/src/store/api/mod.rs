//! `Store`'s operations, one trait per concern. A caller imports the
//! traits of the parts of the register it touches (`use crdt_sync::{Families,
//! Meetings};`), so its imports say what it reads and writes. Opening,
//! identity and the read-only [`Reader`](super::Reader) stay inherent.

mod audit_log;
mod audit_trail;
mod conflicts;
mod consent;
mod erasure;
mod families;
mod maintenance;
mod meetings;
mod project_settings;
mod replication;
mod retention;
mod staff;
mod sync_memory;
mod volunteers;

pub use audit_log::AuditLog;
pub use audit_trail::AuditTrail;
pub use conflicts::Conflicts;
pub use consent::Consents;
pub use erasure::Erasure;
pub use families::Families;
pub use maintenance::Maintenance;
pub use meetings::Meetings;
pub use project_settings::ProjectSettings;
pub use replication::Replication;
pub use retention::Retention;
pub use staff::Staff;
pub use sync_memory::SyncMemory;
pub use volunteers::VolunteerRegister;

/// Seals the traits: only [`Store`](super::Store) implements them.
pub trait Sealed {}

impl Sealed for super::Store {}
