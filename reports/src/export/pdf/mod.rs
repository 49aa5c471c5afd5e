//! The printable attendance register (*registro presenze*), as labs keep it
//! on paper: one PDF per lab and month of the selection, or one for a single
//! meeting. Each meeting is a sheet with the lab, the date and time, the
//! activity, the facilitators, the guests, the numbered list of those
//! present with a line to sign, and the facilitator's signature.
//!
//! The data are the export's own meeting and attendance rows, so the PDF is
//! pseudonymised exactly like the CSV and XLSX files (codes instead of
//! names) unless a full export was asked for.

mod document;
mod font;
mod layout;
mod render;
pub(crate) mod sign_in;

pub(crate) use document::{Block, Document, pdf as document};

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;

use super::labels::{Label, month_name};
use super::register::{AttendanceRow, Ctx, MeetingRow};
use super::table::Cell;
use super::{Ctl, ExportFile, Stage};
use crate::error::Result;
use layout::{Register, Sheet};

fn sheet(ctx: &Ctx<'_>, m: &MeetingRow, present: &[&AttendanceRow]) -> Sheet {
    use Label as L;
    let heading = format!("{} {}, {}–{}", ctx.text(L::Meeting), m.date.format("%d/%m/%Y"), m.start, m.end);
    let mut details = vec![(ctx.text(L::ColActivity).to_owned(), m.activity.clone())];
    if !m.theme.trim().is_empty() {
        details.push((ctx.text(L::ColTheme).to_owned(), m.theme.clone()));
    }
    details.push((ctx.text(L::ColFacilitators).to_owned(), m.facilitators.join(", ")));
    details.push((ctx.text(L::ColGuests).to_owned(), m.guests.to_string()));
    let present = present
        .iter()
        .map(|a| {
            let who = match &a.name {
                Some((first, last)) if first == last => first.clone(),
                Some((first, last)) => format!("{first} {last}"),
                None => a.person.clone(),
            };
            let birth = match a.birth(!ctx.full) {
                Cell::Int(y) => y.to_string(),
                Cell::Text(band) => band,
                _ => String::new(),
            };
            [a.family.clone(), who, birth]
        })
        .collect();
    Sheet { heading, details, present }
}

fn register(ctx: &Ctx<'_>, lab: (i64, &str), subtitle: String, sheets: Vec<Sheet>) -> Register {
    use Label as L;
    let title = format!("{} — {} ({} {})", ctx.text(L::RegisterTitle), lab.1, ctx.text(L::LabNumber), lab.0);
    let mut footer = format!("{} · {}", ctx.text(L::RegisterTitle), lab.1);
    if !ctx.full {
        footer = format!("{footer} · {}", ctx.text(L::Pseudonymised));
    }
    let person_column = if ctx.full { L::PresentList } else { L::ColPerson };
    Register {
        title,
        subtitle,
        sheets,
        columns: [
            "#".to_owned(),
            ctx.text(L::ColFamily).to_owned(),
            ctx.text(person_column).to_owned(),
            ctx.text(L::ColBirthYear).to_owned(),
            ctx.text(L::Signature).to_owned(),
        ],
        nobody: ctx.text(L::NoAttendance).to_owned(),
        facilitator_signature: ctx.text(L::SignatureFacilitator).to_owned(),
        footer,
        page_words: (ctx.text(L::Page).to_owned(), ctx.text(L::Of).to_owned()),
    }
}

/// The PDF registers of `meetings` (all of the selection, or the one asked
/// for): one file per lab and month, or one file for a single meeting.
pub(crate) fn registers(
    ctx: &Ctx<'_>,
    meetings: &[MeetingRow],
    attendance: &[AttendanceRow],
    single: bool,
    ctl: &mut Ctl<'_>,
) -> Result<Vec<ExportFile>> {
    let metrics = font::Metrics::new()?;
    let mut by_meeting: HashMap<&str, Vec<&AttendanceRow>> = HashMap::new();
    // A restricted family (art. 18) is counted in the totals, never listed.
    for a in attendance.iter().filter(|a| !a.restricted) {
        by_meeting.entry(a.meeting_id.as_str()).or_default().push(a);
    }
    // (lab number, year, month) -> meetings, in date order.
    let mut groups: BTreeMap<(i64, i32, u32), Vec<&MeetingRow>> = BTreeMap::new();
    for m in meetings {
        groups.entry((m.lab_number, m.date.year(), m.date.month())).or_default().push(m);
    }
    let stem = ctx.text(if single { Label::FileRegisterMeeting } else { Label::FileRegister });
    let mut files = Vec::new();
    for ((number, year, month), ms) in groups {
        let Some(first) = ms.first() else { continue };
        let mut sheets = Vec::new();
        for m in &ms {
            ctl.row(Stage::Writing(stem))?;
            sheets.push(sheet(ctx, m, by_meeting.get(m.id.as_str()).map_or(&[][..], Vec::as_slice)));
        }
        let (subtitle, name) = if single {
            (first.date.format("%d/%m/%Y").to_string(), format!("{stem}_lab{number:02}_{}.pdf", first.date))
        } else {
            let subtitle =
                format!("{} {} {year}", ctx.text(Label::RegisterOfMonth), month_name(month, ctx.lang));
            (subtitle, format!("{stem}_lab{number:02}_{year:04}-{month:02}.pdf"))
        };
        let reg = register(ctx, (number, &first.lab_name), subtitle, sheets);
        let bytes = render::render(&layout::layout(&reg, &metrics))?;
        files.push(ExportFile { name, media_type: "application/pdf", bytes });
    }
    Ok(files)
}
