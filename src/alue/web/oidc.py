"""OpenID Connect sign-in: the authorization-code flow with PKCE (RFC 7636) and a nonce.

1. ``/auth/oidc/login`` makes ``state``, ``nonce`` and a PKCE verifier, keeps them in a signed cookie that
   lives ten minutes, and redirects to the provider's authorization endpoint with ``code_challenge``
   (S256).
2. ``/auth/oidc/callback`` checks ``state``, exchanges the code and the verifier at the token endpoint and
   validates the ID token: RS256/ES256 signature against the provider's JWKS, ``iss``, ``aud``, ``exp``,
   ``iat`` and ``nonce``.
3. The account is found by ``"<issuer>|<sub>"``. At the first OIDC sign-in an existing, active alue account
   whose username equals the configured claim (``preferred_username`` by default) is linked to the subject.
   Accounts are never created from OIDC: an administrator creates them and gives the role.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer

from alue.web.config import OidcSettings

STATE_COOKIE = "alue_oidc"
STATE_MAX_AGE = 600
ALLOWED_ALGORITHMS = ["RS256", "ES256", "PS256"]


class OidcError(Exception):
    """The sign-in cannot be completed; the message is for the log, the user sees a general text."""


@dataclass(frozen=True, slots=True)
class PendingLogin:
    state: str
    nonce: str
    verifier: str
    next_path: str


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcClient:
    """Talks to one provider. ``http`` is injectable so tests can run a fake provider in process."""

    def __init__(self, settings: OidcSettings, secret: str, http: httpx.Client | None = None) -> None:
        if not settings.enabled:
            raise OidcError("OIDC is not configured (ALUE_OIDC_ISSUER, ALUE_OIDC_CLIENT_ID)")
        self.settings = settings
        self.http = http or httpx.Client(timeout=10.0)
        self.serializer = URLSafeTimedSerializer(secret, salt="alue-oidc-state")
        self._metadata: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None

    @property
    def issuer(self) -> str:
        assert self.settings.issuer is not None
        return self.settings.issuer.rstrip("/")

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            response = self.http.get(f"{self.issuer}/.well-known/openid-configuration")
            if response.status_code != 200:
                raise OidcError(f"discovery document: HTTP {response.status_code}")
            data = response.json()
            if data.get("issuer", "").rstrip("/") != self.issuer:
                raise OidcError("the discovery document names another issuer")
            self._metadata = data
        return self._metadata

    def jwks(self, *, refresh: bool = False) -> dict[str, Any]:
        if self._jwks is None or refresh:
            response = self.http.get(self.metadata()["jwks_uri"])
            if response.status_code != 200:
                raise OidcError(f"JWKS: HTTP {response.status_code}")
            self._jwks = response.json()
        return self._jwks

    def begin(self, *, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """The provider URL to redirect to and the signed cookie value that remembers the attempt."""
        pending = PendingLogin(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            next_path=next_path,
        )
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.settings.scopes,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pkce_challenge(pending.verifier),
            "code_challenge_method": "S256",
        }
        url = f"{self.metadata()['authorization_endpoint']}?{urlencode(params)}"
        cookie = self.serializer.dumps([pending.state, pending.nonce, pending.verifier, pending.next_path])
        return url, cookie

    def pending(self, cookie: str | None) -> PendingLogin:
        if not cookie:
            raise OidcError("no sign-in in progress")
        try:
            state, nonce, verifier, next_path = self.serializer.loads(cookie, max_age=STATE_MAX_AGE)
        except (BadSignature, ValueError) as exc:
            raise OidcError("the sign-in state is invalid or expired") from exc
        return PendingLogin(state, nonce, verifier, next_path)

    def finish(self, *, pending: PendingLogin, state: str, code: str, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code and return the validated ID-token claims."""
        if not secrets.compare_digest(pending.state, state):
            raise OidcError("state does not match")
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.settings.client_id,
            "code_verifier": pending.verifier,
        }
        if self.settings.client_secret is not None:
            data["client_secret"] = self.settings.client_secret.get_secret_value()
        response = self.http.post(
            self.metadata()["token_endpoint"], data=data, headers={"Accept": "application/json"}
        )
        if response.status_code != 200:
            raise OidcError(f"token endpoint: HTTP {response.status_code}")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("no id_token in the token response")
        claims = self.validate_id_token(id_token)
        if not secrets.compare_digest(str(claims.get("nonce", "")), pending.nonce):
            raise OidcError("nonce does not match")
        return claims

    def validate_id_token(self, id_token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise OidcError("the ID token is not a JWT") from exc
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise OidcError(f"ID token algorithm {header.get('alg')!r} is not allowed")
        key = self._key_for(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=ALLOWED_ALGORITHMS,
                audience=self.settings.client_id,
                issuer=self.metadata()["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise OidcError(f"ID token rejected: {exc}") from exc
        if claims.get("iat", 0) > time.time() + 60:
            raise OidcError("ID token issued in the future")
        return claims

    def _key_for(self, kid: str | None) -> Any:
        for refresh in (False, True):  # a key rotation: fetch the set once more
            for jwk in self.jwks(refresh=refresh).get("keys", []):
                if kid is None or jwk.get("kid") == kid:
                    return jwt.PyJWK(jwk).key
        raise OidcError("no matching signing key")

    def subject(self, claims: dict[str, Any]) -> str:
        return f"{self.metadata()['issuer']}|{claims['sub']}"
