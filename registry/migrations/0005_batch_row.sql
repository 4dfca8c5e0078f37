-- Issuance registry, schema 5: the batch run that reserved a credential (a
-- random id each run makes) and the line of the row it came from, so that a
-- run tells a row repeating one of its own earlier rows (a duplicate in the
-- file) from a row issued by an earlier run, without keeping every row it
-- read in memory. NULL for a credential not reserved by a batch, or
-- reserved before these columns.
ALTER TABLE credentials ADD COLUMN batch_run TEXT;
ALTER TABLE credentials ADD COLUMN batch_line INTEGER;
