//! Assigning human codes from this device's ranges.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::error::{Error, Result};

impl Store {
    /// Reserves the next code number. Runs in its own transaction before
    /// the document write: a number reserved for a write that then fails is
    /// skipped, never reused, so codes stay unique.
    pub(super) fn next_code_number(&mut self) -> Result<u32> {
        let tx = self.conn.transaction()?;
        let row: Option<(u32, u32, u32)> = tx
            .query_row(
                "SELECT first_code, last_code, next_code FROM code_ranges
                 WHERE next_code <= last_code ORDER BY first_code LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((first, _last, next)) = row else {
            let (start, end): (u32, u32) =
                tx.query_row("SELECT min(first_code), max(last_code) FROM code_ranges", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            return Err(Error::CodesExhausted { start, end });
        };
        tx.execute("UPDATE code_ranges SET next_code = ?2 WHERE first_code = ?1", params![first, next + 1])?;
        tx.commit()?;
        Ok(next)
    }
}
