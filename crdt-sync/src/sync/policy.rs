//! Who may read and write which document: a pure function of the device's
//! grant and a few facts the hub's projection knows.
//!
//! - A device of lab N reads and writes lab N's document and the household
//!   and person documents registered in lab N, and reads the project and
//!   training documents.
//! - Coordinators read and write everything.
//! - Only coordinators write the project and training documents.
//! - A new household (unknown to the hub) may be created by a device of lab
//!   N once lab N's document lists it, and its `lab` field must say N.

use serde::{Deserialize, Serialize};

use crate::doc::{DocKind, DocRef};
use crate::ids::LabId;

/// What a device was enrolled as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DeviceRole {
    /// A volunteer's laptop.
    Volunteer,
    /// An operator's laptop.
    Operator,
    /// The lab lead's laptop.
    Lead,
    /// A coordinator: every lab.
    Coordinator,
}

impl DeviceRole {
    /// The stable name used on the command line and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceRole::Volunteer => "volunteer",
            DeviceRole::Operator => "operator",
            DeviceRole::Lead => "lead",
            DeviceRole::Coordinator => "coordinator",
        }
    }

    /// Parses [`DeviceRole::as_str`]'s names.
    pub fn parse(s: &str) -> Option<DeviceRole> {
        Some(match s {
            "volunteer" => DeviceRole::Volunteer,
            "operator" => DeviceRole::Operator,
            "lead" => DeviceRole::Lead,
            "coordinator" => DeviceRole::Coordinator,
            _ => return None,
        })
    }
}

/// What a device may do: its role and, except for coordinators, its lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: DeviceRole,
    /// The lab (ignored for coordinators).
    pub lab: Option<LabId>,
}

/// What the hub knows about a document, for deciding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocFacts {
    /// Whether the hub holds the document.
    pub exists: bool,
    /// For a household: the lab its document names.
    pub household_lab: Option<LabId>,
    /// For a household: the labs whose index lists it.
    pub listed_in: Vec<LabId>,
    /// For a person: the labs on whose roster or in whose list they are.
    pub person_labs: Vec<LabId>,
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
    /// Write, creating a household the hub does not have yet; the result
    /// must be a household of this lab.
    CreateHousehold(LabId),
}

impl Access {
    /// Whether the device may receive the document.
    pub fn can_read(self) -> bool {
        !matches!(self, Access::None)
    }

    /// Whether the device may send changes to it.
    pub fn can_write(self) -> bool {
        matches!(self, Access::ReadWrite | Access::CreateHousehold(_))
    }
}

/// Decides what `grant` may do with `doc`.
pub fn access(grant: Grant, doc: DocRef, facts: &DocFacts) -> Access {
    if grant.role == DeviceRole::Coordinator {
        return Access::ReadWrite;
    }
    let Some(lab) = grant.lab else { return Access::None };
    match doc.kind {
        DocKind::Project | DocKind::Training => Access::Read,
        DocKind::Lab if doc.id == lab.0 => Access::ReadWrite,
        DocKind::Lab => Access::None,
        DocKind::Household => {
            let listed = facts.listed_in.contains(&lab);
            match (facts.exists, facts.household_lab) {
                (true, Some(l)) if l == lab && listed => Access::ReadWrite,
                (false, _) if listed => Access::CreateHousehold(lab),
                _ => Access::None,
            }
        }
        DocKind::Person if facts.person_labs.contains(&lab) => Access::ReadWrite,
        DocKind::Person => Access::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{HouseholdId, PersonId, ProjectId};
    use uuid::Uuid;

    const A: LabId = LabId(Uuid::from_u128(1));
    const B: LabId = LabId(Uuid::from_u128(2));

    fn grant(role: DeviceRole, lab: LabId) -> Grant {
        Grant { role, lab: Some(lab) }
    }

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
        let staff_a = DocFacts { exists: true, person_labs: vec![A], ..Default::default() };
        let v = grant(DeviceRole::Volunteer, A);
        let other = grant(DeviceRole::Lead, B);
        let coord = Grant { role: DeviceRole::Coordinator, lab: None };
        let cases = [
            (v, DocRef::lab(A), DocFacts::default(), Access::ReadWrite),
            (v, DocRef::lab(B), DocFacts::default(), Access::None),
            (v, project, DocFacts::default(), Access::Read),
            (v, h, of_a.clone(), Access::ReadWrite),
            (other, h, of_a.clone(), Access::None),
            (v, h, new_in_a.clone(), Access::CreateHousehold(A)),
            (other, h, new_in_a, Access::None),
            (v, h, DocFacts::default(), Access::None),
            (v, h, forged, Access::None),
            (v, p, staff_a.clone(), Access::ReadWrite),
            (other, p, staff_a, Access::None),
            (coord, DocRef::lab(B), DocFacts::default(), Access::ReadWrite),
            (coord, project, DocFacts::default(), Access::ReadWrite),
            (Grant { role: DeviceRole::Volunteer, lab: None }, project, DocFacts::default(), Access::None),
        ];
        for (i, (g, doc, facts, want)) in cases.into_iter().enumerate() {
            assert_eq!(access(g, doc, &facts), want, "case {i}");
        }
    }
}
