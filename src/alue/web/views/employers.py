"""Employer customers and vacancies (R-A2, R-D3)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as Path_
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_, select

from alue.employers.models import Employer, EmployerServiceEvent, OccupationSource, Vacancy
from alue.io.kinds.occupations import UNCERTAIN_BELOW
from alue.io.service import ImportResult, import_file
from alue.shared import audit
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import N_, Permission, Principal
from alue.shared.i18n import gettext
from alue.shared.time import today
from alue.web import uploads
from alue.web.deps import DbSession, IdPath, Lang, NotFound, actor_of, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.persons import get_in_scope
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
    # That a jobseeker founded the firm is about a person (a sole trader's firm names them): casework staff
    # whose scope holds the person see it, and the read is audited; others see the firm only.
    founder_shown = (
        employer.founded_by_person_id is not None
        and principal.has(Permission.READ_PERSON)
        and get_in_scope(db, principal=principal, person_id=employer.founded_by_person_id, on=today())
        is not None
    )
    if founder_shown:
        audit.append(
            db,
            actor=actor_of(request, principal),
            action=AuditAction.READ,
            object_type="employer",
            object_id=employer.id,
            person_id=employer.founded_by_person_id,
            purpose=AuditPurpose.CASEWORK,
            details={"view": "founder"},
        )
        db.commit()
    return render(
        request,
        "employers/employer.html",
        {
            "e": employer,
            "founder_shown": founder_shown,
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
            "can_import": principal.has(Permission.WRITE_VACANCIES),
        },
    )


# ------------------------------------------------------------------------------ import from a file

#: what a file holds, by its type: a table of vacancies, or ads of the national job-market platform
IMPORT_KINDS = {".csv": "vacancies", ".xlsx": "vacancies", ".json": "tmt-job-ads"}
#: errors listed on the page (the rest are counted)
ERRORS_SHOWN = 100
_COUNTS = ("inserted", "updated", "unchanged", "coded", "uncertain")


def _import_page(
    request: Request,
    *,
    result: ImportResult | None = None,
    token: str = "",
    error: str = "",
    done: dict[str, int] | None = None,
    status_code: int = 200,
) -> Response:
    from alue.io.kinds import get_kind

    file_problem = result is not None and any(e.row is None or e.row == 1 for e in result.errors)
    return render(
        request,
        "employers/vacancy_import.html",
        {
            "columns": get_kind("vacancies").columns,
            "result": result,
            "errors": result.errors[:ERRORS_SHOWN] if result else [],
            "file_problem": file_problem,
            "good_rows": (result.inserted + result.updated + result.unchanged) if result else 0,
            "token": token,
            "error": error,
            "done": done,
            "max_mb": uploads.MAX_BYTES // (1024 * 1024),
        },
        status_code=status_code,
    )


@router.get("/vacancies/import", response_class=HTMLResponse)
def vacancy_import(
    request: Request,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    inserted: Annotated[int | None, Query(ge=0)] = None,
    updated: Annotated[int, Query(ge=0)] = 0,
    unchanged: Annotated[int, Query(ge=0)] = 0,
    coded: Annotated[int, Query(ge=0)] = 0,
    uncertain: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    done = None
    if inserted is not None:  # back from an import (post, redirect, get)
        done = dict(zip(_COUNTS, (inserted, updated, unchanged, coded, uncertain), strict=True))
    return _import_page(request, done=done)


@router.post("/vacancies/import", response_class=HTMLResponse)
def check_vacancy_import(
    request: Request,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
    lang: Lang,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check an uploaded file (a dry run: nothing is written) and keep it for the import."""
    suffix = Path(file.filename or "").suffix.lower() if file is not None else ""
    if file is None or not file.filename:
        return _import_page(request, error=gettext(lang, "Choose a file."), status_code=400)
    if suffix not in IMPORT_KINDS:
        message = gettext(lang, "Choose a CSV, Excel (.xlsx) or JSON file.")
        return _import_page(request, error=message, status_code=400)
    try:
        token, path = uploads.save(file, user_id=principal.user_id or 0, suffix=suffix)
    except uploads.UploadTooLarge:
        message = gettext(lang, "The file is larger than %(mb)s MB.") % {
            "mb": uploads.MAX_BYTES // (1024 * 1024)
        }
        return _import_page(request, error=message, status_code=400)
    result = import_file(
        session=db, kind=IMPORT_KINDS[suffix], path=path, dry_run=True, actor=actor_of(request, principal)
    )
    db.rollback()
    return _import_page(request, result=result, token=token)


@router.post("/vacancies/import/{token}", response_class=HTMLResponse)
def run_vacancy_import(
    request: Request,
    token: Annotated[str, Path_(max_length=64)],
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
    lang: Lang,
    skip_invalid: Annotated[bool, Form()] = False,
) -> Response:
    """Import a checked file; with ``skip_invalid`` only its good rows."""
    path = uploads.find(token, user_id=principal.user_id or 0)
    if path is None:
        message = gettext(lang, "The file is no longer kept: choose it again.")
        return _import_page(request, error=message, status_code=404)
    result = import_file(
        session=db,
        kind=IMPORT_KINDS[path.suffix],
        path=path,
        skip_invalid=skip_invalid,
        actor=actor_of(request, principal),
    )
    if not result.written:
        db.rollback()
        return _import_page(request, result=result, token=token, status_code=400)
    db.commit()
    path.unlink(missing_ok=True)
    from alue.matching.views import clear_cache

    clear_cache()
    counts = (result.inserted, result.updated, result.unchanged, result.coded, result.coded_uncertain)
    query = "&".join(f"{name}={value}" for name, value in zip(_COUNTS, counts, strict=True))
    return RedirectResponse(f"/vacancies/import?{query}", status_code=303)


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
