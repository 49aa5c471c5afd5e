-- 0008: training attendance that counts (issue 15, decision 0030). Never
-- edit a landed migration: add one.
--
-- A session's start time and completion threshold (percent, 80 unless the
-- session sets another), and per attendee the minutes attended (arrival and
-- departure clamped to the session, or minutes recorded, or the whole
-- session when nothing is recorded) and whether that completes the session.
-- The defaults are placeholders: the training document is marked stale
-- below, so it is re-projected when the register opens and every row gets
-- its real values from the document.
ALTER TABLE trainings ADD COLUMN start TEXT;
ALTER TABLE trainings ADD COLUMN completion INTEGER NOT NULL DEFAULT 80;
ALTER TABLE training_attendance ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE training_attendance ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;

UPDATE documents SET projected_heads = NULL WHERE kind = 'training';
