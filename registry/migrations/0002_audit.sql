-- Issuance registry, schema 2: the audit trail, and list versions so that a
-- publisher can tell which lists changed since they were last published.

-- audit: one row per change, in order: reserve, issue, revoke, suspend,
-- unsuspend, publish. Rows are only ever added.
CREATE TABLE audit (
	id            INTEGER PRIMARY KEY,
	at            TEXT    NOT NULL,
	actor         TEXT    NOT NULL,
	action        TEXT    NOT NULL,
	credential_id TEXT,
	list_id       INTEGER REFERENCES status_lists (id),
	detail        TEXT    NOT NULL
);
CREATE INDEX audit_credential ON audit (credential_id);

-- version counts the bit changes of a list; published_version is the version
-- last recorded as published.
ALTER TABLE status_lists ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE status_lists ADD COLUMN published_version INTEGER NOT NULL DEFAULT 0;
