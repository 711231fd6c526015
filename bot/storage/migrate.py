"""`rigfit db migrate-to URL`: move an existing SQLite query log and its saved rigs into PostgreSQL.

The SQLite log is opened as the bot would open it first, so rows waiting in its journal are written and
deletions still pending (/forget-me while it was locked) are applied before anything is copied. Then rows go in
SQLite id order, `CHUNK_ROWS` per transaction, each committed together with how far the copy got (`_copied_from`):
a copy cut short resumes where it stopped and running it again copies only rows logged since. The aggregates
(/stats) follow from PostgreSQL's triggers. Saved rigs are upserted, the newer of the two kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bot.storage.postgres import pg_connect, pg_insert_rows, pg_migrate, pg_storable_row, redacted, storage_error
from bot.storage.schema import StorageError, connect
from bot.storage.sqlite import QueryLog

CHUNK_ROWS = 5_000
SAVED_RIG_COLUMNS = ("user_hash", "phrase", "updated_at")


@dataclass(frozen=True)
class MigrateReport:
    source: str
    target: str
    rows_copied: int
    rows_already_there: int
    rows_refused: int
    rigs_copied: int

    def summary(self) -> str:
        text = f"copied {self.rows_copied} query log rows and {self.rigs_copied} saved rigs from {self.source} to "
        text += self.target
        if self.rows_already_there:
            text += f" ({self.rows_already_there} copied by an earlier run were skipped)"
        if self.rows_refused:
            text += f"; {self.rows_refused} rows REFUSED by PostgreSQL (see the log)"
        return text


def migrate_to(sqlite_path: str | Path, url: str, chunk_rows: int = CHUNK_ROWS) -> MigrateReport:
    """Copy the SQLite query log at `sqlite_path` into the PostgreSQL database at `url` (migrations applied);
    StorageError when either cannot be used."""
    source = os.path.abspath(sqlite_path)
    if not Path(source).exists():
        raise StorageError(str(sqlite_path), "no such file: nothing to migrate", transient=False)
    report = QueryLog(source).close()  # replays the journal and applies pending deletions first
    if report.journaled:
        raise StorageError(source, f"{report.journaled} journaled rows could not be written first", transient=True)
    pg_migrate(url)
    lite = connect(source)
    pg = pg_connect(url)
    try:
        copied, skipped, refused = _copy_queries(lite, pg, source, chunk_rows)
        rigs = _copy_rigs(lite, pg)
    except psycopg.Error as exc:
        raise storage_error(url, exc) from exc
    finally:
        lite.close()
        pg.close()
    return MigrateReport(source, redacted(url), copied, skipped, refused, rigs)


def _copy_queries(lite: Any, pg: psycopg.Connection[Any], source: str, chunk_rows: int) -> tuple[int, int, int]:
    row = pg.execute("SELECT last_id FROM _copied_from WHERE source = %s", (source,)).fetchone()
    last_id = int(row[0]) if row else 0
    skipped = int(lite.execute("SELECT count(*) FROM queries WHERE id <= ?", (last_id,)).fetchone()[0])
    copied = refused = 0
    while True:
        cursor = lite.execute("SELECT * FROM queries WHERE id > ? ORDER BY id LIMIT ?", (last_id, chunk_rows))
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        if not rows:
            return copied, skipped, refused
        last_id = int(rows[-1]["id"])
        with pg.transaction():
            bad = pg_insert_rows(pg, [pg_storable_row({k: v for k, v in r.items() if k != "id"}) for r in rows])
            pg.execute(
                "INSERT INTO _copied_from (source, last_id) VALUES (%s, %s) "
                "ON CONFLICT (source) DO UPDATE SET last_id = excluded.last_id, copied_at = now()",
                (source, last_id),
            )
        copied += len(rows) - len(bad)
        refused += len(bad)


def _copy_rigs(lite: Any, pg: psycopg.Connection[Any]) -> int:
    rigs = lite.execute("SELECT user_hash, phrase, updated_at FROM saved_rigs").fetchall()
    with pg.transaction():
        for rig in rigs:
            pg.execute(
                "INSERT INTO saved_rigs (user_hash, phrase, updated_at) VALUES (%s, %s, %s) ON CONFLICT (user_hash) "
                "DO UPDATE SET phrase = excluded.phrase, updated_at = excluded.updated_at "
                "WHERE saved_rigs.updated_at < excluded.updated_at",
                tuple(rig),
            )
    return len(rigs)
