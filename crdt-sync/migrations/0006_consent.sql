-- 0006: the legal basis record and restriction of processing (GDPR arts. 6,
-- 9, 18). Never edit a landed migration: add one. (0006 is taken by the
-- retention work.)
--
-- Projection columns, rebuilt from the household documents like the rest of
-- the table. Rows written before this migration read as no basis recorded
-- and not restricted, which is what those documents say (issue 6 is what
-- added both), until the document is next projected.
ALTER TABLE households ADD COLUMN legal_basis TEXT;            -- `consent`, `public_task`, …; NULL: missing
ALTER TABLE households ADD COLUMN legal_status TEXT NOT NULL DEFAULT 'missing'; -- `valid`, `missing`, `pending_decision`, `restricted`
ALTER TABLE households ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;       -- 1: left out of exports, frozen
