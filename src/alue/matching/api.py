"""Matching in the JSON API (``/api/v1``): the same permissions, scope, suppression and audit as the pages
(``alue.matching.views``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from alue.employers.models import Vacancy
from alue.matching.views import (
    OCCUPATION_CHOICES,
    MatchView,
    area_paths,
    change_occupation,
    get_vacancy,
    isco_label,
    occupation_candidates,
    read_person_matches,
    read_vacancy_candidates,
    remove_confirmed_title,
)
from alue.shared.auth import Permission, Principal
from alue.shared.suppression import count_cell
from alue.web.deps import DbSession, IdPath, Lang, requires

api = APIRouter(prefix="/api/v1", tags=["matching"])
Top = Annotated[int, Query(ge=1, le=100)]


class PartOut(BaseModel):
    key: str
    label: str
    weight: float
    value: float
    explanation: str


class MatchOut(BaseModel):
    score: float
    distance_km: float | None
    hard_fail: str | None
    parts: list[PartOut]


class VacancyMatchOut(MatchOut):
    vacancy_id: int
    title: str
    employer_name: str
    municipality_code: str
    isco4: str


class CandidateOut(MatchOut):
    #: null when the caller may not read jobseekers' data (employer services)
    person_id: int | None
    home_municipality_code: str


class TrainingOut(BaseModel):
    code: str
    name: str
    duration_days: int
    match: str


class PathOut(BaseModel):
    """``jobseekers_served`` is null when suppressed (1–4 persons)."""

    from_isco: str
    from_label: str
    to_isco: str
    to_label: str
    similarity: float
    parts: dict[str, float]
    jobseekers_served: int | None
    vacancies_in_reach: int
    from_source: str
    to_source: str
    trainings: list[TrainingOut]


def _match(view: MatchView) -> dict[str, object]:
    return {
        "score": view.score,
        "distance_km": view.distance_km,
        "hard_fail": view.hard_fail,
        "parts": [
            PartOut(key=p.key, label=p.label, weight=p.weight, value=p.value, explanation=p.text)
            for p in view.parts
        ],
    }


@api.get("/jobseekers/{person_id}/matches")
def jobseeker_matches(
    request: Request,
    person_id: IdPath,
    principal: Annotated[Principal, requires(Permission.READ_PERSON)],
    db: DbSession,
    lang: Lang,
    top: Top = 20,
) -> list[VacancyMatchOut]:
    """The open vacancies that suit a jobseeker in the caller's scope, best first (audited)."""
    _person, rows = read_person_matches(request, db, principal, person_id, top=top, lang=lang)
    return [
        VacancyMatchOut(
            **_match(m),  # type: ignore[arg-type]
            vacancy_id=v.id,
            title=v.title,
            employer_name=e.name,
            municipality_code=v.municipality_code,
            isco4=v.isco4,
        )
        for m, v, e in rows
    ]


@api.get("/vacancies/{vacancy_id}/matches")
def vacancy_matches(
    request: Request,
    vacancy_id: IdPath,
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)],
    db: DbSession,
    lang: Lang,
    top: Top = 20,
) -> list[CandidateOut]:
    """The jobseekers who suit a vacancy, among those the caller may see, best first (audited)."""
    rows = read_vacancy_candidates(request, db, principal, vacancy_id, top=top, lang=lang)
    return [
        CandidateOut(
            **_match(c.match),  # type: ignore[arg-type]
            person_id=c.person.id if c.person is not None else None,
            home_municipality_code=c.home_municipality_code,
        )
        for c in rows
    ]


@api.get("/reskilling-paths")
def reskilling_paths(
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    top: Annotated[int, Query(ge=1, le=200)] = 30,
) -> list[PathOut]:
    """The area's reskilling paths, the ones serving most jobseekers first."""
    return [
        PathOut(
            from_isco=p.from_isco,
            from_label=isco_label(p.from_isco, lang),
            to_isco=p.to_isco,
            to_label=isco_label(p.to_isco, lang),
            similarity=p.similarity,
            parts=dict(p.parts),
            jobseekers_served=count_cell(p.jobseekers_served).as_count(),
            vacancies_in_reach=p.vacancies_in_reach,
            from_source=p.from_status.source,
            to_source=p.to_status.source,
            trainings=[
                TrainingOut(
                    code=t.code,
                    name=t.names.get(lang) or t.names["fi"],
                    duration_days=t.duration_days,
                    match=t.match,
                )
                for t in p.trainings
            ],
        )
        for p in area_paths(db)[:top]
    ]


class OccupationCandidateOut(BaseModel):
    uri: str
    isco: str
    label: str
    #: calibrated probability that the ISCO-08 group is right
    score: float


class VacancyOccupationOut(BaseModel):
    """A vacancy's occupation and who chose it: ``employer``, ``coder`` (with ``occupation_score``) or
    ``staff``; ``candidates``: the coder's best occupations for the title (or for ``q``)."""

    vacancy_id: int
    title: str
    esco_uri: str | None
    isco4: str
    occupation_source: str
    occupation_score: float | None
    candidates: list[OccupationCandidateOut]


class OccupationIn(BaseModel):
    uri: str = Field(max_length=200)
    #: confirm the vacancy's title to this occupation for the coder
    remember: bool = True


class ConfirmedTitleOut(BaseModel):
    id: int
    title: str
    esco_uri: str
    isco4: str
    confirmed_at: dt.datetime


def _vacancy_occupation(
    db: DbSession, vacancy: Vacancy, *, lang: str, q: str, top: int
) -> VacancyOccupationOut:
    return VacancyOccupationOut(
        vacancy_id=vacancy.id,
        title=vacancy.title,
        esco_uri=vacancy.esco_uri,
        isco4=vacancy.isco4,
        occupation_source=vacancy.occupation_source,
        occupation_score=vacancy.occupation_score,
        candidates=[
            OccupationCandidateOut(uri=c.uri, isco=c.isco, label=c.label, score=c.score)
            for c in (
                occupation_candidates(db, q.strip() or vacancy.title, lang=lang, top=top) if top else []
            )
        ],
    )


@api.get("/vacancies/{vacancy_id}/occupation")
def vacancy_occupation(
    vacancy_id: IdPath,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
    lang: Lang,
    q: Annotated[str, Query(max_length=200)] = "",
    top: Annotated[int, Query(ge=0, le=50)] = OCCUPATION_CHOICES,
) -> VacancyOccupationOut:
    """A vacancy's occupation, who chose it, and the coder's candidates for its title (or for ``q``)."""
    return _vacancy_occupation(db, get_vacancy(db, vacancy_id), lang=lang, q=q, top=top)


@api.put("/vacancies/{vacancy_id}/occupation")
def set_vacancy_occupation(
    request: Request,
    vacancy_id: IdPath,
    body: OccupationIn,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
    lang: Lang,
) -> VacancyOccupationOut:
    """Correct a vacancy's occupation (audited); with ``remember`` its title is confirmed for the coder."""
    vacancy = get_vacancy(db, vacancy_id)
    try:
        change_occupation(request, db, principal, vacancy, body.uri, remember=body.remember)
    except KeyError:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["body", "uri"],
                    "msg": f"no such ESCO occupation: {body.uri!r}",
                    "type": "value_error",
                }
            ],
        ) from None
    return _vacancy_occupation(db, vacancy, lang=lang, q="", top=0)


@api.get("/confirmed-titles")
def confirmed_titles(
    principal: Annotated[Principal, requires(Permission.VIEW_EMPLOYERS)], db: DbSession
) -> list[ConfirmedTitleOut]:
    """The job titles confirmed for the occupation coder."""
    from alue.matching.confirmed import listed_titles

    return [
        ConfirmedTitleOut(
            id=r.id, title=r.title, esco_uri=r.esco_uri, isco4=r.isco4, confirmed_at=r.confirmed_at
        )
        for r in listed_titles(db)
    ]


@api.delete("/confirmed-titles/{title_id}", status_code=204)
def delete_confirmed_title(
    request: Request,
    title_id: IdPath,
    principal: Annotated[Principal, requires(Permission.WRITE_VACANCIES)],
    db: DbSession,
) -> Response:
    """Remove a confirmed title (audited)."""
    remove_confirmed_title(request, db, principal, title_id)
    return Response(status_code=204)


__all__ = ["api"]
