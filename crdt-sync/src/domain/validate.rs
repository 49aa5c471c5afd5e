//! Shared validation rules. Each failure names the field.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// Longest name we accept, in characters.
const MAX_NAME: usize = 100;
/// Longest free text (notes), in characters.
const MAX_TEXT: usize = 20_000;
/// The register starts in 2000; nothing real predates it.
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("valid constant date"),
};

/// A required name: trimmed, not empty, not absurdly long, no control characters.
pub(crate) fn check_name(field: &'static str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if v.chars().count() > MAX_NAME {
        return Err(Error::invalid(field, format!("longer than {MAX_NAME} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(v.to_owned())
}

/// Optional free text: bounded length.
pub(crate) fn check_text(field: &'static str, value: &str) -> Result<()> {
    if value.chars().count() > MAX_TEXT {
        return Err(Error::invalid(field, format!("longer than {MAX_TEXT} characters")));
    }
    Ok(())
}

/// A date of something that happened or is planned: from 2000 to one year after `today`.
pub(crate) fn check_date(field: &'static str, date: NaiveDate, today: NaiveDate) -> Result<()> {
    let latest = today.checked_add_signed(chrono::Duration::days(366)).unwrap_or(today);
    if date < EARLIEST {
        return Err(Error::invalid(field, format!("{date} is before {EARLIEST}")));
    }
    if date > latest {
        return Err(Error::invalid(field, format!("{date} is more than a year from today")));
    }
    Ok(())
}

/// A birth year: not before 1900, not after this year.
pub(crate) fn check_birth_year(field: &'static str, year: u16, today: NaiveDate) -> Result<()> {
    let this_year = today.year();
    if i32::from(year) < 1900 || i32::from(year) > this_year {
        return Err(Error::invalid(field, format!("{year} is not between 1900 and {this_year}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(check_name("f", "  Anna ").expect("ok"), "Anna");
        assert!(matches!(
            check_name("member.first_name", "   "),
            Err(Error::Invalid { field: "member.first_name", .. })
        ));
        assert!(check_name("f", &"x".repeat(101)).is_err());
        assert!(check_name("f", "a\u{0}b").is_err());
    }

    #[test]
    fn dates_far_in_the_future_or_past_are_refused() {
        let today = d(2026, 11, 25);
        assert!(check_date("meeting.date", d(2026, 11, 25), today).is_ok());
        assert!(check_date("meeting.date", d(2027, 6, 1), today).is_ok());
        let err = check_date("meeting.date", d(2090, 1, 1), today).expect_err("2090");
        assert!(err.to_string().contains("meeting.date"), "{err}");
        assert!(check_date("meeting.date", d(1999, 12, 31), today).is_err());
    }

    #[test]
    fn birth_years() {
        let today = d(2026, 11, 25);
        assert!(check_birth_year("y", 2026, today).is_ok());
        assert!(check_birth_year("y", 2027, today).is_err());
        assert!(check_birth_year("y", 1899, today).is_err());
    }
}
