"""The query log: one writer thread putting rows in SQLite, and a journal file for what it cannot put there.

Front ends call `QueryLog.log(row)`, which only queues the row (at most `queue_max_rows` in memory; past that,
rows go straight to the journal file): the reply never waits for the disk, and `log` never raises.

The writer thread takes rows in batches of up to `BATCH_MAX` and inserts each batch in exactly one transaction,
so a failure leaves none of it behind and a retry cannot duplicate it. What happens to a batch:

* written: the normal case (text UTF-8 cannot encode is stored with the bad code points escaped).
* outage (busy, locked, full, read-only, I/O error, file deleted): nothing is written, the rows are kept and
  retried every `RETRY_S`; the queue fills, later rows go to the journal. If the database file was deleted or
  replaced, the writer reopens the path (folder, file and migrations made again) and writes there.
* refused as data (a NOT NULL column missing, an unknown column, a value SQLite cannot hold): that row alone goes
  to the rejected file with the reason, and is counted in `rejected`; the rest of the batch is written.
* close: rows that cannot be written before the timeout are appended to the journal (counted in `journaled` of
  the CloseReport); only rows that cannot even be appended there are `dropped`.

The journal is replayed exactly once by the first writer that finds the database writable (this one, later, or
the next process): see bot/storage/journal.py for the files and how a replay survives a crash.

`forget(user_hashes)` records the request in `<db>.forget.jsonl` first (so it survives a restart), takes the
users' rows out of the journal files, deletes their rows in the database (before the writer inserts anything
queued after the request), checkpoints the WAL so the deleted text is not left in the -wal file, and only then
removes the request. Rows logged before the request are deleted; rows of the same users logged after it may be
deleted too if they were journaled in the meantime (erring towards forgetting).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.storage.journal import DataFiles, ReplayReader, shared
from bot.storage.rows import Refused, all_rows, delete_users, insert_rows, prune, split_known_columns
from bot.storage.schema import (
    StorageError,
    apply_migrations,
    connect,
    is_outage,
    rollback,
    transaction,
)
from bot.storage.text import storable_row

log = logging.getLogger(__name__)

BATCH_MAX = 200  # rows per transaction
QUEUE_MAX_ROWS = 10_000  # rows held in memory; past that, rows go to the journal file
RETRY_S = 0.5  # wait between attempts while the database is stuck
WRITE_BUSY_TIMEOUT_S = 1.0  # how long one attempt waits for another connection's lock
OPEN_TIMEOUT_S = 30.0  # how long QueryLog() retries a busy or locked database before giving up
REPLAY_CHUNK_ROWS = 2_000  # journal lines per replay transaction
PRUNE_CHUNK_ROWS = 5_000  # rows per prune transaction
_STOP = object()


@dataclass(frozen=True)
class ForgetResult:
    """`deleted`: rows deleted from the database, None while `pending` (the deletion is recorded on disk and is
    applied as soon as the database takes writes again, in this process or the next)."""

    deleted: int | None
    pending: bool

    def __str__(self) -> str:  # what `f"{result}"` shows: the count, for messages written before this type
        return str(self.deleted) if self.deleted is not None else "(pending)"


@dataclass(frozen=True)
class CloseReport:
    """What happened to the rows logged through one QueryLog, at close.

    written: inserted in the database (replayed journal rows included).
    journaled: rows waiting in the journal files for the next start (all of them, not only this run's): in
        `journal_path`, or in `<db>.journal.<uuid>.replaying.jsonl` once a replay has claimed them (an upper
        bound if that replay was cut short: chunks already inserted are skipped at the next start).
    rejected: refused by the database as data, kept in the rejected file.
    dropped: lost: not written and not saved in any file (each one was logged as an error).
    """

    written: int
    journaled: int
    rejected: int
    dropped: int
    journal_path: str | None

    @property
    def ok(self) -> bool:
        return self.dropped == 0

    def summary(self) -> str:
        text = f"query log: {self.written} rows written"
        if self.journaled:
            text += f", {self.journaled} waiting in {self.journal_path} for the next start"
        if self.rejected:
            text += f", {self.rejected} refused by the database (kept in the rejected file)"
        if self.dropped:
            text += f", {self.dropped} LOST (could not be written nor saved)"
        return text


@dataclass
class _Flush:
    event: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


@dataclass
class _Forget:
    record: dict[str, Any]
    event: threading.Event = field(default_factory=threading.Event)
    deleted: int | None = None


@dataclass
class _Call:
    fn: Callable[[Any], Any]
    event: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class QueryLog:
    """The query log of one database path (or ":memory:", which has no journal files)."""

    def __init__(
        self,
        path: str | Path,
        *,
        queue_max_rows: int = QUEUE_MAX_ROWS,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        busy_timeout_s: float = WRITE_BUSY_TIMEOUT_S,
    ) -> None:
        """Open (or create) the database and apply migrations. A busy or locked database is retried with
        backoff for up to `open_timeout_s`; then, or at once for a permanent fault (corrupt, not a database,
        read-only, no such folder), raises StorageError naming the path and the reason."""
        if queue_max_rows < 1:
            raise ValueError(f"queue_max_rows must be >= 1, got {queue_max_rows!r}")
        self.path = str(path)
        self.files = self._data_files()
        self.queue_max_rows = queue_max_rows
        self.busy_timeout_s = busy_timeout_s
        self._identity: tuple[int, int] | None = None
        self._columns: frozenset[str] = frozenset()
        self._conn: Any = self._open_with_retry(open_timeout_s)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()  # counters, and closed-or-not together with queueing
        self._queued_rows = 0
        self.written = 0
        self.rejected = 0
        self.dropped = 0  # rows lost: not written, not saved in any file (counted and logged, never silent)
        self.journaled = 0  # rows this QueryLog appended to the journal
        self.failed_attempts = 0
        self.write_failed = threading.Event()  # set at the first failed write (for tests and health)
        self._closing = threading.Event()  # stop retrying: journal what is left
        self._closed = False
        self._report: CloseReport | None = None
        self._replay: ReplayReader | None = None
        self._replay_retry_at = 0.0
        self._holding = 0  # rows of the batch the writer is working on
        self._thread = threading.Thread(target=self._run, name="query-log-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------------------------------ caller side

    def log(self, row: dict[str, Any]) -> None:
        """Queue a row; never blocks for long and never raises. With `queue_max_rows` rows already queued (the
        database is stuck) or after close, the row is appended to the journal file instead."""
        try:
            item = dict(row)
            with self._lock:
                spill = self._closed or self._queued_rows >= self.queue_max_rows
                if not spill:
                    self._queued_rows += 1
                    self._queue.put(item)
            if spill:  # no fsync per row here: the caller must not wait for the disk
                self._journal([item], "queue full" if not self._closed else "logged after close", sync=False)
        except Exception:
            self._count("dropped", 1)
            log.exception("query log: a row could not be queued nor journaled")

    @property
    def pending(self) -> int:
        """Rows queued in memory, not yet written."""
        return self._queued_rows

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Block until every row logged before this call is in the database (journaled rows included); True
        when done, False after `timeout_s` (the database is stuck) or after close."""
        if self._closed:
            return False
        marker = _Flush()
        self._queue.put(marker)
        return marker.event.wait(timeout_s) and marker.ok

    def forget(self, user_hashes: str | Sequence[str], timeout_s: float = 2.0) -> ForgetResult:
        """Delete every row of these users (several hashes: one per hash key the user's rows may carry).

        Waits up to `timeout_s` for the writer: ForgetResult(deleted=n, pending=False) when done, else
        ForgetResult(None, pending=True): the request is on disk and is applied as soon as the database takes
        writes again, before any row queued after it is written, in this process or the next. Raises
        StorageError when the request could neither be applied in time nor recorded on disk. Blocks the calling
        thread: call it through asyncio.to_thread from the event loop."""
        hashes = [user_hashes] if isinstance(user_hashes, str) else [str(h) for h in user_hashes]
        if not hashes:
            return ForgetResult(deleted=0, pending=False)
        record = {"id": uuid.uuid4().hex, "user_hashes": hashes, "requested_at": _now_iso()}
        saved = self._save_forget(record)
        marker = _Forget(record)
        with self._lock:
            queued = not self._closed
            if queued:
                self._queue.put(marker)
        if queued and marker.event.wait(timeout_s) and marker.deleted is not None:
            return ForgetResult(deleted=marker.deleted, pending=False)
        if not saved:
            raise StorageError(
                self.where, "could not delete the rows nor record the request; try again", transient=True
            )
        return ForgetResult(deleted=None, pending=True)

    def prune(self, retention_days: int, *, chunk_rows: int = PRUNE_CHUNK_ROWS) -> int:
        """Delete rows older than `retention_days` days; returns how many went.

        Runs on a connection of its own in the calling thread, in transactions of `chunk_rows` rows, so the
        writer keeps writing between them; the stats aggregates follow (triggers). Call it at start and then
        on a schedule (the bot: daily, through asyncio.to_thread). Raises ValueError for retention_days < 1 and
        StorageError when the database refuses (e.g. locked for longer than the busy timeout)."""
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError(f"retention_days must be a whole number of days >= 1, got {retention_days!r}")
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows!r}")
        if self.files is None:
            return int(self.call_on_writer(lambda conn: prune(conn, retention_days, chunk_rows)))
        conn = connect(self.path)
        try:
            return prune(conn, retention_days, chunk_rows)
        except sqlite3.Error as exc:
            raise StorageError.from_exception(self.path, exc) from exc
        finally:
            conn.close()

    def rows(self) -> list[dict[str, Any]]:
        """All rows written so far, oldest first (call flush() first for the latest)."""
        if self.files is None:
            return list(self.call_on_writer(all_rows))
        conn = connect(self.path)
        try:
            return all_rows(conn)
        finally:
            conn.close()

    def call_on_writer(self, fn: Callable[[Any], Any], timeout_s: float = 30.0) -> Any:
        """Run fn(connection) on the writer thread between batches and return its result (for :memory:
        databases and for tests that inject faults, e.g. `PRAGMA max_page_count`)."""
        marker = _Call(fn)
        with self._lock:
            if self._closed:
                raise StorageError(self.where, "the query log is closed", transient=False)
            self._queue.put(marker)
        if not marker.event.wait(timeout_s):
            raise StorageError(self.where, f"the writer did not answer within {timeout_s} s", transient=True)
        if marker.error is not None:
            raise marker.error
        return marker.result

    def close(self, timeout_s: float = 10.0) -> CloseReport:
        """Write what is queued, then stop the writer. Rows it cannot write within `timeout_s` (the database
        is locked or full) are appended to the journal and written at the next start; the report says how many,
        and how many were lost (`dropped`: could not even be journaled). Closing twice returns the same report."""
        with self._lock:
            if self._report is not None or self._closed:
                already = True
            else:
                already = False
                self._closed = True
                self._queue.put(_STOP)
        if already:
            self._thread.join(timeout_s)
            return self._report or self._make_report()
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            self._closing.set()
            self._interrupt()
            self._thread.join(self.busy_timeout_s + RETRY_S + 5.0)
        if self._thread.is_alive():
            log.error("query log writer did not stop; the %d rows it holds are counted as dropped", self._holding)
            self._count("dropped", self._holding)
        self._finish_queue()
        if not self._thread.is_alive():
            self._close_connection()
        self._report = self._make_report()
        (log.error if self._report.dropped else log.warning if self._report.journaled else log.info)(
            "%s", self._report.summary()
        )
        return self._report

    # ------------------------------------------------------------------------------------------ writer side

    def _run(self) -> None:
        self._guarded(self._apply_pending_forgets)
        while True:
            rows, markers, stop = self._take_batch()
            if rows:
                self._holding = len(rows)
                self._guarded(functools.partial(self._write, rows), rows)
                self._holding = 0
            for marker in markers:
                self._guarded(functools.partial(self._handle, marker))
            if stop:
                break
            self._guarded(self._replay_step)
        while not self._closing.is_set() and self._guarded(self._replay_step):
            pass  # a clean stop with the database writable: empty the journal now rather than at next start
        self._finish_queue()

    def _guarded(self, step: Callable[[], Any], rows: list[dict[str, Any]] | None = None) -> Any:
        """Run one step of the writer; whatever it raises, the writer goes on (the rows go to the journal)."""
        try:
            return step()
        except Exception:
            log.exception("query log writer: unexpected error")
            if rows:
                self._journal(rows, "unexpected error")
            return None

    def _take_batch(self) -> tuple[list[dict[str, Any]], list[Any], bool]:
        rows: list[dict[str, Any]] = []
        markers: list[Any] = []
        idle_s = RETRY_S if self._replay_wanted() else None
        try:
            item = self._queue.get(timeout=idle_s)
        except queue.Empty:
            return rows, markers, False
        stop = False
        while True:
            if item is _STOP:
                stop = True
                break
            if isinstance(item, dict):
                rows.append(item)
            else:
                markers.append(item)
                break  # markers act in order: rows after one wait for the next batch
            if len(rows) >= BATCH_MAX:
                break
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
        self._count("_queued_rows", -len(rows))
        return rows, markers, stop

    def _handle(self, marker: Any) -> None:
        try:
            if isinstance(marker, _Forget):
                marker.deleted = self._apply_forget(marker.record)
            elif isinstance(marker, _Flush):
                marker.ok = self._replay_all()
            elif isinstance(marker, _Call):
                try:
                    marker.result = marker.fn(self._connection())
                except BaseException as exc:
                    marker.error = exc
        finally:
            marker.event.set()

    def _write(self, rows: list[dict[str, Any]]) -> None:
        """Insert a batch in one transaction; keep it through outages; journal it when closing."""
        rows, unknown = split_known_columns([self._storable(r) for r in rows], self._columns)
        self._reject(unknown)
        batch_id = uuid.uuid4().hex  # the same through every retry: a batch is written once (see _insert_batch)
        while rows:
            if self._closing.is_set():
                self._journal(rows, "unwritten at close")
                return
            try:
                conn = self._connection()
                refused = self._insert_batch(conn, rows, batch_id)
                if self._moved():
                    continue  # committed into a file deleted meanwhile: write the batch again in the new one
            except Exception as exc:
                if not self._is_outage(exc):
                    raise
                self._outage(exc, len(rows))
                continue
            if refused is None:  # committed by an earlier attempt whose answer was lost (a server backend)
                self._count("written", len(rows))
                return
            self._count("written", len(rows) - len(refused))
            self._reject(refused)
            return

    def _outage(self, exc: BaseException, rows: int) -> None:
        self._count("failed_attempts", 1)
        self.write_failed.set()
        log.warning("query log %s: write failed (%s); %d rows kept for retry", self.where, exc, rows)
        self._after_outage()
        self._closing.wait(RETRY_S)

    # forget ----------------------------------------------------------------------------------------------

    def _save_forget(self, record: dict[str, Any]) -> bool:
        if self.files is None:
            return False
        try:
            self.files.forgets.append([record], sync=True)
            return True
        except OSError as exc:
            log.error("query log: could not record a deletion request in %s: %s", self.files.forgets.path, exc)
            return False

    def _apply_pending_forgets(self) -> None:
        if self.files is None:
            return
        for record in self.files.forgets.read():
            if self._closing.is_set():
                return
            self._apply_forget(record)

    def _apply_forget(self, record: dict[str, Any]) -> int | None:
        """Take the users' rows out of the journal files, delete them from the database and checkpoint the WAL,
        then remove the request from the forget file; None when closing came first (the request stays)."""
        hashes = {str(h) for h in record.get("user_hashes", [])}
        while not self._closing.is_set():
            try:
                self._forget_in_files(hashes)
                deleted = self._delete_users(hashes)
                if self.files is not None:
                    self.files.forgets.rewrite(lambda r: None if r.get("id") == record.get("id") else r)
                return deleted
            except Exception as exc:
                if not self._is_outage(exc):
                    raise
                self._outage(exc, 0)
        return None

    def _forget_in_files(self, hashes: set[str]) -> None:
        if self.files is None:
            return

        def mine(record: dict[str, Any]) -> bool:
            row = record.get("row")
            return isinstance(row, dict) and row.get("user_hash") in hashes

        self.files.journal.rewrite(lambda r: None if mine(r) else r)
        self.files.rejected.rewrite(lambda r: None if mine(r) else r)
        for claimed in self.files.claimed():  # lines keep their places: replay chunks are counted in lines
            shared(claimed).rewrite(lambda r: {"forgotten": True} if mine(r) else r)
        if self._replay is not None:
            self._replay.reopen()

    def _delete_users(self, hashes: set[str]) -> int:
        conn = self._connection()
        deleted = delete_users(conn, hashes)
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # no deleted text left in -wal
        if busy:
            log.warning("query log: WAL checkpoint after a deletion was blocked by a reader; it runs again later")
        return deleted

    # journal ---------------------------------------------------------------------------------------------

    def _journal(self, rows: list[dict[str, Any]], reason: str, *, sync: bool = True) -> None:
        """Append rows to the journal (replayed later); rows even that fails for are counted as dropped."""
        if not rows:
            return
        if self.files is not None:
            try:
                when = _now_iso()
                self.files.journal.append([{"row": r, "reason": reason, "at": when} for r in rows], sync=sync)
                self._count("journaled", len(rows))
                return
            except Exception as exc:
                log.error("query log: journal %s refused %d rows: %s", self.files.journal.path, len(rows), exc)
        self._count("dropped", len(rows))
        log.error("query log: %d rows LOST (%s; no journal could take them)", len(rows), reason)

    def _reject(self, refused: list[tuple[dict[str, Any], str]]) -> None:
        """Rows the database refused as data: kept in the rejected file with the reason, never silently lost."""
        if not refused:
            return
        self._count("rejected", len(refused))
        for row, reason in refused[:5]:
            log.error("query log row refused (%s): %.300r", reason, row)
        if self.files is None:
            return
        try:
            when = _now_iso()
            self.files.rejected.append([{"row": r, "reason": why, "at": when} for r, why in refused], sync=True)
        except Exception as exc:
            self._count("dropped", len(refused))
            log.error("query log: rejected file refused %d rows, LOST: %s", len(refused), exc)

    def _replay_wanted(self) -> bool:
        if self.files is None or self._closing.is_set():
            return False
        return self._replay is not None or self.files.journal.exists() or bool(self.files.claimed())

    def _replay_all(self) -> bool:
        """Replay every journaled row (retrying through outages); False when closing came first."""
        while not self._closing.is_set():
            if not self._replay_wanted():
                return True
            if not self._replay_step():
                self._closing.wait(RETRY_S)
        return False

    def _replay_step(self) -> bool:
        """Insert the next chunk of journaled rows; True when one was done (or a file finished)."""
        if self.files is None or self._closing.is_set() or time.monotonic() < self._replay_retry_at:
            return False
        try:
            return self._replay_chunk(self.files)
        except Exception as exc:
            if not self._is_outage(exc):
                self._skip_chunk(exc)
                return True
            self._replay_retry_at = time.monotonic() + RETRY_S
            log.warning("query log %s: journal replay waits (%s)", self.where, exc)
            self._after_outage()
            return False

    def _skip_chunk(self, exc: Exception) -> None:
        """A chunk that fails for a reason other than an outage would fail forever: its rows go to the rejected
        file (with the reason) and the replay moves on."""
        log.exception("query log: a journal chunk could not be replayed; its rows go to the rejected file")
        chunk = self._replay.current() if self._replay is not None else None
        if self._replay is None or chunk is None:
            return
        reason = f"replay failed: {type(exc).__name__}: {exc}"
        self._reject([(r["row"], reason) for r in chunk[1] if isinstance(r.get("row"), dict)])
        self._replay.advance()

    def _replay_chunk(self, files: DataFiles) -> bool:
        if self._replay is None:
            claimed = files.claimed()
            if not claimed:
                claim = files.new_claim()
                if not files.journal.claim(claim):
                    return False
                claimed = [claim]
            self._replay = ReplayReader(claimed[0], REPLAY_CHUNK_ROWS)
        replay = self._replay
        chunk = replay.current()
        if chunk is None:
            replay.finish()
            self._replay = None
            return True
        number, records = chunk
        journaled = [self._storable(r["row"]) for r in records if isinstance(r.get("row"), dict)]
        rows, unknown = split_known_columns(journaled, self._columns)
        refused = self._insert_chunk(self._connection(), replay.file_id, number, rows)
        if self._moved():
            return False  # went into a file deleted meanwhile: the chunk is done again in the new one
        replay.advance()
        if refused is not None:
            self._count("written", len(rows) - len(refused))
            self._reject(refused + unknown)
        return True

    # the database: what a backend (this one SQLite, bot/storage/postgres.py PostgreSQL) provides ----------

    @property
    def where(self) -> str:
        """The database as messages name it (a PostgreSQL URL without its password)."""
        return self.path

    def _data_files(self) -> DataFiles | None:
        return None if self.path == ":memory:" else DataFiles(Path(os.path.abspath(self.path)))

    def _storable(self, row: dict[str, Any]) -> dict[str, Any]:
        return storable_row(row)

    def _is_outage(self, exc: BaseException) -> bool:
        return is_outage(exc)

    def _after_outage(self) -> None:
        """Called after a failed attempt (SQLite keeps its connection; a server backend reconnects)."""

    def _insert_batch(self, conn: Any, rows: list[dict[str, Any]], batch_id: str) -> list[Refused] | None:
        """Insert the batch in one transaction; the rows refused as data, or None when `batch_id` was already
        committed (SQLite commits locally: never)."""
        with transaction(conn):
            return insert_rows(conn, rows)

    def _insert_chunk(self, conn: Any, file_id: str, number: int, rows: list[dict[str, Any]]) -> list[Refused] | None:
        """Insert a journal chunk together with its line in _journal_replays; None when it was done before."""
        with transaction(conn):
            done = conn.execute(
                "SELECT 1 FROM _journal_replays WHERE file_id = ? AND chunk = ?", (file_id, number)
            ).fetchone()
            if done:
                return None
            refused = insert_rows(conn, rows)
            conn.execute(
                "INSERT INTO _journal_replays (file_id, chunk, replayed_at) VALUES (?, ?, ?)",
                (file_id, number, _now_iso()),
            )
        return refused

    # connection ------------------------------------------------------------------------------------------

    def _open_with_retry(self, open_timeout_s: float) -> Any:
        """Open, retrying a transient fault (busy, locked; a server refusing connections) with backoff: one
        warning line at the first failure, then quiet until it opens or `open_timeout_s` runs out."""
        deadline = time.monotonic() + open_timeout_s
        delay_s = 0.05
        warned = False
        while True:
            try:
                return self._open()
            except StorageError as exc:
                if not exc.transient or time.monotonic() + delay_s > deadline:
                    raise
                if not warned:
                    log.warning("%s; retrying with backoff for up to %.0f s", exc, open_timeout_s)
                    warned = True
                time.sleep(delay_s)
                delay_s = min(delay_s * 2, 2.0)

    def _open(self) -> Any:
        conn = connect(self.path, self.busy_timeout_s)
        try:
            apply_migrations(conn)
            self._columns = frozenset(row[1] for row in conn.execute("PRAGMA table_info(queries)"))
        except BaseException:
            conn.close()
            raise
        self._identity = _file_identity(self.path)
        return conn

    def _connection(self) -> Any:
        """The writer's connection; reopened (folder, file, migrations) when the file was deleted or replaced."""
        if self._conn is not None and not self._moved():
            return self._conn
        if self._conn is not None:
            log.warning("query log %s was deleted or replaced while open; making it again", self.path)
            self._replay = None  # its chunks were recorded in the old file: start the claimed file again
            self._close_connection()
        self._conn = self._open()
        return self._conn

    def _moved(self) -> bool:
        return self.files is not None and _file_identity(self.path) != self._identity

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                rollback(conn)
                conn.close()
            except sqlite3.Error as exc:
                log.warning("query log: closing the connection failed: %s", exc)

    def _interrupt(self) -> None:
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.interrupt()

    # close -----------------------------------------------------------------------------------------------

    def _finish_queue(self) -> None:
        """Journal whatever is still queued, release everyone waiting (a forget stays pending on disk)."""
        rows: list[dict[str, Any]] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, dict):
                rows.append(item)
            elif isinstance(item, _Forget | _Flush):
                item.event.set()
            elif isinstance(item, _Call):
                item.error = StorageError(self.where, "the query log closed first", transient=False)
                item.event.set()
        self._count("_queued_rows", -len(rows))
        self._journal(rows, "unwritten at close")

    def _make_report(self) -> CloseReport:
        journaled = self.files.journaled_rows() if self.files is not None else 0
        journal_path = str(self.files.journal.path) if self.files is not None else None
        return CloseReport(
            written=self.written,
            journaled=journaled,
            rejected=self.rejected,
            dropped=self.dropped,
            journal_path=journal_path,
        )

    def _count(self, name: str, n: int) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + n)


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
