"""The area home, municipality and service-point pages (R-A1, R-B1, R-B2) and the public employer-services
contacts (R-D3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from alue.area.models import Municipality, ServicePoint, ServicePointKind
from alue.shared.auth import N_, Permission, Principal, aggregate_municipalities, may_see_municipality
from alue.shared.i18n import format_number, gettext
from alue.shared.time import today
from alue.staff.models import StaffMember
from alue.web.charts import Bar, bar_chart
from alue.web.deps import DbSession, Forbidden, Lang, NotFound, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(include_in_schema=False)


def visible_codes(request: Request, principal: Principal) -> list[str]:
    """The area's municipality codes the principal may see aggregates of (in the area's order)."""
    codes = list(request.app.state.area.municipalities)
    allowed = aggregate_municipalities(principal)
    return codes if allowed is None else [c for c in codes if c in allowed]


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AREA)],
    db: DbSession,
    lang: Lang,
) -> Response:
    area = request.app.state.area
    codes = visible_codes(request, principal)
    day = today()
    figures, total = request.app.state.home_figures.figures(
        db, day=day, codes=codes, youth_age_limit=area.youth_age_limit_on(day)
    )
    points = list(
        db.scalars(
            select(ServicePoint)
            .where(ServicePoint.municipality_code.in_(codes))
            .order_by(ServicePoint.kind, ServicePoint.name_fi)
        )
    )
    names = {c: area.municipalities[c].name(lang) for c in codes}
    chart = bar_chart(
        [Bar(names[c], figures[c].unemployed) for c in codes],
        chart_id="chart-unemployed",
        title=gettext(lang, "Unemployed jobseekers by municipality"),
        description=gettext(lang, "Bar chart; the same figures are in the table below."),
        value_format=lambda v: format_number(v, lang),
    )
    return render(
        request,
        "area/home.html",
        {
            "area": area,
            "codes": codes,
            "names": names,
            "figures": figures,
            "total": total,
            "points": points,
            "chart": chart,
            "day": day,
            "responsible": area.file.responsible_municipality,
        },
    )


@router.get("/municipalities/{code}", response_class=HTMLResponse)
def municipality_page(
    request: Request,
    code: str,
    principal: Annotated[Principal, requires(Permission.VIEW_AREA)],
    db: DbSession,
    lang: Lang,
) -> Response:
    area = request.app.state.area
    if code not in area.municipalities:
        raise NotFound
    if not may_see_municipality(principal, code):
        raise Forbidden
    info = area.municipalities[code]
    day = today()
    figures, _total = request.app.state.home_figures.figures(
        db, day=day, codes=[code], youth_age_limit=area.youth_age_limit_on(day)
    )
    points = list(
        db.scalars(
            select(ServicePoint).where(ServicePoint.municipality_code == code).order_by(ServicePoint.name_fi)
        )
    )
    row = db.get(Municipality, code)
    return render(
        request,
        "area/municipality.html",
        {
            "area": area,
            "info": info,
            "row": row,
            "figures": figures[code],
            "points": points,
            "contact": area.file.employer_contacts.get(code),
            "day": day,
            "threshold": _office_threshold(area),
            "responsible": area.file.responsible_municipality == code,
        },
    )


def _office_threshold(area: object) -> float:
    staffing = area.file.staffing  # type: ignore[attr-defined]
    return float(staffing.office_threshold_fte) if staffing is not None else 5.0


@router.get("/service-points", response_class=HTMLResponse)
def service_points(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AREA)],
    db: DbSession,
    lang: Lang,
) -> Response:
    area = request.app.state.area
    codes = visible_codes(request, principal)
    points = list(
        db.scalars(
            select(ServicePoint)
            .where(ServicePoint.municipality_code.in_(codes))
            .order_by(ServicePoint.name_fi)
        )
    )
    return render(request, "area/service_points.html", {"area": area, "points": points})


@router.get("/service-points/{key}", response_class=HTMLResponse)
def service_point_page(
    request: Request,
    key: str,
    principal: Annotated[Principal, requires(Permission.VIEW_AREA)],
    db: DbSession,
    lang: Lang,
) -> Response:
    area = request.app.state.area
    point = db.scalar(select(ServicePoint).where(ServicePoint.key == key))
    if point is None or point.municipality_code not in area.municipalities:
        raise NotFound
    if not may_see_municipality(principal, point.municipality_code):
        raise Forbidden
    fte = db.scalar(
        select(func.coalesce(func.sum(StaffMember.fte), 0)).where(
            StaffMember.active, StaffMember.base_municipality_code == point.municipality_code
        )
    )
    threshold = _office_threshold(area)
    placed = float(fte or 0)
    return render(
        request,
        "area/service_point.html",
        {
            "area": area,
            "point": point,
            "municipality": area.municipalities[point.municipality_code],
            "fte": placed,
            "threshold": threshold,
            "qualifies_as_office": placed >= threshold,
            "is_office": point.kind == ServicePointKind.OFFICE,
            "contact": area.file.employer_contacts.get(point.municipality_code),
        },
    )


@router.get("/employer-services", response_class=HTMLResponse)
def employer_contacts(
    request: Request,
    _: Annotated[Principal | None, requires(Permission.PUBLIC)],
    lang: Lang,
) -> Response:
    """Public page (no sign-in): the named employer-services contact of every municipality (R-D3)."""
    area = request.app.state.area
    rows = [
        (area.municipalities[code], contact)
        for code, contact in sorted(
            area.file.employer_contacts.items(), key=lambda kv: area.municipalities[kv[0]].name(lang)
        )
    ]
    return render(request, "area/employer_contacts.html", {"area": area, "rows": rows})


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("home", N_("Area"), "/", Permission.VIEW_AREA, order=0))
    web.add_nav(
        NavItem("service_points", N_("Service points"), "/service-points", Permission.VIEW_AREA, order=60)
    )
