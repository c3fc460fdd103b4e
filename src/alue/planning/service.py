"""Planning services: the models put together for the command line and the pages.

Plain functions with keyword-only arguments taking a session (the house style); the models themselves
live in their own modules and are testable without a database.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.rules import RuleBook
from alue.planning.assumptions import planning_rules
from alue.planning.financing import load_histories, monthly_figures
from alue.planning.financing_report import data_end, financing_report, last_complete_month
from alue.planning.models import FtBenefitMonth, PlanningSnapshot
from alue.planning.norms import StaffingNorms, load_norms
from alue.planning.service_points import ServicePointAdvice, recommend, serving_offices
from alue.planning.staffing import StaffingResult, StaffRow, compute_need, gather_inputs, staff_against_need
from alue.shared.time import add_months, now, today


class StaffingPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    area: str
    office_threshold_fte: float
    need: StaffingResult
    service_points: list[ServicePointAdvice]
    staff: list[StaffRow]
    norms_source: str


def staffing_plan(
    *,
    session: Session,
    area: Area,
    on: dt.date | None = None,
    year: int | None = None,
    norms: StaffingNorms | None = None,
    rules: RuleBook | None = None,
) -> StaffingPlan:
    """Need, service-point recommendation and staff against need, on ``on`` (default: end of the data)."""
    norms = norms or load_norms()
    book = rules or planning_rules(area.key)
    day = on or data_end(session) or today()
    inputs = gather_inputs(session=session, area=area, on=day, year=year, norms=norms)
    need = compute_need(inputs, area=area, norms=norms, rules=book)
    advice = recommend(need, area=area, norms=norms)
    staff = staff_against_need(need, inputs, area=area, serving_office=serving_offices(advice))
    return StaffingPlan(
        area=area.key,
        office_threshold_fte=area.file.staffing.office_threshold_fte if area.file.staffing else 5.0,
        need=need,
        service_points=advice,
        staff=staff,
        norms_source=norms.source,
    )


# ------------------------------------------------------------------------------------ rebuilt facts


class RebuildSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    data_end: dt.date
    fact_rows: int
    snapshots: list[str]
    seconds: float


def save_snapshot(
    *, session: Session, kind: str, key: str, data_end: dt.date | None, payload: dict[str, Any]
) -> None:
    row = session.scalar(
        select(PlanningSnapshot).where(PlanningSnapshot.kind == kind, PlanningSnapshot.key == key)
    )
    if row is None:
        row = PlanningSnapshot(kind=kind, key=key)
        session.add(row)
    row.data_end = data_end
    row.payload = payload
    row.built_at = now()
    session.flush()


def load_snapshot(*, session: Session, kind: str, key: str) -> PlanningSnapshot | None:
    return session.scalar(
        select(PlanningSnapshot).where(PlanningSnapshot.kind == kind, PlanningSnapshot.key == key)
    )


def financing_key(municipality: str | None, year: int) -> str:
    return f"{municipality or 'area'}-{year}"


def rebuild(
    *,
    session: Session,
    area: Area,
    as_of: dt.date | None = None,
    years: Sequence[int] | None = None,
    include: Sequence[str] = ("financing", "staffing", "effectiveness"),
) -> RebuildSummary:
    """Rebuild the benefit facts and the report snapshots the pages read (``alue plan rebuild``).

    One pass over the spells serves every municipality's financing report.
    """
    clock = time.perf_counter()
    book = planning_rules(area.key)
    end = as_of or data_end(session) or today()
    last = last_complete_month(end)
    snapshots: list[str] = []
    fact_rows = 0
    if "financing" in include:
        people = load_histories(session=session, book=book, until=last)
        first = add_months(dt.date(last.year, last.month, 1), -47)
        figures = monthly_figures(people, start=first, end=last, book=book, reference=last)
        session.execute(delete(FtBenefitMonth))
        for code in figures.municipal_cost:
            for i, month in enumerate(figures.months):
                days = figures.paid_days[code]
                session.add(
                    FtBenefitMonth(
                        municipality_code=code if len(code) <= 5 else "other",
                        month=month,
                        lms_days=float(days["labour_market_subsidy"][i]),
                        basic_days=float(days["basic_unemployment_allowance"][i]),
                        earnings_related_days=float(days["earnings_related_allowance"][i]),
                        charged_days=float(figures.charged_days[code][i]),
                        municipal_cost=float(figures.municipal_cost[code][i]),
                        total_cost=float(figures.total_cost[code][i]),
                        like_for_like_cost=float(figures.reference_cost[code][i]),
                        like_for_like_after_3_months=float(figures.reference_cost_after_3m[code][i]),
                        reference_date=last,
                    )
                )
                fact_rows += 1
        session.flush()
        for year in years or sorted({last.year, add_months(last, 1).year}):
            codes: list[str | None] = [None, *area.municipalities]
            for muni in codes:
                financing = financing_report(
                    session=session,
                    area=area,
                    year=year,
                    municipality=muni,
                    as_of=end,
                    rules=book,
                    people=people,
                    figures=figures,
                )
                key = financing_key(muni, year)
                save_snapshot(
                    session=session,
                    kind="financing",
                    key=key,
                    data_end=end,
                    payload=financing.model_dump(mode="json"),
                )
                snapshots.append(f"financing/{key}")
    if "staffing" in include:
        plan = staffing_plan(session=session, area=area, on=end, rules=book)
        save_snapshot(
            session=session,
            kind="staffing",
            key="current",
            data_end=end,
            payload=plan.model_dump(mode="json"),
        )
        snapshots.append("staffing/current")
    if "effectiveness" in include:
        from alue.planning.effectiveness import effectiveness_report

        report = effectiveness_report(session=session, area=area, as_of=end)
        save_snapshot(
            session=session,
            kind="effectiveness",
            key="current",
            data_end=end,
            payload=report.model_dump(mode="json"),
        )
        snapshots.append("effectiveness/current")
    return RebuildSummary(
        data_end=end, fact_rows=fact_rows, snapshots=snapshots, seconds=time.perf_counter() - clock
    )
