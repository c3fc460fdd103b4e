"""The JSON API, ``/api/v1``: the same sign-in, permissions, scope, suppression and audit as the pages.

Authentication: the web session cookie (a POST also needs the ``X-CSRF-Token`` header) or
``Authorization: Bearer <token>`` with a token made by ``alue users token``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from alue.area.models import ServicePoint
from alue.employers.models import Employer, Vacancy
from alue.services.models import Partner
from alue.shared import audit
from alue.shared.audit import AuditAction, AuditPurpose, AuditQuery
from alue.shared.auth import Permission, Principal, may_see_municipality
from alue.shared.time import today
from alue.web.deps import DbSession, Forbidden, IdPath, NotFound, actor_of, requires
from alue.web.nav import WebRegistry
from alue.web.persons import SearchError, get_in_scope, record, search
from alue.web.queries import MunicipalityFigures, municipality_figures
from alue.web.views.area import visible_codes
from alue.web.views.employers import employer_query, vacancy_query
from alue.web.views.partners import partner_query
from alue.web.views.people import audit_search

router = APIRouter(prefix="/api/v1", tags=["api"])
meta_router = APIRouter(prefix="/api/v1", include_in_schema=False)

T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    staff_id: int | None
    municipalities: list[str]
    permissions: list[str]


class Figures(BaseModel):
    """Person counts are null when suppressed (1–4 persons)."""

    code: str
    name: str
    registered_jobseekers: int | None
    unemployed: int | None
    young_unemployed: int | None
    open_vacancies: int
    staff_fte: float


class ServicePointOut(BaseModel):
    key: str
    municipality_code: str
    kind: str
    name_fi: str
    name_sv: str
    address: str
    visit_interval_days: int | None


class AreaOut(BaseModel):
    name: str
    day: dt.date
    municipalities: list[Figures]
    service_points: list[ServicePointOut]


class Contact(BaseModel):
    municipality_code: str
    municipality: str
    name: str
    phone: str
    email: str


class SearchIn(BaseModel):
    query: str = Field(min_length=1, max_length=100, description="full HETU, customer number or name")


class PersonSummary(BaseModel):
    id: int
    customer_number: str
    first_name: str
    last_name: str
    birth_date: dt.date
    home_municipality_code: str


class SearchOut(BaseModel):
    by: str
    results: list[PersonSummary]
    more: bool


class StatusOut(BaseModel):
    status: str
    start_date: dt.date
    end_date: dt.date | None


class PersonOut(PersonSummary):
    hetu: str
    service_language: str
    education_level: str
    groups: list[str]
    status_history: list[StatusOut]
    occupations: list[str]
    services: list[str]
    employments: list[str]


class EmployerOut(BaseModel):
    id: int
    business_id: str
    name: str
    municipality_code: str
    industry: str
    size_class: str


class VacancyOut(BaseModel):
    id: int
    employer_id: int
    employer_name: str
    title: str
    isco4: str
    municipality_code: str
    positions: int
    published_on: dt.date
    closes_on: dt.date | None


class PartnerOut(BaseModel):
    id: int
    name: str
    kind: str
    municipality_code: str | None
    partnership_agreement: bool


class AuditRow(BaseModel):
    id: int
    at: dt.datetime
    actor_username: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    person_id: int | None
    purpose: str


class Page(BaseModel, Generic[T]):
    total: int
    items: list[T]


def _figures_out(code: str, name: str, f: MunicipalityFigures) -> Figures:
    return Figures(
        code=code,
        name=name,
        registered_jobseekers=f.registered.as_count(),
        unemployed=f.unemployed.as_count(),
        young_unemployed=f.young_unemployed.as_count(),
        open_vacancies=f.open_vacancies,
        staff_fte=f.staff_fte,
    )


@meta_router.get("/openapi.json")
def openapi(request: Request, _: Annotated[Principal | None, requires(Permission.PUBLIC)]) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/me")
def me(principal: Annotated[Principal, requires(Permission.SIGNED_IN)]) -> Me:
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role.value,
        staff_id=principal.staff_id,
        municipalities=list(principal.municipality_codes),
        permissions=sorted(p.value for p in principal.permissions),
    )


@router.get("/area")
def area(
    request: Request, principal: Annotated[Principal, requires(Permission.VIEW_AREA)], db: DbSession
) -> AreaOut:
    config = request.app.state.area
    codes = visible_codes(request, principal)
    day = today()
    figures, _ = municipality_figures(
        db, day=day, codes=codes, youth_age_limit=config.youth_age_limit_on(day)
    )
    points = db.scalars(
        select(ServicePoint).where(ServicePoint.municipality_code.in_(codes)).order_by(ServicePoint.key)
    )
    return AreaOut(
        name=config.name("fi"),
        day=day,
        municipalities=[_figures_out(c, config.municipalities[c].name_fi, figures[c]) for c in codes],
        service_points=[
            ServicePointOut(
                key=p.key,
                municipality_code=p.municipality_code,
                kind=p.kind.value,
                name_fi=p.name_fi,
                name_sv=p.name_sv,
                address=p.address,
                visit_interval_days=p.visit_interval_days,
            )
            for p in points
        ],
    )


@router.get("/municipalities/{code}")
def municipality(
    request: Request,
    code: str,
    principal: Annotated[Principal, requires(Permission.VIEW_AREA)],
    db: DbSession,
) -> Figures:
    config = request.app.state.area
    if code not in config.municipalities:
        raise NotFound
    if not may_see_municipality(principal, code):
        raise Forbidden
    figures, _ = municipality_figures(db, day=today(), codes=[code], youth_age_limit=config.youth_age_limit)
    return _figures_out(code, config.municipalities[code].name_fi, figures[code])


@router.get("/employer-contacts")
def employer_contacts(
    request: Request, _: Annotated[Principal | None, requires(Permission.PUBLIC)]
) -> list[Contact]:
    """Public: the employer-services contact of each municipality (R-D3)."""
    config = request.app.state.area
    return [
        Contact(
            municipality_code=code,
            municipality=config.municipalities[code].name_fi,
            name=c.name,
            phone=c.phone,
            email=c.email,
        )
        for code, c in sorted(config.file.employer_contacts.items())
    ]


@router.post("/persons/search")
def search_persons(
    request: Request,
    body: SearchIn,
    principal: Annotated[Principal, requires(Permission.SEARCH_PERSONS)],
    db: DbSession,
) -> SearchOut:
    """Exact HETU, exact customer number, or the beginning of names; results limited to the caller's scope."""
    try:
        result = search(db, principal=principal, query=body.query)
    except SearchError as exc:
        raise HTTPException(
            422, [{"loc": ["body", "query"], "msg": str(exc), "type": "value_error"}]
        ) from exc
    audit_search(request, db, principal, result.kind, [p.id for p in result.persons])
    db.commit()
    return SearchOut(by=result.kind.value, results=[_summary(p) for p in result.persons], more=result.more)


def _summary(p: Any) -> PersonSummary:
    return PersonSummary(
        id=p.id,
        customer_number=p.customer_number,
        first_name=p.first_name,
        last_name=p.last_name,
        birth_date=p.birth_date,
        home_municipality_code=p.home_municipality_code,
    )


@router.get("/persons/{person_id}")
def person(
    request: Request,
    person_id: IdPath,
    principal: Annotated[Principal, requires(Permission.READ_PERSON)],
    db: DbSession,
) -> PersonOut:
    day = today()
    found = get_in_scope(db, principal=principal, person_id=person_id, on=day)
    if found is None:
        raise NotFound
    data = record(db, person=found, on=day, youth_age_limit=request.app.state.area.youth_age_limit_on(day))
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.READ,
        object_type="person",
        object_id=found.id,
        person_id=found.id,
        purpose=AuditPurpose.CASEWORK,
    )
    db.commit()
    return PersonOut(
        **_summary(found).model_dump(),
        hetu=found.hetu,
        service_language=found.service_language,
        education_level=str(found.education_level),
        groups=[g.value for g, *_ in data.groups],
        status_history=[
            StatusOut(status=t.status.value, start_date=t.start, end_date=t.end) for t in data.timeline
        ],
        occupations=[o.label for o in data.occupations],
        services=[s.code for _p, s in data.participations],
        employments=[e.isco4 for e, _emp in data.outcomes],
    )


@router.get("/persons/{person_id}/access-report")
def person_access_report(
    request: Request,
    person_id: IdPath,
    principal: Annotated[Principal, requires(Permission.ACCESS_REPORT)],
    db: DbSession,
) -> list[AuditRow]:
    """GDPR: who has handled this person's data. The request itself is audited."""
    from alue.people.models import Person

    if db.get(Person, person_id) is None:
        raise NotFound
    rows = audit.access_report(db, person_id=person_id)
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.ACCESS_REPORT,
        object_type="person",
        object_id=person_id,
        person_id=person_id,
        purpose=AuditPurpose.DATA_SUBJECT_REQUEST,
    )
    db.commit()
    return [_audit_row(r) for r in rows]


def _audit_row(r: audit.AuditEvent) -> AuditRow:
    return AuditRow(
        id=r.id,
        at=audit.as_utc(r.at),
        actor_username=r.actor_username,
        actor_role=r.actor_role,
        action=r.action,
        object_type=r.object_type,
        object_id=r.object_id,
        person_id=r.person_id,
        purpose=r.purpose,
    )


@router.get("/employers")
def employers(
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    municipality: Annotated[str, Query(max_length=3)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EmployerOut]:
    stmt = employer_query(q, municipality)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.scalars(stmt.order_by(Employer.name, Employer.id).limit(limit).offset(offset))
    return Page[EmployerOut](
        total=total,
        items=[
            EmployerOut(
                id=e.id,
                business_id=e.business_id,
                name=e.name,
                municipality_code=e.municipality_code,
                industry=e.industry,
                size_class=str(e.size_class),
            )
            for e in rows
        ],
    )


@router.get("/employers/{employer_id}")
def employer(
    employer_id: IdPath, principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)], db: DbSession
) -> EmployerOut:
    e = db.get(Employer, employer_id)
    if e is None:
        raise NotFound
    return EmployerOut(
        id=e.id,
        business_id=e.business_id,
        name=e.name,
        municipality_code=e.municipality_code,
        industry=e.industry,
        size_class=str(e.size_class),
    )


@router.get("/vacancies")
def vacancies(
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    q: Annotated[str, Query(max_length=100)] = "",
    municipality: Annotated[str, Query(max_length=3)] = "",
    open_only: bool = True,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[VacancyOut]:
    stmt = vacancy_query(q, municipality, open_only)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.execute(stmt.order_by(Vacancy.published_on.desc(), Vacancy.id).limit(limit).offset(offset))
    return Page[VacancyOut](
        total=total,
        items=[
            VacancyOut(
                id=v.id,
                employer_id=e.id,
                employer_name=e.name,
                title=v.title,
                isco4=v.isco4,
                municipality_code=v.municipality_code,
                positions=v.positions,
                published_on=v.published_on,
                closes_on=v.closes_on,
            )
            for v, e in rows
        ],
    )


@router.get("/partners")
def partners(
    principal: Annotated[Principal, requires(Permission.VIEW_PARTNERS)],
    db: DbSession,
    kind: Annotated[str, Query(max_length=40)] = "",
) -> list[PartnerOut]:
    return [
        PartnerOut(
            id=p.id,
            name=p.name,
            kind=str(p.kind),
            municipality_code=p.municipality_code,
            partnership_agreement=p.partnership_agreement,
        )
        for p in db.scalars(partner_query(kind).limit(1000))
        if isinstance(p, Partner)
    ]


@router.get("/audit")
def audit_search_api(
    request: Request,
    principal: Annotated[Principal, requires(Permission.READ_AUDIT)],
    db: DbSession,
    actor: Annotated[str, Query(max_length=150)] = "",
    person_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    action: Annotated[str, Query(max_length=30)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditRow]:
    query = AuditQuery(
        actor=actor or None,
        person_id=person_id,
        action=action if action in AuditAction._value2member_map_ else None,
    )
    rows, total = audit.search(db, query, limit=limit, offset=offset)
    audit.append_review(db, actor=actor_of(request, principal), action=AuditAction.READ, query=query)
    db.commit()
    return Page[AuditRow](total=total, items=[_audit_row(r) for r in rows])


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_router(meta_router)
