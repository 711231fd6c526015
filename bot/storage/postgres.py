"""The query log, saved rigs and /stats aggregates in PostgreSQL (psycopg 3), for a fleet of bot processes.

`DATABASE_URL=postgresql://...` selects it (bot/storage/location.py); SQLite stays the default. The writer is
the same as SQLite's (bot/storage/sqlite.py: one thread, a bounded queue, a journal on local disk for what the
server cannot take, durable /forget-me); this module supplies what differs:

* the connection: psycopg in autocommit mode (transactions are explicit); refused at start (the server is not
  up yet) is retried with backoff for `open_timeout_s` with one warning line, then StorageError.
* migrations: `migrations/postgres/V<n>__<name>.sql`, each in its own transaction, recorded in `_migrations`,
  under an advisory lock so processes starting together apply each one once.
* batches written once: each batch has an id, inserted first in its transaction into `_write_batches`. When the
  connection is lost around COMMIT, the retry finds the id (or waits for the transaction that holds it) and
  skips the batch: no duplicates. Journal chunks do the same through `_journal_replays`.
* outages: a connection lost, the server shutting down or restarting, a read-only transaction (a standby, or
  `default_transaction_read_only`), a deadlock or serialisation failure, a full disk: the rows are kept and
  retried on a new connection every RETRY_S. A row the server refuses as data (a NUL character cannot be in
  text, so it is escaped first; a NOT NULL column missing) goes to the rejected file, as with SQLite.
* /forget-me across the fleet: the deletion also records the hashes in `_forget_requests`, and a trigger drops
  rows of those members logged before the request when another process writes them later.
* reads (saved rigs, /stats, `rigfit db stats`) go through a small connection pool per URL (psycopg_pool), in
  the calling thread: call them through asyncio.to_thread from the event loop.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.storage.journal import DataFiles
from bot.storage.location import is_postgres_url
from bot.storage.rows import Refused
from bot.storage.schema import MIGRATIONS_DIR, StorageError
from bot.storage.sqlite import (
    OPEN_TIMEOUT_S,
    QUEUE_MAX_ROWS,
    WRITE_BUSY_TIMEOUT_S,
    QueryLog,
    _now_iso,
)
from bot.storage.text import storable_row

log = logging.getLogger(__name__)

PG_MIGRATIONS_DIR = Path(os.environ.get("RIGFIT_PG_MIGRATIONS", MIGRATIONS_DIR / "postgres"))
_MIGRATION_NAME = re.compile(r"^V(\d+)__[\w-]+\.sql$")
MIGRATION_LOCK_KEY = 0x72696766  # pg_advisory_lock key held while migrating ("rigf")
CONNECT_TIMEOUT_S = 5  # one connection attempt
POOL_MAX_CONNECTIONS = 4  # per process, for reads (saved rigs, /stats); the writer has its own connection
POOL_WAIT_S = 2.0  # a read waits this long for a pooled connection before it is answered as unavailable
KEEP_BOOKKEEPING_DAYS = 7  # batch ids and forget requests are kept this long (longer than any outage we ride out)
# SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html) of faults of the server or
# the connection, not of a row: 08 connection, 25 invalid transaction state (25006 read-only), 40 transaction
# rollback (deadlock, serialisation), 53 insufficient resources (disk full, too many connections), 55 object not
# in prerequisite state (lock not available), 57 operator intervention (shutdown, restart), 58 system error, XX
# internal error.
_OUTAGE_CLASSES = {"08", "25", "40", "53", "55", "57", "58", "XX"}
_TRANSIENT_AT_CONNECT = {"57P03", "53300", "08006", "08001", "08004"}  # starting up, too many connections, refused


def redacted(url: str) -> str:
    """The URL without its password (and without query parameters, which may carry one), for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def one_line(exc: BaseException) -> str:
    """psycopg's messages span lines (with hints): one line, for logs and StorageError."""
    return " ".join(str(exc).split()) or type(exc).__name__


def sqlstate(exc: BaseException) -> str | None:
    return getattr(exc, "sqlstate", None)


def pg_is_outage(exc: BaseException) -> bool:
    """True when the error is about the server or the connection (retry later), False when it is about a row."""
    if isinstance(exc, OSError | StorageError | psycopg.InterfaceError | PoolTimeout):
        return True
    if not isinstance(exc, psycopg.Error):
        return False
    state = sqlstate(exc)
    if state is None:
        return isinstance(exc, psycopg.OperationalError)  # raised by the client: the connection went away
    return state[:2] in _OUTAGE_CLASSES


def storage_error(url: str, exc: BaseException) -> StorageError:
    if isinstance(exc, StorageError):
        return exc
    state = sqlstate(exc)
    transient = pg_is_outage(exc) and (state is None or state in _TRANSIENT_AT_CONNECT or state[:2] != "28")
    suffix = f" [{state}]" if state else ""
    return StorageError(redacted(url), f"{one_line(exc)}{suffix}", transient=transient)


def pg_connect(url: str, connect_timeout_s: float = CONNECT_TIMEOUT_S) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (transactions are explicit), with TCP keepalives so a dead server is
    noticed; StorageError (transient when waiting may help: refused, starting up) when it cannot be made."""
    try:
        return psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=max(1, round(connect_timeout_s)),
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            application_name="rigfit",
        )
    except psycopg.Error as exc:
        raise storage_error(url, exc) from exc


# migrations -------------------------------------------------------------------------------------------------


def pg_migration_files(directory: Path = PG_MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = []
    for p in directory.glob("*.sql"):
        m = _MIGRATION_NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


def apply_pg_migrations(conn: psycopg.Connection[Any], directory: Path = PG_MIGRATIONS_DIR) -> list[int]:
    """Apply each migration not yet recorded, each in its own transaction, holding an advisory lock so that
    processes starting together do not race; returns the versions applied."""
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TIMESTAMPTZ)"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM _migrations").fetchall()}
        applied = []
        for version, path in pg_migration_files(directory):
            if version in done:
                continue
            with conn.transaction():
                conn.execute(path.read_text(encoding="utf-8"))  # a file of statements (no parameters)
                conn.execute(
                    "INSERT INTO _migrations (version, name, applied_at) VALUES (%s, %s, now())", (version, path.name)
                )
            applied.append(version)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


def queries_columns(conn: psycopg.Connection[Any]) -> frozenset[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'queries'"
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


# rows -------------------------------------------------------------------------------------------------------


def pg_storable_row(row: dict[str, Any]) -> dict[str, Any]:
    """As for SQLite, and a NUL character (PostgreSQL text cannot hold one) written as the escape `\\u0000`."""
    return {k: v.replace("\x00", "\\u0000") if isinstance(v, str) else v for k, v in storable_row(row).items()}


def pg_insert_rows(conn: psycopg.Connection[Any], rows: list[dict[str, Any]]) -> list[Refused]:
    """Insert rows inside the caller's transaction, one statement per group of rows giving the same columns
    (the aggregate triggers run once per statement); returns the rows refused as data, with the reason. Faults
    of the server or the connection are raised."""
    refused: list[Refused] = []
    for columns, group in _by_columns(rows).items():
        try:
            with conn.transaction():  # a savepoint: only this group is undone when it fails
                _insert(conn, columns, group)
            continue
        except psycopg.Error as exc:
            if pg_is_outage(exc):
                raise
        for row in group:  # one of them is refused: find which
            try:
                with conn.transaction():
                    _insert(conn, columns, [row])
            except psycopg.Error as exc:
                if pg_is_outage(exc):
                    raise
                refused.append((row, f"{type(exc).__name__}: {one_line(exc)}"))
    return refused


def _insert(conn: psycopg.Connection[Any], columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    one = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(columns)))
    statement = sql.SQL("INSERT INTO queries ({}) VALUES {}").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join([one] * len(rows))
    )
    conn.execute(statement, [row[c] for row in rows for c in columns])


def _by_columns(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


def pg_delete_users(conn: psycopg.Connection[Any], hashes: Iterable[str], requested_at: str) -> int:
    """Delete everything kept under these hashes in one transaction (queries, saved rigs, any other table with a
    `user_hash` column) and record the request, so rows of theirs logged before it and written later by another
    process are dropped. Returns how many rows of `queries` went."""
    params = sorted(hashes)
    with conn.transaction():
        for user_hash in params:
            conn.execute(
                "INSERT INTO _forget_requests (user_hash, requested_at) VALUES (%s, %s) ON CONFLICT (user_hash) "
                "DO UPDATE SET requested_at = greatest(_forget_requests.requested_at, excluded.requested_at)",
                (user_hash, requested_at),
            )
        deleted = conn.execute("DELETE FROM queries WHERE user_hash = ANY(%s)", (params,)).rowcount
        for table in pg_tables_with_user_hash(conn):
            conn.execute(sql.SQL("DELETE FROM {} WHERE user_hash = ANY(%s)").format(sql.Identifier(table)), (params,))
    return int(deleted)


def pg_tables_with_user_hash(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = current_schema() AND c.column_name = 'user_hash' AND t.table_type = 'BASE TABLE' "
        "AND c.table_name NOT IN ('queries', '_forget_requests') ORDER BY 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def pg_prune(conn: psycopg.Connection[Any], retention_days: int, chunk_rows: int) -> int:
    """Delete rows older than retention_days, chunk_rows per transaction, and bookkeeping older than
    KEEP_BOOKKEEPING_DAYS; returns how many rows of `queries` went."""
    now = dt.datetime.now(dt.UTC)
    cutoff = (now - dt.timedelta(days=retention_days)).isoformat(timespec="milliseconds")
    total = 0
    while True:
        with conn.transaction():
            n = conn.execute(
                "DELETE FROM queries WHERE id IN (SELECT id FROM queries WHERE ts < %s ORDER BY id LIMIT %s)",
                (cutoff, chunk_rows),
            ).rowcount
        total += n
        if n < chunk_rows:
            break
    kept_from = now - dt.timedelta(days=KEEP_BOOKKEEPING_DAYS)
    conn.execute("DELETE FROM _write_batches WHERE written_at < %s", (kept_from,))
    conn.execute(
        "DELETE FROM _forget_requests WHERE requested_at < %s", (kept_from.isoformat(timespec="milliseconds"),)
    )
    return total


def pg_all_rows(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT * FROM queries ORDER BY id")
    names = [d.name for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# the writer -------------------------------------------------------------------------------------------------


class PgQueryLog(QueryLog):
    """The query log in PostgreSQL: the SQLite writer's queue, journal and forget, on a server connection.

    `journal_base` names the local files kept while the server cannot take rows (`<base>.journal.jsonl`, ...);
    processes on one host may share it (the files are locked and claimed by rename). `fault_hook(stage, conn)`
    is for fault tests only: it is called with stage "inserted" (before COMMIT) and "committed" (after it)."""

    def __init__(
        self,
        url: str,
        *,
        journal_base: str | Path | None = None,
        queue_max_rows: int = QUEUE_MAX_ROWS,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        busy_timeout_s: float = WRITE_BUSY_TIMEOUT_S,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        if not is_postgres_url(url):
            raise ValueError(f"not a postgresql:// URL: {redacted(url)!r}")
        self._journal_base = Path(journal_base) if journal_base is not None else None
        self.connect_timeout_s = connect_timeout_s
        self.fault_hook: Callable[[str, psycopg.Connection[Any]], None] | None = None
        super().__init__(
            url, queue_max_rows=queue_max_rows, open_timeout_s=open_timeout_s, busy_timeout_s=busy_timeout_s
        )

    @property
    def where(self) -> str:
        return redacted(self.path)

    def prune(self, retention_days: int, *, chunk_rows: int = 5_000) -> int:
        """As QueryLog.prune, on a connection of its own; batch ids and forget requests past
        KEEP_BOOKKEEPING_DAYS go too."""
        if isinstance(retention_days, bool) or not isinstance(retention_days, int) or retention_days < 1:
            raise ValueError(f"retention_days must be a whole number of days >= 1, got {retention_days!r}")
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows!r}")
        return int(self._on_own_connection(lambda conn: pg_prune(conn, retention_days, chunk_rows)))

    def rows(self) -> list[dict[str, Any]]:
        return list(self._on_own_connection(pg_all_rows))

    def _on_own_connection(self, fn: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        conn = pg_connect(self.path, self.connect_timeout_s)
        try:
            return fn(conn)
        except psycopg.Error as exc:
            raise storage_error(self.path, exc) from exc
        finally:
            conn.close()

    # the backend ------------------------------------------------------------------------------------------

    def _data_files(self) -> DataFiles | None:
        return DataFiles(Path(os.path.abspath(self._journal_base))) if self._journal_base is not None else None

    def _storable(self, row: dict[str, Any]) -> dict[str, Any]:
        return pg_storable_row(row)

    def _is_outage(self, exc: BaseException) -> bool:
        return pg_is_outage(exc)

    def _after_outage(self) -> None:
        self._close_connection()  # the next attempt connects again (after a restart, a failover, read-only)

    def _insert_batch(self, conn: Any, rows: list[dict[str, Any]], batch_id: str) -> list[Refused] | None:
        with conn.transaction():
            first = conn.execute(
                "INSERT INTO _write_batches (batch_id) VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1", (batch_id,)
            ).fetchone()
            if first is None:
                return None  # committed by an attempt whose answer was lost
            refused = pg_insert_rows(conn, rows)
            self._fault("inserted", conn)
        self._fault("committed", conn)
        return refused

    def _insert_chunk(self, conn: Any, file_id: str, number: int, rows: list[dict[str, Any]]) -> list[Refused] | None:
        with conn.transaction():
            first = conn.execute(
                "INSERT INTO _journal_replays (file_id, chunk, replayed_at) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (file_id, number, _now_iso()),
            ).fetchone()
            if first is None:
                return None
            return pg_insert_rows(conn, rows)

    def _delete_users(self, hashes: set[str]) -> int:
        return pg_delete_users(self._connection(), hashes, _now_iso())

    def _open(self) -> Any:
        conn = pg_connect(self.path, self.connect_timeout_s)
        try:
            apply_pg_migrations(conn)
            self._columns = queries_columns(conn)
        except psycopg.Error as exc:
            conn.close()
            raise storage_error(self.path, exc) from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _moved(self) -> bool:
        return False

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _interrupt(self) -> None:
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.cancel_safe(timeout=1.0)

    def _fault(self, stage: str, conn: psycopg.Connection[Any]) -> None:
        if self.fault_hook is not None:
            self.fault_hook(stage, conn)


# reads: a small pool per URL --------------------------------------------------------------------------------

_POOLS: dict[str, ConnectionPool[Any]] = {}
_POOLS_LOCK = threading.Lock()


def _pool(url: str) -> ConnectionPool[Any]:
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = ConnectionPool(
                url,
                min_size=0,
                max_size=POOL_MAX_CONNECTIONS,
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "rigfit"},
                timeout=POOL_WAIT_S,
                max_idle=60.0,
                name="rigfit-reads",
                open=True,
            )
            _POOLS[url] = pool
        return pool


Run = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
_MIGRATED: set[str] = set()


@contextlib.contextmanager
def pg_reading(url: str) -> Iterator[Run]:
    """A pooled connection as `run(statement, params) -> rows`, statements written with `?` placeholders (the
    SQLite spelling, so callers share their SQL). Migrations are applied at the first use of a URL in a process.
    StorageError when the server cannot be reached or refuses."""
    try:
        if url not in _MIGRATED:
            pg_migrate(url)
            _MIGRATED.add(url)
        with _pool(url).connection() as conn:

            def run(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
                cursor = conn.execute(statement.replace("?", "%s"), tuple(params))
                return list(cursor.fetchall()) if cursor.description else []

            yield run
    except (psycopg.Error, PoolTimeout) as exc:
        raise storage_error(url, exc) from exc


def pg_read(url: str, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """One statement on a pooled connection (see pg_reading); the rows it returns."""
    with pg_reading(url) as run:
        return run(statement, params)


def pg_migrate(url: str) -> list[int]:
    """Apply pending migrations on a connection of its own (`rigfit db upgrade`, the reads' first use)."""
    conn = pg_connect(url)
    try:
        return apply_pg_migrations(conn)
    except psycopg.Error as exc:
        raise storage_error(url, exc) from exc
    finally:
        conn.close()


def close_pools() -> None:
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        with contextlib.suppress(Exception):
            pool.close(timeout=1.0)


atexit.register(close_pools)
