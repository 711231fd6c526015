"""Which database: SQLite at DATABASE_PATH (the default), or PostgreSQL when DATABASE_URL=postgresql://... is set.

A location is a string: a file path (or ":memory:") for SQLite, a `postgresql://` URL for PostgreSQL. The query
log, saved rigs (RigStore) and /stats (`stats`) all take one and pick the backend from it, so the front ends
pass `query_log.path` along and never ask which database it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.storage.sqlite import QueryLog

POSTGRES_JOURNAL_NAME = "rigfit-postgres"  # local files kept while PostgreSQL cannot take rows, beside DATABASE_PATH


def is_postgres_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.split("://", 1)[0].lower() in ("postgresql", "postgres")


def database_location(settings: Any) -> str:
    """DATABASE_URL when set, else DATABASE_PATH."""
    url = getattr(settings, "database_url", None)
    text = url.get_secret_value() if url is not None else ""
    return text or str(settings.database_path)


def open_query_log(location: str | Path, *, journal_base: str | Path | None = None, **options: Any) -> QueryLog:
    """The query log at a location: QueryLog (SQLite) for a path, PgQueryLog for a postgresql:// URL (its
    journal files at `journal_base`, default `data/rigfit-postgres.*`). Raises StorageError as QueryLog does."""
    if is_postgres_url(location):
        from bot.storage.postgres import PgQueryLog

        base = journal_base if journal_base is not None else Path("data") / POSTGRES_JOURNAL_NAME
        return PgQueryLog(str(location), journal_base=base, **options)
    return QueryLog(location, **options)


def query_log_for(settings: Any, **options: Any) -> QueryLog:
    """The query log the settings name (DATABASE_URL, else DATABASE_PATH); for PostgreSQL the journal files sit
    in DATABASE_PATH's folder."""
    journal_base = Path(settings.database_path).parent / POSTGRES_JOURNAL_NAME
    return open_query_log(database_location(settings), journal_base=journal_base, **options)
