"""The municipal benefit-financing report (R-S4): estimate, trend, 12-month forecast and a what-if.

* **Estimate** — :mod:`alue.planning.financing`, month by month, with the rules in force on each day.
* **Trend** — the last 12 months against the 12 before them, both as charged (rules of the day) and
  *like for like* (every month valued with the rules in force at the end of the data), so that the
  1.1.2025 financing reform does not read as a trend.
* **Forecast** — :mod:`alue.planning.forecast` on the like-for-like series: the same month last year grown
  by the change over the last year. Months in the first year of the data are left out of the history,
  because people's earlier benefit days are not in the data and those months are underestimated.
* **What-if** — "if the inflow into unemployment of over 3 months fell to the target (< 40 %), the
  municipality would pay € Y less a year". Of the unemployment spells that started in the 12 months
  whose 3-month outcome is known, a share *r* was still unemployed after 3 months. Reaching the target
  *t* means a fraction ``(r − t) / r`` of those long spells ending by 3 months. Practically all of the
  municipal share falls on days more than 3 months into a spell (it starts at 100 paid days), so the
  saving is that fraction of the yearly cost on such days — the **central** figure assumes the spells
  that end earlier are average ones; the **low** figure assumes they are the shortest of the long spells
  (weighted by their days beyond 3 months). A steady-state yearly figure, not the first year's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.rules import RuleBook, RuleNotInForceError, RuleRef
from alue.people.models import JobseekingSpell, StatusPeriod
from alue.planning.assumptions import planning_rules
from alue.planning.financing import (
    FinancingEngine,
    MonthlyFigures,
    PersonHistory,
    load_histories,
    monthly_figures,
)
from alue.planning.forecast import Forecast, seasonal_naive_with_trend
from alue.shared.time import add_months, month_end, today

INFLOW_TARGET = "planning.what_if.inflow_target_share"
#: Months at the start of the data whose estimate is too low (earlier benefit days are unknown).
WARM_UP_MONTHS = 12


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class MonthRow(_Model):
    month: str
    #: "estimate" (from the data), "forecast", or "warm_up" (estimate in the first year of the data)
    kind: str
    lms_days: float | None = None
    basic_days: float | None = None
    earnings_related_days: float | None = None
    charged_days: float | None = None
    municipal_cost: float
    like_for_like_cost: float | None = None
    total_benefit_cost: float | None = None


class Trend(_Model):
    last_12_months: float
    previous_12_months: float | None
    change: float | None
    like_for_like_last_12_months: float
    like_for_like_previous_12_months: float | None
    like_for_like_change: float | None


class WhatIf(_Model):
    target_share: float
    cohort_start: dt.date
    cohort_end: dt.date
    spells: int
    over_3_months: int
    inflow_share: float | None
    #: spells a year that would have to end within 3 months to reach the target
    spells_to_shorten: float
    yearly_cost_after_3_months: float
    saving_central: float
    saving_low: float
    at_target: bool
    rule: RuleRef | None


class FinancingReport(_Model):
    municipality: str | None
    municipality_name: str
    year: int
    as_of: dt.date
    last_month: str
    data_start: dt.date | None
    months: list[MonthRow]
    year_estimate: float
    year_forecast: float
    year_total: float
    history: list[MonthRow]
    trend: Trend
    forecast: Forecast
    forecast_months: list[str]
    what_if: WhatIf
    by_municipality: list[dict[str, float | str]]
    rules: list[RuleRef]
    unverified_rules: list[str]


def data_end(session: Session) -> dt.date | None:
    """The last day the data knows of: the latest status-period start or end (never after today)."""
    starts = session.scalar(select(func.max(StatusPeriod.start_date)))
    ends = session.scalar(select(func.max(StatusPeriod.end_date)))
    known = [d for d in (starts, ends) if d is not None]
    if not known:
        return None
    return min(max(known), today())


def data_start(session: Session) -> dt.date | None:
    return session.scalar(select(func.min(JobseekingSpell.start_date)))


def last_complete_month(as_of: dt.date) -> dt.date:
    """The last day of the last calendar month that has ended on or before ``as_of``."""
    end = month_end(as_of.year, as_of.month)
    if as_of >= end:
        return end
    first = dt.date(as_of.year, as_of.month, 1)
    previous = first - dt.timedelta(days=1)
    return previous


def _series(figures: MonthlyFigures, attr: str, codes: Sequence[str]) -> np.ndarray:
    table: dict[str, np.ndarray] = getattr(figures, attr)
    total = np.zeros(len(figures.months))
    for code in codes:
        if code in table:
            total += table[code]
    return total


def _days(figures: MonthlyFigures, benefit: str, codes: Sequence[str]) -> np.ndarray:
    total = np.zeros(len(figures.months))
    for code in codes:
        if code in figures.paid_days:
            total += figures.paid_days[code][benefit]
    return total


# -------------------------------------------------------------------------------------------- what-if


class _CohortSpell(_Model):
    municipality: str
    start: dt.date
    over_3_months: bool
    days_beyond_3_months: int


def _municipality_on(person: PersonHistory, day: dt.date) -> str:
    found = person.home
    for start, end, code in sorted(person.residences, key=lambda r: r[0]):
        if start <= day and (end is None or end >= day):
            found = code
    return found


def unemployment_runs(person: PersonHistory) -> list[tuple[dt.date, dt.date | None]]:
    """The person's unemployment runs: days unemployed or fully laid off, overlapping or adjacent periods
    merged across spells (re-registering the next day continues the run); ``None`` = still running.

    The same runs as the scorecard's inflow indicator (``alue.scorecard.timelines.merge_ranges`` over the
    status periods that count as unemployed).
    """
    periods = sorted(
        (start, end)
        for spell in person.spells
        for status, start, end in spell.periods
        if status.counts_as_unemployed
    )
    runs: list[tuple[dt.date, dt.date | None]] = []
    for start, end in periods:
        if runs:
            run_start, run_end = runs[-1]
            if run_end is None or start <= run_end + dt.timedelta(days=1):
                runs[-1] = (run_start, None if run_end is None or end is None else max(run_end, end))
                continue
        runs.append((start, end))
    return runs


def inflow_cohort(
    people: Sequence[PersonHistory], *, first: dt.date, last: dt.date, until: dt.date
) -> list[_CohortSpell]:
    """Unemployment runs starting in [first, last], with whether they still ran 3 months after the start.

    The definition is the scorecard's indicator ``inflow_over_3_months`` (so that the what-if starts from
    the figure the scorecard shows for the same period and municipality): a run of days unemployed or fully
    laid off (:func:`unemployment_runs`) — a move into a service, work or anything else ends it, and a
    return to unemployment starts a new one; it "lasts over 3 months" when it still runs on the day 3
    months after its start (31.1. + 3 months = 30.4.); the municipality is the residence on the start day.
    ``until`` is the end of the data, for the days beyond 3 months of runs still going on.
    """
    cohort: list[_CohortSpell] = []
    for person in people:
        for start, end in unemployment_runs(person):
            if not first <= start <= last:
                continue
            three = add_months(start, 3)
            over = end is None or end >= three
            stop = min(end or until, until)
            cohort.append(
                _CohortSpell(
                    municipality=_municipality_on(person, start),
                    start=start,
                    over_3_months=over,
                    days_beyond_3_months=max(0, (stop - three).days + 1) if over else 0,
                )
            )
    return cohort


def what_if(
    cohort: Sequence[_CohortSpell],
    *,
    yearly_cost_after_3_months: float,
    target: float,
    first: dt.date,
    last: dt.date,
    rule: RuleRef | None,
) -> WhatIf:
    """The saving if the share of spells lasting over 3 months fell to ``target`` (module docstring)."""
    spells = len(cohort)
    long = [c for c in cohort if c.over_3_months]
    share = len(long) / spells if spells else None
    if share is None or share <= target:
        return WhatIf(
            target_share=target,
            cohort_start=first,
            cohort_end=last,
            spells=spells,
            over_3_months=len(long),
            inflow_share=share,
            spells_to_shorten=0.0,
            yearly_cost_after_3_months=yearly_cost_after_3_months,
            saving_central=0.0,
            saving_low=0.0,
            at_target=share is not None,
            rule=rule,
        )
    fraction = (share - target) / share
    central = fraction * yearly_cost_after_3_months
    beyond = sorted(c.days_beyond_3_months for c in long)
    total_beyond = sum(beyond)
    k = fraction * len(beyond)
    whole = int(k)
    shortest = sum(beyond[:whole]) + (k - whole) * (beyond[whole] if whole < len(beyond) else 0)
    low = yearly_cost_after_3_months * shortest / total_beyond if total_beyond else 0.0
    return WhatIf(
        target_share=target,
        cohort_start=first,
        cohort_end=last,
        spells=spells,
        over_3_months=len(long),
        inflow_share=share,
        spells_to_shorten=fraction * len(long),
        yearly_cost_after_3_months=yearly_cost_after_3_months,
        saving_central=central,
        saving_low=low,
        at_target=False,
        rule=rule,
    )


# --------------------------------------------------------------------------------------------- report


def financing_report(
    *,
    session: Session,
    area: Area,
    year: int,
    municipality: str | None = None,
    as_of: dt.date | None = None,
    rules: RuleBook | None = None,
    people: Sequence[PersonHistory] | None = None,
    figures: MonthlyFigures | None = None,
) -> FinancingReport:
    """The report for one municipality (or the whole area with ``municipality=None``) and a year."""
    book = rules or planning_rules(area.key)
    if municipality is not None and municipality not in area.municipalities:
        raise ValueError(f"municipality {municipality!r} is not in the area {area.key}")
    end_of_data = as_of or data_end(session) or today()
    last = last_complete_month(end_of_data)
    start = min(dt.date(year, 1, 1), dt.date(add_months(last, -35).year, add_months(last, -35).month, 1))
    if people is None:
        people = load_histories(session=session, book=book, until=last)
    wanted = f"{start.year:04d}-{start.month:02d}"
    last_key = f"{last.year:04d}-{last.month:02d}"
    if figures is None or figures.months[0] > wanted or figures.months[-1] != last_key:
        figures = monthly_figures(people, start=start, end=last, book=book, reference=last)
    codes = [municipality] if municipality else list(area.municipalities)
    first_data = data_start(session) if people else None
    if first_data is None and people:
        first_data = min(s.start for p in people for s in p.spells)

    municipal = _series(figures, "municipal_cost", codes)
    reference = _series(figures, "reference_cost", codes)
    total = _series(figures, "total_cost", codes)
    charged = _series(figures, "charged_days", codes)
    lms, basic, earnings = (
        _days(figures, b, codes)
        for b in ("labour_market_subsidy", "basic_unemployment_allowance", "earnings_related_allowance")
    )
    warm_until = add_months(first_data, WARM_UP_MONTHS) if first_data else None

    def kind(month: str) -> str:
        y, m = (int(x) for x in month.split("-"))
        if warm_until is not None and dt.date(y, m, 1) < dt.date(warm_until.year, warm_until.month, 1):
            return "warm_up"
        return "estimate"

    history = [
        MonthRow(
            month=month,
            kind=kind(month),
            lms_days=float(lms[i]),
            basic_days=float(basic[i]),
            earnings_related_days=float(earnings[i]),
            charged_days=float(charged[i]),
            municipal_cost=float(municipal[i]),
            like_for_like_cost=float(reference[i]),
            total_benefit_cost=float(total[i]),
        )
        for i, month in enumerate(figures.months)
    ]
    usable = [row.like_for_like_cost or 0.0 for row in history if row.kind == "estimate"][-36:]
    if len(usable) < 12:
        usable = [row.like_for_like_cost or 0.0 for row in history][-36:]
    forecast = seasonal_naive_with_trend(usable, 12)
    forecast_months = [
        f"{add_months(last, h).year:04d}-{add_months(last, h).month:02d}" for h in range(1, 13)
    ]
    predicted = dict(zip(forecast_months, forecast.values, strict=True))
    known = {row.month: row for row in history}
    months: list[MonthRow] = []
    for m in range(1, 13):
        key = f"{year:04d}-{m:02d}"
        if key in known:
            months.append(known[key])
        elif key in predicted:
            months.append(MonthRow(month=key, kind="forecast", municipal_cost=predicted[key]))
    year_estimate = sum(r.municipal_cost for r in months if r.kind != "forecast")
    year_forecast = sum(r.municipal_cost for r in months if r.kind == "forecast")

    n = len(history)
    last12 = float(municipal[-12:].sum()) if n >= 12 else float(municipal.sum())
    prev12 = float(municipal[-24:-12].sum()) if n >= 24 else None
    ref12 = float(reference[-12:].sum()) if n >= 12 else float(reference.sum())
    refprev = float(reference[-24:-12].sum()) if n >= 24 else None
    trend = Trend(
        last_12_months=last12,
        previous_12_months=prev12,
        change=(last12 / prev12 - 1) if prev12 else None,
        like_for_like_last_12_months=ref12,
        like_for_like_previous_12_months=refprev,
        like_for_like_change=(ref12 / refprev - 1) if refprev else None,
    )

    # What-if: spells starting in the 12 months whose 3-month outcome is known by the end of the data.
    cohort_last = add_months(last, -3)
    cohort_first = add_months(cohort_last, -12) + dt.timedelta(days=1)
    cohort = [
        c
        for c in inflow_cohort(people, first=cohort_first, last=cohort_last, until=last)
        if c.municipality in codes
    ]
    try:
        target_version = book.in_force(INFLOW_TARGET, last)
        target, target_ref = float(target_version.value), target_version.ref()
    except (RuleNotInForceError, LookupError):
        target, target_ref = 0.40, None
    after3 = float(_series(figures, "reference_cost_after_3m", codes)[-12:].sum())
    scenario = what_if(
        cohort,
        yearly_cost_after_3_months=after3,
        target=target,
        first=cohort_first,
        last=cohort_last,
        rule=target_ref,
    )

    by_municipality: list[dict[str, float | str]] = []
    for code, info in area.municipalities.items():
        series = figures.municipal_cost.get(code, np.zeros(n))
        ref = figures.reference_cost.get(code, np.zeros(n))
        year_mask = [i for i, m in enumerate(figures.months) if m.startswith(f"{year:04d}-")]
        by_municipality.append(
            {
                "code": code,
                "name": info.name_fi,
                "last_12_months": float(series[-12:].sum()),
                "like_for_like_last_12_months": float(ref[-12:].sum()),
                "year_to_date": float(series[year_mask].sum()) if year_mask else 0.0,
                "population": float(info.population),
                "per_inhabitant_last_12_months": float(series[-12:].sum()) / info.population
                if info.population
                else 0.0,
            }
        )

    refs = FinancingEngine(book, until=last).rule_refs(
        start, month_end(add_months(last, 12).year, add_months(last, 12).month)
    )
    if target_ref is not None:
        refs.append(target_ref)
    return FinancingReport(
        municipality=municipality,
        municipality_name=area.municipalities[municipality].name_fi if municipality else area.name("fi"),
        year=year,
        as_of=end_of_data,
        last_month=f"{last.year:04d}-{last.month:02d}",
        data_start=first_data,
        months=months,
        year_estimate=year_estimate,
        year_forecast=year_forecast,
        year_total=year_estimate + year_forecast,
        history=history[-36:],
        trend=trend,
        forecast=forecast,
        forecast_months=forecast_months,
        what_if=scenario,
        by_municipality=by_municipality,
        rules=refs,
        unverified_rules=sorted({r.rule_id for r in refs if r.unverified}),
    )


def yearly_cost_by_municipality(report: FinancingReport) -> dict[str, float]:
    return {str(row["code"]): float(row["last_12_months"]) for row in report.by_municipality}


__all__ = [
    "FinancingReport",
    "MonthRow",
    "WhatIf",
    "data_end",
    "financing_report",
    "inflow_cohort",
    "last_complete_month",
    "what_if",
]
