"""The staff web application: ``create_app()`` builds it (``alue serve`` runs it with uvicorn).

Server-rendered pages (Jinja2, htmx for partial updates; every asset is served from the package, nothing
from a CDN) and a JSON API under ``/api/v1`` with the same sign-in and the same permissions. The OpenAPI
description is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount

from alue.area.config import Area, load_area
from alue.settings import Settings, get_settings
from alue.shared.auth import N_, ThrottlePolicy
from alue.shared.db import get_engine, session_factory
from alue.shared.i18n import negotiate
from alue.shared.readiness import NotReady
from alue.web.config import OidcSettings, WebSettings, get_oidc_settings, get_web_settings
from alue.web.deps import (
    CsrfFailed,
    Forbidden,
    NotFound,
    NotSignedIn,
    iter_api_routes,
    route_permissions,
    verify_csrf,
)
from alue.web.nav import WebRegistry
from alue.web.queries import FiguresCache
from alue.web.security import LANG_COOKIE, BodyLimitMiddleware, SecurityHeadersMiddleware
from alue.web.templating import make_environment, render

STATIC_DIR = Path(__file__).with_name("static")

#: the application's own views, in navigation order
CORE_VIEWS = (
    "alue.web.views.auth",
    "alue.web.views.area",
    "alue.web.views.people",
    "alue.web.views.employers",
    "alue.web.views.staff",
    "alue.web.views.partners",
    "alue.web.views.admin",
    "alue.web.views.api",
)
#: other domains' pages: a module listed here that does not exist (yet) is skipped
DOMAIN_VIEWS = (
    "alue.casework.views",
    "alue.matching.views",
    "alue.scorecard.views",
    "alue.planning.views",
    "alue.surveys.views",
)


class RoutePermissionError(RuntimeError):
    """A route declares no permission, or more than one: the application refuses to start."""


def _load_views(registry: WebRegistry) -> None:
    for name in (*CORE_VIEWS, *DOMAIN_VIEWS):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name and name in DOMAIN_VIEWS:
                continue
            raise
        registry.registering = ".".join(name.split(".")[:2])  # alue.casework: its catalogues name its labels
        module.register(registry)
    registry.registering = ""


def check_route_permissions(app: FastAPI) -> None:
    problems = []
    count = 0
    for path, route in iter_api_routes(app.routes):
        count += 1
        declared = route_permissions(route)
        if len(declared) != 1:
            problems.append(f"{sorted(route.methods or ())} {path}: {len(declared)} permissions declared")
    if count == 0 and any(not isinstance(r, Mount) for r in app.routes):
        problems.append("no route could be inspected (has FastAPI changed how it keeps included routers?)")
    if problems:
        raise RoutePermissionError("every route must declare exactly one permission: " + "; ".join(problems))


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    *,
    web_settings: WebSettings | None = None,
    oidc_settings: OidcSettings | None = None,
    oidc_http: httpx.Client | None = None,
    area: Area | None = None,
) -> FastAPI:
    """Build the application. Tests pass their own engine, settings and a fake OIDC transport."""
    settings = settings or get_settings()
    web = web_settings or get_web_settings()
    app = FastAPI(
        title="alue API",
        version="1",
        description=(
            "The JSON API of alue's staff application. Sign in with the session cookie of the web "
            "application (send the X-CSRF-Token header with a POST) or with `Authorization: Bearer <token>` "
            "(tokens from `alue users token`). Every endpoint needs the same permission as the page."
        ),
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(verify_csrf)],
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.secret = settings.require_secret()
    app.state.engine = engine or get_engine(settings.database_url)
    app.state.session_factory = session_factory(app.state.engine)
    app.state.web_settings = web
    app.state.oidc_settings = oidc_settings or get_oidc_settings()
    app.state.oidc_http = oidc_http
    app.state.area = area or load_area(settings.area, settings.data_dir)
    app.state.touch_after = dt.timedelta(minutes=5)
    app.state.home_figures = FiguresCache(web.home_figures_seconds)
    app.state.throttle = ThrottlePolicy(
        per_username=web.throttle_per_username,
        per_ip=web.throttle_per_ip,
        window=dt.timedelta(minutes=web.throttle_window_minutes),
    )

    registry = WebRegistry()
    _load_views(registry)
    app.state.web_registry = registry
    app.state.templates = make_environment(registry.template_dirs)
    for router in registry.routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    _install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=web.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    check_route_permissions(app)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    for hook in app.state.web_registry.startup:
        hook(app)
    yield


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _ensure_lang(request: Request) -> None:
    if not getattr(request.state, "lang", None):
        request.state.lang = negotiate(
            request.cookies.get(LANG_COOKIE), request.app.state.settings.default_locale
        )


def _error_page(request: Request, status: int, title: str, message: str, **variables: str) -> Response:
    _ensure_lang(request)
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "variables": variables},
        status_code=status,
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "not signed in"}, 401, headers={"WWW-Authenticate": "Bearer"})
        target = "/login?next=" + quote(request.url.path, safe="/")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "forbidden"}, 403)
        return _error_page(
            request, 403, N_("Access denied"), N_("Your role does not give access to this page.")
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "not found"}, 404)
        return _error_page(
            request, 404, N_("Not found"), N_("The page was not found or you have no access to it.")
        )

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "CSRF token missing or invalid"}, 403)
        return _error_page(
            request, 403, N_("The form has expired"), N_("Reload the page and send the form again.")
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Any) -> Response:
        if exc.status_code == 413 and not _is_api(request):
            limit = request.app.state.web_settings.max_body_mb
            return _error_page(
                request,
                413,
                N_("The file is too large"),
                N_("The file or form you sent is larger than %(mb)s MB, the most this service takes."),
                mb=f"{limit:g}",
            )
        if _is_api(request) or exc.status_code not in (404, 405):
            return JSONResponse(
                {"detail": exc.detail}, exc.status_code, headers=getattr(exc, "headers", None)
            )
        return _error_page(
            request,
            exc.status_code,
            N_("Not found"),
            N_("The page was not found or you have no access to it."),
        )

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, exc: Any) -> Response:
        headers = {"Retry-After": str(exc.retry_after)}
        if _is_api(request):
            return JSONResponse({"detail": str(exc), "retry_after": exc.retry_after}, 503, headers=headers)
        message = exc.failed_message if exc.failed else exc.message
        response = _error_page(request, 503, N_("Being prepared"), message)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": _plain_errors(exc)}, 422)
        return _error_page(
            request, 400, N_("Invalid request"), N_("The address or the form had values that are not valid.")
        )


def _plain_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]
