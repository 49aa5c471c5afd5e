//! The subject access extract (issue 6, part 5; GDPR arts. 15 and 20):
//! everything this store holds about one family, as two files.
//!
//! - **JSON** (`taccuino-subject-access/1`, art. 20, portability): the
//!   family's record exactly as the [`Household`] type serialises it (so a
//!   field added to the type is in the extract without a change here), the
//!   duplicates merged into it, every attendance (meeting, lab, date,
//!   activity, theme, which members), the labs, the staff it names (names
//!   only), and the processing history from [`Store::audit_trail`]. Dates
//!   are ISO 8601; every list is sorted, so the same store gives the same
//!   bytes apart from `generated_at`.
//! - **PDF** (art. 15): the same, in words a family member can read, in
//!   Italian or English: who holds the data, what data, what activities,
//!   who accessed or changed it, the rights and the date of the extract.
//!
//! Reading is planned first ([`gather`]: every read, no writes), then the
//! files are written, then one row goes to the audit log
//! ([`AuditAction::SubjectAccess`](crdt_sync::AuditAction::SubjectAccess): id,
//! code and file names, no personal data), which the family's trail shows.
//! An erased family is [`Error::Register`] (`Erased`) and nothing is written. See
//! `docs/decisions/0013-subject-access.md`.

use crdt_sync::Staff as _;
mod readable;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{ExportFile, Language, labels::Label};
use crate::error::{Error, Result};
use crdt_sync::{AuditLog, AuditTrail, Families, Household, Lab, ProjectSettings};
use crdt_sync::{HouseholdId, LabId, MeetingId, MemberId, PersonId};
use crdt_sync::{Store, SubjectAccessRecord, TrailEntry, TrailScope};

/// The version of the JSON format; a reader checks it before anything else.
pub const SUBJECT_ACCESS_FORMAT: &str = "taccuino-subject-access/1";

/// The two files of a subject access extract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectAccess {
    /// The family.
    pub household: HouseholdId,
    /// Its code (`PV01-0042`).
    pub code: String,
    /// The machine-readable extract (`accesso_dati_PV01-0042.json`).
    pub json: ExportFile,
    /// The extract to read (`accesso_dati_PV01-0042.pdf`).
    pub readable: ExportFile,
}

impl SubjectAccess {
    /// Both files: the JSON, then the PDF.
    pub fn files(&self) -> [&ExportFile; 2] {
        [&self.json, &self.readable]
    }
}

/// One meeting the family attended, with the members present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Attended {
    pub meeting: MeetingId,
    pub lab: LabId,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    /// The activity type's key, and its label in the extract's language.
    pub activity: String,
    pub activity_label: String,
    pub theme: String,
    /// The members present, by id (their names are in `household` and
    /// `duplicates`).
    pub members: Vec<MemberId>,
    /// The households the attendance was recorded for (a duplicate's id
    /// when it was recorded before the merge).
    pub recorded_for: Vec<HouseholdId>,
}

/// A member of staff named in the extract (a pathway's operator, who
/// collected the consent, who acted in the trail): name and code only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Staff {
    pub id: PersonId,
    pub code: String,
    pub first_name: String,
    pub last_name: String,
}

/// Everything the extract holds, read from the store.
pub(crate) struct Gathered {
    pub household: Household,
    pub duplicates: Vec<Household>,
    pub attendance: Vec<Attended>,
    pub labs: Vec<Lab>,
    pub staff: BTreeMap<PersonId, Staff>,
    pub trail: Vec<TrailEntry>,
    pub at: DateTime<Utc>,
    pub language: Language,
}

/// Who holds the data, in the JSON.
#[derive(Serialize)]
struct Controller<'a> {
    project: &'static str,
    labs: &'a [Lab],
}

/// The JSON document, field by field in this order.
#[derive(Serialize)]
struct Json<'a> {
    format: &'static str,
    generated_at: DateTime<Utc>,
    language: Language,
    controller: Controller<'a>,
    household: &'a Household,
    duplicates: &'a [Household],
    attendance: &'a [Attended],
    staff: Vec<&'a Staff>,
    processing: &'a [TrailEntry],
}

/// The project, as the privacy notice names it.
pub(crate) const PROJECT: &str = "Fare #BeneComune";

/// Takes a subject access extract of `household`: its JSON and PDF files,
/// and one row in the audit log.
///
/// Errors: [`Error::Register`] (`Erased`) for an erased family (nothing is written),
/// [`Error::Register`] (`NotFound`) for a family this store does not hold, or a writer
/// failure ([`Error::ExportFailed`]).
pub fn subject_access(
    store: &mut Store,
    household: HouseholdId,
    language: Language,
) -> Result<SubjectAccess> {
    let g = gather(store, household, language)?;
    let code = g.household.code.clone();
    let stem = format!("{}_{}", Label::FileSubjectAccess.text(language), file_safe(&code));
    let json = ExportFile { name: format!("{stem}.json"), media_type: "application/json", bytes: json(&g)? };
    let readable =
        ExportFile { name: format!("{stem}.pdf"), media_type: "application/pdf", bytes: readable::pdf(&g)? };
    store.record_subject_access(&SubjectAccessRecord {
        household,
        code: code.clone(),
        lab: Some(g.household.lab),
        files: vec![json.name.clone(), readable.name.clone()],
        by_person: None,
    })?;
    Ok(SubjectAccess { household, code, json, readable })
}

/// A code as part of a file name: letters, digits and `-` only.
fn file_safe(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// Every read of the extract.
pub(crate) fn gather(store: &mut Store, id: HouseholdId, language: Language) -> Result<Gathered> {
    // An erased family is `Error::Erased` here, before anything is read.
    let household = store.household(id)?;
    let mut duplicates = Vec::new();
    for d in store.duplicates_of(id)? {
        match store.household(d) {
            Ok(h) => duplicates.push(h),
            // An erased duplicate has nothing left to give.
            Err(crdt_sync::Error::Erased { .. } | crdt_sync::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let family: BTreeSet<HouseholdId> = std::iter::once(id).chain(duplicates.iter().map(|h| h.id)).collect();

    // Attendance: what the register shows for the family; for a duplicate
    // itself (merged into another), what was recorded for it.
    let canonical = store.canonical_household(id).unwrap_or(id);
    let mut by_meeting: BTreeMap<MeetingId, (Vec<MemberId>, BTreeSet<HouseholdId>)> = BTreeMap::new();
    for a in store.attendance_history(canonical)? {
        if canonical == id || family.contains(&a.recorded_for) {
            let e = by_meeting.entry(a.meeting).or_default();
            e.0.push(a.member);
            e.1.insert(a.recorded_for);
        }
    }
    let activity_labels: BTreeMap<String, (String, String)> =
        store.activity_types()?.into_iter().map(|t| (t.key, (t.label_it, t.label_en))).collect();
    let mut attendance = Vec::new();
    {
        let mut stmt = store.reader().prepare(
            "SELECT lab_id, date, start_time, end_time, activity, theme FROM meetings WHERE id = ?1",
        )?;
        for (meeting, (mut members, recorded_for)) in by_meeting {
            let row = stmt.query_row([meeting.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            let (lab, date, start, end, activity, theme) = row;
            let lab = lab.parse().map_err(|_| Error::internal(format!("bad lab id {lab:?}")))?;
            let activity_label = match (activity_labels.get(&activity), language) {
                (Some((it, _)), Language::It) => it.clone(),
                (Some((_, en)), Language::En) => en.clone(),
                (None, _) => activity.clone(),
            };
            members.sort();
            members.dedup();
            attendance.push(Attended {
                meeting,
                lab,
                date: super::parse_date(date)?,
                start,
                end,
                activity,
                activity_label,
                theme,
                members,
                recorded_for: recorded_for.into_iter().collect(),
            });
        }
    }
    attendance.sort_by(|a, b| (a.date, &a.start, a.meeting).cmp(&(b.date, &b.start, b.meeting)));

    let lab_ids: BTreeSet<LabId> = std::iter::once(household.lab)
        .chain(duplicates.iter().map(|h| h.lab))
        .chain(attendance.iter().map(|a| a.lab))
        .collect();
    let labs: Vec<Lab> = store.labs()?.into_iter().filter(|l| lab_ids.contains(&l.id)).collect();

    // The trail of the family; entries about another family (there should
    // be none) are left out rather than trusted.
    let trail: Vec<TrailEntry> = store
        .audit_trail(TrailScope::Household(id))?
        .into_iter()
        .filter(|e| e.household.is_none_or(|h| family.contains(&h)))
        .collect();

    let mut people: BTreeSet<PersonId> = trail.iter().filter_map(|e| e.person).collect();
    for h in std::iter::once(&household).chain(&duplicates) {
        people.extend(h.pathways.iter().filter_map(|p| p.operator));
        people.extend(h.consent.as_ref().map(|c| c.collected_by));
    }
    let mut staff = BTreeMap::new();
    for p in people {
        // Someone whose record this device does not hold stays an id.
        if let Ok(person) = store.person(p) {
            let s = Staff {
                id: p,
                code: person.code,
                first_name: person.first_name,
                last_name: person.last_name,
            };
            staff.insert(p, s);
        }
    }
    let at = store.now();
    Ok(Gathered { household, duplicates, attendance, labs, staff, trail, at, language })
}

/// The JSON file's bytes (pretty, UTF-8, a final newline).
pub(crate) fn json(g: &Gathered) -> Result<Vec<u8>> {
    let doc = Json {
        format: SUBJECT_ACCESS_FORMAT,
        generated_at: g.at,
        language: g.language,
        controller: Controller { project: PROJECT, labs: &g.labs },
        household: &g.household,
        duplicates: &g.duplicates,
        attendance: &g.attendance,
        staff: g.staff.values().collect(),
        processing: &g.trail,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| Error::ExportFailed { format: "json", source: Box::new(e) })?;
    bytes.push(b'\n');
    Ok(bytes)
}
