"""Fault scenarios on a real QueryLog, counting rows: shared by tests/test_storage_faults.py and the bench.

Each scenario logs numbered rows (raw_args carries {"fault": name, "seq": n}) through a real QueryLog in its own
folder, injects one fault, ends the way the bot would (close, and where the fault outlives the process, a
restart), then counts the rows in the database:

* sent: rows logged through `QueryLog.log` while the scenario's fault could affect them.
* stored: distinct rows found in the database at the end.
* duplicated: extra copies of rows found (the same seq more than once).
* dropped_reported: rows not stored, but reported: `dropped` + `rejected` + still waiting in the journal.
* lost_silently: sent - stored - dropped_reported: rows gone without a word. The goal is 0, with 0 duplicated.

No scenario sleeps to wait: they wait on the writer's events (`write_failed`) and on flush/close.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.sqlite import CloseReport, QueryLog

BUSY_S = 0.2  # the writer's busy timeout in these scenarios: outages are noticed quickly
WAIT_S = 20.0  # upper bound on any wait for the writer (never reached when things work)


@dataclass(frozen=True)
class FaultRow:
    name: str
    sent: int
    stored: int
    duplicated: int
    dropped_reported: int
    lost_silently: int
    detail: str = ""


def fault_table(tmp_dir: Path) -> list[FaultRow]:
    """Run every scenario in a folder of its own under tmp_dir; one row per scenario."""
    return [scenario(Path(tmp_dir) / name) for name, scenario in SCENARIOS.items()]


def run_scenario(name: str, tmp_dir: Path) -> FaultRow:
    return SCENARIOS[name](Path(tmp_dir) / name)


# ---------------------------------------------------------------------------------------------- scenarios


def undecodable_text(folder: Path) -> FaultRow:
    """Rows carrying a lone surrogate or a surrogateescape byte: stored with the bad code points escaped."""
    path = folder / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    bad = ["\ud800", "glm\udcff", "ok", "\udfff\ud800x"]
    sent = 200
    for seq in range(sent):
        text = bad[seq % len(bad)]
        qlog.log(row("undecodable_text", seq, text=text) | {"model_id": text, "hardware": text, "error": text})
    report = qlog.close()
    stored_model = _first(path, "SELECT model_id FROM queries WHERE model_id LIKE 'glm%' LIMIT 1")
    return _count(path, "undecodable_text", sent, [report], f"'glm\\udcff' stored as {stored_model!r}")


def locked_then_released(folder: Path) -> FaultRow:
    """Another connection holds the write lock while rows arrive, then lets go: all rows written once."""
    path = folder / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    sent = 500
    with write_lock(path):
        for seq in range(sent):
            qlog.log(row("locked_then_released", seq))
        noticed = qlog.write_failed.wait(WAIT_S)
    flushed = qlog.flush(WAIT_S)
    report = qlog.close()
    return _count(path, "locked_then_released", sent, [report], f"outage noticed={noticed}, flushed={flushed}")


def close_while_locked(folder: Path) -> FaultRow:
    """SIGTERM while another process holds the write lock: close journals the rows, the next start writes them."""
    path = folder / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    sent = 223
    with write_lock(path):
        for seq in range(sent):
            qlog.log(row("close_while_locked", seq))
        qlog.write_failed.wait(WAIT_S)
        first = qlog.close(timeout_s=0.2)
    second = QueryLog(path, busy_timeout_s=BUSY_S).close()  # the restart replays the journal
    detail = f"journaled at close={first.journaled}, replayed at restart={second.written}"
    return _count(path, "close_while_locked", sent, [second], detail, dropped_before=first.dropped)


def old_schema(folder: Path) -> FaultRow:
    """A database made by an older rigfit (no channel_id, no _migrations): migrated, rows written; a row with a
    column that does not exist is refused once and reported, not retried forever."""
    path = folder / "q.sqlite3"
    folder.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE queries (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, frontend TEXT NOT NULL, command TEXT NOT "
        "NULL, raw_args TEXT NOT NULL, model_id TEXT, hardware TEXT, verdict TEXT, best_quant TEXT, latency_ms REAL,"
        " error TEXT, user_hash TEXT, guild_id TEXT)"
    )
    old.execute(
        "INSERT INTO queries (ts, frontend, command, raw_args) VALUES ('2026-01-01T00:00:00', 'cli', 'fit', '{}')"
    )
    old.commit()
    old.close()
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    sent = 100
    for seq in range(sent - 1):
        qlog.log(row("old_schema", seq) | {"channel_id": "42"})
    qlog.log(row("old_schema", sent - 1) | {"shard": 3})  # no such column anywhere
    report = qlog.close()
    return _count(path, "old_schema", sent, [report], f"rejected={report.rejected} (unknown column 'shard')")


def disk_full(folder: Path) -> FaultRow:
    """The database fills up mid-batch (PRAGMA max_page_count): each batch is one transaction, so nothing is
    half-written; what cannot be written is journaled at close and written at the next start."""
    path = folder / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    qlog.log(row("disk_full", 0))
    qlog.flush(WAIT_S)
    qlog.call_on_writer(lambda c: c.execute(f"PRAGMA max_page_count = {_pages(c) + 40}"))
    sent = 3000
    for seq in range(1, sent):
        qlog.log(row("disk_full", seq, text="x" * 200))
    qlog.write_failed.wait(WAIT_S)
    first = qlog.close(timeout_s=0.2)
    second = QueryLog(path, busy_timeout_s=BUSY_S).close()  # space again (a new connection): replayed
    detail = f"written before full={first.written}, journaled={first.journaled}, replayed={second.written}"
    return _count(path, "disk_full", sent, [second], detail, dropped_before=first.dropped + first.rejected)


def folder_deleted(folder: Path) -> FaultRow:
    """The data folder is deleted while the bot runs: the writer notices, makes it again, writes there.
    sent counts the rows logged after the deletion (the ones before went with the folder, by design)."""
    data = folder / "data"
    path = data / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S)
    for seq in range(50):
        qlog.log(row("before_deletion", seq))
    qlog.flush(WAIT_S)
    shutil.rmtree(data)
    sent = 300
    for seq in range(sent):
        qlog.log(row("folder_deleted", seq))
    qlog.flush(WAIT_S)
    report = qlog.close()
    return _count(path, "folder_deleted", sent, [report], f"file exists again={path.exists()}")


def queue_overflow(folder: Path) -> FaultRow:
    """An outage longer than the queue: past queue_max_rows, rows go to the journal instead of memory, and are
    written when the database is back."""
    path = folder / "q.sqlite3"
    qlog = QueryLog(path, busy_timeout_s=BUSY_S, queue_max_rows=100)
    sent = 2000
    with write_lock(path):
        for seq in range(sent):
            qlog.log(row("queue_overflow", seq))
        qlog.write_failed.wait(WAIT_S)
        peak = qlog.pending
        spilled = qlog.journaled
    report = qlog.close()
    return _count(path, "queue_overflow", sent, [report], f"queued in memory={peak}, journaled={spilled}")


SCENARIOS: dict[str, Callable[[Path], FaultRow]] = {
    "undecodable_text": undecodable_text,
    "locked_then_released": locked_then_released,
    "close_while_locked": close_while_locked,
    "old_schema": old_schema,
    "disk_full": disk_full,
    "folder_deleted": folder_deleted,
    "queue_overflow": queue_overflow,
}


# ---------------------------------------------------------------------------------------------- helpers


def row(fault: str, seq: int, text: str = "") -> dict[str, Any]:
    raw = json.dumps({"fault": fault, "seq": seq, "text": text}, ensure_ascii=False)
    return {"ts": "2026-12-01T00:00:00.000+00:00", "frontend": "test", "command": "fit", "raw_args": raw}


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the database's write lock (BEGIN EXCLUSIVE) until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=WAIT_S)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def stored_seqs(path: Path, fault: str) -> Counter[int]:
    """How many times each seq of the scenario is in the database."""
    seqs: Counter[int] = Counter()
    conn = sqlite3.connect(path)
    try:
        for (raw,) in conn.execute("SELECT raw_args FROM queries"):
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("fault") == fault:
                seqs[int(data["seq"])] += 1
    finally:
        conn.close()
    return seqs


def _count(
    path: Path, fault: str, sent: int, reports: list[CloseReport], detail: str, dropped_before: int = 0
) -> FaultRow:
    seqs = stored_seqs(path, fault)
    stored = len(seqs)
    duplicated = sum(seqs.values()) - stored
    reported = dropped_before + sum(r.dropped + r.rejected for r in reports) + reports[-1].journaled
    return FaultRow(
        name=fault,
        sent=sent,
        stored=stored,
        duplicated=duplicated,
        dropped_reported=reported,
        lost_silently=max(sent - stored - reported, 0),
        detail=detail,
    )


def _pages(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_count").fetchone()[0])


def _first(path: Path, sql: str) -> Any:
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(sql).fetchone()
        return found[0] if found else None
    finally:
        conn.close()
