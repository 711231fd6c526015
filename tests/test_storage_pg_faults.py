"""Faults on PostgreSQL (bot/storage/pg_faults.py, also reported by `make bench`): a server restart under load, the
connection refused at start, a read-only database, the connection lost mid-batch and right after COMMIT. Every row
logged is stored exactly once or reported; none is lost silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.pg_faults import SCENARIOS
from tests.pg_server import PgServer

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fault_loses_nothing_and_duplicates_nothing(name: str, pg_server: PgServer, tmp_path: Path) -> None:
    if pg_server.cluster is None:
        pytest.skip("DATABASE_URL names a server these tests cannot stop and start (set RIGFIT_PG_DIR too)")
    made: list[str] = []

    def new_database() -> str:
        made.append(pg_server.new_database())
        return made[-1]

    try:
        row = SCENARIOS[name](pg_server.cluster, new_database, tmp_path)
    finally:
        for url in made:
            pg_server.drop_database(url)
    assert (row.stored, row.duplicated, row.lost_silently) == (row.sent, 0, 0), row


def test_a_refused_start_says_so_in_one_warning_line(pg_server: PgServer, tmp_path: Path) -> None:
    if pg_server.cluster is None:
        pytest.skip("DATABASE_URL names a server these tests cannot stop and start (set RIGFIT_PG_DIR too)")
    url = pg_server.new_database()
    try:
        row = SCENARIOS["refused_at_start"](pg_server.cluster, lambda: url, tmp_path)
    finally:
        pg_server.drop_database(url)
    assert row.detail.startswith("warning lines while refused=1: query log postgresql://")
    assert "Connection refused" in row.detail and "retrying with backoff" in row.detail
