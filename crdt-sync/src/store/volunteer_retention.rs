//! Retention of the volunteers' register (decision 0033): an entry is due
//! for erasure `volunteer_years` whole years after the volunteering ended
//! (the project's setting, beside the families' `inactive_years`, 0011).
//! An entry with no end is never due: the person still volunteers. Only the
//! entries this device holds are listed, which are its organisation's
//! (nobody else receives them).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Store;
use super::retention::{plus_years, whole_years};
use crate::domain::{ErasureReason, VolunteerTombstone};
use crate::error::{Error, Result};
use crate::ids::PersonId;
use crate::store::api::*;

/// An entry due for erasure under the retention policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct VolunteerDue {
    /// The volunteer.
    pub person: PersonId,
    /// When the volunteering ended.
    pub end: NaiveDate,
    /// Whole years since then.
    pub years_since_end: u32,
}

impl Store {
    /// The entries of this device's organisation due on `today`.
    pub(super) fn volunteers_due_on(&mut self, today: NaiveDate) -> Result<Vec<VolunteerDue>> {
        let years = self.retention_policy()?.volunteer_years;
        let own = self.own_organisation()?;
        let mut out = Vec::new();
        for v in self.volunteers()? {
            let Some(end) = v.end else { continue };
            if own.is_none() || v.organisation != own {
                continue;
            }
            if plus_years(end, years).is_some_and(|due| due <= today) {
                out.push(VolunteerDue { person: v.person, end, years_since_end: whole_years(end, today) });
            }
        }
        out.sort_by_key(|d| (d.end, d.person));
        Ok(out)
    }

    /// Erases the confirmed entries, each checked again first.
    pub(super) fn erase_volunteers_due_on(
        &mut self,
        today: NaiveDate,
        confirmed: &[PersonId],
        by_person: Option<PersonId>,
    ) -> Result<Vec<VolunteerTombstone>> {
        let due: Vec<PersonId> = self.volunteers_due_on(today)?.into_iter().map(|d| d.person).collect();
        if let Some(&person) = confirmed.iter().find(|p| !due.contains(p)) {
            return Err(Error::VolunteerNotDue { person });
        }
        let mut out = Vec::new();
        for &person in confirmed {
            out.push(self.erase_volunteer(person, ErasureReason::Retention, by_person)?);
        }
        Ok(out)
    }
}
