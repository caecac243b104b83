-- Affiliates are reviewed before they count (issue 13, DOMAIN.md §6). An affiliate's records count
-- for its employer only once its review is approved (affiliates.review, like a manual certificate's).
-- Each request is a review item of kind 'affiliate' naming the affiliate and the credit code it was
-- asked for (a changed code is a new request); objected marks a rejection by the unit that the code
-- belongs to, when it is itself a registered employer.
ALTER TABLE affiliates ADD COLUMN review TEXT NOT NULL DEFAULT 'approved'
    CHECK (review IN ('pending', 'approved', 'rejected'));
ALTER TABLE review_items ADD COLUMN affiliate_id BIGINT REFERENCES affiliates (id);
ALTER TABLE review_items ADD COLUMN affiliate_code TEXT;
ALTER TABLE review_items ADD COLUMN objected BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX review_items_affiliate ON review_items (affiliate_id);
CREATE INDEX review_items_affiliate_code ON review_items (affiliate_code) WHERE kind = 'affiliate';

-- Affiliates that exist already keep counting (review 'approved', the column default), so a year
-- being declared is not broken, with one exception: an affiliate whose credit code is that of
-- another registered employer, and that no submitted declaration used, is exactly what the hijack
-- of issue 13 looked like. It goes to review now: pending, with a review item for the federation
-- and a request the other employer sees and may object to. Months already saved stay as saved.
UPDATE affiliates SET review = 'pending'
    WHERE deleted_at IS NULL AND NOT locked AND credit_code IN (SELECT credit_code FROM employers);
INSERT INTO review_items (kind, employer_id, year, affiliate_id, affiliate_code, note, status, created_at)
    SELECT 'affiliate', a.employer_id,
        COALESCE((SELECT MAX(p.year) FROM placements p WHERE p.employer_id = a.employer_id),
                 (SELECT MAX(y.year) FROM business_years y), 0),
        a.id, a.credit_code, '', 'pending', CURRENT_TIMESTAMP
    FROM affiliates a WHERE a.review = 'pending';
