"""OIDC sign-in (authorization code + PKCE) against an in-process fake identity provider.

The fake issuer serves a discovery document, a JWKS with a freshly generated RSA key and a token endpoint
that checks the PKCE verifier; the application reaches it through an ``httpx.MockTransport``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.shared import auth
from alue.shared.auth import Role, User
from alue.web.app import create_app
from alue.web.config import OidcSettings, WebSettings
from tests.web.conftest import make_settings

ISSUER = "https://idp.example.test"
CLIENT_ID = "alue-staff"


class FakeIssuer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "key-1"
        self.codes: dict[str, dict[str, Any]] = {}
        self.overrides: dict[str, Any] = {}  # claims to change in the next ID token
        self.signing_key: Any = None  # sign with another key (a forged token)

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        if path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return httpx.Response(
                200, json={"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}
            )
        if path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
            if (
                grant is None
                or form.get("client_id") != CLIENT_ID
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                return httpx.Response(400, json={"error": "invalid_grant"})
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "PKCE"})
            now = int(time.time())
            claims = {
                "iss": ISSUER,
                "aud": CLIENT_ID,
                "sub": grant["sub"],
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                "preferred_username": grant["username"],
                **self.overrides,
            }
            token = jwt.encode(
                claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": self.kid}
            )
            return httpx.Response(200, json={"access_token": "x", "token_type": "Bearer", "id_token": token})
        return httpx.Response(404)

    def authorize(self, location: str, *, sub: str, username: str) -> tuple[str, str]:
        """What the provider does after the user signs in there: a code bound to the PKCE challenge."""
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == CLIENT_ID
        assert query["code_challenge_method"] == "S256"
        assert len(query["code_challenge"]) == 43
        code = uuid.uuid4().hex
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "nonce": query["nonce"],
            "sub": sub,
            "username": username,
            "redirect_uri": query["redirect_uri"],
        }
        return code, query["state"]


@pytest.fixture
def fake() -> FakeIssuer:
    return FakeIssuer()


@pytest.fixture
def oidc_app(
    fake: FakeIssuer, web_engine: Engine, web_db_url: str, data_dir: Path, area: Area, world: object
) -> FastAPI:
    http = httpx.Client(transport=httpx.MockTransport(fake.handler))
    return create_app(
        make_settings(web_db_url, data_dir),
        web_engine,
        web_settings=WebSettings(),
        oidc_settings=OidcSettings(issuer=ISSUER, client_id=CLIENT_ID),
        oidc_http=http,
        area=area,
    )


@pytest.fixture
def account(web_engine: Engine) -> Iterator[str]:
    with Session(web_engine) as session:
        user = auth.create_user(
            session, username=f"oidc-{uuid.uuid4().hex[:8]}", role=Role.ANALYST
        )  # no password
        session.commit()
        yield user.username


def start(client: TestClient) -> str:
    response = client.get("/auth/oidc/login", params={"next": "/account"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"{ISSUER}/authorize?")
    return response.headers["location"]


def test_sign_in_links_the_account_and_reuses_the_link(
    oidc_app: FastAPI, fake: FakeIssuer, account: str, web_engine: Engine
) -> None:
    subject = f"sub-{uuid.uuid4().hex[:6]}"
    with TestClient(oidc_app) as client:
        assert "/auth/oidc/login" in client.get("/login").text  # the button is shown when configured
        code, state = fake.authorize(start(client), sub=subject, username=account)
        done = client.get(
            "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/account"
        assert client.get("/account").status_code == 200
    with Session(web_engine) as session:
        user = session.scalar(select(User).where(User.username == account))
        assert user is not None
        assert user.oidc_subject == f"{ISSUER}|{subject}"
    with TestClient(oidc_app) as again:  # next time the subject alone finds the account
        code, state = fake.authorize(start(again), sub=subject, username="a-changed-username")
        assert (
            again.get(
                "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
            ).status_code
            == 303
        )


def test_state_mismatch_is_refused(oidc_app: FastAPI, fake: FakeIssuer, account: str) -> None:
    with TestClient(oidc_app) as client:
        code, _state = fake.authorize(start(client), sub="s1", username=account)
        response = client.get(
            "/auth/oidc/callback", params={"code": code, "state": "forged"}, follow_redirects=False
        )
        assert response.status_code == 400
        assert client.get("/account", follow_redirects=False).status_code == 303


def test_callback_without_the_state_cookie_is_refused(
    oidc_app: FastAPI, fake: FakeIssuer, account: str
) -> None:
    with TestClient(oidc_app) as victim, TestClient(oidc_app) as attacker:
        code, state = fake.authorize(start(attacker), sub="s2", username=account)
        assert (
            victim.get(
                "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
            ).status_code
            == 400
        )


@pytest.mark.parametrize(
    "tamper",
    [
        {"overrides": {"nonce": "other"}},
        {"overrides": {"aud": "another-client"}},
        {"overrides": {"iss": "https://evil.example"}},
        {"overrides": {"exp": 1000}},
        {"forged_key": True},
    ],
    ids=["nonce", "audience", "issuer", "expired", "signature"],
)
def test_invalid_id_tokens_are_refused(
    oidc_app: FastAPI, fake: FakeIssuer, account: str, tamper: dict[str, Any]
) -> None:
    fake.overrides = tamper.get("overrides", {})
    if tamper.get("forged_key"):
        fake.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with TestClient(oidc_app) as client:
        code, state = fake.authorize(start(client), sub="s3", username=account)
        response = client.get(
            "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
        )
        assert response.status_code == 400
        assert "alue_session" not in response.headers.get("set-cookie", "")


def test_a_code_cannot_be_replayed(oidc_app: FastAPI, fake: FakeIssuer, account: str) -> None:
    with TestClient(oidc_app) as client:
        location = start(client)
        code, state = fake.authorize(location, sub="s4", username=account)
        assert (
            client.get(
                "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
            ).status_code
            == 303
        )
        assert (
            client.get(
                "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
            ).status_code
            == 400
        )


def test_unknown_identity_gets_no_account(oidc_app: FastAPI, fake: FakeIssuer) -> None:
    with TestClient(oidc_app) as client:
        code, state = fake.authorize(start(client), sub="stranger", username=f"nobody-{uuid.uuid4().hex[:6]}")
        response = client.get(
            "/auth/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
        )
        assert response.status_code == 403
        assert client.get("/account", follow_redirects=False).status_code == 303


def test_oidc_routes_answer_404_when_not_configured(anonymous: TestClient) -> None:
    assert anonymous.get("/auth/oidc/login", follow_redirects=False).status_code == 404
    assert "/auth/oidc/login" not in anonymous.get("/login").text
