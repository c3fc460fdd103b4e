"""Jobseeker search and the jobseeker page. Authorise first, audit every success."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from alue.shared import audit, auth
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import N_, Permission, Principal
from alue.shared.time import today
from alue.web.deps import DbSession, IdPath, Lang, NotFound, actor_of, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.persons import SearchError, SearchKind, get_in_scope, record, search
from alue.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/persons", response_class=HTMLResponse)
def search_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.SEARCH_PERSONS)],
    lang: Lang,
) -> Response:
    return render(request, "people/search.html", {"query": "", "result": None, "error": None})


@router.post("/persons/search", response_class=HTMLResponse)
def search_persons(
    request: Request,
    principal: Annotated[Principal, requires(Permission.SEARCH_PERSONS)],
    db: DbSession,
    lang: Lang,
    query: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """POST, so that a personal identity code never ends up in a URL, a log or the browser history."""
    partial = bool(request.headers.get("hx-request"))
    template = "people/_results.html" if partial else "people/search.html"
    try:
        result = search(db, principal=principal, query=query)
    except SearchError as exc:
        return render(
            request,
            template,
            {"query": query, "result": None, "error": str(exc)},
            status_code=200 if partial else 400,
        )
    audit_search(request, db, principal, result.kind, [p.id for p in result.persons])
    db.commit()
    return render(request, template, {"query": query, "result": result, "error": None})


def audit_search(
    request: Request, db: DbSession, principal: Principal, kind: SearchKind, ids: list[int]
) -> None:
    """One row per search; an exact identifier search names its person, a name search lists the ids."""
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.SEARCH,
        object_type="person",
        person_id=ids[0] if kind != SearchKind.NAME and len(ids) == 1 else None,
        purpose=AuditPurpose.CASEWORK,
        person_ids=ids,
        details={"by": kind.value, "results": len(ids)},
    )


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request,
    person_id: IdPath,
    principal: Annotated[Principal, requires(Permission.READ_PERSON)],
    db: DbSession,
    lang: Lang,
) -> Response:
    day = today()
    person = get_in_scope(db, principal=principal, person_id=person_id, on=day)
    if person is None:
        raise NotFound  # absent or outside the scope: the same answer
    data = record(db, person=person, on=day, youth_age_limit=request.app.state.area.youth_age_limit_on(day))
    tasks = (
        sorted(auth.delegated_tasks(db, staff_id=principal.staff_id, on=day)) if principal.staff_id else []
    )
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.READ,
        object_type="person",
        object_id=person.id,
        person_id=person.id,
        purpose=AuditPurpose.CASEWORK,
    )
    db.commit()
    area = request.app.state.area
    home = area.municipalities.get(person.home_municipality_code)
    return render(
        request,
        "people/person.html",
        {"r": data, "p": person, "day": day, "tasks": tasks, "home": home, "age": person.age_on(day)},
    )


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("persons", N_("Jobseekers"), "/persons", Permission.SEARCH_PERSONS, order=10))
