"""Read the fact tables for pages, exports, reports and the API — the only way figures leave the scorecard.

Every function reads ``ft_*`` and the small tables of imported official figures, never the domain tables.
Disclosure control is applied here on the way out: a cell marked at rebuild time (``suppression``) is
returned without its value and counts unless ``protect=False`` (casework roles only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import Target
from alue.area.models import AreaStatistic
from alue.scorecard.definitions import Definitions, Indicator
from alue.scorecard.models import ALL, FactIndicator, FactMonthEnd, OfficialIndicatorValue
from alue.scorecard.periods import Period, PeriodKind

STATUSES = ("met", "close", "not_met", "no_target", "no_data")


@dataclass(frozen=True)
class Official:
    value: float
    source: str
    difference: float | None  # own figure − official figure


@dataclass
class Figure:
    """One indicator (variant) for one period and slice, ready to show."""

    indicator_id: str
    variant: str
    period: str
    municipality_code: str
    customer_group: str
    service_line: str
    value: float | None
    numerator: float | None
    denominator: float | None
    persons: int | None
    suppressed: bool
    complete: bool
    status: str
    target: float | None
    target_comparator: str | None
    previous_value: float | None
    change: float | None
    note: str = ""
    official: list[Official] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("value", "numerator", "denominator", "target", "previous_value", "change"):
            if data[key] is not None:
                data[key] = round(float(data[key]), 3)
        return data


def target_for(indicator: Indicator, variant: str, period: Period) -> Target | None:
    """The strategy's target for the period: count targets are annual, taken pro rata for shorter periods."""
    target = indicator.target(variant)
    if target is None:
        return None
    if indicator.unit == "count":
        return Target(
            comparator=target.comparator, value=target.value * period.months / 12, variant=target.variant
        )
    return target


def target_status(
    value: float | None, target: Target | None, indicator: Indicator, close_share: float
) -> str:
    """``met``; ``close`` when the shortfall is at most ``close_share`` of the target value (of the scale's
    width for means on a scale); ``not_met``; ``no_target``; ``no_data``."""
    if target is None:
        return "no_target"
    if value is None:
        return "no_data"
    if target.met_by(value):
        return "met"
    scale = indicator.config.scale
    reference = (scale[1] - scale[0]) if indicator.unit == "mean" and scale else abs(target.value)
    return "close" if abs(value - target.value) <= close_share * reference else "not_met"


def _facts(
    session: Session,
    *,
    periods: Iterable[str],
    indicator_id: str | None = None,
    municipality: str | None = ALL,
    group: str | None = ALL,
    line: str | None = ALL,
) -> list[FactIndicator]:
    labels = list(periods)
    # the index is on (period_kind, period): name the kinds too so that it is used
    kinds = sorted({Period.parse(label).kind for label in labels})
    query = select(FactIndicator).where(
        FactIndicator.period_kind.in_(kinds), FactIndicator.period.in_(labels)
    )
    if indicator_id is not None:
        query = query.where(FactIndicator.indicator_id == indicator_id)
    if municipality is not None:
        query = query.where(FactIndicator.municipality_code == municipality)
    if group is not None:
        query = query.where(FactIndicator.customer_group == group)
    if line is not None:
        query = query.where(FactIndicator.service_line == line)
    return list(session.scalars(query))


def _shown(fact: FactIndicator | None, protect: bool) -> tuple[float | None, bool]:
    if fact is None:
        return None, False
    hidden = protect and bool(fact.suppression)
    return (None if hidden else fact.value), hidden


def official_area_code(definitions: Definitions, municipality: str) -> str:
    return f"TA{definitions.area.file.employment_area_code}" if municipality == ALL else f"KU{municipality}"


def _officials(
    session: Session, definitions: Definitions, period: Period, municipality: str
) -> dict[tuple[str, str], list[OfficialIndicatorValue]]:
    rows = session.scalars(
        select(OfficialIndicatorValue).where(
            OfficialIndicatorValue.period == period.label,
            OfficialIndicatorValue.area_code == official_area_code(definitions, municipality),
        )
    )
    result: dict[tuple[str, str], list[OfficialIndicatorValue]] = {}
    for row in rows:
        result.setdefault((row.indicator_id, row.variant), []).append(row)
    return result


def figure(
    indicator: Indicator,
    variant: str,
    period: Period,
    fact: FactIndicator | None,
    previous: FactIndicator | None,
    *,
    definitions: Definitions,
    protect: bool = True,
    slice_: tuple[str, str, str] = (ALL, ALL, ALL),
    officials: list[OfficialIndicatorValue] | None = None,
) -> Figure:
    value, hidden = _shown(fact, protect)
    previous_value, _previous_hidden = _shown(previous, protect)
    target = target_for(indicator, variant, period)
    change = None if value is None or previous_value is None else value - previous_value
    return Figure(
        indicator_id=indicator.id,
        variant=variant,
        period=period.label,
        municipality_code=slice_[0],
        customer_group=slice_[1],
        service_line=slice_[2],
        value=value,
        numerator=None if hidden or fact is None else fact.numerator,
        denominator=None if hidden or fact is None else fact.denominator,
        persons=None if hidden or fact is None else fact.persons,
        suppressed=hidden,
        complete=fact.complete if fact is not None else True,
        status=target_status(value, target, indicator, definitions.close_share) if not hidden else "no_data",
        target=target.value if target else None,
        target_comparator=target.comparator if target else None,
        previous_value=previous_value,
        change=change,
        note=fact.note if fact is not None else "",
        official=[
            Official(
                value=o.value,
                source=o.source,
                difference=None if value is None else value - o.value,
            )
            for o in officials or []
        ],
    )


def scorecard(
    session: Session,
    definitions: Definitions,
    period: Period,
    *,
    municipality: str = ALL,
    group: str = ALL,
    line: str = ALL,
    protect: bool = True,
) -> list[Figure]:
    """Every indicator (each variant) of the strategy for one period and slice, with target status,
    the change on the previous year and the official figures imported for the same period and area."""
    previous = period.previous_year()
    facts = _facts(
        session, periods=[period.label, previous.label], municipality=municipality, group=group, line=line
    )
    by_key = {(f.indicator_id, f.variant, f.period): f for f in facts}
    officials = _officials(session, definitions, period, municipality) if group == ALL and line == ALL else {}
    result = []
    for indicator in definitions.indicators.values():
        for variant in indicator.variants:
            result.append(
                figure(
                    indicator,
                    variant,
                    period,
                    by_key.get((indicator.id, variant, period.label)),
                    by_key.get((indicator.id, variant, previous.label)),
                    definitions=definitions,
                    protect=protect,
                    slice_=(municipality, group, line),
                    officials=officials.get((indicator.id, variant), []),
                )
            )
    return result


def series(
    session: Session,
    definitions: Definitions,
    indicator_id: str,
    variant: str,
    periods: list[Period],
    *,
    municipality: str = ALL,
    group: str = ALL,
    line: str = ALL,
    protect: bool = True,
) -> list[Figure]:
    """The indicator over ``periods`` (a trend), each with its target status."""
    indicator = definitions.indicators[indicator_id]
    facts = _facts(
        session,
        periods=[p.label for p in periods],
        indicator_id=indicator_id,
        municipality=municipality,
        group=group,
        line=line,
    )
    by_period = {f.period: f for f in facts if f.variant == variant}
    return [
        figure(
            indicator,
            variant,
            p,
            by_period.get(p.label),
            None,
            definitions=definitions,
            protect=protect,
            slice_=(municipality, group, line),
        )
        for p in periods
    ]


def series_all(
    session: Session,
    definitions: Definitions,
    periods: list[Period],
    *,
    municipality: str = ALL,
    group: str = ALL,
    line: str = ALL,
    protect: bool = True,
) -> dict[tuple[str, str], list[Figure]]:
    """:func:`series` of every indicator (variant) at once, read with one query: ``(id, variant) → trend``."""
    facts = _facts(
        session, periods=[p.label for p in periods], municipality=municipality, group=group, line=line
    )
    by_key = {(f.indicator_id, f.variant, f.period): f for f in facts}
    return {
        (indicator.id, variant): [
            figure(
                indicator,
                variant,
                p,
                by_key.get((indicator.id, variant, p.label)),
                None,
                definitions=definitions,
                protect=protect,
                slice_=(municipality, group, line),
            )
            for p in periods
        ]
        for indicator in definitions.indicators.values()
        for variant in indicator.variants
    }


def trend_periods(period: Period, count: int | None = None) -> list[Period]:
    """The periods a trend chart shows for ``period``: months for a month or a quarter, quarters for a year;
    reaching back ``count`` periods (default: two years' worth)."""
    kind: PeriodKind = "quarter" if period.kind == "year" else "month"
    last = Period.of(kind, period.end)
    count = count or (8 if kind == "quarter" else 24)
    return [last.shift(-i) for i in range(count - 1, -1, -1)]


def municipality_comparison(
    session: Session,
    definitions: Definitions,
    indicator_id: str,
    variant: str,
    period: Period,
    *,
    group: str = ALL,
    protect: bool = True,
) -> list[Figure]:
    """The indicator in each municipality of the area (and the area on the first row)."""
    indicator = definitions.indicators[indicator_id]
    facts = _facts(
        session,
        periods=[period.label, period.previous_year().label],
        indicator_id=indicator_id,
        municipality=None,
        group=group,
        line=ALL,
    )
    by_key = {(f.municipality_code, f.period): f for f in facts if f.variant == variant}
    result = []
    for code in [ALL, *definitions.area.codes]:
        result.append(
            figure(
                indicator,
                variant,
                period,
                by_key.get((code, period.label)),
                by_key.get((code, period.previous_year().label)),
                definitions=definitions,
                protect=protect,
                slice_=(code, group, ALL),
            )
        )
    return result


def group_drilldown(
    session: Session,
    definitions: Definitions,
    indicator_id: str,
    variant: str,
    period: Period,
    *,
    municipality: str = ALL,
    protect: bool = True,
) -> list[Figure]:
    """The indicator for each customer group (groups overlap: a person can be in several)."""
    indicator = definitions.indicators[indicator_id]
    facts = _facts(
        session,
        periods=[period.label, period.previous_year().label],
        indicator_id=indicator_id,
        municipality=municipality,
        group=None,
        line=ALL,
    )
    by_key = {(f.customer_group, f.period): f for f in facts if f.variant == variant}
    groups = [g for g in definitions.customer_groups if (g, period.label) in by_key]
    return [
        figure(
            indicator,
            variant,
            period,
            by_key.get((g, period.label)),
            by_key.get((g, period.previous_year().label)),
            definitions=definitions,
            protect=protect,
            slice_=(municipality, g, ALL),
        )
        for g in [ALL, *groups]
    ]


def line_breakdown(
    session: Session,
    definitions: Definitions,
    indicator_id: str,
    variant: str,
    period: Period,
    *,
    protect: bool = True,
) -> list[Figure]:
    """The indicator for each service line (area, all groups)."""
    indicator = definitions.indicators[indicator_id]
    facts = _facts(
        session, periods=[period.label], indicator_id=indicator_id, municipality=ALL, group=ALL, line=None
    )
    by_line = {f.service_line: f for f in facts if f.variant == variant}
    lines = sorted(k for k in by_line if k != ALL)
    return [
        figure(
            indicator,
            variant,
            period,
            by_line.get(code),
            None,
            definitions=definitions,
            protect=protect,
            slice_=(ALL, ALL, code),
        )
        for code in [ALL, *lines]
    ]


# ------------------------------------------------------------------------------------ month-end figures


@dataclass
class MonthEndRow:
    month: str
    count_day: dt.date | None
    municipality_code: str
    measures: dict[str, int | None]  # None when suppressed
    official_unemployed: float | None
    difference_percent: float | None  # (own − official) ÷ official × 100

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["count_day"] = self.count_day.isoformat() if self.count_day else None
        return data


def official_unemployed(session: Session, definitions: Definitions, month: str) -> dict[str, float]:
    """The official month-end unemployed by municipality (``area_statistic``), and the area as their sum
    when every municipality has a figure."""
    codes = {f"KU{c}": c for c in definitions.area.codes}
    rows = session.execute(
        select(AreaStatistic.area_code, AreaStatistic.value).where(
            AreaStatistic.statistic == "unemployed_month_end",
            AreaStatistic.month == month,
            AreaStatistic.source == "official",
            AreaStatistic.area_code.in_(list(codes)),
        )
    ).all()
    result = {codes[code]: float(value) for code, value in rows}
    if result and len(result) == len(codes):
        result[ALL] = sum(result.values())
    return result


def month_end(
    session: Session, definitions: Definitions, month: str, *, protect: bool = True
) -> list[MonthEndRow]:
    """The month-end figures of a month by municipality (area first), beside the official unemployed."""
    facts = list(session.scalars(select(FactMonthEnd).where(FactMonthEnd.month == month)))
    official = official_unemployed(session, definitions, month)
    result = []
    for code in [ALL, *definitions.area.codes]:
        mine = [f for f in facts if f.municipality_code == code]
        measures = {f.measure: (None if protect and f.suppression else f.persons) for f in mine}
        own = measures.get("unemployed")
        reference = official.get(code)
        result.append(
            MonthEndRow(
                month=month,
                count_day=mine[0].count_day if mine else None,
                municipality_code=code,
                measures=measures,
                official_unemployed=reference,
                difference_percent=(
                    None if own is None or not reference else 100.0 * (own - reference) / reference
                ),
            )
        )
    return result
