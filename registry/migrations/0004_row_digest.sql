-- Issuance registry, schema 4: a keyed digest of the batch row a credential
-- was issued from (HMAC-SHA256 under a key kept with the organisation's
-- signing key, never in the registry), so that a batch run again tells a
-- row that says what it said from one that changed without hashing its
-- identifiers again. NULL for a credential not issued from a batch row, or
-- issued before this column.
ALTER TABLE credentials ADD COLUMN row_digest TEXT;
