//! Operators and volunteers.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::keyed_enum;
use crate::ids::{LabId, PersonId};

keyed_enum!(
    /// What a person does in the project.
    Role {
        /// *Operatore*: a trained social operator.
        Operator => "operator",
        /// *Volontario*.
        Volunteer => "volunteer",
    }
);

/// An operator or volunteer, as read from their person document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Person {
    /// Id.
    pub id: PersonId,
    /// Human code.
    pub code: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Role.
    pub role: Role,
    /// Organisation they belong to.
    pub organisation: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Labs they work in.
    pub labs: BTreeSet<LabId>,
}

/// Input for a new person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewPerson {
    /// The lab whose roster they join first (codes use its number).
    pub lab: LabId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub organisation: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
}

/// A change to a person; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PersonPatch {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Role.
    pub role: Option<Role>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}
