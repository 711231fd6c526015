"""Saved rigs: one hardware phrase per member, under the member's keyed hash (never the Discord id).

Reads and writes are rare and small, so each opens a short connection (the query log's writer thread is not
involved), or takes one from a small pool when the location is a postgresql:// URL (shared by every bot process
of a fleet: a rig set through one is used through another); callers run them off the event loop.
/forget-me deletes a member's rig together with their queries (QueryLog.forget), so a deletion recorded while
the database was stuck removes the rig too.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.storage.location import is_postgres_url
from bot.storage.schema import StorageError, connect
from bot.storage.text import storable_text

RIG_PHRASE_MAX_CHARS = 300  # the hardware parser reads at most this much


@dataclass(frozen=True)
class SavedRig:
    phrase: str
    updated_at: str


class RigStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    def get(self, user_hashes: Sequence[str]) -> SavedRig | None:
        """The rig saved under the first of `user_hashes` that has one (the current key's hash first)."""
        for user_hash in user_hashes:
            rows = self._run("SELECT phrase, updated_at FROM saved_rigs WHERE user_hash = ?", (user_hash,))
            row = rows[0] if rows else None
            if row is not None:
                return SavedRig(phrase=row[0], updated_at=row[1])
        return None

    def set(self, user_hash: str, phrase: str) -> SavedRig:
        text = storable_text(phrase.strip())
        if not text or len(text) > RIG_PHRASE_MAX_CHARS:
            raise ValueError(f"a rig phrase is 1 to {RIG_PHRASE_MAX_CHARS} characters, not {len(text)}")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._run(
            "INSERT INTO saved_rigs (user_hash, phrase, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_hash) DO UPDATE SET phrase = excluded.phrase, updated_at = excluded.updated_at",
            (user_hash, text, now),
        )
        return SavedRig(phrase=text, updated_at=now)

    def clear(self, user_hashes: Sequence[str]) -> int:
        marks = ", ".join("?" * len(user_hashes))
        return len(self._run(f"DELETE FROM saved_rigs WHERE user_hash IN ({marks}) RETURNING 1", tuple(user_hashes)))

    def _run(self, sql: str, params: tuple[str, ...]) -> list[tuple[str, ...]]:
        """One statement on a short connection (autocommit), or a pooled one for PostgreSQL; the rows it returns."""
        if is_postgres_url(self.path):
            from bot.storage.postgres import pg_read

            return pg_read(self.path, sql, params)
        conn = connect(self.path)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageError.from_exception(self.path, exc) from exc
        finally:
            conn.close()
