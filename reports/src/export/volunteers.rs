//! The yearly volunteers' register of one organisation (Codice del Terzo
//! Settore art. 17, D.M. 6 October 2021), as a PDF with numbered pages and
//! as a CSV, both carrying the SHA-256 digest of a canonical form of the
//! entries, so that a later change to any entry is visible: the digest of
//! the register printed and signed at year end no longer matches a register
//! computed again from changed entries.
//!
//! Each entry has its order number, the volunteer's name, codice fiscale
//! (or place and date of birth), residence, the dates of start and end and
//! the insurance period. Occasional volunteers are in a separate section,
//! as the decree allows. An entry is in year Y's register when its
//! volunteering touched Y.
//!
//! **Canonical form** (what the digest is of, whatever the language): the
//! line `taccuino-volunteers-register/1`, the organisation's id, the year,
//! then one line per entry in register order: section (`regular` or
//! `occasional`), order number, person id, last name, first name, codice
//! fiscale, birth place, birth date, residence, start, end, insurance from,
//! insurance to; fields joined by U+001F, dates ISO, absent fields empty,
//! lines ended by `\n`. Order: section, then start date, then last and
//! first name, then person id.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::csv::BOM;
use super::pdf::{Block, Document, document};
use super::{ExportFile, Language};
use crate::error::{Error, Result};
use crdt_sync::{
    AuditAction, AuditLog, OrganisationId, PersonId, Staff, Store, VolunteerRecord, VolunteerRegister,
};
use serde::Serialize;

/// The register of one organisation and year, in three forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolunteersRegister {
    /// The PDF.
    pub pdf: ExportFile,
    /// The CSV.
    pub csv: ExportFile,
    /// The SHA-256 digest of the canonical form, hex (also printed in both).
    pub digest: String,
}

/// One line of the register.
struct Line {
    occasional: bool,
    number: usize,
    person: PersonId,
    last_name: String,
    first_name: String,
    record: VolunteerRecord,
}

fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn it(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
}

fn words(lang: Language) -> Words {
    match lang {
        Language::It => Words {
            title: "Registro dei volontari",
            year: "Anno",
            regular: "Volontari non occasionali",
            occasional: "Sezione separata: volontari occasionali",
            none: "Nessun volontario.",
            digest: "Impronta SHA-256 del contenuto",
            headers: [
                "N.",
                "Sezione",
                "Cognome",
                "Nome",
                "Codice fiscale",
                "Luogo di nascita",
                "Data di nascita",
                "Residenza o domicilio",
                "Inizio",
                "Fine",
                "Assicurazione dal",
                "Assicurazione al",
            ],
            section: ("ordinaria", "occasionali"),
            page: ("Pagina", "di"),
            file: "registro_volontari",
        },
        Language::En => Words {
            title: "Register of volunteers",
            year: "Year",
            regular: "Regular volunteers",
            occasional: "Separate section: occasional volunteers",
            none: "No volunteers.",
            digest: "SHA-256 digest of the contents",
            headers: [
                "No.",
                "Section",
                "Last name",
                "First name",
                "Codice fiscale",
                "Place of birth",
                "Date of birth",
                "Residence or domicile",
                "Start",
                "End",
                "Insured from",
                "Insured to",
            ],
            section: ("regular", "occasional"),
            page: ("Page", "of"),
            file: "volunteers_register",
        },
    }
}

struct Words {
    title: &'static str,
    year: &'static str,
    regular: &'static str,
    occasional: &'static str,
    none: &'static str,
    digest: &'static str,
    headers: [&'static str; 12],
    section: (&'static str, &'static str),
    page: (&'static str, &'static str),
    file: &'static str,
}

/// The register of `organisation` for `year`, from the entries this store
/// holds (a coordinator of the organisation holds them all once synced).
pub fn volunteers_register(
    store: &mut Store,
    organisation: OrganisationId,
    year: i32,
    lang: Language,
) -> Result<VolunteersRegister> {
    let name =
        store.organisations()?.into_iter().find(|o| o.id == organisation).map(|o| o.name).ok_or_else(
            || Error::invalid("register.organisation", format!("{organisation} is not listed")),
        )?;
    let (first, last) = (
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| bad_year(year))?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| bad_year(year))?,
    );
    let mut lines = Vec::new();
    for record in store.volunteers()? {
        let in_year = record.start <= last && record.end.is_none_or(|e| e >= first);
        if record.organisation != Some(organisation) || !in_year {
            continue;
        }
        let person = store.person(record.person)?;
        lines.push(Line {
            occasional: record.occasional,
            number: 0,
            person: record.person,
            last_name: person.last_name,
            first_name: person.first_name,
            record,
        });
    }
    lines.sort_by(|a, b| {
        (a.occasional, a.record.start, &a.last_name, &a.first_name, a.person).cmp(&(
            b.occasional,
            b.record.start,
            &b.last_name,
            &b.first_name,
            b.person,
        ))
    });
    // Numbered within each section.
    let mut next = (0, 0);
    for l in &mut lines {
        let n = if l.occasional { &mut next.1 } else { &mut next.0 };
        *n += 1;
        l.number = *n;
    }
    let digest = hex(&Sha256::digest(canonical(organisation, year, &lines)));
    let w = words(lang);
    let stem = format!("{}_{year}", w.file);
    let register = VolunteersRegister {
        pdf: ExportFile {
            name: format!("{stem}.pdf"),
            media_type: "application/pdf",
            bytes: pdf(&w, &name, year, &lines, &digest)?,
        },
        csv: ExportFile {
            name: format!("{stem}.csv"),
            media_type: "text/csv; charset=utf-8",
            bytes: csv(&w, &lines, &digest)?,
        },
        digest,
    };
    let record = RegisterRecord {
        organisation,
        year,
        digest: &register.digest,
        persons: lines.iter().map(|l| l.person).collect(),
        files: [&register.pdf.name, &register.csv.name],
    };
    store.record_audit(AuditAction::VolunteersRegister, &record)?;
    Ok(register)
}

/// What the audit log keeps of a written register: ids, the year, the
/// digest printed on it and the files' names; the operator is added by
/// `record_audit`. The codici fiscali and residences are in the files, not
/// in the log.
#[derive(Serialize)]
struct RegisterRecord<'a> {
    organisation: OrganisationId,
    year: i32,
    digest: &'a str,
    persons: Vec<PersonId>,
    files: [&'a str; 2],
}

fn bad_year(year: i32) -> Error {
    Error::invalid("register.year", format!("{year} is no year"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The canonical form (see the module doc).
fn canonical(organisation: OrganisationId, year: i32, lines: &[Line]) -> Vec<u8> {
    let mut out = format!("taccuino-volunteers-register/1\n{organisation}\n{year}\n");
    for l in lines {
        let r = &l.record;
        let fields = [
            if l.occasional { "occasional" } else { "regular" }.to_owned(),
            l.number.to_string(),
            l.person.to_string(),
            l.last_name.clone(),
            l.first_name.clone(),
            r.codice_fiscale.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default(),
            r.birth_place.clone(),
            iso(r.birth_date),
            r.residence.clone(),
            r.start.to_string(),
            iso(r.end),
            iso(r.insurance_from),
            iso(r.insurance_to),
        ];
        out.push_str(&fields.join("\u{1f}"));
        out.push('\n');
    }
    out.into_bytes()
}

fn row(w: &Words, l: &Line) -> [String; 12] {
    let r = &l.record;
    [
        l.number.to_string(),
        if l.occasional { w.section.1 } else { w.section.0 }.to_owned(),
        l.last_name.clone(),
        l.first_name.clone(),
        r.codice_fiscale.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default(),
        r.birth_place.clone(),
        it(r.birth_date),
        r.residence.clone(),
        it(Some(r.start)),
        it(r.end),
        it(r.insurance_from),
        it(r.insurance_to),
    ]
}

fn csv(w: &Words, lines: &[Line], digest: &str) -> Result<Vec<u8>> {
    let failed = |e: csv::Error| Error::ExportFailed { format: "csv", source: Box::new(e) };
    let mut out = ::csv::WriterBuilder::new().delimiter(b';').flexible(true).from_writer(BOM.to_vec());
    out.write_record(w.headers).map_err(failed)?;
    for l in lines {
        out.write_record(row(w, l)).map_err(failed)?;
    }
    // The digest on a last line of its own, as on the PDF.
    out.write_record([w.digest, digest]).map_err(failed)?;
    out.into_inner().map_err(|e| Error::ExportFailed { format: "csv", source: Box::new(e.into_error()) })
}

fn pdf(w: &Words, organisation: &str, year: i32, lines: &[Line], digest: &str) -> Result<Vec<u8>> {
    let mut blocks = Vec::new();
    for (occasional, heading) in [(false, w.regular), (true, w.occasional)] {
        blocks.push(Block::Heading(heading.to_owned()));
        let section: Vec<&Line> = lines.iter().filter(|l| l.occasional == occasional).collect();
        if section.is_empty() {
            blocks.push(Block::Text(w.none.to_owned()));
        }
        for l in section {
            let cells = row(w, l);
            // N. Cognome Nome — then each other field with its header.
            let mut text = format!("{}. {} {}", cells[0], cells[2], cells[3]);
            for (header, cell) in w.headers.iter().zip(&cells).skip(4) {
                if !cell.is_empty() {
                    text.push_str(&format!(" — {header}: {cell}"));
                }
            }
            blocks.push(Block::Item(text));
        }
    }
    blocks.push(Block::Field(w.digest.to_owned(), digest.to_owned()));
    let doc = Document {
        title: format!("{} — {organisation}", w.title),
        subtitle: format!("{} {year} · SHA-256 {digest}", w.year),
        blocks,
        footer: format!("{} {year} · {organisation}", w.title),
        page_words: (w.page.0.to_owned(), w.page.1.to_owned()),
    };
    document(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_is_fixed() {
        let o = OrganisationId(uuid::Uuid::from_u128(1));
        let record = VolunteerRecord {
            person: PersonId(uuid::Uuid::from_u128(2)),
            organisation: Some(o),
            codice_fiscale: None,
            birth_place: "Voghera".into(),
            birth_date: NaiveDate::from_ymd_opt(1985, 12, 10),
            residence: "Via Roma 1".into(),
            start: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            end: None,
            occasional: true,
            insurance_from: None,
            insurance_to: None,
        };
        let line = Line {
            occasional: true,
            number: 1,
            person: record.person,
            last_name: "Rossi".into(),
            first_name: "Mario".into(),
            record,
        };
        let text = String::from_utf8(canonical(o, 2026, &[line])).expect("utf-8");
        assert_eq!(
            text,
            "taccuino-volunteers-register/1\n00000000-0000-0000-0000-000000000001\n2026\n\
             occasional\u{1f}1\u{1f}00000000-0000-0000-0000-000000000002\u{1f}Rossi\u{1f}Mario\u{1f}\u{1f}\
             Voghera\u{1f}1985-12-10\u{1f}Via Roma 1\u{1f}2026-03-01\u{1f}\u{1f}\u{1f}\n"
        );
    }
}
