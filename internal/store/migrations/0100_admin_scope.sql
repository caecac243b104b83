-- Administrators scoped by the office tree (issue 13, package scope).

-- The audit log keeps the jurisdiction of each entry, as of its time: the actor's federation office
-- (a staff account's office, an employer's federation office) and the object's (the employer it
-- belongs to, or a staff account, office or notice target). An administrator of X searches the
-- entries whose actor_office or subject_office lies in X's subtree; each side has its own index, so
-- the search is two index range scans per office of the subtree.
ALTER TABLE audit_log ADD COLUMN actor_office TEXT;
ALTER TABLE audit_log ADD COLUMN subject_office TEXT;
CREATE INDEX audit_log_actor_office ON audit_log (actor_office, id);
CREATE INDEX audit_log_subject_office ON audit_log (subject_office, id);

-- Earlier entries: the actor's office from its account; the object's where the entry names a user,
-- placement, review item or file (an employer's own actions are about its own objects).
UPDATE audit_log SET actor_office = (SELECT COALESCE(u.office, e.federation_office)
    FROM users u LEFT JOIN employers e ON e.id = u.employer_id WHERE u.id = audit_log.actor_id)
    WHERE actor_id IS NOT NULL;
UPDATE audit_log SET subject_office = (SELECT e.federation_office
    FROM users u JOIN employers e ON e.id = u.employer_id WHERE u.id = audit_log.actor_id)
    WHERE actor_id IS NOT NULL;
UPDATE audit_log SET subject_office = (SELECT COALESCE(u.office, e.federation_office)
    FROM users u LEFT JOIN employers e ON e.id = u.employer_id WHERE u.id = CAST(audit_log.object_id AS BIGINT))
    WHERE subject_office IS NULL AND object_type = 'user' AND object_id <> '';
UPDATE audit_log SET subject_office = (SELECT e.federation_office
    FROM placements p JOIN employers e ON e.id = p.employer_id WHERE p.id = CAST(audit_log.object_id AS BIGINT))
    WHERE subject_office IS NULL AND object_type = 'placement' AND object_id <> '';
UPDATE audit_log SET subject_office = (SELECT e.federation_office
    FROM review_items r JOIN employers e ON e.id = r.employer_id WHERE r.id = CAST(audit_log.object_id AS BIGINT))
    WHERE subject_office IS NULL AND object_type = 'review_item' AND object_id <> '';
UPDATE audit_log SET subject_office = (SELECT e.federation_office
    FROM files f JOIN employers e ON e.id = f.employer_id WHERE f.id = audit_log.object_id)
    WHERE subject_office IS NULL AND object_type = 'file';

-- Notices are targeted at a federation office (its subtree reads them) instead of a region. The
-- old region column is no longer read or written; SQLite cannot drop a column that is a foreign key.
-- A notice for everyone becomes the root office's; one for a region, that region's office.
ALTER TABLE notices ADD COLUMN office TEXT REFERENCES federation_offices (code);
UPDATE notices SET office = COALESCE(
    (SELECT MIN(f.code) FROM federation_offices f WHERE f.region = notices.region),
    (SELECT MIN(f.code) FROM federation_offices f WHERE f.parent IS NULL));
CREATE INDEX notices_office ON notices (office, published_at);

-- Staff accounts listed by office subtree.
CREATE INDEX users_office ON users (office);
