//! The Italian codice fiscale of a person (D.M. 23 December 1976, D.P.R.
//! 605/1973), checked as the Agenzia delle Entrate checks it: its shape, a
//! birth date that exists, and its check character; with *omocodia*, where
//! the Agenzia replaced digits by letters to tell two people apart.
//!
//! The volunteers' register (issue 15, Codice del Terzo Settore art. 17,
//! D.M. 6 October 2021) keeps it for each volunteer who has one.
//!
//! Written here rather than taken from a crate: the two on crates.io
//! (`codice_fiscale`, `codice_fiscale_rs`) say themselves that omocodia is
//! not handled or not finished, and the rule is one table and a sum.
//!
//! ```
//! use crdt_sync::CodiceFiscale;
//!
//! let cf = CodiceFiscale::parse(" rssmra85t10a562s ").unwrap();
//! assert_eq!(cf.as_str(), "RSSMRA85T10A562S");
//! assert!(CodiceFiscale::parse("RSSMRA85T10A562T").is_err(), "wrong check character");
//! ```

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Letters that stand for the digits 0–9 in an omocodic code.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
/// Months A (January) to T (December).
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Positions (0-based) that hold digits, or their omocodia letters.
const DIGITS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// A valid codice fiscale, in capitals without spaces.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
pub struct CodiceFiscale(String);

/// Why a text is not a codice fiscale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum CodiceFiscaleError {
    /// Not 16 characters.
    #[error("a codice fiscale has 16 characters")]
    Length,
    /// A letter where a digit goes, or the reverse.
    #[error("a codice fiscale has letters and digits in fixed places")]
    Shape,
    /// No such month letter, day or date.
    #[error("the birth date in the codice fiscale does not exist")]
    Date,
    /// The last character is not the one the others give.
    #[error("the check character does not match: a character is mistyped")]
    Check,
}

/// Sex as the codice fiscale records it (women's day + 40).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Day 1–31.
    Male,
    /// Day 41–71.
    Female,
}

impl CodiceFiscale {
    /// Checks `text`: capitals or not, spaces anywhere are ignored.
    pub fn parse(text: &str) -> Result<CodiceFiscale, CodiceFiscaleError> {
        let code: String =
            text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let b = code.as_bytes();
        if b.len() != 16 || !code.is_ascii() {
            return Err(CodiceFiscaleError::Length);
        }
        let shape = b.iter().enumerate().all(|(i, &c)| match i {
            _ if DIGITS.contains(&i) => c.is_ascii_digit() || OMOCODIA.contains(&c),
            0..=5 | 8 | 11 | 15 => c.is_ascii_uppercase(),
            _ => false,
        });
        if !shape {
            return Err(CodiceFiscaleError::Shape);
        }
        if b[15] != check_character(&b[..15]) {
            return Err(CodiceFiscaleError::Check);
        }
        let cf = CodiceFiscale(code);
        let (month, day) = (cf.month().ok_or(CodiceFiscaleError::Date)?, cf.day_field());
        let day = if day > 40 { day - 40 } else { day };
        // Any leap year accepts 29 February: the century is not in the code.
        NaiveDate::from_ymd_opt(2000, month, day).ok_or(CodiceFiscaleError::Date)?;
        Ok(cf)
    }

    /// The code, 16 capitals and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same person's code with omocodia undone (letters in the digit
    /// places back to digits): two codes of one person compare equal here.
    pub fn base(&self) -> String {
        let mut b = self.0.as_bytes().to_vec();
        for i in DIGITS {
            if let Some(d) = OMOCODIA.iter().position(|&l| l == b[i]) {
                b[i] = b'0' + d as u8;
            }
        }
        b[15] = check_character(&b[..15]);
        String::from_utf8(b).unwrap_or_default()
    }

    /// Whether the Agenzia replaced digits by letters in this code.
    pub fn is_omocodic(&self) -> bool {
        DIGITS.iter().any(|&i| self.0.as_bytes()[i].is_ascii_uppercase())
    }

    /// Sex, from the day.
    pub fn sex(&self) -> Sex {
        if self.day_field() > 40 { Sex::Female } else { Sex::Male }
    }

    /// Whether the person was born abroad (place code `Z…`).
    pub fn born_abroad(&self) -> bool {
        self.0.as_bytes()[11] == b'Z'
    }

    /// The birth date in the most recent century that puts it on or before
    /// `today` (the code does not say which: someone born in 1925 reads as
    /// born in 2025; a declared date settles it, [`Self::matches_birth_date`]).
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let yy = i32::from(self.digit(6)? * 10 + self.digit(7)?);
        let (month, day) = (self.month()?, self.day_field());
        let day = if day > 40 { day - 40 } else { day };
        let century = chrono::Datelike::year(&today) / 100 * 100;
        let this = NaiveDate::from_ymd_opt(century + yy, month, day);
        match this {
            Some(d) if d <= today => Some(d),
            _ => NaiveDate::from_ymd_opt(century - 100 + yy, month, day),
        }
    }

    /// Whether `date` could be this code's birth date (any century).
    pub fn matches_birth_date(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        let yy = self.digit(6).zip(self.digit(7)).map(|(a, b)| i32::from(a * 10 + b));
        let day = self.day_field();
        let day = if day > 40 { day - 40 } else { day };
        yy == Some(date.year().rem_euclid(100)) && self.month() == Some(date.month()) && day == date.day()
    }

    fn digit(&self, i: usize) -> Option<u8> {
        let c = self.0.as_bytes()[i];
        if c.is_ascii_digit() {
            Some(c - b'0')
        } else {
            OMOCODIA.iter().position(|&l| l == c).map(|d| d as u8)
        }
    }

    fn month(&self) -> Option<u32> {
        let m = self.0.as_bytes()[8];
        MONTHS.iter().position(|&l| l == m).map(|i| i as u32 + 1)
    }

    fn day_field(&self) -> u32 {
        u32::from(self.digit(9).unwrap_or(0) * 10 + self.digit(10).unwrap_or(0))
    }
}

/// The check character of the first 15 characters: odd positions (1st,
/// 3rd, …) through the Agenzia's table, even ones by their value.
fn check_character(first: &[u8]) -> u8 {
    const ODD: [u32; 26] =
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    let value = |c: u8| if c.is_ascii_digit() { u32::from(c - b'0') } else { u32::from(c - b'A') };
    let sum: u32 = first
        .iter()
        .enumerate()
        .map(|(i, &c)| if i % 2 == 0 { ODD[value(c) as usize] } else { value(c) })
        .sum();
    b'A' + (sum % 26) as u8
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CodiceFiscale {
    type Error = CodiceFiscaleError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        CodiceFiscale::parse(&text)
    }
}

impl From<CodiceFiscale> for String {
    fn from(cf: CodiceFiscale) -> String {
        cf.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    /// Check characters worked out apart from the code under test (the
    /// table of the D.M. 23 December 1976, in a separate script), and the
    /// Agenzia's own examples.
    #[test]
    fn valid_codes_and_what_they_say() {
        // The example of the Agenzia's leaflets and of Wikipedia: Matteo
        // Moretti, born in Milan (F205) on 9 April 1925.
        let cf = CodiceFiscale::parse("MRTMTT25D09F205Z").expect("valid");
        assert!(cf.matches_birth_date(date(1925, 4, 9)));
        // The century is not in the code: alone, it reads as the most
        // recent one (a child of 2025); a declared date settles it.
        assert_eq!(cf.birth_date(date(2026, 12, 6)), Some(date(2025, 4, 9)));
        // Mario Rossi, male, 10 December 1985, place A562.
        let cf = CodiceFiscale::parse("RSSMRA85T10A562S").expect("valid");
        assert_eq!(cf.birth_date(date(2026, 12, 6)), Some(date(1985, 12, 10)));
        assert_eq!(cf.sex(), Sex::Male);
        assert!(!cf.born_abroad() && !cf.is_omocodic());
        // A woman born abroad (Z404 is the United States), day 41 + 24.
        let cf = CodiceFiscale::parse("BNCGLI90A64Z404M").expect("valid");
        assert_eq!((cf.sex(), cf.born_abroad()), (Sex::Female, true));
        assert_eq!(cf.birth_date(date(2026, 12, 6)), Some(date(1990, 1, 24)));
        assert!(cf.matches_birth_date(date(1990, 1, 24)) && !cf.matches_birth_date(date(1990, 1, 25)));
        // Born in 2010: the century is the one that makes the age plausible.
        let cf = CodiceFiscale::parse("VRDLCU10C15F205I").expect("valid");
        assert_eq!(cf.birth_date(date(2026, 12, 6)), Some(date(2010, 3, 15)));
    }

    #[test]
    fn omocodic_codes_are_the_same_person() {
        let base = CodiceFiscale::parse("RSSMRA85T10A562S").expect("valid");
        // The last digit 2 -> N, then the check character again.
        let omo = CodiceFiscale::parse("RSSMRA85T10A56NH").expect("omocodic");
        assert!(omo.is_omocodic());
        assert_eq!(omo.base(), base.as_str());
        assert_eq!(omo.birth_date(date(2026, 12, 6)), base.birth_date(date(2026, 12, 6)));
        // Every digit place replaced: still the same date.
        let all = CodiceFiscale::parse("RSSMRAURTMLARSNL").expect("all omocodic");
        assert_eq!(all.base(), base.as_str());
    }

    proptest::proptest! {
        /// Any code, with any of its digits replaced as the Agenzia does
        /// for omocodia (check character recomputed), is valid, reads the
        /// same date and sex, and undoes to the original; one character
        /// changed in it is refused.
        #[test]
        fn omocodia_keeps_the_person_and_a_typo_is_caught(
            letters in "[A-Z]{6}",
            yy in 0u8..100,
            month in 0usize..12,
            day in 1u8..29,
            female: bool,
            place in "[A-Z][0-9]{3}",
            mask in proptest::collection::vec(proptest::bool::ANY, 7),
            typo_at in 0usize..15,
        ) {
            let day = if female { day + 40 } else { day };
            let mut b = format!("{letters}{yy:02}{}{day:02}{place}", MONTHS[month] as char).into_bytes();
            b.push(check_character(&b));
            let base = String::from_utf8(b.clone()).expect("ascii");
            for (i, replace) in DIGITS.iter().zip(&mask) {
                if *replace {
                    b[*i] = OMOCODIA[usize::from(b[*i] - b'0')];
                }
            }
            b[15] = check_character(&b[..15]);
            let omo = CodiceFiscale::parse(std::str::from_utf8(&b).expect("ascii")).expect("valid");
            let plain = CodiceFiscale::parse(&base).expect("valid");
            proptest::prop_assert_eq!(omo.base(), base);
            proptest::prop_assert_eq!(omo.sex(), plain.sex());
            let today = date(2026, 12, 6);
            proptest::prop_assert_eq!(omo.birth_date(today), plain.birth_date(today));
            // A slip of one character (a letter for another letter, a digit
            // for another digit) is caught by the check character.
            let mut typo = b.clone();
            typo[typo_at] = match typo[typo_at] {
                c @ b'0'..=b'8' | c @ b'A'..=b'Y' => c + 1,
                b'9' => b'0',
                _ => b'A',
            };
            proptest::prop_assert!(CodiceFiscale::parse(std::str::from_utf8(&typo).expect("ascii")).is_err());
        }
    }

    #[test]
    fn invalid_codes_say_why() {
        use CodiceFiscaleError as E;
        for (text, why) in [
            ("RSSMRA85T10A562", E::Length),
            ("RSSMRA85T10A562SX", E::Length),
            ("RSSMRA8XT10A562S", E::Shape),
            ("RSSMR485T10A562S", E::Shape),
            ("RSSMRA85T10A562T", E::Check),
            ("RSSMRA85T10A526S", E::Check),
            ("RSSMRA85Z10A562B", E::Date),
            ("RSSMRA85B30A562G", E::Date),
            ("RSSMRA85T00A562R", E::Date),
            ("RSSMRA85T35A562G", E::Date),
        ] {
            assert_eq!(CodiceFiscale::parse(text), Err(why), "{text}");
        }
    }
}
