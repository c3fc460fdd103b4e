"""Fixtures of the web tests: one migrated database with a synthetic area, one app, a client per role.

The web tests use their own database (not the rollback-per-test ``session`` of ``tests/conftest.py``):
the application opens its own sessions and commits (audit rows, sign-ins), so each test creates the rows
it needs with unique values and reads back only those.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.settings import Settings
from alue.shared import migrate
from alue.shared.auth import Role
from alue.shared.db import make_engine
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from tests.web.factories import PASSWORD, World, build_world

SECRET = "test-secret-key-for-the-web-tests-0123456789"  # noqa: S105
CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture(scope="session")
def web_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web tests' database: SQLite, or a throw-away PostgreSQL one when ALUE_TEST_DATABASE_URL is set."""
    base = os.environ.get("ALUE_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'web.db'}"
        return
    name = f"alue_web_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def web_engine(web_db_url: str, area: Area) -> Iterator[Engine]:
    engine = make_engine(web_db_url)
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        sync_area(session=session, area=area)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def world(web_engine: Engine) -> World:
    with Session(web_engine) as session:
        result = build_world(session)
        session.commit()
    return result


def make_settings(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, secret_key=SECRET, environment="development", data_dir=data_dir)


@pytest.fixture(scope="session")
def web_settings() -> WebSettings:
    return WebSettings(throttle_per_username=5, throttle_per_ip=1000, secure_cookies="auto")


@pytest.fixture(scope="session")
def app(
    web_engine: Engine, web_db_url: str, data_dir: Path, area: Area, world: World, web_settings: WebSettings
) -> FastAPI:
    return create_app(
        make_settings(web_db_url, data_dir),
        web_engine,
        web_settings=web_settings,
        oidc_settings=OidcSettings(),
        area=area,
    )


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/account"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return client


@pytest.fixture(scope="session")
def clients(app: FastAPI, world: World) -> Iterator[dict[Role, TestClient]]:
    """One signed-in client per role, shared by the tests that only read."""
    made = {role: TestClient(app, base_url="http://testserver") for role in Role}
    for role, client in made.items():
        sign_in(client, world.users[role])
    yield made
    for client in made.values():
        client.close()


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def client_for(app: FastAPI, world: World) -> Iterator[Callable[[Role], TestClient]]:
    """A fresh signed-in client (its own session) for tests that change things."""
    opened: list[TestClient] = []

    def make(role: Role) -> TestClient:
        client = TestClient(app, base_url="http://testserver")
        opened.append(client)
        return sign_in(client, world.users[role])

    yield make
    for client in opened:
        client.close()


def page_csrf(client: TestClient, path: str = "/account") -> str:
    return csrf_from(client.get(path).text)
