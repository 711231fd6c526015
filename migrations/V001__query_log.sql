-- Every query a front end answers, with what it understood and how long it took.
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,                -- ISO 8601, UTC
    frontend TEXT NOT NULL,          -- discord | console | cli
    command TEXT NOT NULL,           -- fit, ...
    raw_args TEXT NOT NULL,          -- JSON object of the options as typed
    model_id TEXT,
    hardware TEXT,                   -- the first reading's label
    verdict TEXT,
    best_quant TEXT,
    latency_ms REAL,
    error TEXT,
    user_hash TEXT,                  -- keyed hash of the user id, never the id itself
    guild_id TEXT,
    channel_id TEXT
);
CREATE INDEX IF NOT EXISTS queries_ts ON queries (ts);
CREATE INDEX IF NOT EXISTS queries_user ON queries (user_hash);
