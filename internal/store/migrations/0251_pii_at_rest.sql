-- PII at rest (issue 14). persons kept the birth date in clear beside id_masked (first 6 and last 4
-- characters): together, the whole ID number. The birth date follows from the sealed ID number,
-- which is opened whenever a person's months are checked, so it is no longer stored at all.
-- (PostgreSQL keeps a dropped column's old values in the row versions on disk until the table is
-- rewritten: docs/OPERATIONS.md says to run VACUUM FULL persons once after upgrading.)
ALTER TABLE persons DROP COLUMN birth_date;

-- The registry's persons: the sealed ID number behind every keyed hash of the payment tables
-- (registry_wages, registry_social, registry_medical keep the hash alone), so that a key rotation
-- can compute the hashes under the new key. Filled by every payment import; at this upgrade from
-- the ID numbers already stored sealed (registry certificates, placements' persons).
CREATE TABLE registry_persons (
    person_hash   TEXT PRIMARY KEY,
    person_sealed {{blob}} NOT NULL
);
INSERT INTO registry_persons (person_hash, person_sealed)
    SELECT person_hash, person_sealed FROM registry_certificates
    WHERE person_hash IN (SELECT person_hash FROM registry_wages UNION SELECT person_hash FROM registry_social
                          UNION SELECT person_hash FROM registry_medical)
    ON CONFLICT (person_hash) DO NOTHING;
INSERT INTO registry_persons (person_hash, person_sealed)
    SELECT id_hash, id_sealed FROM persons
    WHERE id_hash IN (SELECT person_hash FROM registry_wages UNION SELECT person_hash FROM registry_social
                      UNION SELECT person_hash FROM registry_medical)
    ON CONFLICT (person_hash) DO NOTHING;
