"""The casework pages through the application: a full journey by form posts, scope, audit, refused steps,
the plan editor, consent and referrals, worklists, caseload, fulfilment and the model card."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.casework.journey_models import CaseJourney, JourneyStatus
from alue.casework.models import CaseAssignment, EmploymentPlan
from alue.casework.synthetic import generate_history
from alue.people.models import JobseekingSpell
from alue.services.models import Consent, Partner, PartnerKind, Referral, ReferralStatus
from alue.shared import migrate
from alue.shared.audit import AuditEvent
from alue.shared.auth import Role
from alue.shared.db import make_engine
from alue.shared.time import today
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from alue.web.security import LANG_COOKIE
from tests.web.conftest import csrf_from, make_settings, sign_in
from tests.web.factories import World, build_world, make_person

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture(scope="module")
def engine_and_world(
    tmp_path_factory: pytest.TempPathFactory, area: Area
) -> Iterator[tuple[Engine, World, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('caseworkweb') / 'web.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        sync_area(session=session, area=area)
        world = build_world(session)
        session.commit()
    yield engine, world, url
    engine.dispose()


@pytest.fixture(scope="module")
def app(engine_and_world: tuple[Engine, World, str], data_dir: Path, area: Area) -> FastAPI:
    engine, _, url = engine_and_world
    return create_app(
        make_settings(url, data_dir),
        engine,
        web_settings=WebSettings(),
        oidc_settings=OidcSettings(),
        area=area,
    )


@pytest.fixture(scope="module")
def clients(app: FastAPI, engine_and_world: tuple[Engine, World, str]) -> Iterator[dict[Role, TestClient]]:
    _, world, _ = engine_and_world
    made = {role: sign_in(TestClient(app, base_url="http://testserver"), world.users[role]) for role in Role}
    yield made
    for client in made.values():
        client.close()


def token(client: TestClient, path: str) -> str:
    return csrf_from(client.get(path).text)


def post(client: TestClient, url: str, page: str, /, **data: object) -> object:
    return client.post(url, data={"csrf_token": token(client, page), **data}, follow_redirects=False)


def new_person(engine: Engine, municipality: str = "609") -> int:
    """A Pori person without a jobseeking spell (the case worker serves Pori, so the person is in scope)."""
    with Session(engine) as session:
        person = make_person(session, municipality=municipality)
        session.execute(JobseekingSpell.__table__.delete().where(JobseekingSpell.person_id == person.id))
        session.commit()
        return person.id


def test_complete_journey_through_the_pages(clients, engine_and_world) -> None:
    engine, world, _ = engine_and_world
    client = clients[Role.CASE_WORKER]
    pid = new_person(engine)
    page = f"/casework/persons/{pid}/journey"
    first = client.get(page)
    assert first.status_code == 200
    assert 'name="step" value="register"' in first.text
    day = today().isoformat()
    steps = [
        {"step": "register", "on": day, "status": "unemployed"},
        {"step": "interview", "on": day, "channel": "phone", "notes": "ok"},
        {
            "step": "assessment",
            "on": day,
            "path": "skills_development",
            "reasons": "outdated skills\nsurplus field",
            "groups": ["partial_work_ability"],
        },
    ]
    for data in steps:
        response = post(client, page, page, **data)
        assert response.status_code == 303, (data["step"], response.text[:2000])
        assert response.headers["location"] == f"{page}?saved={data['step']}"
    plan_page = f"/casework/persons/{pid}/plan"
    response = post(
        client,
        f"/casework/persons/{pid}/plan",
        plan_page,
        on=day,
        kind="employment",
        goals="Welding certificate",
        task_text=["Update CV", ""],
        task_due=[day, ""],
    )
    assert response.status_code == 303, response.text[:2000]
    response = post(
        client,
        f"/casework/persons/{pid}/plan",
        plan_page,
        on=day,
        kind="employment",
        goals="Welding certificate\nShipyard job",
        task_text=["Apply"],
        task_due=[""],
    )
    assert response.status_code == 303
    versions = client.get(plan_page).text
    assert "Shipyard job" in versions
    assert "Update CV" in versions
    for data in (
        {"step": "discussion", "on": day, "channel": "video"},
        {"step": "goal_check", "on": day},
        {"step": "outcome", "on": day, "outcome": "employed_open_market"},
    ):
        response = post(client, page, page, **data)
        assert response.status_code == 303, (data["step"], response.text[:2000])
    with Session(engine) as session:
        journey = session.scalar(select(CaseJourney).where(CaseJourney.person_id == pid))
        assert journey.status is JourneyStatus.CLOSED
        assert (
            session.scalar(
                select(func.count()).select_from(EmploymentPlan).where(EmploymentPlan.person_id == pid)
            )
            == 2
        )
        assignment = session.scalar(select(CaseAssignment).where(CaseAssignment.person_id == pid))
        assert assignment.staff_id == world.staff["worker"]
        assert assignment.end_date == today()
        actions = session.execute(
            select(AuditEvent.action, AuditEvent.object_type).where(AuditEvent.person_id == pid)
        ).all()
        assert ("create", "journey") in actions
        assert ("create", "employment_plan") in actions
        assert ("read", "journey") in actions
    final = client.get(page).text
    assert 'name="step" value="register"' in final  # closed: the next thing possible is a new registration


def test_undeclared_step_is_refused_with_the_reason(clients, engine_and_world) -> None:
    engine, _, _ = engine_and_world
    client = clients[Role.CASE_WORKER]
    pid = new_person(engine)
    page = f"/casework/persons/{pid}/journey"
    post(client, page, page, step="register", on=today().isoformat())
    client.cookies.set(LANG_COOKIE, "en")
    refused = post(client, page, page, step="discussion", on=today().isoformat())
    assert refused.status_code == 400
    assert "This step is not possible now" in refused.text
    assert "Registered" in refused.text  # the current status, by its label
    with Session(engine) as session:
        journey = session.scalar(select(CaseJourney).where(CaseJourney.person_id == pid))
        assert journey.status is JourneyStatus.REGISTERED
    empty = client.post(page, data={"csrf_token": token(client, page)}, follow_redirects=False)
    assert empty.status_code == 400  # a bare post does nothing


@pytest.mark.parametrize(
    ("lang", "refused_step", "registered_twice"),
    [
        (
            "fi",
            "Vaihe ei ole nyt mahdollinen. Asiakkuus on vaiheessa ”Ilmoittautunut”",
            "Muutosta ei tallennettu: henkilöllä",
        ),
        (
            "sv",
            "Steget är inte möjligt nu. Kundens väg är i steget ”Anmäld”",
            "Ändringen sparades inte:",
        ),
    ],
)
def test_refused_steps_are_explained_in_finnish_and_swedish(
    clients, engine_and_world, lang: str, refused_step: str, registered_twice: str
) -> None:
    engine, _, _ = engine_and_world
    client = clients[Role.CASE_WORKER]
    pid = new_person(engine)
    page = f"/casework/persons/{pid}/journey"
    client.cookies.set(LANG_COOKIE, lang)
    try:
        assert post(client, page, page, step="register", on=today().isoformat()).status_code == 303
        refused = post(client, page, page, step="discussion", on=today().isoformat())
        assert refused.status_code == 400
        assert refused_step in refused.text
        assert "This step is not possible now" not in refused.text
        # A refusal from the domain (a second registration while the spell is open) in the same language.
        again = post(client, page, page, step="register", on=today().isoformat())
        assert again.status_code == 400
        assert registered_twice in again.text
        expected = {
            "fi": "päätä se ennen uutta rekisteröintiä",
            "sv": "avsluta den innan en ny registrering",
        }[lang]
        assert expected in again.text
        assert "close it before registering again" not in again.text
    finally:
        client.cookies.set(LANG_COOKIE, "en")


def test_person_out_of_scope_is_not_found(clients, engine_and_world) -> None:
    _, world, _ = engine_and_world
    client = clients[Role.CASE_WORKER]
    for path in ("journey", "plan", "referrals"):
        assert client.get(f"/casework/persons/{world.person_out_of_scope}/{path}").status_code == 404
    response = client.post(
        f"/casework/persons/{world.person_out_of_scope}/journey",
        data={
            "csrf_token": token(client, "/casework/worklist"),
            "step": "register",
            "on": today().isoformat(),
        },
    )
    assert response.status_code == 404
    assert (
        clients[Role.ADMIN].get(f"/casework/persons/{world.person_out_of_scope}/journey").status_code == 200
    )
    assert clients[Role.ANALYST].get(f"/casework/persons/{world.person_in_scope}/journey").status_code == 403


def test_consent_referral_and_partner_view_pages(clients, engine_and_world) -> None:
    engine, world, _ = engine_and_world
    client = clients[Role.CASE_WORKER]
    pid = world.person_in_scope
    page = f"/casework/persons/{pid}/referrals"
    with Session(engine) as session:
        partner = session.scalar(select(Partner).where(Partner.kind == PartnerKind.WELLBEING_SERVICES_COUNTY))
        partner_id = partner.id
    day = today().isoformat()
    refused = post(client, page, page, action="refer", on=day, target=f"partner:{partner_id}")
    assert refused.status_code == 400
    response = post(
        client,
        f"/casework/persons/{pid}/consents",
        page,
        action="give",
        on=day,
        partner_id=partner_id,
        scope=["contact", "plan"],
    )
    assert response.status_code == 303, response.text[:2000]
    preview = client.get(f"{page}?partner={partner_id}").text
    person_hetu = world.hetu_in_scope
    assert person_hetu not in preview.split("What a partner sees")[-1]  # identity was not consented
    response = post(client, page, page, action="refer", on=day, target=f"partner:{partner_id}", notes="TYP")
    assert response.status_code == 303, response.text[:2000]
    with Session(engine) as session:
        referral = session.scalar(
            select(Referral).where(Referral.person_id == pid, Referral.partner_id == partner_id)
        )
        consent = session.scalar(
            select(Consent).where(Consent.person_id == pid, Consent.partner_id == partner_id)
        )
    response = post(
        client, page, page, action="confirm", on=day, referral_id=referral.id, receiver="Sosiaaliohjaaja S"
    )
    assert response.status_code == 303
    response = post(
        client, f"/casework/persons/{pid}/consents", page, action="withdraw", on=day, consent_id=consent.id
    )
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.get(Referral, referral.id).status == ReferralStatus.CONFIRMED
        assert session.get(Consent, consent.id).withdrawn_on == today()
    client.cookies.set(LANG_COOKIE, "en")
    assert "no consent is in force for this partner today" in client.get(f"{page}?partner={partner_id}").text


def test_worklists_caseload_and_reassignment(clients, engine_and_world) -> None:
    _, world, _ = engine_and_world
    worker, lead = clients[Role.CASE_WORKER], clients[Role.TEAM_LEAD]
    assert worker.get("/casework/worklist").status_code == 200
    assert worker.get(f"/casework/teams/{world.team_id}/worklist").status_code == 200
    assert worker.get(f"/casework/teams/{world.other_team_id}/worklist").status_code == 404
    assert worker.get(f"/casework/teams/{world.team_id}/caseload").status_code == 403
    assert lead.get(f"/casework/teams/{world.other_team_id}/caseload").status_code == 404
    caseload = lead.get(f"/casework/teams/{world.team_id}/caseload")
    assert caseload.status_code == 200
    page = f"/casework/teams/{world.team_id}/caseload"
    response = post(
        lead,
        f"/casework/teams/{world.team_id}/reassign",
        page,
        person_id=world.person_assigned_elsewhere,
        to_staff_id=world.staff["worker"],
        on=(today() + dt.timedelta(days=1)).isoformat(),
        reason="holiday cover",
    )
    assert response.status_code == 303, response.text[:2000]
    assert clients[Role.ADMIN].get("/casework/worklist").status_code == 200  # no staff member: choose a team


def test_fulfilment_and_model_card_pages(clients, engine_and_world) -> None:
    engine, _, _ = engine_and_world
    analyst = clients[Role.ANALYST]
    assert analyst.get("/casework/fulfilment").status_code == 200
    rep = clients[Role.MUNICIPAL_REP].get("/casework/fulfilment?from=2025-01-01&to=2025-12-31")
    assert rep.status_code == 200
    assert analyst.get("/casework/model").status_code == 200  # no run yet
    from alue.casework import early_identification as ei

    with Session(engine) as session:
        generate_history(session, n_people=700, seed=21)
        ei.train(
            session=session,
            cutoff=dt.date(2024, 10, 1),
            data_until=dt.date(2025, 12, 31),
            created_by="t",
            youth_age_limit=30,
        )
        session.commit()
    card = analyst.get("/casework/model")
    assert card.status_code == 200
    assert "AUC" in card.text
    worker = clients[Role.CASE_WORKER]
    _, world, _ = engine_and_world
    page = f"/casework/persons/{world.person_in_scope}/journey"
    response = post(worker, f"/casework/persons/{world.person_in_scope}/risk", page, action="score")
    assert response.status_code == 303, response.text[:3000]
    shown = worker.get(page).text
    assert "/casework/model?run=" in shown  # the estimate is shown with a link to its model card
    assert 'name="score_id"' in shown  # and the worker's and the jobseeker's views can be recorded
