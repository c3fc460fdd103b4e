"""Reading the facts: periods, target status, change on the previous year, official figures beside the own
ones, municipality comparison and suppression on the way out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from alue.area.config import Target
from alue.scorecard.definitions import load_definitions
from alue.scorecard.models import FactIndicator, OfficialIndicatorValue
from alue.scorecard.periods import Period
from alue.scorecard.queries import (
    municipality_comparison,
    scorecard,
    target_for,
    target_status,
    trend_periods,
)


def test_periods() -> None:
    assert Period.parse("2025") == Period("year", 2025, 1)
    assert Period.parse("2025-Q3").range.start == dt.date(2025, 7, 1)
    assert Period.parse("2025-q3").end == dt.date(2025, 9, 30)
    assert Period.parse("2025-02").end == dt.date(2025, 2, 28)
    assert Period.parse("2025-07").previous_year().label == "2024-07"
    assert Period.parse("2025-01").shift(-1).label == "2024-12"
    assert [p.label for p in Period.parse("2025-Q2").children("month")] == ["2025-04", "2025-05", "2025-06"]
    assert [p.label for p in trend_periods(Period.parse("2025"), 3)] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    for bad in ("2025-13", "25", "2025-Q5", "2025/07"):
        with pytest.raises(ValueError, match="not a"):
            Period.parse(bad)


def test_target_status_rule(area) -> None:
    definitions = load_definitions(area)
    inflow = definitions.indicators["inflow_over_3_months"]  # < 40 %, close within 4 points
    target = inflow.target("")
    assert target_status(35.0, target, inflow, 0.10) == "met"
    assert target_status(40.0, target, inflow, 0.10) == "close"  # not below 40, shortfall 0
    assert target_status(44.0, target, inflow, 0.10) == "close"
    assert target_status(44.1, target, inflow, 0.10) == "not_met"
    assert target_status(None, target, inflow, 0.10) == "no_data"
    accessibility = definitions.indicators["accessibility"]  # mean ≥ 4.0 on 1–5: close within 0.4
    assert target_status(3.6, accessibility.target(""), accessibility, 0.10) == "close"
    assert target_status(3.59, accessibility.target(""), accessibility, 0.10) == "not_met"
    cost = definitions.indicators["cost_per_employed"]
    assert target_status(1200.0, cost.target("per_employed_customer"), cost, 0.10) == "no_target"
    leads = definitions.indicators["work_in_finland_leads"]  # > 60 a year
    quarter = target_for(leads, "", Period.parse("2025-Q1"))
    assert quarter == Target(comparator=">", value=15.0)
    assert target_status(16, quarter, leads, 0.10) == "met"
    staying = definitions.indicators["staying_employed"]
    assert staying.target("3m").value == 80
    assert staying.target("6m").value == 70


def add_fact(
    session: Session,
    indicator: str,
    period: str,
    value: float,
    *,
    m: str = "*",
    persons: int = 100,
    variant: str = "",
    suppression: str = "",
) -> None:
    kind = "year" if len(period) == 4 else "quarter" if "Q" in period else "month"
    session.add(
        FactIndicator(
            indicator_id=indicator,
            variant=variant,
            period=period,
            period_kind=kind,
            municipality_code=m,
            customer_group="*",
            service_line="*",
            numerator=value * persons / 100,
            denominator=persons,
            value=value,
            events=persons,
            persons=persons,
            outcome_persons=int(value * persons / 100),
            unit="person",
            complete=True,
            note="",
            suppression=suppression,
            computed_at=dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC),
        )
    )


def test_scorecard_change_official_and_suppression(session: Session, area) -> None:
    definitions = load_definitions(area)
    add_fact(session, "inflow_over_3_months", "2025", 36.0)
    add_fact(session, "inflow_over_3_months", "2024", 41.5)
    add_fact(session, "inflow_over_3_months", "2025", 30.0, m="609")
    add_fact(session, "inflow_over_3_months", "2025", 50.0, m="747", persons=4, suppression="primary")
    add_fact(session, "inflow_over_3_months", "2025", 40.0, m="230", persons=9, suppression="secondary")
    session.add(
        OfficialIndicatorValue(
            indicator_id="inflow_over_3_months",
            variant="",
            area_code="TA35",
            period="2025",
            value=38.0,
            source="KEHA",
        )
    )
    session.flush()
    figures = {(f.indicator_id, f.variant): f for f in scorecard(session, definitions, Period.parse("2025"))}
    assert len(figures) == 14  # 12 indicators, two of them with two variants
    inflow = figures[("inflow_over_3_months", "")]
    assert inflow.value == 36.0
    assert inflow.status == "met"
    assert inflow.persons == 100
    assert inflow.previous_value == 41.5
    assert inflow.change == pytest.approx(-5.5)
    assert [(o.value, o.source, o.difference) for o in inflow.official] == [(38.0, "KEHA", -2.0)]
    assert figures[("accessibility", "")].status == "no_data"

    rows = {
        f.municipality_code: f
        for f in municipality_comparison(
            session, definitions, "inflow_over_3_months", "", Period.parse("2025")
        )
    }
    assert len(rows) == 12  # the area and its 11 municipalities
    assert rows["609"].value == 30.0
    for code in ("747", "230"):
        assert rows[code].suppressed
        assert rows[code].value is None
        assert rows[code].persons is None
        assert rows[code].numerator is None
        assert rows[code].status == "no_data"
    unprotected = {
        f.municipality_code: f
        for f in municipality_comparison(
            session, definitions, "inflow_over_3_months", "", Period.parse("2025"), protect=False
        )
    }
    assert unprotected["747"].value == 50.0  # casework roles only
