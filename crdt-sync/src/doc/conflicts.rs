//! Fields where concurrent edits left more than one value.
//!
//! Automerge picks the same winner on every replica, so every laptop shows
//! the same value; the values that lost stay readable here, so the app can
//! say "two values were entered" and let a person confirm one. Writing the
//! field again resolves the conflict.

use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

/// One field with concurrent values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct FieldConflict {
    /// Dotted path from the document root (`members.<id>.first_name`).
    pub path: String,
    /// Every value, the winner (the one shown) first.
    pub values: Vec<String>,
}

/// Every field of `doc` that holds concurrent values, in path order.
pub fn conflicts(doc: &Automerge) -> Vec<FieldConflict> {
    let mut out = Vec::new();
    walk(doc, &ROOT, String::new(), &mut out);
    out
}

fn walk(doc: &Automerge, obj: &ObjId, prefix: String, out: &mut Vec<FieldConflict>) {
    for key in doc.keys(obj) {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        let Ok(all) = doc.get_all(obj, key.as_str()) else {
            continue;
        };
        if all.len() > 1 {
            let winner = doc.get(obj, key.as_str()).ok().flatten().map(|(_, id)| id);
            let mut values: Vec<(bool, String)> =
                all.iter().map(|(v, id)| (Some(id) != winner.as_ref(), render(doc, v, id))).collect();
            values.sort_by_key(|(loser, _)| *loser);
            out.push(FieldConflict {
                path: path.clone(),
                values: values.into_iter().map(|(_, v)| v).collect(),
            });
        }
        if let Ok(Some((Value::Object(ObjType::Map), child))) = doc.get(obj, key.as_str()) {
            walk(doc, &child, path, out);
        }
    }
}

fn render(doc: &Automerge, value: &Value<'_>, id: &ObjId) -> String {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            other => other.to_string(),
        },
        Value::Object(ObjType::Text) => doc.text(id).unwrap_or_default(),
        Value::Object(t) => format!("<{t}>"),
    }
}
