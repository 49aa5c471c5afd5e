//! The automerge documents and their layout.
//!
//! Every document is a map with `kind`, `id` and `schema` at its root, plus
//! maps keyed by entity id (never lists), so concurrent additions merge as a
//! union and concurrent edits merge per field. Text that people write at
//! length (notes) is collaborative text; names and codes are plain strings,
//! so a concurrent edit leaves two values that [`conflicts`] reports.
//!
//! Each document starts with a *genesis* change that every replica computes
//! identically (fixed actor, fixed time, fixed ops), so two devices that
//! create the same lab document offline create the same change, and their
//! later edits land in the same root maps instead of two rival ones.
//!
//! The layout is written down in `docs/decisions/0002-document-layout.md`.

mod access;
pub(crate) mod bytes;
pub(crate) mod conflicts;
pub(crate) mod fields;
pub(crate) mod household;
pub(crate) mod lab;
pub mod limits;
pub(crate) mod person;
pub(crate) mod project;
pub(crate) mod scan;
#[cfg(test)]
mod scan_tests;
pub(crate) mod training;
pub(crate) mod volunteer;

use std::fmt;
use std::str::FromStr;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub(crate) use access::*;
pub use conflicts::{ConflictValue, FieldConflict, conflicts};

use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, PersonId, ProjectId};

/// The document schema version this build writes. A document with a higher
/// version is still read and edited: fields this build does not know are
/// left as they are, because writes touch only the fields they change.
pub const SCHEMA_VERSION: u64 = 1;

/// The kinds of document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// One per deployment: labs, activity types, targets.
    Project,
    /// One per lab: meetings, the lab's households index, its roster.
    Lab,
    /// One per family: all of its personal data.
    Household,
    /// One per operator or volunteer.
    Person,
    /// One per deployment: training sessions.
    Training,
    /// One per volunteer in an organisation's register (art. 17 CTS): the
    /// volunteer's codice fiscale, residence, period and insurance, apart
    /// from the person document labs receive. Shares the person's id.
    Volunteer,
}

impl DocKind {
    /// The stable name used in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Project => "project",
            DocKind::Lab => "lab",
            DocKind::Household => "household",
            DocKind::Person => "person",
            DocKind::Training => "training",
            DocKind::Volunteer => "volunteer",
        }
    }

    fn parse(s: &str) -> Option<DocKind> {
        Some(match s {
            "project" => DocKind::Project,
            "lab" => DocKind::Lab,
            "household" => DocKind::Household,
            "person" => DocKind::Person,
            "training" => DocKind::Training,
            "volunteer" => DocKind::Volunteer,
            _ => return None,
        })
    }

    /// The root maps every document of this kind has from its genesis.
    fn root_maps(self) -> &'static [&'static str] {
        match self {
            DocKind::Project => &["labs", "activity_types", "targets"],
            DocKind::Lab => &["meetings", "households", "roster"],
            DocKind::Household => &["members", "contacts", "areas", "pathways"],
            DocKind::Person => &["labs"],
            DocKind::Training => &["sessions"],
            DocKind::Volunteer => &[],
        }
    }
}

/// Names a document: its kind and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct DocRef {
    /// The kind.
    pub kind: DocKind,
    /// The id (the project's, lab's, household's or person's id; the training
    /// document shares the project's id).
    pub id: Uuid,
}

impl DocRef {
    /// The project document.
    pub fn project(id: ProjectId) -> Self {
        DocRef { kind: DocKind::Project, id: id.0 }
    }
    /// A lab's document.
    pub fn lab(id: LabId) -> Self {
        DocRef { kind: DocKind::Lab, id: id.0 }
    }
    /// A family's document.
    pub fn household(id: HouseholdId) -> Self {
        DocRef { kind: DocKind::Household, id: id.0 }
    }
    /// A person's document.
    pub fn person(id: PersonId) -> Self {
        DocRef { kind: DocKind::Person, id: id.0 }
    }
    /// A volunteer's entry in their organisation's register.
    pub fn volunteer(id: PersonId) -> Self {
        DocRef { kind: DocKind::Volunteer, id: id.0 }
    }
    /// The project's training register.
    pub fn training(id: ProjectId) -> Self {
        DocRef { kind: DocKind::Training, id: id.0 }
    }

    /// The deterministic first change of this document (see the module
    /// doc): what every replica starts this document from. Public for tools
    /// and tests that write documents with automerge directly.
    pub fn genesis(&self) -> Automerge {
        let digest = Sha256::digest(format!("taccuino-genesis:{self}").as_bytes());
        let mut doc = Automerge::new().with_actor(ActorId::from(&digest[..16]));
        let kind = self.kind;
        let id = self.id.to_string();
        let result = doc.transact_with::<_, _, automerge::AutomergeError, _>(
            |_| CommitOptions::default().with_time(0),
            |tx| {
                tx.put(ROOT, "kind", kind.as_str())?;
                tx.put(ROOT, "id", id.as_str())?;
                tx.put(ROOT, "schema", SCHEMA_VERSION)?;
                for key in kind.root_maps() {
                    tx.put_object(ROOT, *key, ObjType::Map)?;
                }
                Ok(())
            },
        );
        // The genesis ops are fixed and valid; automerge cannot refuse them.
        debug_assert!(result.is_ok());
        doc
    }

    /// Checks that `doc` is this document (its root names this kind and id),
    /// so that bytes of another document are never stored under this key.
    pub(crate) fn check_identity(&self, doc: &Automerge) -> Result<()> {
        // Every value counts, not only the winner: a foreign document's
        // genesis merged into this one shows up as a second `id`.
        let values = |key: &str| -> Vec<String> {
            doc.get_all(ROOT, key)
                .unwrap_or_default()
                .into_iter()
                .map(|(v, _)| match v {
                    automerge::Value::Scalar(s) => match s.as_ref() {
                        automerge::ScalarValue::Str(s) => s.to_string(),
                        other => other.to_string(),
                    },
                    automerge::Value::Object(t) => format!("<{t}>"),
                })
                .collect()
        };
        let kinds = values("kind");
        let ids = values("id");
        let expected_id = self.id.to_string();
        let ok = !kinds.is_empty()
            && !ids.is_empty()
            && kinds.iter().all(|k| k == self.kind.as_str())
            && ids.iter().all(|i| *i == expected_id);
        if !ok {
            return Err(Error::RejectedBytes {
                doc: self.to_string(),
                reason: format!("the bytes are of document {}:{}", kinds.join("|"), ids.join("|")),
            });
        }
        Ok(())
    }
}

impl fmt::Display for DocRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.id)
    }
}

impl FromStr for DocRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid("doc_ref", format!("{s:?} is not kind:uuid"));
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        Ok(DocRef {
            kind: DocKind::parse(kind).ok_or_else(bad)?,
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

/// The schema version a document declares.
pub(crate) fn schema_version(doc: &Automerge) -> u64 {
    get_u64(doc, &ROOT, "schema").unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_is_identical_on_every_replica() {
        let r = DocRef::lab(LabId(Uuid::from_u128(7)));
        let mut a = r.genesis();
        let b = r.genesis();
        assert_eq!(a.get_heads(), b.get_heads());
        let other = DocRef::lab(LabId(Uuid::from_u128(8))).genesis();
        assert_ne!(a.get_heads(), other.get_heads());
        // Two replicas that created it independently merge into one root map.
        let mut b = b.with_actor(ActorId::from(&[2u8; 16][..]));
        let mut a2 = a.fork().with_actor(ActorId::from(&[1u8; 16][..]));
        for (doc, key) in [(&mut a2, "x"), (&mut b, "y")] {
            let meetings = map_at(doc, &ROOT, "meetings").expect("meetings");
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(&meetings, key, 1)?;
                Ok(())
            })
            .expect("write");
        }
        a2.merge(&mut b).expect("merge");
        let meetings = map_at(&a2, &ROOT, "meetings").expect("meetings");
        assert_eq!(a2.keys(&meetings).count(), 2);
        a.merge(&mut a2).expect("merge");
        r.check_identity(&a).expect("identity");
        assert!(DocRef::lab(LabId(Uuid::from_u128(8))).check_identity(&a).is_err());
    }

    #[test]
    fn doc_ref_round_trips() {
        let r = DocRef::household(HouseholdId(Uuid::from_u128(42)));
        assert_eq!(r.to_string().parse::<DocRef>().expect("parse"), r);
        assert!("nonsense".parse::<DocRef>().is_err());
        assert!("lab:nonsense".parse::<DocRef>().is_err());
    }
}
