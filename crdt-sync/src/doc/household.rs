//! A household document: the family's fields at the root, `members.<id>`,
//! `contacts`, `areas` (a set), `consent` (the legal basis record),
//! `withdrawals.<id>`, `restriction`, `pathways.<id>` (notes as text), and
//! `merged_into` / `merge_confirmed` for duplicates.
//!
//! `withdrawals` and `restriction` are not in the genesis (adding them would
//! change every household's identity): readers take every value of the root
//! key, so rival maps written offline are all seen, and a restriction in any
//! of them counts (a conflict never silently lifts a restriction).

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc};
use chrono::{DateTime, NaiveDate};

use super::fields::Fields;
use super::{
    ensure_map, get_i64, get_parsed, get_string, map_at, put_bool, put_opt_str, put_opt_u64, put_set,
    put_str, put_text, root_maps, set_keys,
};
use crate::domain::{
    Consent, ConsentScope, Contacts, Guardian, Household, HouseholdPatch, Keyed, LegalBasis, LegalStatus,
    Member, MemberPatch, NewHousehold, NewMember, NewPathway, Pathway, PathwayKind, PathwayPatch,
    PathwayStatus, ReferralSource, Restriction, RestrictionReason, SpecialCondition, Withdrawal,
};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, MemberId, PathwayId, PersonId};

fn keyed_set<K: Keyed + Ord>(keys: Vec<String>) -> BTreeSet<K> {
    keys.iter().filter_map(|k| K::from_key(k)).collect()
}

fn key_strings<K: Keyed>(set: &BTreeSet<K>) -> BTreeSet<String> {
    set.iter().map(|k| k.key().to_owned()).collect()
}

/// Reads the household; `None` if the document holds no usable household.
/// Each map is read in one pass ([`Fields`]): the projection reads every
/// family's document whole.
pub(crate) fn read<R: ReadDoc>(doc: &R, id: HouseholdId) -> Option<Household> {
    let root = Fields::read(doc, &ROOT);
    let lab = root.parsed("lab")?;
    let mut members: Vec<Member> = match root.map("members") {
        Some(ms) => Fields::read(doc, ms)
            .maps()
            .filter_map(|(k, m)| {
                let m = Fields::read(doc, m);
                Some(Member {
                    id: k.parse().ok()?,
                    first_name: m.str_or_empty("first_name"),
                    last_name: m.str_or_empty("last_name"),
                    birth_year: m.u64("birth_year").and_then(|y| u16::try_from(y).ok()),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    members.sort_by_key(|m| m.id);
    let contacts = match root.map("contacts") {
        Some(c) => {
            let c = Fields::read(doc, c);
            Contacts {
                phone: c.str_or_empty("phone"),
                email: c.str_or_empty("email"),
                address: c.str_or_empty("address"),
            }
        }
        None => Contacts::default(),
    };
    let consent = root.map("consent").and_then(|c| read_consent(doc, &Fields::read(doc, c)));
    let withdrawals = read_withdrawals(doc);
    let restriction = read_restriction(doc);
    let mut pathways: Vec<Pathway> = match root.map("pathways") {
        Some(ps) => Fields::read(doc, ps)
            .maps()
            .filter_map(|(k, p)| {
                let p = Fields::read(doc, p);
                Some(Pathway {
                    id: k.parse().ok()?,
                    kind: PathwayKind::from_key(p.string("kind")?)?,
                    start: p.parsed("start")?,
                    end: p.parsed("end"),
                    operator: p.parsed("operator"),
                    status: p
                        .string("status")
                        .and_then(PathwayStatus::from_key)
                        .unwrap_or(PathwayStatus::Active),
                    notes: p.str_or_empty("notes"),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    pathways.sort_by_key(|p| p.id);
    let areas = root.map("areas").map(|a| doc.keys(a).collect()).unwrap_or_default();
    let mut h = Household {
        id,
        code: root.str_or_empty("code"),
        lab,
        reference: root.parsed("reference"),
        members,
        contacts,
        areas: keyed_set(areas),
        referral: root.string("referral").and_then(ReferralSource::from_key),
        consent,
        withdrawals,
        restriction,
        legal_status: LegalStatus::Missing,
        pathways,
        merged_into: root.parsed("merged_into"),
        merge_confirmed: root.bool("merge_confirmed").unwrap_or(false),
        created_at: DateTime::from_timestamp_millis(root.i64("created_at").unwrap_or(0)).unwrap_or_default(),
    };
    h.legal_status = h.derive_legal_status();
    Some(h)
}

/// The legal basis record; `None` unless complete (a record written before
/// issue 6 has no `basis` and no required `collected_by`: "legal basis missing").
fn read_consent<R: ReadDoc>(doc: &R, c: &Fields) -> Option<Consent> {
    let guardian = match c.parsed("guardian_member") {
        Some(member) => Some(Guardian::Member { member }),
        None => c
            .string("guardian_name")
            .filter(|n| !n.trim().is_empty())
            .map(|name| Guardian::Named { name: name.to_owned() }),
    };
    Some(Consent {
        basis: LegalBasis::from_key(c.string("basis")?)?,
        special: c.string("special").and_then(SpecialCondition::from_key),
        notice_version: c.str_or_empty("notice_version"),
        date: c.parsed("date")?,
        collected_by: c.parsed("collected_by")?,
        guardian,
        scopes: keyed_set(c.map("scopes").map(|s| doc.keys(s).collect()).unwrap_or_default()),
    })
}

fn read_withdrawals<R: ReadDoc>(doc: &R) -> Vec<Withdrawal> {
    let mut out: Vec<(NaiveDate, i64, String, Withdrawal)> = Vec::new();
    for ws in root_maps(doc, "withdrawals") {
        for k in doc.keys(&ws) {
            let Some(w) = map_at(doc, &ws, &k) else { continue };
            let (Some(date), Some(recorded_by)) = (
                get_parsed::<_, NaiveDate>(doc, &w, "date"),
                get_parsed::<_, PersonId>(doc, &w, "recorded_by"),
            ) else {
                continue;
            };
            let at_ms = get_i64(doc, &w, "at").unwrap_or(0);
            if out.iter().any(|(_, _, key, _)| *key == k) {
                continue;
            }
            let withdrawal = Withdrawal {
                date,
                scopes: keyed_set(set_keys(doc, &w, "scopes")),
                recorded_by,
                at: DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
            };
            out.push((date, at_ms, k, withdrawal));
        }
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    out.into_iter().map(|(_, _, _, w)| w).collect()
}

fn read_restriction<R: ReadDoc>(doc: &R) -> Option<Restriction> {
    root_maps(doc, "restriction").into_iter().next().map(|r| {
        Restriction {
            // An unknown reason (a newer app) still restricts.
            reason: get_string(doc, &r, "reason")
                .and_then(|k| RestrictionReason::from_key(&k))
                .unwrap_or(RestrictionReason::Objection),
            at: DateTime::from_timestamp_millis(get_i64(doc, &r, "at").unwrap_or(0)).unwrap_or_default(),
            by: get_parsed(doc, &r, "by"),
        }
    })
}

/// Keeps who lifted the last restriction, and when (`restriction_lifted`:
/// the reason lifted, `at`, `by`), for the coordinators' records.
pub(crate) fn record_lift<T: Transactable>(tx: &mut T, lifted: &Restriction) -> Result<()> {
    let obj = tx.put_object(ROOT, "restriction_lifted", ObjType::Map)?;
    put_str(tx, &obj, "reason", lifted.reason.key())?;
    tx.put(&obj, "at", lifted.at.timestamp_millis())?;
    put_opt_str(tx, &obj, "by", lifted.by.map(|p| p.to_string()).as_deref())?;
    Ok(())
}

/// Records a withdrawal under `withdrawals.<key>`.
pub(crate) fn add_withdrawal<T: Transactable>(tx: &mut T, key: &str, w: &Withdrawal) -> Result<()> {
    let ws = ensure_map(tx, &ROOT, "withdrawals")?;
    let obj = ensure_map(tx, &ws, key)?;
    put_str(tx, &obj, "date", &w.date.to_string())?;
    put_set(tx, &obj, "scopes", &key_strings(&w.scopes))?;
    put_str(tx, &obj, "recorded_by", &w.recorded_by.to_string())?;
    tx.put(&obj, "at", w.at.timestamp_millis())?;
    Ok(())
}

/// Restricts processing (`Some`) or lifts the restriction (`None`, which
/// removes every value of the key this replica has seen).
pub(crate) fn set_restriction<T: Transactable>(tx: &mut T, r: Option<&Restriction>) -> Result<()> {
    match r {
        Some(r) => {
            let obj = tx.put_object(ROOT, "restriction", ObjType::Map)?;
            put_str(tx, &obj, "reason", r.reason.key())?;
            tx.put(&obj, "at", r.at.timestamp_millis())?;
            put_opt_str(tx, &obj, "by", r.by.map(|p| p.to_string()).as_deref())?;
        }
        None => {
            if tx.get(ROOT, "restriction")?.is_some() {
                tx.delete(ROOT, "restriction")?;
            }
        }
    }
    Ok(())
}

/// Writes a new household. `member_ids[0]` is the reference person's id,
/// the rest follow `h.others`.
pub(crate) fn write_new<T: Transactable>(
    tx: &mut T,
    code: &str,
    h: &NewHousehold,
    consent: &Consent,
    member_ids: &[MemberId],
    created_at_ms: i64,
) -> Result<()> {
    put_str(tx, &ROOT, "lab", &h.lab.to_string())?;
    put_str(tx, &ROOT, "code", code)?;
    tx.put(ROOT, "created_at", created_at_ms)?;
    let members = std::iter::once(&h.reference).chain(&h.others);
    for (id, m) in member_ids.iter().zip(members) {
        add_member(tx, *id, m)?;
    }
    if let Some(first) = member_ids.first() {
        put_str(tx, &ROOT, "reference", &first.to_string())?;
    }
    patch(
        tx,
        &HouseholdPatch {
            contacts: Some(h.contacts.clone()),
            areas: Some(h.areas.clone()),
            referral: Some(h.referral),
            consent: Some(consent.clone()),
            reference: None,
        },
    )
}

/// Applies a patch to the household's own fields.
pub(crate) fn patch<T: Transactable>(tx: &mut T, p: &HouseholdPatch) -> Result<()> {
    if let Some(c) = &p.contacts {
        let obj = ensure_map(tx, &ROOT, "contacts")?;
        put_str(tx, &obj, "phone", &c.phone)?;
        put_str(tx, &obj, "email", &c.email)?;
        put_str(tx, &obj, "address", &c.address)?;
    }
    if let Some(a) = &p.areas {
        put_set(tx, &ROOT, "areas", &key_strings(a))?;
    }
    if let Some(r) = p.referral {
        put_opt_str(tx, &ROOT, "referral", r.map(ReferralSource::key))?;
    }
    if let Some(c) = &p.consent {
        put_consent(tx, c)?;
    }
    if let Some(r) = p.reference {
        put_str(tx, &ROOT, "reference", &r.to_string())?;
    }
    Ok(())
}

/// Writes the legal basis record as a new `consent` map that replaces the
/// old one whole (which stays in the document's history). A record is one
/// signed form: two devices recording one each offline leave two rival
/// maps, and every replica reads the same one of them, never a mix of the
/// two (a map written field by field would merge the fields of both).
fn put_consent<T: Transactable>(tx: &mut T, c: &Consent) -> Result<()> {
    let obj = tx.put_object(ROOT, "consent", ObjType::Map)?;
    put_str(tx, &obj, "date", &c.date.to_string())?;
    put_set(tx, &obj, "scopes", &key_strings::<ConsentScope>(&c.scopes))?;
    put_str(tx, &obj, "notice_version", &c.notice_version)?;
    put_str(tx, &obj, "collected_by", &c.collected_by.to_string())?;
    put_str(tx, &obj, "basis", c.basis.key())?;
    put_opt_str(tx, &obj, "special", c.special.map(SpecialCondition::key))?;
    match &c.guardian {
        None => {}
        Some(Guardian::Member { member }) => put_str(tx, &obj, "guardian_member", &member.to_string())?,
        Some(Guardian::Named { name }) => put_str(tx, &obj, "guardian_name", name)?,
    }
    Ok(())
}

/// Adds a member.
pub(crate) fn add_member<T: Transactable>(tx: &mut T, id: MemberId, m: &NewMember) -> Result<()> {
    let members = ensure_map(tx, &ROOT, "members")?;
    let obj = ensure_map(tx, &members, &id.to_string())?;
    put_str(tx, &obj, "first_name", &m.first_name)?;
    put_str(tx, &obj, "last_name", &m.last_name)?;
    put_opt_u64(tx, &obj, "birth_year", m.birth_year.map(u64::from))?;
    Ok(())
}

fn member_obj<T: Transactable>(tx: &mut T, id: MemberId) -> Result<ObjId> {
    let members = ensure_map(tx, &ROOT, "members")?;
    map_at(tx, &members, &id.to_string()).ok_or_else(|| Error::not_found("member", id))
}

/// Applies a patch to a member.
pub(crate) fn patch_member<T: Transactable>(tx: &mut T, id: MemberId, p: &MemberPatch) -> Result<()> {
    let obj = member_obj(tx, id)?;
    if let Some(f) = &p.first_name {
        put_str(tx, &obj, "first_name", f)?;
    }
    if let Some(l) = &p.last_name {
        put_str(tx, &obj, "last_name", l)?;
    }
    if let Some(y) = p.birth_year {
        put_opt_u64(tx, &obj, "birth_year", y.map(u64::from))?;
    }
    Ok(())
}

/// Adds a pathway.
pub(crate) fn add_pathway<T: Transactable>(tx: &mut T, id: PathwayId, p: &NewPathway) -> Result<()> {
    let ps = ensure_map(tx, &ROOT, "pathways")?;
    let obj = ensure_map(tx, &ps, &id.to_string())?;
    put_str(tx, &obj, "kind", p.kind.key())?;
    put_str(tx, &obj, "start", &p.start.to_string())?;
    put_str(tx, &obj, "status", PathwayStatus::Active.key())?;
    put_opt_str(tx, &obj, "operator", p.operator.map(|o| o.to_string()).as_deref())?;
    put_text(tx, &obj, "notes", &p.notes)?;
    Ok(())
}

/// Applies a patch to a pathway.
pub(crate) fn patch_pathway<T: Transactable>(tx: &mut T, id: PathwayId, p: &PathwayPatch) -> Result<()> {
    let ps = ensure_map(tx, &ROOT, "pathways")?;
    let obj = map_at(tx, &ps, &id.to_string()).ok_or_else(|| Error::not_found("pathway", id))?;
    if let Some(s) = p.status {
        put_str(tx, &obj, "status", s.key())?;
    }
    if let Some(e) = p.end {
        put_opt_str(tx, &obj, "end", e.map(|d| d.to_string()).as_deref())?;
    }
    if let Some(o) = p.operator {
        put_opt_str(tx, &obj, "operator", o.map(|o| o.to_string()).as_deref())?;
    }
    if let Some(n) = &p.notes {
        put_text(tx, &obj, "notes", n)?;
    }
    Ok(())
}

/// Marks the household as merged into `into` (or clears the mark).
pub(crate) fn set_merged_into<T: Transactable>(tx: &mut T, into: Option<HouseholdId>) -> Result<()> {
    put_opt_str(tx, &ROOT, "merged_into", into.map(|i| i.to_string()).as_deref())
}

/// Confirms the merge; it can no longer be undone.
pub(crate) fn confirm_merge<T: Transactable>(tx: &mut T) -> Result<()> {
    put_bool(tx, &ROOT, "merge_confirmed", true)
}
