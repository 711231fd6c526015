"""The fault scenarios of bot/storage/faults.py (the same ones the bench reports), on a real QueryLog."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import fault_table
from bot.storage.faults import SCENARIOS, run_scenario

# name -> rows the scenario expects to be refused and reported (not stored) by design
EXPECTED_REPORTED = {
    "undecodable_text": 0,
    "locked_then_released": 0,
    "close_while_locked": 0,
    "old_schema": 1,  # the row with a column no version of the table has
    "disk_full": 0,
    "folder_deleted": 0,
    "queue_overflow": 0,
}


def test_every_scenario_has_an_expectation() -> None:
    assert set(EXPECTED_REPORTED) == set(SCENARIOS)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_row_lost_silently_nor_duplicated(tmp_path: Path, name: str) -> None:
    row = run_scenario(name, tmp_path)
    assert (row.lost_silently, row.duplicated) == (0, 0), row
    assert row.dropped_reported == EXPECTED_REPORTED[name], row
    assert row.stored == row.sent - EXPECTED_REPORTED[name], row


def test_fault_table_runs_every_scenario_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    for name in SCENARIOS:
        monkeypatch.setitem(SCENARIOS, name, lambda folder, name=name: ran.append(name) or run_stub(name, folder))
    rows = fault_table(tmp_path)
    assert ran == list(SCENARIOS) and [r.name for r in rows] == list(SCENARIOS)


def run_stub(name: str, folder: Path):  # type: ignore[no-untyped-def]
    from bot.storage import FaultRow

    return FaultRow(name, 0, 0, 0, 0, 0)
