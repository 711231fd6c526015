"""Fault scenarios on PostgreSQL, counting rows: shared by tests/test_storage_pg_faults.py and the bench.

Like bot/storage/faults.py (same FaultRow, same counting: sent, stored, duplicated, reported, lost silently),
on a real PgQueryLog and a real server the scenario may stop and start (`Cluster`, bot/storage/pg_cluster.py).
Each scenario gets a fresh database (`new_database() -> url`). No scenario sleeps to wait: they wait on the
writer's `write_failed` event, on flush, and on the log line that says the writer is retrying.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bot.storage.faults import WAIT_S, FaultRow, row
from bot.storage.pg_cluster import Cluster
from bot.storage.postgres import PgQueryLog
from bot.storage.sqlite import CloseReport

NewDatabase = Callable[[], str]


def fault_table(cluster: Cluster, new_database: NewDatabase, tmp_dir: Path) -> list[FaultRow]:
    return [scenario(cluster, new_database, Path(tmp_dir) / name) for name, scenario in SCENARIOS.items()]


def restart_under_load(cluster: Cluster, new_database: NewDatabase, folder: Path) -> FaultRow:
    """The server restarts while rows arrive (a fast shutdown ends every session): the rows logged meanwhile
    wait in the queue and are written once it is back, none twice."""
    url = new_database()
    qlog = PgQueryLog(url, journal_base=folder / "pg")
    sent = 900
    for seq in range(300):
        qlog.log(row("restart_under_load", seq))
    qlog.flush(WAIT_S)
    cluster.stop()
    try:
        for seq in range(300, 600):
            qlog.log(row("restart_under_load", seq))
        noticed = qlog.write_failed.wait(WAIT_S)
    finally:
        cluster.start()
    for seq in range(600, sent):
        qlog.log(row("restart_under_load", seq))
    flushed = qlog.flush(WAIT_S)
    report = qlog.close()
    detail = f"outage noticed={noticed}, flushed after restart={flushed}, failed attempts={qlog.failed_attempts}"
    return _count(url, "restart_under_load", sent, [report], detail)


def refused_at_start(cluster: Cluster, new_database: NewDatabase, folder: Path) -> FaultRow:
    """The bot starts before the server: the connection is refused, retried with backoff under one warning
    line, and the log opens once the server is up; the rows logged then are written."""
    url = new_database()
    lines: list[str] = []
    cluster.stop()
    try:
        with _on_log_line("retrying with backoff", lines, then=cluster.start):
            qlog = PgQueryLog(url, journal_base=folder / "pg", open_timeout_s=WAIT_S)
    finally:
        if not _is_up(url):
            cluster.start()
    sent = 100
    for seq in range(sent):
        qlog.log(row("refused_at_start", seq))
    report = qlog.close()
    first = lines[0] if lines else "(none)"
    detail = f"warning lines while refused={len(lines)}: {first}"
    return _count(url, "refused_at_start", sent, [report], detail)


def read_only(cluster: Cluster, new_database: NewDatabase, folder: Path) -> FaultRow:
    """The database turns read-only (as a standby does; here default_transaction_read_only): writes fail with
    SQLSTATE 25006, the rows are kept, and written on a new connection once it takes writes again."""
    url = new_database()
    qlog = PgQueryLog(url, journal_base=folder / "pg")
    name = url.rsplit("/", 1)[1]
    refused = threading.Event()
    lines: list[str] = []
    with psycopg.connect(cluster.url, autocommit=True) as admin, _on_log_line("read-only", lines, then=refused.set):
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        _end_sessions(admin, name)
        sent = 400
        for seq in range(sent):
            qlog.log(row("read_only", seq))
        noticed = refused.wait(WAIT_S)
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
    flushed = qlog.flush(WAIT_S)
    report = qlog.close()
    detail = f"read-only refusals logged={len(lines)} (noticed={noticed}), flushed={flushed}"
    return _count(url, "read_only", sent, [report], detail)


def lost_before_commit(cluster: Cluster, new_database: NewDatabase, folder: Path) -> FaultRow:
    """The connection is cut mid-batch (rows inserted, COMMIT not sent): the transaction is rolled back by the
    server and the batch written again on a new connection, once."""
    return _lost_connection(cluster, new_database, folder, "lost_before_commit", "inserted")


def lost_commit_answer(cluster: Cluster, new_database: NewDatabase, folder: Path) -> FaultRow:
    """The batch commits but the answer never arrives (the connection is cut right after): the retry finds the
    batch's id and writes nothing twice."""
    return _lost_connection(cluster, new_database, folder, "lost_commit_answer", "committed")


def _lost_connection(cluster: Cluster, new_database: NewDatabase, folder: Path, name: str, stage: str) -> FaultRow:
    url = new_database()
    qlog = PgQueryLog(url, journal_base=folder / "pg")
    cuts: list[int] = []

    def cut(at: str, conn: psycopg.Connection[Any]) -> None:
        if at != stage or len(cuts) >= 3:
            return
        cuts.append(conn.info.backend_pid)
        with psycopg.connect(cluster.url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
        if at == "committed":
            raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")

    qlog.fault_hook = cut
    sent = 1000
    for seq in range(sent):
        qlog.log(row(name, seq))
    flushed = qlog.flush(WAIT_S)
    report = qlog.close()
    return _count(url, name, sent, [report], f"connections cut={len(cuts)} at '{stage}', flushed={flushed}")


SCENARIOS: dict[str, Callable[[Cluster, NewDatabase, Path], FaultRow]] = {
    "restart_under_load": restart_under_load,
    "refused_at_start": refused_at_start,
    "read_only": read_only,
    "lost_before_commit": lost_before_commit,
    "lost_commit_answer": lost_commit_answer,
}


# ---------------------------------------------------------------------------------------------- helpers


def stored_seqs(url: str, fault: str) -> Counter[int]:
    seqs: Counter[int] = Counter()
    with psycopg.connect(url) as conn:
        for (raw,) in conn.execute("SELECT raw_args FROM queries"):
            data = json.loads(raw)
            if isinstance(data, dict) and data.get("fault") == fault:
                seqs[int(data["seq"])] += 1
    return seqs


def _count(url: str, fault: str, sent: int, reports: list[CloseReport], detail: str) -> FaultRow:
    seqs = stored_seqs(url, fault)
    stored = len(seqs)
    reported = sum(r.dropped + r.rejected for r in reports) + reports[-1].journaled
    return FaultRow(
        name=f"pg_{fault}",
        sent=sent,
        stored=stored,
        duplicated=sum(seqs.values()) - stored,
        dropped_reported=reported,
        lost_silently=max(sent - stored - reported, 0),
        detail=detail,
    )


def _end_sessions(admin: psycopg.Connection[Any], database: str) -> None:
    """End the other sessions on a database (they reconnect with its new settings)."""
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    )


def _is_up(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


class _LineHandler(logging.Handler):
    def __init__(self, needle: str, lines: list[str], then: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self.needle, self.lines, self.then = needle, lines, then
        self._started = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.needle in message:
            self.lines.append(message)
            if not self._started.is_set():
                self._started.set()
                self.then()


@contextmanager
def _on_log_line(needle: str, lines: list[str], then: Callable[[], None]) -> Any:
    """Collect warning lines holding `needle`; run `then` at the first one (in the logging thread)."""
    logger = logging.getLogger("bot.storage")
    handler = _LineHandler(needle, lines, then)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)  # heard even where the caller quietened the storage log (the bench)
    logger.propagate = False  # and only here: the scenario reports what it heard
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
