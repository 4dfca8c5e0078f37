-- Issuance registry, schema 3: credential offers (OpenID4VCI pre-authorized
-- code flow). HR makes an offer of one staff credential from a row's cells;
-- the member of staff's wallet redeems its code (with the transaction code,
-- when there is one) for an access token, and the credential is issued
-- through the registry, about the key the wallet proves it holds. The cells
-- are kept only until the credential is issued.
CREATE TABLE offers (
	id               TEXT    PRIMARY KEY,
	type             TEXT    NOT NULL,
	format           TEXT    NOT NULL,
	issuer_url       TEXT    NOT NULL,
	cells            TEXT,
	code             TEXT    NOT NULL UNIQUE,
	tx_code_hash     BLOB,
	tx_failures      INTEGER NOT NULL DEFAULT 0,
	state            TEXT    NOT NULL CHECK (state IN ('offered', 'redeemed', 'issued', 'withdrawn')),
	created_at       TEXT    NOT NULL,
	created_by       TEXT    NOT NULL,
	expires_at       TEXT    NOT NULL,
	token_hash       BLOB    UNIQUE,
	token_expires_at TEXT,
	credential_id    TEXT
);
