-- Affiliates are reviewed before they count (issue 13, DOMAIN.md §5–§6): review_items accepts the
-- kind 'affiliate'. SQLite changes a CHECK constraint only by rebuilding the table; its only child,
-- review_item_files, is rebuilt first against the new table, so dropping the old one (an implicit
-- DELETE under foreign_keys) cascades into nothing. RENAME then points the child's reference at
-- the renamed table. Ids are copied as they are.
CREATE TABLE review_items_v2 (
    id                    {{id}},
    kind                  TEXT NOT NULL CHECK (kind IN ('claim', 'certificate', 'reopen', 'affiliate')),
    employer_id           BIGINT NOT NULL REFERENCES employers (id),
    year                  INTEGER NOT NULL,
    placement_id          BIGINT REFERENCES placements (id) ON DELETE CASCADE,
    month                 TEXT,
    manual_certificate_id BIGINT REFERENCES manual_certificates (id) ON DELETE CASCADE,
    note                  TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at            {{timestamp}} NOT NULL,
    decided_by            BIGINT REFERENCES users (id),
    decided_at            {{timestamp}},
    comment               TEXT NOT NULL DEFAULT ''
);
INSERT INTO review_items_v2 (id, kind, employer_id, year, placement_id, month, manual_certificate_id, note, status,
    created_at, decided_by, decided_at, comment)
    SELECT id, kind, employer_id, year, placement_id, month, manual_certificate_id, note, status,
    created_at, decided_by, decided_at, comment FROM review_items;

CREATE TABLE review_item_files_v2 (
    review_item_id BIGINT NOT NULL REFERENCES review_items_v2 (id) ON DELETE CASCADE,
    file_id        TEXT NOT NULL REFERENCES files (id),
    check_name     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_item_id, file_id)
);
INSERT INTO review_item_files_v2 (review_item_id, file_id, check_name)
    SELECT review_item_id, file_id, check_name FROM review_item_files;

DROP TABLE review_item_files;
DROP TABLE review_items;
ALTER TABLE review_items_v2 RENAME TO review_items;
ALTER TABLE review_item_files_v2 RENAME TO review_item_files;
CREATE INDEX review_items_status ON review_items (status, kind);
CREATE INDEX review_items_placement ON review_items (placement_id);
CREATE UNIQUE INDEX review_items_one_claim ON review_items (placement_id, month) WHERE kind = 'claim';
