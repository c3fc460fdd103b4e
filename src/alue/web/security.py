"""Cookies, CSRF tokens and security headers.

CSRF: every state-changing request (POST, PUT, PATCH, DELETE) carries a token, in the form field
``csrf_token`` or in the ``X-CSRF-Token`` header (htmx sends the header: ``hx-headers`` on ``<body>``).
The token is an HMAC of the signed-in session's id under the secret key, so it cannot be forged without the
key and changes at every sign-in; before sign-in it is an HMAC of a random ``alue_csrf`` cookie (signed
double-submit). Requests authenticated with a bearer token need none (browsers never send it by themselves).

Headers: a Content Security Policy without any inline script or inline style, no framing
(``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), ``nosniff``, a strict referrer policy, and HSTS
when the request came over TLS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alue.web.config import WebSettings

SESSION_COOKIE = "alue_session"
CSRF_COOKIE = "alue_csrf"
LANG_COOKIE = "alue_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

STATIC_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (pure ASGI, no buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in STATIC_HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
                if not static:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """A request's body is larger than the web app takes: answered with 413 by the app's handler (a page
    in the user's language, or JSON for the API)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimitMiddleware:
    """Refuses a request body larger than ``max_bytes`` while it is being read.

    A body whose ``Content-Length`` says it is too large is refused at the first read, before any of it
    is taken; a body without one (chunked) is counted as it arrives. The refusal is raised from the
    ``receive`` that the form or body parser calls inside the route, so the application's own exception
    handler answers it. (Starlette's ``RequestBodyLimitMiddleware`` answers a declared length with its own
    plain English text instead.) Pure ASGI; nothing is buffered here.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        length = Headers(scope=scope).get("content-length", "")
        declared = int(length) if length.isdigit() else None
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def secure_flag(request: Request, settings: WebSettings) -> bool:
    if settings.secure_cookies == "always":
        return True
    if settings.secure_cookies == "never":
        return False
    return is_https(request)


def set_cookie(
    response: Response,
    request: Request,
    settings: WebSettings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    httponly: bool = True,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=secure_flag(request, settings),
        httponly=httponly,
        samesite="lax",
    )


def delete_cookie(response: Response, request: Request, settings: WebSettings, name: str) -> None:
    response.delete_cookie(
        name, path="/", secure=secure_flag(request, settings), httponly=True, samesite="lax"
    )


# ----------------------------------------------------------------------------------------------- CSRF


def _mac(secret: str, seed: str) -> str:
    return hmac.new(secret.encode(), f"csrf|{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_seed(request: Request) -> str:
    """The value the page's token is bound to: the session id, or the pre-sign-in cookie (made if absent)."""
    principal = getattr(request.state, "principal", None)
    if principal is not None and principal.session_id:
        return str(principal.session_id)
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if not seed or len(seed) > 100:
        seed = secrets.token_urlsafe(32)
        request.state.new_csrf_seed = seed
    return seed


def csrf_token(request: Request, secret: str) -> str:
    return _mac(secret, csrf_seed(request))


def csrf_valid(request: Request, secret: str, sent: str | None) -> bool:
    if not sent:
        return False
    principal = getattr(request.state, "principal", None)
    seeds: list[str] = []
    if principal is not None and principal.session_id:
        seeds.append(principal.session_id)
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie and len(cookie) <= 100:
        seeds.append(cookie)
    return any(hmac.compare_digest(_mac(secret, seed), sent) for seed in seeds)


def remember_new_csrf_seed(request: Request, response: Response, settings: WebSettings) -> None:
    """Set the pre-sign-in CSRF cookie when this request made a new one."""
    seed: Any = getattr(request.state, "new_csrf_seed", None)
    if seed:
        set_cookie(response, request, settings, CSRF_COOKIE, seed)


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back to after sign-in or a language switch (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ch in value for ch in ("\r", "\n")) or len(value) > 500:
        return default
    return value
