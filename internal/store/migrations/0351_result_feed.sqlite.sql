-- The results' change sequence (see 0350) on SQLite, where writers are serialised by the database
-- lock: AFTER triggers number the row written. Letters that exist already are numbered in id order
-- and stamped with the migration's time.
INSERT INTO result_feed (id, seq, at_us) VALUES (1, 0, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));
UPDATE letters SET change_seq = (SELECT COUNT(*) FROM letters o WHERE o.id <= letters.id),
    changed_at_us = (SELECT at_us FROM result_feed WHERE id = 1);
UPDATE result_feed SET seq = (SELECT COUNT(*) FROM letters) WHERE id = 1;

CREATE TRIGGER letters_result_feed_insert AFTER INSERT ON letters
BEGIN
    UPDATE result_feed SET seq = seq + 1,
        at_us = MAX(at_us, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) WHERE id = 1;
    UPDATE letters SET change_seq = (SELECT seq FROM result_feed WHERE id = 1),
        changed_at_us = (SELECT at_us FROM result_feed WHERE id = 1) WHERE id = NEW.id;
END;

CREATE TRIGGER letters_result_feed_status AFTER UPDATE OF status ON letters
    WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE result_feed SET seq = seq + 1,
        at_us = MAX(at_us, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) WHERE id = 1;
    UPDATE letters SET change_seq = (SELECT seq FROM result_feed WHERE id = 1),
        changed_at_us = (SELECT at_us FROM result_feed WHERE id = 1) WHERE id = NEW.id;
END;

CREATE INDEX letters_change_seq ON letters (change_seq);
