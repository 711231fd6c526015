"""One storage interface, two backends: the same cases on SQLite and on PostgreSQL, then what only a fleet sharing
one PostgreSQL needs (several writers, /forget-me across processes, migrations raced, a refused connection, moving
an existing SQLite log over)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.settings import load_settings
from bot.storage import QueryLog, StorageError, db_stats_lines, open_query_log, query_log_for, stats
from bot.storage.migrate import migrate_to
from bot.storage.pg_cluster import free_port
from bot.storage.postgres import PgQueryLog, pg_migration_files, redacted
from bot.storage.rigs import RigStore

pytestmark = pytest.mark.postgres

GUILD = "400000000000000001"
OTHER_GUILD = "400000000000000777"


def q(command: str, *, user: str | None = "u-ana", guild: str | None = GUILD, **fields: Any) -> dict[str, Any]:
    """A log row as the front ends write it (bot.commands.log_row)."""
    raw = {k: v for k, v in fields.items() if k in ("model", "hardware")}
    return {
        "ts": fields.pop("ts", "2026-12-01T10:00:00.000+00:00"),
        "frontend": "discord",
        "command": command,
        "raw_args": json.dumps(raw),
        "model_id": fields.get("model_id"),
        "hardware": fields.get("label"),
        "verdict": fields.get("verdict"),
        "latency_ms": fields.get("latency_ms", 4.2),
        "error": fields.get("error"),
        "user_hash": user,
        "guild_id": guild,
        "channel_id": "500000000000000001",
    }


# What people ask in a channel: the model they want, the rig they have, and what they were told.
ROWS = [
    q("fit", model="glm-5.2", hardware="2x RTX 3090 + 128GB DDR4", model_id="glm-5.2", label="2x RTX 3090 + 128 GB",
      verdict="fits with offload", latency_ms=3.1),
    q("fit", model="qwen3 235b", hardware="M3 Ultra 256GB", model_id="qwen3-235b-a22b", label="M3 Ultra 256 GB",
      verdict="fits", latency_ms=2.4),
    q("fit", user="u-bo", model="llama 3.1 8b", hardware="RTX 3060 12GB", model_id="llama-3.1-8b", label="RTX 3060",
      verdict="fits", latency_ms=1.9),
    q("fit", user="u-bo", model="glm-5.2", hardware="265BG", error="hardware: I don't know the device `265bg`"),
    q("whatfits", hardware="24GB VRAM + 64GB RAM", label="24 GB + 64 GB", verdict="12 models", latency_ms=40.0),
    q("cost", user="u-cy", guild=OTHER_GUILD, model="deepseek v3", model_id="deepseek-v3", verdict="API cheaper",
      latency_ms=7.5),
    q("help", user="u-cy", guild=None, latency_ms=0.3),
    q("fit", user="u-cy", model="kimi k2 \x00", hardware="8x H100", error="model: I don't know the model `kimi k2`"),
    q("model", user="u-dee", model="glm\udcff", latency_ms=0.8, error="model: I don't know the model `glm\udcff`"),
]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "rigfit.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def qlog(location: str, tmp_path: Path) -> Iterator[QueryLog]:
    log = open_query_log(location, journal_base=tmp_path / "pg")
    yield log
    log.close()


def written(qlog: QueryLog, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        qlog.log(row)
    assert qlog.flush()


def test_every_row_is_written_with_its_text(qlog: QueryLog) -> None:
    written(qlog, ROWS)
    stored = qlog.rows()
    assert [r["command"] for r in stored] == [r["command"] for r in ROWS]
    assert [json.loads(r["raw_args"]).get("model") for r in stored][:3] == ["glm-5.2", "qwen3 235b", "llama 3.1 8b"]
    assert "\\udcff" in stored[-1]["error"]  # the lone surrogate kept as an escape, on both backends
    assert stored[-2]["raw_args"] == json.dumps({"model": "kimi k2 \x00", "hardware": "8x H100"})  # JSON escapes NUL


def test_stats_read_the_same_figures_as_a_scan_of_the_rows(qlog: QueryLog, location: str) -> None:
    written(qlog, ROWS)
    figures = stats(location, GUILD)
    mine = [r for r in ROWS if r["guild_id"] == GUILD]
    assert figures["queries"] == len(mine) == 7
    assert figures["errors"] == sum(1 for r in mine if r["error"]) == 3
    assert figures["top_models"][0] == ("glm-5.2", 1) and len(figures["top_models"]) == 3
    assert (figures["p50_ms"], figures["p99_ms"]) == (4.0, 40.0)  # bucket upper edges over 1.9 .. 40 ms
    assert stats(location, None)["queries"] == len(ROWS)
    assert stats(location, "400000000000000999") == {
        "queries": 0, "errors": 0, "top_models": [], "top_hardware": [], "p50_ms": None, "p99_ms": None,
    }  # fmt: skip


def test_db_stats_lines_are_the_same_on_both_backends(qlog: QueryLog, location: str, tmp_path: Path) -> None:
    written(qlog, ROWS)
    reference = QueryLog(tmp_path / "reference.sqlite3")
    written(reference, ROWS)
    reference.close()
    assert db_stats_lines(location) == db_stats_lines(tmp_path / "reference.sqlite3")


def test_forget_me_deletes_the_members_rows_and_rig_and_nobody_elses(qlog: QueryLog, location: str) -> None:
    written(qlog, ROWS)
    rigs = RigStore(location)
    rigs.set("u-ana", "2x RTX 3090 + 128GB DDR4-3200 8-channel")
    rigs.set("u-bo", "RTX 3060 12GB")
    result = qlog.forget(["u-ana", "u-ana-old-key"])
    assert (result.deleted, result.pending) == (3, False)
    assert Counter(r["user_hash"] for r in qlog.rows()) == Counter({"u-bo": 2, "u-cy": 3, "u-dee": 1})
    assert rigs.get(["u-ana"]) is None and rigs.get(["u-bo"]) is not None
    assert stats(location, GUILD)["queries"] == 4


@pytest.mark.parametrize(
    ("saved", "asked_with", "found"),
    [
        ({"h-current": "RTX 4090 + 64GB DDR5-6000"}, ["h-current", "h-old"], "RTX 4090 + 64GB DDR5-6000"),
        ({"h-old": "M2 Max 96GB"}, ["h-current", "h-old"], "M2 Max 96GB"),  # saved before a key rotation
        ({"h-current": "8x H100", "h-old": "M2 Max 96GB"}, ["h-current", "h-old"], "8x H100"),
        ({}, ["h-current"], None),
    ],
)
def test_saved_rigs(
    location: str, qlog: QueryLog, saved: dict[str, str], asked_with: list[str], found: str | None
) -> None:
    rigs = RigStore(location)
    for user_hash, phrase in saved.items():
        rigs.set(user_hash, phrase)
    got = rigs.get(asked_with)
    assert (got.phrase if got else None) == found
    assert rigs.clear(asked_with) == len(saved)


def test_prune_keeps_recent_rows_and_the_aggregates_follow(qlog: QueryLog, location: str) -> None:
    old = [q("fit", model="glm-5.2", model_id="glm-5.2", ts="2025-01-01T00:00:00.000+00:00")] * 3
    written(qlog, [*old, q("fit", model="glm-5.2", model_id="glm-5.2", ts="2099-01-01T00:00:00.000+00:00")])
    assert qlog.prune(90) == 3
    assert stats(location, GUILD)["queries"] == 1 and stats(location, GUILD)["top_models"] == [("glm-5.2", 1)]


# ---------------------------------------------------------------------------------------------- PostgreSQL only


def test_two_processes_writing_at_once_lose_nothing_and_count_exactly(pg_url: str, tmp_path: Path) -> None:
    """Two writers (two bot processes) with batches sharing aggregate rows (the same command and outcome)."""
    logs = [PgQueryLog(pg_url, journal_base=tmp_path / f"p{i}") for i in range(2)]
    guilds = [GUILD, OTHER_GUILD, None]

    sent = Counter(f"m{(i + offset) % 7}" for offset in (0, 1) for i in range(1500))

    def drive(log: PgQueryLog, offset: int) -> None:
        for i in range(1500):
            log.log(q("fit", user=f"u{i % 40}", guild=guilds[(i + offset) % 3], model_id=f"m{(i + offset) % 7}"))

    threads = [threading.Thread(target=drive, args=(log, n)) for n, log in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reports = [log.close() for log in logs]
    assert [r.dropped + r.rejected + r.journaled for r in reports] == [0, 0]
    assert stats(pg_url, None)["queries"] == 3000
    top_five = sorted(sent.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert stats(pg_url, None)["top_models"] == top_five


def test_a_forget_in_one_process_drops_rows_another_writes_later(pg_url: str, tmp_path: Path) -> None:
    """Process B still held rows of the member (queued or journaled) when process A deleted theirs."""
    a, b = (PgQueryLog(pg_url, journal_base=tmp_path / name) for name in ("a", "b"))
    written(a, [q("fit", ts="2026-12-01T10:00:00.000+00:00")])
    assert a.forget(["u-ana"]).deleted == 1
    late = [q("fit", ts="2026-12-01T10:00:01.000+00:00"), q("fit", user="u-bo", ts="2026-12-01T10:00:01.000+00:00")]
    after = q("fit", ts="2099-01-01T00:00:00.000+00:00")  # asked again after the deletion: kept
    written(b, [*late, after])
    assert [(r["user_hash"], r["ts"][:4]) for r in b.rows()] == [("u-bo", "2026"), ("u-ana", "2099")]
    a.close()
    b.close()


def test_processes_starting_together_apply_each_migration_once(pg_url: str, tmp_path: Path) -> None:
    opened: list[PgQueryLog] = []
    threads = [
        threading.Thread(target=lambda i=i: opened.append(PgQueryLog(pg_url, journal_base=tmp_path / f"{i}")))
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 4
    for log in opened:
        log.close()
    with psycopg.connect(pg_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM _migrations ORDER BY version")]
    assert versions == [v for v, _ in pg_migration_files()]


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    versions = [v for v, _ in pg_migration_files()]
    assert versions == list(range(1, len(versions) + 1))


def test_connection_refused_at_start_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://rigfit:s3cret-pw@127.0.0.1:{free_port()}/rigfit"
    with pytest.raises(StorageError) as caught:
        PgQueryLog(url, journal_base=tmp_path / "pg", open_timeout_s=0.3)
    message = str(caught.value)
    assert "\n" not in message and "s3cret-pw" not in message
    assert message.startswith(f"query log {redacted(url)}: ") and "refused" in message.lower()
    assert caught.value.transient


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:pw@db.internal:5432/rigfit", "postgresql://bot@db.internal:5432/rigfit"),
        ("postgres://bot@10.0.0.5/rigfit?sslmode=require&password=pw", "postgres://bot@10.0.0.5/rigfit"),
        ("postgresql://bot:pw@[::1]:6432/rigfit", "postgresql://bot@[::1]:6432/rigfit"),
    ],
)
def test_messages_name_the_server_never_the_password(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_database_url_puts_the_log_in_postgresql_with_its_journal_beside_database_path(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "rigfit.sqlite3"))
    qlog = query_log_for(load_settings())
    assert isinstance(qlog, PgQueryLog)
    assert qlog.files is not None and qlog.files.journal.path.parent == tmp_path / "data"
    qlog.close()
    monkeypatch.delenv("DATABASE_URL")
    assert not isinstance(query_log_for(load_settings()), PgQueryLog)


def test_migrate_to_moves_rows_and_rigs_once(pg_url: str, tmp_path: Path) -> None:
    path = tmp_path / "rigfit.sqlite3"
    lite = QueryLog(path)
    written(lite, ROWS)
    lite.close()
    RigStore(path).set("u-ana", "2x RTX 3090 + 128GB DDR4")
    first = migrate_to(path, pg_url)
    assert (first.rows_copied, first.rigs_copied, first.rows_refused) == (len(ROWS), 1, 0)
    again = migrate_to(path, pg_url)
    assert (again.rows_copied, again.rows_already_there) == (0, len(ROWS))
    assert stats(pg_url, None) == stats(path, None)
    saved = RigStore(pg_url).get(["u-ana"])
    assert saved is not None and saved.phrase == "2x RTX 3090 + 128GB DDR4"
