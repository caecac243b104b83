-- Letters are snapshots (issues 13 and 18, DOMAIN.md §5). At 完成申报 everything a letter, the public
-- /verify/{code} page and the tax export show is written here, in the submitting transaction, and
-- read from here alone afterwards: editing 单位名称, 税务主管部门 or 在职职工人数 later, or renaming an
-- office, changes no issued letter. Names are stored beside codes because a code's name may change.
-- The rows are never updated; a cancelled letter keeps its snapshot.
CREATE TABLE letter_snapshots (
    letter_id              BIGINT PRIMARY KEY REFERENCES letters (id),
    employer_name          TEXT NOT NULL,
    credit_code            TEXT NOT NULL,
    district               TEXT NOT NULL,      -- region code (GB/T 2260)
    district_name          TEXT NOT NULL,      -- full name, "吉林省长春市南关区"
    federation_office      TEXT NOT NULL,
    federation_office_name TEXT NOT NULL,      -- the issuing office (认证单位)
    tax_office             TEXT NOT NULL,
    tax_office_name        TEXT NOT NULL,
    employees              INTEGER NOT NULL    -- 在职职工人数
);

-- The certified persons, in the order the letter prints them (序号 = position). Names and masked ID
-- numbers are what the placement list already shows in clear; the full ID number is never here.
CREATE TABLE letter_persons (
    letter_id        BIGINT NOT NULL REFERENCES letters (id),
    position         INTEGER NOT NULL,
    name             TEXT NOT NULL,
    id_masked        TEXT NOT NULL,
    certificate_kind TEXT NOT NULL CHECK (certificate_kind IN ('disability', 'veteran')),
    category         INTEGER NOT NULL DEFAULT 0,   -- 残疾人证: 残疾类别 1–7 (0 unknown)
    level            INTEGER NOT NULL DEFAULT 0,   -- 残疾人证: 残疾等级 1–4
    grade            INTEGER NOT NULL DEFAULT 0,   -- 残疾军人证: 伤残等级 1–10
    counted_months   INTEGER NOT NULL CHECK (counted_months BETWEEN 0 AND 12),
    weight_months    INTEGER NOT NULL CHECK (weight_months BETWEEN 0 AND 24),
    PRIMARY KEY (letter_id, position)
);

-- The issued PDF (drawn and signed once, at the first download) is an attachment row of the
-- employer, so its bytes are sealed in the blob store like every attachment and a key rotation
-- moves them; pdf_sha256 is the SHA-256 of those bytes, which the verify page shows.
ALTER TABLE letters ADD COLUMN pdf_file TEXT REFERENCES files (id);
ALTER TABLE letters ADD COLUMN pdf_sha256 TEXT NOT NULL DEFAULT '';

-- Letters issued before this release get the snapshot of what the database holds now: for a valid
-- letter that is what it certified (the submitted year is locked); a cancelled letter's year may
-- have changed since, which the totals kept in letters would show. (Migration 0500 brings the
-- 残疾军人证 later: every placement here holds a 残疾人证.)
INSERT INTO letter_snapshots (letter_id, employer_name, credit_code, district, district_name, federation_office,
    federation_office_name, tax_office, tax_office_name, employees)
SELECT l.id, e.name, e.credit_code, COALESCE(e.district, ''),
    COALESCE(r3.name, '') || COALESCE(r2.name, '') || COALESCE(r.name, ''),
    l.federation_office, COALESCE(f.name, ''), COALESCE(e.tax_office, ''), COALESCE(t.name, ''), e.employee_count
FROM letters l
JOIN declarations d ON d.id = l.declaration_id
JOIN employers e ON e.id = d.employer_id
LEFT JOIN federation_offices f ON f.code = l.federation_office
LEFT JOIN tax_offices t ON t.code = e.tax_office
LEFT JOIN regions r ON r.code = e.district
LEFT JOIN regions r2 ON r2.code = r.parent
LEFT JOIN regions r3 ON r3.code = r2.parent;

INSERT INTO letter_persons (letter_id, position, name, id_masked, certificate_kind, category, level, grade,
    counted_months, weight_months)
SELECT letter_id, ROW_NUMBER() OVER (PARTITION BY letter_id ORDER BY placement_id), name, id_masked, certificate_kind,
    category, level, grade, counted_months, weight_months
FROM (SELECT l.id AS letter_id, p.id AS placement_id, s.name, s.id_masked, 'disability' AS certificate_kind,
        COALESCE(p.category, 0) AS category, COALESCE(p.level, 0) AS level, 0 AS grade,
        (SELECT COUNT(*) FROM placement_months m WHERE m.placement_id = p.id AND m.selected) AS counted_months,
        (SELECT COALESCE(SUM(m.weight), 0) FROM placement_months m WHERE m.placement_id = p.id AND m.selected) AS weight_months
    FROM letters l
    JOIN declarations d ON d.id = l.declaration_id
    JOIN placements p ON p.employer_id = d.employer_id AND p.year = d.year
    JOIN persons s ON s.id = p.person_id
    WHERE p.status = 'confirmed') c
WHERE counted_months > 0;
