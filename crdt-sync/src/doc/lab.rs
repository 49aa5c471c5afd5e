//! A lab document: `meetings.<meeting_id>` (with `attendance.<member_id>` and
//! a `facilitators` set), `households.<household_id>` (the index of families
//! registered here: only the code, never personal data), the `roster` set,
//! and for erasure (issue 6) `erased.<household_id>` (the tombstones) and
//! `erasure_requests.<household_id>`. Those two root maps are not in the
//! genesis (that would change every lab document's identity), so two devices
//! can create rival maps concurrently: readers take the union of every
//! value of the root key, so no tombstone is ever hidden by a conflict.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValueRef, Value, ValueRef};
use chrono::DateTime;

use super::{
    ensure_map, get_i64, get_parsed, get_str_or_empty, get_string, get_u64, map_at, put_opt_str, put_set,
    put_str, put_text, put_u64, root_maps, set_keys,
};
use crate::domain::{
    Attendance, ErasureReason, ErasureRequest, Keyed, Meeting, MeetingPatch, NewMeeting, Tombstone,
};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, HouseholdId, LabId, MeetingId, MemberId, PersonId};

const TIME: &str = "%H:%M";

/// Ids of every meeting in the document.
#[cfg(test)]
pub(crate) fn meeting_ids<R: ReadDoc>(doc: &R) -> Vec<MeetingId> {
    match map_at(doc, &ROOT, "meetings") {
        Some(m) => doc.keys(&m).filter_map(|k| k.parse().ok()).collect(),
        None => Vec::new(),
    }
}

/// Every meeting in the document, each read in one pass over its map: the
/// projection of a whole lab document (thousands of meetings, a first
/// sync's largest part). The same meetings as [`read_meeting`] reads one
/// by one (a test checks).
pub(crate) fn meetings<R: ReadDoc>(doc: &R, lab: LabId) -> Vec<Meeting> {
    let Some(meetings) = map_at(doc, &ROOT, "meetings") else { return Vec::new() };
    doc.map_range(&meetings, ..)
        .filter_map(|item| {
            let id: MeetingId = item.key.parse().ok()?;
            if !matches!(item.value, ValueRef::Object(ObjType::Map)) {
                return None;
            }
            meeting_at(doc, lab, id, &item.id())
        })
        .collect()
}

/// The meeting whose map is `m`, from one pass over its keys.
fn meeting_at<R: ReadDoc>(doc: &R, lab: LabId, id: MeetingId, m: &ObjId) -> Option<Meeting> {
    let (mut date, mut start, mut end) = (None, None, None);
    let (mut activity, mut theme, mut notes) = (String::new(), String::new(), String::new());
    let (mut facilitators, mut attendance, mut guests) = (BTreeSet::new(), Vec::new(), 0u32);
    let time = |s: &str| chrono::NaiveTime::parse_from_str(s, TIME).ok();
    for item in doc.map_range(m, ..) {
        // A string as `get_string` reads it: plain, or a text object's.
        let string = match &item.value {
            ValueRef::Scalar(ScalarValueRef::Str(s)) => Some(s.to_string()),
            ValueRef::Object(ObjType::Text) => doc.text(item.id()).ok(),
            _ => None,
        };
        match (item.key.as_ref(), &item.value, string) {
            (key, _, Some(s)) => match key {
                "date" => date = s.parse().ok(),
                "start" => start = time(&s),
                "end" => end = time(&s),
                "activity" => activity = s,
                "theme" => theme = s,
                "notes" => notes = s,
                _ => {}
            },
            ("guests", ValueRef::Scalar(ScalarValueRef::Uint(g)), _) => {
                guests = u32::try_from(*g).unwrap_or(0)
            }
            ("guests", ValueRef::Scalar(ScalarValueRef::Int(g) | ScalarValueRef::Counter(g)), _) => {
                guests = u32::try_from(*g).unwrap_or(0);
            }
            ("facilitators", ValueRef::Object(ObjType::Map), _) => {
                facilitators = doc.keys(item.id()).filter_map(|k| k.parse().ok()).collect();
            }
            ("attendance", ValueRef::Object(ObjType::Map), _) => {
                attendance = doc
                    .map_range(item.id(), ..)
                    .filter_map(|a| {
                        let member: MemberId = a.key.parse().ok()?;
                        if !matches!(a.value, ValueRef::Object(ObjType::Map)) {
                            return None;
                        }
                        Some(Attendance {
                            household: super::fields::Fields::read(doc, &a.id()).parsed("household")?,
                            member,
                        })
                    })
                    .collect();
            }
            _ => {}
        }
    }
    attendance.sort_by_key(|a| a.member);
    Some(Meeting {
        id,
        lab,
        date: date?,
        start: start?,
        end: end?,
        activity,
        theme,
        facilitators,
        attendance,
        guests,
        notes,
    })
}

/// Reads one meeting; `None` if absent or unreadable.
pub(crate) fn read_meeting<R: ReadDoc>(doc: &R, lab: LabId, id: MeetingId) -> Option<Meeting> {
    let meetings = map_at(doc, &ROOT, "meetings")?;
    let m = map_at(doc, &meetings, &id.to_string())?;
    let time = |k: &str| chrono::NaiveTime::parse_from_str(&get_string(doc, &m, k)?, TIME).ok();
    let mut attendance: Vec<Attendance> = match map_at(doc, &m, "attendance") {
        Some(att) => doc
            .keys(&att)
            .filter_map(|k| {
                let member: MemberId = k.parse().ok()?;
                let entry = map_at(doc, &att, &k)?;
                Some(Attendance { household: get_parsed(doc, &entry, "household")?, member })
            })
            .collect(),
        None => Vec::new(),
    };
    attendance.sort_by_key(|a| a.member);
    Some(Meeting {
        id,
        lab,
        date: get_parsed(doc, &m, "date")?,
        start: time("start")?,
        end: time("end")?,
        activity: get_str_or_empty(doc, &m, "activity"),
        theme: get_str_or_empty(doc, &m, "theme"),
        facilitators: set_keys(doc, &m, "facilitators").iter().filter_map(|k| k.parse().ok()).collect(),
        attendance,
        guests: get_u64(doc, &m, "guests").and_then(|g| u32::try_from(g).ok()).unwrap_or(0),
        notes: get_str_or_empty(doc, &m, "notes"),
    })
}

fn meeting_obj<T: Transactable>(tx: &mut T, id: MeetingId) -> Result<ObjId> {
    let meetings = ensure_map(tx, &ROOT, "meetings")?;
    map_at(tx, &meetings, &id.to_string()).ok_or_else(|| Error::not_found("meeting", id))
}

/// Writes a new meeting with its attendance.
pub(crate) fn write_new_meeting<T: Transactable>(tx: &mut T, id: MeetingId, m: &NewMeeting) -> Result<()> {
    let meetings = ensure_map(tx, &ROOT, "meetings")?;
    let obj = ensure_map(tx, &meetings, &id.to_string())?;
    put_str(tx, &obj, "date", &m.date.to_string())?;
    put_str(tx, &obj, "start", &m.start.format(TIME).to_string())?;
    put_str(tx, &obj, "end", &m.end.format(TIME).to_string())?;
    put_str(tx, &obj, "activity", &m.activity)?;
    put_str(tx, &obj, "theme", &m.theme)?;
    put_set(tx, &obj, "facilitators", &m.facilitators.iter().map(ToString::to_string).collect())?;
    put_u64(tx, &obj, "guests", u64::from(m.guests))?;
    put_text(tx, &obj, "notes", &m.notes)?;
    ensure_map(tx, &obj, "attendance")?;
    for a in &m.attendance {
        add_attendance(tx, id, *a)?;
    }
    Ok(())
}

/// Applies a patch to a meeting's own fields.
pub(crate) fn patch_meeting<T: Transactable>(tx: &mut T, id: MeetingId, p: &MeetingPatch) -> Result<()> {
    let obj = meeting_obj(tx, id)?;
    if let Some(d) = p.date {
        put_str(tx, &obj, "date", &d.to_string())?;
    }
    if let Some(t) = p.start {
        put_str(tx, &obj, "start", &t.format(TIME).to_string())?;
    }
    if let Some(t) = p.end {
        put_str(tx, &obj, "end", &t.format(TIME).to_string())?;
    }
    if let Some(a) = &p.activity {
        put_str(tx, &obj, "activity", a)?;
    }
    if let Some(t) = &p.theme {
        put_str(tx, &obj, "theme", t)?;
    }
    if let Some(f) = &p.facilitators {
        put_set(tx, &obj, "facilitators", &f.iter().map(ToString::to_string).collect())?;
    }
    if let Some(g) = p.guests {
        put_u64(tx, &obj, "guests", u64::from(g))?;
    }
    if let Some(n) = &p.notes {
        put_text(tx, &obj, "notes", n)?;
    }
    Ok(())
}

/// Ticks a member as present.
pub(crate) fn add_attendance<T: Transactable>(tx: &mut T, id: MeetingId, a: Attendance) -> Result<()> {
    let obj = meeting_obj(tx, id)?;
    let att = ensure_map(tx, &obj, "attendance")?;
    let entry = ensure_map(tx, &att, &a.member.to_string())?;
    put_str(tx, &entry, "household", &a.household.to_string())?;
    Ok(())
}

/// Unticks a member. Returns whether they were ticked.
pub(crate) fn remove_attendance<T: Transactable>(
    tx: &mut T,
    id: MeetingId,
    member: MemberId,
) -> Result<bool> {
    let obj = meeting_obj(tx, id)?;
    let att = ensure_map(tx, &obj, "attendance")?;
    let key = member.to_string();
    if tx.get(&att, key.as_str())?.is_none() {
        return Ok(false);
    }
    tx.delete(&att, key.as_str())?;
    Ok(true)
}

/// The families registered in this lab, with their codes.
pub(crate) fn households<R: ReadDoc>(doc: &R) -> Vec<(HouseholdId, String)> {
    let Some(hh) = map_at(doc, &ROOT, "households") else {
        return Vec::new();
    };
    doc.keys(&hh)
        .filter_map(|k| {
            let id = k.parse().ok()?;
            let m = map_at(doc, &hh, &k)?;
            Some((id, get_str_or_empty(doc, &m, "code")))
        })
        .collect()
}

/// The code under which a family is listed in the lab's index, if it is.
pub(crate) fn household_code<R: ReadDoc>(doc: &R, id: HouseholdId) -> Option<String> {
    let hh = map_at(doc, &ROOT, "households")?;
    let m = map_at(doc, &hh, &id.to_string())?;
    Some(get_str_or_empty(doc, &m, "code"))
}

/// Lists a family in the lab's index.
pub(crate) fn register_household<T: Transactable>(tx: &mut T, id: HouseholdId, code: &str) -> Result<()> {
    let hh = ensure_map(tx, &ROOT, "households")?;
    let m = ensure_map(tx, &hh, &id.to_string())?;
    put_str(tx, &m, "code", code)
}

/// The staff on the lab's roster.
pub(crate) fn roster<R: ReadDoc>(doc: &R) -> Vec<PersonId> {
    set_keys(doc, &ROOT, "roster").iter().filter_map(|k| k.parse().ok()).collect()
}

/// Adds a person to the roster.
pub(crate) fn add_to_roster<T: Transactable>(tx: &mut T, person: PersonId) -> Result<()> {
    let roster = ensure_map(tx, &ROOT, "roster")?;
    tx.put(&roster, person.to_string().as_str(), true)?;
    Ok(())
}

/// What a set of patches touched in a lab document, so the projection
/// re-projects only that.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Touched {
    /// Meetings added, changed or removed.
    pub meetings: std::collections::BTreeSet<MeetingId>,
    /// Entries of the households index added, changed or removed.
    pub households: std::collections::BTreeSet<HouseholdId>,
    /// The roster changed.
    pub roster: bool,
    /// Tombstones (`erased`) were added or changed: erasures to apply.
    /// Neither they nor `erasure_requests` have projection rows.
    pub erased: bool,
    /// Something else changed (or a path was not understood): re-project all.
    pub all: bool,
}

/// Classifies patches (from `Automerge::diff`) by the part of the lab document they touch.
pub(crate) fn touched(patches: &[automerge::Patch]) -> Touched {
    use automerge::{PatchAction, Prop};
    let mut out = Touched::default();
    for p in patches {
        let mut props: Vec<String> = p
            .path
            .iter()
            .map(|(_, prop)| match prop {
                Prop::Map(k) => k.clone(),
                Prop::Seq(i) => i.to_string(),
            })
            .collect();
        match &p.action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => props.push(key.clone()),
            PatchAction::Conflict { prop: Prop::Map(k) } => props.push(k.clone()),
            _ => {}
        }
        match props.first().map(String::as_str) {
            Some("meetings") => match props.get(1).and_then(|id| id.parse().ok()) {
                Some(id) => {
                    out.meetings.insert(id);
                }
                None => out.all = true,
            },
            Some("households") => match props.get(1).and_then(|id| id.parse().ok()) {
                Some(id) => {
                    out.households.insert(id);
                }
                None => out.all = true,
            },
            Some("roster") => out.roster = true,
            Some(ERASED) => out.erased = true,
            Some(REQUESTS) => {}
            _ => out.all = true,
        }
    }
    out
}

/// Root key of the tombstones.
pub(crate) const ERASED: &str = "erased";
/// Root key of the erasure requests.
pub(crate) const REQUESTS: &str = "erasure_requests";

/// Whether rival `erased` maps exist (two devices created the map
/// concurrently). Patches then need not show a tombstone written into the
/// losing one, so a commit reads every tombstone instead of trusting them.
pub(crate) fn erased_in_conflict<R: ReadDoc>(doc: &R) -> bool {
    root_maps(doc, ERASED).len() > 1
}

/// The entries `<household_id> -> map` of every map at `ROOT[key]` (the
/// first one found wins for a household present in two rival maps).
fn entries<R: ReadDoc>(doc: &R, key: &str) -> Vec<(HouseholdId, ObjId)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for map in root_maps(doc, key) {
        for k in doc.keys(&map) {
            let Ok(id) = k.parse::<HouseholdId>() else { continue };
            if let Some(obj) = map_at(doc, &map, &k)
                && seen.insert(id)
            {
                out.push((id, obj));
            }
        }
    }
    out
}

/// Every tombstone in the document. Unreadable fields fall back to safe
/// values (an erasure is applied even if, say, its reason is one a newer app
/// wrote), because a tombstone that is not applied would keep personal data.
pub(crate) fn tombstones<R: ReadDoc>(doc: &R, lab: LabId) -> BTreeMap<HouseholdId, Tombstone> {
    entries(doc, ERASED)
        .into_iter()
        .map(|(household, m)| {
            let code = household_code(doc, household).unwrap_or_else(|| get_str_or_empty(doc, &m, "code"));
            let t = Tombstone {
                household,
                lab,
                code,
                at: DateTime::from_timestamp_millis(get_i64(doc, &m, "at").unwrap_or(0)).unwrap_or_default(),
                by_device: get_parsed(doc, &m, "by_device").unwrap_or(DeviceId(uuid::Uuid::nil())),
                by_person: get_parsed(doc, &m, "by_person"),
                reason: get_string(doc, &m, "reason")
                    .and_then(|r| ErasureReason::from_key(&r))
                    .unwrap_or(ErasureReason::Other),
                requested_by: get_parsed(doc, &m, "requested_by"),
                confirmed_by: get_parsed(doc, &m, "confirmed_by"),
            };
            (household, t)
        })
        .collect()
}

/// Every erasure request in the document.
pub(crate) fn erasure_requests<R: ReadDoc>(doc: &R, lab: LabId) -> Vec<ErasureRequest> {
    entries(doc, REQUESTS)
        .into_iter()
        .map(|(household, m)| ErasureRequest {
            household,
            lab,
            code: household_code(doc, household).unwrap_or_else(|| get_str_or_empty(doc, &m, "code")),
            at: DateTime::from_timestamp_millis(get_i64(doc, &m, "at").unwrap_or(0)).unwrap_or_default(),
            by_device: get_parsed(doc, &m, "by_device").unwrap_or(DeviceId(uuid::Uuid::nil())),
            by_person: get_parsed(doc, &m, "by_person"),
            reason: get_string(doc, &m, "reason")
                .and_then(|r| ErasureReason::from_key(&r))
                .unwrap_or(ErasureReason::Other),
        })
        .collect()
}

/// Writes a tombstone.
pub(crate) fn write_tombstone<T: Transactable>(tx: &mut T, t: &Tombstone) -> Result<()> {
    let erased = ensure_map(tx, &ROOT, ERASED)?;
    let m = ensure_map(tx, &erased, &t.household.to_string())?;
    put_str(tx, &m, "code", &t.code)?;
    tx.put(&m, "at", t.at.timestamp_millis())?;
    put_str(tx, &m, "by_device", &t.by_device.to_string())?;
    put_opt_str(tx, &m, "by_person", t.by_person.map(|p| p.to_string()).as_deref())?;
    put_str(tx, &m, "reason", t.reason.key())?;
    put_opt_str(tx, &m, "requested_by", t.requested_by.map(|p| p.to_string()).as_deref())?;
    put_opt_str(tx, &m, "confirmed_by", t.confirmed_by.map(|p| p.to_string()).as_deref())?;
    Ok(())
}

/// Writes an erasure request.
pub(crate) fn write_request<T: Transactable>(tx: &mut T, r: &ErasureRequest) -> Result<()> {
    let requests = ensure_map(tx, &ROOT, REQUESTS)?;
    let m = ensure_map(tx, &requests, &r.household.to_string())?;
    put_str(tx, &m, "code", &r.code)?;
    tx.put(&m, "at", r.at.timestamp_millis())?;
    put_str(tx, &m, "by_device", &r.by_device.to_string())?;
    put_opt_str(tx, &m, "by_person", r.by_person.map(|p| p.to_string()).as_deref())?;
    put_str(tx, &m, "reason", r.reason.key())?;
    Ok(())
}

/// Everything under `ROOT[key]`, every value of every conflict included, as
/// sorted `path=value` lines: equal before and after a change exactly when
/// the change did not touch that part of the document (a write that loses a
/// conflict still adds a value, a deletion removes one).
pub(crate) fn subtree<R: ReadDoc>(doc: &R, key: &str) -> BTreeSet<String> {
    fn walk<R: ReadDoc>(doc: &R, obj: &ObjId, path: &str, out: &mut BTreeSet<String>, depth: u8) {
        if depth > 8 {
            out.insert(format!("{path}=<too deep>"));
            return;
        }
        for k in doc.keys(obj) {
            for (v, id) in doc.get_all(obj, k.as_str()).unwrap_or_default() {
                let here = format!("{path}.{k}");
                match v {
                    Value::Object(_) => {
                        out.insert(format!("{here}=<{id}>"));
                        walk(doc, &id, &format!("{here}<{id}>"), out, depth + 1);
                    }
                    Value::Scalar(s) => {
                        out.insert(format!("{here}={s}"));
                    }
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for (v, id) in doc.get_all(ROOT, key).unwrap_or_default() {
        match v {
            Value::Object(_) => {
                out.insert(format!("{key}=<{id}>"));
                walk(doc, &id, &format!("{key}<{id}>"), &mut out, 0);
            }
            Value::Scalar(s) => {
                out.insert(format!("{key}={s}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::doc::DocRef;
    use crate::domain::MeetingPatch;
    use crate::store::{Meetings, Replication, Staff};
    use crate::testing::d;
    use crate::testing::one_family::{attend, family, lab, store};

    /// The projection's one pass per meeting reads what `read_meeting`
    /// reads field by field: notes as text, facilitators, attendance,
    /// guests, times, a field two laptops changed at once.
    #[test]
    fn meetings_in_one_pass_are_the_meetings_read_one_by_one() {
        let mut s = store(1);
        let l = lab(&mut s, 2);
        let h = family(&mut s, l);
        for day in 1..=5 {
            attend(&mut s, l, h, d(2026, 3, day));
        }
        let m = s.meetings(l, d(2026, 3, 1), d(2026, 3, 31)).expect("meetings")[2].id;
        let facilitators: BTreeSet<PersonId> = ["Carla", "Ugo"]
            .into_iter()
            .map(|first| {
                s.create_person(crate::domain::NewPerson {
                    lab: l,
                    first_name: first.into(),
                    last_name: "Colombo".into(),
                    role: crate::domain::Role::Volunteer,
                    organisation: "Auser".into(),
                    phone: String::new(),
                    email: String::new(),
                })
                .expect("person")
            })
            .collect();
        let patch = MeetingPatch {
            notes: Some("Merenda portata da Carla; due bambini nuovi".into()),
            facilitators: Some(facilitators),
            guests: Some(7),
            ..MeetingPatch::default()
        };
        s.update_meeting(m, patch).expect("edit");
        // The same theme changed on another laptop at once.
        let mut other = store(2);
        let r = DocRef::lab(l);
        for doc in s.doc_refs().expect("docs") {
            other.apply_bytes(doc, &s.export_doc(doc).expect("export")).expect("copy");
        }
        other
            .update_meeting(m, MeetingPatch { theme: Some("Giochi".into()), ..MeetingPatch::default() })
            .expect("b");
        s.update_meeting(
            m,
            MeetingPatch { theme: Some("Compiti e giochi".into()), ..MeetingPatch::default() },
        )
        .expect("a");
        s.apply_bytes(r, &other.export_doc(r).expect("export")).expect("merge");

        let doc = automerge::Automerge::load(&s.export_doc(r).expect("export")).expect("load");
        let one_by_one: Vec<Meeting> =
            meeting_ids(&doc).into_iter().filter_map(|id| read_meeting(&doc, l, id)).collect();
        assert_eq!(one_by_one.len(), 5);
        assert!(
            one_by_one
                .iter()
                .any(|m| m.notes.contains("Carla") && m.guests == 7 && !m.facilitators.is_empty())
        );
        let theme = format!("meetings.{m}.theme");
        assert!(crate::doc::conflicts::paths(&doc).contains(&theme), "the theme is in conflict");
        assert_eq!(meetings(&doc, l), one_by_one);
    }
}
