"""Aggregate read queries behind the area, municipality and service-point pages (and the API).

Person counts leave this module only as suppressed ``Cell``s (``alue.shared.suppression``). The scope of a
municipal representative is part of the query (``codes``), never a filter applied afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, SQLColumnExpression, case, distinct, func, select, true
from sqlalchemy.orm import Session

from alue.employers.models import Vacancy
from alue.people.models import UNEMPLOYED_STATUSES, JobseekingSpell, Person, StatusPeriod
from alue.shared.cache import TimedCache
from alue.shared.db import covers
from alue.shared.suppression import Cell, count_cell, count_table, share_cell
from alue.staff.models import StaffMember


@dataclass(frozen=True, slots=True)
class MunicipalityFigures:
    code: str
    registered: Cell  # registered jobseekers with an open spell on the day
    unemployed: Cell  # of them unemployed (incl. fully laid off) on the day
    young_unemployed: Cell  # unemployed under the area's youth age limit
    open_vacancies: int  # positions open on the day (not about persons: not suppressed)
    staff_fte: float  # staff placed in the municipality (R-B2)


def _in(column: SQLColumnExpression[str], codes: Sequence[str] | None) -> ColumnElement[bool]:
    # ``true()`` is what SQLAlchemy makes of a plain ``True`` in a WHERE clause
    return column.in_(codes) if codes is not None else true()


def municipality_figures(
    session: Session, *, day: dt.date, codes: Sequence[str], youth_age_limit: int = 30
) -> tuple[dict[str, MunicipalityFigures], Totals]:
    """Headline figures for the given municipalities and their totals, computed in SQL."""
    raw = raw_counts(session, day=day, codes=codes, youth_age_limit=youth_age_limit)
    vacancies = dict(
        session.execute(
            select(Vacancy.municipality_code, func.coalesce(func.sum(Vacancy.positions), 0))
            .where(
                Vacancy.open_on(day),
                _in(Vacancy.municipality_code, codes),
            )
            .group_by(Vacancy.municipality_code)
        ).all()
    )
    fte = dict(
        session.execute(
            select(StaffMember.base_municipality_code, func.coalesce(func.sum(StaffMember.fte), 0))
            .where(StaffMember.active, _in(StaffMember.base_municipality_code, codes))
            .group_by(StaffMember.base_municipality_code)
        ).all()
    )
    reg_cells = count_table({c: raw[c][0] for c in codes})
    unemp_cells = count_table({c: raw[c][1] for c in codes})
    young_cells = count_table({c: raw[c][2] for c in codes})
    figures = {
        c: MunicipalityFigures(
            code=c,
            registered=reg_cells[c],
            unemployed=unemp_cells[c],
            young_unemployed=young_cells[c],
            open_vacancies=int(vacancies.get(c, 0)),
            staff_fte=float(Decimal(str(fte.get(c, 0)))),
        )
        for c in codes
    }
    return figures, totals(figures, raw)


@dataclass(frozen=True, slots=True)
class Totals:
    registered: Cell
    unemployed: Cell
    young_unemployed: Cell
    unemployed_share: Cell  # unemployed as a share of registered jobseekers, %
    open_vacancies: int


def totals(figures: dict[str, MunicipalityFigures], raw: dict[str, tuple[int, int, int]]) -> Totals:
    """Totals over the shown municipalities, computed from the unsuppressed counts."""
    reg = sum(raw[c][0] for c in figures)
    unemp = sum(raw[c][1] for c in figures)
    young = sum(raw[c][2] for c in figures)
    return Totals(
        registered=count_cell(reg),
        unemployed=count_cell(unemp),
        young_unemployed=count_cell(young),
        unemployed_share=share_cell(unemp, reg),
        open_vacancies=sum(f.open_vacancies for f in figures.values()),
    )


def raw_counts(
    session: Session, *, day: dt.date, codes: Sequence[str], youth_age_limit: int = 30
) -> dict[str, tuple[int, int, int]]:
    """Unsuppressed (registered, unemployed, young unemployed) per municipality — for totals only."""
    registered = dict(
        session.execute(
            select(Person.home_municipality_code, func.count(distinct(Person.id)))
            .join(JobseekingSpell, JobseekingSpell.person_id == Person.id)
            .where(
                covers(JobseekingSpell.start_date, JobseekingSpell.end_date, day),
                _in(Person.home_municipality_code, codes),
            )
            .group_by(Person.home_municipality_code)
        ).all()
    )
    youth_born_after = dt.date(day.year - youth_age_limit, day.month, min(day.day, 28))
    rows = session.execute(
        select(
            Person.home_municipality_code,
            func.count(distinct(Person.id)),
            func.count(distinct(case((Person.birth_date > youth_born_after, Person.id)))),
        )
        .join(StatusPeriod, StatusPeriod.person_id == Person.id)
        .where(
            StatusPeriod.status.in_(UNEMPLOYED_STATUSES),
            covers(StatusPeriod.start_date, StatusPeriod.end_date, day),
            _in(Person.home_municipality_code, codes),
        )
        .group_by(Person.home_municipality_code)
    ).all()
    unemployed: dict[str, tuple[int, int]] = {r[0]: (r[1], r[2]) for r in rows}
    return {c: (int(registered.get(c, 0)), *unemployed.get(c, (0, 0))) for c in codes}


HomeFigures = tuple[dict[str, MunicipalityFigures], Totals]


class FiguresCache:
    """Headline figures of the home and municipality pages kept for a short while, per (day, municipalities,
    youth age limit).

    The area home page is the page everyone opens first and its figures are counted from the whole area's
    status rows (about 150 ms of CPU); a new registration moves them by one. Keeping them ``seconds``
    (setting ``ALUE_WEB_HOME_FIGURES_SECONDS``) makes the page cheap; each application instance (worker)
    keeps its own, and nothing about a person is kept.
    """

    def __init__(self, seconds: float) -> None:
        self._cache: TimedCache[tuple[object, ...], HomeFigures] = TimedCache(seconds)

    def figures(
        self, session: Session, *, day: dt.date, codes: Sequence[str], youth_age_limit: int
    ) -> HomeFigures:
        return self._cache.get(
            (day, tuple(codes), youth_age_limit),
            lambda: municipality_figures(session, day=day, codes=codes, youth_age_limit=youth_age_limit),
        )
