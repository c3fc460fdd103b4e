"""Tables of the planning domain: saved scenarios, the monthly benefit-financing facts and report snapshots.

* ``planning_scenario`` — structural-change scenarios (R-I1) as saved by a planner: the event as given
  and the projection as computed, so that plans can be compared and re-read later.
* ``ft_planning_benefit_month`` — a fact table (rebuilt by ``alue plan rebuild``, never edited by hand):
  the estimated benefit days and the municipal share by municipality and month (R-S4). Pages read it
  instead of recomputing from the spells on every request.
* ``planning_snapshot`` — computed reports (staffing, financing, effectiveness) as JSON, with the date
  of the data they were built from; rebuilt by the same job.

No person-level data is stored here: figures are aggregates by municipality and month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from alue.shared.db import Base


class PlanningScenario(Base):
    __tablename__ = "planning_scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # layoff, new_plant
    municipality_code: Mapped[str] = mapped_column(String(3), index=True)
    people: Mapped[int] = mapped_column(Integer)
    event_date: Mapped[dt.date] = mapped_column(Date)
    #: the event exactly as given (the scenario file's content)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the projection as computed (ScenarioResult as JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the last day of the data the projection used
    as_of: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class FtBenefitMonth(Base):
    """Estimated benefit days and municipal share of one municipality in one month (a rebuilt fact)."""

    __tablename__ = "ft_planning_benefit_month"
    __table_args__ = (UniqueConstraint("municipality_code", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: home municipality on the paid day; ``other`` collects municipalities outside the data's list
    municipality_code: Mapped[str] = mapped_column(String(5), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    lms_days: Mapped[float] = mapped_column(Float)
    basic_days: Mapped[float] = mapped_column(Float)
    earnings_related_days: Mapped[float] = mapped_column(Float)
    charged_days: Mapped[float] = mapped_column(Float)
    municipal_cost: Mapped[float] = mapped_column(Float)
    total_cost: Mapped[float] = mapped_column(Float)
    #: the month valued with the rules in force on ``reference_date`` (like for like)
    like_for_like_cost: Mapped[float] = mapped_column(Float)
    like_for_like_after_3_months: Mapped[float] = mapped_column(Float)
    reference_date: Mapped[dt.date] = mapped_column(Date)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PlanningSnapshot(Base):
    """A computed report kept for the pages: ``kind`` + ``key`` (e.g. financing / 609-2026)."""

    __tablename__ = "planning_snapshot"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(80))
    data_end: Mapped[dt.date | None] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
