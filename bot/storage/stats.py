"""Counts for `/stats` and `rigfit db stats`, read from the aggregate tables (migration V002) only.

The aggregates are kept exact by triggers in the same transaction as every insert and delete, so reading them
costs the same at 2,000 rows as at 2,000,000: no scan of `queries`. Percentiles come from the answer-time
histogram and are bucket upper edges (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per decade, from 0.1 ms to 1,000 s):
p50_ms = 3.0 means "the median answer took at most 3 ms and more than the edge below, 2.5 ms".

`bench_stats` builds a large database and times these reads, for the bench.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.storage.location import is_postgres_url
from bot.storage.schema import StorageError, apply_migrations, connect
from bot.storage.text import printable

TOP_N = 5
DB_STATS_LINES = 20


Run = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]  # (statement with ? placeholders, params) -> rows


def stats(path: str | Path, guild_id: str | None = None) -> dict[str, Any]:
    """Queries, errors, top models and hardware, answer-time percentiles of one server (or of all, for None):
    for `/stats` and `rigfit db stats`. `path` is a SQLite path or a postgresql:// URL (the same aggregates,
    shared by every bot process). Reads only the aggregates: fast at any size, but it does block the calling
    thread, so call it through asyncio.to_thread from the event loop. Raises StorageError when the database
    cannot be opened."""
    with reading(path) as run:
        return _stats(run, guild_id)


@contextlib.contextmanager
def reading(location: str | Path) -> Iterator[Run]:
    """`run(statement, params) -> rows` on the database at `location` (migrations applied), StorageError when
    it cannot be read."""
    if is_postgres_url(location):
        from bot.storage.postgres import pg_reading

        with pg_reading(str(location)) as pg_run:
            yield pg_run
        return
    conn = _open(location)

    def run(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(conn.execute(statement, params).fetchall())

    try:
        yield run
    except sqlite3.Error as exc:
        raise StorageError.from_exception(str(location), exc) from exc
    finally:
        conn.close()


def _stats(run: Run, guild_id: str | None) -> dict[str, Any]:
    where, params = ("WHERE guild = ?", [guild_id]) if guild_id else ("", [])
    total, errors = run(f"SELECT coalesce(sum(n), 0), coalesce(sum(errors), 0) FROM stats_totals {where}", params)[0]
    top_models = _top(run, "stats_models", "model_id", where, params)
    top_hardware = _top(run, "stats_hardware", "hardware", where, params)
    histogram = [
        (float(upper_ms), int(n))
        for upper_ms, n in run(
            f"SELECT upper_ms, sum(n) FROM stats_latency {where} GROUP BY upper_ms HAVING sum(n) > 0 ORDER BY upper_ms",
            params,
        )
    ]
    return {
        "queries": int(total),
        "errors": int(errors),
        "top_models": top_models,
        "top_hardware": top_hardware,
        "p50_ms": percentile_ms(histogram, 0.5),
        "p99_ms": percentile_ms(histogram, 0.99),
    }


def _top(run: Run, table: str, column: str, where: str, params: list[Any]) -> list[tuple[str, int]]:
    rows = run(
        f"SELECT {column}, sum(n) FROM {table} {where} GROUP BY {column} HAVING sum(n) > 0 "
        f"ORDER BY 2 DESC, 1 LIMIT {TOP_N}",
        params,
    )
    return [(name, int(n)) for name, n in rows]


def percentile_ms(histogram: list[tuple[float, int]], p: float) -> float | None:
    """The upper edge of the bucket holding the value at rank min(int(p * n), n - 1) (0-based) of n values
    sorted, the rank the exact computation used; None without values."""
    n = sum(count for _, count in histogram)
    if n == 0:
        return None
    rank = min(int(p * n), n - 1)
    seen = 0
    for upper_ms, count in histogram:
        seen += count
        if seen > rank:
            return float(upper_ms)
    return float(histogram[-1][0])


def db_stats_lines(path: str | Path) -> list[str]:
    """What `rigfit db stats` prints: the total, then the most frequent (command, verdict or error) pairs with
    their counts; every user-supplied text escaped by `printable` so it cannot drive the terminal."""
    with reading(path) as run:
        total = run("SELECT coalesce(sum(n), 0) FROM stats_totals", ())[0][0]
        pairs = run(
            f"SELECT command, outcome, n FROM stats_outcomes WHERE n > 0 ORDER BY n DESC, 1, 2 LIMIT {DB_STATS_LINES}",
            (),
        )
    lines = [f"{int(total)} queries logged"]
    for command, outcome, n in pairs:
        shown = printable(outcome) if outcome else "(none)"
        lines.append(f"  {printable(command)[:10]:10} {shown[:50]:50} {int(n)}")
    return lines


def _open(path: str | Path) -> sqlite3.Connection:
    conn = connect(str(path))
    try:
        apply_migrations(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def bench_stats(tmp_dir: Path, rows: int = 2_000_000, guilds: int = 50) -> dict[str, Any]:
    """Fill a database in `tmp_dir` with `rows` queries (through the same triggers as the writer), then time
    `stats` for one server and for all, against the full scan the aggregates replace. Returns the figures
    (milliseconds, rows per second); asserts nothing about wall-clock time."""
    path = Path(tmp_dir) / "bench-stats.sqlite3"
    path.unlink(missing_ok=True)
    conn = _open(path)
    models = [f"model-{i}" for i in range(40)]
    hardware = [f"{i}x RTX 3090 + {64 * (i % 4 + 1)}GB" for i in range(30)]
    started = time.perf_counter()
    batch = 10_000
    try:
        for start in range(0, rows, batch):
            values = [
                (
                    f"2026-11-{1 + i % 28:02d}T00:00:00.000+00:00",
                    "discord",
                    "fit",
                    "{}",
                    models[i % len(models)],
                    hardware[(i * 7) % len(hardware)],
                    "fits" if i % 3 else "does not fit",
                    float(1 + (i * 37) % 5000) / 10,
                    "boom" if i % 97 == 0 else None,
                    str(i % guilds),
                )
                for i in range(start, min(start + batch, rows))
            ]
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO queries (ts, frontend, command, raw_args, model_id, hardware, verdict, latency_ms, "
                "error, guild_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            conn.execute("COMMIT")
    finally:
        conn.close()
    fill_s = time.perf_counter() - started

    def timed(fn: Any) -> tuple[float, Any]:
        t0 = time.perf_counter()
        result = fn()
        return (time.perf_counter() - t0) * 1000, result

    one_ms, one = timed(lambda: stats(path, "7"))
    all_ms, everything = timed(lambda: stats(path, None))
    lines_ms, _ = timed(lambda: db_stats_lines(path))
    scan_ms, _ = timed(lambda: _full_scan(path, "7"))
    return {
        "rows": rows,
        "fill_rows_per_s": round(rows / fill_s) if fill_s else None,
        "stats_one_guild_ms": round(one_ms, 2),
        "stats_all_guilds_ms": round(all_ms, 2),
        "db_stats_lines_ms": round(lines_ms, 2),
        "full_scan_one_guild_ms": round(scan_ms, 2),
        "queries_one_guild": one["queries"],
        "queries_all": everything["queries"],
        "db_bytes": path.stat().st_size,
    }


def _full_scan(path: Path, guild_id: str) -> int:
    """What /stats did before the aggregates: read every latency of the server (for comparison only)."""
    conn = sqlite3.connect(path)
    try:
        return len(conn.execute("SELECT latency_ms FROM queries WHERE guild_id = ?", (guild_id,)).fetchall())
    finally:
        conn.close()
