//! How documents travel between replicas ([`Replication`]): heads and bytes, a
//! peer's bytes applied under a check, automerge sync messages, the device
//! directory and actors, the link to the hub.

use std::sync::Arc;

use automerge::sync::{Message, SyncDoc};
use automerge::{Automerge, ChangeHash, PatchLog, ReadDoc, sync};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::docs::crockford;
use super::hub_link::{HubLink, HubLinkStatus, SyncOutcome, is_stale, time};
use super::sync::{check_haves, verify_authors};
use crate::authz::authors::AuthorCheck;
use crate::authz::{Directory, DocFacts, WriteCheck};
use crate::credentials::{BundleKey, CertFingerprint};
use crate::doc;
use crate::doc::{DocKind, DocRef, limits};
use crate::domain::DeviceRole;
use crate::domain::DirectoryEntry as Entry;
use crate::error::{Error, Result};
use crate::ids::{DeviceId, HouseholdId, LabId};
use crate::store::api::*;
use crate::store::docs::{Applied, Pending};
use crate::store::waiting::Waiting;
use crate::store::{Batch, Store};

impl Replication for Store {
    fn directory(&mut self) -> Result<Arc<Directory>> {
        let r = DocRef::project(self.project);
        let heads = self.heads(r)?;
        if let Some((at, d)) = &self.directory
            && *at == heads
        {
            return Ok(d.clone());
        }
        let d = Arc::new(doc::project::directory(self.doc(r)?));
        self.directory = Some((heads, d.clone()));
        Ok(d)
    }

    fn reconcile_directory(&mut self, devices: &[(DeviceId, Entry)]) -> Result<bool> {
        let current = self.directory()?;
        let me = self.device;
        let changed: Vec<&(DeviceId, Entry)> =
            devices.iter().filter(|(id, e)| current.devices.get(id) != Some(e)).collect();
        if changed.is_empty() && current.hub == Some(me) {
            return Ok(false);
        }
        let (_, p) = self.edit(DocRef::project(self.project), false, |tx| {
            if current.hub != Some(me) {
                doc::project::put_hub(tx, me)?;
            }
            for (id, e) in &changed {
                doc::project::put_device(tx, *id, e)?;
            }
            Ok(())
        })?;
        let wrote = p.is_some();
        self.commit(p.into_iter().collect())?;
        // A revoked device syncs no more: what it was known to hold goes
        // (decision 0023).
        for (id, e) in &changed {
            if e.revoked {
                self.forget_sync_points(crate::sync_points::Peer::Device(*id))?;
            }
        }
        Ok(wrote)
    }

    fn renew_actor(&mut self) {
        if self.actor_wrote {
            self.rotate_actor();
        }
    }

    fn rotate_actor(&mut self) {
        self.actor_wrote = false;
        let nonce = self.env.new_uuid().into_bytes();
        let mut tail = [0u8; 8];
        // The random half of a v7 UUID (its first half is the time).
        tail.copy_from_slice(&nonce[8..]);
        self.actor = crate::authz::authors::session_actor(self.device, tail);
        for doc in self.docs.values_mut() {
            doc.set_actor(self.actor.clone());
        }
    }

    fn has_doc(&mut self, r: DocRef) -> Result<bool> {
        self.load(r)
    }

    fn doc_refs(&self) -> Result<Vec<DocRef>> {
        let mut stmt = self.conn.prepare_cached("SELECT doc_key FROM documents ORDER BY doc_key")?;
        let keys: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        keys.iter().map(|k| k.parse()).collect()
    }

    fn heads(&mut self, r: DocRef) -> Result<Vec<ChangeHash>> {
        if !self.load(r)? {
            return Err(Error::not_found(r.kind.as_str(), r.id));
        }
        let heads = self.docs.heads(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
        Ok(heads.to_vec())
    }

    fn export_doc(&mut self, r: DocRef) -> Result<Vec<u8>> {
        Ok(self.doc(r)?.save())
    }

    fn export_since(&mut self, r: DocRef, heads: &[ChangeHash]) -> Result<Vec<u8>> {
        Ok(self.doc(r)?.save_after(heads))
    }

    fn apply_bytes(&mut self, r: DocRef, bytes: &[u8]) -> Result<Applied> {
        self.apply_bytes_checked(r, bytes, WriteCheck::None, AuthorCheck::None)
    }

    fn apply_bytes_checked(
        &mut self,
        r: DocRef,
        bytes: &[u8],
        check: WriteCheck,
        authors: AuthorCheck<'_>,
    ) -> Result<Applied> {
        if let Some(e) = self.erased_doc(r)? {
            return Err(e);
        }
        let reject = |reason: String| Error::RejectedBytes { doc: r.to_string(), reason };
        let existed = self.load(r)?;
        // Work on a copy: the live document changes only once the bytes are
        // known to be valid and of this document.
        let (mut next, before) = match self.docs.get(&r) {
            Some(d) => (d.clone(), d.get_heads()),
            None => (Automerge::new(), Vec::new()),
        };
        let actor = self.actor.clone();
        let live = if existed { self.docs.get(&r) } else { None };
        // Everything that touches the copy runs under `catch_unwind`:
        // automerge 0.12 (and hexane, its column codec) panics on some bytes
        // that carry a valid checksum but are inconsistent inside (unwraps in
        // `load`, in the batch apply, in `save_after`). Only the copy is
        // touched, and it is dropped, so such bytes are refused like any other.
        let merged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let (parsed, _) = crate::doc::bytes::parse(bytes).map_err(|e| e.into_error(r.to_string()))?;
            for mut save in parsed.saves {
                next.merge(&mut save).map_err(|e| reject(e.to_string()))?;
            }
            next.apply_changes(parsed.changes).map_err(|e| reject(e.to_string()))?;
            // Changes whose dependencies are missing are only queued, not
            // applied: the bytes are incomplete, and would otherwise be
            // reported `Unchanged` and silently dropped.
            let missing = next.get_missing_deps(&[]);
            if !missing.is_empty() {
                return Err(reject(format!(
                    "the changes depend on {} change(s) this replica lacks: send those since its heads",
                    missing.len()
                )));
            }
            if !existed && next.get_heads().is_empty() {
                return Err(reject("the bytes hold no changes".into()));
            }
            r.check_identity(&next)?;
            if next.get_heads() == before {
                return Ok(None);
            }
            check.verify(r, live, &next)?;
            super::sync::verify_authors(authors, r, live, &before, &next)?;
            let next = next.with_actor(actor);
            let bytes = next.save_after(&before);
            Ok(Some((next, bytes)))
        }))
        .unwrap_or_else(|_| Err(reject("automerge failed on these bytes (it panicked)".into())));
        let Some((next, bytes)) = merged? else {
            return Ok(Applied::Unchanged);
        };
        self.docs.insert(r, next);
        self.commit(vec![Pending { doc: r, before, bytes, patches: None }])?;
        Ok(Applied::Changed)
    }

    fn fingerprint(&mut self, docs: &[DocRef]) -> Result<String> {
        let mut docs = docs.to_vec();
        docs.sort();
        docs.dedup();
        let mut hasher = Sha256::new();
        for r in docs {
            let heads = if self.load(r)? { self.heads(r)? } else { Vec::new() };
            hasher.update(r.to_string().as_bytes());
            for h in heads {
                hasher.update(h.0);
            }
            hasher.update(b"\n");
        }
        Ok(crockford(&hasher.finalize()[..8]))
    }

    fn set_hub_link(&mut self, link: &HubLink) -> Result<()> {
        if self.hub_link()?.is_some() {
            return Err(Error::invalid("hub_link", "this device is already paired with a hub"));
        }
        self.conn.execute(
            "INSERT INTO hub_link (id, url, token, role, lab_id, bundle_key, cert_sha256)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                link.url,
                link.token,
                link.role.as_str(),
                link.lab.map(|l| l.to_string()),
                link.bundle_key,
                link.cert.map(|c| c.to_hex())
            ],
        )?;
        Ok(())
    }

    fn hub_link(&self) -> Result<Option<HubLink>> {
        let row = self
            .conn
            .query_row(
                "SELECT url, token, role, lab_id, bundle_key, cert_sha256 FROM hub_link WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((url, token, role, lab, bundle_key, cert)) = row else { return Ok(None) };
        let cert = match cert {
            Some(hex) => Some(
                CertFingerprint::from_hex(&hex)
                    .ok_or_else(|| Error::Internal("hub_link holds a damaged certificate pin".into()))?,
            ),
            None => None,
        };
        let role = DeviceRole::parse(&role)
            .ok_or_else(|| Error::Internal(format!("hub_link holds an unknown role {role:?}")))?;
        let lab = match lab {
            Some(l) => {
                Some(l.parse().map_err(|_| Error::Internal(format!("hub_link holds a bad lab {l:?}")))?)
            }
            None => None,
        };
        Ok(Some(HubLink { url, token, role, lab, bundle_key, cert }))
    }

    fn hub_link_status(&self) -> Result<Option<HubLinkStatus>> {
        let Some(link) = self.hub_link()? else { return Ok(None) };
        let (attempt, success, outcome) = self.conn.query_row(
            "SELECT last_attempt, last_success, last_outcome FROM hub_link WHERE id = 1",
            [],
            |r| {
                Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, Option<String>>(2)?))
            },
        )?;
        Ok(Some(HubLinkStatus {
            url: link.url,
            role: link.role,
            lab: link.lab,
            last_attempt: time(attempt),
            last_success: time(success),
            last_outcome: outcome.as_deref().and_then(SyncOutcome::parse),
        }))
    }

    fn record_sync(&mut self, outcome: SyncOutcome) -> Result<()> {
        let now = self.env.now().timestamp_millis();
        let success = matches!(outcome, SyncOutcome::Ok | SyncOutcome::Partial);
        let changed = self.conn.execute(
            "UPDATE hub_link SET last_attempt = ?1, last_outcome = ?2,
                 last_success = CASE WHEN ?3 THEN ?1 ELSE last_success END
             WHERE id = 1",
            params![now, outcome.key(), success],
        )?;
        if changed == 0 {
            return Err(Error::invalid("hub_link", "this device is not paired with a hub"));
        }
        Ok(())
    }

    fn set_bundle_key(&mut self, key: &BundleKey) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE hub_link SET bundle_key = ?1
             WHERE id = 1 AND lab_id IS NOT NULL AND bundle_key IS NOT ?1",
            params![key.to_hex()],
        )?;
        Ok(changed > 0)
    }

    fn stale_limit(&mut self) -> Result<Option<u32>> {
        let Some(status) = self.hub_link_status()? else { return Ok(None) };
        let days = self.retention_policy()?.stale_device_days;
        let now = self.env.now();
        Ok(is_stale(status.last_success, now, days).then_some(days))
    }

    fn generate_sync_message(&mut self, r: DocRef, state: &mut sync::State) -> Result<Option<Vec<u8>>> {
        // An erased family's document is gone: asking the peer for "all of
        // it" would bring it back.
        if self.erased_doc(r)?.is_some() {
            return Ok(None);
        }
        let empty;
        let doc = if self.has_doc(r)? {
            self.doc(r)?
        } else {
            empty = Automerge::new();
            &empty
        };
        // Generating reads the document and trusts what `state` learnt of
        // the peer; should automerge still panic on something a peer sent,
        // that is this message's error, not a panic in the caller (on the
        // hub, a panic while it holds the shared store poisons it for every
        // device).
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            doc.generate_sync_message(state).map(Message::encode)
        }))
        .map_err(|_| Error::Internal(format!("automerge failed generating a sync message for {r}")))
    }

    fn receive_sync_message(
        &mut self,
        r: DocRef,
        state: &mut sync::State,
        bytes: &[u8],
        check: WriteCheck,
        authors: AuthorCheck<'_>,
    ) -> Result<Applied> {
        if let Some(e) = self.erased_doc(r)? {
            return Err(e);
        }
        let reject = |reason: String| Error::RejectedBytes { doc: r.to_string(), reason };
        let refuse = |e: doc::bytes::Unparsed| e.into_error(r.to_string());
        // Bounded before parsed: the message's chunks are scanned as a
        // whole (inflated size, changes, operations), then each is parsed
        // strictly, isolated from automerge's panics (`doc::bytes::parse`).
        let message = limits::decode_message(bytes).map_err(|e| refuse(e.into()))?;
        check_haves(&message).map_err(reject)?;
        let cost = limits::message_cost(&message).map_err(|e| refuse(e.into()))?;
        // Loaded (if held) before the changes are judged against it.
        let existed = self.has_doc(r)?;
        // Changes that would wait for a change nobody sent, counted on
        // their bytes before anything is parsed (a flood of them would
        // otherwise be parsed and queued first).
        let links: Vec<_> = message.changes.iter().filter_map(doc::scan::change_links).collect();
        self.check_would_wait(r, &links)?;
        drop(links);
        // A document new here that arrives whole (one compacted save at the
        // heads the message names, as the hub sends a document the device
        // lacks): the strict parse already loads it, so it is kept and
        // taken as it is instead of automerge loading the same bytes again
        // (the second load was an eighth of a first download), and its
        // bytes are stored as they came. Any other parse is only a check.
        let mut heads = message.heads.clone();
        heads.sort();
        let mut whole = None;
        for chunk in message.changes.iter() {
            let (mut parsed, _) = doc::bytes::parse(chunk).map_err(refuse)?;
            if !existed && message.changes.len() == 1 && parsed.changes.is_empty() && parsed.saves.len() == 1
            {
                whole = parsed
                    .saves
                    .pop()
                    .filter(|d| d.get_heads() == heads && d.get_missing_deps(&[]).is_empty())
                    .map(|d| (d, chunk.to_vec()));
            }
        }
        let heads = self.docs.heads(&r).map(<[ChangeHash]>::to_vec).unwrap_or_default();
        let (mut next, before) = match self.docs.get(&r) {
            Some(d) if !message.changes.is_empty() => (d.clone(), heads),
            Some(_) => {
                // No changes: only the sync state moves; the live document is untouched.
                let mut st = state.clone();
                let d = self.docs.get_mut(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
                // Without changes automerge only reads the document here;
                // should it still panic, the cached copy is dropped (it is
                // reloaded from disk on next use) and the message refused.
                let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    d.receive_sync_message(&mut st, message)
                }));
                let Ok(got) = got else {
                    self.docs.remove(&r);
                    return Err(reject("automerge failed on this message (it panicked)".into()));
                };
                got.map_err(|e| reject(e.to_string()))?;
                debug_assert_eq!(d.get_heads(), heads);
                *state = st;
                return Ok(Applied::Unchanged);
            }
            None => (Automerge::new(), Vec::new()),
        };
        let mut st = state.clone();
        let actor = self.actor.clone();
        let live = if existed { self.docs.get(&r) } else { None };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // A document new here is projected whole at commit: logging its
            // patches would cost as much as applying it, for nothing.
            let mut log = if existed { PatchLog::active() } else { PatchLog::inactive() };
            let mut received = None;
            match whole {
                Some((doc, bytes)) => {
                    // The state moves as if automerge had applied the
                    // changes itself: every head the message names is held,
                    // so its shared heads become those heads either way;
                    // only `last_sent_heads`, which automerge sets when a
                    // message without changes names our heads, is kept as
                    // it was (the acknowledgement must still go out).
                    next = doc;
                    let sent = st.last_sent_heads.clone();
                    let rest = Message { changes: Vec::<Vec<u8>>::new().into(), ..message };
                    next.receive_sync_message_log_patches(&mut st, rest, &mut log)
                        .map_err(|e| reject(e.to_string()))?;
                    st.last_sent_heads = sent;
                    received = Some(bytes);
                }
                None => next
                    .receive_sync_message_log_patches(&mut st, message, &mut log)
                    .map_err(|e| reject(e.to_string()))?,
            }
            if next.get_heads() == before {
                return Ok(Err(next));
            }
            r.check_identity(&next)?;
            check.verify(r, live, &next)?;
            verify_authors(authors, r, live, &before, &next)?;
            let patches = if existed { next.make_patches(&mut log) } else { Vec::new() };
            let next = next.with_actor(actor);
            // A whole document is stored as it came (the bytes just loaded
            // and checked), not saved again.
            let bytes = match received {
                Some(bytes) => bytes,
                None if existed => next.save_after(&before),
                None => next.save(),
            };
            Ok(Ok((next, bytes, patches)))
        }))
        .unwrap_or_else(|_| Err(reject("automerge failed on these changes (it panicked)".into())))?;
        let (next, bytes, patches) = match outcome {
            Ok(applied) => applied,
            Err(waiting) => {
                // Nothing applied: nothing new, or changes that wait in the
                // copy's queue for a change they depend on (the sender skips
                // what the Bloom filter wrongly says we have). Keep those:
                // the sender counts them as sent and will not send them
                // again, only, once asked, the change they wait for.
                if existed && !waiting.get_missing_deps(&[]).is_empty() {
                    self.wait(r, cost, waiting)?;
                }
                *state = st;
                return Ok(Applied::Unchanged);
            }
        };
        // Changes may still wait in `next` for others (some of a message
        // applied, some not): they stay counted until none waits.
        let still_waiting = !next.get_missing_deps(&[]).is_empty();
        let tally = if still_waiting { self.waiting_tally(r).add(cost) } else { Waiting::default() };
        self.docs.insert(r, next);
        let patches = if existed { Some(patches) } else { None };
        self.commit(vec![Pending::new(r, before, bytes, patches)])?;
        self.set_waiting(r, tally);
        *state = st;
        Ok(Applied::Changed)
    }

    fn in_one_transaction<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.batch.is_some() {
            return f(self);
        }
        self.conn.execute_batch("BEGIN")?;
        self.batch = Some(Batch::default());
        let out = f(self);
        let batch = self.batch.take().unwrap_or_default();
        let out = out.and_then(|v| {
            self.conn.execute_batch("COMMIT")?;
            Ok(v)
        });
        if out.is_err() {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.forget_uncommitted();
        }
        self.after_batch(batch, out.is_ok());
        out
    }

    fn in_one_transaction_each<T>(
        &mut self,
        turns: usize,
        mut f: impl FnMut(usize, &mut Self) -> Result<T>,
    ) -> Result<Vec<Result<T>>> {
        if self.batch.is_some() {
            return Err(Error::Internal("turns asked for inside a transaction".into()));
        }
        self.conn.execute_batch("BEGIN")?;
        self.batch = Some(Batch::default());
        let mut outs = Vec::with_capacity(turns);
        let mut lost = None;
        for i in 0..turns {
            if let Err(e) = self.conn.execute_batch("SAVEPOINT taccuino_turn") {
                lost = Some(e.into());
                break;
            }
            let out = f(i, self);
            let ended = match &out {
                Ok(_) => self.conn.execute_batch("RELEASE taccuino_turn"),
                Err(_) => {
                    // Only this turn's writes go; what it left in memory
                    // may not be on disk.
                    let undone = self.conn.execute_batch("ROLLBACK TO taccuino_turn; RELEASE taccuino_turn");
                    self.forget_uncommitted();
                    undone
                }
            };
            // SQLite ends the whole transaction on some errors (a full
            // disk, out of memory): the turns before this one are undone
            // too, and nothing more may run outside a transaction.
            if self.conn.is_autocommit() {
                lost = Some(match out {
                    Err(e) => e,
                    Ok(_) => Error::Internal("the transaction ended inside a turn".into()),
                });
                break;
            }
            if let Err(e) = ended {
                lost = Some(e.into());
                break;
            }
            outs.push(out);
        }
        let batch = self.batch.take().unwrap_or_default();
        let committed = match lost {
            Some(e) => Err(e),
            None => self.conn.execute_batch("COMMIT").map_err(Error::from),
        };
        if committed.is_err() {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.forget_uncommitted();
        }
        self.after_batch(batch, committed.is_ok());
        committed.map(|()| outs)
    }

    fn holds_changes(&mut self, r: DocRef, hashes: &[ChangeHash]) -> Result<bool> {
        if !self.has_doc(r)? {
            return Ok(false);
        }
        let doc = self.doc(r)?;
        let mut heads = doc.get_heads();
        heads.sort();
        let mut asked = hashes.to_vec();
        asked.sort();
        // Usually the peer is at our heads: no lookup at all. Otherwise each
        // hash's metadata (a full `get_change_by_hash` rebuilds the change
        // from the operations: it was most of the hub's time at a `Done`).
        Ok(asked == heads || hashes.iter().all(|h| doc.get_change_meta_by_hash(h).is_some()))
    }

    fn doc_facts(&mut self, r: DocRef) -> Result<DocFacts> {
        let exists = self.has_doc(r)?;
        let id = r.id.to_string();
        let labs = |sql: &str| -> Result<Vec<LabId>> {
            let rows: Vec<String> = self
                .conn
                .prepare_cached(sql)?
                .query_map(params![id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows.iter().filter_map(|s| s.parse().ok()).collect())
        };
        let mut facts = DocFacts { exists, ..DocFacts::default() };
        match r.kind {
            DocKind::Household => {
                facts.listed_in = labs("SELECT lab_id FROM lab_households WHERE household_id = ?1")?;
                facts.household_lab = labs("SELECT lab_id FROM households WHERE id = ?1")?.into_iter().next();
                if exists && facts.household_lab.is_none() {
                    // Held but unreadable as a household: read the document itself.
                    facts.household_lab =
                        doc::household::read(self.doc(r)?, HouseholdId(r.id)).map(|h| h.lab);
                }
            }
            DocKind::Person => {
                // The rosters (written by each lab) only let a lab create a
                // person it lists; who may read an existing person's
                // document follows who created it.
                facts.listed_in = labs("SELECT lab_id FROM lab_roster WHERE person_id = ?1")?;
                if exists {
                    facts.person_labs = labs("SELECT lab_id FROM person_labs WHERE person_id = ?1")?;
                    facts.origin = self.origin(r)?;
                }
            }
            DocKind::Volunteer => facts.organisation = self.volunteer_organisation(r)?,
            _ => {}
        }
        Ok(facts)
    }
}

impl Store {
    /// After a transaction (or a turn of one) was undone: documents in
    /// memory may hold changes that are not on disk, and what was learnt
    /// from them is dropped with them.
    fn forget_uncommitted(&mut self) {
        self.docs.clear();
        self.waiting.clear();
        self.directory = None;
        self.origins.clear();
        // Not needed for soundness (a token drawn inside the rolled-back
        // transaction is never current again), but nothing decided inside
        // it is kept.
        self.forget_readable();
    }

    /// What a transaction owes once it ended, `committed` or not.
    fn after_batch(&mut self, batch: Batch, committed: bool) {
        if batch.scrub {
            // Committed or not, as after any erasure: a failed vacuum is
            // retried at the next open or `maintenance`.
            let _ = self.scrub_if_pending();
        }
        if batch.scrub_volunteers && committed && !batch.scrub {
            let _ = self.scrub();
        }
    }
}
