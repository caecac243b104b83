-- Excel in (issue 17): an employer's uploads of the placement workbook. An accepted file created
-- its drafts; a rejected one is kept with its listed errors so that the employer can download them
-- (reasons never contain a row's values, so no ID number is stored here).
CREATE TABLE placement_imports (
    id          {{id}},
    employer_id BIGINT NOT NULL REFERENCES employers (id),
    year        INTEGER NOT NULL REFERENCES business_years (year),
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    error_count INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL
);
CREATE INDEX placement_imports_employer ON placement_imports (employer_id, year);

CREATE TABLE placement_import_errors (
    import_id  BIGINT NOT NULL REFERENCES placement_imports (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    field      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
