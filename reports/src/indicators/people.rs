//! Each person's training against the threshold, for the training
//! register's screen: the same definition of *formato* as the indicators
//! (the minutes attended of the sessions completed to date, at least the
//! project's `trained_hours`).

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
    /// Minutes attended of the sessions they completed, to date: what
    /// counts towards being trained.
    pub minutes: u32,
    /// Minutes attended of every session, completed or not.
    pub attended_minutes: u32,
    /// Sessions attended.
    pub sessions: u32,
    /// Of those, sessions completed under their threshold.
    pub sessions_completed: u32,
    /// `minutes` reach the project's threshold.
    pub trained: bool,
}

/// Per person: minutes of completed sessions, minutes attended, sessions
/// attended, sessions completed.
#[derive(Default)]
struct Tally(u32, u32, u32, u32);

/// Every person on a roster, by name, with their training minutes and
/// whether they count as trained.
pub fn training_by_person(store: &mut Store) -> Result<Vec<PersonTraining>> {
    let threshold = store.targets()?.trained_hours.saturating_mul(60);
    let mut tally: BTreeMap<PersonId, Tally> = BTreeMap::new();
    for t in store.trainings()? {
        for a in &t.attendees {
            let m = tally.entry(a.person).or_default();
            if a.completed {
                m.0 = m.0.saturating_add(a.attended_minutes);
                m.3 += 1;
            }
            m.1 = m.1.saturating_add(a.attended_minutes);
            m.2 += 1;
        }
    }
    let mut people: Vec<PersonTraining> = store
        .persons(None)?
        .into_iter()
        .map(|p| {
            let Tally(m, attended, sessions, completed) = tally.remove(&p.id).unwrap_or_default();
            PersonTraining {
                person: p.id,
                code: p.code,
                name: format!("{} {}", p.first_name, p.last_name),
                role: p.role,
                minutes: m,
                attended_minutes: attended,
                sessions,
                sessions_completed: completed,
                trained: m >= threshold,
            }
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.person.cmp(&b.person)));
    Ok(people)
}
