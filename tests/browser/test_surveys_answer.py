"""Answering every survey in Finnish and in Swedish in a real browser, with axe on every survey page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.surveys.models import SurveyAnswer
from tests.surveys.web import build_app, build_engine, new_link

pytestmark = [pytest.mark.browser, pytest.mark.db]

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: one complete answer per survey: (question id, value) pairs clicked in the form
ANSWERS = {
    "customer": [("acc_reach", "4"), ("acc_language", "5"), ("cx_overall", "5")],
    "staff": [("staff_workload", "8"), ("staff_overall", "9")],
    "vitality": [("vit_workforce", "7"), ("vit_overall", "8")],
    "partnership": [("active_partnership", "1"), ("part_goals", "4")],
}
THANKS = {"fi": "Kiitos vastauksestasi!", "sv": "Tack för ditt svar!"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def survey_engine(tmp_path_factory: pytest.TempPathFactory, area: Area) -> Iterator[Engine]:
    engine = build_engine(tmp_path_factory.mktemp("surveybrowser"), area)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def survey_app(survey_engine: Engine, data_dir: Path, area: Area) -> FastAPI:
    return build_app(survey_engine, data_dir, area)


@pytest.fixture(scope="module")
def base_url(survey_app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(survey_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# The browser itself is the session-wide ``browser`` fixture of tests/browser/conftest.py: one Playwright
# per process (a second sync Playwright in the same process fails).


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone first
    page = context.new_page()
    yield page
    context.close()


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    result = axe_module.Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in result.response["violations"]]


def _answers(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(SurveyAnswer)) or 0


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("kind", list(ANSWERS))
def test_answer_survey(page, base_url: str, survey_engine: Engine, kind: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    link = new_link(survey_engine, kind, language=lang)
    page.goto(base_url + link.url)
    assert page.locator("html").get_attribute("lang") == lang
    assert _violations(page) == []
    before = _answers(survey_engine)
    for question, value in ANSWERS[kind]:
        page.locator(f'label[for="{question}-{value}"]').click()
        assert page.locator(f"#{question}-{value}").is_checked()
    page.fill("#comment", "Hyvä palvelu, soita 040 123 4567" if lang == "fi" else "Bra service")
    page.locator("form.survey-form button[type=submit]").click()
    page.wait_for_url("**/kysely/kiitos**")
    assert page.locator("h1").inner_text() == THANKS[lang]
    assert _violations(page) == []
    assert _answers(survey_engine) == before + 1
    # the link cannot be used again
    page.goto(base_url + link.url)
    assert page.locator("h1").inner_text() in ("Kyselylinkki ei ole voimassa", "Enkätlänken är inte giltig")


def test_errors_are_announced_and_pass_axe(page, base_url: str, survey_engine: Engine) -> None:  # type: ignore[no-untyped-def]
    link = new_link(survey_engine, "partnership", language="sv")
    page.goto(base_url + link.url)
    page.locator("form.survey-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert "Svara på den här frågan." in page.locator(".error-summary").inner_text()
    fieldset = page.locator("fieldset", has=page.locator("#active_partnership-1"))
    assert "active_partnership-error" in (fieldset.get_attribute("aria-describedby") or "")
    assert _violations(page) == []
    page.locator(".error-summary a").first.click()
    page.locator('label[for="active_partnership-0"]').click()
    page.locator("form.survey-form button[type=submit]").click()
    page.wait_for_url("**/kysely/kiitos**")


def test_language_switch_in_the_header(page, base_url: str, survey_engine: Engine) -> None:  # type: ignore[no-untyped-def]
    link = new_link(survey_engine, "customer", language="fi")
    page.goto(base_url + link.url)
    assert page.locator("h1").inner_text() == "Asiakaskysely"
    page.locator('.lang-switch a[lang="sv"]').click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Kundenkät"
    assert _violations(page) == []
