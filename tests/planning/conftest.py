"""Fixtures of the planning tests: the web application (from the web tests) and the demo area.

The root conftest's demo fixtures are reused: the effectiveness test needs a built demo area. Set
``ALUE_PLANNING_DEMO_URL`` to a database that already holds the demo (seed 2025, today 23.11.2026) to
skip the build when running the planning tests alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from alue.shared.db import make_engine
from tests.web.conftest import (  # noqa: F401  (fixtures)
    anonymous,
    app,
    clients,
    web_db_url,
    web_engine,
    web_settings,
    world,
)


@pytest.fixture(scope="session")
def planning_demo_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    url = os.environ.get("ALUE_PLANNING_DEMO_URL")
    if url:
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    yield request.getfixturevalue("demo_engine")
