"""Saving structural-change scenarios and setting them beside the baseline (R-I1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.planning.financing_report import data_end, last_complete_month
from alue.planning.models import FtBenefitMonth, PlanningScenario, PlanningSnapshot
from alue.planning.scenarios import BaselineRow, ScenarioEvent, ScenarioResult, compare_with_baseline, project
from alue.shared.time import add_months, today


class Baseline(BaseModel):
    model_config = ConfigDict(frozen=True)

    need_fte: dict[str, float]
    cost_12_months: dict[str, float]
    serving_office: dict[str, str]
    threshold: float
    sources: list[str]


class ScenarioPlan(BaseModel):
    """A projection with its baseline comparison: what the pages, the CLI and the exports show."""

    model_config = ConfigDict(frozen=True)

    id: int | None
    result: ScenarioResult
    baseline: Baseline
    comparison: list[BaselineRow]


def baseline(*, session: Session, area: Area, as_of: dt.date, compute_staffing: bool = True) -> Baseline:
    """The need and the benefit cost without the event: the rebuilt snapshots and facts when they exist."""
    sources: list[str] = []
    threshold = area.file.staffing.office_threshold_fte if area.file.staffing else 5.0
    snap = session.scalar(
        select(PlanningSnapshot).where(PlanningSnapshot.kind == "staffing", PlanningSnapshot.key == "current")
    )
    need: dict[str, float] = dict.fromkeys(area.municipalities, 0.0)
    serving: dict[str, str] = {}
    payload: dict[str, Any] | None = snap.payload if snap is not None else None
    if payload is None and compute_staffing:
        from alue.planning.service import staffing_plan

        payload = staffing_plan(session=session, area=area, on=as_of).model_dump(mode="json")
        sources.append("staffing need computed now")
    elif payload is not None:
        sources.append(f"staffing need from the snapshot of {snap.data_end}")  # type: ignore[union-attr]
    if payload is not None:
        for m in payload["need"]["municipalities"]:
            need[m["code"]] = float(m["need_fte"]) + float(m["administration_fte"])
        serving = {a["code"]: a["serving_office"] or a["code"] for a in payload["service_points"]}
    last = last_complete_month(as_of)
    first = add_months(last, -11)
    months = (f"{first.year:04d}-{first.month:02d}", f"{last.year:04d}-{last.month:02d}")
    cost = dict(
        session.execute(
            select(FtBenefitMonth.municipality_code, func.sum(FtBenefitMonth.municipal_cost))
            .where(FtBenefitMonth.month >= months[0], FtBenefitMonth.month <= months[1])
            .group_by(FtBenefitMonth.municipality_code)
        ).all()
    )
    if cost:
        sources.append(f"benefit cost {months[0]}–{months[1]} from the rebuilt facts")
    else:
        sources.append("no rebuilt benefit facts: run `alue plan rebuild` for the baseline cost")
    return Baseline(
        need_fte=need,
        cost_12_months={c: float(cost.get(c, 0.0)) for c in area.municipalities},
        serving_office=serving,
        threshold=threshold,
        sources=sources,
    )


def plan_scenario(
    event: ScenarioEvent,
    *,
    session: Session,
    area: Area,
    as_of: dt.date | None = None,
    compute_staffing: bool = True,
) -> ScenarioPlan:
    day = as_of or data_end(session) or today()
    base = baseline(session=session, area=area, as_of=day, compute_staffing=compute_staffing)
    result = project(event, session=session, area=area, as_of=day, serving_office=base.serving_office or None)
    rows = compare_with_baseline(
        result, need_fte=base.need_fte, cost_12_months=base.cost_12_months, threshold=base.threshold
    )
    return ScenarioPlan(id=None, result=result, baseline=base, comparison=rows)


def save(*, session: Session, plan: ScenarioPlan, created_by: str = "", notes: str = "") -> PlanningScenario:
    event = plan.result.event
    row = PlanningScenario(
        name=event.name,
        kind=event.kind,
        municipality_code=event.municipality,
        people=event.people,
        event_date=event.date,
        definition=event.model_dump(mode="json"),
        result=plan.model_dump(mode="json"),
        as_of=plan.result.as_of,
        created_by=created_by,
        notes=notes,
    )
    session.add(row)
    session.flush()
    return row


def load(row: PlanningScenario) -> ScenarioPlan:
    data = dict(row.result)
    data["id"] = row.id
    return ScenarioPlan.model_validate(data)


def saved(*, session: Session) -> list[PlanningScenario]:
    return list(
        session.scalars(
            select(PlanningScenario).order_by(PlanningScenario.created_at.desc(), PlanningScenario.id.desc())
        )
    )
