"""The survey pages over HTTP: public answer form, one use per link, CSRF, rate limit, staff results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.surveys.models import SurveyAnswer, SurveyToken
from alue.surveys.ratelimit import RateLimiter
from alue.surveys.service import hash_token
from tests.surveys.web import csrf_from, new_link, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def client(survey_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(survey_app, base_url="http://testserver") as c:
        yield c


def _responses(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(SurveyAnswer)) or 0


def test_answer_once_without_signing_in(client: TestClient, survey_engine: Engine) -> None:
    link = new_link(survey_engine, "customer", language="sv")
    page = client.get(link.url)
    assert page.status_code == 200
    assert 'lang="sv"' in page.text
    assert "Kundenkät" in page.text
    assert "<fieldset" in page.text
    assert "<legend>" in page.text
    before = _responses(survey_engine)
    data = {
        "csrf_token": csrf_from(page.text),
        "lang": "sv",
        "acc_reach": "5",
        "cx_overall": "4",
        "comment": "Tack!",
    }
    done = client.post(link.url, data=data, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/kysely/kiitos?kieli=sv"
    assert "Tack för ditt svar" in client.get(done.headers["location"]).text
    assert _responses(survey_engine) == before + 1
    with Session(survey_engine) as session:
        row = session.scalar(select(SurveyToken).where(SurveyToken.token_hash == hash_token(link.token)))
        assert row is not None
        assert row.used
    again = client.post(link.url, data=data, follow_redirects=False)
    assert again.status_code == 404
    assert "Länken har redan använts" in again.text
    assert client.get(link.url).status_code == 404
    assert _responses(survey_engine) == before + 1


def test_language_can_be_switched(client: TestClient, survey_engine: Engine) -> None:
    link = new_link(survey_engine, "staff", language="fi")
    assert "Henkilöstökysely" in client.get(link.url).text
    assert "Staff survey" in client.get(f"{link.url}?lang=en").text
    client.get(f"/language/sv?next={link.url}")
    assert "Personalenkät" in client.get(link.url).text


def test_unknown_link_is_not_found(client: TestClient) -> None:
    page = client.get("/kysely/" + "A" * 43)
    assert page.status_code == 404
    assert "Kyselylinkki ei ole voimassa" in page.text


def test_answer_without_csrf_token_is_refused(client: TestClient, survey_engine: Engine) -> None:
    link = new_link(survey_engine, "customer")
    client.get(link.url)
    refused = client.post(link.url, data={"acc_reach": "5"}, follow_redirects=False)
    assert refused.status_code == 403
    page = client.get(link.url)  # the link is still usable
    assert page.status_code == 200


def test_errors_are_linked_to_their_questions(client: TestClient, survey_engine: Engine) -> None:
    link = new_link(survey_engine, "partnership", language="fi")
    page = client.get(link.url)
    answer = client.post(
        link.url,
        data={"csrf_token": csrf_from(page.text), "part_goals": "7", "comment": "x"},
        follow_redirects=False,
    )
    assert answer.status_code == 400
    html = answer.text
    assert 'href="#active_partnership-1"' in html
    assert 'id="active_partnership-1"' in html
    assert 'aria-describedby="active_partnership-error"' in html
    assert 'aria-describedby="part_goals-hint part_goals-error"' in html
    assert 'value="x"' not in html
    assert ">x</textarea>" in html
    ok = client.post(
        link.url, data={"csrf_token": csrf_from(html), "active_partnership": "0"}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_answers_are_rate_limited_per_address(
    client: TestClient, survey_app: FastAPI, survey_engine: Engine
) -> None:
    previous = getattr(survey_app.state, "survey_rate_limiter", None)
    survey_app.state.survey_rate_limiter = RateLimiter(limit=2, window=3600)
    try:
        links = [new_link(survey_engine, "customer") for _ in range(3)]
        codes = []
        for link in links:
            token = csrf_from(client.get(link.url).text)
            codes.append(
                client.post(link.url, data={"csrf_token": token}, follow_redirects=False).status_code
            )
        assert codes == [303, 303, 429]
    finally:
        survey_app.state.survey_rate_limiter = previous


def test_rate_limiter_window() -> None:
    clock = [0.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: clock[0])
    assert limiter.allow("a")
    assert limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")
    clock[0] = 60.5
    assert limiter.allow("a")


def test_results_page_needs_sign_in_and_suppresses_small_groups(
    survey_app: FastAPI, survey_engine: Engine
) -> None:
    with TestClient(survey_app) as anonymous:
        assert anonymous.get("/surveys/results", follow_redirects=False).status_code == 303
    with TestClient(survey_app) as analyst:
        sign_in(analyst, "kysely-analyytikko")
        page = analyst.get("/surveys/results?period=2026Q1&by=municipality")
        assert page.status_code == 200
        assert "Kumppanuusaste" in page.text
        assert analyst.get("/surveys/comments", follow_redirects=False).status_code == 403


def test_comments_for_authorised_staff_are_masked(survey_app: FastAPI, survey_engine: Engine) -> None:
    with TestClient(survey_app) as respondent:
        for i in range(5):
            link = new_link(survey_engine, "vitality", municipality="684")
            token = csrf_from(respondent.get(link.url).text)
            text = f"Soittakaa 040 765 43{i:02d} kiitos"
            respondent.post(link.url, data={"csrf_token": token, "comment": text}, follow_redirects=False)
    with TestClient(survey_app) as admin:
        sign_in(admin, "kysely-paakayttaja")
        page = admin.get("/surveys/comments?kind=vitality&period=2026Q1&municipality=684")
        assert page.status_code == 200
        assert page.text.count("Soittakaa [puh] kiitos") == 5
        assert "040 765" not in page.text


def test_printable_slip_has_a_qr_code(survey_app: FastAPI) -> None:
    with TestClient(survey_app) as admin:
        sign_in(admin, "kysely-paakayttaja")
        form = admin.get("/surveys/slip")
        slip = admin.post(
            "/surveys/slip",
            data={"csrf_token": csrf_from(form.text), "municipality": "609", "language": "sv"},
        )
        assert slip.status_code == 200
        assert '<svg role="img" aria-label="QR-kod till enkäten"' in slip.text
        assert "/kysely/" in slip.text
