//! The operations the app and the hub call. Each validates its input, then
//! writes one automerge change per touched document, then commits them with
//! their projection rows in one SQLite transaction.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::codes::format_code;
use crate::doc::{self, DocRef};
use crate::domain::{
    ActivityType, AgeStatus, Attendance, HouseholdPatch, Lab, MeetingPatch, MemberPatch, NewHousehold,
    NewLab, NewMeeting, NewMember, NewPathway, NewPerson, NewTraining, PathwayPatch, PersonPatch, Targets,
    TrainingPatch, check_birth_year, check_consent_renewal, check_date, check_minor_member, check_name,
    check_new_consent, check_text,
};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, MeetingId, MemberId, PathwayId, PersonId, TrainingId};

/// Most guests a meeting can record (a typo guard).
const MAX_GUESTS: u32 = 10_000;

impl Store {
    fn lab_number(&self, lab: LabId) -> Result<u8> {
        self.conn
            .prepare_cached("SELECT number FROM labs WHERE id = ?1")?
            .query_row([lab.to_string()], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::not_found("lab", lab))
    }

    fn member_household(&self, member: MemberId) -> Result<Option<HouseholdId>> {
        let id: Option<String> = self
            .conn
            .prepare_cached("SELECT household_id FROM members WHERE id = ?1")?
            .query_row([member.to_string()], |r| r.get(0))
            .optional()?;
        Ok(id.and_then(|s| s.parse().ok()))
    }

    fn meeting_lab(&self, id: MeetingId) -> Result<LabId> {
        let lab: Option<String> = self
            .conn
            .prepare_cached("SELECT lab_id FROM meetings WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        lab.and_then(|s| s.parse().ok()).ok_or_else(|| Error::not_found("meeting", id))
    }

    fn check_person(&self, field: &'static str, id: PersonId) -> Result<()> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM persons WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))?;
        if n == 0 {
            return Err(Error::invalid(field, format!("person {id} does not exist")));
        }
        Ok(())
    }

    fn check_activity(&self, key: &str) -> Result<()> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM activity_types WHERE key = ?1")?
            .query_row([key], |r| r.get(0))?;
        if n == 0 {
            return Err(Error::invalid("meeting.activity", format!("unknown activity type {key:?}")));
        }
        Ok(())
    }

    fn check_attendance(&self, a: &Attendance) -> Result<()> {
        match self.member_household(a.member)? {
            Some(h) if h == a.household => Ok(()),
            Some(_) => Err(Error::invalid(
                "attendance.member",
                format!("member {} is not in household {}", a.member, a.household),
            )),
            None => Err(Error::invalid(
                "attendance.household",
                format!("no household has member {} here", a.member),
            )),
        }
    }

    fn check_member(
        &mut self,
        field_first: &'static str,
        field_last: &'static str,
        field_year: &'static str,
        m: &NewMember,
    ) -> Result<NewMember> {
        let today = self.env.today();
        if let Some(y) = m.birth_year {
            check_birth_year(field_year, y, today)?;
        }
        Ok(NewMember {
            first_name: check_name(field_first, &m.first_name)?,
            last_name: check_name(field_last, &m.last_name)?,
            birth_year: m.birth_year,
        })
    }

    // ---- project -------------------------------------------------------

    /// Adds a lab to the project and creates its lab document.
    pub fn create_lab(&mut self, lab: NewLab) -> Result<LabId> {
        if !(1..=99).contains(&lab.number) {
            return Err(Error::invalid("lab.number", format!("{} is not between 1 and 99", lab.number)));
        }
        let lab = NewLab { name: check_name("lab.name", &lab.name)?, ..lab };
        check_text("lab.address", &lab.address)?;
        if self.labs()?.iter().any(|l| l.number == lab.number) {
            return Err(Error::invalid("lab.number", format!("lab {} already exists", lab.number)));
        }
        let id = LabId(self.env.new_uuid());
        let (_, p1) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_lab(tx, id, &lab))?;
        let p2 = match self.edit(DocRef::lab(id), true, |_| Ok(())) {
            Ok((_, p)) => p,
            Err(e) => {
                self.discard([p1]);
                return Err(e);
            }
        };
        self.commit(p1.into_iter().chain(p2).collect())?;
        Ok(id)
    }

    /// Edits a lab's name, address and partner.
    pub fn update_lab(&mut self, lab: Lab) -> Result<()> {
        let current = self
            .labs()?
            .into_iter()
            .find(|l| l.id == lab.id)
            .ok_or_else(|| Error::not_found("lab", lab.id))?;
        let new = NewLab {
            number: current.number,
            name: check_name("lab.name", &lab.name)?,
            address: lab.address,
            partner: lab.partner,
        };
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_lab(tx, lab.id, &new))?;
        self.commit(p.into_iter().collect())
    }

    /// Adds (or relabels) an activity type.
    pub fn put_activity_type(&mut self, t: ActivityType) -> Result<()> {
        let key = t.key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()) {
            return Err(Error::invalid("activity_type.key", "use lowercase letters, digits and _"));
        }
        let t = ActivityType {
            key: key.to_owned(),
            label_it: check_name("activity_type.label_it", &t.label_it)?,
            label_en: check_name("activity_type.label_en", &t.label_en)?,
        };
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_activity_type(tx, &t))?;
        self.commit(p.into_iter().collect())
    }

    /// Writes the grant's targets.
    pub fn set_targets(&mut self, t: Targets) -> Result<()> {
        let (_, p) =
            self.edit(DocRef::project(self.project), false, |tx| doc::project::put_targets(tx, &t))?;
        self.commit(p.into_iter().collect())
    }

    // ---- households ------------------------------------------------------

    /// Registers a family: its own household document, plus its code in the
    /// lab's index, in one transaction.
    pub fn create_household(&mut self, h: NewHousehold) -> Result<HouseholdId> {
        let number = self.lab_number(h.lab)?;
        let today = self.env.today();
        let reference =
            self.check_member("member.first_name", "member.last_name", "member.birth_year", &h.reference)?;
        let others = h
            .others
            .iter()
            .map(|m| self.check_member("member.first_name", "member.last_name", "member.birth_year", m))
            .collect::<Result<Vec<_>>>()?;
        check_text(
            "household.contacts",
            &format!("{}{}{}", h.contacts.phone, h.contacts.email, h.contacts.address),
        )?;
        let h = NewHousehold { reference, others, ..h };
        let id = HouseholdId(self.env.new_uuid());
        let member_ids: Vec<MemberId> = (0..=h.others.len()).map(|_| MemberId(self.env.new_uuid())).collect();
        // The legal basis record is checked before anything is written: a
        // family is never registered without a complete one.
        let members: Vec<&NewMember> = std::iter::once(&h.reference).chain(&h.others).collect();
        let consent = check_new_consent(&h.consent, &members, &member_ids, today)?;
        let now = self.env.now().timestamp_millis();
        let code = format_code(number, self.next_code_number()?);
        let (_, p1) = self.edit(DocRef::household(id), true, |tx| {
            doc::household::write_new(tx, &code, &h, &consent, &member_ids, now)
        })?;
        let p2 = match self.edit(DocRef::lab(h.lab), false, |tx| doc::lab::register_household(tx, id, &code))
        {
            Ok((_, p)) => p,
            Err(e) => {
                self.discard([p1]);
                return Err(e);
            }
        };
        self.commit(p1.into_iter().chain(p2).collect())?;
        Ok(id)
    }

    /// Edits a family's own fields. A new legal basis record
    /// (`patch.consent`) is checked as by [`Store::renew_consent`].
    pub fn update_household(&mut self, id: HouseholdId, patch: HouseholdPatch) -> Result<()> {
        let today = self.env.today();
        let current = self.refuse_restricted(id)?;
        let patch = match &patch.consent {
            Some(c) => {
                let c = check_consent_renewal(c, current.consent.as_ref(), &current.members, today)?;
                HouseholdPatch { consent: Some(c), ..patch }
            }
            None => patch,
        };
        if let Some(r) = patch.reference
            && self.member_household(r)? != Some(id)
        {
            return Err(Error::invalid("household.reference", format!("{r} is not a member of {id}")));
        }
        let (_, p) = self.edit(DocRef::household(id), false, |tx| doc::household::patch(tx, &patch))?;
        self.commit(p.into_iter().collect())
    }

    /// Adds a member to a family. A member who is a minor today needs a
    /// guardian on the family's current legal basis record: without one the
    /// member is refused (`Error::Invalid` on `member.birth_year`) until a
    /// record naming one is given ([`Store::renew_consent`]). A family with
    /// no record at all is not refused (see `check_minor_member`).
    pub fn add_member(&mut self, household: HouseholdId, m: NewMember) -> Result<MemberId> {
        let today = self.env.today();
        let m = self.check_member("member.first_name", "member.last_name", "member.birth_year", &m)?;
        let h = self.refuse_restricted(household)?;
        check_minor_member(h.consent.as_ref(), None, m.birth_year, today)?;
        let id = MemberId(self.env.new_uuid());
        let (_, p) =
            self.edit(DocRef::household(household), false, |tx| doc::household::add_member(tx, id, &m))?;
        self.commit(p.into_iter().collect())?;
        Ok(id)
    }

    /// Edits a member. A birth year that makes an adult (or a member of
    /// unknown age) a minor today is refused as by [`Store::add_member`],
    /// and so is one that would make the family's guardian a minor.
    pub fn update_member(
        &mut self,
        household: HouseholdId,
        member: MemberId,
        patch: MemberPatch,
    ) -> Result<()> {
        let today = self.env.today();
        let patch = MemberPatch {
            first_name: patch
                .first_name
                .as_deref()
                .map(|n| check_name("member.first_name", n))
                .transpose()?,
            last_name: patch.last_name.as_deref().map(|n| check_name("member.last_name", n)).transpose()?,
            birth_year: patch.birth_year,
        };
        if let Some(Some(y)) = patch.birth_year {
            check_birth_year("member.birth_year", y, today)?;
        }
        let h = self.refuse_restricted(household)?;
        // Only a change that makes the member a minor: correcting the year
        // of a child who already is one (and was accepted) is not refused.
        if let Some(year) = patch.birth_year
            && let Some(before) = h.members.iter().find(|m| m.id == member)
            && AgeStatus::of(before.birth_year, today) != AgeStatus::Minor
        {
            check_minor_member(h.consent.as_ref(), Some(member), year, today)?;
        }
        let (_, p) = self.edit(DocRef::household(household), false, |tx| {
            doc::household::patch_member(tx, member, &patch)
        })?;
        self.commit(p.into_iter().collect())
    }

    /// Starts a pathway for a family.
    pub fn add_pathway(&mut self, household: HouseholdId, pw: NewPathway) -> Result<PathwayId> {
        let today = self.env.today();
        check_date("pathway.start", pw.start, today)?;
        check_text("pathway.notes", &pw.notes)?;
        if let Some(op) = pw.operator {
            self.check_person("pathway.operator", op)?;
        }
        self.refuse_restricted(household)?;
        let id = PathwayId(self.env.new_uuid());
        let (_, p) =
            self.edit(DocRef::household(household), false, |tx| doc::household::add_pathway(tx, id, &pw))?;
        self.commit(p.into_iter().collect())?;
        Ok(id)
    }

    /// Edits a pathway.
    pub fn update_pathway(
        &mut self,
        household: HouseholdId,
        pathway: PathwayId,
        patch: PathwayPatch,
    ) -> Result<()> {
        let today = self.env.today();
        if let Some(Some(end)) = patch.end {
            check_date("pathway.end", end, today)?;
        }
        if let Some(n) = &patch.notes {
            check_text("pathway.notes", n)?;
        }
        if let Some(Some(op)) = patch.operator {
            self.check_person("pathway.operator", op)?;
        }
        self.refuse_restricted(household)?;
        let (_, p) = self.edit(DocRef::household(household), false, |tx| {
            doc::household::patch_pathway(tx, pathway, &patch)
        })?;
        self.commit(p.into_iter().collect())
    }

    /// Marks `loser` as the same family as `winner`. Attendance of the loser
    /// counts for the winner; nothing is deleted, and [`Store::undo_merge`]
    /// reverses it until [`Store::confirm_merge`].
    pub fn merge_households(&mut self, loser: HouseholdId, winner: HouseholdId) -> Result<()> {
        if loser == winner {
            return Err(Error::Merge("a family cannot be merged into itself".into()));
        }
        let l = self.refuse_restricted(loser)?;
        let w = self.refuse_restricted(winner)?;
        if l.merge_confirmed {
            return Err(Error::Merge(format!("{} was already merged for good", l.code)));
        }
        if w.merged_into.is_some() {
            return Err(Error::Merge(format!("{} is itself merged into another family", w.code)));
        }
        let (_, p) = self
            .edit(DocRef::household(loser), false, |tx| doc::household::set_merged_into(tx, Some(winner)))?;
        self.commit(p.into_iter().collect())
    }

    /// Reverses an unconfirmed merge.
    pub fn undo_merge(&mut self, loser: HouseholdId) -> Result<()> {
        let l = self.refuse_restricted(loser)?;
        if l.merged_into.is_none() {
            return Err(Error::Merge(format!("{} is not merged", l.code)));
        }
        if l.merge_confirmed {
            return Err(Error::Merge(format!("the merge of {} was confirmed and cannot be undone", l.code)));
        }
        let (_, p) =
            self.edit(DocRef::household(loser), false, |tx| doc::household::set_merged_into(tx, None))?;
        self.commit(p.into_iter().collect())
    }

    /// Confirms a merge (the lead's decision); it can no longer be undone.
    pub fn confirm_merge(&mut self, loser: HouseholdId) -> Result<()> {
        if self.refuse_restricted(loser)?.merged_into.is_none() {
            return Err(Error::Merge("only a merged family can be confirmed".into()));
        }
        let (_, p) = self.edit(DocRef::household(loser), false, |tx| doc::household::confirm_merge(tx))?;
        self.commit(p.into_iter().collect())
    }

    // ---- persons -------------------------------------------------------

    /// Registers an operator or volunteer and puts them on their lab's roster.
    pub fn create_person(&mut self, p: NewPerson) -> Result<PersonId> {
        let number = self.lab_number(p.lab)?;
        let p = NewPerson {
            first_name: check_name("person.first_name", &p.first_name)?,
            last_name: check_name("person.last_name", &p.last_name)?,
            ..p
        };
        check_text("person.organisation", &p.organisation)?;
        let id = PersonId(self.env.new_uuid());
        let code = format_code(number, self.next_code_number()?);
        let (_, p1) = self.edit(DocRef::person(id), true, |tx| doc::person::write_new(tx, &code, &p))?;
        let p2 = match self.edit(DocRef::lab(p.lab), false, |tx| doc::lab::add_to_roster(tx, id)) {
            Ok((_, x)) => x,
            Err(e) => {
                self.discard([p1]);
                return Err(e);
            }
        };
        self.commit(p1.into_iter().chain(p2).collect())?;
        Ok(id)
    }

    /// Edits a person.
    pub fn update_person(&mut self, id: PersonId, patch: PersonPatch) -> Result<()> {
        let patch = PersonPatch {
            first_name: patch
                .first_name
                .as_deref()
                .map(|n| check_name("person.first_name", n))
                .transpose()?,
            last_name: patch.last_name.as_deref().map(|n| check_name("person.last_name", n)).transpose()?,
            ..patch
        };
        let (_, p) = self.edit(DocRef::person(id), false, |tx| doc::person::patch(tx, &patch))?;
        self.commit(p.into_iter().collect())
    }

    // ---- meetings ------------------------------------------------------

    /// Records a meeting, with the attendance known so far.
    pub fn create_meeting(&mut self, m: NewMeeting) -> Result<MeetingId> {
        self.lab_number(m.lab)?;
        let today = self.env.today();
        check_date("meeting.date", m.date, today)?;
        if m.end <= m.start {
            return Err(Error::invalid(
                "meeting.end",
                format!("{} is not after the start {}", m.end, m.start),
            ));
        }
        self.check_activity(&m.activity)?;
        check_text("meeting.theme", &m.theme)?;
        check_text("meeting.notes", &m.notes)?;
        if m.guests > MAX_GUESTS {
            return Err(Error::invalid("meeting.guests", format!("more than {MAX_GUESTS}")));
        }
        for f in &m.facilitators {
            self.check_person("meeting.facilitators", *f)?;
        }
        for a in &m.attendance {
            self.check_attendance(a)?;
        }
        let id = MeetingId(self.env.new_uuid());
        let (_, p) = self.edit(DocRef::lab(m.lab), false, |tx| doc::lab::write_new_meeting(tx, id, &m))?;
        self.commit(p.into_iter().collect())?;
        Ok(id)
    }

    /// Edits a meeting's fields (only those set in the patch change).
    pub fn update_meeting(&mut self, id: MeetingId, patch: MeetingPatch) -> Result<()> {
        let lab = self.meeting_lab(id)?;
        let current = self.meeting(id)?;
        let today = self.env.today();
        if let Some(d) = patch.date {
            check_date("meeting.date", d, today)?;
        }
        let (start, end) = (patch.start.unwrap_or(current.start), patch.end.unwrap_or(current.end));
        if end <= start {
            return Err(Error::invalid("meeting.end", format!("{end} is not after the start {start}")));
        }
        if let Some(a) = &patch.activity {
            self.check_activity(a)?;
        }
        if let Some(n) = &patch.notes {
            check_text("meeting.notes", n)?;
        }
        if let Some(g) = patch.guests
            && g > MAX_GUESTS
        {
            return Err(Error::invalid("meeting.guests", format!("more than {MAX_GUESTS}")));
        }
        for f in patch.facilitators.iter().flatten() {
            self.check_person("meeting.facilitators", *f)?;
        }
        let (_, p) = self.edit(DocRef::lab(lab), false, |tx| doc::lab::patch_meeting(tx, id, &patch))?;
        self.commit(p.into_iter().collect())
    }

    /// Ticks a member as present at a meeting.
    pub fn record_attendance(&mut self, meeting: MeetingId, a: Attendance) -> Result<()> {
        let lab = self.meeting_lab(meeting)?;
        self.check_attendance(&a)?;
        self.refuse_restricted_attendance(a.household)?;
        let (_, p) = self.edit(DocRef::lab(lab), false, |tx| doc::lab::add_attendance(tx, meeting, a))?;
        self.commit(p.into_iter().collect())
    }

    /// Unticks a member. Returns whether they had been ticked.
    pub fn remove_attendance(&mut self, meeting: MeetingId, member: MemberId) -> Result<bool> {
        let lab = self.meeting_lab(meeting)?;
        let (was, p) =
            self.edit(DocRef::lab(lab), false, |tx| doc::lab::remove_attendance(tx, meeting, member))?;
        self.commit(p.into_iter().collect())?;
        Ok(was)
    }

    // ---- training ------------------------------------------------------

    /// Records a training session.
    pub fn create_training(&mut self, t: NewTraining) -> Result<TrainingId> {
        let today = self.env.today();
        check_date("training.date", t.date, today)?;
        let t = NewTraining { title: check_name("training.title", &t.title)?, ..t };
        if !(1..=24 * 60).contains(&t.minutes) {
            return Err(Error::invalid("training.minutes", "must be between 1 minute and 24 hours"));
        }
        for p in &t.attendees {
            self.check_person("training.attendees", *p)?;
        }
        let id = TrainingId(self.env.new_uuid());
        let (_, p) =
            self.edit(DocRef::training(self.project), true, |tx| doc::training::write_new(tx, id, &t))?;
        self.commit(p.into_iter().collect())?;
        Ok(id)
    }

    /// Edits a training session's date, title or duration.
    pub fn update_training(&mut self, training: TrainingId, patch: TrainingPatch) -> Result<()> {
        let today = self.env.today();
        if let Some(d) = patch.date {
            check_date("training.date", d, today)?;
        }
        let patch = TrainingPatch {
            title: patch.title.as_deref().map(|t| check_name("training.title", t)).transpose()?,
            ..patch
        };
        if let Some(m) = patch.minutes
            && !(1..=24 * 60).contains(&m)
        {
            return Err(Error::invalid("training.minutes", "must be between 1 minute and 24 hours"));
        }
        let r = DocRef::training(self.project);
        if doc::training::read(self.doc(r)?, training).is_none() {
            return Err(Error::not_found("training", training));
        }
        let (_, p) = self.edit(r, false, |tx| doc::training::patch(tx, training, &patch))?;
        self.commit(p.into_iter().collect())
    }

    /// Marks a person present at (or absent from) a training session.
    pub fn set_training_attendance(
        &mut self,
        training: TrainingId,
        person: PersonId,
        present: bool,
    ) -> Result<()> {
        self.check_person("training.attendees", person)?;
        let r = DocRef::training(self.project);
        if doc::training::read(self.doc(r)?, training).is_none() {
            return Err(Error::not_found("training", training));
        }
        let (_, p) = self.edit(r, false, |tx| doc::training::set_attendee(tx, training, person, present))?;
        self.commit(p.into_iter().collect())
    }

    /// Counts rows in a projection table (for diagnostics and tests).
    pub fn count_rows(&self, table: &str) -> Result<i64> {
        if !crate::projection::TABLES.contains(&table) {
            return Err(Error::invalid("table", format!("{table} is not a projection table")));
        }
        Ok(self.conn.query_row(&format!("SELECT count(*) FROM {table}"), params![], |r| r.get(0))?)
    }
}
