"""/stats and `rigfit db stats` from the aggregates agree with counting the rows themselves."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.storage import QueryLog, bench_stats, db_stats_lines, stats
from bot.storage.stats import percentile_ms

EDGES = [m * 10.0**k for k in range(-1, 6) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)] + [1e6]


def bucket(latency_ms: float) -> float:
    return next((e for e in EDGES if e >= latency_ms - 1e-9), EDGES[-1])


def exact(rows: list[dict[str, Any]], guild: str | None) -> dict[str, Any]:
    """What /stats answered before the aggregates (a scan of every row), with percentiles put in their bucket."""
    mine = [r for r in rows if guild is None or r["guild_id"] == guild]

    def top(column: str) -> list[tuple[str, int]]:
        counts = Counter(r[column] for r in mine if r[column] is not None)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]

    latencies = sorted(r["latency_ms"] for r in mine if r["latency_ms"] is not None)

    def pct(p: float) -> float | None:
        return bucket(latencies[min(int(p * len(latencies)), len(latencies) - 1)]) if latencies else None

    return {
        "queries": len(mine),
        "errors": sum(1 for r in mine if r["error"] is not None),
        "top_models": top("model_id"),
        "top_hardware": top("hardware"),
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
    }


def random_rows(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "ts": rng.choice(["2020-01-01T00:00:00", "2999-01-01T00:00:00"]),
            "frontend": "test",
            "command": rng.choice(["fit", "cost", "model"]),
            "raw_args": "{}",
            "model_id": rng.choice(["glm-5.2", "qwen3", "llama-3.1-8b", None, "m\x1b[31m"]),
            "hardware": rng.choice(["RTX 3090", "256GB", None]),
            "verdict": rng.choice(["fits", "tight", None]),
            "latency_ms": rng.choice([None, round(rng.lognormvariate(3, 2), 3), 0.0, 3.0, 2e6]),
            "error": rng.choice([None, None, "unknown model"]),
            "user_hash": rng.choice(["a", "b", "c"]),
            "guild_id": rng.choice(["7", "8", None]),
        }
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stats_match_a_scan_after_writes_forget_and_prune(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "q.sqlite3"
    rows = random_rows(seed, 400)
    qlog = QueryLog(path)
    for r in rows:
        qlog.log(r)
    assert qlog.flush()
    for guild in ("7", "8", None, "nowhere"):
        assert stats(path, guild) == exact(rows, guild), guild
    assert qlog.forget(["a"]).deleted == sum(1 for r in rows if r["user_hash"] == "a")
    rows = [r for r in rows if r["user_hash"] != "a"]
    for guild in ("7", "8", None):
        assert stats(path, guild) == exact(rows, guild), guild
    assert qlog.prune(30) == sum(1 for r in rows if r["ts"] < "2026")
    rows = [r for r in rows if r["ts"] > "2026"]
    for guild in ("7", "8", None):
        assert stats(path, guild) == exact(rows, guild), guild
    qlog.close()


@pytest.mark.parametrize(
    ("histogram", "p", "expected"),
    [
        ([], 0.5, None),
        ([(3.0, 1)], 0.99, 3.0),
        ([(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)], 0.5, 3.0),  # rank int(0.5 * 4) = 2 of 0..3
        ([(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)], 0.99, 4.0),
        ([(1.0, 99), (1000.0, 1)], 0.99, 1000.0),
        ([(1.0, 100), (1000.0, 1)], 0.99, 1.0),
    ],
)
def test_percentile_is_the_upper_edge_of_the_bucket_at_the_rank(
    histogram: list[tuple[float, int]], p: float, expected: float | None
) -> None:
    assert percentile_ms(histogram, p) == expected


def test_db_stats_lines_are_counted_and_escaped(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    base = {"ts": "2026-12-01T00:00:00", "frontend": "cli", "raw_args": "{}"}
    for _ in range(3):
        qlog.log(base | {"command": "fit", "verdict": "fits"})
    qlog.log(base | {"command": "fit", "error": "bad \x1b]0;owned\x07 title"})
    qlog.log(base | {"command": "about"})
    qlog.close()
    lines = db_stats_lines(path)
    assert lines[0] == "5 queries logged"
    assert [line.split() for line in lines[1:]] == [
        ["fit", "fits", "3"],
        ["about", "(none)", "1"],
        ["fit", "bad", "\\x1b]0;owned\\x07", "title", "1"],
    ]
    assert not any(ch in "".join(lines) for ch in "\x1b\x07")


def test_stats_read_only_aggregates(tmp_path: Path) -> None:
    """Dropping the rows' latencies behind the triggers' back does not change /stats: it never reads queries."""
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    qlog.log({"ts": "t", "frontend": "x", "command": "fit", "raw_args": "{}", "latency_ms": 5.0, "guild_id": "7"})
    qlog.close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER queries_count_delete")
    conn.execute("DELETE FROM queries")
    conn.commit()
    conn.close()
    assert stats(path, "7")["queries"] == 1 and stats(path, "7")["p50_ms"] == 5.0


def test_bench_stats_small(tmp_path: Path) -> None:
    figures = bench_stats(tmp_path, rows=2_000, guilds=10)
    assert figures["queries_all"] == 2_000 and figures["queries_one_guild"] == 200
    assert {"stats_one_guild_ms", "stats_all_guilds_ms", "full_scan_one_guild_ms", "fill_rows_per_s"} <= set(figures)
