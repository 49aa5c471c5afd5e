//! Fields where concurrent edits left more than one value.
//!
//! Automerge picks the same winner on every replica, so every laptop shows
//! the same value; the values that lost stay readable here, so the app can
//! say "two values were entered" and let a person choose one. Choosing
//! ([`resolve`]) writes the chosen value to the field again: a later write
//! supersedes every concurrent one, on every replica, as any edit of the
//! field would.
//!
//! The projection keeps only *where* the conflicts are ([`paths`], and
//! [`paths_at`] for what a change touched), so the queue of conflicts loads
//! only the documents that have some; the values and who wrote them are
//! read from the document when asked ([`conflicts`], and [`at`] for the
//! fields the projection names).

use std::collections::{BTreeSet, HashMap};

use automerge::iter::DocItem;
use automerge::transaction::Transactable;
use automerge::{
    ActorId, Automerge, ObjId, ObjType, Patch, PatchAction, Prop, ROOT, ReadDoc, ScalarValue, Value, ValueRef,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{DeviceId, PersonId};

/// One field with concurrent values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct FieldConflict {
    /// Dotted path from the document root (`members.<id>.first_name`).
    pub path: String,
    /// Every value, the winner (the one shown) first.
    pub values: Vec<ConflictValue>,
}

/// One of the values of a field in conflict, and who wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ConflictValue {
    /// Names this value when a person chooses it (`resolve`): the id of
    /// the operation that wrote it (`counter@actor`).
    pub id: String,
    /// The value as text (`<map>` for a group of fields).
    pub text: String,
    /// The device that wrote it, when its author is a device.
    pub device: Option<DeviceId>,
    /// The person who was using that device, when the change names one.
    pub person: Option<PersonId>,
    /// When it was written, by the writing device's clock.
    pub at: Option<DateTime<Utc>>,
}

/// Every field of `doc` that holds concurrent values, in path order, with
/// who wrote each value.
pub fn conflicts(doc: &Automerge) -> Vec<FieldConflict> {
    let found = whole(doc)
        .into_iter()
        .filter_map(|(obj, key, path)| Some(Found { path, values: raw_values(doc, &obj, &key)? }))
        .collect();
    attribute(doc, found)
}

/// The paths of every field of `doc` that holds concurrent values, in path
/// order (what the projection keeps).
pub(crate) fn paths(doc: &Automerge) -> Vec<String> {
    whole(doc).into_iter().map(|(_, _, path)| path).collect()
}

/// Every field in conflict in the maps reachable from the root through
/// (winning) map values: its map, key and dotted path, in path order (each
/// key's components in turn, as [`walk`] visits them).
///
/// One pass over the whole document (automerge's document iterator, which
/// visits every visible object in order of its id, moving forward through
/// the op set) instead of a `map_range` started afresh for each of a lab
/// document's tens of thousands of maps; a conflict is rare, so finding its
/// path from its object's parents costs nothing in the common case. Maps
/// below a list or a text are not ours and are skipped, as [`walk`] skips
/// them (a test checks both agree).
fn whole(doc: &Automerge) -> Vec<(ObjId, String, String)> {
    let mut out: Vec<(Vec<String>, ObjId, String)> = Vec::new();
    let mut prefixes: HashMap<ObjId, Option<Vec<String>>> = HashMap::new();
    for item in doc.iter() {
        let DocItem::Map(m) = &item.item else { continue };
        if !m.conflict {
            continue;
        }
        let obj: &ObjId = &item.obj;
        let prefix = prefixes.entry(obj.clone()).or_insert_with(|| map_path(doc, obj));
        if let Some(prefix) = prefix {
            let mut keys = prefix.clone();
            keys.push(m.key.to_string());
            out.push((keys, obj.clone(), m.key.to_string()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(keys, obj, key)| (obj, key, keys.join("."))).collect()
}

/// The map keys from the root to the map `obj`; `None` when a list, a text
/// or a losing value lies on the way.
fn map_path(doc: &Automerge, obj: &ObjId) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    for parent in doc.parents(obj).ok()? {
        match (&parent.prop, parent.typ, parent.visible) {
            (Prop::Map(k), ObjType::Map, true) => keys.push(k.clone()),
            _ => return None,
        }
    }
    keys.reverse();
    Some(keys)
}

/// The paths in conflict at `prefix` (map keys from the root) and below
/// it: what [`paths`] finds there.
pub(crate) fn paths_at(doc: &Automerge, prefix: &[String]) -> Vec<String> {
    let Some((last, parents)) = prefix.split_last() else { return paths(doc) };
    let Some(obj) = map_at(doc, parents) else { return Vec::new() };
    let mut found = Vec::new();
    visit(doc, &obj, last, prefix.join("."), &mut found);
    found.into_iter().map(|f| f.path).collect()
}

/// The conflicts at `paths` (dotted), with who wrote each value; a field
/// no longer in conflict is left out. Reads only those fields, not the
/// whole document.
pub(crate) fn at(doc: &Automerge, paths: &[&str]) -> Vec<FieldConflict> {
    let found = paths
        .iter()
        .filter_map(|path| {
            let (obj, key) = field(doc, path)?;
            Some(Found { path: (*path).to_owned(), values: raw_values(doc, &obj, &key)? })
        })
        .collect();
    attribute(doc, found)
}

/// The parts of a document `patches` touched, as paths from the root of at
/// most `depth` map keys, none below another; `None` when a patch touched
/// the root itself (re-read everything).
pub(crate) fn touched(patches: &[Patch], depth: usize) -> Option<BTreeSet<Vec<String>>> {
    let mut out: BTreeSet<Vec<String>> = BTreeSet::new();
    for p in patches {
        let mut props: Vec<String> = Vec::new();
        let mut in_seq = false;
        for (_, prop) in &p.path {
            match prop {
                Prop::Map(k) => props.push(k.clone()),
                Prop::Seq(_) => {
                    in_seq = true;
                    break;
                }
            }
        }
        if !in_seq {
            match &p.action {
                PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => props.push(key.clone()),
                PatchAction::Conflict { prop: Prop::Map(k) } => props.push(k.clone()),
                _ => {}
            }
        }
        props.truncate(depth);
        if props.is_empty() {
            return None;
        }
        out.insert(props);
    }
    // Drop a path below another: the shorter one is read whole.
    let all = out.clone();
    out.retain(|p| !all.iter().any(|q| q.len() < p.len() && p.starts_with(q)));
    Some(out)
}

/// Writes the value `choice` (a [`ConflictValue::id`]) of the conflict at
/// `path` to the field again, which settles the conflict: the value stays,
/// and the others are superseded on every replica. A group of fields (a
/// map) or a text is copied whole. `NotFound` when the field is no longer
/// in conflict or `choice` is not one of its values (another person chose
/// meanwhile, or a sync brought a newer value).
pub(crate) fn resolve(
    tx: &mut automerge::transaction::Transaction<'_>,
    path: &str,
    choice: &str,
) -> Result<()> {
    let gone = || Error::NotFound { what: "conflict", id: format!("{path} ({choice})") };
    let (obj, key) = field(tx, path).ok_or_else(gone)?;
    let all = tx.get_all(&obj, key.as_str())?;
    if all.len() < 2 {
        return Err(gone());
    }
    let (value, id) = all.into_iter().find(|(_, id)| id.to_string() == choice).ok_or_else(gone)?;
    match value {
        Value::Scalar(s) => tx.put(&obj, key.as_str(), s.into_owned())?,
        Value::Object(t) => {
            let copy = tx.put_object(&obj, key.as_str(), t)?;
            copy_object(tx, &id, &copy, t, 0)?;
        }
    }
    Ok(())
}

/// How deep [`resolve`] copies a group of fields: the documents nest maps a
/// few levels (a consent record, its guardian); anything deeper is not ours.
const MAX_COPY_DEPTH: u8 = 8;

fn copy_object(
    tx: &mut automerge::transaction::Transaction<'_>,
    from: &ObjId,
    to: &ObjId,
    kind: ObjType,
    depth: u8,
) -> Result<()> {
    if depth > MAX_COPY_DEPTH {
        return Err(Error::Invalid { field: "conflict.path", reason: "nested too deep to copy".into() });
    }
    match kind {
        ObjType::Text => {
            let text = tx.text(from)?;
            tx.splice_text(to, 0, 0, &text)?;
        }
        ObjType::Map | ObjType::Table => {
            for key in tx.keys(from).collect::<Vec<_>>() {
                match tx.get(from, key.as_str())? {
                    Some((Value::Scalar(s), _)) => tx.put(to, key.as_str(), s.into_owned())?,
                    Some((Value::Object(t), child)) => {
                        let copy = tx.put_object(to, key.as_str(), t)?;
                        copy_object(tx, &child, &copy, t, depth + 1)?;
                    }
                    None => {}
                }
            }
        }
        ObjType::List => {
            for i in 0..tx.length(from) {
                match tx.get(from, i)? {
                    Some((Value::Scalar(s), _)) => tx.insert(to, i, s.into_owned())?,
                    Some((Value::Object(t), child)) => {
                        let copy = tx.insert_object(to, i, t)?;
                        copy_object(tx, &child, &copy, t, depth + 1)?;
                    }
                    None => {}
                }
            }
        }
    }
    Ok(())
}

/// A conflict as found, before its values are attributed.
struct Found {
    path: String,
    /// `(value, op id)`, the winner first.
    values: Vec<(String, ObjId)>,
}

/// Every conflict in the map `obj` and the maps inside it, in one pass
/// over each map: automerge marks the keys that hold several values, so
/// only those are read again (a lab document of five years holds tens of
/// thousands of keys, and this runs on every document a first sync brings).
fn walk(doc: &Automerge, obj: &ObjId, prefix: &str, out: &mut Vec<Found>) {
    for item in doc.map_range(obj, ..) {
        let is_map = matches!(item.value, ValueRef::Object(ObjType::Map));
        if !item.conflict && !is_map {
            continue;
        }
        let path = if prefix.is_empty() { item.key.to_string() } else { format!("{prefix}.{}", item.key) };
        if item.conflict
            && let Some(values) = raw_values(doc, obj, &item.key)
        {
            out.push(Found { path: path.clone(), values });
        }
        if is_map {
            walk(doc, &item.id(), &path, out);
        }
    }
}

/// The conflict at `obj[key]`, if any, then those inside its (winning) map.
fn visit(doc: &Automerge, obj: &ObjId, key: &str, path: String, out: &mut Vec<Found>) {
    if let Some(values) = raw_values(doc, obj, key) {
        out.push(Found { path: path.clone(), values });
    }
    if let Ok(Some((Value::Object(ObjType::Map), child))) = doc.get(obj, key) {
        walk(doc, &child, &path, out);
    }
}

/// The values at `obj[key]` when there are several, the winner first.
fn raw_values<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> Option<Vec<(String, ObjId)>> {
    let all = doc.get_all(obj, key).ok()?;
    if all.len() < 2 {
        return None;
    }
    let winner = doc.get(obj, key).ok().flatten().map(|(_, id)| id);
    let mut values: Vec<(bool, String, ObjId)> =
        all.iter().map(|(v, id)| (Some(id) != winner.as_ref(), render(doc, v, id), id.clone())).collect();
    values.sort_by_key(|(loser, _, _)| *loser);
    Some(values.into_iter().map(|(_, v, id)| (v, id)).collect())
}

/// The map holding the field at the dotted `path`, and the field's key.
fn field<R: ReadDoc>(doc: &R, path: &str) -> Option<(ObjId, String)> {
    let keys: Vec<String> = path.split('.').map(str::to_owned).collect();
    let (last, parents) = keys.split_last()?;
    Some((map_at(doc, parents)?, last.clone()))
}

/// The (winning) map at `keys` from the root.
fn map_at<R: ReadDoc>(doc: &R, keys: &[String]) -> Option<ObjId> {
    let mut obj = ROOT;
    for k in keys {
        match doc.get(&obj, k.as_str()) {
            Ok(Some((Value::Object(ObjType::Map), child))) => obj = child,
            _ => return None,
        }
    }
    Some(obj)
}

/// One change's span of operation counters (first, last), its time in
/// milliseconds and the person its message names.
type Written = (u64, u64, i64, Option<PersonId>);

/// Who wrote each value: the change holding the operation, found by its
/// actor and operation counter in the changes' metadata (read once, only
/// for a document with conflicts).
fn attribute(doc: &Automerge, found: Vec<Found>) -> Vec<FieldConflict> {
    if found.is_empty() {
        return Vec::new();
    }
    let mut by_actor: HashMap<ActorId, Vec<Written>> = HashMap::new();
    for c in doc.get_changes_meta(&[]) {
        let person = crate::store::message_person(c.message.as_deref());
        by_actor.entry(c.actor.into_owned()).or_default().push((c.start_op, c.max_op, c.timestamp, person));
    }
    found
        .into_iter()
        .map(|f| FieldConflict {
            path: f.path,
            values: f
                .values
                .into_iter()
                .map(|(text, id)| {
                    let mut v =
                        ConflictValue { id: id.to_string(), text, device: None, person: None, at: None };
                    if let ObjId::Id(counter, actor, _) = &id {
                        v.device = crate::authz::authors::device_of(actor);
                        let change = by_actor.get(actor).and_then(|cs| {
                            cs.iter().find(|(start, max, _, _)| (start..=max).contains(&counter))
                        });
                        if let Some((_, _, ms, person)) = change {
                            v.at = DateTime::from_timestamp_millis(*ms).filter(|_| *ms > 0);
                            v.person = *person;
                        }
                    }
                    v
                })
                .collect(),
        })
        .collect()
}

fn render<R: ReadDoc>(doc: &R, value: &Value<'_>, id: &ObjId) -> String {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            other => other.to_string(),
        },
        Value::Object(ObjType::Text) => doc.text(id).unwrap_or_default(),
        Value::Object(t) => format!("<{t}>"),
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};

    use super::{paths, walk};

    /// The whole-document pass finds exactly what the walk map by map
    /// finds, in the same order: conflicts at the root, deep down, on a
    /// key whose values are maps (and inside the winning one only), and
    /// none below a list or in a text.
    #[test]
    fn the_one_pass_finds_what_the_walk_finds() {
        let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 16]));
        let members = a.put_object(ROOT, "members", ObjType::Map).expect("automerge");
        for m in ["m1", "m2", "m-3"] {
            let o = a.put_object(&members, m, ObjType::Map).expect("automerge");
            a.put(&o, "first_name", "Anna").expect("automerge");
        }
        let list = a.put_object(ROOT, "list", ObjType::List).expect("automerge");
        let in_list = a.insert_object(&list, 0, ObjType::Map).expect("automerge");
        a.put(&in_list, "k", "v").expect("automerge");
        let notes = a.put_object(ROOT, "notes", ObjType::Text).expect("automerge");
        a.splice_text(&notes, 0, 0, "hello").expect("automerge");
        a.put(ROOT, "code", "F-1").expect("automerge");
        let mut b = a.fork().with_actor(ActorId::from([2u8; 16]));
        // Both edit: a root field, a member's field, two members' whole maps
        // (values that are maps), the map inside the list, the text.
        for (doc, name) in [(&mut a, "A"), (&mut b, "B")] {
            doc.put(ROOT, "code", format!("F-{name}")).expect("automerge");
            let members = doc.get(ROOT, "members").expect("read").expect("present").1;
            let m1 = doc.get(&members, "m1").expect("read").expect("present").1;
            doc.put(&m1, "first_name", format!("Anna {name}")).expect("automerge");
            let m2 = doc.put_object(&members, "m2", ObjType::Map).expect("automerge");
            doc.put(&m2, "first_name", name).expect("automerge");
            let m3 = doc.put_object(&members, "m-3", ObjType::Map).expect("automerge");
            doc.put(&m3, "last_name", name).expect("automerge");
            let list = doc.get(ROOT, "list").expect("read").expect("present").1;
            let in_list = doc.get(&list, 0).expect("read").expect("present").1;
            doc.put(&in_list, "k", name).expect("automerge");
            let notes = doc.get(ROOT, "notes").expect("read").expect("present").1;
            doc.splice_text(&notes, 0, 0, name).expect("automerge");
        }
        a.merge(&mut b).expect("automerge");
        // The winning m2 gets a concurrent edit inside as well.
        let mut c = a.fork().with_actor(ActorId::from([3u8; 16]));
        let members = a.get(ROOT, "members").expect("read").expect("present").1;
        let m2 = a.get(&members, "m2").expect("read").expect("present").1;
        a.put(&m2, "birth_year", 1990u64).expect("automerge");
        let m2c = c.get(&members, "m2").expect("read").expect("present").1;
        c.put(&m2c, "birth_year", 1991u64).expect("automerge");
        a.merge(&mut c).expect("automerge");

        let doc = a.document();
        let mut by_walk = Vec::new();
        walk(doc, &ROOT, "", &mut by_walk);
        let by_walk: Vec<String> = by_walk.into_iter().map(|f| f.path).collect();
        assert_eq!(
            by_walk,
            ["code", "members.m-3", "members.m1.first_name", "members.m2", "members.m2.birth_year"],
            "the walk, as the oracle"
        );
        assert_eq!(paths(doc), by_walk);
        assert_eq!(
            super::conflicts(doc).into_iter().map(|c| c.path).collect::<Vec<_>>(),
            by_walk,
            "conflicts() reads the same fields"
        );
    }
}
