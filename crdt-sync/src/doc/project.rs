//! The project document: `labs.<lab_id>`, `activity_types.<key>`, `targets`, `retention`,
//! `nomenclature.<code>`, and the hub's device directory (`devices.<device_id>`, `hub`).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use chrono::DateTime;

use super::{
    ensure_map, get_bool, get_i64, get_parsed, get_str_or_empty, get_string, get_u64, map_at, put_bool,
    put_opt_str, put_str, put_u64, root_maps,
};
use crate::domain::{
    ActivityType, ErasureReason, Lab, NewLab, NomenclatureArea, Organisation, RetentionPolicy, Targets,
};
use crate::domain::{DeviceRole, Grant};
use crate::domain::{Directory, DirectoryEntry as Entry};
use crate::domain::{Keyed, VolunteerTombstone};
use crate::error::Result;
use crate::ids::{DeviceId, LabId, OrganisationId, PersonId};

/// Every lab, ordered by number.
pub(crate) fn labs<R: ReadDoc>(doc: &R) -> Vec<Lab> {
    let Some(labs) = map_at(doc, &ROOT, "labs") else {
        return Vec::new();
    };
    let mut out: Vec<Lab> = doc
        .keys(&labs)
        .filter_map(|k| {
            let id: LabId = k.parse().ok()?;
            let m = map_at(doc, &labs, &k)?;
            Some(Lab {
                id,
                number: u8::try_from(get_u64(doc, &m, "number")?).ok()?,
                name: get_str_or_empty(doc, &m, "name"),
                address: get_str_or_empty(doc, &m, "address"),
                partner: get_str_or_empty(doc, &m, "partner"),
            })
        })
        .collect();
    out.sort_by_key(|l| (l.number, l.id));
    out
}

/// Adds a lab entry.
pub(crate) fn put_lab<T: Transactable>(tx: &mut T, id: LabId, lab: &NewLab) -> Result<()> {
    let labs = ensure_map(tx, &ROOT, "labs")?;
    let m = ensure_map(tx, &labs, &id.to_string())?;
    put_u64(tx, &m, "number", u64::from(lab.number))?;
    put_str(tx, &m, "name", &lab.name)?;
    put_str(tx, &m, "address", &lab.address)?;
    put_str(tx, &m, "partner", &lab.partner)?;
    Ok(())
}

/// The activity types, ordered by key. An activity type's `nomenclature`
/// is the code at `activity_types.<key>.nomenclature` when that code is
/// among the project's areas ([`nomenclature_areas`]); an absent key, or a
/// code no area has (removed on another laptop while this one mapped to
/// it), reads as not mapped.
pub(crate) fn activity_types<R: ReadDoc>(doc: &R) -> Vec<ActivityType> {
    let Some(types) = map_at(doc, &ROOT, "activity_types") else {
        return Vec::new();
    };
    let areas: BTreeMap<String, NomenclatureArea> =
        nomenclature_areas(doc).into_iter().map(|a| (a.code.clone(), a)).collect();
    doc.keys(&types)
        .filter_map(|key| {
            let m = map_at(doc, &types, &key)?;
            Some(ActivityType {
                label_it: get_str_or_empty(doc, &m, "label_it"),
                label_en: get_str_or_empty(doc, &m, "label_en"),
                nomenclature: get_string(doc, &m, ACTIVITY_NOMENCLATURE).filter(|c| areas.contains_key(c)),
                key,
            })
        })
        .collect()
}

/// The key of an activity type's area code (`activity_types.<key>.nomenclature`).
const ACTIVITY_NOMENCLATURE: &str = "nomenclature";

/// Maps the activity type `key` to the area `code`, or unmaps it (`None`:
/// the key is deleted, as in documents written before issue 15). The
/// caller has checked that the type and the area exist.
pub(crate) fn put_activity_nomenclature<T: Transactable>(
    tx: &mut T,
    key: &str,
    code: Option<&str>,
) -> Result<()> {
    let types = ensure_map(tx, &ROOT, "activity_types")?;
    let m = ensure_map(tx, &types, key)?;
    put_opt_str(tx, &m, ACTIVITY_NOMENCLATURE, code)
}

/// Root key of the project's areas of the nomenclature:
/// `nomenclature.<code>` = `{name}` (issue 15; not in the genesis, so two
/// coordinators adding the first area offline may create rival maps:
/// readers take the union, as for [`ERASED_VOLUNTEERS`]).
pub(crate) const NOMENCLATURE: &str = "nomenclature";

/// Every root map of areas (rival ones included, in automerge's order).
fn nomenclature_maps<R: ReadDoc>(doc: &R) -> Vec<automerge::ObjId> {
    root_maps(doc, NOMENCLATURE)
}

/// The project's areas of the nomenclature, ordered by code; from rival
/// root maps, the first that holds a code names it.
pub(crate) fn nomenclature_areas<R: ReadDoc>(doc: &R) -> Vec<NomenclatureArea> {
    let mut out = BTreeMap::new();
    for map in nomenclature_maps(doc) {
        for code in doc.keys(&map) {
            let Some(m) = map_at(doc, &map, &code) else { continue };
            let name = get_str_or_empty(doc, &m, "name");
            out.entry(code.clone()).or_insert(NomenclatureArea { code, name });
        }
    }
    out.into_values().collect()
}

/// Adds an area or renames it (in every rival map that holds its code, so
/// the new name is the one read).
pub(crate) fn put_nomenclature_area<T: Transactable>(tx: &mut T, area: &NomenclatureArea) -> Result<()> {
    let mut written = false;
    for map in nomenclature_maps(tx) {
        if let Some(m) = map_at(tx, &map, &area.code) {
            put_str(tx, &m, "name", &area.name)?;
            written = true;
        }
    }
    if !written {
        let areas = ensure_map(tx, &ROOT, NOMENCLATURE)?;
        let m = ensure_map(tx, &areas, &area.code)?;
        put_str(tx, &m, "name", &area.name)?;
    }
    Ok(())
}

/// Removes the area `code` (from every rival map) and, in the same change,
/// unmaps the activity types mapped to it; returns their keys.
pub(crate) fn remove_nomenclature_area<T: Transactable>(tx: &mut T, code: &str) -> Result<Vec<String>> {
    for map in nomenclature_maps(tx) {
        if tx.get(&map, code)?.is_some() {
            tx.delete(&map, code)?;
        }
    }
    let mut unmapped = Vec::new();
    if let Some(types) = map_at(tx, &ROOT, "activity_types") {
        for key in tx.keys(&types).collect::<Vec<_>>() {
            let Some(m) = map_at(tx, &types, &key) else { continue };
            if get_string(tx, &m, ACTIVITY_NOMENCLATURE).as_deref() == Some(code) {
                tx.delete(&m, ACTIVITY_NOMENCLATURE)?;
                unmapped.push(key);
            }
        }
    }
    Ok(unmapped)
}

/// Adds or relabels an activity type.
pub(crate) fn put_activity_type<T: Transactable>(tx: &mut T, t: &ActivityType) -> Result<()> {
    let types = ensure_map(tx, &ROOT, "activity_types")?;
    let m = ensure_map(tx, &types, &t.key)?;
    put_str(tx, &m, "label_it", &t.label_it)?;
    put_str(tx, &m, "label_en", &t.label_en)?;
    Ok(())
}

/// The targets; defaults for fields never written.
pub(crate) fn targets<R: ReadDoc>(doc: &R) -> Targets {
    let d = Targets::default();
    let Some(m) = map_at(doc, &ROOT, "targets") else {
        return d;
    };
    let get =
        |k: &str, default: u32| get_u64(doc, &m, k).and_then(|v| u32::try_from(v).ok()).unwrap_or(default);
    Targets {
        families: get("families", d.families),
        labs: get("labs", d.labs),
        operators_trained: get("operators_trained", d.operators_trained),
        volunteers_trained: get("volunteers_trained", d.volunteers_trained),
        trained_hours: get("trained_hours", d.trained_hours),
    }
}

/// Writes the targets (only the fields that changed).
pub(crate) fn put_targets<T: Transactable>(tx: &mut T, t: &Targets) -> Result<()> {
    let m = ensure_map(tx, &ROOT, "targets")?;
    put_u64(tx, &m, "families", u64::from(t.families))?;
    put_u64(tx, &m, "labs", u64::from(t.labs))?;
    put_u64(tx, &m, "operators_trained", u64::from(t.operators_trained))?;
    put_u64(tx, &m, "volunteers_trained", u64::from(t.volunteers_trained))?;
    put_u64(tx, &m, "trained_hours", u64::from(t.trained_hours))?;
    Ok(())
}

/// The retention policy; defaults for fields never written.
pub(crate) fn retention<R: ReadDoc>(doc: &R) -> RetentionPolicy {
    let d = RetentionPolicy::default();
    let Some(m) = map_at(doc, &ROOT, "retention") else {
        return d;
    };
    let get =
        |k: &str, default: u32| get_u64(doc, &m, k).and_then(|v| u32::try_from(v).ok()).unwrap_or(default);
    RetentionPolicy {
        inactive_years: get("inactive_years", d.inactive_years),
        stale_device_days: get("stale_device_days", d.stale_device_days),
        volunteer_years: get("volunteer_years", d.volunteer_years),
    }
}

/// Writes the retention policy at
/// `retention{inactive_years,stale_device_days,volunteer_years}`.
pub(crate) fn put_retention<T: Transactable>(tx: &mut T, p: &RetentionPolicy) -> Result<()> {
    let m = ensure_map(tx, &ROOT, "retention")?;
    put_u64(tx, &m, "inactive_years", u64::from(p.inactive_years))?;
    put_u64(tx, &m, "stale_device_days", u64::from(p.stale_device_days))?;
    put_u64(tx, &m, "volunteer_years", u64::from(p.volunteer_years))?;
    Ok(())
}

/// The partner organisations (`organisations.<id>{name}`, since issue 15;
/// not in the genesis), ordered by name.
pub(crate) fn organisations<R: ReadDoc>(doc: &R) -> Vec<Organisation> {
    let Some(orgs) = map_at(doc, &ROOT, ORGANISATIONS) else {
        return Vec::new();
    };
    let mut out: Vec<Organisation> = doc
        .keys(&orgs)
        .filter_map(|k| {
            let m = map_at(doc, &orgs, &k)?;
            Some(Organisation { id: k.parse().ok()?, name: get_str_or_empty(doc, &m, "name") })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    out
}

/// Adds or renames an organisation.
pub(crate) fn put_organisation<T: Transactable>(tx: &mut T, o: &Organisation) -> Result<()> {
    let orgs = ensure_map(tx, &ROOT, ORGANISATIONS)?;
    let m = ensure_map(tx, &orgs, &o.id.to_string())?;
    put_str(tx, &m, "name", &o.name)
}

const ORGANISATIONS: &str = "organisations";

/// Root key of the device directory the hub writes: `devices.<device_id>`
/// = `{role, lab?, organisation?, revoked}`, and `hub` = the hub's own
/// device id.
pub(crate) const DEVICES: &str = "devices";
pub(crate) const HUB: &str = "hub";

/// The device directory (`crate::authz::Directory`).
pub(crate) fn directory<R: ReadDoc>(doc: &R) -> Directory {
    let mut out = Directory { hub: get_parsed(doc, &ROOT, HUB), ..Directory::default() };
    let Some(devices) = map_at(doc, &ROOT, DEVICES) else {
        return out;
    };
    for key in doc.keys(&devices) {
        let (Ok(id), Some(m)) = (key.parse::<DeviceId>(), map_at(doc, &devices, &key)) else { continue };
        let Some(role) = get_string(doc, &m, "role").and_then(|r| DeviceRole::parse(&r)) else { continue };
        let lab = get_parsed(doc, &m, "lab");
        let organisation = get_parsed(doc, &m, "organisation");
        let revoked = get_bool(doc, &m, "revoked").unwrap_or(false);
        out.devices.insert(id, Entry { grant: Grant { role, lab, organisation }, revoked });
    }
    out
}

/// Writes one device's entry (only what differs).
pub(crate) fn put_device<T: Transactable>(tx: &mut T, id: DeviceId, e: &Entry) -> Result<()> {
    let devices = ensure_map(tx, &ROOT, DEVICES)?;
    let m = ensure_map(tx, &devices, &id.to_string())?;
    put_str(tx, &m, "role", e.grant.role.as_str())?;
    put_opt_str(tx, &m, "lab", e.grant.lab.map(|l| l.to_string()).as_deref())?;
    // Written only when set (an enrolment's organisation never changes):
    // the directory of a hub without organisations stays as it was.
    if let Some(o) = e.grant.organisation {
        put_str(tx, &m, "organisation", &o.to_string())?;
    }
    put_bool(tx, &m, "revoked", e.revoked)?;
    Ok(())
}

/// Writes the hub's own id.
pub(crate) fn put_hub<T: Transactable>(tx: &mut T, id: DeviceId) -> Result<()> {
    put_str(tx, &ROOT, HUB, &id.to_string())
}

/// Root key of the volunteers' tombstones (`erased_volunteers.<person_id>`
/// = `{organisation, at, by_device, by_person?, reason}`, since issue 15;
/// not in the genesis, so two coordinators erasing offline may create
/// rival maps: readers take the union).
pub(crate) const ERASED_VOLUNTEERS: &str = "erased_volunteers";

/// Every volunteer's tombstone in the document, rival root maps included
/// (the first found wins for a person in two). A tombstone without a
/// readable organisation is skipped: nobody could have been allowed to
/// write it (`authz::authors`), so it orders nothing.
pub(crate) fn volunteer_tombstones<R: ReadDoc>(doc: &R) -> BTreeMap<PersonId, VolunteerTombstone> {
    let mut out = BTreeMap::new();
    for map in root_maps(doc, ERASED_VOLUNTEERS) {
        for k in doc.keys(&map) {
            let (Ok(person), Some(m)) = (k.parse::<PersonId>(), map_at(doc, &map, &k)) else { continue };
            let Some(organisation) = get_parsed::<_, OrganisationId>(doc, &m, "organisation") else {
                continue;
            };
            out.entry(person).or_insert_with(|| VolunteerTombstone {
                person,
                organisation,
                at: DateTime::from_timestamp_millis(get_i64(doc, &m, "at").unwrap_or(0)).unwrap_or_default(),
                by_device: get_parsed(doc, &m, "by_device").unwrap_or(DeviceId(uuid::Uuid::nil())),
                by_person: get_parsed(doc, &m, "by_person"),
                reason: get_string(doc, &m, "reason")
                    .and_then(|r| ErasureReason::from_key(&r))
                    .unwrap_or(ErasureReason::Other),
            });
        }
    }
    out
}

/// Writes a volunteer's tombstone.
pub(crate) fn write_volunteer_tombstone<T: Transactable>(tx: &mut T, t: &VolunteerTombstone) -> Result<()> {
    let erased = ensure_map(tx, &ROOT, ERASED_VOLUNTEERS)?;
    let m = ensure_map(tx, &erased, &t.person.to_string())?;
    put_str(tx, &m, "organisation", &t.organisation.to_string())?;
    tx.put(&m, "at", t.at.timestamp_millis())?;
    put_str(tx, &m, "by_device", &t.by_device.to_string())?;
    put_opt_str(tx, &m, "by_person", t.by_person.map(|p| p.to_string()).as_deref())?;
    put_str(tx, &m, "reason", t.reason.key())?;
    Ok(())
}
