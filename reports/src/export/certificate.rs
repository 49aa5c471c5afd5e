//! A person's certificate of attendance (*attestato di frequenza*): the
//! training sessions they attended, each with its date, title, the minutes
//! attended of the session's minutes (and the arrival and departure when
//! recorded) and whether that completed it under its threshold; then the
//! totals in hours. Printed with the plain document layout (`export/pdf`).

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::{Attendee, AuditAction, AuditLog, PersonId, Staff, Store, TrainingSession};
use serde::Serialize;

use super::labels::Label as L;
use super::pdf::{Block, Document, document};
use super::sign_in_sheet::{duration, role, time_span};
use super::{ExportFile, Language};
use crate::error::Result;

/// Minutes as hours with one decimal, in the language's way ("3,5 ore").
fn hours(minutes: u32, lang: Language) -> String {
    let h = format!("{:.1}", f64::from(minutes) / 60.0);
    let h = if lang == Language::It { h.replace('.', ",") } else { h };
    format!("{h} {}", L::Hours.text(lang))
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// One session's line: "20/09/2026 (09:30–11:00) — Title: 80 min attended
/// of 90 (88%; arrival 09:40, departure 11:00); completed (threshold 75%)".
fn line(t: &TrainingSession, a: &Attendee, lang: Language) -> String {
    let w = |l: L| l.text(lang);
    let when = match time_span(t) {
        Some(span) => format!("{} ({span})", t.date.format("%d/%m/%Y")),
        None => t.date.format("%d/%m/%Y").to_string(),
    };
    let r = &a.record;
    let how = match (r.arrival, r.departure, r.minutes) {
        (None, None, None) => w(L::CertNoTimes).to_owned(),
        (None, None, Some(m)) => format!("{m} {}", w(L::CertMinutesRecorded)),
        (arrival, departure, _) => {
            let mut parts = Vec::new();
            if let Some(x) = arrival {
                parts.push(format!("{} {}", w(L::CertArrival), hhmm(x)));
            }
            if let Some(x) = departure {
                parts.push(format!("{} {}", w(L::CertDeparture), hhmm(x)));
            }
            parts.join(", ")
        }
    };
    let verdict = if a.completed { w(L::CertCompleted) } else { w(L::CertNotCompleted) };
    format!(
        "{when} — {}: {} {} {} {} ({}%; {how}); {verdict} ({} {}%)",
        t.title,
        a.attended_minutes,
        w(L::Minutes),
        w(L::CertAttended),
        format_args!("{} {}", w(L::CertOf), t.minutes),
        a.share_percent,
        w(L::CertThreshold),
        t.completion_percent,
    )
}

/// What the audit log keeps of an issued certificate: the person's id and
/// code, the issue date, the sessions it lists, the file's name; the
/// operator is added by `record_audit`.
#[derive(Serialize)]
struct CertificateRecord<'a> {
    person: PersonId,
    code: &'a str,
    issued: NaiveDate,
    sessions: u32,
    file: &'a str,
}

/// The certificate of attendance of `person`, issued on `issued`, in
/// `lang`, recorded in the audit log (`training_certificate`) once built.
pub fn certificate(
    store: &mut Store,
    person: PersonId,
    issued: NaiveDate,
    lang: Language,
) -> Result<ExportFile> {
    let p = store.person(person)?;
    let w = |l: L| l.text(lang);
    let name = format!("{} {}", p.first_name, p.last_name);
    let mut b = vec![
        Block::Field(w(L::CertPerson).to_owned(), name.clone()),
        Block::Field(w(L::CertRole).to_owned(), role(p.role, lang).to_owned()),
    ];
    if !p.organisation.trim().is_empty() {
        b.push(Block::Field(w(L::TrOrganisation).to_owned(), p.organisation.clone()));
    }
    b.push(Block::Field(w(L::CertCode).to_owned(), p.code.clone()));
    b.push(Block::Heading(w(L::CertSessions).to_owned()));
    let (mut attended, mut completed_minutes, mut sessions, mut completed) = (0u32, 0u32, 0u32, 0u32);
    for t in store.trainings()? {
        let Some(a) = t.attendee(person) else { continue };
        b.push(Block::Item(line(&t, a, lang)));
        attended = attended.saturating_add(a.attended_minutes);
        sessions += 1;
        if a.completed {
            completed_minutes = completed_minutes.saturating_add(a.attended_minutes);
            completed += 1;
        }
    }
    if sessions == 0 {
        b.push(Block::Text(w(L::CertNoSessions).to_owned()));
    }
    b.push(Block::Heading(w(L::CertTotals).to_owned()));
    b.push(Block::Field(
        w(L::CertHoursAttended).to_owned(),
        format!("{} ({})", hours(attended, lang), duration(attended)),
    ));
    b.push(Block::Field(
        w(L::CertHoursCompleted).to_owned(),
        format!("{} ({})", hours(completed_minutes, lang), duration(completed_minutes)),
    ));
    b.push(Block::Field(
        w(L::CertSessionsCompleted).to_owned(),
        format!("{completed} {} {sessions}", w(L::CertOf)),
    ));
    b.push(Block::Text(w(L::CertRule).to_owned()));
    b.push(Block::Text(String::new()));
    b.push(Block::Field(w(L::CertIssued).to_owned(), issued.format("%d/%m/%Y").to_string()));
    b.push(Block::Text(String::new()));
    b.push(Block::Field(w(L::CertSignature).to_owned(), "_".repeat(36)));
    let doc = Document {
        title: w(L::CertTitle).to_owned(),
        subtitle: name.clone(),
        blocks: b,
        footer: format!("{} · {name} · {}", w(L::CertTitle), p.code),
        page_words: (w(L::Page).to_owned(), w(L::Of).to_owned()),
    };
    let file = ExportFile {
        name: format!("{}_{}.pdf", w(L::FileCertificate), p.code),
        media_type: "application/pdf",
        bytes: document(&doc)?,
    };
    let record = CertificateRecord { person, code: &p.code, issued, sessions, file: &file.name };
    store.record_audit(AuditAction::TrainingCertificate, &record)?;
    Ok(file)
}
