//! The volunteers' register ([`VolunteerRegister`]): entries kept in one
//! document per volunteer (`volunteer:<person id>`), never projected into
//! the tables, so no codice fiscale or residence reaches the search index
//! or a lab; and each entry's history, read from its document's changes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use super::trail::message_person;
use crate::authz::authors::device_of;
use crate::authz::{DocFacts, Grant, access};
use crate::doc::{self, DocKind, DocRef};
use crate::domain::{
    ErasureReason, Organisation, Role, VolunteerEntry, VolunteerRecord, VolunteerTombstone, check_name,
};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, LabId, MeetingId, OrganisationId, PersonId};
use crate::store::api::*;

/// One change to a volunteer's entry, as its history shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct VolunteerChange {
    /// When (the writing device's clock).
    pub at: DateTime<Utc>,
    /// The device that wrote it.
    pub device: Option<DeviceId>,
    /// The person using that device, when known.
    pub person: Option<PersonId>,
    /// The fields it changed.
    pub fields: Vec<FieldChange>,
}

/// One field of an entry before and after a change (empty: absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct FieldChange {
    /// The field (`codice_fiscale`, `residence`, `start`, ...).
    pub field: String,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
}

/// A meeting led by a volunteer whom the register does not cover on its
/// date: the volunteering had not started or had ended, or the insurance
/// (art. 18 CTS) did not cover the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct CoverWarning {
    /// The meeting.
    pub meeting: MeetingId,
    /// Its lab.
    pub lab: LabId,
    /// Its date.
    pub date: NaiveDate,
    /// The facilitator.
    pub person: PersonId,
    /// Outside the volunteering's start and end.
    pub not_volunteering: bool,
    /// Outside the insurance period (or no insurance recorded).
    pub not_insured: bool,
}

impl Store {
    /// This device's grant, as the directory the hub wrote says.
    fn own_grant(&mut self) -> Result<Option<Grant>> {
        let device = self.device();
        Ok(self.directory()?.devices.get(&device).filter(|e| !e.revoked).map(|e| e.grant))
    }

    /// The organisation of the held entry `r`, if this device may write it
    /// (a coordinator of that organisation: the authz table decides), else
    /// [`Error::NotOfOrganisation`].
    pub(super) fn writable_entry_organisation(&mut self, r: DocRef) -> Result<OrganisationId> {
        let grant = self.own_grant()?.ok_or(Error::NotOfOrganisation)?;
        let facts = self.volunteer_facts(r)?;
        match facts.organisation {
            Some(o) if facts.exists && access(grant, r, &facts).can_write() => Ok(o),
            _ => Err(Error::NotOfOrganisation),
        }
    }

    fn volunteer_facts(&mut self, r: DocRef) -> Result<DocFacts> {
        Ok(DocFacts {
            exists: self.has_doc(r)?,
            organisation: self.volunteer_organisation(r)?,
            ..DocFacts::default()
        })
    }
}

impl VolunteerRegister for Store {
    fn organisations(&mut self) -> Result<Vec<Organisation>> {
        let r = DocRef::project(self.project);
        Ok(doc::project::organisations(self.doc(r)?))
    }

    fn add_organisation(&mut self, name: &str) -> Result<OrganisationId> {
        let name = check_name("organisation.name", name)?;
        if self.organisations()?.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
            return Err(Error::invalid("organisation.name", format!("{name} is already listed")));
        }
        let o = Organisation { id: OrganisationId(self.env.new_uuid()), name };
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_organisation(tx, &o))?;
        self.commit(p.into_iter().collect())?;
        Ok(o.id)
    }

    fn own_organisation(&mut self) -> Result<Option<OrganisationId>> {
        Ok(self.own_grant()?.filter(|g| g.is_coordinator()).and_then(|g| g.organisation))
    }

    fn keep_volunteer(&mut self, person: PersonId, entry: VolunteerEntry) -> Result<VolunteerRecord> {
        let r = DocRef::volunteer(person);
        if let Some(e) = self.erased_doc(r)? {
            return Err(e);
        }
        let grant = self.own_grant()?.ok_or(Error::NotOfOrganisation)?;
        let facts = self.volunteer_facts(r)?;
        if !access(grant, r, &facts).can_write() {
            return Err(Error::NotOfOrganisation);
        }
        if self.person(person)?.role != Role::Volunteer {
            return Err(Error::invalid("volunteer.person", "the register lists volunteers only"));
        }
        let today = self.env.today();
        let checked = entry.check(today)?;
        let (_, p) = self.edit(r, !facts.exists, |tx| doc::volunteer::write(tx, &checked))?;
        self.commit(p.into_iter().collect())?;
        self.volunteer(person)?.ok_or_else(|| Error::Internal("an entry just written is unreadable".into()))
    }

    fn volunteer(&mut self, person: PersonId) -> Result<Option<VolunteerRecord>> {
        let r = DocRef::volunteer(person);
        if !self.has_doc(r)? {
            return Ok(None);
        }
        let organisation = self.volunteer_organisation(r)?;
        Ok(doc::volunteer::read(self.doc(r)?, person, organisation))
    }

    fn volunteers(&mut self) -> Result<Vec<VolunteerRecord>> {
        let mut out = Vec::new();
        for r in self.doc_refs()?.into_iter().filter(|r| r.kind == DocKind::Volunteer) {
            if let Some(v) = self.volunteer(PersonId(r.id))? {
                out.push(v);
            }
        }
        out.sort_by_key(|v| (v.start, v.person));
        Ok(out)
    }

    fn volunteer_history(&mut self, person: PersonId) -> Result<Vec<VolunteerChange>> {
        let r = DocRef::volunteer(person);
        if !self.has_doc(r)? {
            return Ok(Vec::new());
        }
        let genesis = r.genesis().get_heads();
        let d = self.doc(r)?;
        // Replayed change by change from the genesis: each change's fields
        // before and after, in the order automerge applies them (causal).
        let mut replay = r.genesis();
        let mut before = doc::volunteer::field_values(&replay);
        let mut out = Vec::new();
        for change in d.get_changes(&genesis) {
            let (at, actor, message) =
                (change.timestamp(), change.actor_id().clone(), change.message().map(str::to_owned));
            replay
                .apply_changes([change])
                .map_err(|e| Error::Internal(format!("replaying a volunteer's entry: {e}")))?;
            let after = doc::volunteer::field_values(&replay);
            let fields = doc::volunteer::FIELDS
                .iter()
                .zip(before.iter().zip(&after))
                .filter(|(_, (b, a))| b != a)
                .map(|(f, (b, a))| FieldChange { field: (*f).into(), before: b.clone(), after: a.clone() })
                .collect();
            out.push(VolunteerChange {
                at: DateTime::from_timestamp_millis(at).unwrap_or_default(),
                device: device_of(&actor),
                person: message_person(message.as_deref()),
                fields,
            });
            before = after;
        }
        Ok(out)
    }

    fn erase_volunteer(
        &mut self,
        person: PersonId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<VolunteerTombstone> {
        self.erase_volunteer_entry(person, reason, by_person)
    }

    fn volunteers_due(&mut self, today: NaiveDate) -> Result<Vec<super::VolunteerDue>> {
        self.volunteers_due_on(today)
    }

    fn erase_volunteers_due(
        &mut self,
        today: NaiveDate,
        confirmed: &[PersonId],
        by_person: Option<PersonId>,
    ) -> Result<Vec<VolunteerTombstone>> {
        self.erase_volunteers_due_on(today, confirmed, by_person)
    }

    fn erased_volunteers(&mut self) -> Result<Vec<VolunteerTombstone>> {
        let Some(own) = self.own_organisation()? else { return Ok(Vec::new()) };
        let mut out: Vec<VolunteerTombstone> =
            self.volunteer_tombstones()?.into_iter().filter(|t| t.organisation == own).collect();
        out.sort_by_key(|t| (t.at, t.person));
        Ok(out)
    }

    fn facilitator_cover(&mut self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CoverWarning>> {
        let rows: Vec<(String, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT m.id, m.lab_id, m.date, f.person_id
                   FROM meeting_facilitators f JOIN meetings m ON m.id = f.meeting_id
                  WHERE m.date BETWEEN ?1 AND ?2
                  ORDER BY m.date, m.id, f.person_id",
            )?
            .query_map([from.to_string(), to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (meeting, lab, date, person) in rows {
            let (Ok(meeting), Ok(lab), Ok(date), Ok(person)) =
                (meeting.parse(), lab.parse(), date.parse::<NaiveDate>(), person.parse::<PersonId>())
            else {
                continue;
            };
            // Only the entries this device holds: its organisation's.
            let Some(v) = self.volunteer(person)? else { continue };
            let (not_volunteering, not_insured) = (!v.active_on(date), !v.insured_on(date));
            if not_volunteering || not_insured {
                out.push(CoverWarning { meeting, lab, date, person, not_volunteering, not_insured });
            }
        }
        Ok(out)
    }
}
