//! *Incontri*: the week view, a meeting's page, and recording attendance
//! as the volunteer ticks names.

use chrono::NaiveDate;
use crdt_sync::{
    Attendance, Families, HouseholdId, LabId, MeetingId, MeetingPatch, MeetingSummary, Meetings, MemberId,
    NewMeeting,
};
use serde::Serialize;
use tauri::State;

use crate::error::AppResult;
use crate::state::AppState;

/// A meeting with the families present, each with all its members and
/// whether they were ticked, so the page can show and change attendance.
#[derive(Debug, Serialize, specta::Type)]
pub struct MeetingDetail {
    /// The meeting's own fields.
    pub meeting: crdt_sync::Meeting,
    /// Families with at least one member present, by code.
    pub families: Vec<FamilyPresence>,
}

/// One family at a meeting.
#[derive(Debug, Serialize, specta::Type)]
pub struct FamilyPresence {
    /// The family.
    pub id: HouseholdId,
    /// Its code (`PV01-0042`).
    pub code: String,
    /// `true` when the family's document was erased or is not on this
    /// device: only the code is known.
    pub unavailable: bool,
    /// Members, reference person first.
    pub members: Vec<MemberPresence>,
}

/// One member and whether they were present.
#[derive(Debug, Serialize, specta::Type)]
pub struct MemberPresence {
    /// The member.
    pub id: MemberId,
    /// "First Last".
    pub name: String,
    /// Birth year, when known.
    pub birth_year: Option<u16>,
    /// Ticked present.
    pub present: bool,
}

/// Meetings of a lab between two dates (inclusive), by date and time.
#[tauri::command]
#[specta::specta]
pub async fn list_meetings(
    state: State<'_, AppState>,
    lab: LabId,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<MeetingSummary>> {
    state.with_store(|s, _| Ok(s.meetings(lab, from, to)?)).await
}

/// A meeting with its attendance by family.
#[tauri::command]
#[specta::specta]
pub async fn get_meeting(state: State<'_, AppState>, id: MeetingId) -> AppResult<MeetingDetail> {
    state.with_personal_data(|s, _| detail(s, id)).await
}

/// Records a new meeting; returns its id. The front end creates it as soon
/// as the volunteer starts, then saves each field as it is typed.
#[tauri::command]
#[specta::specta]
pub async fn create_meeting(state: State<'_, AppState>, meeting: NewMeeting) -> AppResult<MeetingId> {
    state.with_store(|s, _| Ok(s.create_meeting(meeting)?)).await
}

/// Changes some of a meeting's fields (those not `null`).
#[tauri::command]
#[specta::specta]
pub async fn update_meeting(state: State<'_, AppState>, id: MeetingId, patch: MeetingPatch) -> AppResult<()> {
    state.with_store(|s, _| Ok(s.update_meeting(id, patch)?)).await
}

/// Ticks or unticks one member at a meeting.
#[tauri::command]
#[specta::specta]
pub async fn set_presence(
    state: State<'_, AppState>,
    meeting: MeetingId,
    household: HouseholdId,
    member: MemberId,
    present: bool,
) -> AppResult<()> {
    state
        .with_store(|s, _| {
            if present {
                s.record_attendance(meeting, Attendance { household, member })?;
            } else {
                s.remove_attendance(meeting, member)?;
            }
            Ok(())
        })
        .await
}

/// A family's members as they appear in an attendance list, none ticked:
/// what the page shows when the volunteer picks a family.
#[tauri::command]
#[specta::specta]
pub async fn family_for_attendance(state: State<'_, AppState>, id: HouseholdId) -> AppResult<FamilyPresence> {
    state.with_personal_data(|s, _| family_presence(s, id, &[])).await
}

fn detail(s: &mut crdt_sync::Store, id: MeetingId) -> AppResult<MeetingDetail> {
    let meeting = s.meeting(id)?;
    let mut families: Vec<HouseholdId> = meeting.attendance.iter().map(|a| a.household).collect();
    families.dedup();
    families.sort();
    families.dedup();
    let present: Vec<MemberId> = meeting.attendance.iter().map(|a| a.member).collect();
    let mut out = Vec::with_capacity(families.len());
    for h in families {
        out.push(family_presence(s, h, &present)?);
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(MeetingDetail { meeting, families: out })
}

fn family_presence(
    s: &mut crdt_sync::Store,
    id: HouseholdId,
    present: &[MemberId],
) -> AppResult<FamilyPresence> {
    match s.household(id) {
        Ok(h) => {
            let mut members: Vec<MemberPresence> = h
                .members
                .iter()
                .map(|m| MemberPresence {
                    id: m.id,
                    name: format!("{} {}", m.first_name, m.last_name),
                    birth_year: m.birth_year,
                    present: present.contains(&m.id),
                })
                .collect();
            if let Some(r) = h.reference {
                members.sort_by_key(|m| m.id != r);
            }
            Ok(FamilyPresence { id, code: h.code, unavailable: false, members })
        }
        Err(crdt_sync::Error::NotFound { .. }) => Ok(FamilyPresence {
            id,
            code: s.household_code(id)?.unwrap_or_default(),
            unavailable: true,
            members: Vec::new(),
        }),
        Err(e) => Err(e.into()),
    }
}
