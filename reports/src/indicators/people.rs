//! Each person's training against the threshold, for the training
//! register's screen: the same definition of *formato* as the indicators
//! (all training to date, at least the project's `trained_hours`).

use crdt_sync::{PersonId, ProjectSettings, Role, Staff, Store};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One operator's or volunteer's training so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PersonTraining {
    /// The person.
    pub person: PersonId,
    /// Their code.
    pub code: String,
    /// "First Last".
    pub name: String,
    /// Operator or volunteer.
    pub role: Role,
    /// Minutes of training attended, all sessions to date.
    pub minutes: u32,
    /// `minutes` reach the project's threshold.
    pub trained: bool,
}

/// Every person on a roster, by name, with their training minutes and
/// whether they count as trained.
pub fn training_by_person(store: &mut Store) -> Result<Vec<PersonTraining>> {
    let threshold = store.targets()?.trained_hours.saturating_mul(60);
    let mut minutes: BTreeMap<PersonId, u32> = BTreeMap::new();
    for t in store.trainings()? {
        for p in &t.attendees {
            let m = minutes.entry(*p).or_default();
            *m = m.saturating_add(t.minutes);
        }
    }
    let mut people: Vec<PersonTraining> = store
        .persons(None)?
        .into_iter()
        .map(|p| {
            let m = minutes.get(&p.id).copied().unwrap_or(0);
            PersonTraining {
                person: p.id,
                code: p.code,
                name: format!("{} {}", p.first_name, p.last_name),
                role: p.role,
                minutes: m,
                trained: m >= threshold,
            }
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.person.cmp(&b.person)));
    Ok(people)
}
