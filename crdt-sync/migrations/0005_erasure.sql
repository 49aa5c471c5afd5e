-- 0005: erasure of families (GDPR art. 17). Never edit a landed migration: add one.
--
-- Not part of the projection: a family's household document is dropped when
-- its lab document carries a tombstone (`erased.<household_id>`), so these
-- rows cannot be rebuilt from the documents, and a projection rebuild leaves
-- them alone. They hold no names, contacts or notes: only ids (random UUIDs),
-- the human code, and what the indicators need to count the family as
-- before (see docs/decisions/0009-erasure.md).

-- Every family erased on this device: the store refuses its document from
-- then on, whatever sends it.
CREATE TABLE erased_households (
    id         TEXT PRIMARY KEY,
    lab_id     TEXT NOT NULL,
    code       TEXT NOT NULL,
    erased_at  INTEGER NOT NULL,          -- the tombstone's time, ms since the epoch (UTC)
    reason     TEXT NOT NULL,             -- `request`, `withdrawal`, `retention`, `other`
    scrubbed   INTEGER NOT NULL DEFAULT 0 -- 1 once freed pages were vacuumed away
);

-- The erased members, as the indicators counted them: the family and the
-- person they counted as (merges followed) and the birth year (minors).
CREATE TABLE erased_members (
    member_id     TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL,
    family_id     TEXT NOT NULL,
    person_id     TEXT NOT NULL,
    birth_year    INTEGER
);

-- The erased pathways' spans (families accompanied): no kind, no notes.
CREATE TABLE erased_pathways (
    pathway_id    TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL,
    family_id     TEXT NOT NULL,
    lab_id        TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT
);
