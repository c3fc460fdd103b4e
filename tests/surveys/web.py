"""An application with its own database for the survey page tests (HTTP and browser)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.settings import Settings
from alue.shared import migrate
from alue.shared.auth import Role, create_user
from alue.shared.db import make_engine
from alue.surveys.service import Dimensions, IssuedLink, issue
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings

SECRET = "test-secret-key-for-the-survey-tests-0123456789"  # noqa: S105 (tests only)
PASSWORD = "Kysely-salasana-2026!"  # noqa: S105 (a test account)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def build_engine(directory: Path, area: Area) -> Engine:
    """A migrated SQLite database with the area and two staff accounts (analyst, administrator)."""
    engine = make_engine(f"sqlite:///{directory / 'web.db'}")
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        sync_area(session=session, area=area)
        create_user(session, username="kysely-analyytikko", role=Role.ANALYST, password=PASSWORD)
        create_user(session, username="kysely-paakayttaja", role=Role.ADMIN, password=PASSWORD)
        session.commit()
    return engine


def build_app(engine: Engine, data_dir: Path, area: Area) -> FastAPI:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, secret_key=SECRET, environment="development", data_dir=data_dir)
    return create_app(
        settings,
        engine,
        web_settings=WebSettings(throttle_per_ip=1000, secure_cookies="never"),
        oidc_settings=OidcSettings(),
        area=area,
    )


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, username: str) -> TestClient:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/account"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return client


def new_link(engine: Engine, kind: str, language: str = "fi", municipality: str | None = "609") -> IssuedLink:
    with Session(engine) as session:
        link = issue(
            session=session,
            kind=kind,
            dimensions=Dimensions("2026-03", municipality, "job_brokerage"),
            language=language,
            base_url="",
        )
        session.commit()
    return link
