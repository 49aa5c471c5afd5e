//! Withdrawal of consent (GDPR art. 7(3)) and restriction of processing
//! (art. 18), both recorded in the family's household document (see
//! docs/decisions/0010-consent-and-restriction.md).

use super::Store;
use crate::store::api::*;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::doc::{self, DocRef};
use crate::domain::{
    Consent, Household, HouseholdPatch, LegalStatus, Restriction, RestrictionReason, Withdrawal,
    WithdrawnScopes, check_consent_renewal, check_date,
};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, PersonId};

/// A family whose processing basis was withdrawn
/// ([`LegalStatus::PendingDecision`]): a coordinator erases it or restricts
/// it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct WithdrawnFamily {
    /// The family.
    pub household: HouseholdId,
    /// Its human code.
    pub code: String,
    /// Its lab.
    pub lab: LabId,
    /// When the family withdrew (its latest withdrawal of the processing).
    pub withdrawn_on: NaiveDate,
    /// Who recorded that withdrawal.
    pub recorded_by: PersonId,
}

impl Store {
    /// The family, unless its processing is restricted ([`Error::Restricted`]).
    pub(super) fn refuse_restricted(&mut self, id: HouseholdId) -> Result<Household> {
        let h = self.household(id)?;
        if h.restriction.is_some() {
            return Err(Error::Restricted { household: id, code: h.code });
        }
        Ok(h)
    }

    /// Refuses attendance for a restricted family (read from the projection:
    /// ticking attendance is frequent and must not load the document).
    pub(super) fn refuse_restricted_attendance(&self, id: HouseholdId) -> Result<()> {
        let row: Option<(String, bool)> = self
            .conn
            .prepare_cached("SELECT code, restricted FROM households WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((code, true)) => Err(Error::Restricted { household: id, code }),
            _ => Ok(()),
        }
    }
}

impl Consents for Store {
    fn withdraw_consent(
        &mut self,
        household: HouseholdId,
        scopes: WithdrawnScopes,
        date: NaiveDate,
        recorded_by: PersonId,
    ) -> Result<LegalStatus> {
        let today = self.env.today();
        check_date("household.withdrawal.date", date, today)?;
        if date > today {
            return Err(Error::invalid("household.withdrawal.date", format!("{date} is in the future")));
        }
        let scopes = scopes.scopes();
        if scopes.is_empty() {
            return Err(Error::invalid("household.withdrawal.scopes", "name at least one consent"));
        }
        self.household(household)?;
        let key = self.env.new_uuid().to_string();
        let w = Withdrawal { date, scopes, recorded_by, at: self.env.now() };
        let (_, p) = self
            .edit(DocRef::household(household), false, |tx| doc::household::add_withdrawal(tx, &key, &w))?;
        self.commit(p.into_iter().collect())?;
        Ok(self.household(household)?.legal_status)
    }

    fn withdrawn_families(&mut self, lab: Option<LabId>) -> Result<Vec<WithdrawnFamily>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM households
                 WHERE legal_status = 'pending_decision' AND merged_into IS NULL
                   AND (?1 IS NULL OR lab_id = ?1)",
            )?
            .query_map([lab.map(|l| l.to_string())], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let id: HouseholdId =
                id.parse().map_err(|_| Error::Internal(format!("bad household id {id}")))?;
            let h = self.household(id)?;
            if h.legal_status != LegalStatus::PendingDecision {
                continue;
            }
            let latest = h
                .withdrawals
                .iter()
                .filter(|w| w.scopes.contains(&crate::domain::ConsentScope::DataProcessing))
                .max_by_key(|w| (w.date, w.at));
            let Some(w) = latest else { continue };
            out.push(WithdrawnFamily {
                household: id,
                code: h.code.clone(),
                lab: h.lab,
                withdrawn_on: w.date,
                recorded_by: w.recorded_by,
            });
        }
        out.sort_by(|a, b| a.withdrawn_on.cmp(&b.withdrawn_on).then_with(|| a.code.cmp(&b.code)));
        Ok(out)
    }

    fn renew_consent(&mut self, household: HouseholdId, consent: Consent) -> Result<LegalStatus> {
        let today = self.env.today();
        let current = self.refuse_restricted(household)?;
        let consent = check_consent_renewal(&consent, current.consent.as_ref(), &current.members, today)?;
        let patch = HouseholdPatch { consent: Some(consent), ..HouseholdPatch::default() };
        let (_, p) =
            self.edit(DocRef::household(household), false, |tx| doc::household::patch(tx, &patch))?;
        self.commit(p.into_iter().collect())?;
        Ok(self.household(household)?.legal_status)
    }

    fn restrict_household(
        &mut self,
        id: HouseholdId,
        reason: RestrictionReason,
        by: Option<PersonId>,
    ) -> Result<()> {
        let h = self.refuse_restricted(id)?;
        if h.merged_into.is_some() && !h.merge_confirmed {
            return Err(Error::Merge(format!(
                "{} is merged into another family: confirm or undo the merge first",
                h.code
            )));
        }
        let r = Restriction { reason, at: self.env.now(), by };
        let (_, p) =
            self.edit(DocRef::household(id), false, |tx| doc::household::set_restriction(tx, Some(&r)))?;
        self.commit(p.into_iter().collect())
    }

    fn lift_restriction(&mut self, id: HouseholdId, by: Option<PersonId>) -> Result<()> {
        let h = self.household(id)?;
        if h.restriction.is_none() {
            return Err(Error::invalid("household.restriction", format!("{} is not restricted", h.code)));
        }
        let lifted = Restriction {
            reason: h.restriction.map_or(RestrictionReason::Objection, |r| r.reason),
            at: self.env.now(),
            by,
        };
        let (_, p) = self.edit(DocRef::household(id), false, |tx| {
            doc::household::set_restriction(tx, None)?;
            doc::household::record_lift(tx, &lifted)
        })?;
        self.commit(p.into_iter().collect())
    }
}
