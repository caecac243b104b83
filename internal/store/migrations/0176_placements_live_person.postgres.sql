-- A deleted placement's row stays (0175), so a person removed and added again in the same year is a
-- new placement: one live placement per employer, year and person. (The SQLite twin rebuilds the
-- table, store/rebuild.go, because SQLite cannot drop an inline UNIQUE constraint.)
ALTER TABLE placements DROP CONSTRAINT placements_employer_id_year_person_id_key;
CREATE UNIQUE INDEX placements_live_person ON placements (employer_id, year, person_id) WHERE deleted_at IS NULL;
