"""Employer customers and vacancies (R-A2, R-D3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, or_, select

from alue.employers.models import Employer, EmployerServiceEvent, OccupationSource, Vacancy
from alue.io.kinds.occupations import UNCERTAIN_BELOW
from alue.shared.auth import N_, Permission, Principal
from alue.shared.time import today
from alue.web.deps import DbSession, IdPath, Lang, NotFound, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = 50


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def employer_query(q: str, municipality: str):  # type: ignore[no-untyped-def]
    stmt = select(Employer)
    if q.strip():
        pattern = "%" + escape_like(q.strip().lower()) + "%"
        stmt = stmt.where(
            or_(func.lower(Employer.name).like(pattern, escape="\\"), Employer.business_id == q.strip())
        )
    if municipality:
        stmt = stmt.where(Employer.municipality_code == municipality)
    return stmt


#: Coded by the occupation coder with a certainty below this: listed by the filter "uncertain"
#: ``coded`` filter of the vacancy list → the vacancies it keeps
CODED_FILTERS = ("", "uncertain", *OccupationSource)


def vacancy_query(q: str, municipality: str, only_open: bool, coded: str = ""):  # type: ignore[no-untyped-def]
    day = today()
    stmt = select(Vacancy, Employer).join(Employer, Employer.id == Vacancy.employer_id)
    if q.strip():
        pattern = "%" + escape_like(q.strip().lower()) + "%"
        stmt = stmt.where(func.lower(Vacancy.title).like(pattern, escape="\\"))
    if municipality:
        stmt = stmt.where(Vacancy.municipality_code == municipality)
    if only_open:
        stmt = stmt.where(Vacancy.open_on(day))
    if coded == "uncertain":
        stmt = stmt.where(
            Vacancy.occupation_source == OccupationSource.CODER, Vacancy.occupation_score < UNCERTAIN_BELOW
        )
    elif coded:
        stmt = stmt.where(Vacancy.occupation_source == coded)
    return stmt


@router.get("/employers", response_class=HTMLResponse)
def employers(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
    q: Annotated[str, Query(max_length=100)] = "",
    municipality: Annotated[str, Query(max_length=3)] = "",
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    stmt = employer_query(q, municipality)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(db.scalars(stmt.order_by(Employer.name, Employer.id).limit(PAGE).offset((page - 1) * PAGE)))
    return render(
        request,
        "employers/list.html",
        {
            "rows": rows,
            "q": q,
            "municipality": municipality,
            "page": page,
            "total": total,
            "page_size": PAGE,
            "area": request.app.state.area,
        },
    )


@router.get("/employers/{employer_id}", response_class=HTMLResponse)
def employer_page(
    request: Request,
    employer_id: IdPath,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    employer = db.get(Employer, employer_id)
    if employer is None:
        raise NotFound
    vacancies = list(
        db.scalars(
            select(Vacancy)
            .where(Vacancy.employer_id == employer_id)
            .order_by(Vacancy.published_on.desc())
            .limit(200)
        )
    )
    events = list(
        db.scalars(
            select(EmployerServiceEvent)
            .where(EmployerServiceEvent.employer_id == employer_id)
            .order_by(EmployerServiceEvent.event_date.desc())
            .limit(200)
        )
    )
    area = request.app.state.area
    return render(
        request,
        "employers/employer.html",
        {
            "e": employer,
            "vacancies": vacancies,
            "events": events,
            "area": area,
            "day": today(),
            "contact": area.file.employer_contacts.get(employer.municipality_code),
        },
    )


@router.get("/vacancies", response_class=HTMLResponse)
def vacancies(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
    q: Annotated[str, Query(max_length=100)] = "",
    municipality: Annotated[str, Query(max_length=3)] = "",
    open_only: bool = True,
    coded: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    coded = coded if coded in CODED_FILTERS else ""
    stmt = vacancy_query(q, municipality, open_only, coded)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        db.execute(
            stmt.order_by(Vacancy.published_on.desc(), Vacancy.id).limit(PAGE).offset((page - 1) * PAGE)
        )
    )
    return render(
        request,
        "employers/vacancies.html",
        {
            "rows": rows,
            "q": q,
            "municipality": municipality,
            "open_only": open_only,
            "coded": coded,
            "page": page,
            "total": total,
            "page_size": PAGE,
            "area": request.app.state.area,
            "day": today(),
        },
    )


@router.get("/vacancies/{vacancy_id}", response_class=HTMLResponse)
def vacancy_page(
    request: Request,
    vacancy_id: IdPath,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    row = db.execute(
        select(Vacancy, Employer)
        .join(Employer, Employer.id == Vacancy.employer_id)
        .where(Vacancy.id == vacancy_id)
    ).first()
    if row is None:
        raise NotFound
    vacancy, employer = row
    from alue.matching.views import occupation_text

    return render(
        request,
        "employers/vacancy.html",
        {
            "v": vacancy,
            "e": employer,
            "area": request.app.state.area,
            "day": today(),
            "occupation": occupation_text(vacancy, lang),
            "can_code": principal.has(Permission.WRITE_VACANCIES),
        },
    )


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("employers", N_("Employers"), "/employers", Permission.VIEW_EMPLOYERS, order=30))
    web.add_nav(NavItem("vacancies", N_("Vacancies"), "/vacancies", Permission.VIEW_EMPLOYERS, order=40))
