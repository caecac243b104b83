-- The results' change sequence (see 0350) on PostgreSQL: a BEFORE trigger numbers the row it
-- writes. Letters that exist already are numbered in id order and stamped with the migration's time.
INSERT INTO result_feed (id, seq, at_us) VALUES (1, 0, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT);
UPDATE letters SET change_seq = n.rn, changed_at_us = (SELECT at_us FROM result_feed WHERE id = 1)
    FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM letters) n WHERE n.id = letters.id;
UPDATE result_feed SET seq = (SELECT COUNT(*) FROM letters) WHERE id = 1;

CREATE FUNCTION letters_result_feed() RETURNS trigger AS $$
DECLARE
    next_seq BIGINT;
    next_at  BIGINT;
BEGIN
    -- The row lock taken here is held until commit: the next writer waits, so numbers follow commits.
    UPDATE result_feed SET seq = seq + 1,
        at_us = GREATEST(at_us, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT)
        WHERE id = 1 RETURNING seq, at_us INTO next_seq, next_at;
    NEW.change_seq := next_seq;
    NEW.changed_at_us := next_at;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER letters_result_feed_insert BEFORE INSERT ON letters
    FOR EACH ROW EXECUTE FUNCTION letters_result_feed();
CREATE TRIGGER letters_result_feed_status BEFORE UPDATE OF status ON letters
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION letters_result_feed();

CREATE INDEX letters_change_seq ON letters (change_seq);
