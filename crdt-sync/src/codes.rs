//! Human codes (`PV03-0042`) for paper forms and pseudonymised exports.
//!
//! The number after the dash is unique across the whole deployment: each
//! device assigns numbers only from ranges it was given (by the hub at
//! enrolment; by the creator of a standalone database), and ranges never
//! overlap, so two offline devices can never assign the same code. The lab
//! number in front tells where the family or person was registered.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A range of code numbers, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct CodeRange {
    /// First number.
    pub first: u32,
    /// Last number.
    pub last: u32,
}

impl CodeRange {
    /// A range, checked: `1 <= first <= last`.
    pub fn new(first: u32, last: u32) -> Result<Self> {
        if first == 0 || first > last {
            return Err(Error::invalid("code_range", format!("{first}..={last} is empty or starts at 0")));
        }
        Ok(CodeRange { first, last })
    }
}

/// Formats a code: `PV` + two-digit lab number + `-` + at least four digits.
pub fn format_code(lab_number: u8, n: u32) -> String {
    format!("PV{lab_number:02}-{n:04}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_look_like_paper_forms() {
        assert_eq!(format_code(3, 42), "PV03-0042");
        assert_eq!(format_code(10, 12345), "PV10-12345");
    }

    #[test]
    fn ranges_are_checked() {
        assert!(CodeRange::new(0, 10).is_err());
        assert!(CodeRange::new(11, 10).is_err());
        assert!(CodeRange::new(1, 1).is_ok());
    }
}
