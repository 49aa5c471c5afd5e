//! The volunteers' register (Codice del Terzo Settore, art. 17; D.M. 6
//! October 2021): one entry per volunteer of an organisation, kept apart
//! from the person document that labs receive.
//!
//! An entry holds what the decree asks for — the codice fiscale, or, when
//! the volunteer has none, the place and date of birth (the name is the
//! person's); the residence or domicile; the dates the volunteering started
//! and ended — and what the organisation needs beside it: whether the
//! volunteer is occasional (kept in a separate section) and the period the
//! insurance of art. 18 covers. Which organisation's register an entry is
//! in is not a field: it is a fact the hub holds
//! (`docs/decisions/0033-the-volunteers-register.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CodiceFiscale, check_date, check_name};
use crate::error::{Error, Result};
use crate::ids::{OrganisationId, PersonId};

/// A partner organisation of the project, as the project document lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Organisation {
    /// Its id (what devices are enrolled with: `--organisation`).
    pub id: OrganisationId,
    /// Its name, e.g. "Consorzio Sociale Pavese".
    pub name: String,
}

/// One volunteer's entry in the register, as read from its document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct VolunteerRecord {
    /// The person (their name and code are in the person document).
    pub person: PersonId,
    /// The organisation whose register the entry is in, as the hub's facts
    /// say (the enrolment of the device that created it); `None` when this
    /// replica cannot tell.
    pub organisation: Option<OrganisationId>,
    /// The codice fiscale, when the volunteer has one.
    pub codice_fiscale: Option<CodiceFiscale>,
    /// Place of birth (required without a codice fiscale).
    pub birth_place: String,
    /// Date of birth (required without a codice fiscale).
    pub birth_date: Option<NaiveDate>,
    /// Residence or domicile.
    pub residence: String,
    /// First day of volunteering.
    pub start: NaiveDate,
    /// Last day, once it ended.
    pub end: Option<NaiveDate>,
    /// An occasional volunteer (kept in a separate section).
    pub occasional: bool,
    /// First day the insurance (art. 18) covers.
    pub insurance_from: Option<NaiveDate>,
    /// Last day the insurance covers.
    pub insurance_to: Option<NaiveDate>,
}

/// What a coordinator enters for a volunteer; checked by `VolunteerEntry::check`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct VolunteerEntry {
    /// The codice fiscale as typed (spaces and small letters are fine);
    /// empty when the volunteer has none.
    pub codice_fiscale: String,
    /// Place of birth.
    pub birth_place: String,
    /// Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Residence or domicile.
    pub residence: String,
    /// First day of volunteering.
    pub start: Option<NaiveDate>,
    /// Last day, once it ended.
    pub end: Option<NaiveDate>,
    /// Occasional.
    pub occasional: bool,
    /// First day the insurance covers.
    pub insurance_from: Option<NaiveDate>,
    /// Last day the insurance covers.
    pub insurance_to: Option<NaiveDate>,
}

/// An entry that passed [`VolunteerEntry::check`]: what is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CheckedEntry {
    pub codice_fiscale: Option<CodiceFiscale>,
    pub birth_place: String,
    pub birth_date: Option<NaiveDate>,
    pub residence: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub occasional: bool,
    pub insurance: Option<(NaiveDate, NaiveDate)>,
}

impl VolunteerEntry {
    /// Checks the entry: a real codice fiscale (check character, date,
    /// omocodia), or place and date of birth; a residence; a start; an end
    /// and an insurance period that do not end before they begin. Each
    /// failure names its field.
    pub(crate) fn check(&self, today: NaiveDate) -> Result<CheckedEntry> {
        let cf = self.codice_fiscale.trim();
        let codice_fiscale = if cf.is_empty() {
            None
        } else {
            Some(
                CodiceFiscale::parse(cf)
                    .map_err(|e| Error::invalid("volunteer.codice_fiscale", e.to_string()))?,
            )
        };
        let birth_place = self.birth_place.trim().to_owned();
        if let Some(d) = self.birth_date {
            let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d);
            if d < earliest || d > today {
                return Err(Error::invalid("volunteer.birth_date", format!("{d} is not a past date")));
            }
        }
        match &codice_fiscale {
            None => {
                check_name("volunteer.birth_place", &birth_place)?;
                if self.birth_date.is_none() {
                    return Err(Error::invalid(
                        "volunteer.birth_date",
                        "without a codice fiscale, the date of birth is required",
                    ));
                }
            }
            Some(cf) => {
                if let Some(d) = self.birth_date
                    && !cf.matches_birth_date(d)
                {
                    return Err(Error::invalid(
                        "volunteer.birth_date",
                        format!("{d} is not the date of birth the codice fiscale gives"),
                    ));
                }
                if !birth_place.is_empty() {
                    check_name("volunteer.birth_place", &birth_place)?;
                }
            }
        }
        let residence = check_name("volunteer.residence", &self.residence)?;
        let start = self.start.ok_or_else(|| Error::invalid("volunteer.start", "required"))?;
        check_date("volunteer.start", start, today)?;
        if let Some(end) = self.end {
            check_date("volunteer.end", end, today)?;
            if end < start {
                return Err(Error::invalid("volunteer.end", format!("{end} is before the start, {start}")));
            }
        }
        let insurance = match (self.insurance_from, self.insurance_to) {
            (None, None) => None,
            (Some(from), Some(to)) if to >= from => Some((from, to)),
            (Some(from), Some(to)) => {
                return Err(Error::invalid("volunteer.insurance_to", format!("{to} is before {from}")));
            }
            (None, Some(_)) => {
                return Err(Error::invalid("volunteer.insurance_from", "required with an end"));
            }
            (Some(_), None) => return Err(Error::invalid("volunteer.insurance_to", "required with a start")),
        };
        Ok(CheckedEntry {
            codice_fiscale,
            birth_place,
            birth_date: self.birth_date,
            residence,
            start,
            end: self.end,
            occasional: self.occasional,
            insurance,
        })
    }
}

impl VolunteerRecord {
    /// Whether the volunteering covers `date` (started, not ended).
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|e| date <= e)
    }

    /// Whether the insurance covers `date`.
    pub fn insured_on(&self, date: NaiveDate) -> bool {
        matches!((self.insurance_from, self.insurance_to), (Some(f), Some(t)) if f <= date && date <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn entry() -> VolunteerEntry {
        VolunteerEntry {
            codice_fiscale: "rssmra85t10a562s".into(),
            residence: "Via Roma 1, Pavia".into(),
            start: Some(d("2026-01-10")),
            ..VolunteerEntry::default()
        }
    }

    /// Each rule of the decree and of the form, with the field it names.
    #[test]
    fn entries_are_checked_field_by_field() {
        let today = d("2026-12-06");
        let ok = entry().check(today).expect("valid");
        assert_eq!(ok.codice_fiscale.expect("cf").as_str(), "RSSMRA85T10A562S");
        let bad = |e: VolunteerEntry| match e.check(today) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            bad(VolunteerEntry { codice_fiscale: "RSSMRA85T10A562T".into(), ..entry() }),
            "volunteer.codice_fiscale"
        );
        let no_cf = VolunteerEntry { codice_fiscale: " ".into(), ..entry() };
        assert_eq!(bad(no_cf.clone()), "volunteer.birth_place");
        assert_eq!(
            bad(VolunteerEntry { birth_place: "Voghera".into(), ..no_cf.clone() }),
            "volunteer.birth_date"
        );
        let born =
            VolunteerEntry { birth_place: "Voghera".into(), birth_date: Some(d("1985-12-10")), ..no_cf };
        assert!(born.check(today).expect("birth details").codice_fiscale.is_none());
        assert_eq!(
            bad(VolunteerEntry { birth_date: Some(d("1985-12-11")), ..entry() }),
            "volunteer.birth_date",
            "not the date the codice fiscale gives"
        );
        assert!(VolunteerEntry { birth_date: Some(d("1985-12-10")), ..entry() }.check(today).is_ok());
        assert_eq!(bad(VolunteerEntry { residence: " ".into(), ..entry() }), "volunteer.residence");
        assert_eq!(bad(VolunteerEntry { start: None, ..entry() }), "volunteer.start");
        assert_eq!(bad(VolunteerEntry { end: Some(d("2026-01-09")), ..entry() }), "volunteer.end");
        assert_eq!(
            bad(VolunteerEntry { insurance_from: Some(d("2026-02-01")), ..entry() }),
            "volunteer.insurance_to"
        );
        assert_eq!(
            bad(VolunteerEntry {
                insurance_from: Some(d("2026-02-01")),
                insurance_to: Some(d("2026-01-31")),
                ..entry()
            }),
            "volunteer.insurance_to"
        );
    }

    #[test]
    fn cover_is_inclusive_at_both_ends() {
        let r = VolunteerRecord {
            person: PersonId(uuid::Uuid::nil()),
            organisation: None,
            codice_fiscale: None,
            birth_place: String::new(),
            birth_date: None,
            residence: String::new(),
            start: d("2026-01-10"),
            end: Some(d("2026-06-30")),
            occasional: false,
            insurance_from: Some(d("2026-01-01")),
            insurance_to: Some(d("2026-03-31")),
        };
        assert!(r.active_on(d("2026-01-10")) && r.active_on(d("2026-06-30")));
        assert!(!r.active_on(d("2026-01-09")) && !r.active_on(d("2026-07-01")));
        assert!(r.insured_on(d("2026-03-31")) && !r.insured_on(d("2026-04-01")));
    }
}
