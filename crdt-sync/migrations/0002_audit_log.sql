-- 0002: the audit log. Never edit a landed migration: add one.
--
-- A local record of sensitive actions on this device: every export (a full
-- export with names is marked as such), and later erasures. Not part of the
-- projection: it is not derived from the documents, and a projection rebuild
-- leaves it alone.
CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,          -- UUID v7, time-ordered
    at         INTEGER NOT NULL,          -- milliseconds since the epoch (UTC)
    device_id  TEXT NOT NULL,
    action     TEXT NOT NULL,             -- `export`, `export_full`, ...
    details    TEXT NOT NULL CHECK (json_valid(details))
);
CREATE INDEX audit_log_at ON audit_log (at);
