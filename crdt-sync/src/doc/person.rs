//! A person document: the operator's or volunteer's fields at the root and
//! `labs.<lab_id>` as a set.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};

use super::{get_str_or_empty, get_string, put_set, put_str, set_keys};
use crate::domain::{Keyed, NewPerson, Person, PersonPatch, Role};
use crate::error::Result;
use crate::ids::PersonId;

/// Reads the person; `None` if the document has no usable person.
pub(crate) fn read<R: ReadDoc>(doc: &R, id: PersonId) -> Option<Person> {
    let role = Role::from_key(&get_string(doc, &ROOT, "role")?)?;
    Some(Person {
        id,
        code: get_str_or_empty(doc, &ROOT, "code"),
        first_name: get_str_or_empty(doc, &ROOT, "first_name"),
        last_name: get_str_or_empty(doc, &ROOT, "last_name"),
        role,
        organisation: get_str_or_empty(doc, &ROOT, "organisation"),
        phone: get_str_or_empty(doc, &ROOT, "phone"),
        email: get_str_or_empty(doc, &ROOT, "email"),
        labs: set_keys(doc, &ROOT, "labs").iter().filter_map(|k| k.parse().ok()).collect(),
    })
}

/// Writes a new person.
pub(crate) fn write_new<T: Transactable>(tx: &mut T, code: &str, p: &NewPerson) -> Result<()> {
    put_str(tx, &ROOT, "code", code)?;
    put_str(tx, &ROOT, "first_name", &p.first_name)?;
    put_str(tx, &ROOT, "last_name", &p.last_name)?;
    put_str(tx, &ROOT, "role", p.role.key())?;
    put_str(tx, &ROOT, "organisation", &p.organisation)?;
    put_str(tx, &ROOT, "phone", &p.phone)?;
    put_str(tx, &ROOT, "email", &p.email)?;
    put_set(tx, &ROOT, "labs", &BTreeSet::from([p.lab.to_string()]))?;
    Ok(())
}

/// Applies a patch.
pub(crate) fn patch<T: Transactable>(tx: &mut T, p: &PersonPatch) -> Result<()> {
    let fields = [
        ("first_name", p.first_name.as_deref()),
        ("last_name", p.last_name.as_deref()),
        ("role", p.role.map(Role::key)),
        ("organisation", p.organisation.as_deref()),
        ("phone", p.phone.as_deref()),
        ("email", p.email.as_deref()),
    ];
    for (key, value) in fields {
        if let Some(v) = value {
            put_str(tx, &ROOT, key, v)?;
        }
    }
    Ok(())
}
