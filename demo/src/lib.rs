//! Demo data: a seeded generator of a realistic register, written through
//! the public [`Store`] operations like a person at a laptop would.
//!
//! [`populate`] registers labs in Pavia's neighbourhoods, their operators and
//! volunteers, families with Italian and immigrant names (accents and
//! apostrophes included: Nicolò, Zoè, D'Angelo, Cantù, Ionuț, Huamán),
//! consent records, pathways, a weekly rhythm of meetings with attendance,
//! and training sessions. It serves the app's first run ([`DemoSize::Small`])
//! and the benchmarks ([`DemoSize::Large`]: five years of ten labs).
//!
//! The generation has two halves: a pure *plan* (seed, size and today's date
//! in; labs, people, families, meetings out, referring to each other by
//! index) and its *application*, which calls the store's operations and maps
//! indices to the ids the store assigns. The same seed, size and date give
//! the same plan; with a [`SeededEnv`](crdt_sync::SeededEnv) of the same seed the
//! store's ids and projection are identical too.
//!
//! Dates end on the store's today (its [`Environment`](crdt_sync::Environment)'s
//! clock): the store refuses dates more than a year ahead, and a demo whose
//! meetings are all in the past looks real.
//!
//! ```
//! use taccuino_demo::{DemoSize, populate};
//! use crdt_sync::{CodeRange, DeviceConfig, DeviceId, Maintenance, ProjectId, SeededEnv, Store};
//!
//! # fn main() -> crdt_sync::Result<()> {
//! let config = DeviceConfig {
//!     device: DeviceId(uuid::Uuid::from_u128(1)),
//!     project: ProjectId(uuid::Uuid::from_u128(2)),
//!     codes: CodeRange::new(1, 9999)?,
//! };
//! let mut store = Store::in_memory(config, Box::new(SeededEnv::with_seed(1)))?;
//! let summary = populate(&mut store, DemoSize::Small, 42)?;
//! assert_eq!(summary.labs, 1);
//! assert_eq!(store.count_rows("households")?, summary.households as i64);
//! # Ok(()) }
//! ```

mod clash;
mod names;
mod plan;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Europe::Rome;

use crate::plan::{PathwayEnd, Plan};
use crdt_sync::{
    ActivityType, Attendance, DocRef, Families, Meetings, NewConsent, NewHousehold, NewMeeting, NewPathway,
    NewPerson, NewTraining, PathwayPatch, PathwayStatus, ProjectSettings, Replication, Staff, Store, Targets,
};
use crdt_sync::{Error, Result};
use crdt_sync::{HouseholdId, LabId, MeetingId, MemberId, PersonId};

/// How much demo data to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DemoSize {
    /// The app's first run: lab 1 (Crosione) with 6 staff, 25 families and
    /// 10 meetings over the last five weeks.
    Small,
    /// The benchmark data set: 10 labs over the last five years, each with
    /// 6 operators, 12 volunteers, 200 families and 250 meetings of about
    /// 15 members; 60 training sessions. About 37,500 attendances.
    Large,
    /// One lab of [`DemoSize::Large`] (lab 1, five years, 6 training
    /// sessions): what a lab's own laptop holds.
    LargeOneLab,
}

impl DemoSize {
    /// How many code numbers [`populate`] consumes from the device's
    /// [`CodeRange`](crdt_sync::CodeRange): one per family and one per person.
    /// Give the store a range at least this large ([`DemoSize::Large`]
    /// needs 2,180; `CodeRange::new(1, 9999)` is plenty for every size).
    pub fn code_numbers(self) -> u32 {
        let s = plan::Shape::of(self);
        let per_lab = s.households_per_lab + s.operators_per_lab + s.volunteers_per_lab;
        u32::try_from(s.labs * per_lab).unwrap_or(u32::MAX)
    }
}

/// What [`populate`] registered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Labs.
    pub labs: usize,
    /// Families.
    pub households: usize,
    /// Members of those families.
    pub members: usize,
    /// Operators and volunteers.
    pub persons: usize,
    /// Pathways started.
    pub pathways: usize,
    /// Meetings.
    pub meetings: usize,
    /// Members ticked present at meetings.
    pub attendances: usize,
    /// Training sessions.
    pub trainings: usize,
    /// Fields left with two values by two laptops of a lab editing them
    /// offline (a family's phone and a meeting's theme per lab).
    pub conflicts: usize,
    /// Store operations performed: each is one durable SQLite transaction
    /// (families and persons take one more to reserve their code number).
    pub writes: usize,
}

/// Fills `store` with demo data: the default activity types and targets,
/// then labs, staff, families, pathways, meetings and trainings, all dated
/// up to the store's today; in each lab, a family's phone and a meeting's
/// theme edited on two laptops at once (conflicting edits).
///
/// Expects a store without labs (lab numbers start at 1) whose code range
/// holds at least [`DemoSize::code_numbers`] numbers. Deterministic: the same
/// `seed` on a store with the same [`SeededEnv`](crdt_sync::SeededEnv) seed gives
/// identical documents and projection. Each operation is its own durable
/// transaction, so [`DemoSize::Large`] takes a while on disk (thousands of
/// fsyncs; see `docs/benchmarks.md`).
pub fn populate(store: &mut Store, size: DemoSize, seed: u64) -> Result<DemoSummary> {
    fill(store, size, seed, Conflicts::Leave)
}

/// As [`populate`], without the conflicting edits: for a register that will
/// sync to a hub. Those edits are made by a second laptop the hub never
/// enrolled, so a hub refuses its changes, and with them every document
/// they touch (a lab's document and a family's), as it must.
pub fn populate_for_hub(store: &mut Store, size: DemoSize, seed: u64) -> Result<DemoSummary> {
    fill(store, size, seed, Conflicts::Skip)
}

/// Whether the demo leaves conflicting edits in each lab.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Conflicts {
    Leave,
    Skip,
}

fn fill(store: &mut Store, size: DemoSize, seed: u64, conflicts: Conflicts) -> Result<DemoSummary> {
    let mut summary = DemoSummary::default();
    for t in ActivityType::defaults() {
        store.put_activity_type(t)?;
        summary.writes += 1;
    }
    store.set_targets(Targets::default())?;
    summary.writes += 1;
    let today = store_today(store)?;
    let plan = plan::build(size, seed, today);
    write(store, &plan, seed, conflicts, &mut summary)?;
    Ok(summary)
}

/// The store's today in Pavia, without moving its clock (a seeded one
/// advances on every reading): the store stamps every change with it, so read the newest change of the project
/// document, which [`populate`] has just written.
fn store_today(store: &mut Store) -> Result<NaiveDate> {
    let bytes = store.export_doc(DocRef::project(store.project()))?;
    let doc = automerge::Automerge::load(&bytes)?;
    let ms = doc.get_changes(&[]).iter().map(|c| c.timestamp()).max().unwrap_or(0);
    DateTime::from_timestamp_millis(ms)
        .filter(|_| ms > 0)
        .map(|t| t.with_timezone(&Rome).date_naive())
        .ok_or_else(|| Error::Invalid {
            field: "demo.today",
            reason: "the store's clock gave no date".into(),
        })
}

/// The ids of a new family's members, in the plan's order. The store orders
/// members by id, so they are matched by name and birth year.
fn member_ids(store: &mut Store, id: HouseholdId, planned: &[crdt_sync::NewMember]) -> Result<Vec<MemberId>> {
    let stored = store.household(id)?.members;
    let mut used = BTreeSet::new();
    planned
        .iter()
        .map(|p| {
            stored
                .iter()
                .find(|m| {
                    !used.contains(&m.id)
                        && m.first_name == p.first_name
                        && m.last_name == p.last_name
                        && m.birth_year == p.birth_year
                })
                .map(|m| {
                    used.insert(m.id);
                    m.id
                })
                .ok_or_else(|| Error::NotFound {
                    what: "member",
                    id: format!("{} {} in {id}", p.first_name, p.last_name),
                })
        })
        .collect()
}

/// Writes `plan` through the store's operations, counting into `summary`.
fn write(
    store: &mut Store,
    plan: &Plan,
    seed: u64,
    conflicts: Conflicts,
    summary: &mut DemoSummary,
) -> Result<()> {
    let labs: Vec<LabId> = plan.labs.iter().map(|l| store.create_lab(l.clone())).collect::<Result<_>>()?;
    summary.labs = labs.len();
    summary.writes += labs.len();

    let mut staff: Vec<PersonId> = Vec::with_capacity(plan.staff.len());
    for s in &plan.staff {
        staff.push(store.create_person(NewPerson {
            lab: labs[s.lab],
            first_name: s.first_name.clone(),
            last_name: s.last_name.clone(),
            role: s.role,
            organisation: s.organisation.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
        })?);
    }
    summary.persons = staff.len();
    summary.writes += staff.len();

    let mut families: Vec<(HouseholdId, Vec<MemberId>)> = Vec::with_capacity(plan.households.len());
    let mut first_family: Vec<Option<HouseholdId>> = vec![None; labs.len()];
    let mut last_meeting: Vec<Option<MeetingId>> = vec![None; labs.len()];
    for h in &plan.households {
        let id = store.create_household(NewHousehold {
            lab: labs[h.lab],
            reference: h.members[0].clone(),
            others: h.members[1..].to_vec(),
            contacts: h.contacts.clone(),
            areas: h.areas.clone(),
            referral: h.referral,
            consent: NewConsent {
                basis: h.consent.basis,
                special: h.consent.special,
                notice_version: h.consent.notice_version.clone(),
                date: h.consent.date,
                collected_by: staff[h.consent.collected_by],
                guardian: h.consent.guardian.clone(),
                scopes: h.consent.scopes.clone(),
            },
        })?;
        summary.writes += 1;
        summary.households += 1;
        summary.members += h.members.len();
        if let Some(pw) = &h.pathway {
            let pathway = store.add_pathway(
                id,
                NewPathway {
                    kind: pw.kind,
                    start: pw.start,
                    operator: Some(staff[pw.operator]),
                    notes: pw.notes.clone(),
                },
            )?;
            summary.writes += 1;
            summary.pathways += 1;
            let patch = match pw.end {
                PathwayEnd::Ongoing => None,
                PathwayEnd::Suspended => {
                    Some(PathwayPatch { status: Some(PathwayStatus::Suspended), ..PathwayPatch::default() })
                }
                PathwayEnd::Closed(end) => Some(PathwayPatch {
                    status: Some(PathwayStatus::Closed),
                    end: Some(Some(end)),
                    ..PathwayPatch::default()
                }),
            };
            if let Some(patch) = patch {
                store.update_pathway(id, pathway, patch)?;
                summary.writes += 1;
            }
        }
        families.push((id, member_ids(store, id, &h.members)?));
        first_family[h.lab].get_or_insert(id);
    }

    for m in &plan.meetings {
        let attendance: Vec<Attendance> = m
            .attendance
            .iter()
            .map(|&(h, k)| Attendance { household: families[h].0, member: families[h].1[k] })
            .collect();
        summary.attendances += attendance.len();
        last_meeting[m.lab] = Some(store.create_meeting(NewMeeting {
            lab: labs[m.lab],
            date: m.date,
            start: m.start,
            end: m.end,
            activity: m.activity.to_owned(),
            theme: m.theme.to_owned(),
            facilitators: m.facilitators.iter().map(|i| staff[*i]).collect(),
            attendance,
            guests: m.guests,
            notes: m.notes.to_owned(),
        })?);
        summary.meetings += 1;
        summary.writes += 1;
    }

    for t in &plan.trainings {
        store.create_training(NewTraining {
            date: t.date,
            // Every demo session starts at nine (the longest ends at five),
            // so arrival and departure can be recorded on it.
            start: chrono::NaiveTime::from_hms_opt(9, 0, 0),
            title: t.title.to_owned(),
            minutes: t.minutes,
            completion_percent: None,
            attendees: t.attendees.iter().map(|i| staff[*i]).collect(),
        })?;
        summary.trainings += 1;
        summary.writes += 1;
    }

    for (i, lab) in labs.iter().enumerate().filter(|_| conflicts == Conflicts::Leave) {
        if let (Some(family), Some(meeting)) = (first_family[i], last_meeting[i]) {
            summary.conflicts += clash::clash(store, seed, *lab, family, meeting)?;
            // Two edits, then the other laptop's changes applied.
            summary.writes += 3;
        }
    }
    Ok(())
}
