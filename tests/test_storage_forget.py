"""forget(): several hashes, while the database is locked, across a restart, and leaving no bytes behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.storage import ForgetResult, QueryLog, stats
from bot.storage.faults import write_lock

BUSY_S = 0.1


def row(user: str | None, text: str = "{}", **extra: Any) -> dict[str, Any]:
    return {"ts": "2026-12-01T00:00:00", "frontend": "test", "command": "fit", "raw_args": text, "user_hash": user}


@pytest.mark.parametrize(
    ("logged", "forgotten", "deleted", "left"),
    [
        (["a", "b", "a"], "a", 2, ["b"]),
        (["a", "b", "a"], ["a"], 2, ["b"]),
        (["old-key-a", "new-key-a", "b"], ["old-key-a", "new-key-a"], 2, ["b"]),  # after a hash-key rotation
        (["a", "b"], ["nobody"], 0, ["a", "b"]),
        (["a", "b"], [], 0, ["a", "b"]),
        (["a", None], "a", 1, [None]),
    ],
)
def test_forget_deletes_the_rows_of_every_hash_given(
    tmp_path: Path, logged: list[str | None], forgotten: str | list[str], deleted: int, left: list[str | None]
) -> None:
    qlog = QueryLog(tmp_path / "q.sqlite3")
    for user in logged:
        qlog.log(row(user))
    assert qlog.forget(forgotten) == ForgetResult(deleted=deleted, pending=False)
    assert qlog.flush()
    assert [r["user_hash"] for r in qlog.rows()] == left
    qlog.close()


@pytest.mark.parametrize(("result", "shown"), [(ForgetResult(2, False), "2"), (ForgetResult(None, True), "(pending)")])
def test_forget_result_formats_as_its_count(result: ForgetResult, shown: str) -> None:
    assert f"Done: {result} logged queries" == f"Done: {shown} logged queries"


def test_forget_while_locked_is_pending_and_applied_before_later_rows(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    with write_lock(path):
        qlog.log(row("a", "before"))
        qlog.log(row("b", "other"))
        result = qlog.forget("a", timeout_s=0.2)
        assert result == ForgetResult(deleted=None, pending=True)
        assert json.loads(Path(f"{path}.forget.jsonl").read_text())["user_hashes"] == ["a"]
        qlog.log(row("a", "after"))  # logged after the request: kept
    assert qlog.flush(10)
    assert [(r["user_hash"], r["raw_args"]) for r in qlog.rows()] == [("b", "other"), ("a", "after")]
    assert not Path(f"{path}.forget.jsonl").read_text().strip()
    qlog.close()


def test_pending_forget_survives_a_restart_and_reaches_journaled_rows(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    with write_lock(path):
        for user in ("a", "b", "a", "c"):
            qlog.log(row(user, f"secret of {user}"))
        assert qlog.write_failed.wait(10)
        assert qlog.forget(["a"], timeout_s=0.1).pending
        report = qlog.close(timeout_s=0.1)  # the process stops while the database is still locked
    assert report.journaled == 4 and report.dropped == 0
    assert "secret of a" in "".join(p.read_text() for p in tmp_path.glob("q.sqlite3.journal*"))
    again = QueryLog(path, busy_timeout_s=BUSY_S)
    assert again.flush(10)
    assert [r["user_hash"] for r in again.rows()] == ["b", "c"]
    again.close()
    leftovers = "".join(p.read_text() for p in tmp_path.glob("q.sqlite3.*") if p.suffix == ".jsonl")
    assert "secret of a" not in leftovers


def test_forgotten_text_is_not_left_in_the_database_nor_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    secret = b"SECRET-3f9a-do-not-keep"
    qlog = QueryLog(path)
    qlog.log(row("a", json.dumps({"model": secret.decode()})))
    qlog.log(row("b", "not secret"))
    assert qlog.flush()
    assert secret in file_bytes(path)  # it was there (db or -wal)
    assert qlog.forget("a").deleted == 1
    assert secret not in file_bytes(path)
    qlog.close()
    assert secret not in file_bytes(path)


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_forget_keeps_the_stats_aggregates_exact(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    for user, model, guild in [("a", "glm-5.2", "7"), ("a", "qwen3", "7"), ("b", "glm-5.2", "7"), ("a", "x", "8")]:
        qlog.log(row(user) | {"model_id": model, "guild_id": guild, "latency_ms": 2.0, "error": None})
    assert qlog.forget("a").deleted == 3
    assert stats(path, "7") | {"p50_ms": None, "p99_ms": None} == {
        "queries": 1,
        "errors": 0,
        "top_models": [("glm-5.2", 1)],
        "top_hardware": [],
        "p50_ms": None,
        "p99_ms": None,
    }
    assert stats(path, "8")["queries"] == 0 and stats(path, "8")["top_models"] == []
    assert stats(path)["p50_ms"] == 2.0
    qlog.close()


def test_forget_also_clears_other_tables_kept_per_user(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    qlog = QueryLog(path)
    qlog.call_on_writer(lambda c: c.execute("CREATE TABLE kept_per_user (user_hash TEXT, phrase TEXT)"))
    qlog.call_on_writer(lambda c: c.executemany("INSERT INTO kept_per_user VALUES (?, ?)", [("a", "x"), ("b", "y")]))
    qlog.log(row("a"))
    assert qlog.forget("a") == ForgetResult(deleted=1, pending=False)  # counts the logged queries
    assert qlog.call_on_writer(lambda c: c.execute("SELECT user_hash FROM kept_per_user").fetchall()) == [("b",)]
    qlog.close()
