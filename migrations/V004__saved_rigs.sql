-- A member's saved rig (/rig set): the hardware phrase /fit, /whatfits, /cost and /compare use when none is given.
-- Keyed by the member's keyed hash, like the query log; /forget-me deletes it with the queries.
CREATE TABLE saved_rigs (
    user_hash TEXT PRIMARY KEY,
    phrase TEXT NOT NULL,            -- as the member typed it (with RAM speed and channels folded in)
    updated_at TEXT NOT NULL         -- ISO 8601, UTC
) WITHOUT ROWID;
