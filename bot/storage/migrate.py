"""`rigfit db migrate-to URL`: move an existing SQLite query log and its saved rigs into PostgreSQL.

The SQLite log is opened as the bot would open it first, so rows waiting in its journal are written and
deletions still pending (/forget-me while it was locked) are applied before anything is copied. Then rows go in
SQLite id order, `CHUNK_ROWS` per transaction, each committed together with how far the copy got (`_copied_from`):
a copy cut short resumes where it stopped and running it again copies only rows logged since. The aggregates
(/stats) follow from PostgreSQL's triggers. Saved rigs are upserted, the newer of the two kept. Member reports are
copied with their rows and per-server hides, once (a report is one member's paste: the pair user hash and paste
hash is unique); PostgreSQL numbers them anew, so a report's id may differ after the move.
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
    reports_copied: int = 0

    def summary(self) -> str:
        text = f"copied {self.rows_copied} query log rows, {self.rigs_copied} saved rigs and {self.reports_copied} "
        text += f"member reports from {self.source} to "
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
        reports = _copy_reports(lite, pg)
    except psycopg.Error as exc:
        raise storage_error(url, exc) from exc
    finally:
        lite.close()
        pg.close()
    return MigrateReport(source, redacted(url), copied, skipped, refused, rigs, reports)


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


REPORT_COLUMNS = (
    "user_hash",
    "guild_id",
    "reported_at",
    "hardware",
    "hardware_label",
    "format",
    "text_sha256",
    "raw_text",
)


def _copy_reports(lite: Any, pg: psycopg.Connection[Any]) -> int:
    """Each SQLite report not yet in PostgreSQL, with its rows and hides, in one transaction; the count copied."""
    reports = lite.execute(f"SELECT id, {', '.join(REPORT_COLUMNS)} FROM member_reports ORDER BY id").fetchall()
    copied = 0
    with pg.transaction():
        for old_id, *values in reports:
            marks = ", ".join(["%s"] * len(REPORT_COLUMNS))
            inserted = pg.execute(
                f"INSERT INTO member_reports ({', '.join(REPORT_COLUMNS)}) VALUES ({marks}) "
                "ON CONFLICT (user_hash, text_sha256) DO NOTHING RETURNING id",
                tuple(values),
            ).fetchone()
            if inserted is None:
                continue  # copied by an earlier run (or reported to PostgreSQL already)
            _copy_report_parts(lite, pg, old_id, int(inserted[0]))
            copied += 1
    return copied


def _copy_report_parts(lite: Any, pg: psycopg.Connection[Any], old_id: int, new_id: int) -> None:
    cursor = lite.execute("SELECT * FROM member_report_rows WHERE report_id = ?", (old_id,))
    names = [d[0] for d in cursor.description]
    for row in cursor.fetchall():
        values = {**dict(zip(names, row, strict=True)), "report_id": new_id}
        pg.execute(
            f"INSERT INTO member_report_rows ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})",
            tuple(values.values()),
        )
    for guild_id, hidden_at in lite.execute(
        "SELECT guild_id, hidden_at FROM member_reports_hidden WHERE report_id = ?", (old_id,)
    ).fetchall():
        pg.execute(
            "INSERT INTO member_reports_hidden (report_id, guild_id, hidden_at) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            (new_id, guild_id, hidden_at),
        )
