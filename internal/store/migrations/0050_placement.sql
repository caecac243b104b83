-- A month selected thanks to a manual certificate still under review counts only after approval
-- (DOMAIN.md §3); a rejection of that certificate releases such months.
ALTER TABLE placement_months ADD COLUMN pending_cert BOOLEAN NOT NULL DEFAULT FALSE;
