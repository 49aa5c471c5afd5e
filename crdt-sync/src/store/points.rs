//! The sync points kept for each peer ([`SyncMemory`]).

use std::collections::BTreeMap;

use automerge::ChangeHash;
use rusqlite::params;

use super::Store;
use super::docs::encode_heads;
use crate::doc::DocRef;
use crate::error::{Error, Result};
use crate::store::api::SyncMemory;
use crate::sync_points::{Peer, SyncPoints};

/// The heads of a stored point: 32 bytes each.
fn decode_heads(doc: &str, bytes: &[u8]) -> Result<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(32) {
        return Err(Error::Internal(format!("the sync point of {doc} is {} bytes", bytes.len())));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            ChangeHash(h)
        })
        .collect())
}

impl SyncMemory for Store {
    fn sync_points(&self, peer: Peer) -> Result<SyncPoints> {
        let mut stmt = self.conn.prepare_cached("SELECT doc, heads FROM sync_points WHERE peer = ?1")?;
        let rows = stmt.query_map([peer.key()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut points = SyncPoints::new();
        for row in rows {
            let (doc, heads) = row?;
            // A key this build cannot read (a document kind of a later
            // build) is left out: the digest then differs and the next
            // sync is a full one.
            let Ok(r) = doc.parse::<DocRef>() else { continue };
            points.insert(r, decode_heads(&doc, &heads)?);
        }
        Ok(points)
    }

    fn keep_sync_points(&mut self, peer: Peer, points: &SyncPoints) -> Result<()> {
        let before = self.sync_points(peer)?;
        let key = peer.key();
        // Points are a cache whose loss costs one full sync, never a change:
        // written without waiting for the disk (the next write that does
        // wait, in the write-ahead log, carries them). On the hub that is
        // one flush less per device per sync. Not inside a batch, whose
        // transaction decides for itself.
        let relaxed = self.conn.is_autocommit();
        if relaxed {
            self.conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        }
        let written = self.write_points(&key, &before, points);
        if relaxed {
            self.conn.execute_batch("PRAGMA synchronous = FULL")?;
        }
        written
    }

    fn forget_sync_points(&mut self, peer: Peer) -> Result<()> {
        self.conn.execute("DELETE FROM sync_points WHERE peer = ?1", [peer.key()])?;
        Ok(())
    }
}

impl Store {
    /// The rows of `points` that differ from `before`, in one savepoint (it
    /// nests inside a batch's transaction).
    fn write_points(&mut self, key: &str, before: &SyncPoints, points: &SyncPoints) -> Result<()> {
        let tx = self.conn.savepoint()?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM sync_points WHERE peer = ?1 AND doc = ?2")?;
            for doc in before.docs() {
                if points.get(doc).is_none() {
                    delete.execute(params![key, doc.to_string()])?;
                }
            }
            let mut upsert = tx.prepare_cached(
                "INSERT INTO sync_points (peer, doc, heads) VALUES (?1, ?2, ?3)
                 ON CONFLICT (peer, doc) DO UPDATE SET heads = excluded.heads",
            )?;
            let before: BTreeMap<&DocRef, &[ChangeHash]> = before.iter().collect();
            for (doc, heads) in points.iter() {
                if before.get(doc) != Some(&heads) {
                    upsert.execute(params![key, doc.to_string(), encode_heads(heads.to_vec())])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::ids::{DeviceId, LabId};

    #[test]
    fn points_are_kept_per_peer_replaced_and_forgotten() {
        let mut store = crate::testing::store(1, 2, 1..=99);
        let device = Peer::Device(DeviceId(Uuid::from_u128(9)));
        let (a, b) = (DocRef::lab(LabId(Uuid::from_u128(1))), DocRef::lab(LabId(Uuid::from_u128(2))));
        let (h1, h2) = (ChangeHash([1; 32]), ChangeHash([2; 32]));
        assert!(store.sync_points(Peer::Hub).expect("none").is_empty());
        let first: SyncPoints = [(a, vec![h2, h1]), (b, vec![h1])].into_iter().collect();
        store.keep_sync_points(Peer::Hub, &first).expect("keep");
        store.keep_sync_points(device, &[(a, vec![h1])].into_iter().collect()).expect("keep");
        assert_eq!(store.sync_points(Peer::Hub).expect("points"), first);
        let next: SyncPoints = [(a, vec![h2])].into_iter().collect();
        store.keep_sync_points(Peer::Hub, &next).expect("replace");
        assert_eq!(store.sync_points(Peer::Hub).expect("points"), next, "b forgotten, a moved");
        assert_eq!(store.sync_points(device).expect("points").len(), 1, "another peer's are its own");
        store.forget_sync_points(device).expect("forget");
        assert!(store.sync_points(device).expect("points").is_empty());
        assert_eq!(store.sync_points(Peer::Hub).expect("points"), next);
    }
}
