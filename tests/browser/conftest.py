"""One live server and one Chromium for the whole browser-test session.

The server runs the application in a thread (uvicorn) on a free loopback port against its own SQLite
database with a synthetic area. Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright; nothing is
downloaded.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.people.models import Status
from alue.shared import migrate
from alue.shared.db import make_engine
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from tests.web.conftest import make_settings
from tests.web.factories import World, build_world, make_person

CHROMIUM = os.environ.get("ALUE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def browser_world(
    tmp_path_factory: pytest.TempPathFactory, area: Area, data_dir: Path
) -> Iterator[tuple[str, World]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browserdb') / 'browser.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "heads")
    rng = random.Random(7)
    with Session(engine) as session:
        sync_area(session=session, area=area)
        world = build_world(session)
        # enough customers in most municipalities for figures that are shown (the smallest stay suppressed)
        for code in area.municipalities:
            for _ in range(rng.choice((2, 6, 9, 14, 25)) if code != "609" else 60):
                make_person(
                    session,
                    municipality=code,
                    status=Status.UNEMPLOYED if rng.random() < 0.7 else Status.PART_TIME,
                    birth=dt.date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                )
        session.commit()
    app = create_app(
        make_settings(url, data_dir),
        engine,
        web_settings=WebSettings(),
        oidc_settings=OidcSettings(),
        area=area,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
