//! A member of a family, and the age bracket the consent rules and the
//! indicators read from her birth year.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::MemberId;

/// A member's age bracket, derived from the birth year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AgeStatus {
    /// Under 18 during the given year.
    Minor,
    /// Turns 18 to 21 during the given year (*neomaggiorenne*).
    NewlyAdult,
    /// Older.
    Adult,
    /// Birth year unknown.
    Unknown,
}

impl AgeStatus {
    /// The bracket of someone born in `birth_year`, as of `on`. Only the year
    /// is known, so the age is the age reached during `on`'s year.
    pub fn of(birth_year: Option<u16>, on: NaiveDate) -> AgeStatus {
        match birth_year {
            None => AgeStatus::Unknown,
            Some(y) => match on.year() - i32::from(y) {
                ..18 => AgeStatus::Minor,
                18..=21 => AgeStatus::NewlyAdult,
                _ => AgeStatus::Adult,
            },
        }
    }
}

/// A member of a household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Member {
    /// Id.
    pub id: MemberId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Year of birth, if known.
    pub birth_year: Option<u16>,
}

/// Input for a new member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewMember {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Year of birth, if known.
    pub birth_year: Option<u16>,
}

/// A change to a member; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MemberPatch {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Birth year (`Some(None)` clears it).
    pub birth_year: Option<Option<u16>>,
}
