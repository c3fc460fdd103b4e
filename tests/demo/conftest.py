"""A built demo area for tests: ``demo_engine`` (one build per test session).

The demo is built into its own database — a SQLite file, or a throw-away PostgreSQL database when
``ALUE_TEST_DATABASE_URL`` is set — so that tests using the empty ``engine`` fixture are not affected.
``today`` is fixed, so the build is the same on every run.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from alue.area.config import Area
from alue.shared.db import make_engine

DEMO_SEED = 2025
DEMO_TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, area: Area) -> Iterator[tuple[Engine, object]]:
    from alue.demo import build_demo

    base = os.environ.get("ALUE_TEST_DATABASE_URL")
    admin = None
    if base:
        name = f"alue_demo_{uuid.uuid4().hex[:10]}"
        admin = make_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = make_engine(url)
    summary = build_demo(engine=engine, area=area, seed=DEMO_SEED, today=DEMO_TODAY)
    try:
        yield engine, summary
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session")
def demo_engine(demo_build: tuple[Engine, object]) -> Engine:
    """An engine on a database holding the Satakunta demo, 2019-01 … 2026-11-23 (seed 2025)."""
    return demo_build[0]
