"""Opening the database, numbered migrations, and what a SQLite error means.

`apply_migrations` runs each `migrations/V<n>__<name>.sql` not yet recorded in `_migrations`, each in one
transaction. Before and after each one it brings older tables up to date: a column that the migrations so far
would have created but the table lacks (a database made by an older rigfit, where `CREATE TABLE IF NOT EXISTS`
was a no-op) is added with `ALTER TABLE ... ADD COLUMN`. The reference for "what the migrations create" is the
same files applied, statement by statement alongside, to an in-memory database, so the check needs no column
list of its own and a statement always finds the columns the statements before it would have made.

`StorageError` is the one error a caller sees when the database cannot be opened: a one-line message naming the
path and the reason, and `transient` (busy or locked: worth retrying) versus permanent (corrupt, not a database,
read-only, no permission, no such folder).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

MIGRATIONS_DIR = Path(os.environ.get("RIGFIT_MIGRATIONS", Path(__file__).resolve().parent.parent.parent / "migrations"))
_MIGRATION_NAME = re.compile(r"^V(\d+)__[\w-]+\.sql$")
OPEN_BUSY_TIMEOUT_S = 5.0

# Primary result codes (https://sqlite.org/rescode.html) of faults in the database or the disk, not in a row:
# the rows are kept and written when the fault clears.
_BUSY, _LOCKED, _NOMEM, _READONLY, _INTERRUPT, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _PROTOCOL, _NOTADB = (
    5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 26,
)  # fmt: skip
_TRANSIENT_CODES = {_BUSY, _LOCKED}
OUTAGE_CODES = {_BUSY, _LOCKED, _NOMEM, _READONLY, _INTERRUPT, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _PROTOCOL, _NOTADB}


class StorageError(Exception):
    """The database at `path` cannot be used; `transient` when waiting may help (busy, locked)."""

    def __init__(self, path: str, reason: str, *, transient: bool) -> None:
        super().__init__(f"query log {path}: {reason}" + (" (busy: try again)" if transient else ""))
        self.path = path
        self.reason = reason
        self.transient = transient

    @classmethod
    def from_exception(cls, path: str, exc: BaseException) -> StorageError:
        if isinstance(exc, StorageError):
            return exc
        if isinstance(exc, sqlite3.Error):
            code = sqlite_code(exc)
            name = getattr(exc, "sqlite_errorname", "") or type(exc).__name__
            return cls(path, f"{exc} [{name}]", transient=code in _TRANSIENT_CODES)
        if isinstance(exc, OSError):
            return cls(path, f"{exc.strerror or exc} ({type(exc).__name__})", transient=False)
        return cls(path, f"{type(exc).__name__}: {exc}", transient=False)


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of an error, or None when it is not a SQLite error."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_outage(exc: BaseException) -> bool:
    """True when the error is about the database or the disk (retry later), False when it is about a row."""
    if isinstance(exc, OSError | StorageError):
        return True
    code = sqlite_code(exc)
    if code is not None:
        return code in OUTAGE_CODES
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    found = []
    for p in directory.glob("*.sql"):
        m = _MIGRATION_NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


def connect(path: str, busy_timeout_s: float = OPEN_BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, secure delete; StorageError if not."""
    try:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError.from_exception(path, exc) from exc
    try:
        conn.execute("PRAGMA secure_delete = ON")  # a deleted row's bytes are overwritten, not left in free space
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a corrupt file fails here, not later
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError.from_exception(path, exc) from exc
    return conn


def open_db(path: str | Path) -> sqlite_utils.Database:
    """The database for ad-hoc reads and `rigfit db` commands; raises StorageError when it cannot be opened."""
    return sqlite_utils.Database(connect(str(path)))


def apply_migrations(db: sqlite_utils.Database | sqlite3.Connection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply each migration not yet recorded, each in its own transaction; return the versions applied.
    Tables an older rigfit made get the columns they lack. Raises StorageError when the database refuses."""
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    try:
        return _migrate(conn, directory)
    except sqlite3.Error as exc:
        rollback(conn)
        raise StorageError.from_exception(_db_path(conn), exc) from exc


def _migrate(conn: sqlite3.Connection, directory: Path) -> list[int]:
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
    done = {row[0] for row in conn.execute("SELECT version FROM _migrations").fetchall()}
    reference = sqlite3.connect(":memory:", isolation_level=None)  # what the migrations so far create
    applied = []
    try:
        for version, path in migration_files(directory):
            statements = _statements(path.read_text(encoding="utf-8"))
            if version in done:
                for statement in statements:
                    reference.execute(statement)
                continue
            with transaction(conn):
                _add_missing_columns(conn, reference)
                for statement in statements:  # in step with the reference: no statement misses a column
                    reference.execute(statement)
                    conn.execute(statement)
                    _add_missing_columns(conn, reference)
                conn.execute(
                    "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, datetime('now'))",
                    (version, path.name),
                )
            applied.append(version)
        if _missing_columns(conn, reference):
            with transaction(conn):
                _add_missing_columns(conn, reference)
    finally:
        reference.close()
    return applied


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (for connections in autocommit mode);
    inside a transaction already open it adds nothing."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back whatever is open; a connection too broken to roll back is left to be closed."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, object]]:
    """Column name -> (declared type, default expression) of a table."""
    return {row[1]: (row[2], row[4]) for row in conn.execute(f'PRAGMA table_info("{table}")')}


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in rows]


def _missing_columns(conn: sqlite3.Connection, reference: sqlite3.Connection) -> list[tuple[str, str, str, object]]:
    """(table, column, type, default) the reference has and the database's table of the same name lacks."""
    existing = set(_tables(conn))
    missing = []
    for table in _tables(reference):
        if table not in existing:
            continue
        have = _columns(conn, table)
        for column, (kind, default) in _columns(reference, table).items():
            if column not in have:
                missing.append((table, column, kind, default))
    return missing


def _add_missing_columns(conn: sqlite3.Connection, reference: sqlite3.Connection) -> None:
    # NOT NULL is not carried over: ADD COLUMN cannot add it without a default, and old rows have no value.
    for table, column, kind, default in _missing_columns(conn, reference):
        default_sql = f" DEFAULT {default}" if default is not None else ""
        conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}{default_sql}')


def _statements(sql: str) -> list[str]:
    """Statements of a migration file; a trigger body (BEGIN ... END;) stays one statement."""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    statements: list[str] = []
    current = ""
    for part in body.split(";"):
        current = f"{current};{part}" if current else part
        if sqlite3.complete_statement(current + ";"):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _db_path(conn: sqlite3.Connection) -> str:
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
        return str(row[2]) or ":memory:"
    except sqlite3.Error:
        return "(database)"
