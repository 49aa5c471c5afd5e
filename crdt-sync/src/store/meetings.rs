//! The lab meetings and who attended them ([`Meetings`]).

use chrono::NaiveDate;
use rusqlite::params;

use super::checks::MAX_GUESTS;
use super::rows::{MeetingSummary, date, parse};
use crate::doc;
use crate::doc::{DocRef, FieldConflict};
use crate::domain::{Attendance, Meeting, MeetingPatch, NewMeeting, check_date, check_text};
use crate::error::{Error, Result};
use crate::ids::{LabId, MeetingId, MemberId};
use crate::store::Store;
use crate::store::api::*;

impl Meetings for Store {
    fn create_meeting(&mut self, m: NewMeeting) -> Result<MeetingId> {
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

    fn update_meeting(&mut self, id: MeetingId, patch: MeetingPatch) -> Result<()> {
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

    fn record_attendance(&mut self, meeting: MeetingId, a: Attendance) -> Result<()> {
        let lab = self.meeting_lab(meeting)?;
        self.check_attendance(&a)?;
        self.refuse_restricted_attendance(a.household)?;
        let (_, p) = self.edit(DocRef::lab(lab), false, |tx| doc::lab::add_attendance(tx, meeting, a))?;
        self.commit(p.into_iter().collect())
    }

    fn remove_attendance(&mut self, meeting: MeetingId, member: MemberId) -> Result<bool> {
        let lab = self.meeting_lab(meeting)?;
        let (was, p) =
            self.edit(DocRef::lab(lab), false, |tx| doc::lab::remove_attendance(tx, meeting, member))?;
        self.commit(p.into_iter().collect())?;
        Ok(was)
    }

    fn meetings(&self, lab: LabId, from: NaiveDate, to: NaiveDate) -> Result<Vec<MeetingSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.lab_id, m.date, m.start_time, m.end_time, m.activity, m.theme,
                    (SELECT count(*) FROM attendance a WHERE a.meeting_id = m.id), m.guests
             FROM meetings m WHERE m.lab_id = ?1 AND m.date BETWEEN ?2 AND ?3
             ORDER BY m.date, m.start_time, m.id",
        )?;
        let rows = stmt.query_map(params![lab.to_string(), from.to_string(), to.to_string()], |r| {
            Ok(MeetingSummary {
                id: parse(r.get(0)?)?,
                lab: parse(r.get(1)?)?,
                date: date(r.get(2)?)?,
                start: r.get(3)?,
                end: r.get(4)?,
                activity: r.get(5)?,
                theme: r.get(6)?,
                attendees: r.get(7)?,
                guests: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn meeting(&mut self, id: MeetingId) -> Result<Meeting> {
        let lab: String = self
            .conn
            .prepare_cached("SELECT lab_id FROM meetings WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .map_err(|_| Error::not_found("meeting", id))?;
        let lab: LabId = lab.parse().map_err(|_| Error::not_found("meeting", id))?;
        doc::lab::read_meeting(self.doc(DocRef::lab(lab))?, lab, id)
            .ok_or_else(|| Error::not_found("meeting", id))
    }

    fn meeting_conflicts(&mut self, id: MeetingId) -> Result<Vec<FieldConflict>> {
        let lab = self.meeting(id)?.lab;
        let prefix = format!("meetings.{id}.");
        Ok(doc::conflicts(self.doc(DocRef::lab(lab))?)
            .into_iter()
            .filter_map(|c| {
                c.path
                    .strip_prefix(&prefix)
                    .map(|p| FieldConflict { path: p.to_owned(), values: c.values.clone() })
            })
            .collect())
    }
}
