//! The conditions a document must meet after a peer's changes are applied,
//! or the changes are refused. Checked on a copy: a refusal stores nothing.

use automerge::Automerge;

use crate::doc::{self, DocKind, DocRef};
use crate::domain::Household;
use crate::error::{ErasureRefusal, Error, Result};
use crate::ids::{HouseholdId, LabId, PersonId};

use super::documents::Access;
use crate::domain::{DeviceRole, Grant};

/// A condition the document must meet after changes from a peer are
/// applied, or the changes are refused.
///
/// Whatever the check, a lab document whose changes add a tombstone
/// (`erased.<household_id>`) for a family its `households` index does not
/// list is refused ([`ErasureRefusal::NotInLab`]): a forged erasure of
/// another lab's family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteCheck {
    /// No condition beyond the document's identity.
    None,
    /// The document must be a household registered in this lab, and the
    /// sender is not a coordinator: it neither restricts a family nor lifts
    /// a restriction, and changes nothing of a restricted family but its
    /// withdrawals (recording one stays the family's right, art. 7(3)).
    HouseholdOfLab(LabId),
    /// The document must be a person of this lab (their `labs` name it):
    /// a lab's device creating a person it registered.
    PersonOfLab(LabId),
    /// For changes from a device that is not a coordinator's: a lab
    /// document's tombstones must stay exactly as they were (none added,
    /// changed or removed), and its erasure requests too unless
    /// `may_request` (a lab lead's device). Other documents are not
    /// constrained. The hub passes it for every lab document written by a
    /// volunteer, operator or lead.
    NoErasure {
        /// Whether the sender may add or change erasure requests.
        may_request: bool,
    },
}

impl WriteCheck {
    /// The check for changes to `doc` from a device with `grant` that has
    /// `access` to it: a new household or person must be of the device's
    /// lab; only coordinators erase (leads may ask to); a household stays
    /// of its lab, and only coordinators restrict it or lift a restriction.
    pub fn for_device(grant: Grant, doc: DocRef, access: Access) -> WriteCheck {
        match (access, grant.lab) {
            _ if grant.is_coordinator() => WriteCheck::None,
            (Access::Create(lab), _) if doc.kind == DocKind::Household => WriteCheck::HouseholdOfLab(lab),
            (Access::Create(lab), _) if doc.kind == DocKind::Person => WriteCheck::PersonOfLab(lab),
            _ if doc.kind == DocKind::Lab => {
                WriteCheck::NoErasure { may_request: grant.role == DeviceRole::Lead }
            }
            (_, Some(lab)) if doc.kind == DocKind::Household => WriteCheck::HouseholdOfLab(lab),
            _ => WriteCheck::None,
        }
    }

    /// Whether `next`, the document `r` after the changes, meets the check;
    /// `before` is the document as this store held it (`None`: new here).
    pub(crate) fn verify(self, r: DocRef, before: Option<&Automerge>, next: &Automerge) -> Result<()> {
        let refuse = |refusal| Error::ErasureRefused { doc: r.to_string(), refusal };
        if r.kind == DocKind::Lab {
            let lab = LabId(r.id);
            let old = before.map(|b| doc::lab::tombstones(b, lab)).unwrap_or_default();
            for household in doc::lab::tombstones(next, lab).into_keys() {
                if !old.contains_key(&household) && doc::lab::household_code(next, household).is_none() {
                    return Err(refuse(ErasureRefusal::NotInLab { household }));
                }
            }
        }
        match self {
            WriteCheck::None => Ok(()),
            WriteCheck::HouseholdOfLab(lab) => {
                let id = HouseholdId(r.id);
                let Some(after) = doc::household::read(next, id).filter(|h| h.lab == lab) else {
                    return Err(Error::RejectedBytes {
                        doc: r.to_string(),
                        reason: format!("not a household of lab {lab}"),
                    });
                };
                match before.and_then(|b| doc::household::read(b, id)) {
                    Some(before) if !leaves_restriction_alone(&before, &after) => {
                        Err(Error::Restricted { household: id, code: after.code })
                    }
                    _ => Ok(()),
                }
            }
            WriteCheck::PersonOfLab(lab) => match doc::person::read(next, PersonId(r.id)) {
                Some(p) if p.labs.contains(&lab) => Ok(()),
                _ => Err(Error::RejectedBytes {
                    doc: r.to_string(),
                    reason: format!("not a person of lab {lab}"),
                }),
            },
            WriteCheck::NoErasure { may_request } => {
                if r.kind != DocKind::Lab {
                    return Ok(());
                }
                let same = |key| match before {
                    Some(b) => doc::lab::subtree(b, key) == doc::lab::subtree(next, key),
                    None => doc::lab::subtree(next, key).is_empty(),
                };
                if !same(doc::lab::ERASED) {
                    return Err(refuse(ErasureRefusal::NotCoordinator));
                }
                if !may_request && !same(doc::lab::REQUESTS) {
                    return Err(refuse(ErasureRefusal::RequestNotAllowed));
                }
                Ok(())
            }
        }
    }
}

/// Whether changes that turned `before` into `after` leave the family's
/// restriction (art. 18) as a device that is not a coordinator's must: not
/// added, not lifted, and, while it holds, nothing changed but the
/// withdrawals.
fn leaves_restriction_alone(before: &Household, after: &Household) -> bool {
    if before.restriction != after.restriction {
        return false;
    }
    if before.restriction.is_none() {
        return true;
    }
    let frozen = |h: &Household| Household { withdrawals: Vec::new(), ..h.clone() };
    frozen(before) == frozen(after)
}
