-- One rate limit for disability data (issue 13): every route that shows an employer a person's
-- disability data (registry look-up, placement create, read and save) counts the distinct persons
-- shown per bucket ('employer:<id>' and 'addr:<client address>') in a fixed window. The window row is
-- locked first (an upsert), so concurrent requests on several servers count one after the other;
-- the persons of the current window are the disclosures rows at or after opened_at.
CREATE TABLE disclosure_windows (
    bucket    TEXT PRIMARY KEY,
    opened_at {{timestamp}} NOT NULL
);

CREATE TABLE disclosures (
    bucket       TEXT NOT NULL,
    person_hash  TEXT NOT NULL,   -- the keyed hash of the ID number (pii), never the number
    disclosed_at {{timestamp}} NOT NULL,
    PRIMARY KEY (bucket, person_hash)
);
