"""The scorecard's pages, Excel export and API: who may see them, what they show, and that no figure about
fewer than five persons leaves through any of them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.people.models import SpellEndReason, Status
from alue.scorecard.facts import rebuild
from alue.scorecard.models import FactIndicator
from alue.settings import Settings
from alue.shared import migrate
from alue.shared.auth import Role, create_user
from alue.shared.db import make_engine
from alue.surveys.service import Dimensions, issue, submit
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from tests.surveys.helpers import NOW

from .factories import add_episode, add_spell, end_spell, make_person

PASSWORD = "Mittaristo-testi-2026!"  # noqa: S105 — a synthetic test account
SECRET = "scorecard-view-tests-secret-key-0123456789abcdef"  # noqa: S105
D = dt.date
SMALL = "747"  # Siikainen: three people only


def build_area(session: Session) -> None:
    """Pori 60, Ulvila 15 and Siikainen 3 people whose unemployment starts in 2025; every third finds work."""
    plan = {"609": 60, "886": 15, SMALL: 3}
    for code, n in plan.items():
        for i in range(n):
            person = make_person(
                session, municipality=code, birth_date=D(1960, 1, 1) + dt.timedelta(days=211 * i)
            )
            start = D(2025, 1 + i % 9, 1 + i % 20)
            if i % 3 == 0:
                end = start + dt.timedelta(days=40)
                spell = add_spell(session, person, [(Status.UNEMPLOYED, start, end)])
                end_spell(session, spell, end, SpellEndReason.EMPLOYED_OPEN_MARKET)
                add_episode(session, person, end + dt.timedelta(days=1), None)
            else:
                add_spell(session, person, [(Status.UNEMPLOYED, start, None)])


#: Customer answers collected in Pori in June 2025: accessibility 4 (five answers) and 5 (one) → 25 / 6
ANSWERS = [{"acc_reach": "4", "acc_language": "4", "acc_timely": "4"}] * 5 + [{"acc_reach": "5"}]


def collect_answers(session: Session) -> None:
    for form in ANSWERS:
        link = issue(session=session, kind="customer", dimensions=Dimensions("2025-06", "609"), now=NOW)
        submit(session=session, token=link.token, form=form, now=NOW)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, area: Area) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('scviews')) / 'web.db'}")
    migrate.upgrade(engine)
    with Session(engine) as session:
        sync_area(session=session, area=area)
        build_area(session)
        collect_answers(session)
        rebuild(session=session, area=area, as_of=D(2025, 12, 31))
        create_user(session, username="analyytikko", role=Role.ANALYST, password=PASSWORD)
        create_user(
            session,
            username="pori-edustaja",
            role=Role.MUNICIPAL_REP,
            password=PASSWORD,
            municipality_codes=["609"],
        )
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(engine: Engine, area: Area, data_dir: Path) -> FastAPI:
    settings = Settings(
        database_url=str(engine.url), secret_key=SECRET, environment="development", data_dir=data_dir
    )
    return create_app(
        settings,
        engine,
        web_settings=WebSettings(throttle_per_ip=1000),
        oidc_settings=OidcSettings(),
        area=area,
    )


def signed_in(app: FastAPI, username: str) -> TestClient:
    import re

    client = TestClient(app, base_url="http://testserver")
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/account"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


@pytest.fixture(scope="module")
def analyst(app: FastAPI) -> Iterator[TestClient]:
    client = signed_in(app, "analyytikko")
    yield client
    client.close()


def test_scorecard_page_groups_indicators_by_priority(analyst: TestClient) -> None:
    page = analyst.get("/scorecard/?period=2025")
    assert page.status_code == 200
    html = page.text
    assert "Suomen paras työllisyysalue" in html
    for number in range(1, 6):
        assert f'id="priority-{number}"' in html
    assert "Virtaama yli 3 kk työttömyyteen" in html
    assert "Työhön jääminen 3 kk / 6 kk (3 kk)" in html
    assert html.count('role="img"') >= 14  # a trend chart per indicator (variant)
    assert "/scorecard/definitions#inflow_over_3_months" in html
    assert analyst.get("/scorecard/").status_code == 200  # the latest period by default


def test_scorecard_shows_the_mean_of_collected_survey_answers(analyst: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        fact = session.scalar(
            select(FactIndicator).where(
                FactIndicator.indicator_id == "accessibility",
                FactIndicator.period == "2025",
                FactIndicator.municipality_code == "*",
                FactIndicator.service_line == "*",
            )
        )
    assert fact is not None
    assert (fact.persons, fact.suppression) == (6, "")
    assert fact.value == pytest.approx(25 / 6)
    api = analyst.get("/api/v1/scorecard?period=2025").json()
    accessibility = next(i for i in api["indicators"] if i["indicator_id"] == "accessibility")
    assert accessibility["value"] == pytest.approx(4.167)
    assert accessibility["persons"] == 6
    assert accessibility["status"] == "met"  # target: mean ≥ 4.0
    page = analyst.get("/scorecard/indicator?id=accessibility&period=2025")
    assert page.status_code == 200
    assert "4,17" in page.text  # a mean is shown with two decimals, Finnish style


def test_indicator_definitions_and_month_end_pages(analyst: TestClient) -> None:
    page = analyst.get("/scorecard/indicator?id=inflow_over_3_months&period=2025")
    assert page.status_code == 200
    assert "Kuntavertailu" in page.text
    assert "Pori" in page.text
    assert "Siikainen" in page.text
    assert analyst.get("/scorecard/indicator?id=no_such_indicator").status_code == 404
    definitions = analyst.get("/scorecard/definitions")
    assert definitions.status_code == 200
    assert 'id="staff_experience"' in definitions.text
    month = analyst.get("/scorecard/month-end?month=2025-06")
    assert month.status_code == 200
    assert "Pitkäaikaistyöttömät" in month.text


def test_small_municipality_is_suppressed_in_page_api_and_export(analyst: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        small = session.scalar(
            select(FactIndicator).where(
                FactIndicator.indicator_id == "inflow_over_3_months",
                FactIndicator.period == "2025",
                FactIndicator.municipality_code == SMALL,
                FactIndicator.customer_group == "*",
            )
        )
        assert small is not None
        assert small.persons == 3
        assert small.suppression == "primary"
    api = analyst.get("/api/v1/scorecard/municipalities?id=inflow_over_3_months&period=2025").json()
    rows = {r["municipality_code"]: r for r in api["municipalities"]}
    assert rows[SMALL]["value"] is None
    assert rows[SMALL]["persons"] is None
    assert rows[SMALL]["suppressed"]
    assert rows["609"]["value"] is not None
    whole = analyst.get("/api/v1/scorecard?period=2025&municipality=747").json()
    assert all(i["value"] is None or i["persons"] is None or i["persons"] >= 5 for i in whole["indicators"])

    export = analyst.get("/scorecard/export.xlsx?period=2025")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    sheet = book.worksheets[1]
    siikainen = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Siikainen")
    assert siikainen[1] == "–"  # inflow, the first indicator


def test_every_shown_cell_rests_on_five_or_more_and_no_single_cell_can_be_recovered(engine: Engine) -> None:
    with Session(engine) as session:
        facts = list(session.scalars(select(FactIndicator).where(FactIndicator.unit == "person")))
    assert facts
    shown = [f for f in facts if not f.suppression]
    for f in shown:
        assert not 0 < f.persons < 5, f
        assert not 0 < f.outcome_persons < 5, f
        assert not 0 < f.persons - f.outcome_persons < 5, f
    families: dict[tuple[str, str, str, str], list[FactIndicator]] = {}
    for f in facts:
        if f.service_line == "*":
            families.setdefault((f.indicator_id, f.variant, f.period, f.customer_group), []).append(f)
    for cells in families.values():
        total = next((f for f in cells if f.municipality_code == "*"), None)
        parts = [f for f in cells if f.municipality_code != "*"]
        if total is None or total.suppression:
            continue
        hidden = [f for f in parts if f.suppression]
        remainder = total.persons - sum(f.persons for f in parts)
        assert not (len(hidden) == 1 and remainder <= 0), (total, hidden)


def test_access_by_role(app: FastAPI) -> None:
    rep = signed_in(app, "pori-edustaja")
    page = rep.get("/scorecard/indicator?id=inflow_over_3_months&period=2025")
    assert page.status_code == 200
    assert "Siikainen" not in page.text
    assert rep.get("/scorecard/?municipality=747").status_code == 404
    assert rep.get("/scorecard/?municipality=609").status_code == 200
    rep.close()
    with TestClient(app, base_url="http://testserver") as anonymous:
        assert anonymous.get("/api/v1/scorecard").status_code == 401
        assert anonymous.get("/scorecard/", follow_redirects=False).status_code in (302, 303, 307)
