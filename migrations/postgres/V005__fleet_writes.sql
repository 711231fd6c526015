-- What several bot processes writing to one server need (no SQLite counterpart: one process owns that file).

-- Batches committed, by the id the writer gave the batch before its first attempt. The id is inserted first in
-- the batch's transaction, so when a connection is lost around COMMIT the retry finds (or waits for) it and
-- does not write the rows twice. Pruned with the query log.
CREATE TABLE _write_batches (
    batch_id TEXT PRIMARY KEY,
    written_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX _write_batches_written_at ON _write_batches (written_at);

-- /forget-me across the fleet: a member's rows logged before the request may still wait in another process's
-- queue or journal; they are dropped when they arrive. Requests are kept a few days (pruned with the query
-- log), then nothing of the member is left here either.
CREATE TABLE _forget_requests (
    user_hash TEXT PRIMARY KEY,
    requested_at TEXT NOT NULL       -- ISO 8601, UTC: rows of this user logged at or before it are dropped
);

CREATE FUNCTION queries_skip_forgotten() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_hash IS NOT NULL AND EXISTS (
        SELECT 1 FROM _forget_requests f WHERE f.user_hash = NEW.user_hash AND f.requested_at >= NEW.ts
    ) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER queries_skip_forgotten BEFORE INSERT ON queries
    FOR EACH ROW EXECUTE FUNCTION queries_skip_forgotten();

-- `rigfit db migrate-to URL`: how far a SQLite query log has been copied here (its rows copied in id order, the
-- position committed with each chunk), so running it again, or after it was cut short, copies no row twice.
CREATE TABLE _copied_from (
    source TEXT PRIMARY KEY,         -- the SQLite file's absolute path
    last_id BIGINT NOT NULL,         -- the highest SQLite queries.id copied
    copied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
