-- The tax bureau's interface (issue 15): API clients registered by administrators. A client reads
-- the certified results of a tax office's region subtree (tax_office), or of the whole province
-- (tax_office NULL). Only the SHA-256 of its bearer token is kept: the token is shown once, at
-- registration or rotation. office is the federation office of the administrator who registered it:
-- the jurisdiction its management and its audit entries belong to.
CREATE TABLE api_clients (
    id             {{id}},
    name           TEXT NOT NULL,
    tax_office     TEXT REFERENCES tax_offices (code),
    office         TEXT NOT NULL REFERENCES federation_offices (code),
    token_hash     TEXT NOT NULL UNIQUE,
    token_hint     TEXT NOT NULL,               -- the token's first characters, to recognise it
    created_at     {{timestamp}} NOT NULL,
    created_by     BIGINT REFERENCES users (id),
    rotated_at     {{timestamp}},
    revoked_at     {{timestamp}},
    last_used_at   {{timestamp}},
    last_used_addr TEXT NOT NULL DEFAULT ''
);
-- One live client per name, so that a double submit of the registration form creates one client.
CREATE UNIQUE INDEX api_clients_live_name ON api_clients (name) WHERE revoked_at IS NULL;

-- The change sequence of the tax results. Every insert of a letter and every change of its status
-- takes the next number from this one row (a trigger, migration 0351), so the row lock orders the
-- numbers as the commits: a number is handed out only after the transaction holding the previous one
-- has committed or rolled back. A poller that has read up to number N can therefore never later see
-- a new row below N (no row is missed); at_us (microseconds since 1970, UTC) never goes back either,
-- whatever the clocks of several instances say: it is the database's clock, kept at its maximum.
CREATE TABLE result_feed (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    at_us BIGINT NOT NULL
);

ALTER TABLE letters ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN changed_at_us BIGINT NOT NULL DEFAULT 0;
