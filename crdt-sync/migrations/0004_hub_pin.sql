-- 0004: the hub's pinned TLS certificate. Never edit a landed migration: add one.
--
-- SHA-256 of the certificate the hub presented at enrolment (64 hex
-- characters), checked against the pairing code then and required of the
-- hub at every sync since. NULL for a hub on loopback without TLS.
ALTER TABLE hub_link ADD COLUMN cert_sha256 TEXT;
