"""The authorisation matrix: every route of the application against every role and an anonymous caller.

The routes come from ``app.routes``; a route without exactly one declared permission stops the application
from starting, and a route with a path parameter that this test has no sample for fails here. A role that
holds the route's permission must get through (no 401/403, no server error); a role that does not must get
403; an anonymous caller is sent to sign in (pages) or gets 401 (API).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.shared.auth import ROLE_PERMISSIONS, Permission, Principal, Role
from alue.shared.time import today
from alue.staff.models import DelegatedTask, Delegation
from alue.web.app import RoutePermissionError, check_route_permissions
from alue.web.deps import iter_api_routes, route_permissions
from tests.web.conftest import csrf_from, page_csrf
from tests.web.factories import World

PLACEHOLDER = re.compile(r"\{[^}]+\}")
#: GET routes that answer an allowed caller with a redirect or a "not configured" page instead of 200
NOT_200 = {
    "/login": {303},  # a signed-in user is sent on
    "/language/{code}": {303},
    "/auth/oidc/login": {404},  # OIDC is not configured in this app
    "/auth/oidc/callback": {404},
}


def sample_paths(world: World, delegation_id: int) -> dict[str, str]:
    """A concrete URL for every route path that has parameters."""
    return {
        "/persons/{person_id}": f"/persons/{world.person_in_scope}",
        "/employers/{employer_id}": f"/employers/{world.employer_id}",
        "/vacancies/{vacancy_id}": f"/vacancies/{world.vacancy_id}",
        "/vacancies/import/{token}": "/vacancies/import/no-such-upload-token-0000",
        "/municipalities/{code}": "/municipalities/609",
        "/service-points/{key}": f"/service-points/{world.service_point_key}",
        "/staff/{staff_id}": f"/staff/{world.staff['worker']}",
        "/teams/{team_id}": f"/teams/{world.team_id}",
        "/language/{code}": "/language/sv?next=/",
        "/admin/users/{user_id}": f"/admin/users/{world.other_user_id}",
        "/admin/delegations/{delegation_id}/end": f"/admin/delegations/{delegation_id}/end",
        "/api/v1/persons/{person_id}": f"/api/v1/persons/{world.person_in_scope}",
        "/api/v1/persons/{person_id}/access-report": f"/api/v1/persons/{world.person_in_scope}/access-report",
        "/api/v1/municipalities/{code}": "/api/v1/municipalities/609",
        "/api/v1/employers/{employer_id}": f"/api/v1/employers/{world.employer_id}",
    }


def all_routes(app: FastAPI) -> list[tuple[str, str, Permission, bool]]:
    """(method, path, permission, own) for every route; ``own`` marks this package's routes."""
    found = []
    for path, route in iter_api_routes(app.routes):
        declared = route_permissions(route)
        assert len(declared) == 1, f"{path} declares {declared}"
        own = route.endpoint.__module__.startswith("alue.web.")
        found.extend((method, path, declared[0], own) for method in sorted(route.methods))
    # sign-out last: it ends the session the other requests use
    return sorted(found, key=lambda item: (item[1] == "/logout", item[1], item[0]))


def url_for(path: str, samples: dict[str, str], own: bool) -> str:
    """The sample URL; another domain's route without one gets placeholder values (authorisation is
    decided before the object is looked up, so a 404 still shows the caller got through)."""
    if path in samples:
        return samples[path]
    assert "{" not in path or not own, f"no sample URL for the route {path}: add one to sample_paths"
    return PLACEHOLDER.sub("1", path)


def request(client: TestClient, method: str, path: str, url: str, token: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if path.startswith("/api/"):
        return client.request(
            method, url, json={"query": "Lahtinen"}, headers={"X-CSRF-Token": token}, follow_redirects=False
        )
    return client.post(url, data={"csrf_token": token}, follow_redirects=False)


@pytest.fixture
def spare_delegation(web_engine: Engine, world: World) -> int:
    """A delegation the matrix may end (ending the shared one would change other tests' world)."""
    with Session(web_engine) as session:
        delegation = Delegation(
            staff_id=world.staff["mate"],
            agreement_reference=f"matrix {dt.datetime.now(tz=dt.UTC)}",
            tasks=[DelegatedTask.SANCTION_NOTICE.value],
            valid_from=today(),
        )
        session.add(delegation)
        session.commit()
        return delegation.id


def test_every_route_declares_exactly_one_permission(app: FastAPI) -> None:
    routes = all_routes(app)
    assert len(routes) > 40
    assert all(isinstance(p, Permission) for _m, _p, p, _o in routes)


def test_a_route_without_a_permission_stops_the_app(app: FastAPI) -> None:
    probe = FastAPI()
    router = APIRouter()

    @router.get("/undeclared")
    def undeclared() -> dict[str, str]:
        return {}

    probe.include_router(router)
    with pytest.raises(RoutePermissionError, match="/undeclared"):
        check_route_permissions(probe)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(
    app: FastAPI, world: World, role: Role, client_for: Callable[[Role], TestClient], spare_delegation: int
) -> None:
    client = client_for(role)
    samples = sample_paths(world, spare_delegation)
    token = page_csrf(client)
    allowed = ROLE_PERMISSIONS[role]
    checked = 0
    for method, path, permission, own in all_routes(app):
        url = url_for(path, samples, own)
        response = request(client, method, path, url, token)
        where = f"{role.value} {method} {path} -> {response.status_code}"
        assert response.status_code < 500, where
        if permission in allowed:
            assert response.status_code not in (401, 403), where
            if method == "GET" and own:
                assert response.status_code in NOT_200.get(path, {200}), where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked == len(all_routes(app))


def test_anonymous_matrix(app: FastAPI, world: World, anonymous: TestClient, spare_delegation: int) -> None:
    samples = sample_paths(world, spare_delegation)
    token = csrf_from(anonymous.get("/login").text)
    for method, path, permission, own in all_routes(app):
        if permission == Permission.PUBLIC and method == "POST":
            continue  # public forms (sign-in): covered by their own tests
        response = request(anonymous, method, path, url_for(path, samples, own), token)
        where = f"anonymous {method} {path} -> {response.status_code}"
        assert response.status_code < 500, where
        if permission == Permission.PUBLIC:
            if own:
                expected = {200} if path == "/login" else NOT_200.get(path, {200})
                assert response.status_code in expected, where
        elif path.startswith("/api/"):
            assert response.status_code == 401, where
        else:
            assert response.status_code == 303, where
            assert response.headers["location"].startswith("/login"), where


# -------------------------------------------------------------------------------- object-level scope


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.CASE_WORKER, ("person_in_scope", "person_assigned_elsewhere"), ("person_out_of_scope",)),
        (Role.TEAM_LEAD, ("person_in_scope", "person_assigned_elsewhere"), ("person_out_of_scope",)),
        (Role.ADMIN, ("person_in_scope", "person_assigned_elsewhere", "person_out_of_scope"), ()),
    ],
)
def test_person_scope_is_enforced(
    clients: dict[Role, TestClient],
    world: World,
    role: Role,
    visible: tuple[str, ...],
    hidden: tuple[str, ...],
) -> None:
    client = clients[role]
    for name in visible:
        assert client.get(f"/persons/{getattr(world, name)}").status_code == 200, name
        assert client.get(f"/api/v1/persons/{getattr(world, name)}").status_code == 200, name
    for name in hidden:  # existence is not revealed: the same 404 as for an id that does not exist
        assert client.get(f"/persons/{getattr(world, name)}").status_code == 404, name
        assert client.get(f"/api/v1/persons/{getattr(world, name)}").status_code == 404, name
    assert client.get("/persons/2147483000").status_code == 404


def test_search_results_are_scoped(clients: dict[Role, TestClient], world: World) -> None:
    client = clients[Role.CASE_WORKER]
    token = page_csrf(client, "/persons")
    inside = client.post("/persons/search", data={"query": world.hetu_in_scope, "csrf_token": token})
    outside = client.post("/persons/search", data={"query": world.hetu_out_of_scope, "csrf_token": token})
    assert f"/persons/{world.person_in_scope}" in inside.text
    assert f"/persons/{world.person_out_of_scope}" not in outside.text
    admin = clients[Role.ADMIN]
    found = admin.post(
        "/persons/search", data={"query": world.hetu_out_of_scope, "csrf_token": page_csrf(admin, "/persons")}
    )
    assert f"/persons/{world.person_out_of_scope}" in found.text


def test_municipal_representative_sees_only_own_municipality(
    clients: dict[Role, TestClient], world: World
) -> None:
    client = clients[Role.MUNICIPAL_REP]
    assert client.get("/municipalities/609").status_code == 200
    assert client.get("/municipalities/214").status_code == 403
    assert client.get(f"/service-points/{world.other_service_point_key}").status_code == 403
    assert client.get("/api/v1/municipalities/214").status_code == 403
    home = client.get("/")
    assert "/municipalities/609" in home.text
    assert "/municipalities/214" not in home.text
    area = client.get("/api/v1/area").json()
    assert [m["code"] for m in area["municipalities"]] == ["609"]


def test_principal_without_staff_link_sees_nobody(world: World) -> None:
    from alue.shared.auth import person_scope

    stray = Principal(
        user_id=1,
        username="x",
        display_name="x",
        role=Role.CASE_WORKER,
        staff_id=None,
        permissions=ROLE_PERMISSIONS[Role.CASE_WORKER],
    )
    assert str(person_scope(stray)) == "false"
