"""The planning pages: each renders for a reader of aggregates, in every language, with a data table."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from alue.shared.auth import Role
from tests.web.conftest import csrf_from

PAGES = (
    "/planning/",
    "/planning/staffing",
    "/planning/financing?year=2026",
    "/planning/financing?municipality=609&year=2026",
    "/planning/effectiveness",
    "/planning/cost-sharing?year=2026",
    "/planning/cost-sharing?year=2026&key=population",
    "/planning/scenarios",
    "/planning/scenarios/example/harjavalta-metal-layoff",
)


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_with_tables(clients: dict[Role, TestClient], path: str) -> None:
    response = clients[Role.ANALYST].get(path)
    assert response.status_code == 200, response.text[:2000]
    if path not in ("/planning/", "/planning/scenarios", "/planning/cost-sharing?year=2026"):
        assert "<table" in response.text
    if "<svg" in response.text:
        assert 'role="img"' in response.text


@pytest.mark.parametrize(
    ("lang", "word"), [("fi", "Henkilöstötarve"), ("sv", "Personalbehov"), ("en", "Staffing need")]
)
def test_pages_in_three_languages(clients: dict[Role, TestClient], lang: str, word: str) -> None:
    client = clients[Role.ANALYST]
    client.get(f"/language/{lang}?next=/planning/staffing")
    response = client.get("/planning/staffing")
    assert word in response.text
    client.get("/language/fi?next=/planning/")


def test_exports_download(clients: dict[Role, TestClient]) -> None:
    base = "/planning/scenarios/example/harjavalta-metal-layoff/plan"
    pdf = clients[Role.ANALYST].get(f"{base}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    assert clients[Role.ANALYST].get(f"{base}.xlsx").status_code == 200
    assert clients[Role.ANALYST].get(f"{base}.doc").status_code == 404
    assert clients[Role.ANALYST].get("/planning/scenarios/example/..%2Fsecrets").status_code == 404


def test_municipal_rep_sees_own_municipality_only(clients: dict[Role, TestClient]) -> None:
    client = clients[Role.MUNICIPAL_REP]
    response = client.get("/planning/financing?year=2026")
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert client.get("/planning/financing?municipality=999&year=2026").status_code == 404


def test_sign_in_is_required(anonymous: TestClient) -> None:
    response = anonymous.get("/planning/staffing", follow_redirects=False)
    assert response.status_code in (302, 303, 401)


def test_saving_a_scenario_needs_the_planning_write_permission(clients: dict[Role, TestClient]) -> None:
    page = "/planning/scenarios/example/harjavalta-metal-layoff"
    save = f"{page}/save"
    # An analyst reads the scenario but is not offered the form and is refused the save.
    analyst = clients[Role.ANALYST]
    assert save not in analyst.get(page).text
    token = csrf_from(analyst.get(page).text)
    assert analyst.post(save, data={"csrf_token": token}, follow_redirects=False).status_code == 403
    # A team lead saves it; it is then listed and opens as a saved scenario.
    lead = clients[Role.TEAM_LEAD]
    text = lead.get(page).text
    assert f'action="{save}"' in text
    response = lead.post(
        save, data={"csrf_token": csrf_from(text), "notes": "Varautuminen"}, follow_redirects=False
    )
    assert response.status_code == 303
    saved = response.headers["location"]
    assert re.fullmatch(r"/planning/scenarios/\d+", saved)
    assert lead.get(saved).status_code == 200
    assert saved in lead.get("/planning/scenarios").text
