//! The extract a family member reads (GDPR art. 15), as a PDF printed with
//! the register's machinery (`export/pdf`): who holds the data, what data,
//! what activities, who accessed or changed it, the rights, the date.
//! Every word comes from `export/labels.rs`.

use std::collections::BTreeMap;

use chrono_tz::Europe::Rome;

use super::{Gathered, PROJECT};
use crate::error::Result;
use crate::export::labels::{self, Label as L};
use crate::export::pdf::{Block, Document, document};
use crate::export::{Language, trail};
use crdt_sync::{Household, Member};
use crdt_sync::{MeetingId, MemberId, PersonId};
use crdt_sync::{TrailAction, TrailEntry};

/// Top-level fields of [`Household`] this file prints in words; any other
/// (a field added to the type later) is printed as recorded, under
/// "other recorded data", so the readable extract never silently omits it.
const PRINTED: &[&str] = &[
    "id",
    "code",
    "lab",
    "reference",
    "members",
    "contacts",
    "areas",
    "referral",
    "consent",
    "pathways",
    "merged_into",
    "merge_confirmed",
    "created_at",
];

struct Words<'a> {
    g: &'a Gathered,
    lang: Language,
}

impl Words<'_> {
    fn t(&self, l: L) -> &'static str {
        l.text(self.lang)
    }

    fn date(d: chrono::NaiveDate) -> String {
        d.format("%d/%m/%Y").to_string()
    }

    fn person(&self, p: PersonId) -> String {
        match self.g.staff.get(&p) {
            Some(s) => format!("{} {}", s.first_name, s.last_name),
            None => p.to_string(),
        }
    }

    fn member(&self, m: &Member) -> String {
        let year = match m.birth_year {
            Some(y) => format!("{} {y}", self.t(L::SaBorn)),
            None => self.t(L::SaBirthUnknown).to_owned(),
        };
        format!("{} {} ({year})", m.first_name, m.last_name)
    }

    fn list(&self, items: Vec<String>) -> String {
        if items.is_empty() { self.t(L::SaNone).to_owned() } else { items.join(", ") }
    }

    /// The record of one household: members, contacts, areas, referral,
    /// consent, registration, and any field printed as recorded.
    fn record(&self, h: &Household, out: &mut Vec<Block>) {
        out.push(Block::Field(self.t(L::ColCode).to_owned(), h.code.clone()));
        if let Some(r) = h.reference_member() {
            out.push(Block::Field(
                self.t(L::ColReference).to_owned(),
                format!("{} {}", r.first_name, r.last_name),
            ));
        }
        out.push(Block::Field(self.t(L::ColMembers).to_owned(), String::new()));
        for m in &h.members {
            out.push(Block::Item(self.member(m)));
        }
        let c = &h.contacts;
        for (label, value) in [(L::ColPhone, &c.phone), (L::ColEmail, &c.email), (L::ColAddress, &c.address)]
        {
            let value = if value.trim().is_empty() { self.t(L::SaNone).to_owned() } else { value.clone() };
            out.push(Block::Field(self.t(label).to_owned(), value));
        }
        let areas = h.areas.iter().map(|a| labels::area(*a, self.lang).to_owned()).collect();
        out.push(Block::Field(self.t(L::ColAreas).to_owned(), self.list(areas)));
        let referral = h.referral.map(|r| labels::referral(r, self.lang).to_owned());
        out.push(Block::Field(self.t(L::ColReferral).to_owned(), self.list(referral.into_iter().collect())));
        let consent = match &h.consent {
            None => self.t(L::SaNoConsent).to_owned(),
            Some(c) => {
                let scopes: Vec<String> =
                    c.scopes.iter().map(|s| labels::consent_scope(*s, self.lang).to_owned()).collect();
                let mut s =
                    format!("{} {} {}", Self::date(c.date), self.t(L::SaConsentTo), self.list(scopes));
                if !c.notice_version.trim().is_empty() {
                    s.push_str(&format!("; {} {}", self.t(L::SaNotice), c.notice_version));
                }
                s.push_str(&format!("; {} {}", self.t(L::SaCollectedBy), self.person(c.collected_by)));
                s
            }
        };
        out.push(Block::Field(self.t(L::SaConsent).to_owned(), consent));
        let created = h.created_at.with_timezone(&Rome).date_naive();
        out.push(Block::Field(self.t(L::SaRegistered).to_owned(), Self::date(created)));
        // Fields this build does not print in words, as recorded.
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(h) {
            for (k, v) in map.iter().filter(|(k, _)| !PRINTED.contains(&k.as_str())) {
                if v.is_null() {
                    continue;
                }
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push(Block::Field(format!("{} ({k})", self.t(L::SaOther)), v));
            }
        }
    }

    fn pathways(&self, out: &mut Vec<Block>) {
        out.push(Block::Field(self.t(L::ColPathways).to_owned(), String::new()));
        let all: Vec<_> =
            std::iter::once(&self.g.household).chain(&self.g.duplicates).flat_map(|h| &h.pathways).collect();
        if all.is_empty() {
            out.push(Block::Text(self.t(L::SaNoPathways).to_owned()));
        }
        for p in all {
            let mut s = format!(
                "{} ({}), {} {}",
                labels::pathway_kind(p.kind, self.lang),
                labels::pathway_status(p.status, self.lang),
                self.t(L::SaFrom),
                Self::date(p.start)
            );
            if let Some(end) = p.end {
                s.push_str(&format!(" {} {}", self.t(L::SaTo), Self::date(end)));
            }
            if let Some(o) = p.operator {
                s.push_str(&format!(", {} {}", self.t(L::SaFollowedBy), self.person(o)));
            }
            if !p.notes.trim().is_empty() {
                s.push_str(&format!(". {}: {}", self.t(L::ColNotes), p.notes.trim()));
            }
            out.push(Block::Item(s));
        }
    }

    fn attendance(&self, out: &mut Vec<Block>) {
        out.push(Block::Field(self.t(L::SaAttendance).to_owned(), String::new()));
        if self.g.attendance.is_empty() {
            out.push(Block::Text(self.t(L::SaNoAttendance).to_owned()));
        }
        let names: BTreeMap<MemberId, String> = std::iter::once(&self.g.household)
            .chain(&self.g.duplicates)
            .flat_map(|h| &h.members)
            .map(|m| (m.id, format!("{} {}", m.first_name, m.last_name)))
            .collect();
        let labs: BTreeMap<_, _> = self.g.labs.iter().map(|l| (l.id, l.name.as_str())).collect();
        for a in &self.g.attendance {
            let who: Vec<String> = a
                .members
                .iter()
                .map(|m| names.get(m).cloned().unwrap_or_else(|| self.t(L::SaFormerMember).to_owned()))
                .collect();
            let mut s = format!(
                "{}, {}–{}, {}: {}",
                Self::date(a.date),
                a.start,
                a.end,
                labs.get(&a.lab).copied().unwrap_or_default(),
                a.activity_label
            );
            if !a.theme.trim().is_empty() {
                s.push_str(&format!(" ({}: {})", self.t(L::ColTheme).to_lowercase(), a.theme.trim()));
            }
            s.push_str(&format!(". {}: {}", self.t(L::PresentList), who.join(", ")));
            out.push(Block::Item(s));
        }
    }

    fn trail_entry(&self, e: &TrailEntry, meetings: &BTreeMap<MeetingId, chrono::NaiveDate>) -> String {
        let at = e.at.with_timezone(&Rome).format("%d/%m/%Y %H:%M");
        let who = match e.person {
            Some(p) => self.person(p),
            None => self.t(L::SaUnknownPerson).to_owned(),
        };
        let mut s = format!(
            "{at}: {} {} {who} ({} {})",
            trail::action(e.action, self.lang),
            self.t(L::SaBy),
            self.t(L::SaDevice),
            e.device
        );
        if let Some(code) = &e.code
            && *code != self.g.household.code
        {
            s.push_str(&format!(", {code}"));
        }
        let parts: Vec<String> = match e.action {
            TrailAction::Attendance => e
                .fields
                .iter()
                .filter_map(|m| m.parse::<MeetingId>().ok())
                .filter_map(|m| meetings.get(&m).map(|d| Self::date(*d)))
                .collect(),
            // What a change touched; a registration or a merge says it all.
            TrailAction::Changed | TrailAction::ConsentRecorded => {
                e.fields.iter().map(|f| labels::record_part(f, self.lang).to_owned()).collect()
            }
            TrailAction::Created | TrailAction::Merged | TrailAction::MergeUndone => Vec::new(),
            _ => e.fields.clone(),
        };
        if !parts.is_empty() {
            s.push_str(&format!(": {}", parts.join(", ")));
        }
        s
    }
}

/// The PDF of the extract.
pub(crate) fn pdf(g: &Gathered) -> Result<Vec<u8>> {
    document(&doc(g))
}

/// The extract as a document (blocks of text), before layout.
pub(crate) fn doc(g: &Gathered) -> Document {
    let w = Words { g, lang: g.language };
    let today = g.at.with_timezone(&Rome).date_naive();
    let code = &g.household.code;
    let mut b = vec![Block::Text(w.t(L::SaLaw).to_owned()), Block::Text(w.t(L::SaIntro).to_owned())];

    b.push(Block::Heading(w.t(L::SaWho).to_owned()));
    b.push(Block::Text(w.t(L::SaProject).to_owned()));
    for l in &g.labs {
        let mut s = format!("{} ({} {})", l.name, w.t(L::LabNumber), l.number);
        if !l.address.trim().is_empty() {
            s.push_str(&format!(", {}", l.address));
        }
        if !l.partner.trim().is_empty() {
            s.push_str(&format!(", {} {}", w.t(L::SaRunBy), l.partner));
        }
        b.push(Block::Item(s));
    }

    b.push(Block::Heading(w.t(L::SaWhat).to_owned()));
    w.record(&g.household, &mut b);
    if !g.duplicates.is_empty() {
        b.push(Block::Heading(w.t(L::SaDuplicates).to_owned()));
        for d in &g.duplicates {
            w.record(d, &mut b);
        }
    }

    b.push(Block::Heading(w.t(L::SaActivities).to_owned()));
    w.pathways(&mut b);
    w.attendance(&mut b);

    b.push(Block::Heading(w.t(L::SaTrail).to_owned()));
    b.push(Block::Text(w.t(L::SaTrailIntro).to_owned()));
    if g.trail.is_empty() {
        b.push(Block::Text(w.t(L::SaNoTrail).to_owned()));
    }
    let meetings = g.attendance.iter().map(|a| (a.meeting, a.date)).collect();
    for e in &g.trail {
        b.push(Block::Item(w.trail_entry(e, &meetings)));
    }

    b.push(Block::Heading(w.t(L::SaRights).to_owned()));
    for r in [
        L::SaRightRectification,
        L::SaRightErasure,
        L::SaRightRestriction,
        L::SaRightPortability,
        L::SaRightComplaint,
    ] {
        b.push(Block::Item(w.t(r).to_owned()));
    }
    b.push(Block::Text(w.t(L::SaRightHow).to_owned()));
    b.push(Block::Field(w.t(L::SaDate).to_owned(), Words::date(today)));

    Document {
        title: w.t(L::SaTitle).to_owned(),
        subtitle: format!(
            "{} {code} · «{PROJECT}» · {} {}",
            w.t(L::SaFamily),
            w.t(L::SaExtractOf),
            Words::date(today)
        ),
        blocks: b,
        footer: format!("{} · {code} · {}", w.t(L::SaTitle), Words::date(today)),
        page_words: (w.t(L::Page).to_owned(), w.t(L::Of).to_owned()),
    }
}
