//! What a report covers: a set of labs and a period. Indicators and exports
//! take the same [`Selection`], so a figure on screen and the file handed to
//! the funder always count the same things.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::LabId;

/// A span of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
}

impl Period {
    /// A period, checked: `from <= to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        Period { from, to }.checked()
    }

    /// A calendar month.
    pub fn month(year: i32, month: u32) -> Result<Period> {
        let m = Month::new(year, month)?;
        Ok(Period { from: m.first_day(), to: m.last_day() })
    }

    /// A calendar year.
    pub fn year(year: i32) -> Result<Period> {
        let from = NaiveDate::from_ymd_opt(year, 1, 1);
        let to = NaiveDate::from_ymd_opt(year, 12, 31);
        match (from, to) {
            (Some(from), Some(to)) => Ok(Period { from, to }),
            _ => Err(Error::invalid("period.year", format!("{year} is not a valid year"))),
        }
    }

    /// `self`, or an error naming the problem (fields are public, so values
    /// built by hand or deserialised are checked again where they are used).
    pub fn checked(self) -> Result<Period> {
        if self.to < self.from {
            return Err(Error::invalid("period.to", format!("{} is before {}", self.to, self.from)));
        }
        Ok(self)
    }

    /// Whether `day` falls in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The calendar months the period touches, in order.
    pub fn months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = Month { year: self.from.year(), month: self.from.month() };
        let last = Month { year: self.to.year(), month: self.to.month() };
        while m <= last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The part of `month` inside this period (`None` if they do not meet).
    pub fn clip(&self, month: Month) -> Option<Period> {
        let from = month.first_day().max(self.from);
        let to = month.last_day().min(self.to);
        (from <= to).then_some(Period { from, to })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.from, self.to)
    }
}

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Month {
    /// Year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
}

impl Month {
    /// A month, checked.
    pub fn new(year: i32, month: u32) -> Result<Month> {
        if NaiveDate::from_ymd_opt(year, month, 1).is_none() {
            return Err(Error::invalid("month", format!("{year}-{month} is not a month")));
        }
        Ok(Month { year, month })
    }

    /// The month `day` falls in.
    pub fn of(day: NaiveDate) -> Month {
        Month { year: day.year(), month: day.month() }
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Its last day.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month >= 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }
}

impl fmt::Display for Month {
    /// `2026-03`: what the projection's ISO dates start with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Which labs a report covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Labs {
    /// Every lab this store knows.
    All,
    /// These labs (an unknown id is an error, not an empty report).
    Only(BTreeSet<LabId>),
}

/// The labs and the period of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Selection {
    /// Which labs.
    pub labs: Labs,
    /// Which days.
    pub period: Period,
}

impl Selection {
    /// Every lab, over `period`.
    pub fn all_labs(period: Period) -> Selection {
        Selection { labs: Labs::All, period }
    }

    /// One lab, over `period`.
    pub fn lab(lab: LabId, period: Period) -> Selection {
        Selection { labs: Labs::Only(BTreeSet::from([lab])), period }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn months_of_a_period_cross_years_and_clip() {
        let p = Period::new(d(2025, 11, 15), d(2026, 2, 3)).expect("period");
        let months: Vec<String> = p.months().iter().map(ToString::to_string).collect();
        assert_eq!(months, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        let first = p.clip(Month { year: 2025, month: 11 }).expect("meets");
        assert_eq!((first.from, first.to), (d(2025, 11, 15), d(2025, 11, 30)));
        assert_eq!(Month::new(2024, 2).expect("month").last_day(), d(2024, 2, 29));
        assert!(p.clip(Month { year: 2026, month: 3 }).is_none());
    }

    #[test]
    fn periods_are_checked() {
        assert!(Period::new(d(2026, 2, 1), d(2026, 1, 31)).is_err());
        assert!(Period::month(2026, 13).is_err());
        assert_eq!(Period::month(2026, 12).expect("december").to, d(2026, 12, 31));
    }
}
