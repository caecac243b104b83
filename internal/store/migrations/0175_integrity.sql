-- Integrity of an employer's year (issue 13).

-- Deleting a placement keeps its review history: the row stays, marked deleted, with its months
-- (released), claims, certificates and decisions; every list and count reads live rows only.
ALTER TABLE placements ADD COLUMN deleted_at {{timestamp}};
-- Why a placement is still 未完成 after its months were saved (none counted), for its pages.
ALTER TABLE placements ADD COLUMN draft_reason TEXT NOT NULL DEFAULT '';

-- A new claim of a rejected month is a new review item: at most one claim of a month waits for a
-- decision; decided ones stay beside it as history (the reviewer's comment included).
DROP INDEX review_items_one_claim;
CREATE UNIQUE INDEX review_items_one_open_claim ON review_items (placement_id, month) WHERE kind = 'claim' AND status = 'pending';
CREATE INDEX review_items_employer_year ON review_items (employer_id, year);

-- A placement with no counted month cannot be 已确认: those of years not yet submitted go back to
-- 未完成 with the reason (a submitted year keeps what its letter certified).
UPDATE placements SET status = 'draft',
    draft_reason = '没有计入的月份：请勾选至少一个计入月份后保存，或删除该人员'
    WHERE status = 'confirmed'
      AND NOT EXISTS (SELECT 1 FROM placement_months m WHERE m.placement_id = placements.id AND m.selected)
      AND NOT EXISTS (SELECT 1 FROM declarations d WHERE d.employer_id = placements.employer_id
                      AND d.year = placements.year AND d.status <> 'open');
