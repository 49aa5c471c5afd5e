//! The families: registering them, their members and pathways, finding them, and
//! merging duplicates ([`Families`]).

use std::collections::BTreeSet;

use rusqlite::params;

use super::duplicates::{CANDIDATES_PER_NAME, digits, names, similarity};
use super::rows::{date, fts_query, parse};
use crate::codes::format_code;
use crate::doc;
use crate::doc::{DocRef, FieldConflict};
use crate::domain::{
    AgeStatus, Household, HouseholdPatch, MemberPatch, NewHousehold, NewMember, NewPathway, PathwayPatch,
    check_birth_year, check_consent_renewal, check_date, check_minor_member, check_name, check_new_consent,
    check_text,
};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, MemberId, PathwayId};
use crate::store::Store;
use crate::store::api::*;
use crate::store::rows::{AttendanceEntry, HouseholdHit};

impl Families for Store {
    fn likely_duplicates(&mut self, id: HouseholdId, limit: usize) -> Result<Vec<HouseholdHit>> {
        let me = self.household(id)?;
        let mut candidates: BTreeSet<HouseholdId> = BTreeSet::new();
        let surnames: BTreeSet<String> = me.members.iter().map(|m| m.last_name.clone()).collect();
        for surname in &surnames {
            for hit in self.search_households(surname, CANDIDATES_PER_NAME)? {
                candidates.insert(hit.id);
            }
        }
        let phone = digits(&me.contacts.phone);
        if phone.len() >= 6 {
            candidates.extend(self.households_with_phone_digits(&phone)?);
        }
        candidates.remove(&id);
        let mut scored = Vec::new();
        for other in candidates {
            let Ok(h) = self.household(other) else { continue };
            if h.merged_into.is_some() {
                continue;
            }
            let score = similarity(&me, &h, &phone);
            if score > 0.0 {
                scored.push((score, h));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
        Ok(scored
            .into_iter()
            .take(limit)
            .map(|(_, h)| HouseholdHit {
                names: names(&h),
                id: h.id,
                code: h.code,
                lab: h.lab,
                merged_into: h.merged_into,
            })
            .collect())
    }

    fn create_household(&mut self, h: NewHousehold) -> Result<HouseholdId> {
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

    fn update_household(&mut self, id: HouseholdId, patch: HouseholdPatch) -> Result<()> {
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

    fn add_member(&mut self, household: HouseholdId, m: NewMember) -> Result<MemberId> {
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

    fn update_member(&mut self, household: HouseholdId, member: MemberId, patch: MemberPatch) -> Result<()> {
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

    fn add_pathway(&mut self, household: HouseholdId, pw: NewPathway) -> Result<PathwayId> {
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

    fn update_pathway(
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

    fn merge_households(&mut self, loser: HouseholdId, winner: HouseholdId) -> Result<()> {
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

    fn undo_merge(&mut self, loser: HouseholdId) -> Result<()> {
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

    fn confirm_merge(&mut self, loser: HouseholdId) -> Result<()> {
        if self.refuse_restricted(loser)?.merged_into.is_none() {
            return Err(Error::Merge("only a merged family can be confirmed".into()));
        }
        let (_, p) = self.edit(DocRef::household(loser), false, |tx| doc::household::confirm_merge(tx))?;
        self.commit(p.into_iter().collect())
    }

    fn household(&mut self, id: HouseholdId) -> Result<Household> {
        if let Some(e) = self.erased_doc(DocRef::household(id))? {
            return Err(e);
        }
        doc::household::read(self.doc(DocRef::household(id))?, id)
            .ok_or_else(|| Error::not_found("household", id))
    }

    fn search_households(&self, query: &str, limit: u32) -> Result<Vec<HouseholdHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.id, h.code, h.lab_id, s.names, h.merged_into
             FROM household_search s JOIN households h ON h.id = s.household_id
             WHERE household_search MATCH ?1
             ORDER BY s.rank, h.code LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![q, limit], |r| {
            Ok(HouseholdHit {
                id: parse(r.get(0)?)?,
                code: r.get(1)?,
                lab: parse(r.get(2)?)?,
                names: r.get(3)?,
                merged_into: r.get::<_, Option<String>>(4)?.map(parse).transpose()?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn attendance_history(&self, id: HouseholdId) -> Result<Vec<AttendanceEntry>> {
        let mut stmt = self.conn.prepare_cached(
            // The families whose canonical family is `?1` (itself and those
            // merged into it), or `?1` alone when no family row holds it
            // (attendance recorded for a family not projected here): the
            // same rows as `coalesce(h.canonical_id, a.household_id) = ?1`,
            // found through the indexes instead of a scan of every
            // attendance (175 ms a family page on ten labs' register).
            "SELECT a.meeting_id, a.lab_id, a.date, m.activity, a.member_id, a.household_id
             FROM attendance a
             JOIN meetings m ON m.id = a.meeting_id
             WHERE a.household_id IN (
                 SELECT id FROM households WHERE canonical_id = ?1
                 UNION ALL
                 SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM households WHERE id = ?1)
             )
             ORDER BY a.date, a.meeting_id, a.member_id",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok(AttendanceEntry {
                meeting: parse(r.get(0)?)?,
                lab: parse(r.get(1)?)?,
                date: date(r.get(2)?)?,
                activity: r.get(3)?,
                member: parse(r.get(4)?)?,
                recorded_for: parse(r.get(5)?)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn household_code(&self, id: HouseholdId) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT code FROM households WHERE id = ?1")?;
        let mut rows = stmt.query([id.to_string()])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    fn canonical_household(&self, id: HouseholdId) -> Result<HouseholdId> {
        let c: String = self
            .conn
            .prepare_cached("SELECT canonical_id FROM households WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .map_err(|_| Error::not_found("household", id))?;
        c.parse().map_err(|_| Error::not_found("household", c))
    }

    fn household_conflicts(&mut self, id: HouseholdId) -> Result<Vec<FieldConflict>> {
        Ok(doc::conflicts(self.doc(DocRef::household(id))?))
    }

    fn household_by_code(&self, code: &str) -> Result<HouseholdId> {
        let code = code.trim().to_uppercase();
        let mut stmt = self.conn.prepare_cached("SELECT id FROM households WHERE code = ?1 ORDER BY id")?;
        let found: Option<String> = stmt.query_map([&code], |r| r.get(0))?.next().transpose()?;
        if let Some(id) = found {
            return id.parse().map_err(|_| Error::Internal(format!("the projection holds a bad id {id:?}")));
        }
        let mut stmt =
            self.conn.prepare_cached("SELECT id FROM erased_households WHERE code = ?1 ORDER BY id")?;
        let erased: Option<String> = stmt.query_map([&code], |r| r.get(0))?.next().transpose()?;
        match erased.and_then(|id| id.parse().ok()) {
            Some(household) => Err(Error::Erased { household, code }),
            None => Err(Error::not_found("household", code)),
        }
    }

    fn duplicates_of(&self, h: HouseholdId) -> Result<Vec<HouseholdId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM households WHERE (merged_into = ?1 OR canonical_id = ?1) AND id <> ?1 ORDER BY id",
        )?;
        let rows: Vec<String> =
            stmt.query_map([h.to_string()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter_map(|s| s.parse().ok()).collect())
    }
}
