-- quotacert schema, written once for SQLite and PostgreSQL. The tokens {{id}}, {{blob}} and
-- {{timestamp}} are replaced per dialect (store/sqlite, store/postgres); everything else is portable.
-- Business dates are TEXT 'YYYY-MM-DD' and months TEXT 'YYYY-MM' (sortable, no time zone);
-- event times are UTC timestamps; money is integer fen.

-- Reference data (DOMAIN.md §7) -------------------------------------------------------------------

CREATE TABLE regions (
    code   TEXT PRIMARY KEY,          -- GB/T 2260, 6 digits
    name   TEXT NOT NULL,
    parent TEXT REFERENCES regions (code)
);
CREATE INDEX regions_parent ON regions (parent);

-- Federation offices form the review tree; code is the region code the office serves.
CREATE TABLE federation_offices (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT REFERENCES federation_offices (code),
    region TEXT NOT NULL REFERENCES regions (code)
);
CREATE INDEX federation_offices_parent ON federation_offices (parent);

CREATE TABLE tax_offices (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code)
);

-- Minimum wages, versioned: region is a code prefix (2, 4 or 6 digits), from_month the first month.
CREATE TABLE minimum_wages (
    region     TEXT NOT NULL,
    from_month TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    PRIMARY KEY (region, from_month)
);

CREATE TABLE pledges (
    version    TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE TABLE business_years (
    year                      INTEGER PRIMARY KEY,
    window_open               TEXT NOT NULL,
    window_close              TEXT NOT NULL,
    pledge_version            TEXT NOT NULL REFERENCES pledges (version),
    cert_valid_at_submission  BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (window_open <= window_close)
);

-- Levy parameters per province and year (DOMAIN.md §8).
CREATE TABLE levy_parameters (
    province            TEXT NOT NULL,
    year                INTEGER NOT NULL,
    quota_basis_points  INTEGER NOT NULL CHECK (quota_basis_points > 0),
    social_avg_wage_fen BIGINT NOT NULL CHECK (social_avg_wage_fen > 0),
    PRIMARY KEY (province, year)
);

-- Employers and accounts --------------------------------------------------------------------------

CREATE TABLE employers (
    id                {{id}},
    credit_code       TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    federation_office TEXT REFERENCES federation_offices (code),
    tax_office        TEXT REFERENCES tax_offices (code),
    district          TEXT REFERENCES regions (code),
    contact_name      TEXT NOT NULL DEFAULT '',
    contact_phone     TEXT NOT NULL DEFAULT '',
    employee_count    INTEGER NOT NULL DEFAULT 0 CHECK (employee_count >= 0),
    address           TEXT NOT NULL DEFAULT '',
    enterprise        BOOLEAN NOT NULL DEFAULT TRUE,  -- false for 机关, 事业单位, 社会团体: no small-firm exemption
    created_at        {{timestamp}} NOT NULL,
    updated_at        {{timestamp}} NOT NULL
);
CREATE INDEX employers_federation_office ON employers (federation_office);

CREATE TABLE users (
    id                   {{id}},
    username             TEXT NOT NULL UNIQUE,   -- the credit code for employers
    role                 TEXT NOT NULL CHECK (role IN ('employer', 'reviewer', 'admin')),
    employer_id          BIGINT REFERENCES employers (id),
    office               TEXT REFERENCES federation_offices (code),
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         {{timestamp}},
    created_at           {{timestamp}} NOT NULL,
    updated_at           {{timestamp}} NOT NULL,
    CHECK ((role = 'employer' AND employer_id IS NOT NULL AND office IS NULL)
        OR (role <> 'employer' AND employer_id IS NULL AND office IS NOT NULL))
);

-- Sessions live in the database so that several server instances share them; only a hash of the
-- token is stored, so a copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   {{timestamp}} NOT NULL,
    last_seen_at {{timestamp}} NOT NULL,
    client_addr  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE captchas (
    id          TEXT PRIMARY KEY,
    answer_hash TEXT NOT NULL,
    expires_at  {{timestamp}} NOT NULL
);

-- Per-client throttling counters (login attempts by address), shared by all instances.
CREATE TABLE throttles (
    bucket       TEXT PRIMARY KEY,
    hits         INTEGER NOT NULL,
    window_start {{timestamp}} NOT NULL
);

-- Attachments: bytes are stored content-addressed by the blob store; this is the metadata.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,        -- random, unguessable
    employer_id  BIGINT REFERENCES employers (id),
    uploaded_by  BIGINT REFERENCES users (id),
    name         TEXT NOT NULL,           -- original name, sanitised
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL
);
CREATE INDEX files_employer ON files (employer_id);

CREATE TABLE affiliates (
    id          {{id}},
    employer_id BIGINT NOT NULL REFERENCES employers (id),
    credit_code TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('subsidiary', 'dispatch')),
    locked      BOOLEAN NOT NULL DEFAULT FALSE, -- a submitted declaration used it
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    deleted_at  {{timestamp}}
);
CREATE UNIQUE INDEX affiliates_live_code ON affiliates (employer_id, credit_code) WHERE deleted_at IS NULL;

CREATE TABLE affiliate_files (
    affiliate_id BIGINT NOT NULL REFERENCES affiliates (id),
    file_id      TEXT NOT NULL REFERENCES files (id),
    deleted_at   {{timestamp}},
    PRIMARY KEY (affiliate_id, file_id)
);

-- Data exchange: official records the checks read (CONTRACT.md "Data-exchange files") -----------

CREATE TABLE imports (
    id          {{id}},
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL
);

-- Registry certificates; identifiers sealed (pii), looked up by keyed hash.
CREATE TABLE registry_certificates (
    cert_hash    TEXT PRIMARY KEY,
    cert_sealed  {{blob}} NOT NULL,
    cert_masked  TEXT NOT NULL,
    person_hash  TEXT NOT NULL,
    person_sealed {{blob}} NOT NULL,
    name         TEXT NOT NULL,
    gender       TEXT NOT NULL CHECK (gender IN ('男', '女')),
    category     INTEGER NOT NULL CHECK (category BETWEEN 1 AND 7),
    level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    issued       TEXT NOT NULL,
    valid_until  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('有效', '注销')),
    import_id    BIGINT REFERENCES imports (id)
);
CREATE INDEX registry_certificates_person ON registry_certificates (person_hash);

CREATE TABLE registry_wages (
    person_hash TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL CHECK (amount_fen >= 0),
    import_id   BIGINT REFERENCES imports (id),
    PRIMARY KEY (person_hash, credit_code, month)
);

CREATE TABLE registry_social (
    person_hash TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    import_id   BIGINT REFERENCES imports (id),
    PRIMARY KEY (person_hash, credit_code, month)
);

CREATE TABLE registry_medical (
    person_hash TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    import_id   BIGINT REFERENCES imports (id),
    PRIMARY KEY (person_hash, credit_code, month)
);

-- Placements (DOMAIN.md §3–§5) ---------------------------------------------------------------------

CREATE TABLE persons (
    id            {{id}},
    id_hash       TEXT NOT NULL UNIQUE,
    id_sealed     {{blob}} NOT NULL,
    id_masked     TEXT NOT NULL,
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL CHECK (gender IN ('男', '女')),
    birth_date    TEXT NOT NULL,
    created_at    {{timestamp}} NOT NULL
);

CREATE TABLE placements (
    id                      {{id}},
    employer_id             BIGINT NOT NULL REFERENCES employers (id),
    year                    INTEGER NOT NULL REFERENCES business_years (year),
    person_id               BIGINT NOT NULL REFERENCES persons (id),
    status                  TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'confirmed', 'rejected')),
    dispatched              BOOLEAN NOT NULL DEFAULT FALSE,
    affiliate_id            BIGINT REFERENCES affiliates (id),
    female_retirement_age   INTEGER NOT NULL DEFAULT 50 CHECK (female_retirement_age IN (50, 55)),
    category                INTEGER CHECK (category BETWEEN 1 AND 7),
    level                   INTEGER CHECK (level BETWEEN 1 AND 4),
    graduate_school         TEXT NOT NULL DEFAULT '',
    graduate_degree         TEXT NOT NULL DEFAULT '',
    graduate_major          TEXT NOT NULL DEFAULT '',
    graduate_date           TEXT,
    graduate_diploma        TEXT NOT NULL DEFAULT '',
    return_reason           TEXT NOT NULL DEFAULT '',
    created_at              {{timestamp}} NOT NULL,
    updated_at              {{timestamp}} NOT NULL,
    UNIQUE (employer_id, year, person_id)
);
CREATE INDEX placements_employer_year ON placements (employer_id, year);

CREATE TABLE contracts (
    id           {{id}},
    placement_id BIGINT NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    start_date   TEXT NOT NULL,
    end_date     TEXT,               -- NULL: open-ended
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX contracts_placement ON contracts (placement_id);

CREATE TABLE contract_files (
    contract_id BIGINT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    file_id     TEXT NOT NULL REFERENCES files (id),
    PRIMARY KEY (contract_id, file_id)
);

-- Historical certificates an employer adds by hand; they count only once approved.
CREATE TABLE manual_certificates (
    id           {{id}},
    placement_id BIGINT NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    cert_hash    TEXT NOT NULL,
    cert_sealed  {{blob}} NOT NULL,
    cert_masked  TEXT NOT NULL,
    category     INTEGER NOT NULL CHECK (category BETWEEN 1 AND 7),
    level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    issued       TEXT NOT NULL,
    valid_until  TEXT,
    review       TEXT NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'approved', 'rejected'))
);
CREATE INDEX manual_certificates_placement ON manual_certificates (placement_id);

CREATE TABLE manual_certificate_files (
    manual_certificate_id BIGINT NOT NULL REFERENCES manual_certificates (id) ON DELETE CASCADE,
    file_id               TEXT NOT NULL REFERENCES files (id),
    PRIMARY KEY (manual_certificate_id, file_id)
);

-- The saved month grid of a placement. A selected month is counted or pending at this employer;
-- the partial unique index makes "one person-month counts at one employer only" a database fact,
-- so two employers racing for the same month cannot both win.
CREATE TABLE placement_months (
    placement_id BIGINT NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    month        TEXT NOT NULL,
    passed       BOOLEAN NOT NULL,
    selected     BOOLEAN NOT NULL,
    weight       INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 2),
    PRIMARY KEY (placement_id, month)
);
CREATE UNIQUE INDEX placement_months_one_employer ON placement_months (person_id, month) WHERE selected;

-- Review items: claims of failed months, manual certificates and reopen requests.
CREATE TABLE review_items (
    id                    {{id}},
    kind                  TEXT NOT NULL CHECK (kind IN ('claim', 'certificate', 'reopen')),
    employer_id           BIGINT NOT NULL REFERENCES employers (id),
    year                  INTEGER NOT NULL,
    placement_id          BIGINT REFERENCES placements (id) ON DELETE CASCADE,
    month                 TEXT,
    manual_certificate_id BIGINT REFERENCES manual_certificates (id) ON DELETE CASCADE,
    note                  TEXT NOT NULL DEFAULT '',   -- the employer's note or reopen reason
    status                TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at            {{timestamp}} NOT NULL,
    decided_by            BIGINT REFERENCES users (id),
    decided_at            {{timestamp}},
    comment               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_items_status ON review_items (status, kind);
CREATE INDEX review_items_placement ON review_items (placement_id);
CREATE UNIQUE INDEX review_items_one_claim ON review_items (placement_id, month) WHERE kind = 'claim';

CREATE TABLE review_item_files (
    review_item_id BIGINT NOT NULL REFERENCES review_items (id) ON DELETE CASCADE,
    file_id        TEXT NOT NULL REFERENCES files (id),
    check_name     TEXT NOT NULL DEFAULT '',   -- which failed check the evidence is for
    PRIMARY KEY (review_item_id, file_id)
);

-- Declarations and certification letters (DOMAIN.md §5) --------------------------------------------

CREATE TABLE declarations (
    id             {{id}},
    employer_id    BIGINT NOT NULL REFERENCES employers (id),
    year           INTEGER NOT NULL REFERENCES business_years (year),
    status         TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'reopen-requested')),
    submitted_at   {{timestamp}},
    submitted_by   BIGINT REFERENCES users (id),
    pledge_version TEXT REFERENCES pledges (version),
    client_addr    TEXT NOT NULL DEFAULT '',
    UNIQUE (employer_id, year)
);

-- A letter is kept when cancelled: the tax export reports the cancellation.
CREATE TABLE letters (
    id                 {{id}},
    declaration_id     BIGINT NOT NULL REFERENCES declarations (id),
    number             TEXT NOT NULL UNIQUE,
    verify_code        TEXT NOT NULL UNIQUE,
    status             TEXT NOT NULL CHECK (status IN ('valid', 'cancelled')),
    persons            INTEGER NOT NULL,
    counted_months     INTEGER NOT NULL,
    weight_months      INTEGER NOT NULL,      -- equivalent persons = weight_months / 12
    federation_office  TEXT NOT NULL REFERENCES federation_offices (code),
    issued_at          {{timestamp}} NOT NULL,
    cancelled_at       {{timestamp}}
);
CREATE UNIQUE INDEX letters_one_valid ON letters (declaration_id) WHERE status = 'valid';

-- Notices (DOMAIN.md §9) ---------------------------------------------------------------------------

CREATE TABLE notices (
    id           {{id}},
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,              -- Markdown; rendered and sanitised on display
    region       TEXT REFERENCES regions (code),
    published_at {{timestamp}},
    created_by   BIGINT REFERENCES users (id),
    created_at   {{timestamp}} NOT NULL,
    updated_at   {{timestamp}} NOT NULL
);
CREATE INDEX notices_published ON notices (published_at);

CREATE TABLE notice_files (
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    file_id   TEXT NOT NULL REFERENCES files (id),
    PRIMARY KEY (notice_id, file_id)
);

CREATE TABLE notice_reads (
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at   {{timestamp}} NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);

-- Audit trail: append-only; written in the same transaction as the change it records.
CREATE TABLE audit_log (
    id          {{id}},
    at          {{timestamp}} NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    client_addr TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_name, at);
