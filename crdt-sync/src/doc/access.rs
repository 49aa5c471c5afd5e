//! Small typed readers and writers over automerge maps. Writers touch a key
//! only when its value changes (or is in conflict), so an edit produces the
//! smallest change and leaves unknown fields alone.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::error::Result;

/// The map at `parent[key]`, if there is one.
pub(crate) fn map_at<R: ReadDoc>(doc: &R, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

/// Every map stored at `ROOT[key]`, rival values of a conflict included:
/// for root maps not in a document's genesis, which two devices may create
/// concurrently (readers then take the union, so nothing written into the
/// losing map is hidden).
pub(crate) fn root_maps<R: ReadDoc>(doc: &R, key: &str) -> Vec<ObjId> {
    doc.get_all(automerge::ROOT, key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map)).then_some(id))
        .collect()
}

/// A string at `obj[key]`: a plain string or the content of a text object.
pub(crate) fn get_string<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        Ok(Some((Value::Object(ObjType::Text), id))) => doc.text(&id).ok(),
        _ => None,
    }
}

/// A string, or the empty string.
pub(crate) fn get_str_or_empty<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> String {
    get_string(doc, obj, key).unwrap_or_default()
}

/// An unsigned integer at `obj[key]`.
pub(crate) fn get_u64<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> Option<u64> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Uint(u) => Some(*u),
            ScalarValue::Int(i) => u64::try_from(*i).ok(),
            ScalarValue::Counter(c) => u64::try_from(i64::from(c)).ok(),
            _ => None,
        },
        _ => None,
    }
}

/// A signed integer at `obj[key]`.
pub(crate) fn get_i64<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> Option<i64> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Int(i) => Some(*i),
            ScalarValue::Uint(u) => i64::try_from(*u).ok(),
            ScalarValue::Timestamp(t) => Some(*t),
            _ => None,
        },
        _ => None,
    }
}

/// A boolean at `obj[key]`.
pub(crate) fn get_bool<R: ReadDoc>(doc: &R, obj: &ObjId, key: &str) -> Option<bool> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Boolean(b) => Some(*b),
            _ => None,
        },
        _ => None,
    }
}

/// A value parsed from the string at `obj[key]`.
pub(crate) fn get_parsed<R: ReadDoc, T: std::str::FromStr>(doc: &R, obj: &ObjId, key: &str) -> Option<T> {
    get_string(doc, obj, key)?.parse().ok()
}

/// The keys of a set stored as `{key: true}`.
pub(crate) fn set_keys<R: ReadDoc>(doc: &R, parent: &ObjId, key: &str) -> Vec<String> {
    match map_at(doc, parent, key) {
        Some(m) => doc.keys(&m).collect(),
        None => Vec::new(),
    }
}

/// The map at `parent[key]`, created if missing.
pub(crate) fn ensure_map<T: Transactable>(tx: &mut T, parent: &ObjId, key: &str) -> Result<ObjId> {
    if let Some(m) = map_at(tx, parent, key) {
        return Ok(m);
    }
    Ok(tx.put_object(parent, key, ObjType::Map)?)
}

fn needs_write<T: Transactable>(tx: &T, obj: &ObjId, key: &str, same: impl Fn(&ScalarValue) -> bool) -> bool {
    let all = match tx.get_all(obj, key) {
        Ok(all) => all,
        Err(_) => return true,
    };
    match all.as_slice() {
        [(Value::Scalar(s), _)] => !same(s.as_ref()),
        _ => true, // missing, in conflict, or an object
    }
}

/// Writes a string if it differs from the current value (or is in conflict).
pub(crate) fn put_str<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, value: &str) -> Result<()> {
    if needs_write(tx, obj, key, |s| matches!(s, ScalarValue::Str(v) if v.as_str() == value)) {
        tx.put(obj, key, value)?;
    }
    Ok(())
}

/// Writes an optional string; `None` deletes the key.
pub(crate) fn put_opt_str<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: Option<&str>,
) -> Result<()> {
    match value {
        Some(v) => put_str(tx, obj, key, v),
        None => {
            if tx.get(obj, key)?.is_some() {
                tx.delete(obj, key)?;
            }
            Ok(())
        }
    }
}

/// Writes an unsigned integer if it differs.
pub(crate) fn put_u64<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, value: u64) -> Result<()> {
    if needs_write(tx, obj, key, |s| matches!(s, ScalarValue::Uint(v) if *v == value)) {
        tx.put(obj, key, value)?;
    }
    Ok(())
}

/// Writes an optional unsigned integer; `None` deletes the key.
pub(crate) fn put_opt_u64<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: Option<u64>,
) -> Result<()> {
    match value {
        Some(v) => put_u64(tx, obj, key, v),
        None => {
            if tx.get(obj, key)?.is_some() {
                tx.delete(obj, key)?;
            }
            Ok(())
        }
    }
}

/// Writes a boolean if it differs.
pub(crate) fn put_bool<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, value: bool) -> Result<()> {
    if needs_write(tx, obj, key, |s| matches!(s, ScalarValue::Boolean(v) if *v == value)) {
        tx.put(obj, key, value)?;
    }
    Ok(())
}

/// Writes collaborative text: creates the text object, or applies the
/// difference to the existing one so concurrent edits merge by character.
pub(crate) fn put_text<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, value: &str) -> Result<()> {
    let existing = match tx.get(obj, key)? {
        Some((Value::Object(ObjType::Text), id)) => Some(id),
        _ => None,
    };
    let text = match existing {
        Some(id) => id,
        None => tx.put_object(obj, key, ObjType::Text)?,
    };
    tx.update_text(&text, value)?;
    Ok(())
}

/// Makes the set stored as `{key: true}` at `parent[key]` equal `want`,
/// adding and removing single keys so concurrent changes merge.
pub(crate) fn put_set<T: Transactable>(
    tx: &mut T,
    parent: &ObjId,
    key: &str,
    want: &BTreeSet<String>,
) -> Result<()> {
    let set = ensure_map(tx, parent, key)?;
    let have: BTreeSet<String> = tx.keys(&set).collect();
    for gone in have.difference(want) {
        tx.delete(&set, gone.as_str())?;
    }
    for new in want.difference(&have) {
        tx.put(&set, new.as_str(), true)?;
    }
    Ok(())
}
