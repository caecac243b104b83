-- Authentication hardening (issue 14).

-- The captcha's digits, so the audio version can be spoken for the same challenge. A challenge lives
-- minutes and grants nothing but a try; the answer hash stays what the answer is checked against.
ALTER TABLE captchas ADD COLUMN digits TEXT NOT NULL DEFAULT '';

-- Failed logins per (account, client address prefix: /24 for IPv4, /64 for IPv6). The growing delay
-- is per pair, so failures from one network never keep the owner out from another (the users
-- columns failed_logins/locked_until of 0001 are no longer used). unseen counts what the owner has
-- not been told yet (the notice after the next sign-in).
CREATE TABLE login_failures (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prefix   TEXT NOT NULL,
    failures INTEGER NOT NULL,
    unseen   INTEGER NOT NULL,
    first_at {{timestamp}} NOT NULL,
    last_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (user_id, prefix)
);
CREATE INDEX login_failures_last ON login_failures (last_at);

-- The browser of a session, reduced to family and system ("Chrome · Windows") for the sessions page.
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_user_created ON sessions (user_id, created_at);

-- TOTP second factor (RFC 6238). totp_secret is set while enrolling (totp_enabled false) and once
-- enrolled; totp_last_step is the last time step accepted, so a code cannot be replayed.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Recovery codes: only a hash is kept, each usable once.
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   {{timestamp}},
    PRIMARY KEY (user_id, code_hash)
);

-- The second step of an HTML login: the password was right, the code is still to come. Single use,
-- short-lived; only a hash of the token is kept.
CREATE TABLE pending_logins (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_addr TEXT NOT NULL,
    browser     TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL,
    expires_at  {{timestamp}} NOT NULL
);
CREATE INDEX pending_logins_expires ON pending_logins (expires_at);
