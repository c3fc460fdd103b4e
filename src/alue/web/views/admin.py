"""Administration: users, roles, delegations of authority (R-C5), the audit log and access reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alue.area.models import Municipality
from alue.people.models import Person
from alue.shared import audit, auth
from alue.shared.audit import AuditAction, AuditPurpose, AuditQuery
from alue.shared.auth import N_, ROLE_PERMISSIONS, Permission, Principal, Role, User
from alue.shared.identifiers import InvalidIdentifier, validate_hetu
from alue.shared.time import parse_date, today
from alue.staff.models import DelegatedTask, Delegation, StaffMember
from alue.web.deps import DbSession, IdPath, Lang, NotFound, actor_of, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
AUDIT_PAGE = 50


# ---------------------------------------------------------------------------------------------- users


def _staff_choices(db: Session) -> list[StaffMember]:
    return list(
        db.scalars(
            select(StaffMember)
            .where(StaffMember.active)
            .order_by(StaffMember.last_name, StaffMember.first_name)
        )
    )


def _municipalities(request: Request, db: Session) -> list[Municipality]:
    codes = list(request.app.state.area.municipalities)
    return list(
        db.scalars(select(Municipality).where(Municipality.code.in_(codes)).order_by(Municipality.name_fi))
    )


def _user_form(
    request: Request,
    db: Session,
    *,
    user: User | None,
    error: str | None,
    values: Mapping[str, object],
    status: int = 200,
) -> Response:
    return render(
        request,
        "admin/user_form.html",
        {
            "user": user,
            "error": error,
            "values": values,
            "roles": list(Role),
            "staff": _staff_choices(db),
            "municipalities": _municipalities(request, db),
        },
        status_code=status,
    )


@router.get("/users", response_class=HTMLResponse)
def users(
    request: Request,
    principal: Annotated[Principal, requires(Permission.MANAGE_USERS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    rows = list(
        db.execute(
            select(User, StaffMember)
            .outerjoin(StaffMember, StaffMember.id == User.staff_id)
            .order_by(User.username)
        )
    )
    return render(request, "admin/users.html", {"rows": rows})


@router.get("/users/new", response_class=HTMLResponse)
def new_user(
    request: Request,
    principal: Annotated[Principal, requires(Permission.MANAGE_USERS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    return _user_form(
        request, db, user=None, error=None, values={"role": Role.CASE_WORKER.value, "codes": []}
    )


def _parse_staff(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    principal: Annotated[Principal, requires(Permission.MANAGE_USERS)],
    db: DbSession,
    lang: Lang,
    username: Annotated[str, Form(max_length=150)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    staff_id: Annotated[str, Form(max_length=12)] = "",
    municipalities: Annotated[list[str] | None, Form()] = None,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    codes = [c for c in (municipalities or []) if len(c) <= 3]
    values = {
        "username": username,
        "display_name": display_name,
        "email": email,
        "role": role,
        "staff_id": staff_id,
        "codes": codes,
    }
    if role not in Role._value2member_map_:
        return _user_form(request, db, user=None, error=N_("Choose a role."), values=values, status=400)
    try:
        user = auth.create_user(
            db,
            username=username,
            role=Role(role),
            display_name=display_name,
            email=email,
            password=password or None,
            staff_id=_parse_staff(staff_id),
            municipality_codes=codes,
        )
    except (auth.AccountError, auth.PasswordPolicyError) as exc:
        db.rollback()
        return _user_form(request, db, user=None, error=str(exc), values=values, status=400)
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.CREATE,
        object_type="user",
        object_id=user.id,
        purpose=AuditPurpose.ADMINISTRATION,
        details={
            "username": user.username,
            "role": user.role.value,
            "staff_id": user.staff_id,
            "municipalities": codes,
        },
    )
    db.commit()
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def edit_user(
    request: Request,
    user_id: IdPath,
    principal: Annotated[Principal, requires(Permission.MANAGE_USERS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound
    values = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role.value,
        "staff_id": str(user.staff_id or ""),
        "codes": list(user.municipality_codes),
        "active": user.active,
    }
    return _user_form(request, db, user=user, error=None, values=values)


@router.post("/users/{user_id}", response_class=HTMLResponse)
def update_user(
    request: Request,
    user_id: IdPath,
    principal: Annotated[Principal, requires(Permission.MANAGE_USERS)],
    db: DbSession,
    lang: Lang,
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    staff_id: Annotated[str, Form(max_length=12)] = "",
    municipalities: Annotated[list[str] | None, Form()] = None,
    active: Annotated[str, Form(max_length=5)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound
    codes = sorted({c for c in (municipalities or []) if len(c) <= 3})
    values = {
        "username": user.username,
        "display_name": display_name,
        "email": email,
        "role": role,
        "staff_id": staff_id,
        "codes": codes,
        "active": bool(active),
    }
    if role not in Role._value2member_map_:
        return _user_form(request, db, user=user, error=N_("Choose a role."), values=values, status=400)
    new_role, new_staff = Role(role), _parse_staff(staff_id)
    if user.id == principal.user_id and (new_role != Role.ADMIN or not active):
        return _user_form(
            request,
            db,
            user=user,
            error=N_("You cannot remove your own administrator rights."),
            values=values,
            status=400,
        )
    try:
        auth.validate_links(db, role=new_role, staff_id=new_staff, municipality_codes=codes)
        if password:
            auth.set_password(db, user=user, password=password)
    except (auth.AccountError, auth.PasswordPolicyError) as exc:
        db.rollback()
        return _user_form(request, db, user=user, error=str(exc), values=values, status=400)
    before = {
        "role": user.role.value,
        "staff_id": user.staff_id,
        "active": user.active,
        "municipalities": list(user.municipality_codes),
    }
    user.display_name = display_name or user.username
    user.email = email
    user.role = new_role
    user.staff_id = new_staff
    user.active = bool(active)
    user.municipalities = [m for m in user.municipalities if m.municipality_code in codes] + [
        auth.UserMunicipality(municipality_code=c) for c in codes if c not in user.municipality_codes
    ]
    if not user.active or before["role"] != new_role.value:
        db.execute(delete(auth.UserSession).where(auth.UserSession.user_id == user.id))
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.UPDATE,
        object_type="user",
        object_id=user.id,
        purpose=AuditPurpose.ADMINISTRATION,
        details={
            "before": before,
            "after": {
                "role": new_role.value,
                "staff_id": new_staff,
                "active": user.active,
                "municipalities": codes,
            },
            "password_reset": bool(password),
        },
    )
    db.commit()
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.get("/roles", response_class=HTMLResponse)
def roles(
    request: Request,
    principal: Annotated[Principal, requires(Permission.MANAGE_USERS)],
    lang: Lang,
) -> Response:
    permissions = [p for p in Permission if p not in (Permission.PUBLIC,)]
    return render(
        request,
        "admin/roles.html",
        {"roles": list(Role), "permissions": permissions, "matrix": ROLE_PERMISSIONS},
    )


# ---------------------------------------------------------------------------------------- delegations


def _delegations_page(request: Request, db: Session, *, error: str | None, status: int = 200) -> Response:
    rows = list(
        db.execute(
            select(Delegation, StaffMember)
            .join(StaffMember, StaffMember.id == Delegation.staff_id)
            .order_by(Delegation.valid_from.desc(), Delegation.id.desc())
            .limit(500)
        )
    )
    officials = list(
        db.scalars(
            select(StaffMember)
            .where(StaffMember.active, StaffMember.municipal_official)
            .order_by(StaffMember.last_name)
        )
    )
    return render(
        request,
        "admin/delegations.html",
        {"rows": rows, "officials": officials, "tasks": list(DelegatedTask), "error": error, "day": today()},
        status_code=status,
    )


@router.get("/delegations", response_class=HTMLResponse)
def delegations(
    request: Request,
    principal: Annotated[Principal, requires(Permission.MANAGE_DELEGATIONS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    return _delegations_page(request, db, error=None)


@router.post("/delegations", response_class=HTMLResponse)
def create_delegation(
    request: Request,
    principal: Annotated[Principal, requires(Permission.MANAGE_DELEGATIONS)],
    db: DbSession,
    lang: Lang,
    staff_id: Annotated[str, Form(max_length=12)] = "",
    agreement_reference: Annotated[str, Form(max_length=120)] = "",
    tasks: Annotated[list[str] | None, Form()] = None,
    valid_from: Annotated[str, Form(max_length=20)] = "",
    valid_to: Annotated[str, Form(max_length=20)] = "",
    granted_by: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    chosen = [t for t in (tasks or []) if t in DelegatedTask._value2member_map_]
    staff = db.get(StaffMember, int(staff_id)) if staff_id.isdigit() else None
    error: str | None = None
    start = end = None
    try:
        start = parse_date(valid_from) if valid_from.strip() else today()
        end = parse_date(valid_to) if valid_to.strip() else None
    except ValueError:
        error = N_("Give the dates as 31.1.2026 or 2026-01-31.")
    if error is None and staff is None:
        error = N_("Choose a staff member.")
    elif error is None and not chosen:
        error = N_("Choose at least one task.")
    elif error is None and not agreement_reference.strip():
        error = N_("Give the agreement or decision reference.")
    elif error is None and end is not None and start is not None and end < start:
        error = N_("The delegation cannot end before it starts.")
    if error is not None:
        return _delegations_page(request, db, error=error, status=400)
    assert staff is not None
    assert start is not None
    delegation = Delegation(
        staff_id=staff.id,
        agreement_reference=agreement_reference.strip(),
        tasks=sorted(chosen),
        valid_from=start,
        valid_to=end,
        granted_by=granted_by.strip(),
    )
    db.add(delegation)
    db.flush()
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.CREATE,
        object_type="delegation",
        object_id=delegation.id,
        purpose=AuditPurpose.ADMINISTRATION,
        details={"staff_id": staff.id, "tasks": sorted(chosen), "valid_from": start, "valid_to": end},
    )
    db.commit()
    return RedirectResponse("/admin/delegations", status_code=303)


@router.post("/delegations/{delegation_id}/end", response_class=HTMLResponse)
def end_delegation(
    request: Request,
    delegation_id: IdPath,
    principal: Annotated[Principal, requires(Permission.MANAGE_DELEGATIONS)],
    db: DbSession,
) -> Response:
    delegation = db.get(Delegation, delegation_id)
    if delegation is None:
        raise NotFound
    day = today()
    if delegation.valid_to is None or delegation.valid_to >= day:
        delegation.valid_to = max(day - dt.timedelta(days=1), delegation.valid_from)
        audit.append(
            db,
            actor=actor_of(request, principal),
            action=AuditAction.UPDATE,
            object_type="delegation",
            object_id=delegation.id,
            purpose=AuditPurpose.ADMINISTRATION,
            details={"valid_to": delegation.valid_to},
        )
        db.commit()
    return RedirectResponse("/admin/delegations", status_code=303)


# ------------------------------------------------------------------------------------------ audit log


def _audit_query(
    db: Session, actor: str, customer_number: str, action: str, since: str, until: str
) -> tuple[AuditQuery, str | None]:
    error = None
    person_id = None
    if customer_number.strip():
        person_id = db.scalar(select(Person.id).where(Person.customer_number == customer_number.strip()))
        if person_id is None:
            person_id = -1  # no such customer: no rows
    try:
        start = parse_date(since) if since.strip() else None
        end = parse_date(until) if until.strip() else None
    except ValueError:
        start = end = None
        error = N_("Give the dates as 31.1.2026 or 2026-01-31.")
    query = AuditQuery(
        actor=actor or None,
        person_id=person_id,
        action=action if action in AuditAction._value2member_map_ else None,
        since=start,
        until=end,
    )
    return query, error


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    principal: Annotated[Principal, requires(Permission.READ_AUDIT)],
    db: DbSession,
    lang: Lang,
    actor: Annotated[str, Query(max_length=150)] = "",
    customer_number: Annotated[str, Query(max_length=20)] = "",
    action: Annotated[str, Query(max_length=30)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    query, error = _audit_query(db, actor, customer_number, action, since, until)
    rows, total = audit.search(db, query, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE)
    audit.append_review(db, actor=actor_of(request, principal), action=AuditAction.READ, query=query)
    db.commit()
    filters = {
        "actor": actor,
        "customer_number": customer_number,
        "action": action,
        "since": since,
        "until": until,
    }
    return render(
        request,
        "admin/audit.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "page_size": AUDIT_PAGE,
            "filters": filters,
            "actions": list(AuditAction),
            "error": error,
        },
    )


@router.get("/audit/export.csv")
def audit_export(
    request: Request,
    principal: Annotated[Principal, requires(Permission.EXPORT_AUDIT)],
    db: DbSession,
    actor: Annotated[str, Query(max_length=150)] = "",
    customer_number: Annotated[str, Query(max_length=20)] = "",
    action: Annotated[str, Query(max_length=30)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    query, _error = _audit_query(db, actor, customer_number, action, since, until)
    audit.append_review(db, actor=actor_of(request, principal), action=AuditAction.EXPORT, query=query)
    db.commit()
    filename = f"audit-{today().isoformat()}.csv"
    return StreamingResponse(
        audit.export_csv(db, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/access-report", response_class=HTMLResponse)
def access_report_form(
    request: Request,
    principal: Annotated[Principal, requires(Permission.ACCESS_REPORT)],
    lang: Lang,
) -> Response:
    return render(request, "admin/access_report.html", {"person": None, "rows": None, "error": None})


@router.post("/access-report", response_class=HTMLResponse)
def access_report(
    request: Request,
    principal: Annotated[Principal, requires(Permission.ACCESS_REPORT)],
    db: DbSession,
    lang: Lang,
    hetu: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """GDPR art. 15: who has handled the data of the person with this (exact) identity code."""
    try:
        code = validate_hetu(hetu)
    except InvalidIdentifier:
        return render(
            request,
            "admin/access_report.html",
            {"person": None, "rows": None, "error": N_("This is not a valid personal identity code.")},
            status_code=400,
        )
    person = db.scalar(select(Person).where(Person.hetu == code))
    if person is None:
        return render(
            request,
            "admin/access_report.html",
            {"person": None, "rows": None, "error": N_("No customer has this personal identity code.")},
            status_code=404,
        )
    rows = audit.access_report(db, person_id=person.id)
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.ACCESS_REPORT,
        object_type="person",
        object_id=person.id,
        person_id=person.id,
        purpose=AuditPurpose.DATA_SUBJECT_REQUEST,
    )
    db.commit()
    return render(request, "admin/access_report.html", {"person": person, "rows": rows, "error": None})


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(
        NavItem(
            "admin_users", N_("Users"), "/admin/users", Permission.MANAGE_USERS, order=10, section="admin"
        )
    )
    web.add_nav(
        NavItem(
            "admin_roles", N_("Roles"), "/admin/roles", Permission.MANAGE_USERS, order=20, section="admin"
        )
    )
    web.add_nav(
        NavItem(
            "admin_delegations",
            N_("Delegations"),
            "/admin/delegations",
            Permission.MANAGE_DELEGATIONS,
            order=30,
            section="admin",
        )
    )
    web.add_nav(
        NavItem(
            "admin_audit", N_("Audit log"), "/admin/audit", Permission.READ_AUDIT, order=40, section="admin"
        )
    )
    web.add_nav(
        NavItem(
            "admin_access",
            N_("Access report"),
            "/admin/access-report",
            Permission.ACCESS_REPORT,
            order=50,
            section="admin",
        )
    )
