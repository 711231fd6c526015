-- Chunks of a journal file (rows a bot process kept on its disk while the database could not take them) already
-- inserted: a chunk's rows and its line here commit in one transaction, so a replay cut short resumes without
-- inserting twice (as migrations/V003 for SQLite).
CREATE TABLE _journal_replays (
    file_id TEXT NOT NULL,           -- the uuid in the claimed journal file's name
    chunk INTEGER NOT NULL,          -- lines [chunk * size, (chunk + 1) * size) of that file
    replayed_at TEXT NOT NULL,
    PRIMARY KEY (file_id, chunk)
);
