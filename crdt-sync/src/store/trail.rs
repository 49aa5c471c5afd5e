//! The audit trail (issue 6): who (device, and person when known) created,
//! changed, merged, exported or erased what, and when, for one family or one
//! lab, read from three sources:
//!
//! 1. **The documents' change history.** Every automerge change carries its
//!    author's actor id (the device id's 16 bytes, see `store/open.rs`), the
//!    time the device's clock gave (ms since the epoch) and, since issue 6, a
//!    tiny message naming the person using the app ([`Store::set_operator`]):
//!    `p:<person uuid>`, `;`-separated `key:value` pairs with unknown keys
//!    ignored (an older change has no message: the person is unknown). What
//!    a change did is read from its operations (root keys of a household
//!    document, attendance ticks of a lab document), never from values: the
//!    trail holds no names, phones or notes.
//! 2. **The lab documents' erasure requests** (who asked, when).
//! 3. **The local audit log** (`store/audit.rs`): exports made on this
//!    device, and erasures applied here (whose details name the confirming
//!    device and person, copied from the tombstone).
//!
//! An erased family's own history is gone with its document; its trail
//! keeps its code, its registration in the lab index, its attendance (ids
//! only), the request and the erasure. See
//! `docs/decisions/0011-retention-and-audit-trail.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::audit::SubjectAccessRecord;
use crate::doc::{self, DocRef};
use crate::domain::{Keyed, keyed_enum};
use crate::error::Result;
use crate::ids::{DeviceId, HouseholdId, LabId, PersonId};
use crate::selection::{Labs, Selection};
use crate::store::api::*;

keyed_enum!(
    /// What an entry of the audit trail records.
    TrailAction {
        /// A family was registered (its document's first change; for a
        /// family whose document is not here, its lab index entry).
        Created => "created",
        /// A family's record was changed (`fields` names the parts).
        Changed => "changed",
        /// A new legal basis record replaced the family's, or gave one to a
        /// family that had none (`Store::renew_consent`; `fields` names the
        /// parts, `consent` among them).
        ConsentRecorded => "consent_recorded",
        /// A duplicate was merged into a family (`detail`: the family's code).
        Merged => "merged",
        /// A merge was undone.
        MergeUndone => "merge_undone",
        /// A merge was confirmed.
        MergeConfirmed => "merge_confirmed",
        /// Members of a family were ticked or unticked at meetings
        /// (`fields`: the meetings' ids).
        Attendance => "attendance",
        /// Another change to the lab document (meetings, roster; `fields`
        /// names the parts).
        LabChanged => "lab_changed",
        /// A pseudonymised export covering the lab (this device's log).
        Exported => "exported",
        /// A full export, with names, covering the lab (this device's log).
        FullExport => "export_full",
        /// A lab lead asked for the family's erasure (`detail`: the reason).
        ErasureRequested => "erasure_requested",
        /// The family was erased (`detail`: the reason).
        Erased => "erased",
        /// A subject access extract of the family was taken (this device's
        /// log; `fields`: the files).
        SubjectAccess => "subject_access",
    }
);

/// Whose trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TrailScope {
    /// One family: its document's history, the merges into it, its
    /// attendance and registration in its lab document, its erasure request
    /// and erasure, and the exports that covered its lab.
    Household(HouseholdId),
    /// One lab: its document's history, its families' trails, and the
    /// exports that covered it.
    Lab(LabId),
}

/// One entry of the audit trail. Ids, codes and the names of the parts
/// touched only: no names, phones, addresses or notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct TrailEntry {
    /// When (the acting device's clock).
    pub at: DateTime<Utc>,
    /// The device that did it.
    pub device: DeviceId,
    /// The person using that device, when known.
    pub person: Option<PersonId>,
    /// What was done.
    pub action: TrailAction,
    /// The document the change was made to (`None` for exports and
    /// erasures, recorded outside the documents).
    pub doc: Option<DocRef>,
    /// The lab.
    pub lab: Option<LabId>,
    /// The family, when the entry is about one.
    pub household: Option<HouseholdId>,
    /// Its human code.
    pub code: Option<String>,
    /// The parts touched: root keys of a household document (`members`,
    /// `contacts`, `pathways`…), meeting ids for attendance, file names for
    /// an export.
    pub fields: Vec<String>,
    /// One more fact: the reason of an erasure, the family a duplicate was
    /// merged into, the format of an export.
    pub detail: Option<String>,
}

/// The message recorded in every change made while `operator` uses the app
/// (`None`: no message).
pub(super) fn change_message(operator: Option<PersonId>) -> Option<String> {
    operator.map(|p| format!("p:{p}"))
}

/// The person named by a change message.
pub(super) fn message_person(message: Option<&str>) -> Option<PersonId> {
    message?.split(';').find_map(|kv| kv.strip_prefix("p:"))?.parse().ok()
}

/// One operation of a change: the path of keys from the root to what it
/// touched, and the string it put (if it put one).
struct Op {
    path: Vec<String>,
    put: Option<String>,
    deleted: bool,
    /// It made a new object (a map, a text).
    made: bool,
}

/// One change of a document, read for the trail.
struct Change {
    at: DateTime<Utc>,
    device: DeviceId,
    person: Option<PersonId>,
    ops: Vec<Op>,
}

/// Every object of `doc` (maps to `depth` levels; text and lists without
/// their insides) with its path of keys from the root, by object id.
fn object_paths(doc: &Automerge, depth: usize) -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    let mut stack: Vec<(ObjId, Vec<String>)> = vec![(ROOT, Vec::new())];
    while let Some((obj, path)) = stack.pop() {
        for key in doc.keys(&obj) {
            let Ok(values) = doc.get_all(&obj, key.as_str()) else { continue };
            for (value, id) in values {
                let Value::Object(kind) = value else { continue };
                let mut p = path.clone();
                p.push(key.clone());
                out.insert(id.to_string(), p.clone());
                if kind == ObjType::Map && p.len() < depth {
                    stack.push((id, p));
                }
            }
        }
    }
    out
}

/// The changes of `doc` after its genesis, with their operations' paths.
/// An object made in the history and replaced since (an earlier `consent`
/// record) keeps its path, learnt from the operation that made it; other
/// operations inside objects no longer in the document are left out.
fn history(doc: &Automerge, depth: usize) -> Vec<Change> {
    let mut paths = object_paths(doc, depth);
    let mut out = Vec::new();
    for change in doc.get_changes(&[]) {
        // The genesis: computed identically everywhere, by no device.
        if change.deps().is_empty() && change.timestamp() == 0 {
            continue;
        }
        let Some(crate::ids::DeviceId(device)) = crate::authz::authors::device_of(change.actor_id()) else {
            continue;
        };
        let Some(at) = DateTime::from_timestamp_millis(change.timestamp()) else { continue };
        // `decode` panics on an operation it cannot expand; the store loaded
        // the change with verification, so this is a guard, not a path: a
        // change that cannot be read is left out rather than crash the app.
        let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) else {
            continue;
        };
        let (start, actor) = (expanded.start_op.get(), expanded.actor_id);
        let ops = expanded
            .operations
            .into_iter()
            .zip(start..)
            .filter_map(|(op, counter)| {
                let mut path = match &op.obj {
                    ObjectId::Root => Vec::new(),
                    ObjectId::Id(id) => paths.get(&id.to_string())?.clone(),
                };
                if let Key::Map(k) = &op.key {
                    path.push(k.to_string());
                }
                let made = matches!(op.action, OpType::Make(_));
                if made && path.len() <= depth {
                    // Changes come in causal order: whatever is later put
                    // inside this object finds its path here.
                    paths.entry(format!("{counter}@{actor}")).or_insert_with(|| path.clone());
                }
                let put = match &op.action {
                    OpType::Put(ScalarValue::Str(s)) => Some(s.to_string()),
                    _ => None,
                };
                let deleted = matches!(op.action, OpType::Delete | OpType::Put(ScalarValue::Null));
                Some(Op { path, put, deleted, made })
            })
            .collect();
        out.push(Change { at, device: DeviceId(device), person: message_person(change.message()), ops });
    }
    out
}

/// What one change of a household document did.
fn household_action(c: &Change) -> (TrailAction, Vec<String>, Option<String>) {
    let root = |k: &str| c.ops.iter().find(|op| op.path.len() == 1 && op.path[0] == k);
    let fields: BTreeSet<String> = c.ops.iter().filter_map(|op| op.path.first().cloned()).collect();
    let fields: Vec<String> = fields.into_iter().collect();
    if root("created_at").is_some() {
        return (TrailAction::Created, fields, None);
    }
    if let Some(op) = root("merged_into") {
        return match &op.put {
            Some(winner) if !op.deleted => (TrailAction::Merged, fields, Some(winner.clone())),
            _ => (TrailAction::MergeUndone, fields, None),
        };
    }
    if root("merge_confirmed").is_some() {
        return (TrailAction::MergeConfirmed, fields, None);
    }
    // A new record is a new `consent` map (`doc::household::put_consent`);
    // a record edited field by field (an app before renewals) stays `Changed`.
    if root("consent").is_some_and(|op| op.made) {
        return (TrailAction::ConsentRecorded, fields, None);
    }
    (TrailAction::Changed, fields, None)
}

/// What one change of a lab document did: attendance ticks (meeting,
/// member, the family when the op names it), families registered in the
/// index, and the other root keys it touched. Erasures and requests are
/// left out (the trail reads them from the tombstones and requests).
#[derive(Default)]
struct LabChange {
    attendance: Vec<(String, String, Option<HouseholdId>)>,
    registered: BTreeSet<HouseholdId>,
    other: BTreeSet<String>,
}

fn lab_change(c: &Change) -> LabChange {
    let mut out = LabChange::default();
    for op in &c.ops {
        let p = &op.path;
        match p.first().map(String::as_str) {
            Some("meetings") if p.len() >= 4 && p[2] == "attendance" => {
                let named = if p.len() == 5 && p[4] == "household" {
                    op.put.as_deref().and_then(|h| h.parse().ok())
                } else {
                    None
                };
                out.attendance.push((p[1].clone(), p[3].clone(), named));
            }
            Some("households") if p.len() >= 2 => {
                if let Ok(h) = p[1].parse() {
                    out.registered.insert(h);
                }
            }
            Some("erased" | "erasure_requests") | None => {}
            Some(k) => {
                out.other.insert(k.to_owned());
            }
        }
    }
    out
}

/// What the audit log's rows say, for the trail.
#[derive(Deserialize)]
struct ExportDetails {
    options: ExportOptions,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    by_person: Option<PersonId>,
}

#[derive(Deserialize)]
struct ExportOptions {
    selection: Selection,
    #[serde(default)]
    format: serde_json::Value,
}

#[derive(Deserialize)]
struct ErasureDetails {
    household: HouseholdId,
    code: String,
    lab: LabId,
    reason: String,
    by_device: DeviceId,
    by_person: Option<PersonId>,
    erased_at: i64,
}

/// Depth of the paths read in a lab document:
/// `meetings.<id>.attendance.<member>` (then `household`).
const LAB_DEPTH: usize = 4;
/// Household documents: `pathways.<id>.notes` is as deep as it goes.
const HOUSEHOLD_DEPTH: usize = 3;

impl Store {
    /// Records `person` as the one using the app from now on, in the
    /// message of every change this store makes (`None`: nobody known, e.g.
    /// when the app locks). The app calls it after unlocking; the hub never
    /// does.
    pub fn set_operator(&mut self, person: Option<PersonId>) {
        self.operator = person;
    }

    /// The person set with [`Store::set_operator`].
    pub fn operator(&self) -> Option<PersonId> {
        self.operator
    }

    fn trail_from_audit_log(
        &self,
        labs: &[LabId],
        families: &BTreeSet<HouseholdId>,
    ) -> Result<Vec<TrailEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, device_id, action, details FROM audit_log
              WHERE action IN ('export', 'export_full', 'erasure', 'subject_access') ORDER BY at, id",
        )?;
        let rows: Vec<(i64, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (at, device, action, details) in rows {
            // A row this build cannot read (a newer app's) is left out.
            let (Some(at), Ok(device)) = (DateTime::from_timestamp_millis(at), device.parse::<DeviceId>())
            else {
                continue;
            };
            if action == "erasure" {
                let Ok(e) = serde_json::from_str::<ErasureDetails>(&details) else { continue };
                if !families.contains(&e.household) {
                    continue;
                }
                out.push(TrailEntry {
                    at: DateTime::from_timestamp_millis(e.erased_at).unwrap_or(at),
                    device: e.by_device,
                    person: e.by_person,
                    action: TrailAction::Erased,
                    doc: Some(DocRef::lab(e.lab)),
                    lab: Some(e.lab),
                    household: Some(e.household),
                    code: Some(e.code),
                    fields: Vec::new(),
                    detail: Some(e.reason),
                });
                continue;
            }
            if action == "subject_access" {
                let Ok(x) = serde_json::from_str::<SubjectAccessRecord>(&details) else { continue };
                if !families.contains(&x.household) {
                    continue;
                }
                out.push(TrailEntry {
                    at,
                    device,
                    person: x.by_person,
                    action: TrailAction::SubjectAccess,
                    doc: None,
                    lab: x.lab,
                    household: Some(x.household),
                    code: Some(x.code),
                    fields: x.files,
                    detail: None,
                });
                continue;
            }
            let Ok(x) = serde_json::from_str::<ExportDetails>(&details) else { continue };
            let covered: Vec<LabId> = match &x.options.selection.labs {
                Labs::All => labs.to_vec(),
                Labs::Only(only) => labs.iter().copied().filter(|l| only.contains(l)).collect(),
            };
            let Some(lab) = covered.first().copied() else { continue };
            out.push(TrailEntry {
                at,
                device,
                person: x.by_person,
                action: if action == "export_full" { TrailAction::FullExport } else { TrailAction::Exported },
                doc: None,
                lab: Some(lab),
                household: None,
                code: None,
                fields: x.files,
                detail: match x.options.format {
                    serde_json::Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                },
            });
        }
        Ok(out)
    }

    /// Every family in a lab index, with its lab and code (erased ones too).
    fn index_codes(&self) -> Result<HashMap<HouseholdId, (LabId, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT household_id, lab_id, code FROM lab_households
             UNION ALL SELECT id, lab_id, code FROM erased_households",
        )?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = HashMap::new();
        for (h, l, code) in rows {
            if let (Ok(h), Ok(l)) = (h.parse(), l.parse()) {
                out.entry(h).or_insert((l, code));
            }
        }
        Ok(out)
    }

    /// The family of every member this store knows of (erased ones by their
    /// trace, and members named by attendance rows).
    fn member_households(&self) -> Result<HashMap<String, HouseholdId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, household_id FROM members
             UNION SELECT member_id, household_id FROM erased_members
             UNION SELECT member_id, household_id FROM attendance",
        )?;
        let rows: Vec<(String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter_map(|(m, h)| Some((m, h.parse().ok()?))).collect())
    }

    /// The duplicates merged into `h` (now, or resolved to it).
    fn merged_into(&self, h: HouseholdId) -> Result<Vec<HouseholdId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM households WHERE (merged_into = ?1 OR canonical_id = ?1) AND id <> ?1",
        )?;
        let rows: Vec<String> =
            stmt.query_map([h.to_string()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter_map(|s| s.parse().ok()).collect())
    }

    /// The labs whose index lists `h`.
    fn labs_listing(&self, h: HouseholdId) -> Result<Vec<LabId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lab_id FROM lab_households WHERE household_id = ?1
             UNION SELECT lab_id FROM erased_households WHERE id = ?1",
        )?;
        let rows: Vec<String> =
            stmt.query_map([h.to_string()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter_map(|s| s.parse().ok()).collect())
    }
}

impl AuditTrail for Store {
    fn audit_trail(&mut self, scope: TrailScope) -> Result<Vec<TrailEntry>> {
        let codes = self.index_codes()?;
        let members = self.member_households()?;
        let mut out = Vec::new();
        let (labs, families): (Vec<LabId>, BTreeSet<HouseholdId>) = match scope {
            TrailScope::Household(h) => {
                let mut family: BTreeSet<HouseholdId> = self.merged_into(h)?.into_iter().collect();
                family.insert(h);
                (self.labs_listing(h)?, family)
            }
            TrailScope::Lab(l) => {
                let listed = codes.iter().filter(|(_, (lab, _))| *lab == l).map(|(h, _)| *h).collect();
                (vec![l], listed)
            }
        };
        let whole_lab = matches!(scope, TrailScope::Lab(_));
        let code_of = |h: HouseholdId| codes.get(&h).map(|(_, c)| c.clone());
        let lab_of = |h: HouseholdId| codes.get(&h).map(|(l, _)| *l);

        // The families' own documents; for one family, also the merges
        // into it recorded in other documents of its labs (a merge since
        // undone no longer shows in the projection).
        let mut docs = families.clone();
        if let TrailScope::Household(_) = scope {
            docs.extend(codes.iter().filter(|(_, (l, _))| labs.contains(l)).map(|(h, _)| *h));
        }
        let mut held = BTreeSet::new();
        for &h in &docs {
            let r = DocRef::household(h);
            if self.erased_doc(r)?.is_some() || !self.has_doc(r)? {
                continue;
            }
            if families.contains(&h) {
                held.insert(h);
            }
            let own = scope == TrailScope::Household(h) || whole_lab;
            // Which family this document was merged into, change after change.
            let mut into: Option<HouseholdId> = None;
            for c in history(self.doc(r)?, HOUSEHOLD_DEPTH) {
                let (action, fields, detail) = household_action(&c);
                let target = into;
                match action {
                    TrailAction::Merged => into = detail.as_deref().and_then(|w| w.parse().ok()),
                    TrailAction::MergeUndone => into = None,
                    _ => {}
                }
                let merge = match action {
                    TrailAction::Merged => into,
                    TrailAction::MergeUndone | TrailAction::MergeConfirmed => target,
                    _ => None,
                };
                let about_scope = match scope {
                    TrailScope::Household(f) => merge == Some(f),
                    TrailScope::Lab(_) => false,
                };
                if !own && !about_scope {
                    continue;
                }
                let detail = match (action, merge) {
                    (TrailAction::Merged, Some(w)) => Some(code_of(w).unwrap_or_else(|| w.to_string())),
                    _ => detail,
                };
                out.push(TrailEntry {
                    at: c.at,
                    device: c.device,
                    person: c.person,
                    action,
                    doc: Some(r),
                    lab: lab_of(h),
                    household: Some(h),
                    code: code_of(h),
                    fields,
                    detail,
                });
            }
        }

        // The lab documents: attendance, registrations, requests, the rest.
        for &l in &labs {
            let r = DocRef::lab(l);
            if !self.has_doc(r)? {
                continue;
            }
            let d = self.doc(r)?;
            let requests = doc::lab::erasure_requests(d, l);
            for c in history(d, LAB_DEPTH) {
                let change = lab_change(&c);
                let mut ticks: BTreeMap<HouseholdId, BTreeSet<String>> = BTreeMap::new();
                for (meeting, member, named) in change.attendance {
                    if let Some(h) = named.or_else(|| members.get(&member).copied())
                        && families.contains(&h)
                    {
                        ticks.entry(h).or_default().insert(meeting);
                    }
                }
                let entry = |action, household: Option<HouseholdId>, fields: Vec<String>| TrailEntry {
                    at: c.at,
                    device: c.device,
                    person: c.person,
                    action,
                    doc: Some(r),
                    lab: Some(l),
                    household,
                    code: household.and_then(code_of),
                    fields,
                    detail: None,
                };
                for (h, meetings) in ticks {
                    out.push(entry(TrailAction::Attendance, Some(h), meetings.into_iter().collect()));
                }
                for h in change.registered {
                    if families.contains(&h) && !held.contains(&h) {
                        out.push(entry(TrailAction::Created, Some(h), vec!["households".into()]));
                    }
                }
                if whole_lab && !change.other.is_empty() {
                    out.push(entry(TrailAction::LabChanged, None, change.other.into_iter().collect()));
                }
            }
            for q in requests.into_iter().filter(|q| families.contains(&q.household)) {
                out.push(TrailEntry {
                    at: q.at,
                    device: q.by_device,
                    person: q.by_person,
                    action: TrailAction::ErasureRequested,
                    doc: Some(r),
                    lab: Some(l),
                    household: Some(q.household),
                    code: Some(q.code),
                    fields: Vec::new(),
                    detail: Some(q.reason.key().to_owned()),
                });
            }
        }

        // The audit log: exports covering the labs, erasures of the families.
        // A family's trail leaves out exports made before it was registered.
        let audit = self.trail_from_audit_log(&labs, &families)?;
        let since = match scope {
            TrailScope::Household(h) => out
                .iter()
                .filter(|e| e.action == TrailAction::Created && e.household == Some(h))
                .map(|e| e.at)
                .min(),
            TrailScope::Lab(_) => None,
        };
        out.extend(audit.into_iter().filter(|e| {
            !matches!(e.action, TrailAction::Exported | TrailAction::FullExport)
                || since.is_none_or(|t| e.at >= t)
        }));
        out.sort_by(|a, b| {
            (a.at, a.device, a.action, a.household).cmp(&(b.at, b.device, b.action, b.household))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_change_message_names_the_person_and_nothing_else() {
        let p = PersonId(uuid::Uuid::from_u128(7));
        let m = change_message(Some(p));
        assert_eq!(m.as_deref(), Some("p:00000000-0000-0000-0000-000000000007"));
        assert_eq!(message_person(m.as_deref()), Some(p));
        assert_eq!(message_person(Some("x:1;p:00000000-0000-0000-0000-000000000007;y:2")), Some(p));
        assert_eq!(message_person(Some("garbage")), None);
        assert_eq!(message_person(None), None);
        assert_eq!(change_message(None), None);
    }
}
