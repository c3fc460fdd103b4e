"""Test fixtures: a real database (SQLite by default, PostgreSQL with ALUE_TEST_DATABASE_URL).

Every test that uses ``session`` runs inside a transaction that is rolled back afterwards. Tests that
use the database are marked ``db`` automatically, so ``pytest -m db`` runs exactly those against
PostgreSQL in ``make test``.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from alue.area.config import Area, load_area
from alue.area.service import sync_area
from alue.shared import migrate
from alue.shared.db import make_engine

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("ALUE_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
DB_FIXTURES = {"engine", "session", "db_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def area(data_dir: Path) -> Area:
    return load_area("satakunta", data_dir=data_dir)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test session; PostgreSQL gets its own throw-away database."""
    base = os.environ.get("ALUE_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = make_url(base)
    name = f"alue_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(db_url: str, area: Area) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        sync_area(session=session, area=area)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits inside become savepoints)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


# --- The built demo area: one build per test session, shared by the demo, planning and other tests. ---
# It goes into its own database (a SQLite file, or a throw-away PostgreSQL database when
# ALUE_TEST_DATABASE_URL is set) so that tests using the empty ``engine`` fixture are not affected;
# ``today`` is fixed, so the build is the same on every run.

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
