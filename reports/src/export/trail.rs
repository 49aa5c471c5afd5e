//! The audit trail for the data protection officer, as a CSV file like the
//! register's ([`super::csv`]): UTF-8 with a byte-order mark, `;` between
//! fields, times as `dd/mm/yyyy HH:MM:SS` in Pavia. Entries hold ids, codes
//! and the names of the parts touched, never names, contacts or notes, so
//! the file holds none either.

use chrono_tz::Europe::Rome;

use super::csv::BOM;
use super::{ExportFile, Language};
use crate::error::{Error, Result};
use crdt_sync::{TrailAction, TrailEntry};

fn failed(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::ExportFailed { format: "csv", source: Box::new(e) }
}

/// The column headers.
fn headers(lang: Language) -> [&'static str; 10] {
    match lang {
        Language::It => [
            "Data e ora",
            "Dispositivo",
            "Persona",
            "Azione",
            "Documento",
            "Laboratorio",
            "Famiglia",
            "Codice",
            "Parti toccate",
            "Dettaglio",
        ],
        Language::En => [
            "Date and time",
            "Device",
            "Person",
            "Action",
            "Document",
            "Lab",
            "Family",
            "Code",
            "Parts touched",
            "Detail",
        ],
    }
}

/// An action's words.
pub(crate) fn action(a: TrailAction, lang: Language) -> &'static str {
    let (it, en) = match a {
        TrailAction::Created => ("registrazione", "registered"),
        TrailAction::Changed => ("modifica", "changed"),
        TrailAction::ConsentRecorded => ("nuovo consenso registrato", "new consent record"),
        TrailAction::Merged => ("unione di duplicati", "merged"),
        TrailAction::MergeUndone => ("unione annullata", "merge undone"),
        TrailAction::MergeConfirmed => ("unione confermata", "merge confirmed"),
        TrailAction::Attendance => ("presenze", "attendance"),
        TrailAction::LabChanged => ("modifica del laboratorio", "lab changed"),
        TrailAction::Exported => ("esportazione pseudonimizzata", "pseudonymised export"),
        TrailAction::FullExport => ("esportazione completa (con nomi)", "full export (with names)"),
        TrailAction::ErasureRequested => ("cancellazione richiesta", "erasure requested"),
        TrailAction::Erased => ("cancellazione", "erased"),
        TrailAction::SubjectAccess => ("estratto per l'interessato", "subject access extract"),
    };
    match lang {
        Language::It => it,
        Language::En => en,
    }
}

/// The audit trail as one CSV file (`registro_attivita.csv`, or
/// `audit_trail.csv` in English), in the order given.
pub fn audit_trail_csv(entries: &[TrailEntry], lang: Language) -> Result<ExportFile> {
    let mut w = ::csv::WriterBuilder::new().delimiter(b';').from_writer(BOM.to_vec());
    w.write_record(headers(lang)).map_err(failed)?;
    let text = |v: Option<String>| v.unwrap_or_default();
    for e in entries {
        w.write_record([
            e.at.with_timezone(&Rome).format("%d/%m/%Y %H:%M:%S").to_string(),
            e.device.to_string(),
            text(e.person.map(|p| p.to_string())),
            action(e.action, lang).to_owned(),
            text(e.doc.map(|d| d.to_string())),
            text(e.lab.map(|l| l.to_string())),
            text(e.household.map(|h| h.to_string())),
            text(e.code.clone()),
            e.fields.join(", "),
            text(e.detail.clone()),
        ])
        .map_err(failed)?;
    }
    let bytes = w.into_inner().map_err(|e| failed(e.into_error()))?;
    let name = match lang {
        Language::It => "registro_attivita.csv",
        Language::En => "audit_trail.csv",
    };
    Ok(ExportFile { name: name.to_owned(), media_type: "text/csv; charset=utf-8", bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crdt_sync::Keyed;

    #[test]
    fn every_action_has_words_in_both_languages() {
        for a in TrailAction::ALL {
            assert!(!action(*a, Language::It).is_empty(), "{}", a.key());
            assert!(!action(*a, Language::En).is_empty(), "{}", a.key());
        }
    }

    #[test]
    fn an_empty_trail_is_headers_with_a_bom() {
        let f = audit_trail_csv(&[], Language::It).expect("csv");
        assert!(f.bytes.starts_with(BOM));
        let text = String::from_utf8(f.bytes[BOM.len()..].to_vec()).expect("utf-8");
        assert_eq!(text.lines().next(), Some(headers(Language::It).join(";").as_str()));
    }
}
