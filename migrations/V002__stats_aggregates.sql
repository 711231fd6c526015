-- Counts that /stats and `rigfit db stats` read instead of scanning `queries`: kept exact by triggers in the
-- same transaction as every insert and delete (writes, forget, prune), and filled from the rows already there.
-- `guild` is '' for queries outside a server. Rows of `queries` are never updated, so there is no update trigger.

-- Answer-time histogram: each latency counts in the smallest bucket whose upper edge is >= it (the top bucket
-- also takes everything above 1,000,000 ms). Percentiles read from it are bucket upper edges.
CREATE TABLE latency_edges (upper_ms REAL PRIMARY KEY) WITHOUT ROWID;
INSERT INTO latency_edges (upper_ms) VALUES
    (0.1), (0.12), (0.15), (0.2), (0.25), (0.3), (0.4), (0.5), (0.6), (0.8),
    (1.0), (1.2), (1.5), (2.0), (2.5), (3.0), (4.0), (5.0), (6.0), (8.0),
    (10.0), (12.0), (15.0), (20.0), (25.0), (30.0), (40.0), (50.0), (60.0), (80.0),
    (100.0), (120.0), (150.0), (200.0), (250.0), (300.0), (400.0), (500.0), (600.0), (800.0),
    (1000.0), (1200.0), (1500.0), (2000.0), (2500.0), (3000.0), (4000.0), (5000.0), (6000.0), (8000.0),
    (10000.0), (12000.0), (15000.0), (20000.0), (25000.0), (30000.0), (40000.0), (50000.0), (60000.0), (80000.0),
    (100000.0), (120000.0), (150000.0), (200000.0), (250000.0), (300000.0), (400000.0), (500000.0), (600000.0),
    (800000.0), (1000000.0);

CREATE TABLE stats_totals (
    guild TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    errors INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE stats_models (
    guild TEXT NOT NULL,
    model_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (guild, model_id)
) WITHOUT ROWID;
CREATE TABLE stats_hardware (
    guild TEXT NOT NULL,
    hardware TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (guild, hardware)
) WITHOUT ROWID;
CREATE TABLE stats_latency (
    guild TEXT NOT NULL,
    upper_ms REAL NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (guild, upper_ms)
) WITHOUT ROWID;
CREATE TABLE stats_outcomes (                -- all servers together: `rigfit db stats`
    command TEXT NOT NULL,
    outcome TEXT NOT NULL,                   -- the verdict, else the error, else ''
    n INTEGER NOT NULL,
    PRIMARY KEY (command, outcome)
) WITHOUT ROWID;

CREATE TRIGGER queries_count_insert AFTER INSERT ON queries BEGIN
    INSERT INTO stats_totals (guild, n, errors) VALUES (coalesce(NEW.guild_id, ''), 1, NEW.error IS NOT NULL)
        ON CONFLICT (guild) DO UPDATE SET n = n + 1, errors = errors + excluded.errors;
    INSERT INTO stats_outcomes (command, outcome, n)
        SELECT NEW.command, coalesce(NEW.verdict, NEW.error, ''), 1 WHERE NEW.command IS NOT NULL
        ON CONFLICT (command, outcome) DO UPDATE SET n = n + 1;
    INSERT INTO stats_models (guild, model_id, n)
        SELECT coalesce(NEW.guild_id, ''), NEW.model_id, 1 WHERE NEW.model_id IS NOT NULL
        ON CONFLICT (guild, model_id) DO UPDATE SET n = n + 1;
    INSERT INTO stats_hardware (guild, hardware, n)
        SELECT coalesce(NEW.guild_id, ''), NEW.hardware, 1 WHERE NEW.hardware IS NOT NULL
        ON CONFLICT (guild, hardware) DO UPDATE SET n = n + 1;
    INSERT INTO stats_latency (guild, upper_ms, n)
        SELECT coalesce(NEW.guild_id, ''),
               coalesce((SELECT min(upper_ms) FROM latency_edges WHERE upper_ms >= NEW.latency_ms),
                        (SELECT max(upper_ms) FROM latency_edges)),
               1
        WHERE NEW.latency_ms IS NOT NULL
        ON CONFLICT (guild, upper_ms) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER queries_count_delete AFTER DELETE ON queries BEGIN
    UPDATE stats_totals SET n = n - 1, errors = errors - (OLD.error IS NOT NULL)
        WHERE guild = coalesce(OLD.guild_id, '');
    DELETE FROM stats_totals WHERE guild = coalesce(OLD.guild_id, '') AND n <= 0;
    UPDATE stats_outcomes SET n = n - 1
        WHERE command = OLD.command AND outcome = coalesce(OLD.verdict, OLD.error, '');
    DELETE FROM stats_outcomes
        WHERE command = OLD.command AND outcome = coalesce(OLD.verdict, OLD.error, '') AND n <= 0;
    UPDATE stats_models SET n = n - 1 WHERE guild = coalesce(OLD.guild_id, '') AND model_id = OLD.model_id;
    DELETE FROM stats_models WHERE guild = coalesce(OLD.guild_id, '') AND model_id = OLD.model_id AND n <= 0;
    UPDATE stats_hardware SET n = n - 1 WHERE guild = coalesce(OLD.guild_id, '') AND hardware = OLD.hardware;
    DELETE FROM stats_hardware WHERE guild = coalesce(OLD.guild_id, '') AND hardware = OLD.hardware AND n <= 0;
    UPDATE stats_latency SET n = n - 1
        WHERE OLD.latency_ms IS NOT NULL
          AND guild = coalesce(OLD.guild_id, '')
          AND upper_ms = coalesce((SELECT min(upper_ms) FROM latency_edges WHERE upper_ms >= OLD.latency_ms),
                                  (SELECT max(upper_ms) FROM latency_edges));
    DELETE FROM stats_latency WHERE guild = coalesce(OLD.guild_id, '') AND n <= 0;
END;

-- The rows already logged.
INSERT INTO stats_totals (guild, n, errors)
    SELECT coalesce(guild_id, ''), count(*), count(error) FROM queries GROUP BY 1;
INSERT INTO stats_outcomes (command, outcome, n)
    SELECT command, coalesce(verdict, error, ''), count(*) FROM queries WHERE command IS NOT NULL GROUP BY 1, 2;
INSERT INTO stats_models (guild, model_id, n)
    SELECT coalesce(guild_id, ''), model_id, count(*) FROM queries WHERE model_id IS NOT NULL GROUP BY 1, 2;
INSERT INTO stats_hardware (guild, hardware, n)
    SELECT coalesce(guild_id, ''), hardware, count(*) FROM queries WHERE hardware IS NOT NULL GROUP BY 1, 2;
INSERT INTO stats_latency (guild, upper_ms, n)
    SELECT coalesce(guild_id, ''),
           coalesce((SELECT min(e.upper_ms) FROM latency_edges e WHERE e.upper_ms >= queries.latency_ms),
                    (SELECT max(upper_ms) FROM latency_edges)),
           count(*)
    FROM queries WHERE latency_ms IS NOT NULL GROUP BY 1, 2;
