//! What the project sets for every lab: the labs themselves, the activity types,
//! the targets, and this device's code numbers.

use crate::error::Result;
use crate::{ActivityType, CodeRange, Lab, LabId, Labs, NewLab, NomenclatureArea, Targets};

/// What the project sets for every lab: the labs themselves, the activity types,
/// the targets, and this device's code numbers.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait ProjectSettings: super::Sealed {
    /// Gives this device another range of code numbers (from the hub).
    fn add_code_range(&mut self, range: CodeRange) -> Result<()>;

    /// Adds a lab to the project and creates its lab document.
    fn create_lab(&mut self, lab: NewLab) -> Result<LabId>;

    /// Edits a lab's name, address and partner.
    fn update_lab(&mut self, lab: Lab) -> Result<()>;

    /// Adds (or relabels) an activity type. Its mapping to an area of the
    /// nomenclature stays as it is (`t.nomenclature` is not read): that is
    /// [`set_activity_nomenclature`](Self::set_activity_nomenclature)'s.
    fn put_activity_type(&mut self, t: ActivityType) -> Result<()>;

    /// Adds an area of the social-services nomenclature, or renames the
    /// area with its code. The code is trimmed and checked
    /// (`nomenclature.code`: not empty, at most
    /// [`MAX_NOMENCLATURE_CODE`](crate::MAX_NOMENCLATURE_CODE) characters, no
    /// control characters), the name as every name (`nomenclature.name`).
    /// The caller checks `Action::ChangeProjectSettings`.
    fn put_nomenclature_area(&mut self, area: NomenclatureArea) -> Result<()>;

    /// Removes an area and, in the same change, unmaps the activity types
    /// mapped to it (they read as not mapped, as a type mapped to an area
    /// removed on another laptop does); returns their keys.
    /// [`Error::NotFound`](crate::Error::NotFound) (`nomenclature_area`)
    /// for a code the project has no area for.
    fn remove_nomenclature_area(&mut self, code: &str) -> Result<Vec<String>>;

    /// Maps the activity type `key` to the area `code`, or unmaps it
    /// (`None`). [`Error::NotFound`](crate::Error::NotFound) for an
    /// unknown type (`activity_type`) or area (`nomenclature_area`).
    fn set_activity_nomenclature(&mut self, key: &str, code: Option<&str>) -> Result<()>;

    /// The project's areas of the nomenclature, by code.
    fn nomenclature_areas(&self) -> Result<Vec<NomenclatureArea>>;

    /// Writes the grant's targets.
    fn set_targets(&mut self, t: Targets) -> Result<()>;

    /// Every lab, by number.
    fn labs(&self) -> Result<Vec<Lab>>;

    /// The activity types, by key.
    fn activity_types(&self) -> Result<Vec<ActivityType>>;

    /// The grant's targets.
    fn targets(&mut self) -> Result<Targets>;

    /// The labs `labs` names, by number; [`Error::NotFound`](crate::Error::NotFound) for an id this
    /// store lacks.
    fn resolve_labs(&self, labs: &Labs) -> Result<Vec<Lab>>;
}
