from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import catalog as fixture_catalog

from catalog.loader import Catalog
from tests.pg_server import PgServer

if TYPE_CHECKING:
    from calibrate.fit import Fitted


@pytest.fixture(scope="session")
def cat() -> Catalog:
    return fixture_catalog()


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    """The shipped catalog (catalog/data), loaded once."""
    from catalog.loader import load

    return load()


# The calibration on the published runs -------------------------------------------------------------------------------
# `calibrate.report.report(catalog)` fits every published run and scores the fit across sources (one fit per source
# left out): the slowest call in the suite. It is a function of the catalog and the measurement files, which no test
# changes, so it is made once a session and handed to every test that needs it on the shipped catalog.
Calibration = tuple[str, dict[str, float], "Fitted"]


@pytest.fixture(scope="session")
def published_calibration(real_catalog: Catalog) -> Calibration:
    """`report(real_catalog)`: the text, the figures and the fitted table, on shared/calibration and the bench's
    measured runs."""
    from calibrate.report import report
    from calibrate.runs import CSV_NAME, calibration_dir

    if not (calibration_dir() / CSV_NAME).exists():
        pytest.skip(f"no measurements at {calibration_dir()}")
    return report(real_catalog)


@pytest.fixture
def calibration_once(
    real_catalog: Catalog, published_calibration: Calibration, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`calibrate.report.report` answers the shipped catalog on the published runs with `published_calibration`
    (a copy of its figures); any other catalog or folder of runs is fitted as usual."""
    import calibrate.report as module

    fitted_anew = module.report

    def report(catalog: Catalog, directory: Path | None = None) -> Calibration:
        if catalog is real_catalog and directory is None:
            text, figures, fitted = published_calibration
            return text, dict(figures), fitted
        return fitted_anew(catalog, directory)

    monkeypatch.setattr(module, "report", report)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The test files that fit the whole calibration (`published_calibration`: minutes each) run first, every file
    keeping its own order: under pytest-xdist (`make test`) a worker starts on each rather than ends on it."""
    first = {item.path for item in items if "published_calibration" in item.fixturenames}
    items.sort(key=lambda item: item.path not in first)


# PostgreSQL ---------------------------------------------------------------------------------------------------------
# `.ci/run` starts a throwaway cluster and exports DATABASE_URL (and RIGFIT_PG_DIR, so fault tests can restart it).
# Taken out of the environment here, so every other test keeps the SQLite default; the `pg_url` fixture hands each
# PostgreSQL test a fresh database on that server. Without one, a throwaway cluster is started when PostgreSQL is
# installed; otherwise those tests skip with the reason (or fail, with RIGFIT_REQUIRE_POSTGRES=1 as in CI).
_OUTER_DATABASE_URL = os.environ.pop("DATABASE_URL", None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs against a PostgreSQL server (DATABASE_URL or a throwaway one)")


def _own_server() -> bool:
    """Under pytest-xdist (`make test` runs `-n auto --dist loadfile`), every worker but the first starts a throwaway
    cluster of its own: the fault tests stop and restart the server they are given, which must not be the one another
    worker's tests are writing to."""
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0"


def _find_server() -> tuple[PgServer | None, str]:
    if not _own_server():
        return PgServer.find(_OUTER_DATABASE_URL)
    with pytest.MonkeyPatch.context() as env:
        env.delenv("RIGFIT_PG_DIR", raising=False)
        return PgServer.find(None)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server, reason = _find_server()
    if server is None:
        if os.environ.get("RIGFIT_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (RIGFIT_REQUIRE_POSTGRES) but unavailable: {reason}")
        pytest.skip(reason)
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the test server, dropped afterwards."""
    url = pg_server.new_database()
    yield url
    pg_server.drop_database(url)
