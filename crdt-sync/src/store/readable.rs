//! Every document a grant may read, in one pass: the hub answers each
//! device's `Hello` with them.
//!
//! [`Replication::doc_facts`] asks the projection two or three questions per
//! document; walking every document that way costs a few thousand queries
//! per `Hello` on a register of ten labs, all of it while the hub holds its
//! store. [`Store::readable_docs`] reads each table once and decides the
//! same way ([`access`] on the same facts), so it can replace that walk.

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use crate::authz::{DocFacts, Grant, access};
use crate::doc::{self, DocKind, DocRef};
use crate::error::Result;
use crate::ids::{HouseholdId, LabId};
use crate::store::Store;
use crate::store::api::Replication;

/// One projection table of (document id, lab id) pairs, by document.
type ByDoc = HashMap<Uuid, Vec<LabId>>;

impl Store {
    /// The documents held here that `grant` may read: exactly those for
    /// which `access(grant, doc, &self.doc_facts(doc)?).can_read()` holds,
    /// found with one query per table instead of several per document.
    pub fn readable_docs(&mut self, grant: Grant) -> Result<BTreeSet<DocRef>> {
        let docs = self.doc_refs()?;
        let lab_households = self.by_doc("SELECT household_id, lab_id FROM lab_households")?;
        let households = self.by_doc("SELECT id, lab_id FROM households")?;
        let rosters = self.by_doc("SELECT person_id, lab_id FROM lab_roster")?;
        let person_labs = self.by_doc("SELECT person_id, lab_id FROM person_labs")?;
        let labs = |table: &ByDoc, r: DocRef| table.get(&r.id).cloned().unwrap_or_default();
        let mut readable = BTreeSet::new();
        for r in docs {
            // As `doc_facts` builds them, field by field.
            let exists = self.has_doc(r)?;
            let mut facts = DocFacts { exists, ..DocFacts::default() };
            match r.kind {
                DocKind::Household => {
                    facts.listed_in = labs(&lab_households, r);
                    facts.household_lab = labs(&households, r).into_iter().next();
                    if exists && facts.household_lab.is_none() {
                        facts.household_lab =
                            doc::household::read(self.doc(r)?, HouseholdId(r.id)).map(|h| h.lab);
                    }
                }
                DocKind::Person => {
                    facts.listed_in = labs(&rosters, r);
                    if exists {
                        facts.person_labs = labs(&person_labs, r);
                        facts.origin = self.origin(r)?;
                    }
                }
                DocKind::Volunteer => facts.organisation = self.volunteer_organisation(r)?,
                _ => {}
            }
            if access(grant, r, &facts).can_read() {
                readable.insert(r);
            }
        }
        Ok(readable)
    }

    /// The (document, lab) pairs `sql` selects, by document; rows that do
    /// not parse are skipped, as `doc_facts` skips them.
    fn by_doc(&self, sql: &str) -> Result<ByDoc> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query([])?;
        let mut out = ByDoc::new();
        while let Some(row) = rows.next()? {
            // Read in place: no string allocated per row (this runs at
            // every `Hello`, over every family and person).
            let text = |i: usize| -> rusqlite::Result<&str> {
                row.get_ref(i)?.as_str().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
                })
            };
            let (doc, lab) = (text(0)?, text(1)?);
            if let (Ok(doc), Ok(lab)) = (doc.parse::<Uuid>(), lab.parse::<LabId>()) {
                out.entry(doc).or_default().push(lab);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::authz::{DeviceRole, Grant, access};
    use crate::doc::{DocKind, DocRef};
    use crate::store::Replication;
    use crate::testing::register::build;

    #[test]
    fn readable_docs_are_those_each_documents_facts_allow() {
        let (mut s, f) = build();
        let docs = s.doc_refs().expect("docs");
        assert!(docs.iter().any(|d| d.kind == DocKind::Person), "the fixture has staff");
        let mut grants = vec![Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }];
        for lab in [f.lab1, f.lab2] {
            for role in [DeviceRole::Volunteer, DeviceRole::Operator, DeviceRole::Lead] {
                grants.push(Grant { role, lab: Some(lab), organisation: None });
            }
        }
        grants.push(Grant { role: DeviceRole::Volunteer, lab: None, organisation: None });
        for grant in grants {
            let mut one_by_one = BTreeSet::new();
            for &d in &docs {
                if access(grant, d, &s.doc_facts(d).expect("facts")).can_read() {
                    one_by_one.insert(d);
                }
            }
            assert_eq!(s.readable_docs(grant).expect("readable"), one_by_one, "{grant:?}");
        }
        // Not a vacuous equality: a lab's device reads its families, not
        // the other lab's, and the coordinator reads everything.
        let lab1 = s
            .readable_docs(Grant { role: DeviceRole::Volunteer, lab: Some(f.lab1), organisation: None })
            .expect("lab 1");
        assert!(lab1.contains(&DocRef::household(f.f1)));
        assert!(!lab1.contains(&DocRef::household(f.f4)));
        let all = s
            .readable_docs(Grant { role: DeviceRole::Coordinator, lab: None, organisation: None })
            .expect("all");
        assert_eq!(all.len(), docs.len());
    }
}
