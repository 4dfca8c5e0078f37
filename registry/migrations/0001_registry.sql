-- Issuance registry, schema 1: settings, status lists, issued credentials and
-- their status entries. Portable SQL (SQLite and PostgreSQL): no AUTOINCREMENT
-- or SERIAL (ids are chosen by the registry inside its write transaction), no
-- WITHOUT ROWID, times as RFC 3339 text in UTC.

-- settings holds the registry's configuration, written once on creation:
-- status_base_url and list_size.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- status_lists: one row per Bitstring Status List. A purpose's current list
-- is its newest; a new one is started when it is full (allocated = size).
CREATE TABLE status_lists (
	id         INTEGER PRIMARY KEY,
	purpose    TEXT    NOT NULL,
	url        TEXT    NOT NULL UNIQUE,
	size       INTEGER NOT NULL CHECK (size > 0),
	allocated  INTEGER NOT NULL CHECK (allocated >= 0 AND allocated <= size),
	created_at TEXT    NOT NULL
);
CREATE INDEX status_lists_purpose ON status_lists (purpose, id);

-- free_slots makes random index allocation O(log n) with no set-up cost: the
-- unused indexes of a list are the array A[0 .. size-allocated-1], where
-- A[s] is the idx of the row (list_id, s) if there is one, else s itself.
-- Allocating draws a slot s uniformly at random, takes A[s], moves the last
-- element into slot s and shrinks the array (a Fisher-Yates step). Only moved
-- slots have rows, so a new list costs nothing and a list never holds more
-- rows than it has allocated indexes.
CREATE TABLE free_slots (
	list_id INTEGER NOT NULL REFERENCES status_lists (id),
	slot    INTEGER NOT NULL,
	idx     INTEGER NOT NULL,
	PRIMARY KEY (list_id, slot)
);

-- credentials: one row per issuance key. A row is 'reserved' (id and status
-- indexes allocated, not yet signed) or 'issued' (signed; the credential as
-- written and its SHA-256 are kept, so a rerun returns it without signing
-- again).
CREATE TABLE credentials (
	issuance_key  TEXT PRIMARY KEY,
	credential_id TEXT NOT NULL UNIQUE,
	type          TEXT NOT NULL,
	subject       TEXT NOT NULL,
	format        TEXT NOT NULL,
	valid_until   TEXT,
	state         TEXT NOT NULL CHECK (state IN ('reserved', 'issued')),
	reserved_at   TEXT NOT NULL,
	reserved_by   TEXT NOT NULL,
	issued_at     TEXT,
	credential    BLOB,
	digest        TEXT
);
CREATE INDEX credentials_subject_type ON credentials (subject, type);

-- status_entries: which credential got which index of which list, and
-- whether its bit is set. The primary key is the guarantee that an index is
-- never given twice.
CREATE TABLE status_entries (
	list_id      INTEGER NOT NULL REFERENCES status_lists (id),
	idx          INTEGER NOT NULL,
	issuance_key TEXT    NOT NULL REFERENCES credentials (issuance_key),
	purpose      TEXT    NOT NULL,
	is_set       INTEGER NOT NULL CHECK (is_set IN (0, 1)),
	PRIMARY KEY (list_id, idx),
	UNIQUE (issuance_key, purpose)
);
