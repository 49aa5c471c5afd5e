-- 0009: open conflicts. Never edit a landed migration: add one.
--
-- A projection table like the others (rebuilt from the documents, kept in
-- step by the same write path): one row per field where concurrent edits
-- left more than one value, named by its document and its dotted path
-- (as `FieldConflict.path`). The queue of conflicting edits (decision 0031)
-- reads it to load only the documents that have conflicts; the values and
-- who wrote them are read from the documents themselves.
CREATE TABLE doc_conflicts (
    doc_key  TEXT NOT NULL,   -- the document's key, as documents.doc_key
    path     TEXT NOT NULL,
    PRIMARY KEY (doc_key, path)
) WITHOUT ROWID;
