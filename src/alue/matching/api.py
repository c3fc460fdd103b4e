"""Matching in the JSON API (``/api/v1``): the same permissions, scope, suppression and audit as the pages
(``alue.matching.views``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from alue.matching.views import (
    MatchView,
    area_paths,
    isco_label,
    read_person_matches,
    read_vacancy_candidates,
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


__all__ = ["api"]
