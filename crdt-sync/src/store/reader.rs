//! A read-only view of the register for the reports: the projection's
//! tables in plain SQL, and nothing that writes.

use rusqlite::{CachedStatement, Connection};

use crate::error::{Error, Result};

/// Read access to the projection ([`Store::reader`](super::Store::reader)).
///
/// Every statement is prepared through [`Reader::prepare`], which asks
/// SQLite whether it could write (`sqlite3_stmt_readonly`) and refuses it
/// if so: a report cannot change the register, whatever its SQL says.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    conn: &'a Connection,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reader(..)")
    }
}

impl<'a> Reader<'a> {
    pub(super) fn new(conn: &'a Connection) -> Self {
        Reader { conn }
    }

    /// A cached statement for `sql`, which must only read:
    /// [`Error::Internal`] for one that could write (nothing is run).
    pub fn prepare(&self, sql: &str) -> Result<CachedStatement<'a>> {
        let stmt = self.conn.prepare_cached(sql)?;
        if !stmt.readonly() {
            return Err(Error::Internal(format!("a report asked to run a statement that writes: {sql}")));
        }
        Ok(stmt)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::one_family::{family, lab, store};

    #[test]
    fn reads_and_refuses_what_writes() {
        let mut s = store(1);
        let l = lab(&mut s, 3);
        family(&mut s, l);
        let r = s.reader();
        let n: i64 = r
            .prepare("SELECT count(*) FROM households")
            .expect("read")
            .query_row([], |row| row.get(0))
            .expect("row");
        assert_eq!(n, 1);
        for sql in [
            "DELETE FROM households",
            "UPDATE households SET code = 'x'",
            "CREATE TABLE t (x)",
            "PRAGMA user_version = 9",
        ] {
            let Err(err) = r.prepare(sql) else { panic!("{sql} was prepared") };
            assert!(err.to_string().contains("writes"), "{sql}: {err}");
        }
        let n: i64 = r
            .prepare("SELECT count(*) FROM households")
            .expect("read")
            .query_row([], |row| row.get(0))
            .expect("row");
        assert_eq!(n, 1, "nothing was deleted");
    }
}
