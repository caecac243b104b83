-- Data exchange (issue #5): rejected import attempts stay in the history with their errors, so an
-- admin can see who tried what and download the bad rows; an accepted import has no errors.
ALTER TABLE imports ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'rejected'));
ALTER TABLE imports ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;

-- The listed errors of a rejected attempt (at most exchange.MaxListedErrors per import). Reasons
-- never contain a row's values, so no ID number is stored here.
CREATE TABLE import_errors (
    import_id  BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    field      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
