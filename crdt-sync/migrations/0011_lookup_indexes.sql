-- 0011: look-ups by a key's second column. Never edit a landed migration: add one.
--
-- `lab_households` and `lab_roster` are keyed (lab, household) and (lab,
-- person), but the sync asks by household or person alone for the facts of
-- every document a session offers (`doc_facts`: which labs list it), as do
-- the trail and the register's exports for each row. Without an index each
-- of those asks scanned the whole table: a coordinator's first download of
-- ten labs (2,000 families) made two million row visits on the hub for it.
CREATE INDEX lab_households_household ON lab_households (household_id);
CREATE INDEX lab_roster_person ON lab_roster (person_id);
