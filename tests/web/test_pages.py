"""What the pages show: the area's real municipality names, suppressed small figures, the public contacts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from alue.area.config import Area
from alue.shared.auth import Role
from tests.web.factories import ULVILA, World


def test_home_lists_the_area_municipalities_with_suppressed_small_figures(
    clients: dict[Role, TestClient], area: Area
) -> None:
    page = clients[Role.ANALYST].get("/")
    assert page.status_code == 200
    for info in area.municipalities.values():
        assert info.name_fi in page.text
    ulvila_row = page.text.split(f'href="/municipalities/{ULVILA}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="suppressed"' in ulvila_row  # 3 customers: shown as <5
    assert '<svg class="chart"' in page.text
    assert "<caption>" in page.text
    api = clients[Role.ANALYST].get("/api/v1/area").json()
    by_code = {m["code"]: m for m in api["municipalities"]}
    assert by_code[ULVILA]["registered_jobseekers"] is None
    assert by_code["609"]["registered_jobseekers"] >= 13


def test_public_employer_contacts_need_no_sign_in(anonymous: TestClient, area: Area) -> None:
    page = anonymous.get("/employer-services")
    assert page.status_code == 200
    for code, contact in area.file.employer_contacts.items():
        assert contact.email in page.text
        assert area.municipalities[code].name_fi in page.text
    assert len(anonymous.get("/api/v1/employer-contacts").json()) == len(area.file.employer_contacts)


def test_navigation_follows_the_role(clients: dict[Role, TestClient]) -> None:
    analyst = clients[Role.ANALYST].get("/").text
    assert 'href="/persons"' not in analyst
    assert 'href="/admin/users"' not in analyst
    worker = clients[Role.CASE_WORKER].get("/").text
    assert 'href="/persons"' in worker
    assert 'href="/admin/users"' not in worker
    assert 'href="/admin/audit"' in clients[Role.ADMIN].get("/").text


def test_jobseeker_page_shows_the_record(clients: dict[Role, TestClient], world: World) -> None:
    page = clients[Role.CASE_WORKER].get(f"/persons/{world.person_in_scope}").text
    for section in (
        'id="timeline"',
        'id="groups"',
        'id="occupations"',
        'id="plan"',
        'id="meetings"',
        'id="services"',
        'id="referrals"',
        'id="outcomes"',
    ):
        assert section in page
    assert '<ol class="timeline"' in page  # the history is an ordered list, not only a graphic
    assert "Hitsaaja" in page
    assert "Päivitä CV" in page
    assert "Työnhakuvalmennus" in page
    assert "Työvoimapoliittinen lausunto" in page  # the worker's delegation (R-C5)


def test_delegated_authority_depends_on_the_delegation(clients: dict[Role, TestClient], world: World) -> None:
    mate = clients[Role.ADMIN].get(f"/staff/{world.staff['mate']}").text
    state = clients[Role.ADMIN].get(f"/staff/{world.staff['state']}").text
    assert "Valtiolta siirtyneellä henkilöstöllä on toimivalta lain nojalla." in state
    assert "Starttirahapäätös" in state  # every delegated task by law
    assert "Starttirahapäätös" not in mate.split("Toimivallan siirrot", 1)[0]


def test_admin_creates_a_user_and_a_delegation(client_for, world: World) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from tests.web.conftest import page_csrf

    admin = client_for(Role.ADMIN)
    name = f"uusi-{uuid.uuid4().hex[:6]}"
    token = page_csrf(admin, "/admin/users/new")
    created = admin.post(
        "/admin/users",
        data={
            "username": name,
            "role": "municipal_rep",
            "municipalities": ["609"],
            "password": "Pitkä-ja-hyvä-salasana-2",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert name in admin.get("/admin/users").text
    missing = admin.post(
        "/admin/users", data={"username": name + "x", "role": "case_worker", "csrf_token": token}
    )
    assert missing.status_code == 400  # a case worker needs a staff member
    added = admin.post(
        "/admin/delegations",
        data={
            "staff_id": str(world.staff["employer"]),
            "agreement_reference": "Kh 1/2026",
            "tasks": ["startup_grant_decision"],
            "valid_from": "2026-01-01",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "Kh 1/2026" in admin.get("/admin/delegations").text
