-- A member's saved rig (/rig set), keyed by the member's keyed hash; /forget-me deletes it with the queries
-- (as migrations/V004 for SQLite). Shared by every bot process: a rig set through one is used through another.
CREATE TABLE saved_rigs (
    user_hash TEXT PRIMARY KEY,
    phrase TEXT NOT NULL,            -- as the member typed it (with RAM speed and channels folded in)
    updated_at TEXT NOT NULL         -- ISO 8601, UTC
);
