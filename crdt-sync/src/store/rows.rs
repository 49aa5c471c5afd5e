//! What the lists and searches return (rows of the projection), and how a
//! row's text columns are read back.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{HouseholdId, LabId, MeetingId, MemberId};

/// A line of the meetings list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct MeetingSummary {
    /// Id.
    pub id: MeetingId,
    /// Lab.
    pub lab: LabId,
    /// Date.
    pub date: NaiveDate,
    /// Start, `HH:MM`.
    pub start: String,
    /// End, `HH:MM`.
    pub end: String,
    /// Activity type key.
    pub activity: String,
    /// Theme.
    pub theme: String,
    /// Members present.
    pub attendees: u32,
    /// Guests.
    pub guests: u32,
}

/// A search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct HouseholdHit {
    /// Id.
    pub id: HouseholdId,
    /// Code.
    pub code: String,
    /// Lab.
    pub lab: LabId,
    /// Every member's name, reference person first.
    pub names: String,
    /// Set when merged into another family.
    pub merged_into: Option<HouseholdId>,
}

/// One attendance in a family's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct AttendanceEntry {
    /// The meeting.
    pub meeting: MeetingId,
    /// Its lab.
    pub lab: LabId,
    /// Its date.
    pub date: NaiveDate,
    /// Its activity type key.
    pub activity: String,
    /// Who was present.
    pub member: MemberId,
    /// The household the attendance was recorded for (a merged-away
    /// family's id when it came from a duplicate).
    pub recorded_for: HouseholdId,
}

pub(super) fn parse<T: std::str::FromStr>(s: String) -> rusqlite::Result<T> {
    s.parse().map_err(|_| rusqlite::Error::InvalidColumnType(0, s, rusqlite::types::Type::Text))
}

pub(super) fn date(s: String) -> rusqlite::Result<NaiveDate> {
    parse(s)
}

/// Turns what a person types into an FTS5 query: each word a prefix, all
/// words required; punctuation dropped, so no input is an FTS syntax error.
pub(super) fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() { None } else { Some(words.join(" AND ")) }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_becomes_a_safe_prefix_query() {
        assert_eq!(fts_query("nicolo ross").as_deref(), Some("\"nicolo\"* AND \"ross\"*"));
        assert_eq!(fts_query("PV03-0042").as_deref(), Some("\"PV03\"* AND \"0042\"*"));
        assert_eq!(fts_query("\" OR"), Some("\"OR\"*".to_owned()));
        assert_eq!(fts_query("\" * ("), None);
    }
}
