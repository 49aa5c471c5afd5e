//! Role × document kind: who may read and write which document, as a pure
//! function of the device's [`Grant`] and facts the hub holds ([`DocFacts`]).
//!
//! - A device of lab N reads and writes lab N's document, the households
//!   registered in lab N, and the persons a device of lab N created; it
//!   reads the project and training documents, and the persons a
//!   coordinator registered for lab N.
//! - Coordinators read and write everything.
//! - Only coordinators write the project and training documents.
//! - A new household or person (unknown to the hub) may be created by a
//!   device of lab N once lab N's document lists it (its index of families,
//!   its roster), and the document must say it is lab N's
//!   ([`super::WriteCheck::HouseholdOfLab`], [`super::WriteCheck::PersonOfLab`]).
//!
//! - A volunteer's entry in an organisation's register (art. 17 CTS) is
//!   read and written only by coordinators enrolled for that organisation
//!   (`taccuino-hub enroll --role coordinator --organisation <id>`); a new
//!   one by any such coordinator, whose organisation it then is. Neither
//!   labs nor project-wide coordinators receive it (decision 0033).
//!
//! Which organisation an entry is in is, like a person's lab, the
//! enrolment of the device that created its document ([`DocFacts::organisation`]).
//!
//! Which lab a person belongs to is *not* read from any lab's roster: a lab
//! writes its own roster, and listing another lab's operator there once
//! gave that lab her document. It is the lab of the device that created the
//! person's document ([`Origin`]), which the hub knows from the change's
//! author ([`super::authors`]), bound to the device that sent it.

use crate::doc::{DocKind, DocRef};
use crate::ids::{LabId, OrganisationId};

use crate::domain::{DeviceRole, Grant};

/// Who created a document, as the hub knows it from the author of its
/// first change and its device directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// Not known: the document is not held, its first changes have several
    /// authors, or the author is no device the directory knows.
    #[default]
    Unknown,
    /// A device of this lab.
    Lab(LabId),
    /// A coordinator's device, or the hub itself.
    Coordinator,
}

/// What the hub knows about a document, for deciding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocFacts {
    /// Whether the hub holds the document.
    pub exists: bool,
    /// For a household: the lab its document names.
    pub household_lab: Option<LabId>,
    /// For a household: the labs whose index lists it; for a person, the
    /// labs whose roster lists them. Written by the labs: it only lets a
    /// lab *create* a document it lists, never read one that exists.
    pub listed_in: Vec<LabId>,
    /// For a person: who created the document.
    pub origin: Origin,
    /// For a person a coordinator registered: the labs the person's
    /// document names (only coordinators write such a document).
    pub person_labs: Vec<LabId>,
    /// For a volunteer's entry: the organisation of the coordinators'
    /// devices that created it, when they agree (`None`: not known).
    pub organisation: Option<OrganisationId>,
}

/// The decision for one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Neither read nor write; the device must not even learn it exists.
    None,
    /// Read only.
    Read,
    /// Read and write.
    ReadWrite,
    /// Write, creating a household or person the hub does not have yet;
    /// the result must be one of this lab.
    Create(LabId),
}

impl Access {
    /// Whether the device may receive the document.
    pub fn can_read(self) -> bool {
        !matches!(self, Access::None)
    }

    /// Whether the device may send changes to it.
    pub fn can_write(self) -> bool {
        matches!(self, Access::ReadWrite | Access::Create(_))
    }
}

/// Decides what `grant` may do with `doc`.
pub fn access(grant: Grant, doc: DocRef, facts: &DocFacts) -> Access {
    if doc.kind == DocKind::Volunteer {
        return match (grant.role, grant.organisation) {
            (DeviceRole::Coordinator, Some(o)) if !facts.exists || facts.organisation == Some(o) => {
                Access::ReadWrite
            }
            _ => Access::None,
        };
    }
    if grant.role == DeviceRole::Coordinator {
        return Access::ReadWrite;
    }
    let Some(lab) = grant.lab else { return Access::None };
    let listed = facts.listed_in.contains(&lab);
    match doc.kind {
        DocKind::Project | DocKind::Training => Access::Read,
        DocKind::Lab if doc.id == lab.0 => Access::ReadWrite,
        DocKind::Lab => Access::None,
        DocKind::Household => match (facts.exists, facts.household_lab) {
            (true, Some(l)) if l == lab && listed => Access::ReadWrite,
            (false, _) if listed => Access::Create(lab),
            _ => Access::None,
        },
        DocKind::Volunteer => Access::None, // decided above
        DocKind::Person => match (facts.exists, facts.origin) {
            (true, Origin::Lab(l)) if l == lab => Access::ReadWrite,
            (true, Origin::Coordinator) if facts.person_labs.contains(&lab) => Access::Read,
            (false, _) if listed => Access::Create(lab),
            _ => Access::None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{HouseholdId, OrganisationId, PersonId, ProjectId};
    use uuid::Uuid;

    const A: LabId = LabId(Uuid::from_u128(1));
    const B: LabId = LabId(Uuid::from_u128(2));

    fn grant(role: DeviceRole, lab: LabId) -> Grant {
        Grant { role, lab: Some(lab), organisation: None }
    }

    /// One row per rule; the black-box counterparts run against the real
    /// hub in `hub/tests/insider`.
    #[test]
    fn table() {
        let h = DocRef::household(HouseholdId(Uuid::from_u128(9)));
        let p = DocRef::person(PersonId(Uuid::from_u128(8)));
        let project = DocRef::project(ProjectId(Uuid::from_u128(7)));
        let of_a =
            DocFacts { exists: true, household_lab: Some(A), listed_in: vec![A], ..Default::default() };
        let new_in_a = DocFacts { listed_in: vec![A], ..Default::default() };
        let forged =
            DocFacts { exists: true, household_lab: Some(B), listed_in: vec![A, B], ..Default::default() };
        let staff_a = DocFacts { exists: true, origin: Origin::Lab(A), ..Default::default() };
        // Lab B lists lab A's operator on its roster: no right to her.
        let poisoned =
            DocFacts { exists: true, origin: Origin::Lab(A), listed_in: vec![A, B], ..Default::default() };
        let office = DocFacts {
            exists: true,
            origin: Origin::Coordinator,
            person_labs: vec![A],
            listed_in: vec![B],
            ..Default::default()
        };
        let unknown_author = DocFacts { exists: true, listed_in: vec![A], ..Default::default() };
        let v = grant(DeviceRole::Volunteer, A);
        let other = grant(DeviceRole::Lead, B);
        let coord = Grant::COORDINATOR;
        let cases = [
            (v, DocRef::lab(A), DocFacts::default(), Access::ReadWrite),
            (v, DocRef::lab(B), DocFacts::default(), Access::None),
            (v, project, DocFacts::default(), Access::Read),
            (v, h, of_a.clone(), Access::ReadWrite),
            (other, h, of_a.clone(), Access::None),
            (v, h, new_in_a.clone(), Access::Create(A)),
            (other, h, new_in_a.clone(), Access::None),
            (v, h, DocFacts::default(), Access::None),
            (v, h, forged, Access::None),
            (v, p, staff_a.clone(), Access::ReadWrite),
            (other, p, staff_a, Access::None),
            (other, p, poisoned.clone(), Access::None),
            (v, p, poisoned, Access::ReadWrite),
            (v, p, new_in_a.clone(), Access::Create(A)),
            (other, p, new_in_a, Access::None),
            (v, p, office.clone(), Access::Read),
            (other, p, office, Access::None),
            (v, p, unknown_author, Access::None),
            (coord, DocRef::lab(B), DocFacts::default(), Access::ReadWrite),
            (coord, project, DocFacts::default(), Access::ReadWrite),
            (
                Grant { role: DeviceRole::Volunteer, lab: None, organisation: None },
                project,
                DocFacts::default(),
                Access::None,
            ),
        ];
        for (i, (g, doc, facts, want)) in cases.into_iter().enumerate() {
            assert_eq!(access(g, doc, &facts), want, "case {i}");
        }
    }

    /// The volunteers' register: the organisation's coordinators only.
    #[test]
    fn volunteer_entries_are_their_organisations_alone() {
        let (o, q) = (OrganisationId(Uuid::from_u128(5)), OrganisationId(Uuid::from_u128(6)));
        let v = DocRef::volunteer(PersonId(Uuid::from_u128(8)));
        let of_o = DocFacts { exists: true, organisation: Some(o), ..Default::default() };
        let unknown = DocFacts { exists: true, ..Default::default() };
        // Facts a lab could write do not count: the roster lists the person.
        let listed =
            DocFacts { exists: true, organisation: Some(o), listed_in: vec![A], ..Default::default() };
        let cases = [
            (Grant::coordinator_of(o), of_o.clone(), Access::ReadWrite),
            (Grant::coordinator_of(q), of_o.clone(), Access::None),
            (Grant::COORDINATOR, of_o.clone(), Access::None),
            (grant(DeviceRole::Lead, A), listed, Access::None),
            (Grant { organisation: Some(o), ..grant(DeviceRole::Lead, A) }, of_o.clone(), Access::None),
            (Grant::coordinator_of(o), unknown, Access::None),
            (Grant::coordinator_of(q), DocFacts::default(), Access::ReadWrite),
            (Grant::COORDINATOR, DocFacts::default(), Access::None),
            (grant(DeviceRole::Volunteer, A), DocFacts::default(), Access::None),
        ];
        for (i, (g, facts, want)) in cases.into_iter().enumerate() {
            assert_eq!(access(g, v, &facts), want, "case {i}");
        }
    }
}
