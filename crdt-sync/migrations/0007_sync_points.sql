-- 0007: sync points. Never edit a landed migration: add one.
--
-- For each peer (on a laptop its hub, `hub`; on the hub each device, by its
-- id) and each document: the heads both sides were known to hold when their
-- last sync settled (decision 0023). The next sync offers only documents
-- that moved since, and automerge starts from these heads instead of the
-- whole history. A point is a claim about the peer, never a right: a wrong
-- one costs a full sync (both sides compare a digest of their points first),
-- never a change accepted or withheld.
CREATE TABLE sync_points (
    peer   TEXT NOT NULL,
    doc    TEXT NOT NULL,   -- the document's key, as documents.doc_key
    heads  BLOB NOT NULL,   -- its heads, sorted, 32 bytes each
    PRIMARY KEY (peer, doc)
) WITHOUT ROWID;

CREATE INDEX sync_points_by_doc ON sync_points (doc);
