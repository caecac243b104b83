-- The readiness probe (issue 15): GET /readyz proves that the database takes writes by updating
-- this one row in a transaction of its own. A read-only file or standby, a full disk or a held
-- write lock then fails the probe instead of passing a SELECT 1.
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at TEXT NOT NULL
);
INSERT INTO readiness_probe (id, probed_at) VALUES (1, '');
