-- 0012: a token that changes whenever a fact a document's readability
-- depends on changes. Never edit a landed migration: add one.
--
-- The hub answers every device's `Hello` with the documents its grant may
-- read (`Store::readable_docs`), which reads four tables and decides each
-- of a register's thousands of documents: half of the hub's time per sync.
-- The answer depends only on the grant and on these facts: which documents
-- are held (`documents` rows), which labs list or hold each family and
-- person (`households`, `lab_households`, `lab_roster`, `person_labs`), and
-- the contents of every document but a lab's (a person's creator, a
-- volunteer entry's organisation, the device directory in the project
-- document). Every write to them draws a new random token here, in the
-- writing transaction, whoever writes (the hub, its administration
-- commands, a restore): an answer remembered under a token is the answer
-- for as long as the token is current, and a token that a rolled-back
-- transaction drew is never drawn again. A lab document's heads move with
-- every meeting and draw none: its readability depends only on the grant.
CREATE TABLE facts_token (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    token      BLOB NOT NULL
);
INSERT INTO facts_token (singleton, token) VALUES (1, randomblob(16));

CREATE TRIGGER facts_documents_insert AFTER INSERT ON documents
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_documents_delete AFTER DELETE ON documents
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_documents_update AFTER UPDATE OF doc_key, kind, heads ON documents
WHEN NEW.kind <> 'lab' OR OLD.kind <> 'lab' OR NEW.doc_key IS NOT OLD.doc_key
BEGIN UPDATE facts_token SET token = randomblob(16); END;

CREATE TRIGGER facts_households_insert AFTER INSERT ON households
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_households_delete AFTER DELETE ON households
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_households_update AFTER UPDATE OF id, lab_id ON households
BEGIN UPDATE facts_token SET token = randomblob(16); END;

CREATE TRIGGER facts_lab_households_insert AFTER INSERT ON lab_households
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_lab_households_delete AFTER DELETE ON lab_households
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_lab_households_update AFTER UPDATE OF lab_id, household_id ON lab_households
BEGIN UPDATE facts_token SET token = randomblob(16); END;

CREATE TRIGGER facts_lab_roster_insert AFTER INSERT ON lab_roster
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_lab_roster_delete AFTER DELETE ON lab_roster
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_lab_roster_update AFTER UPDATE ON lab_roster
BEGIN UPDATE facts_token SET token = randomblob(16); END;

CREATE TRIGGER facts_person_labs_insert AFTER INSERT ON person_labs
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_person_labs_delete AFTER DELETE ON person_labs
BEGIN UPDATE facts_token SET token = randomblob(16); END;
CREATE TRIGGER facts_person_labs_update AFTER UPDATE ON person_labs
BEGIN UPDATE facts_token SET token = randomblob(16); END;
