"""Rows of the `queries` table: inserting a batch inside the caller's transaction, telling apart the rows the
database refuses as data (kept aside by the writer) from faults of the database itself (raised: the writer
keeps the rows and retries), and the small reads and deletes the query log needs."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

from bot.storage.schema import is_outage, transaction

Refused = tuple[dict[str, Any], str]  # a row and why the database refused it


def split_known_columns(
    rows: list[dict[str, Any]], columns: frozenset[str]
) -> tuple[list[dict[str, Any]], list[Refused]]:
    """Rows whose keys are all columns of `queries`, and the others with the reason (refused before SQL)."""
    known: list[dict[str, Any]] = []
    unknown: list[Refused] = []
    for row in rows:
        extra = [k for k in row if k not in columns]
        if extra:
            unknown.append((row, f"table queries has no column named {', '.join(map(repr, extra))}"))
        else:
            known.append(row)
    return known, unknown


def insert_rows(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[Refused]:
    """Insert rows inside the caller's transaction; returns the rows the database refused as data, with the
    reason (the others are inserted). Faults of the database itself (locked, full, I/O) are raised."""
    refused: list[Refused] = []
    for columns, group in _by_columns(rows).items():
        names = ", ".join(_quote(c) for c in columns)
        sql = f"INSERT INTO queries ({names}) VALUES ({', '.join('?' * len(columns))})"
        values = [tuple(row[c] for c in columns) for row in group]
        try:
            with _savepoint(conn):
                conn.executemany(sql, values)
            continue
        except Exception as exc:
            if is_outage(exc):
                raise
        for row, value in zip(group, values, strict=True):  # one of them is refused: find which
            try:
                with _savepoint(conn):
                    conn.execute(sql, value)
            except Exception as exc:
                if is_outage(exc):
                    raise
                refused.append((row, f"{type(exc).__name__}: {exc}"))
    return refused


@contextlib.contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """Undo only this group's inserts when it fails, inside the batch's transaction."""
    conn.execute("SAVEPOINT row_group")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO row_group")
            conn.execute("RELEASE row_group")
        raise
    conn.execute("RELEASE row_group")


def _by_columns(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Rows grouped by the columns they give (a column left out keeps its default)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def delete_users(conn: sqlite3.Connection, hashes: set[str]) -> int:
    """Delete everything kept under these user hashes, in one transaction: their rows of `queries` (the
    triggers fix the aggregates) and their rows of any other table with a `user_hash` column (e.g. saved rigs).
    Returns how many rows of `queries` went."""
    marks = ", ".join("?" for _ in hashes)
    params = sorted(hashes)
    with transaction(conn):
        deleted = conn.execute(f"DELETE FROM queries WHERE user_hash IN ({marks})", params).rowcount
        for table in tables_with_user_hash(conn):
            conn.execute(f"DELETE FROM {_quote(table)} WHERE user_hash IN ({marks})", params)
    return int(deleted)


def tables_with_user_hash(conn: sqlite3.Connection) -> list[str]:
    """Tables other than `queries` that keep something per user (a `user_hash` column)."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'queries'"
        )
    ]
    return [t for t in tables if any(col[1] == "user_hash" for col in conn.execute(f"PRAGMA table_info({_quote(t)})"))]


def prune(conn: sqlite3.Connection, retention_days: int, chunk_rows: int) -> int:
    """Delete rows older than retention_days, chunk_rows per transaction; returns how many went."""
    total = 0
    while True:
        with transaction(conn):
            cursor = conn.execute(
                "DELETE FROM queries WHERE id IN (SELECT id FROM queries "
                "WHERE ts < strftime('%Y-%m-%dT%H:%M:%f', 'now', ?) LIMIT ?)",
                (f"-{retention_days} days", chunk_rows),
            )
        total += cursor.rowcount
        if cursor.rowcount < chunk_rows:
            return total


def all_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT * FROM queries ORDER BY id")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
