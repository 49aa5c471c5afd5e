-- 0001: documents and the projection. Never edit a landed migration: add one.

-- This device.
CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL,
    project_id  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Ranges of human-code numbers this device may assign.
CREATE TABLE code_ranges (
    first_code  INTEGER PRIMARY KEY,
    last_code   INTEGER NOT NULL,
    next_code   INTEGER NOT NULL
);

-- The truth: automerge documents as a compacted save plus incremental chunks.
CREATE TABLE documents (
    doc_key          TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    heads            BLOB NOT NULL,
    projected_heads  BLOB,
    projection_version INTEGER NOT NULL DEFAULT 0,
    chunk_count      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE doc_chunks (
    doc_key  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (doc_key, seq)
);
-- A rowid table: WITHOUT ROWID keeps at most ~1 KB of a row in its page, so
-- most chunks would spill into mostly empty overflow pages.

-- The projection: plain tables rebuilt from the documents at will.
CREATE TABLE labs (
    id       TEXT PRIMARY KEY,
    number   INTEGER NOT NULL,
    name     TEXT NOT NULL,
    address  TEXT NOT NULL,
    partner  TEXT NOT NULL
);

CREATE TABLE activity_types (
    key       TEXT PRIMARY KEY,
    label_it  TEXT NOT NULL,
    label_en  TEXT NOT NULL
);

CREATE TABLE targets (
    key    TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);

CREATE TABLE households (
    id               TEXT PRIMARY KEY,
    lab_id           TEXT NOT NULL,
    code             TEXT NOT NULL,
    reference_id     TEXT,
    phone            TEXT NOT NULL,
    email            TEXT NOT NULL,
    address          TEXT NOT NULL,
    areas            TEXT NOT NULL,
    referral         TEXT,
    consent_date     TEXT,
    consent_scopes   TEXT,
    merged_into      TEXT,
    merge_confirmed  INTEGER NOT NULL,
    canonical_id     TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX households_lab ON households (lab_id);
CREATE INDEX households_merged ON households (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX households_canonical ON households (canonical_id);

CREATE TABLE members (
    id            TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    birth_year    INTEGER
);
CREATE INDEX members_household ON members (household_id);

CREATE TABLE pathways (
    id            TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT,
    operator_id   TEXT,
    status        TEXT NOT NULL,
    notes         TEXT NOT NULL
);
CREATE INDEX pathways_household ON pathways (household_id);

-- Names and codes, accent-insensitive, for search as you type.
CREATE VIRTUAL TABLE household_search USING fts5 (
    household_id UNINDEXED,
    code,
    names,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TABLE persons (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    organisation  TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT NOT NULL
);

CREATE TABLE person_labs (
    person_id  TEXT NOT NULL,
    lab_id     TEXT NOT NULL,
    PRIMARY KEY (person_id, lab_id)
) WITHOUT ROWID;

-- From the lab documents.
CREATE TABLE lab_households (
    lab_id        TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    code          TEXT NOT NULL,
    PRIMARY KEY (lab_id, household_id)
) WITHOUT ROWID;

CREATE TABLE lab_roster (
    lab_id     TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    PRIMARY KEY (lab_id, person_id)
) WITHOUT ROWID;

CREATE TABLE meetings (
    id          TEXT PRIMARY KEY,
    lab_id      TEXT NOT NULL,
    date        TEXT NOT NULL,
    start_time  TEXT NOT NULL,
    end_time    TEXT NOT NULL,
    activity    TEXT NOT NULL,
    theme       TEXT NOT NULL,
    guests      INTEGER NOT NULL,
    notes       TEXT NOT NULL
);
CREATE INDEX meetings_lab_date ON meetings (lab_id, date);

CREATE TABLE meeting_facilitators (
    meeting_id  TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
) WITHOUT ROWID;

CREATE TABLE attendance (
    meeting_id    TEXT NOT NULL,
    member_id     TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    lab_id        TEXT NOT NULL,
    date          TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
) WITHOUT ROWID;
CREATE INDEX attendance_household ON attendance (household_id);

CREATE TABLE trainings (
    id       TEXT PRIMARY KEY,
    date     TEXT NOT NULL,
    title    TEXT NOT NULL,
    minutes  INTEGER NOT NULL
);

CREATE TABLE training_attendance (
    training_id  TEXT NOT NULL,
    person_id    TEXT NOT NULL,
    PRIMARY KEY (training_id, person_id)
) WITHOUT ROWID;
