-- 残疾军人证 (issue 17, DOMAIN.md §2–§3): a certificate has a kind, 'disability' (残疾人证, with a
-- category 1–7 and a level 1–4) or 'veteran' (残疾军人证, with a grade 1–10 and no category). The
-- same text runs on both databases: SQLite cannot change a column's constraints in place, so a
-- column that must become nullable is added anew, filled, and the old one dropped and replaced
-- (ALTER TABLE … DROP/RENAME COLUMN, SQLite ≥ 3.35), which keeps the rows, their ids and every
-- foreign key pointing at them.

-- Registry certificates. A 残疾人证 number begins with its holder's ID number, so the number alone
-- was the natural key; a 残疾军人证 number is free text that may repeat between persons, so the key is
-- (person, kind, number). Nothing references this table, so it is rebuilt.
CREATE TABLE registry_certificates_v2 (
    cert_hash     TEXT NOT NULL,
    cert_sealed   {{blob}} NOT NULL,
    cert_masked   TEXT NOT NULL,
    person_hash   TEXT NOT NULL,
    person_sealed {{blob}} NOT NULL,
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL CHECK (gender IN ('男', '女')),
    kind          TEXT NOT NULL DEFAULT 'disability' CHECK (kind IN ('disability', 'veteran')),
    category      INTEGER CHECK (category BETWEEN 1 AND 7),
    level         INTEGER CHECK (level BETWEEN 1 AND 4),
    grade         INTEGER CHECK (grade BETWEEN 1 AND 10),
    issued        TEXT NOT NULL,
    valid_until   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('有效', '注销')),
    import_id     BIGINT REFERENCES imports (id),
    PRIMARY KEY (person_hash, kind, cert_hash),
    CHECK ((kind = 'disability' AND category IS NOT NULL AND level IS NOT NULL AND grade IS NULL)
        OR (kind = 'veteran' AND category IS NULL AND level IS NULL AND grade IS NOT NULL))
);
INSERT INTO registry_certificates_v2 (cert_hash, cert_sealed, cert_masked, person_hash, person_sealed, name, gender,
    kind, category, level, issued, valid_until, status, import_id)
    SELECT cert_hash, cert_sealed, cert_masked, person_hash, person_sealed, name, gender,
    'disability', category, level, issued, valid_until, status, import_id FROM registry_certificates;
DROP TABLE registry_certificates;
ALTER TABLE registry_certificates_v2 RENAME TO registry_certificates;

-- Manual certificates (历史残疾证件) are referenced by their files and review items: altered in place.
ALTER TABLE manual_certificates ADD COLUMN kind TEXT NOT NULL DEFAULT 'disability' CHECK (kind IN ('disability', 'veteran'));
ALTER TABLE manual_certificates ADD COLUMN grade INTEGER CHECK (grade BETWEEN 1 AND 10);
ALTER TABLE manual_certificates ADD COLUMN category_v2 INTEGER CHECK (category_v2 BETWEEN 1 AND 7);
ALTER TABLE manual_certificates ADD COLUMN level_v2 INTEGER CHECK (level_v2 BETWEEN 1 AND 4);
UPDATE manual_certificates SET category_v2 = category, level_v2 = level;
ALTER TABLE manual_certificates DROP COLUMN category;
ALTER TABLE manual_certificates DROP COLUMN level;
ALTER TABLE manual_certificates RENAME COLUMN category_v2 TO category;
ALTER TABLE manual_certificates RENAME COLUMN level_v2 TO level;

-- A placement records the certificate its person is counted with: its kind, and the grade of a
-- 残疾军人证 (category and level, already nullable, stay those of a 残疾人证).
ALTER TABLE placements ADD COLUMN certificate_kind TEXT NOT NULL DEFAULT 'disability' CHECK (certificate_kind IN ('disability', 'veteran'));
ALTER TABLE placements ADD COLUMN grade INTEGER CHECK (grade BETWEEN 1 AND 10);
