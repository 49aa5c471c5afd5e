//! The areas of the social-services nomenclature an activity type can be
//! mapped to (issue 15).
//!
//! The district reports its totals by the areas of the *Nomenclatore
//! interregionale degli interventi e servizi sociali* (CISIS), which exists
//! in several versions and which regions adapt. Taccuino ships no list of
//! codes: a coordinator enters the areas the district's table uses, code and
//! name, and maps each activity type to one of them (decision 0032).

use serde::{Deserialize, Serialize};

use super::check_name;
use crate::error::{Error, Result};

/// Longest area code, in characters (the nomenclature's codes are a few
/// letters and digits, `A1`, `LA2.3`; a district's own scheme may be longer).
pub const MAX_NOMENCLATURE_CODE: usize = 16;

/// An area of the nomenclature, as the project's coordinator entered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NomenclatureArea {
    /// The area's code in the district's table (`A1`), trimmed; unique in
    /// the project, and what an activity type's mapping names.
    pub code: String,
    /// The area's name (`Area famiglia e minori`).
    pub name: String,
}

impl NomenclatureArea {
    /// The area with its code and name checked: the code trimmed, not
    /// empty, at most [`MAX_NOMENCLATURE_CODE`] characters, no control
    /// characters; the name as every name (`nomenclature.name`).
    pub(crate) fn checked(&self) -> Result<NomenclatureArea> {
        Ok(NomenclatureArea {
            code: check_code(&self.code)?,
            name: check_name("nomenclature.name", &self.name)?,
        })
    }
}

/// An area code as stored: trimmed, not empty, at most
/// [`MAX_NOMENCLATURE_CODE`] characters, no control characters
/// (`nomenclature.code`).
pub(crate) fn check_code(code: &str) -> Result<String> {
    const FIELD: &str = "nomenclature.code";
    let c = code.trim();
    if c.is_empty() {
        return Err(Error::invalid(FIELD, "must not be empty"));
    }
    if c.chars().count() > MAX_NOMENCLATURE_CODE {
        return Err(Error::invalid(FIELD, format!("longer than {MAX_NOMENCLATURE_CODE} characters")));
    }
    if c.chars().any(char::is_control) {
        return Err(Error::invalid(FIELD, "contains control characters"));
    }
    Ok(c.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<impl std::fmt::Debug>) -> &'static str {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn codes_are_trimmed_bounded_and_printable() {
        assert_eq!(check_code("  A1 ").expect("ok"), "A1");
        assert_eq!(check_code(&"x".repeat(16)).expect("sixteen"), "x".repeat(16));
        assert_eq!(check_code("LA2.3").expect("dots"), "LA2.3");
        assert_eq!(field(check_code("   ")), "nomenclature.code");
        assert_eq!(field(check_code(&"x".repeat(17))), "nomenclature.code");
        assert_eq!(field(check_code("A\n1")), "nomenclature.code");
        assert_eq!(field(check_code("A\u{7}")), "nomenclature.code");
    }

    #[test]
    fn an_area_needs_a_name() {
        let a = NomenclatureArea { code: " A1".into(), name: " Famiglia e minori ".into() };
        assert_eq!(
            a.checked().expect("ok"),
            NomenclatureArea { code: "A1".into(), name: "Famiglia e minori".into() }
        );
        let nameless = NomenclatureArea { code: "A1".into(), name: " ".into() };
        assert_eq!(field(nameless.checked()), "nomenclature.name");
        let long = NomenclatureArea { code: "A1".into(), name: "n".repeat(101) };
        assert_eq!(field(long.checked()), "nomenclature.name");
    }
}
