//! A volunteer document: one volunteer's entry in an organisation's
//! register, plain strings at the root (`codice_fiscale`, `birth_place`,
//! `birth_date`, `residence`, `start`, `end`, `occasional`,
//! `insurance_from`, `insurance_to`), absent when empty. Dates are ISO.
//!
//! The organisation is not stored: it is the enrolment of the device that
//! created the document (`Store::volunteer_organisation`).

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use chrono::NaiveDate;

use super::{get_bool, get_parsed, get_str_or_empty, get_string, put_bool, put_opt_str, put_str};
use crate::domain::{CheckedEntry, CodiceFiscale, VolunteerRecord};
use crate::error::Result;
use crate::ids::{OrganisationId, PersonId};

/// The root keys, in the order an entry's history lists them.
pub(crate) const FIELDS: [&str; 9] = [
    "codice_fiscale",
    "birth_place",
    "birth_date",
    "residence",
    "start",
    "end",
    "occasional",
    "insurance_from",
    "insurance_to",
];

/// Reads the entry; `None` if the document has none yet (no `start`).
pub(crate) fn read<R: ReadDoc>(
    doc: &R,
    person: PersonId,
    organisation: Option<OrganisationId>,
) -> Option<VolunteerRecord> {
    let date = |k: &str| get_parsed::<_, NaiveDate>(doc, &ROOT, k);
    Some(VolunteerRecord {
        person,
        organisation,
        codice_fiscale: get_string(doc, &ROOT, "codice_fiscale").and_then(|s| CodiceFiscale::parse(&s).ok()),
        birth_place: get_str_or_empty(doc, &ROOT, "birth_place"),
        birth_date: date("birth_date"),
        residence: get_str_or_empty(doc, &ROOT, "residence"),
        start: date("start")?,
        end: date("end"),
        occasional: get_bool(doc, &ROOT, "occasional").unwrap_or(false),
        insurance_from: date("insurance_from"),
        insurance_to: date("insurance_to"),
    })
}

/// Writes the entry, touching only the fields that differ (so that the
/// entry's history shows what each change changed).
pub(crate) fn write<T: Transactable>(tx: &mut T, e: &CheckedEntry) -> Result<()> {
    let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    put_opt_str(tx, &ROOT, "codice_fiscale", e.codice_fiscale.as_ref().map(CodiceFiscale::as_str))?;
    put_opt_str(tx, &ROOT, "birth_place", Some(e.birth_place.as_str()).filter(|s| !s.is_empty()))?;
    put_opt_str(tx, &ROOT, "birth_date", iso(e.birth_date).as_deref())?;
    put_str(tx, &ROOT, "residence", &e.residence)?;
    put_str(tx, &ROOT, "start", &e.start.to_string())?;
    put_opt_str(tx, &ROOT, "end", iso(e.end).as_deref())?;
    put_bool(tx, &ROOT, "occasional", e.occasional)?;
    put_opt_str(tx, &ROOT, "insurance_from", iso(e.insurance.map(|(f, _)| f)).as_deref())?;
    put_opt_str(tx, &ROOT, "insurance_to", iso(e.insurance.map(|(_, t)| t)).as_deref())?;
    Ok(())
}

/// Each field's value as text (empty when absent), in [`FIELDS`] order:
/// what the history compares and shows.
pub(crate) fn field_values<R: ReadDoc>(doc: &R) -> Vec<String> {
    FIELDS
        .iter()
        .map(|k| match *k {
            "occasional" => get_bool(doc, &ROOT, k).map(|b| b.to_string()).unwrap_or_default(),
            _ => get_str_or_empty(doc, &ROOT, k),
        })
        .collect()
}
