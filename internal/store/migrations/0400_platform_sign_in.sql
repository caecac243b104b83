-- Sign-in through a provincial unified identity platform (OpenID Connect, issue 16).

-- A sign-in started here and not yet completed at the callback. Any instance behind the load balancer
-- may receive the callback, so it lives here, not in memory. Only the hash of the state is kept: a copy
-- of the database cannot complete a sign-in. used_at is set once, atomically, at the callback; used
-- rows stay until the purge so that a replayed state is told from a forged one.
CREATE TABLE oidc_pending_logins (
    state_hash TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    return_to  TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    used_at    {{timestamp}}
);
CREATE INDEX oidc_pending_logins_created ON oidc_pending_logins (created_at);

-- Which platform account (issuer, subject: stable for good, unlike names and codes in claims) signs
-- in as which local account. Made at the first platform sign-in: a new employer, a locally registered
-- employer with the same credit code (linked, audited), or an existing staff account named by the
-- platform's staff claim.
CREATE TABLE platform_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX platform_links_user ON platform_links (user_id);
