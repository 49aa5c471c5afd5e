//! A map's fields read in one pass.
//!
//! Each `doc.get` is a seek into automerge's op set; a reader that takes a
//! dozen fields of a map one by one seeks a dozen times. The projection
//! reads whole documents (a coordinator's first download plans 2,000 of
//! them), so the readers of whole records walk each map once with
//! `map_range`, which yields every key's winning value in key order, and
//! look fields up in what it gave. The accessors convert exactly as the
//! look-up readers in [`super::access`] do (a test checks both agree), so
//! either can read any field.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValueRef, ValueRef};

/// One field's winning value, as the readers need it.
#[derive(Debug, Clone)]
enum Field {
    /// A plain string, or a text object's content.
    Str(String),
    Int(i64),
    Uint(u64),
    Counter(i64),
    Timestamp(i64),
    Bool(bool),
    /// A nested map.
    Map(ObjId),
    /// Anything the readers never take (bytes, floats, lists, null).
    Other,
}

/// The fields of one map, in key order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields {
    items: Vec<(String, Field)>,
}

impl Fields {
    /// Reads every key of the map `obj` in one pass.
    pub(crate) fn read<R: ReadDoc>(doc: &R, obj: &ObjId) -> Fields {
        let items = doc
            .map_range(obj, ..)
            .map(|item| {
                let field = match &item.value {
                    ValueRef::Scalar(ScalarValueRef::Str(s)) => Field::Str(s.to_string()),
                    ValueRef::Scalar(ScalarValueRef::Int(i)) => Field::Int(*i),
                    ValueRef::Scalar(ScalarValueRef::Uint(u)) => Field::Uint(*u),
                    ValueRef::Scalar(ScalarValueRef::Counter(c)) => Field::Counter(*c),
                    ValueRef::Scalar(ScalarValueRef::Timestamp(t)) => Field::Timestamp(*t),
                    ValueRef::Scalar(ScalarValueRef::Boolean(b)) => Field::Bool(*b),
                    ValueRef::Object(ObjType::Map) => Field::Map(item.id()),
                    ValueRef::Object(ObjType::Text) => {
                        doc.text(item.id()).map(Field::Str).unwrap_or(Field::Other)
                    }
                    _ => Field::Other,
                };
                (item.key.into_owned(), field)
            })
            .collect();
        Fields { items }
    }

    fn get(&self, key: &str) -> Option<&Field> {
        // `map_range` yields keys in order.
        self.items.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| &self.items[i].1)
    }

    /// Every nested map, with its key, in key order.
    pub(crate) fn maps(&self) -> impl Iterator<Item = (&str, &ObjId)> {
        self.items.iter().filter_map(|(k, f)| match f {
            Field::Map(id) => Some((k.as_str(), id)),
            _ => None,
        })
    }

    /// As [`super::get_string`].
    pub(crate) fn string(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Field::Str(s) => Some(s),
            _ => None,
        }
    }

    /// As [`super::get_str_or_empty`].
    pub(crate) fn str_or_empty(&self, key: &str) -> String {
        self.string(key).unwrap_or_default().to_owned()
    }

    /// As [`super::get_parsed`].
    pub(crate) fn parsed<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.string(key)?.parse().ok()
    }

    /// As [`super::get_u64`].
    pub(crate) fn u64(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Field::Uint(u) => Some(*u),
            Field::Int(i) | Field::Counter(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }

    /// As [`super::get_i64`].
    pub(crate) fn i64(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Field::Int(i) | Field::Timestamp(i) => Some(*i),
            Field::Uint(u) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    /// As [`super::get_bool`].
    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Field::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// As [`super::map_at`].
    pub(crate) fn map(&self, key: &str) -> Option<&ObjId> {
        match self.get(key)? {
            Field::Map(id) => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT, ScalarValue};

    use super::super::{get_bool, get_i64, get_string, get_u64, map_at};
    use super::Fields;

    /// Every kind of value, read both ways: the one-pass reader must agree
    /// with the look-ups on every key, missing ones included.
    #[test]
    fn agrees_with_the_look_ups_on_every_kind_of_value() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "s", "plain").expect("automerge");
        let t = doc.put_object(ROOT, "t", ObjType::Text).expect("automerge");
        doc.splice_text(&t, 0, 0, "a text").expect("automerge");
        doc.put(ROOT, "i", -3i64).expect("automerge");
        doc.put(ROOT, "ip", 7i64).expect("automerge");
        doc.put(ROOT, "u", 9u64).expect("automerge");
        doc.put(ROOT, "big", u64::MAX).expect("automerge");
        doc.put(ROOT, "c", ScalarValue::counter(4)).expect("automerge");
        doc.put(ROOT, "ts", ScalarValue::Timestamp(1_700_000_000_000)).expect("automerge");
        doc.put(ROOT, "b", true).expect("automerge");
        doc.put(ROOT, "f", 1.5f64).expect("automerge");
        doc.put(ROOT, "n", ScalarValue::Null).expect("automerge");
        let m = doc.put_object(ROOT, "m", ObjType::Map).expect("automerge");
        doc.put(&m, "inner", "x").expect("automerge");
        doc.put_object(ROOT, "l", ObjType::List).expect("automerge");
        // A conflict: the winner is what both read.
        let mut other = doc.fork().with_actor(automerge::ActorId::from([9u8; 16]));
        other.put(ROOT, "s", "rival").expect("automerge");
        doc.put(ROOT, "s", "mine").expect("automerge");
        doc.merge(&mut other).expect("automerge");

        let f = Fields::read(&doc, &ROOT);
        let keys = ["s", "t", "i", "ip", "u", "big", "c", "ts", "b", "f", "n", "m", "l", "absent"];
        for k in keys {
            assert_eq!(f.string(k).map(str::to_owned), get_string(&doc, &ROOT, k), "string {k}");
            assert_eq!(f.u64(k), get_u64(&doc, &ROOT, k), "u64 {k}");
            assert_eq!(f.i64(k), get_i64(&doc, &ROOT, k), "i64 {k}");
            assert_eq!(f.bool(k), get_bool(&doc, &ROOT, k), "bool {k}");
            assert_eq!(f.map(k).cloned(), map_at(&doc, &ROOT, k), "map {k}");
        }
        assert_eq!(f.string("t"), Some("a text"));
        assert_eq!(f.maps().map(|(k, _)| k).collect::<Vec<_>>(), ["m"]);
    }
}
