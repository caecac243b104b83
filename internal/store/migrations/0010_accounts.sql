-- Accounts (issue #4): indexes for the sweeps and look-ups of captchas, throttles and the audit search.
CREATE INDEX captchas_expires ON captchas (expires_at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX users_employer ON users (employer_id);
