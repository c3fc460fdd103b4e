"""Property-based API tests: schemathesis generates requests from ``/api/v1/openapi.json`` and calls the
application in process (ASGI). No generated request may cause a server error, and JSON answers must match
the declared response schemas. The examples are bounded so that the run stays short."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.shared import auth
from alue.shared.auth import Role, User
from tests.web.factories import World


@pytest.fixture(scope="module")
def admin_token(web_engine: Engine, world: World) -> str:
    with Session(web_engine) as session:
        user = session.scalar(select(User).where(User.username == world.users[Role.ADMIN]))
        assert user is not None
        token = auth.create_api_token(session, user=user, name="schemathesis", days=1)
        session.commit()
        return token


def test_api_has_no_server_errors(app: FastAPI, admin_token: str) -> None:
    """Every operation, a bounded number of generated examples each (schemathesis' pytest plugin is not
    used: its collection hooks do not match the installed pytest)."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        run()


def test_schema_covers_the_api(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert all(path.startswith("/api/v1/") for path in paths)
    assert {"/api/v1/persons/search", "/api/v1/persons/{person_id}", "/api/v1/area", "/api/v1/audit"} <= set(
        paths
    )


def test_bearer_token_and_anonymous(app: FastAPI, admin_token: str) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        assert client.get("/api/v1/me").status_code == 401
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {admin_token}"})
        assert me.status_code == 200
        assert me.json()["role"] == "admin"
        assert (
            client.get("/api/v1/me", headers={"Authorization": "Bearer alue_not-a-real-token"}).status_code
            == 401
        )
        # a bearer token needs no CSRF token: browsers never send it by themselves
        found = client.post(
            "/api/v1/persons/search",
            json={"query": "Lahtinen"},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        assert found.status_code == 200
        assert found.json()["results"]
