//! Lookups and checks the operations of several concerns share (a member's
//! family, a meeting's lab, that a person or an activity type exists).
//! Every operation validates its input with them before it writes one
//! automerge change per touched document and commits them with their
//! projection rows in one SQLite transaction.

use super::Store;
use rusqlite::OptionalExtension;

use crate::domain::{Attendance, NewMember, check_birth_year, check_name};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, MeetingId, MemberId, PersonId};

/// Most guests a meeting can record (a typo guard).
pub(super) const MAX_GUESTS: u32 = 10_000;

impl Store {
    pub(super) fn lab_number(&self, lab: LabId) -> Result<u8> {
        self.conn
            .prepare_cached("SELECT number FROM labs WHERE id = ?1")?
            .query_row([lab.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::not_found("lab", lab))
    }

    pub(super) fn member_household(&self, member: MemberId) -> Result<Option<HouseholdId>> {
        let id: Option<String> = self
            .conn
            .prepare_cached("SELECT household_id FROM members WHERE id = ?1")?
            .query_row([member.to_string()], |r| r.get(0))
            .optional()?;
        Ok(id.and_then(|s| s.parse().ok()))
    }

    pub(super) fn meeting_lab(&self, id: MeetingId) -> Result<LabId> {
        let lab: Option<String> = self
            .conn
            .prepare_cached("SELECT lab_id FROM meetings WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        lab.and_then(|s| s.parse().ok()).ok_or_else(|| Error::not_found("meeting", id))
    }

    pub(super) fn check_person(&self, field: &'static str, id: PersonId) -> Result<()> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM persons WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))?;
        if n == 0 {
            return Err(Error::invalid(field, format!("person {id} does not exist")));
        }
        Ok(())
    }

    pub(super) fn check_activity(&self, key: &str) -> Result<()> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM activity_types WHERE key = ?1")?
            .query_row([key], |r| r.get(0))?;
        if n == 0 {
            return Err(Error::invalid("meeting.activity", format!("unknown activity type {key:?}")));
        }
        Ok(())
    }

    pub(super) fn check_attendance(&self, a: &Attendance) -> Result<()> {
        match self.member_household(a.member)? {
            Some(h) if h == a.household => Ok(()),
            Some(_) => Err(Error::invalid(
                "attendance.member",
                format!("member {} is not in household {}", a.member, a.household),
            )),
            None => Err(Error::invalid(
                "attendance.household",
                format!("no household has member {} here", a.member),
            )),
        }
    }

    pub(super) fn check_member(
        &mut self,
        field_first: &'static str,
        field_last: &'static str,
        field_year: &'static str,
        m: &NewMember,
    ) -> Result<NewMember> {
        let today = self.env.today();
        if let Some(y) = m.birth_year {
            check_birth_year(field_year, y, today)?;
        }
        Ok(NewMember {
            first_name: check_name(field_first, &m.first_name)?,
            last_name: check_name(field_last, &m.last_name)?,
            birth_year: m.birth_year,
        })
    }

    // ---- project -------------------------------------------------------

    // ---- households ------------------------------------------------------

    // ---- persons -------------------------------------------------------

    // ---- meetings ------------------------------------------------------

    // ---- training ------------------------------------------------------
}
