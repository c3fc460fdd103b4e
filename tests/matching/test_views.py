# ruff: noqa: F811  (the web fixtures are imported, and pytest passes them by name)
"""Matching pages and API: scope, audit, suppression and the score explained in the reader's language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.matching.views import clear_cache
from alue.shared.audit import AuditEvent
from alue.shared.auth import Role
from tests.web.conftest import (  # noqa: F401 (fixtures)
    app,
    clients,
    web_db_url,
    web_engine,
    web_settings,
    world,
)
from tests.web.factories import World


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def audit_rows(engine: Engine, **where: object) -> list[AuditEvent]:
    with Session(engine) as session:
        query = select(AuditEvent).where(*(getattr(AuditEvent, k) == v for k, v in where.items()))
        return list(session.scalars(query.order_by(AuditEvent.id)))


def details(row: AuditEvent) -> dict[str, Any]:
    value = row.details
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def test_a_jobseekers_suitable_vacancies_are_explained_and_audited(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    client = clients[Role.CASE_WORKER]
    before = len(audit_rows(web_engine, person_id=world.person_in_scope, purpose="job_brokerage"))
    page = client.get(f"/persons/{world.person_in_scope}/matches")
    assert page.status_code == 200
    assert f'href="/vacancies/{world.vacancy_id}"' in page.text
    assert "Sopivat työpaikat" in page.text
    assert "Ammatti</strong>" in page.text
    assert "Työmatka</strong>" in page.text
    after = audit_rows(web_engine, person_id=world.person_in_scope, purpose="job_brokerage")
    assert len(after) == before + 1
    assert world.vacancy_id in details(after[-1])["vacancy_ids"]
    # the person page links here
    assert (
        f'href="/persons/{world.person_in_scope}/matches"'
        in client.get(f"/persons/{world.person_in_scope}").text
    )


def test_the_explanation_follows_the_language(clients: dict[Role, TestClient], world: World) -> None:
    client = clients[Role.CASE_WORKER]
    client.get("/language/sv")
    try:
        page = client.get(f"/persons/{world.person_in_scope}/matches")
    finally:
        client.get("/language/fi")
    assert "Lämpliga jobb" in page.text
    assert "Yrke</strong>" in page.text
    assert "Pendling</strong>" in page.text


def test_a_person_outside_the_scope_is_not_found(clients: dict[Role, TestClient], world: World) -> None:
    assert clients[Role.CASE_WORKER].get(f"/persons/{world.person_out_of_scope}/matches").status_code == 404
    assert clients[Role.ANALYST].get(f"/persons/{world.person_in_scope}/matches").status_code == 403
    api = clients[Role.CASE_WORKER].get(f"/api/v1/jobseekers/{world.person_out_of_scope}/matches")
    assert api.status_code == 404


def test_candidates_are_limited_to_the_callers_scope(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    admin = clients[Role.ADMIN].get(f"/vacancies/{world.vacancy_id}/candidates")
    assert admin.status_code == 200
    assert f'href="/persons/{world.person_in_scope}"' in admin.text
    worker = clients[Role.CASE_WORKER].get(f"/vacancies/{world.vacancy_id}/candidates")
    assert f'href="/persons/{world.person_in_scope}"' in worker.text
    assert "Ulkopuolinen" not in worker.text  # a Kankaanpää customer the worker does not serve
    rows = audit_rows(web_engine, object_type="vacancy", object_id=str(world.vacancy_id))
    assert rows
    assert world.person_in_scope in details(rows[-1])["person_ids"]


def test_employer_services_see_candidates_without_names(
    clients: dict[Role, TestClient], world: World
) -> None:
    page = clients[Role.EMPLOYER_SERVICES].get(f"/vacancies/{world.vacancy_id}/candidates")
    assert page.status_code == 200
    assert "Lahtinen" not in page.text
    assert 'href="/persons/' not in page.text
    data = clients[Role.EMPLOYER_SERVICES].get(f"/api/v1/vacancies/{world.vacancy_id}/matches").json()
    assert all(c["person_id"] is None for c in data)


def test_the_api_gives_the_parts(clients: dict[Role, TestClient], world: World) -> None:
    data = clients[Role.CASE_WORKER].get(f"/api/v1/jobseekers/{world.person_in_scope}/matches").json()
    assert data, "the welder vacancy suits the welder"
    first = next(m for m in data if m["vacancy_id"] == world.vacancy_id)
    assert 0 < first["score"] <= 1
    keys = [p["key"] for p in first["parts"]]
    assert "occupation" in keys
    assert "commute" in keys
    assert all(p["explanation"] for p in first["parts"])
    assert abs(sum(p["weight"] * p["value"] for p in first["parts"]) - first["score"]) < 0.05


def test_shortage_and_reskilling_pages(clients: dict[Role, TestClient]) -> None:
    client = clients[Role.ANALYST]
    page = client.get("/matching/shortage")
    assert page.status_code == 200
    assert "Pula- ja ylitarjonta-ammatit" in page.text
    assert "pula" in page.text
    assert "ylitarjonta" in page.text
    surplus = client.get("/matching/shortage", params={"status": "surplus"})
    assert surplus.status_code == 200
    assert "<td>pula</td>" not in surplus.text
    assert "<td>ylitarjonta</td>" in surplus.text
    assert client.get("/matching/shortage", params={"status": "nonsense"}).status_code == 400
    assert client.get("/matching/reskilling").status_code == 200
    assert client.get("/matching/").status_code == 200
    paths = client.get("/api/v1/reskilling-paths").json()
    assert isinstance(paths, list)
    assert paths
    assert all(p["jobseekers_served"] in (None, 0) or p["jobseekers_served"] >= 5 for p in paths)


def test_an_unknown_vacancy_is_not_found(clients: dict[Role, TestClient]) -> None:
    for role in (Role.ADMIN, Role.EMPLOYER_SERVICES, Role.CASE_WORKER):
        assert clients[role].get("/vacancies/999999/candidates").status_code == 404
        assert clients[role].get("/api/v1/vacancies/999999/matches").status_code == 404


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_message_of_the_matching_pages_is_translated(lang: str) -> None:
    import re
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from alue.matching import i18n

    root = Path(i18n.__file__).parent
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        root,
        [("**/templates/**.html", "jinja2"), ("views.py", "python"), ("api.py", "python")],
        keywords={"_": None, "gettext": (2,), "N_": None},
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    with i18n.po_path(lang).open("rb") as handle:
        catalogue = {m.id: m.string for m in read_po(handle, locale=lang) if m.id}
    assert len(found) > 50
    assert sorted(found - set(catalogue)) == []
    placeholder = re.compile(r"%\((\w+)\)s")
    for message in found:
        assert catalogue[message], message
        assert set(placeholder.findall(catalogue[message])) == set(placeholder.findall(message)), message
