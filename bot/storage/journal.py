"""Files next to the database that keep rows and requests while the database cannot take them.

For a database `<db>` (e.g. `/data/rigfit.sqlite3`) there are, all JSON lines (one object per line, ASCII):

* `<db>.journal.jsonl`: rows the writer could not put in the database (queue overflow during an outage, rows
  still unwritten at close, rows logged after close). Replayed into the database, exactly once, by the next
  writer that finds the database writable: the file is first claimed by renaming it to
  `<db>.journal.<uuid>.replaying.jsonl`, then inserted in chunks, each chunk committed together with a line in
  `_journal_replays`, so a replay cut short resumes where it stopped; the claimed file is deleted at the end.
* `<db>.rejected.jsonl`: rows the database refused as data (a NOT NULL column missing, a column that does not
  exist, a value SQLite cannot store), each with the reason. Kept for a person to read; never replayed
  automatically (renaming it to `<db>.journal.jsonl` replays it).
* `<db>.forget.jsonl`: deletion requests (`forget`) not yet applied, so a deletion asked for while the database
  was locked or full survives a restart. Applied before the writer inserts anything else.

Threads share a file through a lock, processes through `flock`; a writer that finds the path renamed under it
reopens it, so no line goes into a file already claimed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)


def dumps(record: dict[str, Any]) -> str:
    """One JSON line, ASCII only (lone surrogates become \\udXXX escapes), values JSON cannot hold as repr."""
    return json.dumps(record, ensure_ascii=True, default=repr, separators=(",", ":"))


class JsonLines:
    """A JSON-lines file shared by threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def exists(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    @contextlib.contextmanager
    def _locked(self) -> Iterator[IO[str]]:
        """The file, open for append and read, locked, and still the one at `path` (not renamed meanwhile)."""
        with self._lock:
            while True:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                f = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 (closed below or on exit)
                try:
                    fcntl.flock(f, fcntl.LOCK_EX)
                    if os.fstat(f.fileno()).st_ino == os.stat(self.path).st_ino:
                        break
                except OSError:
                    pass
                f.close()
            try:
                yield f
            finally:
                f.close()

    def append(self, records: list[dict[str, Any]], *, sync: bool = False) -> None:
        """Append records (raises OSError when the disk refuses); `sync` waits for the disk."""
        if not records:
            return
        text = "".join(dumps(r) + "\n" for r in records)
        with self._locked() as f:
            f.write(text)
            f.flush()
            if sync:
                os.fsync(f.fileno())

    def read(self) -> list[dict[str, Any]]:
        if not self.exists():
            return []
        with self._locked() as f:
            f.seek(0)
            return parse_lines(f.read(), self.path)

    def rewrite(self, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        """Pass each record through `change` (None removes it, a new dict replaces it; lines that are not JSON
        stay as they are) and put the result in place atomically (a new file renamed over this one); returns
        how many records changed."""
        if not self.exists():
            return 0
        with self._locked() as f:
            f.seek(0)
            lines = f.read().splitlines()
            out: list[str] = []
            changed = 0
            for line in lines:
                record = _quiet_parse(line)
                new = change(record) if record is not None else record
                if record is None or new is record:
                    out.append(line)
                    continue
                changed += 1
                if new is not None:
                    out.append(dumps(new))
            if changed:
                tmp = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}.tmp")
                with open(tmp, "w", encoding="ascii") as new_file:
                    new_file.write("".join(line + "\n" for line in out))
                    new_file.flush()
                    os.fsync(new_file.fileno())
                os.replace(tmp, self.path)
            return changed

    def claim(self, claimed: Path) -> bool:
        """Rename the file to `claimed` (nothing more can be appended to it); False when there was none."""
        if not self.exists():
            return False
        with self._locked():
            os.replace(self.path, claimed)
            return True

    def count(self) -> int:
        return len(self.read())


def parse_lines(text: str, path: Path) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        record = parse_line(line, path, number)
        if record is not None:
            records.append(record)
    return records


def _quiet_parse(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def parse_line(line: str, path: Path, number: int) -> dict[str, Any] | None:
    """The record on one line, or None for a blank line or one cut short by a crash (logged)."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except ValueError:
        log.error("%s line %d is not JSON (cut short by a crash?); skipped: %.200r", path, number, line)
        return None
    if not isinstance(record, dict):
        log.error("%s line %d is not an object; skipped", path, number)
        return None
    return record


@dataclass(frozen=True)
class DataFiles:
    """The files kept next to one database (see the module docstring)."""

    db_path: Path

    @property
    def journal(self) -> JsonLines:
        return _shared(self.db_path.with_name(self.db_path.name + ".journal.jsonl"))

    @property
    def rejected(self) -> JsonLines:
        return _shared(self.db_path.with_name(self.db_path.name + ".rejected.jsonl"))

    @property
    def forgets(self) -> JsonLines:
        return _shared(self.db_path.with_name(self.db_path.name + ".forget.jsonl"))

    def new_claim(self) -> Path:
        return self.db_path.with_name(f"{self.db_path.name}.journal.{uuid.uuid4().hex}.replaying.jsonl")

    def claimed(self) -> list[Path]:
        """Journal files claimed for replay and not finished (by this process or one that stopped), oldest first."""
        try:
            found = list(self.db_path.parent.glob(f"{_glob_escape(self.db_path.name)}.journal.*.replaying.jsonl"))
        except OSError:
            return []
        return sorted(found, key=_mtime)

    def journaled_rows(self) -> int:
        """Rows waiting in the journal and in claimed files. An upper bound when a replay was cut short: its
        chunks already inserted are counted here and skipped at the next replay."""
        total = 0
        for path in [self.journal.path, *self.claimed()]:
            with contextlib.suppress(OSError):
                text = path.read_text(encoding="ascii", errors="replace")
                total += sum(1 for line in text.splitlines() if isinstance((_quiet_parse(line) or {}).get("row"), dict))
        return total


def shared(path: Path) -> JsonLines:
    """The JsonLines of a path (claimed journal files included), one per path in this process."""
    return _shared(path)


def claimed_file_id(path: Path) -> str:
    """The uuid in a claimed file's name: `<db>.journal.<uuid>.replaying.jsonl`."""
    return path.name.rsplit(".", 3)[-3]


class ReplayReader:
    """Reading one claimed journal file chunk by chunk; line numbers decide chunks, so they never move."""

    def __init__(self, path: Path, chunk_rows: int) -> None:
        self.path = path
        self.file_id = claimed_file_id(path)
        self.chunk_rows = chunk_rows
        self.number = 0
        self._file: IO[str] | None = None
        self._lines: Iterator[str] | None = None
        self._current: list[dict[str, Any]] | None = None

    def current(self) -> tuple[int, list[dict[str, Any]]] | None:
        """The chunk to insert next (read once, kept until `advance`), or None at the end of the file."""
        if self._current is None:
            self._current = self._read_chunk()
        if self._current is None:
            return None
        return self.number, self._current

    def advance(self) -> None:
        self._current = None
        self.number += 1

    def reopen(self) -> None:
        """Read the file again from the current chunk (it was rewritten by a deletion)."""
        self._close()
        self._current = None

    def finish(self) -> None:
        self._close()
        with contextlib.suppress(FileNotFoundError):  # another process finished it first
            self.path.unlink()

    def _read_chunk(self) -> list[dict[str, Any]] | None:
        if self._lines is None:
            try:
                self._file = open(self.path, encoding="ascii", errors="replace")  # noqa: SIM115
            except FileNotFoundError:
                return None
            self._lines = iter(self._file)
            for _ in range(self.number * self.chunk_rows):
                next(self._lines, None)
        lines = [line for _, line in zip(range(self.chunk_rows), self._lines, strict=False)]
        if not lines:
            return None
        records = []
        for offset, line in enumerate(lines):
            record = parse_line(line, self.path, self.number * self.chunk_rows + offset + 1)
            if record is not None:
                records.append(record)
        return records

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None
        self._lines = None


_SHARED: dict[Path, JsonLines] = {}
_SHARED_LOCK = threading.Lock()


def _shared(path: Path) -> JsonLines:
    """One JsonLines per path in this process, so its thread lock covers every QueryLog using the file."""
    with _SHARED_LOCK:
        return _SHARED.setdefault(path, JsonLines(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
