//! Pure planning: document state in, rows out.

use automerge::Automerge;

use super::rows::{Delete, Plan, Row};
use crate::doc::{self, DocKind, DocRef};
use crate::domain::Keyed;
use crate::ids::{HouseholdId, LabId, MeetingId, PersonId};

/// Which part of a document to re-project.
#[derive(Debug)]
pub(crate) enum Scope {
    /// All of it.
    Whole,
    /// Only what these patches (from `Automerge::diff`) touched.
    Patches(Vec<automerge::Patch>),
}

/// The rows that represent `scope` of document `r`.
pub(crate) fn plan(r: DocRef, d: &Automerge, scope: Scope) -> Plan {
    let mut p = Plan::default();
    conflicts(r, d, &scope, &mut p);
    match r.kind {
        DocKind::Project => project(d, &mut p),
        DocKind::Household => household(HouseholdId(r.id), d, &mut p),
        DocKind::Person => person(PersonId(r.id), d, &mut p),
        DocKind::Training => training(d, &mut p),
        // Not projected: the register is read from its few documents, and
        // no codice fiscale or residence reaches the tables or the search.
        DocKind::Volunteer => {}
        DocKind::Lab => {
            let lab = LabId(r.id);
            match scope {
                Scope::Whole => lab_whole(lab, d, &mut p),
                Scope::Patches(patches) => {
                    let t = doc::lab::touched(&patches);
                    if t.all {
                        lab_whole(lab, d, &mut p);
                    } else {
                        for h in t.households {
                            p.deletes.push(Delete::LabHousehold(lab, h));
                            if let Some(code) = doc::lab::household_code(d, h) {
                                p.rows.push(Row::LabHousehold {
                                    lab_id: lab.to_string(),
                                    household_id: h.to_string(),
                                    code,
                                });
                            }
                        }
                        if t.roster {
                            lab_roster(lab, d, &mut p);
                        }
                        for m in t.meetings {
                            p.deletes.push(Delete::Meeting(m));
                            meeting(lab, m, d, &mut p);
                        }
                    }
                }
            }
        }
    }
    p
}

/// How deep a lab document's changes are followed to find the conflicts
/// they may have made or settled: `meetings.<id>` and the like. The other
/// documents are small and read whole, as their rows are.
const CONFLICT_DEPTH: usize = 2;

/// Where `d`'s fields hold concurrent values (`doc_conflicts`): for a lab
/// document, only below what the patches touched (a lab of five years
/// holds thousands of meetings); for the others, everywhere.
fn conflicts(r: DocRef, d: &Automerge, scope: &Scope, p: &mut Plan) {
    let doc_key = r.to_string();
    let parts = match scope {
        Scope::Patches(patches) if r.kind == DocKind::Lab => doc::conflicts::touched(patches, CONFLICT_DEPTH),
        _ => None,
    };
    let found = match parts {
        None => {
            p.deletes.push(Delete::Conflicts { doc_key: doc_key.clone(), prefix: None });
            doc::conflicts::paths(d)
        }
        Some(parts) => {
            let mut found = Vec::new();
            for part in parts {
                p.deletes.push(Delete::Conflicts { doc_key: doc_key.clone(), prefix: Some(part.join(".")) });
                found.extend(doc::conflicts::paths_at(d, &part));
            }
            found
        }
    };
    p.rows.extend(found.into_iter().map(|path| Row::Conflict { doc_key: doc_key.clone(), path }));
}

fn project(d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::Project);
    for l in doc::project::labs(d) {
        p.rows.push(Row::Lab {
            id: l.id.to_string(),
            number: i64::from(l.number),
            name: l.name,
            address: l.address,
            partner: l.partner,
        });
    }
    for t in doc::project::activity_types(d) {
        p.rows.push(Row::ActivityType {
            key: t.key,
            label_it: t.label_it,
            label_en: t.label_en,
            nomenclature: t.nomenclature,
        });
    }
    for a in doc::project::nomenclature_areas(d) {
        p.rows.push(Row::NomenclatureArea { code: a.code, name: a.name });
    }
    let t = doc::project::targets(d);
    for (key, value) in [
        ("families", t.families),
        ("labs", t.labs),
        ("operators_trained", t.operators_trained),
        ("volunteers_trained", t.volunteers_trained),
        ("trained_hours", t.trained_hours),
    ] {
        p.rows.push(Row::Target { key, value: i64::from(value) });
    }
}

fn household(id: HouseholdId, d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::Household(id));
    let Some(h) = doc::household::read(d, id) else {
        return;
    };
    let hid = h.id.to_string();
    let join = |keys: Vec<&str>| keys.join(",");
    p.rows.push(Row::Household {
        id: hid.clone(),
        lab_id: h.lab.to_string(),
        code: h.code.clone(),
        reference_id: h.reference.map(|r| r.to_string()),
        phone: h.contacts.phone.clone(),
        email: h.contacts.email.clone(),
        address: h.contacts.address.clone(),
        areas: join(h.areas.iter().map(|a| a.key()).collect()),
        referral: h.referral.map(|r| r.key().to_owned()),
        consent_date: h.consent.as_ref().map(|c| c.date.to_string()),
        consent_scopes: h.consent.as_ref().map(|_| join(h.active_scopes().iter().map(|s| s.key()).collect())),
        legal_basis: h.consent.as_ref().map(|c| c.basis.key().to_owned()),
        legal_status: h.legal_status.key(),
        restricted: h.restriction.is_some(),
        merged_into: h.merged_into.map(|m| m.to_string()),
        merge_confirmed: h.merge_confirmed,
        created_at: h.created_at.timestamp_millis(),
    });
    // Reference person first: search results show them as the family's name.
    let mut names: Vec<String> =
        h.reference_member().map(|m| format!("{} {}", m.first_name, m.last_name)).into_iter().collect();
    for m in &h.members {
        if Some(m.id) != h.reference {
            names.push(format!("{} {}", m.first_name, m.last_name));
        }
        p.rows.push(Row::Member {
            id: m.id.to_string(),
            household_id: hid.clone(),
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            birth_year: m.birth_year.map(i64::from),
        });
    }
    for pw in &h.pathways {
        p.rows.push(Row::Pathway {
            id: pw.id.to_string(),
            household_id: hid.clone(),
            kind: pw.kind.key().to_owned(),
            start_date: pw.start.to_string(),
            end_date: pw.end.map(|e| e.to_string()),
            operator_id: pw.operator.map(|o| o.to_string()),
            status: pw.status.key().to_owned(),
            notes: pw.notes.clone(),
        });
    }
    p.rows.push(Row::HouseholdSearch { household_id: hid, code: h.code, names: names.join(" ") });
}

fn person(id: PersonId, d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::Person(id));
    let Some(x) = doc::person::read(d, id) else {
        return;
    };
    let pid = x.id.to_string();
    for lab in &x.labs {
        p.rows.push(Row::PersonLab { person_id: pid.clone(), lab_id: lab.to_string() });
    }
    p.rows.push(Row::Person {
        id: pid,
        code: x.code,
        first_name: x.first_name,
        last_name: x.last_name,
        role: x.role.key().to_owned(),
        organisation: x.organisation,
        phone: x.phone,
        email: x.email,
    });
}

fn training(d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::Trainings);
    for id in doc::training::session_ids(d) {
        let Some(t) = doc::training::read(d, id) else {
            continue;
        };
        let tid = t.id.to_string();
        for a in &t.attendees {
            p.rows.push(Row::TrainingAttendance {
                training_id: tid.clone(),
                person_id: a.person.to_string(),
                minutes: i64::from(a.attended_minutes),
                completed: a.completed,
            });
        }
        p.rows.push(Row::Training {
            id: tid,
            date: t.date.to_string(),
            start: t.start.map(|s| s.format("%H:%M").to_string()),
            title: t.title,
            minutes: i64::from(t.minutes),
            completion: i64::from(t.completion_percent),
        });
    }
}

fn lab_whole(lab: LabId, d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::LabMeetings(lab));
    lab_households(lab, d, p);
    lab_roster(lab, d, p);
    for m in doc::lab::meetings(d, lab) {
        meeting_rows(m, p);
    }
}

fn lab_households(lab: LabId, d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::LabHouseholds(lab));
    for (id, code) in doc::lab::households(d) {
        p.rows.push(Row::LabHousehold { lab_id: lab.to_string(), household_id: id.to_string(), code });
    }
}

fn lab_roster(lab: LabId, d: &Automerge, p: &mut Plan) {
    p.deletes.push(Delete::LabRoster(lab));
    for person in doc::lab::roster(d) {
        p.rows.push(Row::Roster { lab_id: lab.to_string(), person_id: person.to_string() });
    }
}

fn meeting(lab: LabId, id: MeetingId, d: &Automerge, p: &mut Plan) {
    if let Some(m) = doc::lab::read_meeting(d, lab, id) {
        meeting_rows(m, p);
    }
}

fn meeting_rows(m: crate::domain::Meeting, p: &mut Plan) {
    let lab = m.lab;
    let mid = m.id.to_string();
    let date = m.date.to_string();
    for f in &m.facilitators {
        p.rows.push(Row::Facilitator { meeting_id: mid.clone(), person_id: f.to_string() });
    }
    for a in &m.attendance {
        p.rows.push(Row::Attendance {
            meeting_id: mid.clone(),
            member_id: a.member.to_string(),
            household_id: a.household.to_string(),
            lab_id: lab.to_string(),
            date: date.clone(),
        });
    }
    p.rows.push(Row::Meeting {
        id: mid,
        lab_id: lab.to_string(),
        date,
        start_time: m.start.format("%H:%M").to_string(),
        end_time: m.end.format("%H:%M").to_string(),
        activity: m.activity,
        theme: m.theme,
        guests: i64::from(m.guests),
        notes: m.notes,
    });
}
