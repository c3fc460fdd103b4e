"""The partner register (R-E1): organisations of every kind the area works with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from alue.services.models import Partner, PartnerKind
from alue.shared.auth import N_, Permission, Principal
from alue.web.deps import DbSession, Lang, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(include_in_schema=False)


def partner_query(kind: str, active_only: bool = True):  # type: ignore[no-untyped-def]
    stmt = select(Partner)
    if kind in PartnerKind._value2member_map_:
        stmt = stmt.where(Partner.kind == kind)
    if active_only:
        stmt = stmt.where(Partner.active)
    return stmt.order_by(Partner.name)


@router.get("/partners", response_class=HTMLResponse)
def partners(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_PARTNERS)],
    db: DbSession,
    lang: Lang,
    kind: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    rows = list(db.scalars(partner_query(kind).limit(1000)))
    return render(
        request,
        "partners/list.html",
        {"rows": rows, "kind": kind, "kinds": list(PartnerKind), "area": request.app.state.area},
    )


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("partners", N_("Partners"), "/partners", Permission.VIEW_PARTNERS, order=70))
