//! Looking after the file itself ([`Maintenance`]): checkpoints, integrity, and
//! rebuilding or comparing the projection.

use automerge::Automerge;
use rusqlite::params;

use super::docs::{COMPACT_AFTER, encode_heads, load_options};
use crate::doc::DocRef;
use crate::error::{Error, Result};
use crate::ids::LabId;
use crate::projection::Scope;
use crate::store::Store;
use crate::store::api::*;
use crate::{doc, projection};

impl Maintenance for Store {
    fn maintenance(&mut self) -> Result<usize> {
        let keys: Vec<String> = self
            .conn
            .prepare_cached("SELECT doc_key FROM documents WHERE chunk_count >= ?1")?
            .query_map([COMPACT_AFTER], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for key in &keys {
            // Under SQLite's write lock from the first read: another process
            // on the same file (the hub's CLI beside its server) cannot
            // append a chunk between reading the chunks and replacing them.
            let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let chunks: Vec<Vec<u8>> = tx
                .prepare_cached("SELECT bytes FROM doc_chunks WHERE doc_key = ?1 ORDER BY seq")?
                .query_map([key], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let doc = Automerge::load_with_options(&chunks.concat(), load_options())
                .map_err(|source| Error::DamagedDocument { doc: key.clone(), source: Box::new(source) })?;
            tx.prepare_cached("DELETE FROM doc_chunks WHERE doc_key = ?1")?.execute([key])?;
            tx.prepare_cached("INSERT INTO doc_chunks (doc_key, seq, bytes) VALUES (?1, 0, ?2)")?
                .execute(params![key, doc.save()])?;
            tx.prepare_cached("UPDATE documents SET chunk_count = 1 WHERE doc_key = ?1")?.execute([key])?;
            tx.commit()?;
        }
        self.checkpoint()?;
        self.scrub_if_pending()?;
        Ok(keys.len())
    }

    fn check_projection(&mut self) -> Result<usize> {
        let rows: Vec<(String, Option<Vec<u8>>, i64)> = self
            .conn
            .prepare("SELECT doc_key, projected_heads, projection_version FROM documents")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stale = Vec::new();
        for (key, projected, version) in rows {
            let r: DocRef = key.parse()?;
            let heads = encode_heads(self.doc(r)?.get_heads());
            if projected.as_deref() != Some(heads.as_slice()) || version != projection::VERSION {
                stale.push(r);
            }
        }
        let n = stale.len();
        if n > 0 {
            self.reproject(&stale)?;
        }
        Ok(n)
    }

    fn rebuild_projection(&mut self) -> Result<()> {
        let all = self.doc_refs()?;
        for r in &all {
            self.load(*r)?;
        }
        let tx = self.conn.transaction()?;
        projection::clear_all(&tx)?;
        for r in &all {
            let doc = self.docs.get(r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
            projection::apply(&tx, &projection::plan(*r, doc, Scope::Whole))?;
            tx.prepare_cached(
                "UPDATE documents SET projected_heads = heads, projection_version = ?2 WHERE doc_key = ?1",
            )?
            .execute(params![r.to_string(), projection::VERSION])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn projection_dump(&self) -> Result<Vec<String>> {
        projection::dump(&self.conn)
    }

    fn count_rows(&self, table: &str) -> Result<i64> {
        if !crate::projection::TABLES.contains(&table) {
            return Err(Error::invalid("table", format!("{table} is not a projection table")));
        }
        Ok(self.conn.query_row(&format!("SELECT count(*) FROM {table}"), params![], |r| r.get(0))?)
    }

    fn doc_schema_version(&mut self, r: DocRef) -> Result<u64> {
        Ok(doc::schema_version(self.doc(r)?))
    }

    fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(lines.join("\n"))
    }

    fn projection_dump_for_lab(&self, lab: LabId) -> Result<Vec<String>> {
        const OF_LAB: &str = "SELECT id FROM households WHERE lab_id = ?1";
        const STAFF: &str = concat!(
            "SELECT person_id FROM person_labs WHERE lab_id = ?1 ",
            "UNION SELECT person_id FROM lab_roster WHERE lab_id = ?1"
        );
        let queries = [
            ("labs", "SELECT * FROM labs WHERE id = ?1".to_owned()),
            ("households", "SELECT * FROM households WHERE lab_id = ?1".to_owned()),
            ("members", format!("SELECT * FROM members WHERE household_id IN ({OF_LAB})")),
            ("pathways", format!("SELECT * FROM pathways WHERE household_id IN ({OF_LAB})")),
            (
                "household_search",
                format!("SELECT household_id, code, names FROM household_search WHERE household_id IN ({OF_LAB})"),
            ),
            ("persons", format!("SELECT * FROM persons WHERE id IN ({STAFF})")),
            ("person_labs", format!("SELECT * FROM person_labs WHERE person_id IN ({STAFF})")),
            ("lab_households", "SELECT * FROM lab_households WHERE lab_id = ?1".to_owned()),
            ("lab_roster", "SELECT * FROM lab_roster WHERE lab_id = ?1".to_owned()),
            ("meetings", "SELECT * FROM meetings WHERE lab_id = ?1".to_owned()),
            (
                "meeting_facilitators",
                "SELECT * FROM meeting_facilitators WHERE meeting_id IN (SELECT id FROM meetings WHERE lab_id = ?1)"
                    .to_owned(),
            ),
            ("attendance", "SELECT * FROM attendance WHERE lab_id = ?1".to_owned()),
        ];
        let lab = lab.to_string();
        let mut out = Vec::new();
        for (name, sql) in queries {
            out.extend(crate::projection::dump_rows(&self.conn, name, &sql, [&lab])?);
        }
        Ok(out)
    }
}
