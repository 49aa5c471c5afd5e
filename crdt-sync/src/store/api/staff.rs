//! Operators and volunteers, and their trainings.

use crate::error::Result;
use crate::{
    LabId, NewPerson, NewTraining, Person, PersonId, PersonPatch, PresenceRecord, TrainingId, TrainingPatch,
    TrainingSession,
};

/// Operators and volunteers, and their trainings.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Staff: super::Sealed {
    /// Registers an operator or volunteer and puts them on their lab's roster.
    fn create_person(&mut self, p: NewPerson) -> Result<PersonId>;

    /// Edits a person.
    fn update_person(&mut self, id: PersonId, patch: PersonPatch) -> Result<()>;

    /// Records a training session.
    fn create_training(&mut self, t: NewTraining) -> Result<TrainingId>;

    /// Edits a training session's date, title or duration.
    fn update_training(&mut self, training: TrainingId, patch: TrainingPatch) -> Result<()>;

    /// Marks a person present at (or absent from) a training session.
    fn set_training_attendance(
        &mut self,
        training: TrainingId,
        person: PersonId,
        present: bool,
    ) -> Result<()>;

    /// Records when a person arrived at and left a training session, or the
    /// minutes they attended (`record` is the whole of it: an absent field
    /// is cleared), marking them present. Times outside the session are
    /// kept as written and clamped when counted; a departure not after the
    /// arrival, times on a session without a start, or more minutes than
    /// the session has are refused.
    fn record_training_presence(
        &mut self,
        training: TrainingId,
        person: PersonId,
        record: PresenceRecord,
    ) -> Result<()>;

    /// One person, read from their document.
    fn person(&mut self, id: PersonId) -> Result<Person>;

    /// Every person, optionally only those on a lab's roster, by name.
    fn persons(&mut self, lab: Option<LabId>) -> Result<Vec<Person>>;

    /// Every training session, by date.
    fn trainings(&mut self) -> Result<Vec<TrainingSession>>;
}
