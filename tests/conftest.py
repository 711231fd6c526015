from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import catalog as fixture_catalog

from catalog.loader import Catalog
from tests.pg_server import PgServer


@pytest.fixture(scope="session")
def cat() -> Catalog:
    return fixture_catalog()


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    """The shipped catalog (catalog/data), loaded once."""
    from catalog.loader import load

    return load()


# PostgreSQL ---------------------------------------------------------------------------------------------------------
# `.ci/run` starts a throwaway cluster and exports DATABASE_URL (and RIGFIT_PG_DIR, so fault tests can restart it).
# Taken out of the environment here, so every other test keeps the SQLite default; the `pg_url` fixture hands each
# PostgreSQL test a fresh database on that server. Without one, a throwaway cluster is started when PostgreSQL is
# installed; otherwise those tests skip with the reason (or fail, with RIGFIT_REQUIRE_POSTGRES=1 as in CI).
_OUTER_DATABASE_URL = os.environ.pop("DATABASE_URL", None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs against a PostgreSQL server (DATABASE_URL or a throwaway one)")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server, reason = PgServer.find(_OUTER_DATABASE_URL)
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
