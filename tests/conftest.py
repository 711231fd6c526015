from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import catalog as fixture_catalog

from catalog.loader import Catalog


@pytest.fixture(scope="session")
def cat() -> Catalog:
    return fixture_catalog()


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    """The shipped catalog (catalog/data), loaded once."""
    from catalog.loader import load

    return load()
