//! What the project sets for every lab: the labs themselves, the activity types,
//! the targets, and this device's code numbers.

use crate::error::Result;
use crate::{ActivityType, CodeRange, Lab, LabId, Labs, NewLab, Targets};

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

    /// Adds (or relabels) an activity type.
    fn put_activity_type(&mut self, t: ActivityType) -> Result<()>;

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
