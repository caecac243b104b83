-- Key safety (issue 14): the check value of the data key the database is sealed with (an HMAC of a
-- fixed label under the key, pii.Protector.CheckValue), so that every command refuses a missing or
-- different key instead of writing data no one can read. One row, written at the first start.
-- files_sealed: every attachment is sealed (those stored in clear before are sealed once, at start).
CREATE TABLE data_key (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    check_value  TEXT NOT NULL,
    files_sealed BOOLEAN NOT NULL,
    created_at   {{timestamp}} NOT NULL,
    rotated_at   {{timestamp}}
);

-- Blob copies replaced by a key rotation or by sealing, to be removed from the blob store once the
-- change that replaced them is committed; a rerun removes what an interruption left.
CREATE TABLE retired_blobs (
    name       TEXT PRIMARY KEY,
    retired_at {{timestamp}} NOT NULL
);

-- An attachment's bytes are named by a keyed hash once sealed, not by their SHA-256: the column is
-- the blob's name in the store.
ALTER TABLE files RENAME COLUMN sha256 TO blob;
CREATE INDEX files_blob ON files (blob);
