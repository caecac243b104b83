-- The staff's results in pages and the streamed exports (issue 15): both read the letters of a year
-- in credit code order, a page or a chunk of 1,000 after the last (credit code, letter id) given. This
-- index lets that order be walked from the chunk's key instead of sorting a province's letters for
-- every page; it also serves a search by the start of a credit code.
CREATE INDEX letter_snapshots_code ON letter_snapshots (credit_code, letter_id);
