//! The subject access extract of a volunteer's entry in an organisation's
//! register (GDPR arts. 15 and 20; decision 0033), for the organisation's
//! coordinator (the only one who holds the entry), as the families' extract
//! (decision 0013) is for a family:
//!
//! - **JSON** (`taccuino-volunteer-access/1`): the person's record and the
//!   entry exactly as [`Person`] and [`VolunteerRecord`] serialise them,
//!   the organisation, the entry's history (every change: when, device,
//!   person, each field before and after) and the names of the persons who
//!   made the changes;
//! - **PDF**: the same in words, Italian or English, with the rights
//!   (including what erasure leaves: the signed yearly register).
//!
//! Every read first, then the files, then one audit row
//! ([`AuditAction::VolunteerSubjectAccess`]: ids and file names, no
//! personal data). An entry this device does not hold is
//! [`Error::Register`] (`NotFound`), an erased one (`VolunteerErased`), and
//! nothing is written.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Rome;
use serde::Serialize;

use super::labels::{Label as L, yes_no};
use super::pdf::{Block, Document, document};
use super::subject_access::PROJECT;
use super::{ExportFile, Language};
use crate::error::{Error, Result};
use crdt_sync::{AuditAction, AuditLog, Person, PersonId, Staff as _, Store, VolunteerRegister};
use crdt_sync::{Organisation, OrganisationId, VolunteerChange, VolunteerRecord};

/// The version of the JSON format.
pub const VOLUNTEER_ACCESS_FORMAT: &str = "taccuino-volunteer-access/1";

/// The two files of a volunteer's extract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolunteerAccess {
    /// The volunteer.
    pub person: PersonId,
    /// The machine-readable extract.
    pub json: ExportFile,
    /// The extract to read.
    pub readable: ExportFile,
}

impl VolunteerAccess {
    /// Both files: the JSON, then the PDF.
    pub fn files(&self) -> [&ExportFile; 2] {
        [&self.json, &self.readable]
    }
}

/// Someone who changed the entry: name and code only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
struct Staff {
    id: PersonId,
    code: String,
    first_name: String,
    last_name: String,
}

#[derive(Serialize)]
struct Controller<'a> {
    project: &'static str,
    organisation: Option<&'a Organisation>,
}

#[derive(Serialize)]
struct Json<'a> {
    format: &'static str,
    generated_at: DateTime<Utc>,
    language: Language,
    controller: Controller<'a>,
    person: &'a Person,
    entry: &'a VolunteerRecord,
    history: &'a [VolunteerChange],
    staff: Vec<&'a Staff>,
}

struct Gathered {
    person: Person,
    entry: VolunteerRecord,
    organisation: Option<Organisation>,
    history: Vec<VolunteerChange>,
    staff: BTreeMap<PersonId, Staff>,
    at: DateTime<Utc>,
}

/// What the audit log keeps of the extract.
#[derive(Serialize)]
struct Record<'a> {
    person: PersonId,
    organisation: Option<OrganisationId>,
    files: Vec<&'a str>,
}

/// Takes the subject access extract of `person`'s register entry: its JSON
/// and PDF files, and one row in the audit log.
pub fn volunteer_access(store: &mut Store, person: PersonId, language: Language) -> Result<VolunteerAccess> {
    let g = gather(store, person)?;
    let stem = format!("{}_{}", L::FileVolunteerAccess.text(language), file_safe(&g.person.code));
    let json = ExportFile {
        name: format!("{stem}.json"),
        media_type: "application/json",
        bytes: json(&g, language)?,
    };
    let readable =
        ExportFile { name: format!("{stem}.pdf"), media_type: "application/pdf", bytes: pdf(&g, language)? };
    let record = Record {
        person,
        organisation: g.entry.organisation,
        files: vec![json.name.as_str(), readable.name.as_str()],
    };
    store.record_audit(AuditAction::VolunteerSubjectAccess, &record)?;
    Ok(VolunteerAccess { person, json, readable })
}

fn file_safe(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

fn gather(store: &mut Store, id: PersonId) -> Result<Gathered> {
    let entry = store
        .volunteer(id)?
        .ok_or_else(|| crdt_sync::Error::NotFound { what: "volunteer", id: id.to_string() })?;
    let person = store.person(id)?;
    let organisation = store.organisations()?.into_iter().find(|o| Some(o.id) == entry.organisation);
    let history = store.volunteer_history(id)?;
    let mut staff = BTreeMap::new();
    for p in history.iter().filter_map(|c| c.person) {
        if let Ok(s) = store.person(p) {
            staff.insert(p, Staff { id: p, code: s.code, first_name: s.first_name, last_name: s.last_name });
        }
    }
    let at = store.now();
    Ok(Gathered { person, entry, organisation, history, staff, at })
}

fn json(g: &Gathered, language: Language) -> Result<Vec<u8>> {
    let doc = Json {
        format: VOLUNTEER_ACCESS_FORMAT,
        generated_at: g.at,
        language,
        controller: Controller { project: PROJECT, organisation: g.organisation.as_ref() },
        person: &g.person,
        entry: &g.entry,
        history: &g.history,
        staff: g.staff.values().collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| Error::ExportFailed { format: "json", source: Box::new(e) })?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A field's label in the history, by its key in the document.
fn field_label(key: &str) -> Option<L> {
    Some(match key {
        "codice_fiscale" => L::VaCodiceFiscale,
        "birth_place" => L::VaBirthPlace,
        "birth_date" => L::VaBirthDate,
        "residence" => L::VaResidence,
        "start" => L::VaStart,
        "end" => L::VaEnd,
        "occasional" => L::VaOccasional,
        "insurance_from" => L::VaInsuredFrom,
        "insurance_to" => L::VaInsuredTo,
        _ => return None,
    })
}

/// A value of the history as the reader reads it: ISO dates as dates,
/// `true`/`false` as yes/no, nothing as "(empty)".
fn value(v: &str, lang: Language) -> String {
    if v.is_empty() {
        return L::VaEmpty.text(lang).to_owned();
    }
    if let Ok(d) = v.parse::<NaiveDate>() {
        return date(d);
    }
    match v {
        "true" => yes_no(true, lang).to_owned(),
        "false" => yes_no(false, lang).to_owned(),
        other => other.to_owned(),
    }
}

fn pdf(g: &Gathered, lang: Language) -> Result<Vec<u8>> {
    let w = |l: L| l.text(lang).to_owned();
    let none = || w(L::SaNone);
    let or_none = |s: &str| if s.trim().is_empty() { none() } else { s.to_owned() };
    let opt_date = |d: Option<NaiveDate>| d.map(date).unwrap_or_else(none);
    let name = format!("{} {}", g.person.first_name, g.person.last_name);
    let today = g.at.with_timezone(&Rome).date_naive();
    let e = &g.entry;
    let mut b = vec![
        Block::Heading(w(L::SaWho)),
        Block::Field(
            w(L::VaOrganisation),
            g.organisation.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| w(L::VaUnknownOrganisation)),
        ),
        Block::Text(w(L::VaWho)),
        Block::Heading(w(L::SaWhat)),
        Block::Field(w(L::VaPerson), name.clone()),
        Block::Field(w(L::ColCode), g.person.code.clone()),
        Block::Field(w(L::VaRole), super::sign_in_sheet::role(g.person.role, lang).to_owned()),
        Block::Field(w(L::VaOrganisationDeclared), or_none(&g.person.organisation)),
        Block::Field(w(L::ColPhone), or_none(&g.person.phone)),
        Block::Field(w(L::ColEmail), or_none(&g.person.email)),
        Block::Heading(w(L::VaEntry)),
        Block::Field(
            w(L::VaCodiceFiscale),
            e.codice_fiscale.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_else(none),
        ),
        Block::Field(w(L::VaBirthPlace), or_none(&e.birth_place)),
        Block::Field(w(L::VaBirthDate), opt_date(e.birth_date)),
        Block::Field(w(L::VaResidence), or_none(&e.residence)),
        Block::Field(w(L::VaStart), date(e.start)),
        Block::Field(w(L::VaEnd), opt_date(e.end)),
        Block::Field(w(L::VaOccasional), yes_no(e.occasional, lang).to_owned()),
        Block::Field(w(L::VaInsuredFrom), opt_date(e.insurance_from)),
        Block::Field(w(L::VaInsuredTo), opt_date(e.insurance_to)),
        Block::Heading(w(L::VaHistory)),
        Block::Text(w(L::VaHistoryIntro)),
    ];
    for c in &g.history {
        let at = c.at.with_timezone(&Rome).format("%d/%m/%Y %H:%M").to_string();
        let who = match c.person.and_then(|p| g.staff.get(&p)) {
            Some(s) => format!("{} {}", s.first_name, s.last_name),
            None => w(L::SaUnknownPerson),
        };
        let device = c.device.map(|d| d.to_string()).unwrap_or_default();
        let changes: Vec<String> = c
            .fields
            .iter()
            .map(|f| {
                let label = field_label(&f.field).map_or_else(|| f.field.clone(), &w);
                format!("{label}: {} → {}", value(&f.before, lang), value(&f.after, lang))
            })
            .collect();
        b.push(Block::Item(format!(
            "{at} — {} {who} ({} {device}): {}",
            w(L::SaBy),
            w(L::SaDevice),
            changes.join("; ")
        )));
    }
    if g.history.is_empty() {
        b.push(Block::Text(w(L::SaNoTrail)));
    }
    b.push(Block::Heading(w(L::SaRights)));
    for l in [
        L::SaRightRectification,
        L::VaRightErasure,
        L::SaRightRestriction,
        L::SaRightPortability,
        L::SaRightComplaint,
    ] {
        b.push(Block::Item(w(l)));
    }
    b.push(Block::Text(w(L::VaRightHow)));
    b.push(Block::Field(w(L::SaDate), date(today)));
    let doc = Document {
        title: w(L::SaTitle),
        subtitle: format!("{} {name} · {} {}", w(L::VaVolunteer), w(L::SaExtractOf), date(today)),
        blocks: b,
        footer: format!("{} · {name}", w(L::SaTitle)),
        page_words: (w(L::Page), w(L::Of)),
    };
    document(&doc)
}
