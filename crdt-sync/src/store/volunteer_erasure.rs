//! Erasure of a volunteer's entry in an organisation's register (GDPR
//! art. 17, decision 0033), as a family's (decision 0009): the entry is one
//! document (`volunteer:<person id>`), so erasing it is dropping that
//! document on every replica that holds it.
//!
//! 1. [`Store::erase_volunteer`](crate::VolunteerRegister::erase_volunteer)
//!    writes a tombstone into the project document
//!    (`erased_volunteers.<person_id>`: organisation, time, who, why; no
//!    personal data). Only a coordinator enrolled for the entry's
//!    organisation may: the command checks the authz table
//!    ([`crate::authz::access`]), and every replica checks the tombstone's
//!    author ([`crate::authz::authors`]) and, where it holds the entry, that
//!    the tombstone names the entry's organisation ([`Store::volunteer_erasures`]).
//! 2. Every commit of the project document applies the tombstones of the
//!    entries this store holds in the same SQLite transaction ([`apply_in`]):
//!    it deletes the entry's stored chunks, what any peer was known to hold
//!    of it, and records the erasure in the audit log. From then on the
//!    store refuses that document from anywhere ([`Error::VolunteerErased`]).
//! 3. After the commit the file is scrubbed (checkpoint, `VACUUM`), so
//!    the freed pages leave it.
//!
//! The project document, not a document of the organisation's: it is the
//! one every replica holds and only coordinators write, so the tombstone
//! reaches every device that may hold the entry (the organisation's
//! coordinators, the hub) in the same sync that would otherwise bring the
//! entry back. It tells every device that the person's entry was erased;
//! it says no more than her person document already does (that she
//! volunteers), see decision 0033.

use rusqlite::Connection;
use serde::Serialize;

use super::Store;
use super::audit::{self, AuditAction};
use super::docs::Pending;
use crate::doc::{self, DocKind, DocRef};
use crate::domain::{ErasureReason, Keyed, VolunteerTombstone};
use crate::env::Environment;
use crate::error::{ErasureRefusal, Error, Result};
use crate::ids::{DeviceId, OrganisationId, PersonId};
use crate::store::api::*;

/// What the audit log keeps of a volunteer's erasure: ids and reason only.
#[derive(Serialize)]
struct AuditDetails {
    person: PersonId,
    organisation: OrganisationId,
    reason: &'static str,
    by_device: DeviceId,
    by_person: Option<PersonId>,
    erased_at: i64,
}

/// Whether this store holds the document `r`, read from the table (no
/// document is loaded).
fn held(conn: &Connection, r: DocRef) -> Result<bool> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM documents WHERE doc_key = ?1")?
        .query_row([r.to_string()], |row| row.get(0))?;
    Ok(n > 0)
}

/// Drops the entries of `tombstones` inside the caller's transaction: the
/// document's chunks and row, its sync points and its conflict rows, with
/// an audit row for each.
pub(super) fn apply_in(
    conn: &Connection,
    env: &mut dyn Environment,
    device: DeviceId,
    tombstones: &[VolunteerTombstone],
) -> Result<()> {
    for t in tombstones {
        let key = DocRef::volunteer(t.person).to_string();
        conn.prepare_cached("DELETE FROM doc_chunks WHERE doc_key = ?1")?.execute([&key])?;
        conn.prepare_cached("DELETE FROM documents WHERE doc_key = ?1")?.execute([&key])?;
        conn.prepare_cached("DELETE FROM sync_points WHERE doc = ?1")?.execute([&key])?;
        conn.prepare_cached("DELETE FROM doc_conflicts WHERE doc_key = ?1")?.execute([&key])?;
        audit::record(
            conn,
            env,
            device,
            AuditAction::VolunteerErasure,
            &AuditDetails {
                person: t.person,
                organisation: t.organisation,
                reason: t.reason.key(),
                by_device: t.by_device,
                by_person: t.by_person,
                erased_at: t.at.timestamp_millis(),
            },
        )?;
    }
    Ok(())
}

impl Store {
    /// The tombstones of the project document as this store holds it.
    pub(crate) fn volunteer_tombstones(&mut self) -> Result<Vec<VolunteerTombstone>> {
        let r = DocRef::project(self.project);
        if !self.load(r)? {
            return Ok(Vec::new());
        }
        Ok(doc::project::volunteer_tombstones(self.doc(r)?).into_values().collect())
    }

    /// The tombstone of `person`'s entry, if it was erased.
    pub(crate) fn volunteer_tombstone(&mut self, person: PersonId) -> Result<Option<VolunteerTombstone>> {
        let r = DocRef::project(self.project);
        if !self.load(r)? {
            return Ok(None);
        }
        Ok(doc::project::volunteer_tombstones(self.doc(r)?).remove(&person))
    }

    /// Before `pending` commits: the volunteers' entries its project
    /// document orders erased that this store still holds, each checked
    /// against the entry's organisation (the creators' enrolment, as the
    /// directory says): a tombstone naming another organisation is refused
    /// ([`ErasureRefusal::OtherOrganisation`]) and nothing commits. An entry
    /// whose organisation this store cannot tell (its directory lacks the
    /// creators) is erased: the hub, which knows them, checked it.
    pub(super) fn volunteer_erasures(&mut self, pending: &[Pending]) -> Result<Vec<VolunteerTombstone>> {
        let project = DocRef::project(self.project);
        let mut out = Vec::new();
        for p in pending {
            if p.doc.kind == DocKind::Volunteer
                && let Some(t) = self.volunteer_tombstone(PersonId(p.doc.id))?
            {
                return Err(Error::VolunteerErased { person: t.person });
            }
        }
        if !pending.iter().any(|p| p.doc == project) {
            return Ok(out);
        }
        let tombstones = match self.docs.get(&project) {
            Some(d) => doc::project::volunteer_tombstones(d),
            None => return Ok(out),
        };
        for t in tombstones.into_values() {
            let r = DocRef::volunteer(t.person);
            if !held(&self.conn, r)? {
                continue;
            }
            match self.volunteer_organisation(r)? {
                Some(o) if o != t.organisation => {
                    return Err(Error::ErasureRefused {
                        doc: project.to_string(),
                        refusal: ErasureRefusal::OtherOrganisation { person: t.person },
                    });
                }
                _ => out.push(t),
            }
        }
        Ok(out)
    }

    /// Applies the tombstones of the project document to entries still held
    /// here: at open, for a register an app that knew no such tombstones
    /// wrote to (a commit applies its own).
    /// Only a register that holds entries loads the project document for it.
    pub(super) fn apply_pending_volunteer_erasures(&mut self) -> Result<()> {
        let entries: i64 = self.conn.query_row(
            "SELECT count(*) FROM documents WHERE kind = ?1",
            [DocKind::Volunteer.as_str()],
            |row| row.get(0),
        )?;
        if entries == 0 {
            return Ok(());
        }
        let mut due = Vec::new();
        for t in self.volunteer_tombstones()? {
            if held(&self.conn, DocRef::volunteer(t.person))? {
                due.push(t);
            }
        }
        if due.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        apply_in(&tx, &mut *self.env, self.device, &due)?;
        tx.commit()?;
        for t in &due {
            self.docs.remove(&DocRef::volunteer(t.person));
        }
        self.scrub()
    }

    /// Erases `person`'s entry: see
    /// [`VolunteerRegister::erase_volunteer`](crate::VolunteerRegister::erase_volunteer).
    pub(super) fn erase_volunteer_entry(
        &mut self,
        person: PersonId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<VolunteerTombstone> {
        if let Some(t) = self.volunteer_tombstone(person)? {
            return Ok(t);
        }
        let r = DocRef::volunteer(person);
        if !self.has_doc(r)? {
            return Err(Error::not_found("volunteer", person.0));
        }
        let organisation = self.writable_entry_organisation(r)?;
        let t = VolunteerTombstone {
            person,
            organisation,
            at: self.env.now(),
            by_device: self.device,
            by_person,
            reason,
        };
        let (_, p) = self.edit(DocRef::project(self.project), false, |tx| {
            doc::project::write_volunteer_tombstone(tx, &t)
        })?;
        self.commit(p.into_iter().collect())?;
        Ok(t)
    }
}

impl Store {
    /// Writes `t` into the project document with none of the checks
    /// `Store::erase_volunteer_entry` makes: what a modified client could
    /// send. For the test kit's forged tombstones only.
    #[cfg(any(test, feature = "testing"))]
    pub fn write_volunteer_tombstone_unchecked(&mut self, t: &VolunteerTombstone) -> Result<()> {
        let (_, p) = self.edit(DocRef::project(self.project), false, |tx| {
            doc::project::write_volunteer_tombstone(tx, t)
        })?;
        self.commit(p.into_iter().collect())
    }
}
