"""Members' measured runs: each accepted report (the raw paste, the rig, its timed rows in catalog terms) under the
member's keyed hash, the server it came from and when; per-server hides; reads for answers and the export.

Nothing refused is stored: callers pass an accepted report (bot/member_reports.py checks it first). Every table
that holds a member's data has a `user_hash` column, so /forget-me (QueryLog.forget, either backend) deletes
reports and their rows with the member's queries. Like saved rigs, each call opens a short SQLite connection (or
takes a pooled PostgreSQL one when the location is a postgresql:// URL); callers run them off the event loop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.storage.location import is_postgres_url
from bot.storage.schema import StorageError, apply_migrations, connect, transaction
from bot.storage.text import storable_text
from engine.evidence import MeasuredPoint
from engine.reports import REPORTS_PER_MEMBER_MAX, Refusal, RefusalKind, Refused

if TYPE_CHECKING:
    from bot.member_reports import AcceptedReport
    from catalog.types import Model

Run = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

ROW_COLUMNS = (
    "report_id",
    "user_hash",
    "model_id",
    "family",
    "total_params_b",
    "active_params_b",
    "quant",
    "bits_per_weight",
    "phase",
    "test",
    "n_tokens",
    "depth_tokens",
    "tokens_per_s",
    "backend",
    "n_gpu_layers",
    "size_bytes",
    "device_class",
    "device_ids",
    "gpu_count",
    "ram_gb_s",
)
# What answers read: a row with its report's time and hardware, unless hidden in the asking server; of the rows
# that say the same thing (model, quant, devices, phase, depth) the RECENT_PER_GROUP newest, so an answer's work
# stays bounded however many members report the same setup (bench: /fit with 1,000 reports stored).
RECENT_PER_GROUP = 12
_POINTS_SQL = (
    "SELECT id, reported_at, hardware_label, model_id, family, total_params_b, active_params_b, quant, "
    "bits_per_weight, phase, n_tokens, depth_tokens, tokens_per_s, device_class, device_ids, gpu_count, ram_gb_s "
    "FROM (SELECT r.id, r.reported_at, r.hardware_label, w.model_id, w.family, w.total_params_b, w.active_params_b, "
    "w.quant, w.bits_per_weight, w.phase, w.n_tokens, w.depth_tokens, w.tokens_per_s, w.device_class, w.device_ids, "
    "w.gpu_count, w.ram_gb_s, w.test, ROW_NUMBER() OVER (PARTITION BY w.model_id, w.quant, w.device_ids, "
    "w.device_class, w.phase, w.depth_tokens ORDER BY r.id DESC) AS nth "
    "FROM member_report_rows w JOIN member_reports r ON r.id = w.report_id "
    "WHERE w.family = ? AND NOT EXISTS "
    "(SELECT 1 FROM member_reports_hidden h WHERE h.report_id = r.id AND h.guild_id = ?)) AS recent "
    "WHERE nth <= ? ORDER BY id, test"
)
_SAME_PASTE_SQL = "SELECT id FROM member_reports WHERE user_hash = ? AND text_sha256 = ?"


@dataclass(frozen=True)
class ReportSummary:
    """One of a member's reports as /report list shows it."""

    id: int
    reported_at: str
    guild_id: str | None
    hardware: str
    format: str
    models: tuple[str, ...]
    rows: int
    decode_tps: tuple[float, ...]  # the decode figures, in the order reported
    prefill_tps: tuple[float, ...]


_MIGRATED: set[str] = set()
_MIGRATED_LOCK = threading.Lock()


class ReportStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    # ------------------------------------------------------------------------------------------- writes

    def add(self, user_hash: str, guild_id: int | str | None, report: AcceptedReport, now: str | None = None) -> int:
        """Store an accepted report with every row; its id. Refused (DUPLICATE, TOO_MANY_REPORTS) when the member
        reported the same paste already or keeps REPORTS_PER_MEMBER_MAX reports; nothing is stored then."""
        raw = storable_text(report.raw_text)
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        at = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        guild = str(guild_id) if guild_id is not None else None

        def steps(run: Run) -> int:
            same = run(_SAME_PASTE_SQL, (user_hash, digest))
            if same:
                raise Refused(Refusal(kind=RefusalKind.DUPLICATE, report_id=int(same[0][0])))
            kept = int(run("SELECT count(*) FROM member_reports WHERE user_hash = ?", (user_hash,))[0][0])
            if kept >= REPORTS_PER_MEMBER_MAX:
                raise Refused(Refusal(kind=RefusalKind.TOO_MANY_REPORTS, limit=REPORTS_PER_MEMBER_MAX))
            inserted = run(
                "INSERT INTO member_reports (user_hash, guild_id, reported_at, hardware, hardware_label, format, "
                "text_sha256, raw_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (user_hash, guild, at, storable_text(report.hardware), storable_text(report.hardware_label),
                 report.format, digest, raw),
            )  # fmt: skip
            report_id = int(inserted[0][0])
            marks = ", ".join("?" * len(ROW_COLUMNS))
            for accepted in report.rows:
                run(
                    f"INSERT INTO member_report_rows ({', '.join(ROW_COLUMNS)}) VALUES ({marks})",
                    _row_values(report_id, user_hash, accepted.row, accepted.point),
                )
            return report_id

        try:
            return self._transaction(steps)
        except _UniqueViolation:  # the same paste stored by a concurrent request of the same member
            same = self._run(
                "SELECT id FROM member_reports WHERE user_hash = ? AND text_sha256 = ?", (user_hash, digest)
            )
            raise Refused(Refusal(kind=RefusalKind.DUPLICATE, report_id=int(same[0][0]) if same else None)) from None

    def delete(self, user_hashes: Sequence[str], report_id: int) -> bool:
        """Delete one of the member's own reports (its rows and hides with it); False when none of theirs has the
        id (another member's report is left alone, and said the same way as a missing one)."""
        marks = ", ".join("?" * len(user_hashes))

        def steps(run: Run) -> bool:
            mine = run(
                f"SELECT id FROM member_reports WHERE id = ? AND user_hash IN ({marks})", (report_id, *user_hashes)
            )
            if not mine:
                return False
            run("DELETE FROM member_report_rows WHERE report_id = ?", (report_id,))
            run("DELETE FROM member_reports_hidden WHERE report_id = ?", (report_id,))
            run("DELETE FROM member_reports WHERE id = ?", (report_id,))
            return True

        return bool(self._transaction(steps))

    def hide(self, guild_id: int | str, report_id: int, now: str | None = None) -> bool:
        """Hide a report in one server (a manager's /report hide); False when no report has the id."""
        at = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

        def steps(run: Run) -> bool:
            if not run("SELECT id FROM member_reports WHERE id = ?", (report_id,)):
                return False
            run(
                "INSERT INTO member_reports_hidden (report_id, guild_id, hidden_at) VALUES (?, ?, ?) "
                "ON CONFLICT (report_id, guild_id) DO NOTHING",
                (report_id, str(guild_id), at),
            )
            return True

        return bool(self._transaction(steps))

    # -------------------------------------------------------------------------------------------- reads

    def of_member(self, user_hashes: Sequence[str]) -> list[ReportSummary]:
        """The member's reports, newest first."""
        marks = ", ".join("?" * len(user_hashes))
        reports = self._run(
            f"SELECT id, reported_at, guild_id, hardware, format FROM member_reports WHERE user_hash IN ({marks}) "
            "ORDER BY id DESC",
            tuple(user_hashes),
        )
        if not reports:
            return []
        ids = [int(r[0]) for r in reports]
        rows = self._run(
            f"SELECT report_id, model_id, phase, tokens_per_s FROM member_report_rows WHERE report_id IN "
            f"({', '.join('?' * len(ids))}) ORDER BY report_id, test",
            tuple(ids),
        )
        by_report: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
        for row in rows:
            by_report[int(row[0])].append(row)
        return [_summary(r, by_report[int(r[0])]) for r in reports]

    def raw_text(self, user_hashes: Sequence[str], report_id: int) -> str | None:
        marks = ", ".join("?" * len(user_hashes))
        found = self._run(
            f"SELECT raw_text FROM member_reports WHERE id = ? AND user_hash IN ({marks})", (report_id, *user_hashes)
        )
        return str(found[0][0]) if found else None

    def points(self, family: str, guild_id: int | str | None = None) -> tuple[MeasuredPoint, ...]:
        """Every stored row of a model family as a member point, less reports hidden in `guild_id`."""
        guild = str(guild_id) if guild_id is not None else ""
        return tuple(_point(r) for r in self._run(_POINTS_SQL, (family.lower(), guild, RECENT_PER_GROUP)))

    def source(self, guild_id: int | str | None = None) -> Callable[[Model], Sequence[MeasuredPoint]]:
        """The member reports an answer in `guild_id` may show (bot/evidence.py MemberSource)."""

        def members(model: Model) -> Sequence[MeasuredPoint]:
            return self.points(model.family, guild_id)

        return members

    def export_rows(self) -> list[dict[str, Any]]:
        """Every accepted row with its report's time, hardware and format (no member hash, no raw text): what
        `rigfit reports export` writes as measured-run rows."""
        columns = [c for c in ROW_COLUMNS if c != "user_hash"]
        rows = self._run(
            f"SELECT {', '.join('w.' + c for c in columns)}, r.reported_at, r.hardware, r.hardware_label, r.format "
            "FROM member_report_rows w JOIN member_reports r ON r.id = w.report_id ORDER BY r.id, w.test",
            (),
        )
        names = [*columns, "reported_at", "hardware", "hardware_label", "format"]
        return [dict(zip(names, r, strict=True)) for r in rows]

    # ------------------------------------------------------------------------------------------ plumbing

    def _run(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._transaction(lambda run: run(sql, params), write=False)

    def _transaction(self, steps: Callable[[Run], Any], *, write: bool = True) -> Any:
        """`steps` inside one transaction (BEGIN IMMEDIATE on SQLite, so two reports never interleave)."""
        if is_postgres_url(self.path):
            return _pg_transaction(self.path, steps, write=write)
        self._migrate()
        conn = connect(self.path)
        try:
            if not write:
                return steps(lambda sql, params: conn.execute(sql, tuple(params)).fetchall())
            with transaction(conn):
                return steps(lambda sql, params: conn.execute(sql, tuple(params)).fetchall())
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise _UniqueViolation from exc
            raise StorageError.from_exception(self.path, exc) from exc
        except sqlite3.Error as exc:
            raise StorageError.from_exception(self.path, exc) from exc
        finally:
            conn.close()

    def _migrate(self) -> None:
        """The tables exist before the first read (the shell may report before the bot ever opened the log)."""
        with _MIGRATED_LOCK:
            if self.path in _MIGRATED or self.path == ":memory:":
                return
            conn = connect(self.path)
            try:
                apply_migrations(conn)
            finally:
                conn.close()
            _MIGRATED.add(self.path)


class _UniqueViolation(Exception):
    pass


def _pg_transaction(url: str, steps: Callable[[Run], Any], *, write: bool) -> Any:
    import psycopg

    from bot.storage.postgres import pg_reading

    try:
        with pg_reading(url) as run:
            if not write:
                return steps(run)
            run("BEGIN", ())
            try:
                result = steps(run)
            except BaseException:
                with contextlib.suppress(Exception):
                    run("ROLLBACK", ())
                raise
            run("COMMIT", ())
            return result
    except StorageError as exc:
        if isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
            raise _UniqueViolation from exc
        raise


def _row_values(report_id: int, user_hash: str, row: Any, p: MeasuredPoint) -> tuple[Any, ...]:
    return (
        report_id,
        user_hash,
        p.model_id,
        p.family.lower(),
        p.total_params_b,
        p.active_params_b,
        p.quant,
        p.bits_per_weight,
        p.phase,
        storable_text(row.test),
        p.n_tokens,
        p.depth_tokens,
        p.tokens_per_s,
        storable_text(row.backend),
        row.n_gpu_layers,
        row.size_bytes,
        p.device_class,
        ",".join(p.device_ids),
        p.gpu_count,
        p.ram_gb_s,
    )


def _point(r: tuple[Any, ...]) -> MeasuredPoint:
    (report_id, reported_at, hardware, model_id, family, total, active, quant, bits, phase, n_tokens, depth, tps,
     device_class, device_ids, gpu_count, ram) = r  # fmt: skip
    return MeasuredPoint(
        kind="member",
        phase=phase,
        tokens_per_s=tps,
        depth_tokens=depth,
        n_tokens=n_tokens,
        model_id=model_id,
        family=family,
        total_params_b=total,
        active_params_b=active,
        quant=quant,
        bits_per_weight=bits,
        device_ids=tuple(d for d in str(device_ids).split(",") if d),
        gpu_count=gpu_count,
        device_class=device_class,
        ram_gb_s=ram,
        hardware=hardware,
        reported_at=str(reported_at)[:10],
        report_id=int(report_id),
    )


def _summary(report: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> ReportSummary:
    report_id, reported_at, guild_id, hardware, fmt = report
    return ReportSummary(
        id=int(report_id),
        reported_at=str(reported_at),
        guild_id=guild_id,
        hardware=str(hardware),
        format=str(fmt),
        models=tuple(dict.fromkeys(str(r[1]) for r in rows)),
        rows=len(rows),
        decode_tps=tuple(float(r[3]) for r in rows if r[2] == "decode"),
        prefill_tps=tuple(float(r[3]) for r in rows if r[2] == "prefill"),
    )
