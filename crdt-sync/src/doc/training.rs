//! The training document: `sessions.<training_id>{date,start,title,minutes,
//! completion,attendees.<person_id>}`.
//!
//! An attendee is a map `{arrival,departure,minutes}` (times `HH:MM`), each
//! field optional, so two replicas recording one the arrival and the other
//! the departure of the same person merge both. Before issue 15 an
//! attendee was the value `true` (the set of decision 0002); such an
//! attendee reads as one with nothing recorded, that is present for the
//! whole session, and becomes a map when a time is first recorded. When two
//! replicas do that at once for the same person the key holds two maps;
//! reading merges their fields (the winning map's first) and the next
//! record writes one map again.

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, Value};

use super::{
    ensure_map, get_parsed, get_str_or_empty, get_string, get_u64, map_at, put_opt_str, put_opt_u64, put_str,
    put_u64,
};
use crate::domain::{
    DEFAULT_COMPLETION_PERCENT, NewTraining, PresenceRecord, TrainingPatch, TrainingSession,
};
use crate::error::Result;
use crate::ids::{PersonId, TrainingId};

/// Times are written as in the lab document's meetings.
const TIME: &str = "%H:%M";

/// Ids of every session.
pub(crate) fn session_ids<R: ReadDoc>(doc: &R) -> Vec<TrainingId> {
    match map_at(doc, &ROOT, "sessions") {
        Some(m) => doc.keys(&m).filter_map(|k| k.parse().ok()).collect(),
        None => Vec::new(),
    }
}

fn time<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(&get_string(doc, obj, key)?, TIME).ok()
}

/// What is recorded of one attendee: the fields of every map at the key,
/// the winner's first (`true`, the layout before times, records nothing).
fn record<R: ReadDoc>(doc: &R, attendees: &ObjId, key: &str) -> PresenceRecord {
    let mut maps: Vec<ObjId> = Vec::new();
    if let Ok(Some((Value::Object(ObjType::Map), winner))) = doc.get(attendees, key) {
        maps.push(winner);
    }
    for (v, id) in doc.get_all(attendees, key).unwrap_or_default() {
        if matches!(v, Value::Object(ObjType::Map)) && !maps.contains(&id) {
            maps.push(id);
        }
    }
    let mut r = PresenceRecord::default();
    for m in &maps {
        r.arrival = r.arrival.or_else(|| time(doc, m, "arrival"));
        r.departure = r.departure.or_else(|| time(doc, m, "departure"));
        r.minutes = r.minutes.or_else(|| get_u64(doc, m, "minutes").and_then(|v| u32::try_from(v).ok()));
    }
    r
}

/// Reads one session.
pub(crate) fn read<R: ReadDoc>(doc: &R, id: TrainingId) -> Option<TrainingSession> {
    let sessions = map_at(doc, &ROOT, "sessions")?;
    let m = map_at(doc, &sessions, &id.to_string())?;
    let completion = get_u64(doc, &m, "completion")
        .and_then(|c| u8::try_from(c).ok())
        .filter(|c| (1..=100).contains(c))
        .unwrap_or(DEFAULT_COMPLETION_PERCENT);
    let mut session = TrainingSession {
        id,
        date: get_parsed(doc, &m, "date")?,
        start: time(doc, &m, "start"),
        title: get_str_or_empty(doc, &m, "title"),
        minutes: u32::try_from(get_u64(doc, &m, "minutes")?).ok()?,
        completion_percent: completion,
        attendees: Vec::new(),
    };
    let span = session.span();
    if let Some(set) = map_at(doc, &m, "attendees") {
        let mut people: Vec<(PersonId, String)> =
            doc.keys(&set).filter_map(|k| Some((k.parse().ok()?, k))).collect();
        people.sort();
        session.attendees =
            people.into_iter().map(|(p, k)| span.attendee(p, record(doc, &set, &k))).collect();
    }
    Some(session)
}

fn session<T: Transactable>(tx: &mut T, id: TrainingId) -> Result<ObjId> {
    let sessions = ensure_map(tx, &ROOT, "sessions")?;
    ensure_map(tx, &sessions, &id.to_string())
}

/// Writes a new session.
pub(crate) fn write_new<T: Transactable>(tx: &mut T, id: TrainingId, t: &NewTraining) -> Result<()> {
    let m = session(tx, id)?;
    put_str(tx, &m, "date", &t.date.to_string())?;
    if let Some(start) = t.start {
        put_str(tx, &m, "start", &start.format(TIME).to_string())?;
    }
    put_str(tx, &m, "title", &t.title)?;
    put_u64(tx, &m, "minutes", u64::from(t.minutes))?;
    if let Some(c) = t.completion_percent {
        put_u64(tx, &m, "completion", u64::from(c))?;
    }
    let set = ensure_map(tx, &m, "attendees")?;
    for p in &t.attendees {
        tx.put_object(&set, p.to_string().as_str(), ObjType::Map)?;
    }
    Ok(())
}

/// Applies a patch to a session.
pub(crate) fn patch<T: Transactable>(tx: &mut T, id: TrainingId, p: &TrainingPatch) -> Result<()> {
    let m = session(tx, id)?;
    if let Some(d) = p.date {
        put_str(tx, &m, "date", &d.to_string())?;
    }
    if let Some(start) = p.start {
        put_str(tx, &m, "start", &start.format(TIME).to_string())?;
    }
    if let Some(t) = &p.title {
        put_str(tx, &m, "title", t)?;
    }
    if let Some(minutes) = p.minutes {
        put_u64(tx, &m, "minutes", u64::from(minutes))?;
    }
    if let Some(c) = p.completion_percent {
        put_u64(tx, &m, "completion", u64::from(c))?;
    }
    Ok(())
}

/// Adds or removes one attendee. Adding someone already present changes
/// nothing (their times stay).
pub(crate) fn set_attendee<T: Transactable>(
    tx: &mut T,
    id: TrainingId,
    person: PersonId,
    present: bool,
) -> Result<()> {
    let m = session(tx, id)?;
    let set = ensure_map(tx, &m, "attendees")?;
    let key = person.to_string();
    let there = tx.get(&set, key.as_str())?.is_some();
    if present && !there {
        tx.put_object(&set, key.as_str(), ObjType::Map)?;
    } else if !present && there {
        tx.delete(&set, key.as_str())?;
    }
    Ok(())
}

/// Records one attendee's arrival, departure or minutes (`record` is the
/// whole of it: an absent field is removed), marking them present. Only
/// the fields that change are written, so another replica's edit of
/// another field merges.
pub(crate) fn set_presence<T: Transactable>(
    tx: &mut T,
    id: TrainingId,
    person: PersonId,
    record: &PresenceRecord,
) -> Result<()> {
    let m = session(tx, id)?;
    let set = ensure_map(tx, &m, "attendees")?;
    let key = person.to_string();
    let values = tx.get_all(&set, key.as_str())?;
    let obj = match values.as_slice() {
        [(Value::Object(ObjType::Map), obj)] => obj.clone(),
        // Absent, `true` from before times were kept, or several values
        // (a conflict, resolved by writing one map with the whole record).
        _ => tx.put_object(&set, key.as_str(), ObjType::Map)?,
    };
    let t = |v: Option<chrono::NaiveTime>| v.map(|t| t.format(TIME).to_string());
    put_opt_str(tx, &obj, "arrival", t(record.arrival).as_deref())?;
    put_opt_str(tx, &obj, "departure", t(record.departure).as_deref())?;
    put_opt_u64(tx, &obj, "minutes", record.minutes.map(u64::from))?;
    Ok(())
}
