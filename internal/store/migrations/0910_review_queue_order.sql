-- The reviewers' queue is read a page at a time, oldest first (ORDER BY created_at, id LIMIT 50):
-- without this index every page sorted the whole queue of the reviewer's subtree. At 100,000
-- pending items (scale harness, PostgreSQL) the province's first page took 200 ms, 2 ms with it; a
-- county's page walks the index until it has its 50 rows.
CREATE INDEX review_items_queue_order ON review_items (created_at, id);
