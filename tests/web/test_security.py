"""CSRF, XSS, SQL injection, login throttling, sessions, cookies and security headers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.casework.models import Channel, EmploymentPlan, Meeting, MeetingKind, PlanKind
from alue.people.models import Person
from alue.services.models import Partner, PartnerKind, Referral, ReferralStatus
from alue.shared import auth
from alue.shared.auth import Role
from alue.shared.time import today
from alue.staff.models import Delegation, Team, TeamMembership
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from alue.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import csrf_from, make_settings, page_csrf, sign_in
from tests.web.factories import PASSWORD, World, make_employer, make_person, make_staff, make_vacancy

PAYLOADS = (
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)//<b>",
)


# ----------------------------------------------------------------------------------------------- CSRF


def test_post_without_csrf_token_is_rejected(clients: dict[Role, TestClient], world: World) -> None:
    admin = clients[Role.ADMIN]
    for path, data in (
        ("/persons/search", {"query": world.hetu_in_scope}),
        ("/admin/users", {"username": "csrf-victim", "role": "admin", "password": "Pitkä-salasana-123"}),
        ("/admin/access-report", {"hetu": world.hetu_in_scope}),
        ("/logout", {}),
    ):
        assert admin.post(path, data=data).status_code == 403, path
        assert admin.post(path, data={**data, "csrf_token": "0" * 64}).status_code == 403, path
    assert admin.post("/api/v1/persons/search", json={"query": "Lahtinen"}).status_code == 403
    assert admin.get("/account").status_code == 200  # the session survived: the forged sign-out failed
    assert "csrf-victim" not in admin.get("/admin/users").text


def test_csrf_token_in_header_is_accepted(clients: dict[Role, TestClient]) -> None:
    client = clients[Role.CASE_WORKER]
    token = page_csrf(client, "/persons")
    response = client.post(
        "/persons/search", data={"query": "Lahtinen"}, headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text  # htmx gets only the results fragment
    api = client.post("/api/v1/persons/search", json={"query": "Lahtinen"}, headers={"X-CSRF-Token": token})
    assert api.status_code == 200


def test_a_token_of_another_session_is_rejected(clients: dict[Role, TestClient]) -> None:
    other_token = page_csrf(clients[Role.ADMIN], "/persons")
    response = clients[Role.CASE_WORKER].post(
        "/persons/search", data={"query": "Lahtinen", "csrf_token": other_token}
    )
    assert response.status_code == 403


def test_login_form_needs_the_pre_session_token(anonymous: TestClient, world: World) -> None:
    response = anonymous.post("/login", data={"username": world.users[Role.ADMIN], "password": PASSWORD})
    assert response.status_code == 403


# ------------------------------------------------------------------------------------------------ XSS


@pytest.fixture(scope="module")
def xss_world(web_engine: Engine, world: World) -> dict[str, str]:
    """Rows whose every text field holds a script payload, and the pages that show them."""
    p0, p1, p2, p3 = PAYLOADS
    day = today()
    with Session(web_engine) as session:
        staff = make_staff(session, first_name=p0[:80], last_name=p1[:80])
        staff.title = p2
        person = make_person(session, first_name=p0[:80], last_name=p1[:80], rich=True)
        person.street_address, person.email, person.phone = p2, p3, p1[:40]
        employer = make_employer(session, name=p0)
        vacancy = make_vacancy(session, employer=employer, title=p1)
        vacancy.description = p0 + "\n" + p2
        team = Team(
            name=f"{p2} {uuid.uuid4().hex[:6]}", service_line=staff.service_line, lead_staff_id=staff.id
        )
        session.add(team)
        session.flush()
        session.add(TeamMembership(team_id=team.id, staff_id=staff.id, start_date=day))
        session.add(
            Partner(
                name=f"{p0} {uuid.uuid4().hex[:6]}", kind=PartnerKind.NGO, description=p1, contact_email=p3
            )
        )
        session.add(
            Meeting(
                person_id=person.id,
                held_at=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC),
                kind=MeetingKind.OTHER,
                channel=Channel.VIDEO,
                notes=p0,
                staff_id=staff.id,
            )
        )
        session.add(
            EmploymentPlan(
                person_id=person.id,
                version=2,
                kind=PlanKind.EMPLOYMENT,
                made_on=day,
                obligation_per_month=2,
                goals=[p0, p1],
                tasks=[{"text": p2, "due": p3}],
            )
        )
        session.add(Referral(person_id=person.id, referred_on=day, status=ReferralStatus.SENT, notes=p1))
        session.add(
            Delegation(
                staff_id=staff.id,
                agreement_reference=p0[:120],
                tasks=["labour_policy_statement"],
                valid_from=day,
                granted_by=p1,
            )
        )
        user = auth.create_user(
            session, username=f"xss-{uuid.uuid4().hex[:6]}", role=Role.ANALYST, display_name=p0
        )
        session.commit()
        return {
            "person": f"/persons/{person.id}",
            "employer": f"/employers/{employer.id}",
            "employers": f"/employers?q={employer.name[:20]}",
            "vacancy": f"/vacancies/{vacancy.id}",
            "vacancies": "/vacancies",
            "staff": f"/staff/{staff.id}",
            "staff_list": "/staff",
            "team": f"/teams/{team.id}",
            "teams": "/teams",
            "partners": "/partners",
            "delegations": "/admin/delegations",
            "users": "/admin/users",
            "user": f"/admin/users/{user.id}",
            "api_person": f"/api/v1/persons/{person.id}",
        }


@pytest.mark.parametrize(
    "page",
    [
        "person",
        "employer",
        "employers",
        "vacancy",
        "vacancies",
        "staff",
        "staff_list",
        "team",
        "teams",
        "partners",
        "delegations",
        "users",
        "user",
    ],
)
def test_payloads_in_text_fields_render_inert(
    clients: dict[Role, TestClient], xss_world: dict[str, str], page: str
) -> None:
    response = clients[Role.ADMIN].get(xss_world[page])
    assert response.status_code == 200
    html = response.text
    shown = 0
    for payload in PAYLOADS:
        assert payload not in html, (page, payload)
        shown += (
            payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            in html
        )
    assert shown >= 1, f"no payload was shown (escaped) on {page}"
    assert "<script>alert" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")


def test_api_returns_payloads_as_json_data(
    clients: dict[Role, TestClient], xss_world: dict[str, str]
) -> None:
    response = clients[Role.ADMIN].get(xss_world["api_person"])
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["first_name"] == PAYLOADS[0][:80]


def test_reflected_search_text_and_failed_username_render_inert(
    anonymous: TestClient, clients: dict[Role, TestClient]
) -> None:
    client = clients[Role.CASE_WORKER]
    token = page_csrf(client, "/persons")
    for payload in PAYLOADS:
        response = client.post("/persons/search", data={"query": payload, "csrf_token": token})
        assert response.status_code in (200, 400)
        assert payload not in response.text
    attempt = anonymous.post(
        "/login",
        data={
            "username": PAYLOADS[1],
            "password": "x" * 12,
            "csrf_token": csrf_from(anonymous.get("/login").text),
        },
    )
    assert PAYLOADS[1] not in attempt.text
    audit_page = clients[Role.ADMIN].get("/admin/audit", params={"action": "login_failed"})
    assert PAYLOADS[1] not in audit_page.text


# -------------------------------------------------------------------------------------- SQL injection

INJECTIONS = (
    "' OR '1'='1",
    "' OR 1=1 --",
    "Lahtinen'; DROP TABLE person; --",
    "%",
    "%%",
    "__",
    "a%",
    "\\' OR 1=1",
    "1' UNION SELECT hetu FROM person --",
    "010190-900X' OR '1'='1",
    "Lah%",
    "Lah_inen",
)


def test_sql_injection_strings_in_search_are_harmless(
    clients: dict[Role, TestClient], web_engine: Engine, world: World
) -> None:
    with Session(web_engine) as session:
        people_before = session.scalar(select(func.count()).select_from(Person))
    for role in (Role.CASE_WORKER, Role.ADMIN):
        client = clients[role]
        token = page_csrf(client, "/persons")
        for query in INJECTIONS:
            response = client.post("/persons/search", data={"query": query, "csrf_token": token})
            assert response.status_code in (200, 400), (query, response.status_code)
            assert f"/persons/{world.person_out_of_scope}" not in response.text or role == Role.ADMIN
            assert "/persons/" not in response.text.split('id="results"', 1)[1], query  # nothing matches
            api = client.post(
                "/api/v1/persons/search", json={"query": query}, headers={"X-CSRF-Token": token}
            )
            assert api.status_code in (200, 422), query
            if api.status_code == 200:
                assert api.json()["results"] == [], query
        for query in INJECTIONS:  # the employer and vacancy filters take free text too
            assert client.get("/employers", params={"q": query}).status_code == 200
            assert client.get("/vacancies", params={"q": query}).status_code == 200
    with Session(web_engine) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == people_before


@pytest.mark.parametrize("cut", [(0, 6), (0, 7), (0, 8), (0, 10), (6, 11), (7, 11), (0, 4)])
def test_partial_identity_codes_find_nobody(
    clients: dict[Role, TestClient], world: World, cut: tuple[int, int]
) -> None:
    client = clients[Role.ADMIN]  # the widest scope
    partial = world.hetu_in_scope[cut[0] : cut[1]]
    token = page_csrf(client, "/persons")
    for query in (partial, partial + "%", partial + "*", partial.lower()):
        response = client.post("/persons/search", data={"query": query, "csrf_token": token})
        assert response.status_code in (200, 400), query
        assert "/persons/" not in response.text.split('id="results"', 1)[1], query
        api = client.post("/api/v1/persons/search", json={"query": query}, headers={"X-CSRF-Token": token})
        assert api.status_code == 422 or api.json()["results"] == [], query


def test_exact_identity_code_and_customer_number_find_the_person(
    clients: dict[Role, TestClient], world: World
) -> None:
    client = clients[Role.CASE_WORKER]
    token = page_csrf(client, "/persons")
    for query in (
        world.hetu_in_scope,
        world.hetu_in_scope.lower(),
        world.customer_number_in_scope,
        "lahtinen liisa",
        "Liis",
    ):
        response = client.post("/persons/search", data={"query": query, "csrf_token": token})
        assert f"/persons/{world.person_in_scope}" in response.text, query


# ----------------------------------------------------------------------------------------- throttling


def _new_user(web_engine: Engine) -> str:
    with Session(web_engine) as session:
        user = auth.create_user(
            session, username=f"throttle-{uuid.uuid4().hex[:8]}", role=Role.ANALYST, password=PASSWORD
        )
        session.commit()
        return user.username


def _attempt(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_login_is_throttled_per_username(app: FastAPI, web_engine: Engine, web_settings: WebSettings) -> None:
    username = _new_user(web_engine)
    with TestClient(app, client=("10.0.0.1", 1000)) as client:
        for _ in range(web_settings.throttle_per_username):
            assert _attempt(client, username, "wrong-password-123").status_code == 400
        blocked = _attempt(client, username, PASSWORD)  # even the right password waits
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
    with TestClient(app, client=("10.0.0.2", 1000)) as other:  # another address does not help
        assert _attempt(other, username, PASSWORD).status_code == 429


def test_login_is_throttled_per_address(
    web_engine: Engine, web_db_url: str, data_dir: Path, area: Area
) -> None:
    strict = create_app(
        make_settings(web_db_url, data_dir),
        web_engine,
        web_settings=WebSettings(throttle_per_ip=3, throttle_per_username=100),
        oidc_settings=OidcSettings(),
        area=area,
    )
    address = (f"10.77.0.{uuid.uuid4().int % 250}", 1000)
    with TestClient(strict, client=address) as client:
        for n in range(3):
            assert (
                _attempt(client, f"nobody-{n}-{uuid.uuid4().hex[:4]}", "wrong-password-123").status_code
                == 400
            )
        assert _attempt(client, f"someone-{uuid.uuid4().hex[:4]}", "wrong-password-123").status_code == 429
    with TestClient(strict, client=("10.78.0.1", 1000)) as elsewhere:
        assert _attempt(elsewhere, _new_user(web_engine), PASSWORD).status_code == 303


def test_failed_sign_in_does_not_reveal_whether_the_user_exists(anonymous: TestClient, world: World) -> None:
    unknown = _attempt(anonymous, f"ghost-{uuid.uuid4().hex[:6]}", "wrong-password-123")
    known = _attempt(anonymous, world.users[Role.ANALYST], "wrong-password-123")
    assert unknown.status_code == known.status_code == 400
    assert unknown.text.replace("ghost", "").count("error-summary") == known.text.count("error-summary")


# ---------------------------------------------------------------------------- sessions and headers


def test_sign_out_ends_the_session(app: FastAPI, world: World) -> None:
    with TestClient(app) as client:
        sign_in(client, world.users[Role.ANALYST])
        old_cookie = client.cookies.get("alue_session")
        assert client.get("/account").status_code == 200
        assert (
            client.post("/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False).status_code
            == 303
        )
    with TestClient(app, cookies={"alue_session": old_cookie or ""}) as replay:
        assert replay.get("/account", follow_redirects=False).status_code == 303


def test_sign_in_issues_a_new_session_token(app: FastAPI, world: World) -> None:
    with TestClient(app, cookies={"alue_session": "attacker-chosen-token"}) as client:
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": world.users[Role.ANALYST], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        issued = response.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
        assert len(issued) >= 40
        assert issued != "attacker-chosen-token"


def test_deactivated_user_loses_access(
    app: FastAPI, web_engine: Engine, client_for: Callable[[Role], TestClient]
) -> None:
    username = _new_user(web_engine)
    with TestClient(app) as client:
        sign_in(client, username)
        with Session(web_engine) as session:
            user = session.scalar(select(auth.User).where(auth.User.username == username))
            assert user is not None
            user.active = False
            session.commit()
        assert client.get("/account", follow_redirects=False).status_code == 303


def test_security_headers(anonymous: TestClient) -> None:
    response = anonymous.get("/login")
    headers = response.headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers  # plain HTTP: no HSTS
    assert "no-store" in headers["cache-control"]
    assert "<style" not in response.text
    assert " style=" not in response.text
    assert "<script>" not in response.text
    assert "<script src=" in response.text


def test_tls_requests_get_hsts_and_secure_cookies(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        csrf_cookie = page.headers["set-cookie"]
        assert "Secure" in csrf_cookie
        assert "HttpOnly" in csrf_cookie
        assert "SameSite=lax" in csrf_cookie
        token = csrf_from(page.text)
        response = client.post(
            "/login",
            data={"username": world.users[Role.ANALYST], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        session_cookie = response.headers["set-cookie"]
        assert session_cookie.startswith("alue_session=")
        assert "Secure" in session_cookie
        assert "HttpOnly" in session_cookie
        assert "SameSite=lax" in session_cookie


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_no_open_redirects(anonymous: TestClient, target: str) -> None:
    response = anonymous.get("/language/sv", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_password_policy() -> None:
    for weak in ("short", "aaaaaaaaaaaaaaa", "my-name-is-matti-123"):
        with pytest.raises(auth.PasswordPolicyError):
            auth.check_password_policy(weak, username="matti")
    auth.check_password_policy("Hyvä-pitkä-salasana-7", username="matti")
    assert auth.verify_password(auth.hash_password("Hyvä-pitkä-salasana-7"), "Hyvä-pitkä-salasana-7")
    assert not auth.verify_password(None, "anything-at-all-1")
    assert Decimal("1")  # keep the import list honest for the rows above
