//! The training document: `sessions.<training_id>` with an `attendees` set.

use automerge::transaction::Transactable;
use automerge::{ObjId, ROOT, ReadDoc};

use super::{ensure_map, get_parsed, get_str_or_empty, get_u64, map_at, put_set, put_str, put_u64, set_keys};
use crate::domain::{NewTraining, TrainingPatch, TrainingSession};
use crate::error::Result;
use crate::ids::{PersonId, TrainingId};

/// Ids of every session.
pub(crate) fn session_ids<R: ReadDoc>(doc: &R) -> Vec<TrainingId> {
    match map_at(doc, &ROOT, "sessions") {
        Some(m) => doc.keys(&m).filter_map(|k| k.parse().ok()).collect(),
        None => Vec::new(),
    }
}

/// Reads one session.
pub(crate) fn read<R: ReadDoc>(doc: &R, id: TrainingId) -> Option<TrainingSession> {
    let sessions = map_at(doc, &ROOT, "sessions")?;
    let m = map_at(doc, &sessions, &id.to_string())?;
    Some(TrainingSession {
        id,
        date: get_parsed(doc, &m, "date")?,
        title: get_str_or_empty(doc, &m, "title"),
        minutes: u32::try_from(get_u64(doc, &m, "minutes")?).ok()?,
        attendees: set_keys(doc, &m, "attendees").iter().filter_map(|k| k.parse().ok()).collect(),
    })
}

fn session<T: Transactable>(tx: &mut T, id: TrainingId) -> Result<ObjId> {
    let sessions = ensure_map(tx, &ROOT, "sessions")?;
    ensure_map(tx, &sessions, &id.to_string())
}

/// Writes a new session.
pub(crate) fn write_new<T: Transactable>(tx: &mut T, id: TrainingId, t: &NewTraining) -> Result<()> {
    let m = session(tx, id)?;
    put_str(tx, &m, "date", &t.date.to_string())?;
    put_str(tx, &m, "title", &t.title)?;
    put_u64(tx, &m, "minutes", u64::from(t.minutes))?;
    put_set(tx, &m, "attendees", &t.attendees.iter().map(ToString::to_string).collect())?;
    Ok(())
}

/// Applies a patch to a session.
pub(crate) fn patch<T: Transactable>(tx: &mut T, id: TrainingId, p: &TrainingPatch) -> Result<()> {
    let m = session(tx, id)?;
    if let Some(d) = p.date {
        put_str(tx, &m, "date", &d.to_string())?;
    }
    if let Some(t) = &p.title {
        put_str(tx, &m, "title", t)?;
    }
    if let Some(minutes) = p.minutes {
        put_u64(tx, &m, "minutes", u64::from(minutes))?;
    }
    Ok(())
}

/// Adds or removes one attendee.
pub(crate) fn set_attendee<T: Transactable>(
    tx: &mut T,
    id: TrainingId,
    person: PersonId,
    present: bool,
) -> Result<()> {
    let m = session(tx, id)?;
    let set = ensure_map(tx, &m, "attendees")?;
    let key = person.to_string();
    if present {
        tx.put(&set, key.as_str(), true)?;
    } else if tx.get(&set, key.as_str())?.is_some() {
        tx.delete(&set, key.as_str())?;
    }
    Ok(())
}
