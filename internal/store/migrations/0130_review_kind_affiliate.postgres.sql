-- Affiliates are reviewed before they count (issue 13, DOMAIN.md §5–§6): review_items accepts the
-- kind 'affiliate'. PostgreSQL alters the constraint in place (the SQLite twin rebuilds the table).
ALTER TABLE review_items DROP CONSTRAINT review_items_kind_check;
ALTER TABLE review_items ADD CONSTRAINT review_items_kind_check
    CHECK (kind IN ('claim', 'certificate', 'reopen', 'affiliate'));
