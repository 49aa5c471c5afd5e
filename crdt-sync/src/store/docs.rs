//! Documents in the store: loading, the write path, bytes from elsewhere,
//! and keeping the projection in step.

use automerge::transaction::{CommitOptions, Transaction};
use automerge::{Automerge, ChangeHash, LoadOptions, OnPartialLoad, PatchLog, VerificationMode};
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::doc::{self, DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId};
use crate::projection::{self, Scope};
use crate::store::api::Erasure as _;

/// Documents with at least this many chunks are compacted into one save by
/// [`Store::maintenance`] (run at open and when the app is idle), never in
/// a person's write.
pub(super) const COMPACT_AFTER: i64 = 256;
/// A safety net for a store whose maintenance never runs: the write that
/// crosses this many chunks compacts inline, bounding load time.
const COMPACT_INLINE: i64 = 4096;

/// What applying bytes from another replica did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// New changes were stored and projected.
    Changed,
    /// Everything in the bytes was already here.
    Unchanged,
}

/// An automerge change made in memory, not yet in SQLite.
pub(super) struct Pending {
    pub(super) doc: DocRef,
    pub(super) before: Vec<ChangeHash>,
    pub(super) bytes: Vec<u8>,
    /// What the change did, when it was logged as it was made (local
    /// edits); otherwise the commit computes it with a diff.
    pub(super) patches: Option<Vec<automerge::Patch>>,
}

impl Pending {
    pub(super) fn new(
        doc: DocRef,
        before: Vec<ChangeHash>,
        bytes: Vec<u8>,
        patches: Option<Vec<automerge::Patch>>,
    ) -> Self {
        Pending { doc, before, bytes, patches }
    }
}

pub(super) fn encode_heads(mut heads: Vec<ChangeHash>) -> Vec<u8> {
    heads.sort();
    heads.iter().flat_map(|h| h.0).collect()
}

pub(super) fn load_options() -> LoadOptions<'static> {
    LoadOptions::new().on_partial_load(OnPartialLoad::Error).verification_mode(VerificationMode::Check)
}

impl Store {
    /// Loads `r` from SQLite into the cache if it is there. Returns whether it exists.
    pub(super) fn load(&mut self, r: DocRef) -> Result<bool> {
        if self.docs.contains_key(&r) {
            return Ok(true);
        }
        let key = r.to_string();
        let mut stmt =
            self.conn.prepare_cached("SELECT bytes FROM doc_chunks WHERE doc_key = ?1 ORDER BY seq")?;
        let chunks: Vec<Vec<u8>> =
            stmt.query_map([&key], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?;
        if chunks.is_empty() {
            return Ok(false);
        }
        let doc = Automerge::load_with_options(&chunks.concat(), load_options())
            .map_err(|source| Error::DamagedDocument { doc: key, source: Box::new(source) })?
            .with_actor(self.actor.clone());
        self.docs.insert(r, doc);
        Ok(true)
    }

    /// The document `r`, loaded; `NotFound` if this store does not hold it.
    pub(super) fn doc(&mut self, r: DocRef) -> Result<&Automerge> {
        if !self.load(r)? {
            return Err(Error::not_found(r.kind.as_str(), r.id));
        }
        self.docs.get(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))
    }

    /// Creates `r` from its genesis if it does not exist yet, and stores it.
    pub(super) fn ensure_doc(&mut self, r: DocRef) -> Result<()> {
        if self.load(r)? {
            return Ok(());
        }
        let doc = r.genesis().with_actor(self.actor.clone());
        let bytes = doc.save();
        self.docs.insert(r, doc);
        self.commit(vec![Pending { doc: r, before: Vec::new(), bytes, patches: None }])
    }

    /// Runs `f` as one automerge transaction on `r` (created from its genesis
    /// when `create` is set). On error nothing changes. The change is not yet
    /// durable: pass the result to [`Store::commit`].
    pub(super) fn edit<R>(
        &mut self,
        r: DocRef,
        create: bool,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<R>,
    ) -> Result<(R, Option<Pending>)> {
        let mut fresh = false;
        if let Some(e) = self.erased_doc(r)? {
            return Err(e);
        }
        if !self.load(r)? {
            if !create {
                return Err(Error::not_found(r.kind.as_str(), r.id));
            }
            self.docs.insert(r, r.genesis().with_actor(self.actor.clone()));
            fresh = true;
        }
        let time = self.env.now().timestamp_millis();
        let doc = self.docs.get_mut(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
        let before = if fresh { Vec::new() } else { doc.get_heads() };
        // Patches are logged as the transaction runs: diffing the document
        // afterwards walks all of it (4.5 ms on a five-year lab), logging
        // costs only what changed.
        let mut tx = doc
            .transaction_log_patches(PatchLog::active())
            .map_err(|e| Error::Internal(format!("patch log: {e}")))?;
        match f(&mut tx) {
            Ok(out) => {
                let mut options = CommitOptions::default().with_time(time);
                if let Some(message) = super::trail::change_message(self.operator) {
                    options = options.with_message(message);
                }
                let (_, mut log) = tx.commit_with(options);
                let doc = self.docs.get(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
                if !fresh && doc.get_heads() == before {
                    return Ok((out, None));
                }
                let patches = doc.make_patches(&mut log);
                let bytes = doc.save_after(&before);
                self.actor_wrote = true;
                Ok((out, Some(Pending { doc: r, before, bytes, patches: Some(patches) })))
            }
            Err(e) => {
                tx.rollback();
                if fresh {
                    self.docs.remove(&r);
                }
                Err(e)
            }
        }
    }

    /// Forgets in-memory changes that did not reach SQLite.
    pub(super) fn discard(&mut self, pending: impl IntoIterator<Item = Option<Pending>>) {
        for p in pending.into_iter().flatten() {
            self.docs.remove(&p.doc);
        }
    }

    /// Makes pending changes durable: their bytes and the projection rows
    /// they imply commit in one SQLite transaction, or not at all (and then
    /// the in-memory documents are reloaded from disk on next use).
    pub(super) fn commit(&mut self, pending: Vec<Pending>) -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let volunteers = match self.volunteer_erasures(&pending) {
            Ok(v) => v,
            Err(e) => {
                for p in &pending {
                    self.docs.remove(&p.doc);
                }
                return Err(e);
            }
        };
        let erased = match self.commit_inner(&pending, &volunteers) {
            Ok(erased) => erased,
            Err(e) => {
                for p in &pending {
                    self.docs.remove(&p.doc);
                }
                return Err(e);
            }
        };
        if !volunteers.is_empty() {
            for t in &volunteers {
                self.docs.remove(&DocRef::volunteer(t.person));
            }
            match &mut self.batch {
                Some(batch) => batch.scrub_volunteers = true,
                // Committed whatever happens here; a failed vacuum leaves
                // the freed pages (zeroed by `secure_delete`) until the next
                // erasure's or `maintenance`'s.
                None => {
                    let _ = self.scrub();
                }
            }
        }
        if !erased.is_empty() {
            for h in erased {
                self.docs.remove(&DocRef::household(h));
            }
            match &mut self.batch {
                // A vacuum cannot run inside the batch's transaction.
                Some(batch) => batch.scrub = true,
                // The erasure is committed whatever happens here; should the
                // vacuum fail (a full disk), `erased_households.scrubbed`
                // stays 0 and the next open or `maintenance` scrubs again.
                // Only families that had something here need it.
                None => {
                    let _ = self.scrub_if_pending();
                }
            }
        }
        Ok(())
    }

    /// The commit's one SQLite transaction (a savepoint: inside a batch's
    /// transaction it nests, alone it is a transaction of its own); returns
    /// the families erased by tombstones of the committed lab documents
    /// (see `store/erase.rs`).
    fn commit_inner(
        &mut self,
        pending: &[Pending],
        volunteers: &[crate::domain::VolunteerTombstone],
    ) -> Result<Vec<HouseholdId>> {
        let tx = self.conn.savepoint()?;
        let mut tombstones = Vec::new();
        for p in pending {
            if p.doc.kind == DocKind::Household {
                let erased: Option<String> = tx
                    .prepare_cached("SELECT code FROM erased_households WHERE id = ?1")?
                    .query_row([p.doc.id.to_string()], |r| r.get(0))
                    .optional()?;
                if let Some(code) = erased {
                    return Err(Error::Erased { household: HouseholdId(p.doc.id), code });
                }
            }
            let doc = self.docs.get(&p.doc).ok_or_else(|| Error::not_found(p.doc.kind.as_str(), p.doc.id))?;
            let key = p.doc.to_string();
            let heads = encode_heads(doc.get_heads());
            let count: Option<i64> = tx
                .prepare_cached("SELECT chunk_count FROM documents WHERE doc_key = ?1")?
                .query_row([&key], |r| r.get(0))
                .optional()?;
            let count = count.unwrap_or(0);
            if count + 1 > COMPACT_INLINE {
                tx.prepare_cached("DELETE FROM doc_chunks WHERE doc_key = ?1")?.execute([&key])?;
                tx.prepare_cached("INSERT INTO doc_chunks (doc_key, seq, bytes) VALUES (?1, 0, ?2)")?
                    .execute(params![key, doc.save()])?;
            } else {
                tx.prepare_cached(
                    "INSERT INTO doc_chunks (doc_key, seq, bytes)
                     VALUES (?1, (SELECT coalesce(max(seq) + 1, 0) FROM doc_chunks WHERE doc_key = ?1), ?2)",
                )?
                .execute(params![key, p.bytes])?;
            }
            let scope = match &p.patches {
                _ if p.before.is_empty() => Scope::Whole,
                Some(patches) => Scope::Patches(patches.clone()),
                None => Scope::Patches(doc.diff(&p.before, &doc.get_heads())),
            };
            if p.doc.kind == DocKind::Lab {
                let erasures = match &scope {
                    Scope::Whole => true,
                    Scope::Patches(patches) => {
                        doc::lab::touched(patches).erased || doc::lab::erased_in_conflict(doc)
                    }
                };
                if erasures {
                    tombstones.extend(doc::lab::tombstones(doc, LabId(p.doc.id)).into_values());
                }
            }
            projection::apply(&tx, &projection::plan(p.doc, doc, scope))?;
            tx.prepare_cached(
                "INSERT INTO documents (doc_key, kind, heads, projected_heads, projection_version, chunk_count)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?5)
                 ON CONFLICT (doc_key) DO UPDATE SET heads = ?3, projected_heads = ?3,
                    projection_version = ?4, chunk_count = ?5",
            )?
            .execute(params![
                key,
                p.doc.kind.as_str(),
                heads,
                projection::VERSION,
                if count + 1 > COMPACT_INLINE { 1 } else { count + 1 }
            ])?;
        }
        let erased = super::erase::apply_in(&tx, &mut *self.env, self.device, tombstones)?;
        super::volunteer_erasure::apply_in(&tx, &mut *self.env, self.device, volunteers)?;
        tx.commit()?;
        Ok(erased)
    }

    /// The documents whose projection the `documents` rows show behind
    /// (projected at other heads than the stored ones, or by another
    /// projection version), read without loading any document.
    pub(super) fn stale_projections(&self) -> Result<Vec<DocRef>> {
        let keys: Vec<String> = self
            .conn
            .prepare(
                "SELECT doc_key FROM documents
                 WHERE projected_heads IS NOT heads OR projection_version IS NOT ?1
                 ORDER BY doc_key",
            )?
            .query_map([projection::VERSION], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        keys.iter().map(|k| k.parse()).collect()
    }

    /// Re-projects `docs` whole (loading them first), in one transaction.
    pub(super) fn reproject(&mut self, docs: &[DocRef]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        for r in docs {
            self.load(*r)?;
        }
        let tx = self.conn.transaction()?;
        for r in docs {
            let doc = self.docs.get(r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
            projection::apply(&tx, &projection::plan(*r, doc, Scope::Whole))?;
            tx.prepare_cached("UPDATE documents SET heads = ?2, projected_heads = ?2, projection_version = ?3 WHERE doc_key = ?1")?
                .execute(params![r.to_string(), encode_heads(doc.get_heads()), projection::VERSION])?;
        }
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn crockford(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u64 = 0;
    for b in bytes.iter().take(8) {
        bits = (bits << 8) | u64::from(*b);
    }
    // 60 bits: 12 characters in three groups of four.
    let chars: Vec<u8> = (0..12).map(|i| ALPHABET[((bits >> (59 - i * 5)) & 31) as usize]).collect();
    let s = String::from_utf8_lossy(&chars).into_owned();
    format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}
