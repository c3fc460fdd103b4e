"""The 12-month forecast, the what-if of the inflow target, and the financing report on a small dataset."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.people.models import Status
from alue.planning.financing import PersonHistory, Spell
from alue.planning.financing_report import (
    financing_report,
    inflow_cohort,
    last_complete_month,
    what_if,
)
from alue.planning.forecast import seasonal_naive_with_trend

from ..people.factories import add_spell, make_person

D = dt.date
U, S, E = Status.UNEMPLOYED, Status.IN_SERVICE, Status.EMPLOYED


def test_seasonal_naive_repeats_last_year_grown_by_the_yearly_change() -> None:
    season = [10, 12, 14, 16, 18, 20, 22, 20, 18, 16, 14, 12]
    history = season + [v * 1.1 for v in season]
    f = seasonal_naive_with_trend(history, 12)
    assert f.growth == pytest.approx(1.1)
    assert f.trend_measured
    assert f.values[0] == pytest.approx(10 * 1.1 * 1.1)
    assert f.values[6] == pytest.approx(22 * 1.1 * 1.1)
    assert f.backtest_mape is None  # needs 36 months


def test_forecast_without_two_years_is_pure_seasonal_and_backtest_with_three() -> None:
    season = [float(v) for v in range(1, 13)]
    f = seasonal_naive_with_trend(season, 3)
    assert (f.growth, f.trend_measured, f.values) == (1.0, False, [1.0, 2.0, 3.0])
    # Three identical years: the back-test forecasts the third exactly
    f = seasonal_naive_with_trend(season * 3, 12)
    assert f.backtest_mape == pytest.approx(0.0)


def test_forecast_growth_is_capped_and_inputs_checked() -> None:
    history = [1.0] * 12 + [10.0] * 12
    assert seasonal_naive_with_trend(history).growth == pytest.approx(1.5)
    with pytest.raises(ValueError, match="12 months"):
        seasonal_naive_with_trend([1.0] * 11)
    with pytest.raises(ValueError, match="horizon"):
        seasonal_naive_with_trend([1.0] * 12, 13)


def _spell(start: dt.date, end: dt.date | None) -> Spell:
    """An unemployment spell that ends (to work) on ``end``, or goes on."""
    return Spell(start=start, end=end, periods=((U, start, end),))


def test_inflow_cohort_and_what_if_by_hand() -> None:
    # Ten spells starting in January 2025, data until 31.12.2025. Six are still unemployed on the
    # 3-month day (1.4.2025): 60 % against the 40 % target. Days beyond 3 months (from 1.4.):
    # ending 30.4. → 30, 31.5. → 61, 30.6. → 91, 31.7. → 122, and two ongoing → 275 each.
    ends = [D(2025, 2, 15)] * 4 + [D(2025, 4, 30), D(2025, 5, 31), D(2025, 6, 30), D(2025, 7, 31), None, None]
    people = [
        PersonHistory(key=i, home="609", spells=(_spell(D(2025, 1, 1), e),)) for i, e in enumerate(ends)
    ]
    cohort = inflow_cohort(people, first=D(2025, 1, 1), last=D(2025, 1, 31), until=D(2025, 12, 31))
    assert len(cohort) == 10
    assert sorted(c.days_beyond_3_months for c in cohort if c.over_3_months) == [30, 61, 91, 122, 275, 275]
    result = what_if(
        cohort,
        yearly_cost_after_3_months=12_000.0,
        target=0.40,
        first=D(2025, 1, 1),
        last=D(2025, 1, 31),
        rule=None,
    )
    assert result.inflow_share == pytest.approx(0.6)
    # (0.6 − 0.4) / 0.6 = 1/3 of the long spells (2 of 6) must end by 3 months
    assert result.spells_to_shorten == pytest.approx(2.0)
    assert result.saving_central == pytest.approx(12_000 / 3)
    # low: the two shortest (30 + 61 days) of 854 days beyond 3 months
    assert result.saving_low == pytest.approx(12_000 * 91 / 854)
    assert not result.at_target


def test_what_if_at_target_saves_nothing() -> None:
    people = [PersonHistory(key=1, home="609", spells=(_spell(D(2025, 1, 1), D(2025, 1, 31)),))]
    cohort = inflow_cohort(people, first=D(2025, 1, 1), last=D(2025, 1, 31), until=D(2025, 12, 31))
    result = what_if(
        cohort,
        yearly_cost_after_3_months=5.0,
        target=0.4,
        first=D(2025, 1, 1),
        last=D(2025, 1, 31),
        rule=None,
    )
    assert result.at_target
    assert result.saving_central == 0


def test_a_service_ends_the_unemployment_spell_for_the_indicator() -> None:
    spell = Spell(
        start=D(2025, 1, 1), end=None, periods=((U, D(2025, 1, 1), D(2025, 2, 28)), (S, D(2025, 3, 1), None))
    )
    cohort = inflow_cohort(
        [PersonHistory(key=1, home="609", spells=(spell,))],
        first=D(2025, 1, 1),
        last=D(2025, 1, 31),
        until=D(2025, 12, 31),
    )
    assert [c.over_3_months for c in cohort] == [False]


def test_last_complete_month() -> None:
    assert last_complete_month(D(2026, 3, 31)) == D(2026, 3, 31)
    assert last_complete_month(D(2026, 3, 30)) == D(2026, 2, 28)


def test_financing_report_on_a_small_dataset(session: Session, area: Area) -> None:
    # Two people in Harjavalta on the labour-market subsidy from 2.1.2023, one who found work in 2024.
    for _ in range(2):
        person = make_person(session, municipality="079")
        add_spell(session, person, [(U, D(2023, 1, 2), None)])
    worker = make_person(session, municipality="079")
    add_spell(session, worker, [(U, D(2024, 1, 8), D(2024, 3, 31))], end=D(2024, 3, 31))
    report = financing_report(session=session, area=area, year=2026, municipality="079", as_of=D(2026, 3, 31))
    assert report.last_month == "2026-03"
    months = {m.month: m for m in report.months}
    # 2026: Jan–Mar estimated (50 % of 37.21 € a weekday for two people), Apr–Dec forecast
    assert months["2026-01"].kind == "estimate"
    assert months["2026-01"].municipal_cost == pytest.approx(2 * 22 * 37.21 * 0.5)
    assert months["2026-04"].kind == "forecast"
    assert len(report.months) == 12
    assert report.year_total == pytest.approx(report.year_estimate + report.year_forecast)
    # the first year of data is flagged as warm-up (earlier benefit days unknown)
    assert {m.month: m.kind for m in report.history}["2023-06"] == "warm_up"
    assert report.history[-1].like_for_like_cost == pytest.approx(report.history[-1].municipal_cost)
    assert "benefit_financing.municipal_share_steps" in report.unverified_rules
    harjavalta = next(r for r in report.by_municipality if r["code"] == "079")
    assert harjavalta["last_12_months"] == pytest.approx(report.trend.last_12_months)


def test_what_if_inflow_is_the_scorecard_indicator(session: Session, area: Area) -> None:
    """The what-if starts from the scorecard's ``inflow_over_3_months``: on the scorecard's hand-made
    dataset, the cohort of a period and municipality gives the same numerator and denominator."""
    from alue.planning.financing import default_book, load_histories
    from tests.scorecard.helpers import cell, facts, ratio
    from tests.scorecard.test_inflow import build

    build(session)
    session.flush()
    indicator, _ = facts(session, area)
    people = load_histories(session=session, book=default_book(), until=D(2025, 12, 31))
    periods = {
        "2025-01": (D(2025, 1, 1), D(2025, 1, 31)),
        "2025-02": (D(2025, 2, 1), D(2025, 2, 28)),
        "2025-03": (D(2025, 3, 1), D(2025, 3, 31)),
        "2025-Q1": (D(2025, 1, 1), D(2025, 3, 31)),
        "2025-07": (D(2025, 7, 1), D(2025, 7, 31)),
    }
    compared = 0
    for period, (first, last) in periods.items():
        cohort = inflow_cohort(people, first=first, last=last, until=D(2025, 12, 31))
        for municipality in ("*", "609", "886", "079"):
            mine = [c for c in cohort if municipality in ("*", c.municipality)]
            expected = ratio(cell(indicator, "inflow_over_3_months", period, m=municipality))
            got = (float(sum(c.over_3_months for c in mine)), float(len(mine))) if mine else None
            assert got == expected, (period, municipality)
            compared += got is not None
    assert compared >= 8
    # the hand-computed March figure of the scorecard test: 3 of 6, Pori 3 of 4
    march = inflow_cohort(people, first=D(2025, 3, 1), last=D(2025, 3, 31), until=D(2025, 12, 31))
    assert (sum(c.over_3_months for c in march), len(march)) == (3, 6)
