"""Sign-in and sign-out (password and OIDC), the language switch and the user's own account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from alue.shared import audit, auth
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import N_, Permission, Principal, User
from alue.shared.i18n import LANGUAGES
from alue.shared.time import today
from alue.web.deps import DbSession, Lang, actor_of, client_ip, requires
from alue.web.nav import WebRegistry
from alue.web.oidc import STATE_COOKIE, STATE_MAX_AGE, OidcClient, OidcError
from alue.web.security import (
    LANG_COOKIE,
    SESSION_COOKIE,
    delete_cookie,
    safe_next,
    set_cookie,
)
from alue.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/health")
def health(_: Annotated[Principal | None, requires(Permission.PUBLIC)]) -> JSONResponse:
    """Liveness for the load balancer: answers without touching the database."""
    return JSONResponse({"status": "ok"})


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    principal: Annotated[Principal | None, requires(Permission.PUBLIC)],
    lang: Lang,
    next: str = "/",
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    db: DbSession,
    lang: Lang,
    username: Annotated[str, Form(max_length=150)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    app = request.app
    ip = client_ip(request)
    target = safe_next(next)
    wait = auth.throttled_for(db, username=username, ip=ip, policy=app.state.throttle)
    if wait is not None:
        minutes = max(1, round(wait.total_seconds() / 60))
        return render(
            request,
            "login.html",
            {"next": target, "username": username, "error": "throttled", "minutes": minutes},
            status_code=429,
            headers={"Retry-After": str(int(wait.total_seconds()))},
        )
    user = auth.authenticate(db, username=username, password=password) if username and password else None
    auth.record_attempt(db, username=username, ip=ip, success=user is not None, policy=app.state.throttle)
    if user is None:
        audit.append(
            db,
            actor=audit.Actor(
                user_id=None, username=auth.normalise_username(username), role="anonymous", ip=ip
            ),
            action=AuditAction.LOGIN_FAILED,
            object_type="user",
            purpose=AuditPurpose.AUTHENTICATION,
        )
        db.commit()
        return render(
            request, "login.html", {"next": target, "username": username, "error": "invalid"}, status_code=400
        )
    return _signed_in(request, db, user, target, method="password")


def _signed_in(request: Request, db: DbSession, user: User, target: str, *, method: str) -> Response:
    web = request.app.state.web_settings
    token = auth.start_session(
        db,
        user=user,
        lifetime=web.session_lifetime,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        auth_method=method,
    )
    audit.append(
        db,
        actor=audit.Actor(
            user_id=user.id, username=user.username, role=user.role.value, ip=client_ip(request)
        ),
        action=AuditAction.LOGIN,
        object_type="user",
        object_id=user.id,
        purpose=AuditPurpose.AUTHENTICATION,
        details={"method": method},
    )
    db.commit()
    response = RedirectResponse(target, status_code=303)
    set_cookie(
        response, request, web, SESSION_COOKIE, token, max_age=int(web.session_lifetime.total_seconds())
    )
    return response


@router.post("/logout")
def logout(
    request: Request,
    principal: Annotated[Principal, requires(Permission.SIGNED_IN)],
    db: DbSession,
) -> Response:
    if principal.session_id:
        auth.end_session(db, session_id=principal.session_id)
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.LOGOUT,
        object_type="user",
        object_id=principal.user_id,
        purpose=AuditPurpose.AUTHENTICATION,
    )
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    delete_cookie(response, request, request.app.state.web_settings, SESSION_COOKIE)
    return response


@router.get("/language/{code}")
def switch_language(
    request: Request,
    code: str,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    next: str = "/",
) -> Response:
    """Remember the chosen language in a cookie for a year and go back to the page."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(
            response,
            request,
            request.app.state.web_settings,
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
        )
    return response


# ------------------------------------------------------------------------------------------------ OIDC


def _oidc(request: Request) -> OidcClient:
    client = getattr(request.app.state, "oidc_client", None)
    if client is None:
        client = OidcClient(
            request.app.state.oidc_settings, request.app.state.secret, request.app.state.oidc_http
        )
        request.app.state.oidc_client = client
    return client


def _redirect_uri(request: Request) -> str:
    configured = request.app.state.oidc_settings.redirect_uri
    return configured or str(request.url_for("oidc_callback"))


@router.get("/auth/oidc/login")
def oidc_login(
    request: Request,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    lang: Lang,
    next: str = "/",
) -> Response:
    if not request.app.state.oidc_settings.enabled:
        return render(request, "login.html", {"next": "/", "username": "", "error": "oidc"}, status_code=404)
    try:
        url, cookie = _oidc(request).begin(redirect_uri=_redirect_uri(request), next_path=safe_next(next))
    except (OidcError, OSError) as exc:
        request.app.state.oidc_client = None
        return render(
            request,
            "login.html",
            {"next": "/", "username": "", "error": "oidc", "detail": str(exc)},
            status_code=502,
        )
    response = RedirectResponse(url, status_code=303)
    set_cookie(response, request, request.app.state.web_settings, STATE_COOKIE, cookie, max_age=STATE_MAX_AGE)
    return response


@router.get("/auth/oidc/callback", name="oidc_callback")
def oidc_callback(
    request: Request,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    db: DbSession,
    lang: Lang,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    if not request.app.state.oidc_settings.enabled:
        return render(request, "login.html", {"next": "/", "username": "", "error": "oidc"}, status_code=404)
    client = _oidc(request)
    try:
        if error or not code:
            raise OidcError(f"the provider returned {error or 'no code'}")
        pending = client.pending(request.cookies.get(STATE_COOKIE))
        claims = client.finish(pending=pending, state=state, code=code, redirect_uri=_redirect_uri(request))
    except (OidcError, OSError) as exc:
        return render(
            request,
            "login.html",
            {"next": "/", "username": "", "error": "oidc", "detail": str(exc)},
            status_code=400,
        )
    subject = client.subject(claims)
    user = db.scalar(select(User).where(User.oidc_subject == subject))
    if user is None:
        claimed = str(claims.get(request.app.state.oidc_settings.username_claim, "") or "")
        candidate = (
            db.scalar(select(User).where(User.username == auth.normalise_username(claimed)))
            if claimed
            else None
        )
        if candidate is not None and candidate.oidc_subject is None:
            candidate.oidc_subject = subject
            user = candidate
    if user is None or not user.active:
        audit.append(
            db,
            actor=audit.Actor(user_id=None, username=subject[:150], role="anonymous", ip=client_ip(request)),
            action=AuditAction.LOGIN_FAILED,
            object_type="user",
            purpose=AuditPurpose.AUTHENTICATION,
            details={"method": "oidc", "reason": "no linked active account"},
        )
        db.commit()
        return render(
            request, "login.html", {"next": "/", "username": "", "error": "no_account"}, status_code=403
        )
    response = _signed_in(request, db, user, pending.next_path, method="oidc")
    delete_cookie(response, request, request.app.state.web_settings, STATE_COOKIE)
    return response


# -------------------------------------------------------------------------------------------- account


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request,
    principal: Annotated[Principal, requires(Permission.SIGNED_IN)],
    db: DbSession,
    lang: Lang,
) -> Response:
    user = db.get(User, principal.user_id)
    tasks = sorted(auth.delegated_tasks(db, staff_id=principal.staff_id)) if principal.staff_id else []
    return render(
        request,
        "account.html",
        {"user": user, "tasks": tasks, "today": today(), "message": None, "error": None},
    )


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    principal: Annotated[Principal, requires(Permission.SIGNED_IN)],
    db: DbSession,
    lang: Lang,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    user = db.get(User, principal.user_id)
    assert user is not None
    error: str | None = None
    if not auth.verify_password(user.password_hash, current_password):
        error = N_("The current password is wrong.")
    else:
        try:
            auth.set_password(db, user=user, password=new_password)
        except auth.PasswordPolicyError as exc:
            error = str(exc)
    if error is not None:
        db.rollback()
        tasks = sorted(auth.delegated_tasks(db, staff_id=principal.staff_id)) if principal.staff_id else []
        return render(
            request,
            "account.html",
            {"user": user, "tasks": tasks, "today": today(), "message": None, "error": error},
            status_code=400,
        )
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=user.id,
        purpose=AuditPurpose.ADMINISTRATION,
        details={"field": "password"},
    )
    db.commit()
    # every session ended with the new password: sign in again
    response = RedirectResponse("/login", status_code=303)
    delete_cookie(response, request, request.app.state.web_settings, SESSION_COOKIE)
    return response


def register(web: WebRegistry) -> None:
    web.add_router(router)
