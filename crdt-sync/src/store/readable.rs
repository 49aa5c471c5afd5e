//! Every document a grant may read, in one pass: the hub answers each
//! device's `Hello` with them.
//!
//! [`Replication::doc_facts`] asks the projection two or three questions per
//! document; walking every document that way costs a few thousand queries
//! per `Hello` on a register of ten labs, all of it while the hub holds its
//! store. [`Store::readable_docs`] reads each table once and decides the
//! same way ([`access`] on the same facts), so it can replace that walk.
//!
//! Even so, that pass was half of the hub's time per sync (decision 0036),
//! and its answer changes only when a fact it reads changes. Migration 0012
//! draws a new random token in `facts_token` at every write to those facts
//! (triggers, so whoever writes); an answer is remembered with the token it
//! was decided under and given again only while that token is current.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use uuid::Uuid;

use crate::authz::{DocFacts, Grant, access};
use crate::doc::{self, DocKind, DocRef};
use crate::error::Result;
use crate::ids::{HouseholdId, LabId};
use crate::store::Store;
use crate::store::api::Replication;

/// One projection table of (document id, lab id) pairs, by document.
type ByDoc = HashMap<Uuid, Vec<LabId>>;

/// How many grants' answers are remembered: a hub sees a few per lab
/// (volunteer, operator, lead) and per coordinator's organisation.
const REMEMBERED_GRANTS: usize = 64;

/// The answers remembered, newest last, each with its facts token.
#[derive(Debug, Default)]
pub(crate) struct Remembered {
    answers: Vec<(Grant, Vec<u8>, Arc<BTreeSet<DocRef>>)>,
    /// Answers given from memory and decided afresh, for the benchmarks.
    hits: u64,
    misses: u64,
}

impl Store {
    /// The documents held here that `grant` may read: exactly those for
    /// which `access(grant, doc, &self.doc_facts(doc)?).can_read()` holds.
    /// Decided afresh (one query per table) unless the same grant's
    /// answer was decided under the facts token still current.
    pub fn readable_docs(&mut self, grant: Grant) -> Result<Arc<BTreeSet<DocRef>>> {
        let token: Vec<u8> =
            self.conn.prepare_cached("SELECT token FROM facts_token")?.query_row([], |r| r.get(0))?;
        if let Some((_, _, answer)) =
            self.readable.answers.iter().find(|(g, t, _)| *g == grant && *t == token)
        {
            let answer = answer.clone();
            self.readable.hits += 1;
            return Ok(answer);
        }
        self.readable.misses += 1;
        let answer = Arc::new(self.decide_readable(grant)?);
        // One answer per grant: the older one's token is gone for good.
        self.readable.answers.retain(|(g, _, _)| *g != grant);
        if self.readable.answers.len() >= REMEMBERED_GRANTS {
            self.readable.answers.remove(0);
        }
        self.readable.answers.push((grant, token, answer.clone()));
        Ok(answer)
    }

    /// How many `readable_docs` answers were given from memory and how many
    /// were decided afresh, since this store was opened.
    pub fn readable_docs_remembered(&self) -> (u64, u64) {
        (self.readable.hits, self.readable.misses)
    }

    /// Forgets every remembered answer (the next of each grant is decided
    /// afresh).
    pub(crate) fn forget_readable(&mut self) {
        self.readable.answers.clear();
    }

    /// [`Store::readable_docs`] decided afresh, found with one query per
    /// table instead of several per document.
    fn decide_readable(&mut self, grant: Grant) -> Result<BTreeSet<DocRef>> {
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
                        // A family held but not projected: its lab read
                        // from the document, whose every change moves its
                        // `documents` row's heads (and so the token).
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
    use crate::store::{Replication, Store};
    use crate::testing::d;
    use crate::testing::register::{Fixture, build, family, meeting};

    fn grants(f: &Fixture) -> Vec<Grant> {
        let mut grants = vec![Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }];
        for lab in [f.lab1, f.lab2] {
            for role in [DeviceRole::Volunteer, DeviceRole::Operator, DeviceRole::Lead] {
                grants.push(Grant { role, lab: Some(lab), organisation: None });
            }
        }
        grants.push(Grant { role: DeviceRole::Volunteer, lab: None, organisation: None });
        grants
    }

    fn lab_grant(lab: crate::ids::LabId) -> Grant {
        Grant { role: DeviceRole::Volunteer, lab: Some(lab), organisation: None }
    }

    #[test]
    fn readable_docs_are_those_each_documents_facts_allow() {
        let (mut s, f) = build();
        let docs = s.doc_refs().expect("docs");
        assert!(docs.iter().any(|d| d.kind == DocKind::Person), "the fixture has staff");
        for grant in grants(&f) {
            let mut one_by_one = BTreeSet::new();
            for &d in &docs {
                if access(grant, d, &s.doc_facts(d).expect("facts")).can_read() {
                    one_by_one.insert(d);
                }
            }
            assert_eq!(*s.readable_docs(grant).expect("readable"), one_by_one, "{grant:?}");
        }
        // Not a vacuous equality: a lab's device reads its families, not
        // the other lab's, and the coordinator reads everything.
        let lab1 = s.readable_docs(lab_grant(f.lab1)).expect("lab 1");
        assert!(lab1.contains(&DocRef::household(f.f1)));
        assert!(!lab1.contains(&DocRef::household(f.f4)));
        let all = s
            .readable_docs(Grant { role: DeviceRole::Coordinator, lab: None, organisation: None })
            .expect("all");
        assert_eq!(all.len(), docs.len());
    }

    /// Every grant's answer, remembered or not, equals the answer decided
    /// afresh; returns how many of them came from memory.
    fn same_as_afresh(s: &mut Store, grants: &[Grant], step: &str) -> u64 {
        let (hits, _) = s.readable_docs_remembered();
        for &g in grants {
            let given = s.readable_docs(g).expect("readable");
            let afresh = s.decide_readable(g).expect("afresh");
            assert_eq!(*given, afresh, "{step}: {g:?}");
        }
        s.readable_docs_remembered().0 - hits
    }

    /// A remembered answer is never given once a fact it was decided on has
    /// changed: after each write to each fact (through the store, and
    /// written straight into the tables as another process or a bug in the
    /// projection would), every grant's answer equals one decided afresh.
    /// And the memory serves: a meeting, which moves only its lab's
    /// document, leaves every answer remembered.
    #[test]
    fn a_remembered_answer_is_never_stale() {
        let (mut s, f) = build();
        let grants = grants(&f);
        let n = grants.len() as u64;
        assert_eq!(same_as_afresh(&mut s, &grants, "first"), 0, "nothing remembered yet");
        assert_eq!(same_as_afresh(&mut s, &grants, "again"), n, "every answer remembered");

        meeting(&mut s, f.lab1, d(2026, 2, 2), "open_lab", Vec::new(), 3, &[]);
        assert_eq!(same_as_afresh(&mut s, &grants, "a meeting"), n, "a meeting keeps every answer");

        let by = f.staff[0];
        let h = family(&mut s, f.lab2, &[("Dana", "Novak", 1988)], "0382 000111", by);
        assert_eq!(same_as_afresh(&mut s, &grants, "a new family"), 0);
        assert!(s.readable_docs(lab_grant(f.lab2)).expect("lab 2").contains(&DocRef::household(h)));
        assert!(!s.readable_docs(lab_grant(f.lab1)).expect("lab 1").contains(&DocRef::household(h)));

        // Straight into the tables, one fact at a time.
        let f1 = DocRef::household(f.f1);
        let lab1 = f.lab1.to_string();
        let lab2 = f.lab2.to_string();
        let writes: Vec<(&str, String)> = vec![
            ("a family moved", format!("UPDATE households SET lab_id = '{lab2}' WHERE id = '{}'", f.f1)),
            ("a lab's index", format!("DELETE FROM lab_households WHERE household_id = '{}'", f.f4)),
            ("a lab's index grows", format!("INSERT INTO lab_households VALUES ('{lab1}', '{}', 'X')", f.f5)),
            ("a roster", format!("DELETE FROM lab_roster WHERE person_id = '{}'", f.staff[1])),
            ("a person's labs", format!("DELETE FROM person_labs WHERE person_id = '{}'", f.staff[2])),
            (
                "a document dropped",
                format!("DELETE FROM documents WHERE doc_key = '{}'", DocRef::household(f.f2)),
            ),
        ];
        for (step, sql) in &writes {
            let before: Vec<_> = grants.iter().map(|&g| s.readable_docs(g).expect("before")).collect();
            s.conn.execute_batch(sql).expect(step);
            assert_eq!(same_as_afresh(&mut s, &grants, step), 0, "{step}: nothing remembered is current");
            let after: Vec<_> = grants.iter().map(|&g| s.readable_docs(g).expect("after")).collect();
            // The family moved is one whose readability must change: its
            // lab is lab 2 now, which does not list it, so neither lab
            // reads it (as `access` decides).
            if *step == "a family moved" {
                assert_ne!(before, after, "{step}");
                assert!(before[1].contains(&f1) && !after[1].contains(&f1), "lab 1 reads F1 no more");
                assert!(!after[4].contains(&f1), "nor does lab 2, whose index does not list it");
            }
        }

        // A transaction that moves a family back, answers inside it, and
        // rolls back: the answer decided inside is never given after (the
        // others, decided under the token the rollback brings back, are).
        s.conn
            .execute_batch(&format!("BEGIN; UPDATE households SET lab_id = '{lab1}' WHERE id = '{}'", f.f1))
            .expect("begin");
        assert!(s.readable_docs(lab_grant(f.lab1)).expect("inside").contains(&f1));
        s.conn.execute_batch("ROLLBACK").expect("rollback");
        assert_eq!(same_as_afresh(&mut s, &grants, "after a rollback"), n - 1, "all but lab 1's remembered");
        assert!(!s.readable_docs(lab_grant(f.lab1)).expect("after").contains(&f1));
    }
}
