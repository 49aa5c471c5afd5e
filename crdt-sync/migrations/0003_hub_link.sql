-- 0003: the device's link to its hub. Never edit a landed migration: add one.
--
-- Written when the device redeems a pairing code: where the hub is, the
-- device's credential (a secret: it lives here, inside the encrypted file,
-- and nowhere else on the laptop), its role and lab, the lab's bundle key,
-- and what the last sync did. At most one row.
CREATE TABLE hub_link (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    url           TEXT NOT NULL,
    token         TEXT NOT NULL,
    role          TEXT NOT NULL,
    lab_id        TEXT,
    bundle_key    TEXT,
    last_attempt  INTEGER,          -- milliseconds since the epoch (UTC)
    last_success  INTEGER,
    last_outcome  TEXT              -- `ok`, `offline`, `refused`, `revoked`, ... (see SyncOutcome)
);
