-- Data exchange, bulk speed (issue #5): the payment tables lose the foreign key on import_id.
--
-- A file writes up to millions of payment rows in one statement (exchange.MergePayments), and
-- PostgreSQL checks a foreign key row by row with a trigger: measured on 1,000,000 wage rows, the
-- check took 5 of the merge's 12 seconds. import_id is provenance only (nothing reads it to make a
-- decision), it is written solely by the import that created the imports row in the same
-- transaction, and imports rows are never deleted (the history is append-only), so the reference
-- cannot dangle. The tables are rebuilt because SQLite cannot drop a constraint; the same text
-- runs on both databases.
CREATE TABLE registry_wages_v2 (
    person_hash TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL CHECK (amount_fen >= 0),
    import_id   BIGINT,
    PRIMARY KEY (person_hash, credit_code, month)
);
INSERT INTO registry_wages_v2 (person_hash, credit_code, month, amount_fen, import_id)
    SELECT person_hash, credit_code, month, amount_fen, import_id FROM registry_wages;
DROP TABLE registry_wages;
ALTER TABLE registry_wages_v2 RENAME TO registry_wages;

CREATE TABLE registry_social_v2 (
    person_hash TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    import_id   BIGINT,
    PRIMARY KEY (person_hash, credit_code, month)
);
INSERT INTO registry_social_v2 (person_hash, credit_code, month, import_id)
    SELECT person_hash, credit_code, month, import_id FROM registry_social;
DROP TABLE registry_social;
ALTER TABLE registry_social_v2 RENAME TO registry_social;

CREATE TABLE registry_medical_v2 (
    person_hash TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    import_id   BIGINT,
    PRIMARY KEY (person_hash, credit_code, month)
);
INSERT INTO registry_medical_v2 (person_hash, credit_code, month, import_id)
    SELECT person_hash, credit_code, month, import_id FROM registry_medical;
DROP TABLE registry_medical;
ALTER TABLE registry_medical_v2 RENAME TO registry_medical;
