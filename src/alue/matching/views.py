"""Matching pages (R-G1, R-G2, R-G3, R-H1): a jobseeker's suitable vacancies, a vacancy's candidates,
the shortage table and the area's reskilling paths.

- ``/persons/{id}/matches`` (``READ_PERSON``): the person must be in the caller's scope
  (``person_scope``); the read is audited (purpose job brokerage).
- ``/vacancies/{id}/candidates`` (``VIEW_EMPLOYERS``): candidates are limited in SQL to the municipalities
  the caller's staff member serves (administrators: the whole area). A caller who may read jobseekers'
  data sees the candidates in their scope by name; employer services see them without names (the
  municipality, the score and its parts) and contact the case worker. The list is audited.
- ``/matching/shortage`` and ``/matching/reskilling`` (``VIEW_AGGREGATES``): aggregates; person counts
  of 1–4 are suppressed.
- ``/vacancies/{id}/occupation`` (``WRITE_VACANCIES``): the vacancy's occupation corrected from the
  coder's candidates for its title (or for another title the user types); the title can be confirmed
  to that occupation for the coder (:mod:`alue.matching.confirmed`). ``/matching/titles``
  (``VIEW_EMPLOYERS``) lists the confirmed titles; removing one needs ``WRITE_VACANCIES``. Changes
  are audited (no personal data).

Every match row shows its score broken into parts, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from alue.employers.models import Employer, OccupationSource, Vacancy
from alue.matching.i18n import gettext, template_context
from alue.people.models import Person
from alue.shared import audit
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import N_, Permission, Principal, Role, person_scope
from alue.shared.cache import TimedCache
from alue.shared.suppression import Cell, count_cell
from alue.shared.time import now, today
from alue.staff.models import StaffMunicipality
from alue.web.deps import DbSession, IdPath, Lang, NotFound, actor_of, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.persons import get_in_scope
from alue.web.templating import render

if TYPE_CHECKING:
    from alue.matching.coder import OccupationCoder
    from alue.matching.confirmed import ConfirmedOverlay

_log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).with_name("templates")
TopQuery = Annotated[int, Query(ge=1, le=100)]

#: part key → English msgid of its name (translated in the matching catalogue)
PART_LABELS = {
    "occupation": N_("Occupation"),
    "skills": N_("Skills"),
    "experience": N_("Work experience"),
    "education": N_("Education"),
    "language": N_("Languages"),
    "driving_licence": N_("Driving licence"),
    "working_time": N_("Working time"),
    "commute": N_("Commuting"),
}
FAIL_LABELS = {
    "occupation": N_("unrelated occupation"),
    "driving_licence": N_("no driving licence"),
    "commute": N_("beyond commuting reach"),
}
STATUS_LABELS = {"shortage": N_("shortage"), "balance": N_("balance"), "surplus": N_("surplus")}
TREND_LABELS = {
    "rising": N_("more vacancies per jobseeker"),
    "falling": N_("fewer vacancies per jobseeker"),
    "stable": N_("stable"),
    "unknown": N_("not known"),
}
SIMILARITY_LABELS = {
    "hierarchy": N_("ISCO hierarchy"),
    "text": N_("tasks (ESCO texts)"),
    "skills": N_("skills"),
}
TRAINING_MATCH_LABELS = {
    "target": N_("aims at the group"),
    "minor_group": N_("aims at the same minor group"),
    "name": N_("by name"),
}


def register(web: WebRegistry) -> None:
    from alue.matching.api import api

    web.add_router(router)
    web.add_router(api)
    web.add_nav(NavItem("matching", N_("Matching"), "/matching/", Permission.VIEW_AGGREGATES, order=35))
    web.add_templates(TEMPLATES)
    web.add_startup(prepare_coder)


def prepare_coder(app: Any) -> None:
    """As the application starts (``WebSettings.prepare_coder``): read or build the occupation coder on a
    background thread, so that the first page that codes a title does not wait for it."""
    from alue.matching.confirmed import serve_without_waiting

    if not app.state.web_settings.prepare_coder:
        return
    try:
        with app.state.session_factory() as db:
            serve_without_waiting(db)
    except SQLAlchemyError:
        _log.exception("the occupation coder was not prepared at start: the confirmed titles were not read")


def _page(request: Request, lang: str, template: str, context: dict[str, Any]) -> Response:
    return render(request, template, {**context, **template_context(lang)})


# ------------------------------------------------------------------------------ shared with the API


@dataclass(frozen=True, slots=True)
class PartView:
    key: str
    label: str
    weight: float
    value: float
    text: str


@dataclass(frozen=True, slots=True)
class MatchView:
    person_id: int
    vacancy_id: int
    score: float
    distance_km: float | None
    hard_fail: str | None
    parts: tuple[PartView, ...]


def match_view(match: Any, lang: str) -> MatchView:
    parts = tuple(
        PartView(
            key=p.key,
            label=gettext(lang, PART_LABELS.get(p.key, p.key)),
            weight=float(p.weight),
            value=float(p.value),
            text=p.explanation.get(lang) or p.explanation.get("fi", ""),
        )
        for p in match.parts
    )
    distance = float(match.distance_km)
    return MatchView(
        person_id=match.person_id,
        vacancy_id=match.vacancy_id,
        score=float(match.score),
        distance_km=None if math.isnan(distance) or math.isinf(distance) else distance,
        hard_fail=match.hard_fail,
        parts=parts,
    )


def vacancies_for_person(
    db: Session, person_id: int, *, top: int, lang: str
) -> list[tuple[MatchView, Vacancy, Employer]]:
    from alue.matching.engine import rank_vacancies_for_person

    try:
        matches = rank_vacancies_for_person(db, person_id, top=top)
    except LookupError:
        raise NotFound from None
    views = [match_view(m, lang) for m in matches]
    ids = [v.vacancy_id for v in views]
    rows = {
        v.id: (v, e)
        for v, e in db.execute(
            select(Vacancy, Employer)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .where(Vacancy.id.in_(ids))
        )
    }
    return [(view, *rows[view.vacancy_id]) for view in views if view.vacancy_id in rows]


def served_municipalities(db: Session, principal: Principal) -> list[str] | None:
    """The municipalities whose jobseekers the caller may see as candidates; None: the whole area."""
    if principal.role == Role.ADMIN:
        return None
    if principal.staff_id is None:
        return []
    return list(
        db.scalars(
            select(StaffMunicipality.municipality_code).where(
                StaffMunicipality.staff_id == principal.staff_id
            )
        )
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    match: MatchView
    #: the person when the caller may read jobseekers' data, else None (shown without a name)
    person: Person | None
    home_municipality_code: str


def candidates_for_vacancy(
    db: Session, principal: Principal, vacancy_id: int, *, top: int, lang: str
) -> list[Candidate]:
    """The vacancy's best candidates among the jobseekers the caller may see (filtered in SQL)."""
    from alue.matching.engine import rank_persons_for_vacancy

    if db.get(Vacancy, vacancy_id) is None:
        raise NotFound
    codes = served_municipalities(db, principal)
    if codes is not None and not codes:
        return []
    try:
        matches = rank_persons_for_vacancy(db, vacancy_id, top=top, municipality_codes=codes)
    except LookupError:
        raise NotFound from None
    views = [match_view(m, lang) for m in matches]
    ids = [v.person_id for v in views]
    if not ids:
        return []
    named = principal.has(Permission.READ_PERSON)
    query = select(Person).where(Person.id.in_(ids))
    if named:
        query = query.where(person_scope(principal))
    elif codes is not None:
        query = query.where(Person.home_municipality_code.in_(codes))
    people = {p.id: p for p in db.scalars(query)}
    return [
        Candidate(v, people[v.person_id] if named else None, people[v.person_id].home_municipality_code)
        for v in views
        if v.person_id in people
    ]


def audit_matches(
    request: Request, db: Session, principal: Principal, person_ids: list[int] | None = None, **details: Any
) -> None:
    single = person_ids[0] if person_ids is not None and len(person_ids) == 1 else None
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.READ,
        object_type="person" if "person_id" in details else "vacancy",
        object_id=details.get("person_id") or details.get("vacancy_id") or "",
        person_id=details.get("person_id") or single,
        person_ids=person_ids,
        purpose=AuditPurpose.JOB_BROKERAGE,
        details={"view": "matches", **details},
    )
    db.commit()


def read_person_matches(
    request: Request, db: Session, principal: Principal, person_id: int, *, top: int, lang: str
) -> tuple[Person, list[tuple[MatchView, Vacancy, Employer]]]:
    """A jobseeker in the caller's scope and the vacancies that suit them; the read is audited."""
    person = get_in_scope(db, principal=principal, person_id=person_id, on=today())
    if person is None:
        raise NotFound
    rows = vacancies_for_person(db, person.id, top=top, lang=lang)
    audit_matches(request, db, principal, person_id=person.id, vacancy_ids=[v.id for _m, v, _e in rows])
    return person, rows


def read_vacancy_candidates(
    request: Request, db: Session, principal: Principal, vacancy_id: int, *, top: int, lang: str
) -> list[Candidate]:
    """A vacancy's best candidates the caller may see; the read is audited (page and API)."""
    rows = candidates_for_vacancy(db, principal, vacancy_id, top=top, lang=lang)
    audit_matches(request, db, principal, vacancy_id=vacancy_id, person_ids=[c.match.person_id for c in rows])
    return rows


#: area-wide figures (shortage table, reskilling paths) kept for ten minutes per database and day
_CACHE: TimedCache[tuple[str, str, dt.date], Any] = TimedCache(600)


def cached(db: Session, kind: str, compute: Any) -> Any:
    # ``.engine``: a session may be bound to a Connection (which has no ``url``) as well as to an Engine
    return _CACHE.get((str(db.get_bind().engine.url), kind, today()), compute)


def clear_cache() -> None:
    _CACHE.clear()


def area_balance(db: Session) -> list[Any]:
    from alue.matching.shortage import occupation_balance

    return cached(db, "balance", lambda: occupation_balance(db, on=today()))  # type: ignore[no-any-return]


def area_paths(db: Session) -> list[Any]:
    from alue.matching.reskilling import reskilling_paths

    def compute() -> list[Any]:
        status = {row.isco4: row for row in area_balance(db)}
        return reskilling_paths(db, on=today(), status=status)

    return cached(db, "paths", compute)  # type: ignore[no-any-return]


def isco_label(code: str, lang: str) -> str:
    from alue.matching.reskilling import group_similarity

    try:
        return group_similarity().taxonomy.isco_label(code, lang)  # type: ignore[no-any-return]
    except KeyError:
        return code


# ----------------------------------------------------------------------------------------------- pages


@router.get("/persons/{person_id}/matches", response_class=HTMLResponse)
def person_matches(
    request: Request,
    person_id: IdPath,
    principal: Annotated[Principal, requires(Permission.READ_PERSON)],
    db: DbSession,
    lang: Lang,
    top: TopQuery = 20,
) -> Response:
    person, rows = read_person_matches(request, db, principal, person_id, top=top, lang=lang)
    return _page(
        request, lang, "matching/person_matches.html", {"p": person, "rows": rows, "fail_labels": FAIL_LABELS}
    )


@router.get("/vacancies/{vacancy_id}/candidates", response_class=HTMLResponse)
def vacancy_candidates(
    request: Request,
    vacancy_id: IdPath,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
    top: TopQuery = 20,
) -> Response:
    vacancy = db.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound
    rows = read_vacancy_candidates(request, db, principal, vacancy_id, top=top, lang=lang)
    return _page(
        request,
        lang,
        "matching/vacancy_candidates.html",
        {
            "v": vacancy,
            "rows": rows,
            "named": principal.has(Permission.READ_PERSON),
            "area": request.app.state.area,
            "fail_labels": FAIL_LABELS,
        },
    )


@router.get("/matching/", response_class=HTMLResponse)
def index(
    request: Request, principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)], lang: Lang
) -> Response:
    return _page(request, lang, "matching/index.html", {})


@dataclass(frozen=True, slots=True)
class BalanceRow:
    isco4: str
    label: str
    status: str
    ratio: float | None
    trend: str
    vacancies: int
    jobseekers: Cell
    source: str


@router.get("/matching/shortage", response_class=HTMLResponse)
def shortage(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    status: Annotated[str, Query(pattern="^(|shortage|balance|surplus)$")] = "",
) -> Response:
    rows = [
        BalanceRow(
            r.isco4,
            isco_label(r.isco4, lang),
            r.status,
            r.ratio,
            r.trend,
            r.vacancies,
            count_cell(r.jobseekers),
            r.source,
        )
        for r in area_balance(db)
        if not status or r.status == status
    ]
    period = area_balance(db)[0].period_start if area_balance(db) else None
    return _page(
        request,
        lang,
        "matching/shortage.html",
        {
            "rows": rows,
            "status": status,
            "period": period,
            "status_labels": STATUS_LABELS,
            "trend_labels": TREND_LABELS,
        },
    )


@router.get("/matching/reskilling", response_class=HTMLResponse)
def reskilling(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    top: Annotated[int, Query(ge=1, le=200)] = 30,
) -> Response:
    paths = area_paths(db)[:top]
    return _page(
        request,
        lang,
        "matching/reskilling.html",
        {
            "paths": paths,
            "label": lambda code: isco_label(code, lang),
            "served": lambda n: count_cell(n),
            "similarity_labels": SIMILARITY_LABELS,
            "training_match_labels": TRAINING_MATCH_LABELS,
        },
    )


# ------------------------------------------------------------------------------- occupation coding

#: ``Vacancy.occupation_source`` → English msgid of how the occupation was chosen
SOURCE_LABELS: dict[str, str] = {
    OccupationSource.EMPLOYER: N_("chosen by the employer in the ad"),
    OccupationSource.CODER: N_("coded from the title by the occupation coder"),
    OccupationSource.STAFF: N_("corrected by staff"),
}
#: Candidates offered for a vacancy's occupation
OCCUPATION_CHOICES = 10


def get_vacancy(db: Session, vacancy_id: int) -> Vacancy:
    """The vacancy, or ``NotFound`` (pages and API)."""
    vacancy = db.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound
    return vacancy


def occupation_candidates(db: Session, title: str, *, lang: str, top: int) -> list[Any]:
    """The coder's best occupations for ``title`` (with the area's confirmed titles indexed)."""
    from alue.matching.confirmed import coder_for

    # a page does not wait for the coder to be rebuilt after a confirmation (see alue.matching.confirmed)
    return coder_for(db, wait=False).code_many([title], top=top, lang=lang)[0]


def finnish_readings(found: OccupationCoder | ConfirmedOverlay, title: str) -> list[str]:
    """The Finnish readings by which the coder ``found`` also coded a Swedish or English ``title`` (one
    per alternative it names; none for a Finnish title), shown with its suggestions."""
    from alue.matching.confirmed import ConfirmedOverlay

    coder = found.base if isinstance(found, ConfirmedOverlay) else found  # (an overlay codes with its base)
    return [r for alternative in coder.alternatives(title) if (r := coder.finnish_reading(alternative))]


def _occupation_page(
    request: Request,
    db: Session,
    lang: str,
    vacancy: Vacancy,
    *,
    q: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    from alue.matching.confirmed import title_key
    from alue.matching.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    from alue.matching.confirmed import coder_for

    title = q.strip() or vacancy.title
    # a page does not wait for the coder to be rebuilt after a confirmation (see alue.matching.confirmed)
    coder = coder_for(db, wait=False)
    choices = coder.code_many([title], top=OCCUPATION_CHOICES, lang=lang)[0]
    current = taxonomy.occupations.get(vacancy.esco_uri or "")
    context = {
        "v": vacancy,
        "q": q.strip(),
        "choices": choices,
        "readings": finnish_readings(coder, title),
        "current": current,
        "current_label": current.label(lang) if current else "",
        "source_label": SOURCE_LABELS.get(vacancy.occupation_source, ""),
        "can_remember": bool(title_key(vacancy.title)),
        "error": error,
    }
    response = _page(request, lang, "matching/vacancy_occupation.html", context)
    response.status_code = status_code
    return response


@router.get("/vacancies/{vacancy_id}/occupation", response_class=HTMLResponse)
def vacancy_occupation(
    request: Request,
    vacancy_id: IdPath,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
    lang: Lang,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    return _occupation_page(request, db, lang, get_vacancy(db, vacancy_id), q=q)


def change_occupation(
    request: Request, db: Session, principal: Principal, vacancy: Vacancy, uri: str, *, remember: bool
) -> None:
    """Give ``vacancy`` the occupation ``uri`` (staff's choice), confirm its title with ``remember``,
    audit and commit (page and API). Raises ``KeyError`` for an occupation not in the taxonomy."""
    from alue.matching.confirmed import set_vacancy_occupation
    from alue.matching.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    before = {"esco_uri": vacancy.esco_uri, "isco4": vacancy.isco4, "source": vacancy.occupation_source}
    confirmed = set_vacancy_occupation(
        db, vacancy, uri, taxonomy=taxonomy, user_id=principal.user_id, remember=remember, now=now()
    )
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.UPDATE,
        object_type="vacancy",
        object_id=vacancy.id,
        purpose=AuditPurpose.JOB_BROKERAGE,
        details={
            "change": "occupation",
            "before": before,
            "after": {"esco_uri": vacancy.esco_uri, "isco4": vacancy.isco4},
            "confirmed_title": confirmed.title if confirmed else None,
        },
    )
    db.commit()
    clear_cache()


def remove_confirmed_title(request: Request, db: Session, principal: Principal, title_id: int) -> None:
    """Remove a confirmed title, audit and commit (page and API); ``NotFound`` when there is none."""
    from alue.matching.confirmed import delete_confirmed_title

    row = delete_confirmed_title(db, title_id)
    if row is None:
        raise NotFound
    details = {"title": row.title, "esco_uri": row.esco_uri, "isco4": row.isco4}
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=AuditAction.DELETE,
        object_type="confirmed_title",
        object_id=title_id,
        purpose=AuditPurpose.JOB_BROKERAGE,
        details=details,
    )
    db.commit()


@router.post("/vacancies/{vacancy_id}/occupation", response_class=HTMLResponse)
def save_vacancy_occupation(
    request: Request,
    vacancy_id: IdPath,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
    lang: Lang,
    uri: Annotated[str, Form(max_length=200)] = "",
    remember: Annotated[bool, Form()] = False,
) -> Response:
    vacancy = get_vacancy(db, vacancy_id)
    try:
        change_occupation(request, db, principal, vacancy, uri, remember=remember)
    except KeyError:
        return _occupation_page(
            request, db, lang, vacancy, error=gettext(lang, "Choose one of the occupations."), status_code=400
        )
    return RedirectResponse(f"/vacancies/{vacancy.id}?saved=occupation", status_code=303)


@router.get("/matching/titles", response_class=HTMLResponse)
def confirmed_titles_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
) -> Response:
    from alue.matching.confirmed import listed_titles
    from alue.matching.taxonomy import load_taxonomy
    from alue.shared.auth import User

    taxonomy = load_taxonomy()
    rows = listed_titles(db)
    user_ids = {r.confirmed_by for r in rows if r.confirmed_by is not None}
    names: dict[int, str] = {}
    if user_ids:
        for uid, name in db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))):
            names[uid] = name
    labels = {
        r.id: taxonomy.occupations[r.esco_uri].label(lang)
        if r.esco_uri in taxonomy.occupations
        else r.esco_uri
        for r in rows
    }
    return _page(
        request,
        lang,
        "matching/confirmed_titles.html",
        {
            "rows": rows,
            "labels": labels,
            "names": names,
            "can_write": principal.has(Permission.WRITE_VACANCIES),
        },
    )


@router.post("/matching/titles/{title_id}/delete", response_class=HTMLResponse)
def delete_confirmed_title(
    request: Request,
    title_id: IdPath,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
) -> Response:
    remove_confirmed_title(request, db, principal, title_id)
    return RedirectResponse("/matching/titles?saved=deleted", status_code=303)


def occupation_text(vacancy: Vacancy, lang: str) -> dict[str, str]:
    """The vacancy's occupation in words: its ESCO label, how it was chosen and the coder's certainty,
    and the words of the page's occupation links (from the matching pages' catalogue)."""
    from alue.matching.taxonomy import load_taxonomy

    occupation = load_taxonomy().occupations.get(vacancy.esco_uri or "")
    how = (
        gettext(lang, SOURCE_LABELS[vacancy.occupation_source])
        if vacancy.occupation_source in SOURCE_LABELS
        else ""
    )
    if vacancy.occupation_source == OccupationSource.CODER and vacancy.occupation_score is not None:
        how += ", " + gettext(lang, "certainty %(score)s %%", score=round(vacancy.occupation_score * 100))
    return {
        "label": occupation.label(lang) if occupation else "",
        "how": how,
        "correct": gettext(lang, "Correct the occupation"),
        "saved": gettext(lang, "The occupation was saved."),
        "candidates": gettext(lang, "Suitable candidates"),
    }
