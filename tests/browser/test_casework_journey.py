"""A case worker walks a complete customer journey in Chromium — registration, initial interview,
service-need assessment, employment plan (two versions), job-search discussion, three-month goal check,
outcome — and every casework page passes axe-core in Finnish, Swedish and English."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.casework import early_identification as ei
from alue.casework.journey_models import CaseJourney, JourneyStatus, JourneyStep
from alue.casework.synthetic import generate_history
from alue.people.models import JobseekingSpell
from alue.shared import migrate
from alue.shared.auth import Role
from alue.shared.db import make_engine
from alue.shared.time import today
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from tests.browser.conftest import _free_port
from tests.browser.test_accessibility import LANGUAGES, assert_accessible, sign_in, switch_language
from tests.web.conftest import make_settings
from tests.web.factories import World, build_world, make_person


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, area: Area, data_dir: Path
) -> Iterator[tuple[str, World, Any, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('casework-browser') / 'browser.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        sync_area(session=session, area=area)
        world = build_world(session)
        person = make_person(session, first_name="Reetta", last_name="Rekisteröityjä")
        session.execute(JobseekingSpell.__table__.delete().where(JobseekingSpell.person_id == person.id))
        generate_history(session, n_people=500, seed=3)
        ei.train(
            session=session,
            cutoff=dt.date(2024, 10, 1),
            data_until=dt.date(2025, 12, 31),
            created_by="test",
            youth_age_limit=30,
        )
        session.commit()
        person_id = person.id
    app = create_app(
        make_settings(url, data_dir),
        engine,
        web_settings=WebSettings(),
        oidc_settings=OidcSettings(),
        area=area,
    )
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world, engine, person_id
    uv.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def submit_step(page: Any, step: str) -> None:
    with page.expect_navigation():
        page.click(f"form:has(input[name=step][value={step}]) button[type=submit]")
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()


def test_case_worker_walks_a_complete_journey(browser: Any, server: tuple[str, World, Any, int]) -> None:
    base, world, engine, person_id = server
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, base, world.users[Role.CASE_WORKER])
        switch_language(page, "en")
        journey = f"{base}/casework/persons/{person_id}/journey"
        page.goto(journey)
        assert_accessible(page, "journey before registration")
        submit_step(page, "register")
        assert page.locator("li[aria-current=step]").inner_text().startswith("Registered")
        page.select_option("#interview-channel", "phone")
        page.fill("#interview-notes", "Job-search profile created.")
        submit_step(page, "interview")
        assert_accessible(page, "journey, assessment form")
        page.check("#path-skills_development")
        page.fill("#assessment-reasons", "Outdated skills\nSurplus field")
        page.check("#group-partial_work_ability")
        submit_step(page, "assessment")

        page.click("a[href$='/plan'].button")
        page.wait_for_url(f"{base}/casework/persons/{person_id}/plan")
        assert_accessible(page, "plan editor")
        page.fill("#plan-goals", "Welding certificate")
        page.fill("#task-1", "Update the CV")
        page.fill("#due-1", (today() + dt.timedelta(days=14)).isoformat())
        with page.expect_navigation():
            page.click("form[action$='/plan'] button[type=submit]")
        assert page.locator(".error-summary").count() == 0
        page.fill("#plan-goals", "Welding certificate\nWork at the Pori shipyard")
        with page.expect_navigation():
            page.click("form[action$='/plan'] button[type=submit]")
        assert page.locator("details summary").count() == 2  # both versions kept
        assert_accessible(page, "plan with two versions")

        page.goto(journey)
        submit_step(page, "discussion")
        with page.expect_navigation():
            page.click("form[action$='/risk'] button[type=submit]")  # estimate now
        assert page.locator("a[href^='/casework/model?run=']").count() == 1
        page.check("#worker-disagree")
        page.fill("#worker-reason", "Has a job offer from next month")
        with page.expect_navigation():
            page.click("form:has(input[name=action][value=review]) button[type=submit]")
        assert_accessible(page, "journey with an estimate")
        submit_step(page, "goal_check")
        page.select_option("#outcome-value", "employed_open_market")
        submit_step(page, "outcome")
        assert page.locator("li[aria-current=step]").inner_text().startswith("Closed")
        rows = page.locator("table:has(caption:text('Every step with who and when')) tbody tr")
        assert (
            rows.count() == 8
        )  # registration, interview, assessment, plan ×2, discussion, goal check, outcome
    finally:
        context.close()
    with Session(engine) as session:
        stored = session.scalar(select(CaseJourney).where(CaseJourney.person_id == person_id))
        assert stored.status is JourneyStatus.CLOSED
        from alue.casework import journey as jr

        steps = [e.step for e in jr.events(session=session, journey_id=stored.id)]
        assert steps.count(JourneyStep.PLAN) == 2
        assert steps[-1] is JourneyStep.OUTCOME


def test_casework_pages_are_accessible_in_three_languages(
    browser: Any, server: tuple[str, World, Any, int]
) -> None:
    base, world, _engine, _person = server
    pages = {
        Role.CASE_WORKER: [
            "/casework/worklist",
            f"/casework/teams/{world.team_id}/worklist",
            f"/casework/persons/{world.person_in_scope}/journey",
            f"/casework/persons/{world.person_in_scope}/plan",
            f"/casework/persons/{world.person_in_scope}/referrals",
            f"/casework/persons/{world.person_in_scope}/referrals?partner=1",
            "/casework/fulfilment",
            "/casework/model",
        ],
        Role.TEAM_LEAD: [f"/casework/teams/{world.team_id}/caseload"],
    }
    for role, paths in pages.items():
        context = browser.new_context()
        page = context.new_page()
        try:
            sign_in(page, base, world.users[role])
            for lang in LANGUAGES:
                switch_language(page, lang)
                for path in paths:
                    response = page.goto(base + path)
                    assert response is not None, path
                    assert response.status == 200, f"{role.value} {lang} {path}"
                    assert page.get_attribute("html", "lang") == lang
                    assert_accessible(page, f"{role.value} {lang} {path}")
        finally:
            context.close()
