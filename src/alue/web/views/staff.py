"""Staff and team pages (R-C1 … R-C5): who works where, in which teams and with which delegations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, or_, select

from alue.casework.models import CaseAssignment
from alue.shared import auth
from alue.shared.auth import N_, Permission, Principal
from alue.shared.db import covers
from alue.shared.time import today
from alue.staff.models import Delegation, ServiceLine, StaffMember, StaffMunicipality, Team, TeamMembership
from alue.web.deps import DbSession, IdPath, Lang, NotFound, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(include_in_schema=False)


def _active_assignments(day):  # type: ignore[no-untyped-def]
    return (CaseAssignment.start_date <= day) & or_(
        CaseAssignment.end_date.is_(None), CaseAssignment.end_date >= day
    )


@router.get("/staff", response_class=HTMLResponse)
def staff_list(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_STAFF)],
    db: DbSession,
    lang: Lang,
    line: Annotated[str, Query(max_length=40)] = "",
    municipality: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    stmt = select(StaffMember).where(StaffMember.active)
    if line in ServiceLine._value2member_map_:
        stmt = stmt.where(StaffMember.service_line == line)
    if municipality:
        stmt = stmt.where(StaffMember.base_municipality_code == municipality)
    rows = list(db.scalars(stmt.order_by(StaffMember.last_name, StaffMember.first_name).limit(500)))
    return render(
        request,
        "staff/list.html",
        {
            "rows": rows,
            "line": line,
            "municipality": municipality,
            "lines": list(ServiceLine),
            "area": request.app.state.area,
        },
    )


@router.get("/staff/{staff_id}", response_class=HTMLResponse)
def staff_page(
    request: Request,
    staff_id: IdPath,
    principal: Annotated[Principal, requires(Permission.VIEW_STAFF)],
    db: DbSession,
    lang: Lang,
) -> Response:
    member = db.get(StaffMember, staff_id)
    if member is None:
        raise NotFound
    day = today()
    teams = list(
        db.execute(
            select(Team, TeamMembership)
            .join(TeamMembership, TeamMembership.team_id == Team.id)
            .where(TeamMembership.staff_id == staff_id)
            .order_by(TeamMembership.start_date.desc())
        )
    )
    codes = list(
        db.scalars(select(StaffMunicipality.municipality_code).where(StaffMunicipality.staff_id == staff_id))
    )
    delegations = list(
        db.scalars(
            select(Delegation).where(Delegation.staff_id == staff_id).order_by(Delegation.valid_from.desc())
        )
    )
    caseload = (
        db.scalar(select(func.count()).where(CaseAssignment.staff_id == staff_id, _active_assignments(day)))
        or 0
    )
    return render(
        request,
        "staff/member.html",
        {
            "m": member,
            "teams": teams,
            "codes": codes,
            "delegations": delegations,
            "caseload": caseload,
            "tasks": sorted(auth.delegated_tasks(db, staff_id=staff_id, on=day)),
            "day": day,
            "area": request.app.state.area,
        },
    )


@router.get("/teams", response_class=HTMLResponse)
def team_list(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_STAFF)],
    db: DbSession,
    lang: Lang,
) -> Response:
    day = today()
    members = (
        select(TeamMembership.team_id, func.count().label("n"))
        .where(
            covers(TeamMembership.start_date, TeamMembership.end_date, day),
        )
        .group_by(TeamMembership.team_id)
        .subquery()
    )
    rows = list(
        db.execute(
            select(Team, StaffMember, func.coalesce(members.c.n, 0))
            .outerjoin(StaffMember, StaffMember.id == Team.lead_staff_id)
            .outerjoin(members, members.c.team_id == Team.id)
            .order_by(Team.name)
        )
    )
    return render(request, "staff/teams.html", {"rows": rows})


@router.get("/teams/{team_id}", response_class=HTMLResponse)
def team_page(
    request: Request,
    team_id: IdPath,
    principal: Annotated[Principal, requires(Permission.VIEW_STAFF)],
    db: DbSession,
    lang: Lang,
) -> Response:
    team = db.get(Team, team_id)
    if team is None:
        raise NotFound
    day = today()
    lead = db.get(StaffMember, team.lead_staff_id) if team.lead_staff_id else None
    caseload = (
        select(CaseAssignment.staff_id, func.count().label("n"))
        .where(_active_assignments(day))
        .group_by(CaseAssignment.staff_id)
        .subquery()
    )
    members = list(
        db.execute(
            select(StaffMember, TeamMembership, func.coalesce(caseload.c.n, 0))
            .join(TeamMembership, TeamMembership.staff_id == StaffMember.id)
            .outerjoin(caseload, caseload.c.staff_id == StaffMember.id)
            .where(TeamMembership.team_id == team_id)
            .order_by(StaffMember.last_name, StaffMember.first_name)
        )
    )
    return render(request, "staff/team.html", {"team": team, "lead": lead, "members": members, "day": day})


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("staff", N_("Staff"), "/staff", Permission.VIEW_STAFF, order=50))
    web.add_nav(NavItem("teams", N_("Teams"), "/teams", Permission.VIEW_STAFF, order=51))
