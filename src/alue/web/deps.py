"""Route dependencies: the database session, the signed-in principal, the language and permissions.

Every route declares its permission next to its other parameters::

    @router.get("/persons/{person_id}")
    def person_page(
        person_id: int,
        user: Annotated[Principal, requires(Permission.READ_PERSON)],
        db: DbSession,
        lang: Lang,
    ) -> HTMLResponse: ...

``requires`` is resolved before any other work of the route: an anonymous caller gets a redirect to the
sign-in page (pages) or 401 (API), a signed-in caller without the permission gets 403. The application
refuses to start if a route declares no permission (``route_permissions``); the authorisation-matrix test
checks every route against every role.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from alue.shared import auth
from alue.shared.audit import Actor
from alue.shared.auth import Permission, Principal
from alue.shared.i18n import negotiate
from alue.web.security import CSRF_FIELD, CSRF_HEADER, LANG_COOKIE, SAFE_METHODS, SESSION_COOKIE, csrf_valid


class NotSignedIn(Exception):
    """No valid session or token: pages redirect to sign-in, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but the role lacks the permission (403)."""


class NotFound(Exception):
    """No such object, or one outside the caller's scope: its existence is not revealed (404)."""


class CsrfFailed(Exception):
    """A state-changing request without a valid CSRF token (403)."""


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db)]
#: a database id in a path: bounded, so that no value can overflow an INTEGER column
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


async def get_lang(request: Request) -> str:  # async: no I/O, so no hop to the thread pool
    lang = negotiate(request.cookies.get(LANG_COOKIE), request.app.state.settings.default_locale)
    request.state.lang = lang
    return lang


Lang = Annotated[str, Depends(get_lang)]


def get_principal(request: Request, db: DbSession) -> Principal | None:
    """The caller: a bearer token (API) or the session cookie; None when anonymous."""
    header = request.headers.get("authorization", "")
    web = request.app.state.web_settings
    principal: Principal | None = None
    if header[:7].lower() == "bearer ":
        user = auth.resolve_api_token(db, token=header[7:].strip())
        principal = Principal.of(user, via="token") if user is not None else None
        request.state.bearer = True
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            found = auth.resolve_session(
                db, token=token, idle_timeout=web.idle_timeout, touch_after=request.app.state.touch_after
            )
            if found is not None:
                row, user = found
                principal = Principal.of(user, session_id=row.id)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal | None, Depends(get_principal)]


class Requires:
    """A dependency that admits only callers holding ``permission`` (``PUBLIC`` admits everyone)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, principal: CurrentPrincipal) -> Principal | None:  # no I/O: no thread hop
        if self.permission == Permission.PUBLIC:
            return principal
        if principal is None:
            raise NotSignedIn
        if not principal.has(self.permission):
            raise Forbidden
        return principal

    def __repr__(self) -> str:
        return f"Requires({self.permission.value})"


def requires(permission: Permission) -> Any:
    """``Annotated[Principal, requires(Permission.X)]``: declare a route's permission."""
    return Depends(Requires(permission))


async def verify_csrf(request: Request, principal: CurrentPrincipal) -> None:
    """App-wide: a state-changing request must carry the CSRF token (not needed with a bearer token)."""
    if request.method in SAFE_METHODS or getattr(request.state, "bearer", False):
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf_valid(request, request.app.state.secret, sent):
        raise CsrfFailed


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def actor_of(request: Request, principal: Principal | None) -> Actor:
    if principal is None:
        return Actor(user_id=None, username="", role="anonymous", ip=client_ip(request))
    return Actor(
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role.value,
        ip=client_ip(request),
    )


def _walk(dependant: Any) -> Iterator[Any]:
    for dep in getattr(dependant, "dependencies", ()):
        yield dep.call
        yield from _walk(dep)


def iter_api_routes(routes: Iterable[Any]) -> Iterator[tuple[str, APIRoute]]:
    """Every ``(path, APIRoute)`` of an application, also through included routers.

    Recent FastAPI versions keep included routers as one entry of ``app.routes`` that expands lazily.
    """
    for route in routes:
        expand = getattr(route, "effective_route_contexts", None)
        if expand is not None:
            for context in expand():
                original = context.original_route
                if isinstance(original, APIRoute):
                    yield (getattr(context, "path", "") or original.path), original
        elif isinstance(route, APIRoute):
            yield route.path, route


def route_permissions(route: APIRoute) -> list[Permission]:
    """The permissions a route declares through ``requires`` (exactly one for a well-formed route)."""
    return [call.permission for call in _walk(route.dependant) if isinstance(call, Requires)]
