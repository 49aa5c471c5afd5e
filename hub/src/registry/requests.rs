//! Leads' requests for a new device of their lab (`/devices` `ask`), kept
//! until a coordinator answers or dismisses them (decision 0028).

use crdt_sync::sync::DeviceRole;
use crdt_sync::sync::manage::DeviceRequest;
use crdt_sync::{DeviceId, LabId};
use rusqlite::params;

use super::{Actor, Registry, now};
use crate::error::{HubError, Result};

impl Registry {
    /// Records a lead's request for a new device of `lab`; its number.
    pub fn ask(&mut self, lab: (LabId, u8), role: DeviceRole, note: &str, asked_by: DeviceId) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO device_requests (lab_id, lab_number, role, note, asked_by, asked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![lab.0.to_string(), lab.1, role.as_str(), note, asked_by.to_string(), now()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The requests no coordinator has answered yet, oldest first.
    pub fn open_requests(&self) -> Result<Vec<DeviceRequest>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, lab_number, role, note, asked_by, asked_at FROM device_requests
              WHERE closed_at IS NULL ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u8>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let bad = |what: &str| HubError::Internal(format!("registry request with bad {what}"));
        rows.into_iter()
            .map(|(id, lab, role, note, asked_by, asked_at)| {
                Ok(DeviceRequest {
                    id,
                    lab,
                    role: DeviceRole::parse(&role).ok_or_else(|| bad("role"))?,
                    note,
                    asked_by: asked_by.parse().map_err(|_| bad("device"))?,
                    asked_at,
                })
            })
            .collect()
    }

    /// Closes an open request with `outcome` (`answered`, `dismissed`);
    /// false if there is no such open request.
    pub fn close_request(&mut self, id: i64, by: &Actor, outcome: &str) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE device_requests SET closed_at = ?2, closed_by = ?3, outcome = ?4
              WHERE id = ?1 AND closed_at IS NULL",
            params![id, now(), by.label(), outcome],
        )?;
        Ok(changed == 1)
    }
}
