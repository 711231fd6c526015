-- Members' measured runs (/report add, `rigfit report add`), as migrations/V005__member_reports.sql for SQLite:
-- accepted pastes, their timed rows in catalog terms, and per-server hides. Nothing refused is stored.
-- Every table that holds something of a member carries `user_hash` (the keyed hash, never the Discord id), so
-- /forget-me's sweep of every table with that column deletes reports and their rows with the queries.
CREATE TABLE member_reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- never reused
    user_hash TEXT NOT NULL,
    guild_id TEXT,                   -- the server it was reported in; NULL in DMs and the shell
    reported_at TEXT NOT NULL,       -- ISO 8601, UTC
    hardware TEXT NOT NULL,          -- the rig as the member stated it (or their saved rig's phrase)
    hardware_label TEXT NOT NULL,    -- the rig as the hardware parser read it
    format TEXT NOT NULL,            -- markdown, json, jsonl, csv, server-log, server-json
    text_sha256 TEXT NOT NULL,       -- the same paste reported twice by one member is one report
    raw_text TEXT NOT NULL,          -- the paste as received
    UNIQUE (user_hash, text_sha256)
);
CREATE INDEX member_reports_user ON member_reports (user_hash);

-- One accepted timed test of a report (pp512, tg128 @ d4096, a llama-server timing), in catalog terms.
CREATE TABLE member_report_rows (
    report_id BIGINT NOT NULL,
    user_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    family TEXT NOT NULL,            -- lower case: answers read the rows of a model's family
    total_params_b DOUBLE PRECISION NOT NULL,
    active_params_b DOUBLE PRECISION,
    quant TEXT NOT NULL,
    bits_per_weight DOUBLE PRECISION,
    phase TEXT NOT NULL CHECK (phase IN ('decode', 'prefill')),
    test TEXT NOT NULL,              -- as llama.cpp printed it
    n_tokens BIGINT NOT NULL,
    depth_tokens BIGINT NOT NULL,
    tokens_per_s DOUBLE PRECISION NOT NULL,
    backend TEXT NOT NULL,
    n_gpu_layers INTEGER,
    size_bytes BIGINT,
    device_class TEXT NOT NULL,      -- gpu, multi-gpu, unified, offload, cpu
    device_ids TEXT NOT NULL,        -- catalog ids of the accelerators, comma-separated, sorted
    gpu_count INTEGER NOT NULL,
    ram_gb_s DOUBLE PRECISION                    -- system RAM bandwidth of offload rigs, where the rig states it
);
CREATE INDEX member_report_rows_family ON member_report_rows (family);
CREATE INDEX member_report_rows_report ON member_report_rows (report_id);

-- /report hide: a server manager hides a report in their server (it stays shown elsewhere). Nothing of the
-- manager is kept.
CREATE TABLE member_reports_hidden (
    report_id BIGINT NOT NULL,
    guild_id TEXT NOT NULL,
    hidden_at TEXT NOT NULL,         -- ISO 8601, UTC
    PRIMARY KEY (report_id, guild_id)
);
