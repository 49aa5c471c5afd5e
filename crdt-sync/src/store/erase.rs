//! Erasure of a family (GDPR art. 17, issue 6).
//!
//! Automerge keeps every change forever, so a family's personal data lives
//! only in its own household document, and erasing the family is dropping
//! that document on every replica. What stays is a *tombstone* in the lab
//! document (`erased.<household_id>`: code, time, who, why; no personal
//! data), which every replica obeys when it sees it:
//!
//! 1. [`Store::erase_household`] writes the tombstone (one change to the lab
//!    document, committed like any other write).
//! 2. Every commit of a lab document whose tombstones changed (a local
//!    operation, a sync message, a bundle) applies the erasures in the same
//!    SQLite transaction ([`apply_in`]): it keeps an aggregate-only trace for
//!    the indicators, deletes the household's stored chunks and projection
//!    rows, and records the erasure in the audit log. From then on the store
//!    refuses that household's document from anywhere ([`Error::Erased`]).
//! 3. After the commit, [`Store::scrub`] checkpoints the WAL and vacuums,
//!    so the freed pages (already zeroed by `secure_delete`) leave the file.
//!
//! The choices are written down in `docs/decisions/0009-erasure.md`.

use std::collections::{BTreeMap, BTreeSet};

use super::Store;
use crate::env::Environment;
use crate::store::api::*;
use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::audit::{self, AuditAction};
use crate::doc::{self, DocKind, DocRef};
use crate::domain::{ErasedHousehold, ErasureReason, ErasureRequest, Keyed, Tombstone};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, HouseholdId, LabId, PersonId};

/// What the audit log keeps of an erasure: ids, code and reason only.
#[derive(Serialize)]
struct AuditDetails<'a> {
    household: HouseholdId,
    code: &'a str,
    lab: LabId,
    reason: &'static str,
    by_device: DeviceId,
    by_person: Option<PersonId>,
    requested_by: Option<PersonId>,
    erased_at: i64,
}

/// Keeps what the indicators need of a family about to be erased, from its
/// projection rows (nothing, if this store never held its document): each
/// member's family and person as the indicators resolve them (merges
/// followed, as `indicators::reach::MEMBERS` does), birth years, and the
/// pathways' spans with the lab they count for.
fn keep_trace(conn: &Connection, id: HouseholdId) -> Result<()> {
    let id = id.to_string();
    conn.prepare_cached(
        "INSERT OR IGNORE INTO erased_members (member_id, household_id, family_id, person_id, birth_year)
         SELECT m.id, m.household_id, coalesce(h.canonical_id, m.household_id),
                CASE WHEN h.canonical_id <> m.household_id THEN coalesce(
                    (SELECT w.id FROM members w
                      WHERE w.household_id = h.canonical_id AND w.first_name = m.first_name
                        AND w.last_name = m.last_name AND w.birth_year IS m.birth_year
                      ORDER BY w.id LIMIT 1),
                    m.id)
                ELSE m.id END,
                m.birth_year
           FROM members m LEFT JOIN households h ON h.id = m.household_id
          WHERE m.household_id = ?1",
    )?
    .execute([&id])?;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO erased_pathways (pathway_id, household_id, family_id, lab_id, start_date, end_date)
         SELECT p.id, p.household_id, h.canonical_id, coalesce(c.lab_id, h.lab_id), p.start_date, p.end_date
           FROM pathways p
           JOIN households h ON h.id = p.household_id
           LEFT JOIN households c ON c.id = h.canonical_id
          WHERE p.household_id = ?1",
    )?
    .execute([&id])?;
    Ok(())
}

/// Applies `tombstones` inside the caller's transaction: for each family not
/// yet erased here, keeps its trace, deletes its document and projection
/// rows, and records the erasure. Returns the families erased now.
pub(super) fn apply_in(
    conn: &Connection,
    env: &mut dyn Environment,
    device: DeviceId,
    tombstones: Vec<Tombstone>,
) -> Result<Vec<HouseholdId>> {
    let mut fresh: BTreeMap<HouseholdId, Tombstone> = BTreeMap::new();
    for t in tombstones {
        let known: i64 = conn
            .prepare_cached("SELECT count(*) FROM erased_households WHERE id = ?1")?
            .query_row([t.household.to_string()], |r| r.get(0))?;
        if known == 0 {
            fresh.entry(t.household).or_insert(t);
        }
    }
    // Every trace first, while the rows of all of them are still here: a
    // duplicate merged into a family erased in the same batch still resolves
    // to it.
    for id in fresh.keys() {
        keep_trace(conn, *id)?;
    }
    let mut held_any = false;
    for t in fresh.values() {
        let id = t.household.to_string();
        let key = DocRef::household(t.household).to_string();
        // A family whose document and rows never reached this file (a
        // first sync that brings its lab's tombstone) left nothing to scrub:
        // its erasure is recorded as scrubbed, and no vacuum runs for it.
        let held: i64 = conn
            .prepare_cached(
                "SELECT (SELECT count(*) FROM documents WHERE doc_key = ?1)
                      + (SELECT count(*) FROM households WHERE id = ?2)",
            )?
            .query_row(params![key, id], |r| r.get(0))?;
        held_any |= held > 0;
        conn.prepare_cached(
            "INSERT INTO erased_households (id, lab_id, code, erased_at, reason, scrubbed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            id,
            t.lab.to_string(),
            t.code,
            t.at.timestamp_millis(),
            t.reason.key(),
            i64::from(held == 0)
        ])?;
        conn.prepare_cached("DELETE FROM doc_chunks WHERE doc_key = ?1")?.execute([&key])?;
        conn.prepare_cached("DELETE FROM documents WHERE doc_key = ?1")?.execute([&key])?;
        // What any peer was known to hold of it goes too (decision 0023).
        conn.prepare_cached("DELETE FROM sync_points WHERE doc = ?1")?.execute([&key])?;
        crate::projection::erase_household(conn, t.household)?;
        audit::record(
            conn,
            env,
            device,
            AuditAction::Erasure,
            &AuditDetails {
                household: t.household,
                code: &t.code,
                lab: t.lab,
                reason: t.reason.key(),
                by_device: t.by_device,
                by_person: t.by_person,
                requested_by: t.requested_by,
                erased_at: t.at.timestamp_millis(),
            },
        )?;
    }
    if held_any {
        // An FTS5 delete only adds a "deleted" marker; the names stay in the
        // index's older segments until they are merged. `optimize` merges
        // them all, leaving the erased names nowhere in the index.
        conn.execute("INSERT INTO household_search (household_search) VALUES ('optimize')", [])?;
    }
    Ok(fresh.into_keys().collect())
}

fn parse<T: std::str::FromStr>(s: String) -> rusqlite::Result<T> {
    s.parse().map_err(|_| rusqlite::Error::InvalidColumnType(0, s, rusqlite::types::Type::Text))
}

impl Store {
    /// The erasure of `r`, if `r` is the document of an erased family or
    /// of a volunteer's erased entry.
    pub(crate) fn erased_doc(&mut self, r: DocRef) -> Result<Option<Error>> {
        if r.kind == DocKind::Volunteer {
            return Ok(self
                .volunteer_tombstone(crate::ids::PersonId(r.id))?
                .map(|t| Error::VolunteerErased { person: t.person }));
        }
        if r.kind != DocKind::Household {
            return Ok(None);
        }
        Ok(self.erased_household(HouseholdId(r.id))?.map(|e| Error::Erased { household: e.id, code: e.code }))
    }

    /// The lab that lists family `id` and its code there: the lab its own
    /// document names when the family is here, else the first lab index
    /// that lists it.
    fn listing(&self, id: HouseholdId) -> Result<Option<(LabId, String)>> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT l.lab_id, l.code FROM lab_households l LEFT JOIN households h ON h.id = l.household_id
                  WHERE l.household_id = ?1 ORDER BY (h.lab_id IS l.lab_id) DESC, l.lab_id LIMIT 1",
            )?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(lab, code)| Some((lab.parse().ok()?, code))))
    }

    /// Applies every tombstone of the lab documents `labs` not yet applied
    /// here, then scrubs if an erasure was not scrubbed yet. Run at open on
    /// the lab documents just re-projected, or on every lab document of a
    /// register an older app wrote (which may not have known tombstones):
    /// a commit applies its own tombstones in its transaction.
    pub(super) fn apply_pending_erasures(&mut self, labs: &[DocRef]) -> Result<()> {
        let mut tombstones = Vec::new();
        for &r in labs {
            tombstones.extend(doc::lab::tombstones(self.doc(r)?, LabId(r.id)).into_values());
        }
        if !tombstones.is_empty() {
            let tx = self.conn.transaction()?;
            let erased = apply_in(&tx, &mut *self.env, self.device, tombstones)?;
            tx.commit()?;
            for h in erased {
                self.docs.remove(&DocRef::household(h));
            }
        }
        self.scrub_if_pending()
    }

    /// Scrubs if an erasure was applied and not scrubbed yet (a scrub that
    /// failed, or a crash right after the erasure's commit).
    pub(super) fn scrub_if_pending(&mut self) -> Result<()> {
        let unscrubbed: i64 =
            self.conn
                .query_row("SELECT count(*) FROM erased_households WHERE scrubbed = 0", [], |r| r.get(0))?;
        if unscrubbed > 0 {
            self.scrub()?;
        }
        Ok(())
    }
}

fn erased_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ErasedHousehold> {
    Ok(ErasedHousehold {
        id: parse(r.get(0)?)?,
        lab: parse(r.get(1)?)?,
        code: r.get(2)?,
        erased_at: DateTime::from_timestamp_millis(r.get(3)?).unwrap_or_default(),
        reason: ErasureReason::from_key(&r.get::<_, String>(4)?).unwrap_or(ErasureReason::Other),
    })
}

impl Store {
    /// Writes `t` into its lab document with none of the checks
    /// [`Store::erase_household`] makes: what a modified client could send.
    /// For the test kit's forged tombstones only.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn write_tombstone_unchecked(&mut self, t: &Tombstone) -> Result<()> {
        let (_, p) = self.edit(DocRef::lab(t.lab), false, |tx| doc::lab::write_tombstone(tx, t))?;
        self.commit(p.into_iter().collect())
    }
}

impl Erasure for Store {
    fn erased_household(&self, id: HouseholdId) -> Result<Option<ErasedHousehold>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, lab_id, code, erased_at, reason FROM erased_households WHERE id = ?1",
            )?
            .query_row([id.to_string()], erased_row)
            .optional()?)
    }

    fn erased_households(&self, lab: Option<LabId>) -> Result<Vec<ErasedHousehold>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, lab_id, code, erased_at, reason FROM erased_households
              WHERE ?1 IS NULL OR lab_id = ?1 ORDER BY code, id",
        )?;
        let rows = stmt.query_map([lab.map(|l| l.to_string())], erased_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn tombstone(&mut self, id: HouseholdId) -> Result<Option<Tombstone>> {
        let Some(e) = self.erased_household(id)? else { return Ok(None) };
        if !self.has_doc(DocRef::lab(e.lab))? {
            return Ok(None);
        }
        Ok(doc::lab::tombstones(self.doc(DocRef::lab(e.lab))?, e.lab).remove(&id))
    }

    fn erasure_requests(&mut self, lab: Option<LabId>) -> Result<Vec<ErasureRequest>> {
        let labs: Vec<LabId> = match lab {
            Some(l) => vec![l],
            None => self.labs()?.into_iter().map(|l| l.id).collect(),
        };
        let mut out = Vec::new();
        for l in labs {
            if !self.has_doc(DocRef::lab(l))? {
                continue;
            }
            let d = self.doc(DocRef::lab(l))?;
            let erased = doc::lab::tombstones(d, l);
            out.extend(
                doc::lab::erasure_requests(d, l).into_iter().filter(|r| !erased.contains_key(&r.household)),
            );
        }
        out.sort_by(|a, b| a.code.cmp(&b.code).then(a.household.cmp(&b.household)));
        Ok(out)
    }

    fn request_erasure(
        &mut self,
        id: HouseholdId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<ErasureRequest> {
        if let Some(e) = self.erased_doc(DocRef::household(id))? {
            return Err(e);
        }
        let (lab, code) = self.listing(id)?.ok_or_else(|| Error::not_found("household", id))?;
        let request = ErasureRequest {
            household: id,
            lab,
            code,
            at: self.env.now(),
            by_device: self.device,
            by_person,
            reason,
        };
        let (_, p) = self.edit(DocRef::lab(lab), false, |tx| doc::lab::write_request(tx, &request))?;
        self.commit(p.into_iter().collect())?;
        Ok(request)
    }

    fn erase_household(
        &mut self,
        id: HouseholdId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<Vec<Tombstone>> {
        if let Some(e) = self.erased_household(id)? {
            let t = self.tombstone(id)?.unwrap_or(Tombstone {
                household: id,
                lab: e.lab,
                code: e.code,
                at: e.erased_at,
                by_device: self.device,
                by_person: None,
                reason: e.reason,
                requested_by: None,
                confirmed_by: None,
            });
            return Ok(vec![t]);
        }
        let (lab, code) = self.listing(id)?.ok_or_else(|| Error::not_found("household", id))?;
        let losers: Vec<(String, String, bool)> = self
            .conn
            .prepare_cached(
                "SELECT id, code, merge_confirmed FROM households
                  WHERE canonical_id = ?1 AND id <> ?1 ORDER BY code, id",
            )?
            .query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if let Some((_, loser, _)) = losers.iter().find(|(_, _, confirmed)| !confirmed) {
            return Err(Error::Merge(format!(
                "{loser} is merged into {code} but the merge is not confirmed: confirm or undo it before erasing"
            )));
        }
        let mut targets = vec![(id, lab, code)];
        for (loser, _, _) in losers {
            let Ok(loser) = loser.parse::<HouseholdId>() else { continue };
            if let Some((l, c)) = self.listing(loser)?
                && self.erased_household(loser)?.is_none()
            {
                targets.push((loser, l, c));
            }
        }
        let at = self.env.now();
        let mut tombstones = Vec::new();
        for (household, lab, code) in targets {
            let requested_by = doc::lab::erasure_requests(self.doc(DocRef::lab(lab))?, lab)
                .into_iter()
                .find(|r| r.household == household)
                .and_then(|r| r.by_person);
            tombstones.push(Tombstone {
                household,
                lab,
                code,
                at,
                by_device: self.device,
                by_person,
                reason,
                requested_by,
                confirmed_by: by_person,
            });
        }
        let labs: BTreeSet<LabId> = tombstones.iter().map(|t| t.lab).collect();
        let mut pending = Vec::new();
        for lab in labs {
            let mine: Vec<&Tombstone> = tombstones.iter().filter(|t| t.lab == lab).collect();
            match self.edit(DocRef::lab(lab), false, |tx| {
                mine.iter().try_for_each(|t| doc::lab::write_tombstone(tx, t))
            }) {
                Ok((_, p)) => pending.push(p),
                Err(e) => {
                    self.discard(pending);
                    return Err(e);
                }
            }
        }
        self.commit(pending.into_iter().flatten().collect())?;
        Ok(tombstones)
    }

    fn scrub(&mut self) -> Result<()> {
        self.checkpoint()?;
        // The vacuum's transient copy in memory: a temporary file would hold
        // the rows outside the encrypted database.
        self.conn.execute_batch("PRAGMA temp_store = MEMORY; VACUUM; PRAGMA temp_store = DEFAULT;")?;
        self.checkpoint()?;
        self.conn.execute("UPDATE erased_households SET scrubbed = 1 WHERE scrubbed = 0", [])?;
        self.checkpoint()?;
        Ok(())
    }
}
