-- Counts that /stats and `rigfit db stats` read instead of scanning `queries` (as migrations/V002 for SQLite):
-- kept exact in the same transaction as every insert and delete. Here by statement-level triggers over the
-- statement's rows (transition tables), grouped and upserted in key order, so two bot processes writing batches
-- at once take the aggregate rows' locks in the same order. `guild` is '' for queries outside a server.

CREATE TABLE latency_edges (upper_ms DOUBLE PRECISION PRIMARY KEY);
INSERT INTO latency_edges (upper_ms) VALUES
    (0.1), (0.12), (0.15), (0.2), (0.25), (0.3), (0.4), (0.5), (0.6), (0.8),
    (1.0), (1.2), (1.5), (2.0), (2.5), (3.0), (4.0), (5.0), (6.0), (8.0),
    (10.0), (12.0), (15.0), (20.0), (25.0), (30.0), (40.0), (50.0), (60.0), (80.0),
    (100.0), (120.0), (150.0), (200.0), (250.0), (300.0), (400.0), (500.0), (600.0), (800.0),
    (1000.0), (1200.0), (1500.0), (2000.0), (2500.0), (3000.0), (4000.0), (5000.0), (6000.0), (8000.0),
    (10000.0), (12000.0), (15000.0), (20000.0), (25000.0), (30000.0), (40000.0), (50000.0), (60000.0), (80000.0),
    (100000.0), (120000.0), (150000.0), (200000.0), (250000.0), (300000.0), (400000.0), (500000.0), (600000.0),
    (800000.0), (1000000.0);

CREATE TABLE stats_totals (guild TEXT PRIMARY KEY, n BIGINT NOT NULL, errors BIGINT NOT NULL);
CREATE TABLE stats_models (guild TEXT NOT NULL, model_id TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (guild, model_id));
CREATE TABLE stats_hardware (guild TEXT NOT NULL, hardware TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (guild, hardware));
CREATE TABLE stats_latency (
    guild TEXT NOT NULL, upper_ms DOUBLE PRECISION NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (guild, upper_ms)
);
CREATE TABLE stats_outcomes (                -- all servers together: `rigfit db stats`
    command TEXT NOT NULL,
    outcome TEXT NOT NULL,                   -- the verdict, else the error, else ''
    n BIGINT NOT NULL,
    PRIMARY KEY (command, outcome)
);

-- The histogram bucket of a latency: the smallest upper edge >= it, the top edge above 1,000,000 ms.
CREATE FUNCTION latency_bucket(latency DOUBLE PRECISION) RETURNS DOUBLE PRECISION LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT min(upper_ms) FROM latency_edges WHERE upper_ms >= latency),
                    (SELECT max(upper_ms) FROM latency_edges))
$$;

CREATE FUNCTION queries_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_totals AS t (guild, n, errors)
        SELECT coalesce(guild_id, ''), count(*), count(error) FROM new_rows GROUP BY 1 ORDER BY 1
        ON CONFLICT (guild) DO UPDATE SET n = t.n + excluded.n, errors = t.errors + excluded.errors;
    INSERT INTO stats_outcomes AS t (command, outcome, n)
        SELECT command, coalesce(verdict, error, ''), count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (command, outcome) DO UPDATE SET n = t.n + excluded.n;
    INSERT INTO stats_models AS t (guild, model_id, n)
        SELECT coalesce(guild_id, ''), model_id, count(*) FROM new_rows WHERE model_id IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (guild, model_id) DO UPDATE SET n = t.n + excluded.n;
    INSERT INTO stats_hardware AS t (guild, hardware, n)
        SELECT coalesce(guild_id, ''), hardware, count(*) FROM new_rows WHERE hardware IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (guild, hardware) DO UPDATE SET n = t.n + excluded.n;
    INSERT INTO stats_latency AS t (guild, upper_ms, n)
        SELECT coalesce(guild_id, ''), latency_bucket(latency_ms), count(*) FROM new_rows
        WHERE latency_ms IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (guild, upper_ms) DO UPDATE SET n = t.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION queries_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stats_totals t SET n = t.n - d.n, errors = t.errors - d.errors
        FROM (SELECT coalesce(guild_id, '') AS guild, count(*) AS n, count(error) AS errors
              FROM old_rows GROUP BY 1) d
        WHERE t.guild = d.guild;
    UPDATE stats_outcomes t SET n = t.n - d.n
        FROM (SELECT command, coalesce(verdict, error, '') AS outcome, count(*) AS n FROM old_rows GROUP BY 1, 2) d
        WHERE t.command = d.command AND t.outcome = d.outcome;
    UPDATE stats_models t SET n = t.n - d.n
        FROM (SELECT coalesce(guild_id, '') AS guild, model_id, count(*) AS n FROM old_rows
              WHERE model_id IS NOT NULL GROUP BY 1, 2) d
        WHERE t.guild = d.guild AND t.model_id = d.model_id;
    UPDATE stats_hardware t SET n = t.n - d.n
        FROM (SELECT coalesce(guild_id, '') AS guild, hardware, count(*) AS n FROM old_rows
              WHERE hardware IS NOT NULL GROUP BY 1, 2) d
        WHERE t.guild = d.guild AND t.hardware = d.hardware;
    UPDATE stats_latency t SET n = t.n - d.n
        FROM (SELECT coalesce(guild_id, '') AS guild, latency_bucket(latency_ms) AS upper_ms, count(*) AS n
              FROM old_rows WHERE latency_ms IS NOT NULL GROUP BY 1, 2) d
        WHERE t.guild = d.guild AND t.upper_ms = d.upper_ms;
    DELETE FROM stats_totals WHERE n <= 0 AND guild IN (SELECT coalesce(guild_id, '') FROM old_rows);
    DELETE FROM stats_outcomes WHERE n <= 0 AND command IN (SELECT command FROM old_rows);
    DELETE FROM stats_models WHERE n <= 0 AND guild IN (SELECT coalesce(guild_id, '') FROM old_rows);
    DELETE FROM stats_hardware WHERE n <= 0 AND guild IN (SELECT coalesce(guild_id, '') FROM old_rows);
    DELETE FROM stats_latency WHERE n <= 0 AND guild IN (SELECT coalesce(guild_id, '') FROM old_rows);
    RETURN NULL;
END
$$;

CREATE TRIGGER queries_count_insert AFTER INSERT ON queries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION queries_count_insert();
CREATE TRIGGER queries_count_delete AFTER DELETE ON queries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION queries_count_delete();

-- The rows already logged.
INSERT INTO stats_totals (guild, n, errors)
    SELECT coalesce(guild_id, ''), count(*), count(error) FROM queries GROUP BY 1;
INSERT INTO stats_outcomes (command, outcome, n)
    SELECT command, coalesce(verdict, error, ''), count(*) FROM queries GROUP BY 1, 2;
INSERT INTO stats_models (guild, model_id, n)
    SELECT coalesce(guild_id, ''), model_id, count(*) FROM queries WHERE model_id IS NOT NULL GROUP BY 1, 2;
INSERT INTO stats_hardware (guild, hardware, n)
    SELECT coalesce(guild_id, ''), hardware, count(*) FROM queries WHERE hardware IS NOT NULL GROUP BY 1, 2;
INSERT INTO stats_latency (guild, upper_ms, n)
    SELECT coalesce(guild_id, ''), latency_bucket(latency_ms), count(*) FROM queries
    WHERE latency_ms IS NOT NULL GROUP BY 1, 2;
