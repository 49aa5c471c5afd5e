//! The sign-in sheet of a training session (*foglio firme*), printed
//! before the session: the title, date, time and duration, then one row per
//! expected participant (the session's attendees: name and organisation)
//! with empty boxes for the arrival and departure times and signatures, and
//! a few blank rows. Social workers' professional credits need arrival and
//! departure recorded; the signed sheet is the evidence, kept five years.

use chrono::{NaiveDate, Timelike};
use crdt_sync::{AuditAction, AuditLog, PersonId, Role, Staff, Store, TrainingId, TrainingSession};
use serde::Serialize;

use super::labels::Label as L;
use super::pdf::sign_in::{self, SignIn};
use super::{ExportFile, Language};
use crate::error::Result;

/// Blank rows after the expected participants, for those who come unannounced.
const BLANK_ROWS: usize = 4;

/// "1 h 30 min", "2 h", "45 min".
pub(crate) fn duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// "09:30–11:00", when the session's start is known.
pub(crate) fn time_span(t: &TrainingSession) -> Option<String> {
    let (start, end) = (t.start?, t.end()?);
    Some(format!("{:02}:{:02}–{:02}:{:02}", start.hour(), start.minute(), end.hour(), end.minute()))
}

/// The session `training`, or the register's "not found".
pub(crate) fn session(store: &mut Store, training: TrainingId) -> Result<TrainingSession> {
    store
        .trainings()?
        .into_iter()
        .find(|t| t.id == training)
        .ok_or_else(|| crdt_sync::Error::NotFound { what: "training", id: training.to_string() }.into())
}

/// The role in words.
pub(crate) fn role(r: Role, lang: Language) -> &'static str {
    match r {
        Role::Operator => L::RoleOperator.text(lang),
        Role::Volunteer => L::RoleVolunteer.text(lang),
    }
}

/// What the audit log keeps of a printed sign-in sheet: ids, the session's
/// date and title, the file's name; the operator is added by
/// `record_audit`. The names are in the file, not in the log.
#[derive(Serialize)]
struct SheetRecord<'a> {
    training: TrainingId,
    date: NaiveDate,
    title: &'a str,
    persons: Vec<PersonId>,
    file: &'a str,
}

/// The sign-in sheet of `training` as a PDF, in `lang`, recorded in the
/// audit log (`training_sign_in_sheet`) once it is built: it lists names
/// and organisations, like the other exports.
pub fn sign_in_sheet(store: &mut Store, training: TrainingId, lang: Language) -> Result<ExportFile> {
    let t = session(store, training)?;
    let mut people: Vec<[String; 2]> = Vec::new();
    for a in &t.attendees {
        // A person whose document has not reached this device is listed by id.
        match store.person(a.person) {
            Ok(p) => people.push([format!("{} {}", p.first_name, p.last_name), p.organisation]),
            Err(_) => people.push([a.person.to_string(), String::new()]),
        }
    }
    people.sort_by(|a, b| a[0].to_lowercase().cmp(&b[0].to_lowercase()).then(a.cmp(b)));
    let date = t.date.format("%d/%m/%Y").to_string();
    let mut subtitle = vec![L::SignInTitle.text(lang).to_owned(), date.clone()];
    let mut details = vec![(L::TrDate.text(lang).to_owned(), date)];
    if let Some(span) = time_span(&t) {
        subtitle.push(span.clone());
        details.push((L::TrTime.text(lang).to_owned(), span));
    }
    subtitle.push(duration(t.minutes));
    details.push((L::TrDuration.text(lang).to_owned(), duration(t.minutes)));
    details.push((
        L::TrThreshold.text(lang).to_owned(),
        format!("{}% {}", t.completion_percent, L::TrOfDuration.text(lang)),
    ));
    let sheet = SignIn {
        title: t.title.clone(),
        subtitle: subtitle.join(" · "),
        details,
        note: L::TrSignInNote.text(lang).to_owned(),
        columns: [
            "#".to_owned(),
            L::TrName.text(lang).to_owned(),
            L::TrOrganisation.text(lang).to_owned(),
            L::TrArrivalTime.text(lang).to_owned(),
            L::TrArrivalSignature.text(lang).to_owned(),
            L::TrDepartureTime.text(lang).to_owned(),
            L::TrDepartureSignature.text(lang).to_owned(),
        ],
        people,
        blank_rows: BLANK_ROWS,
        nobody: L::TrNoneExpected.text(lang).to_owned(),
        signature: L::TrTrainerSignature.text(lang).to_owned(),
        footer: format!("{} · {}", L::SignInTitle.text(lang), t.title),
        page_words: (L::Page.text(lang).to_owned(), L::Of.text(lang).to_owned()),
    };
    let file = ExportFile {
        name: format!("{}_{}.pdf", L::FileSignIn.text(lang), t.date),
        media_type: "application/pdf",
        bytes: sign_in::pdf(&sheet)?,
    };
    let record = SheetRecord {
        training: t.id,
        date: t.date,
        title: &t.title,
        persons: t.attendees.iter().map(|a| a.person).collect(),
        file: &file.name,
    };
    store.record_audit(AuditAction::TrainingSignInSheet, &record)?;
    Ok(file)
}
