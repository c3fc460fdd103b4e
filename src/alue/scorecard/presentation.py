"""The scorecard as pages, the API and the board report show it: indicator cards grouped by the strategy's
priorities, each with its trend. Built from ``alue.scorecard.queries`` only (facts, suppressed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.scorecard import labels
from alue.scorecard.definitions import Definitions, Indicator
from alue.scorecard.models import ALL, FactIndicator
from alue.scorecard.periods import Period
from alue.scorecard.queries import Figure, scorecard, series_all, trend_periods
from alue.shared.time import today


@dataclass
class Card:
    indicator: Indicator
    variant: str
    figure: Figure
    trend: list[Figure]

    @property
    def key(self) -> str:
        return f"{self.indicator.id}-{self.variant}" if self.variant else self.indicator.id

    def name(self, lang: str) -> str:
        suffix = labels.variant(self.variant, lang)
        return f"{self.indicator.name(lang)} ({suffix})" if suffix else self.indicator.name(lang)

    def value_text(self, lang: str) -> str:
        return labels.figure_text(self.figure.value, self.indicator.unit, lang)

    def target_text(self, lang: str) -> str:
        return labels.target_text(
            self.figure.target_comparator, self.figure.target, self.indicator.unit, lang
        )

    def change_text(self, lang: str) -> str:
        return labels.change_text(self.figure.change, self.indicator.unit, lang)

    def as_json(self, lang: str) -> dict[str, Any]:
        data = self.figure.as_json()
        data.update(
            name=self.name(lang),
            unit=self.indicator.unit,
            priorities=self.indicator.priorities,
            source=self.indicator.spec.source,
            definition=self.indicator.definition(lang),
            status_label=labels.t(self.figure.status, lang),
            trend=[{"period": f.period, "value": f.value, "suppressed": f.suppressed} for f in self.trend],
        )
        return data


@dataclass
class Section:
    number: int
    title: str
    summary: str
    cards: list[Card] = field(default_factory=list)  # indicators whose first priority this is
    also: list[Card] = field(default_factory=list)  # indicators that serve this priority too


def latest_period(session: Session, kind: str = "year") -> Period:
    """The latest period of ``kind`` with facts (this year's when there are none)."""
    label = session.scalar(select(func.max(FactIndicator.period)).where(FactIndicator.period_kind == kind))
    return Period.parse(label) if label else Period.of(kind, today())  # type: ignore[arg-type]


def cards(
    session: Session,
    definitions: Definitions,
    period: Period,
    *,
    municipality: str = ALL,
    group: str = ALL,
    line: str = ALL,
    with_trend: bool = True,
) -> list[Card]:
    figures = scorecard(session, definitions, period, municipality=municipality, group=group, line=line)
    # every trend with one query
    trends = (
        series_all(
            session, definitions, trend_periods(period), municipality=municipality, group=group, line=line
        )
        if with_trend
        else {}
    )
    result = []
    for f in figures:
        trend = trends.get((f.indicator_id, f.variant), [])
        result.append(Card(definitions.indicators[f.indicator_id], f.variant, f, trend))
    return result


def sections(definitions: Definitions, all_cards: list[Card], lang: str) -> list[Section]:
    """The five priorities in order (then the vision goal): each card under its first priority, and listed
    under the other priorities it serves."""
    strategy = definitions.area.file.strategy
    assert strategy is not None
    result = [Section(p.number, p.name.get(lang), p.summary.get(lang)) for p in strategy.priorities]
    result.append(Section(0, labels.t("vision_goal", lang), strategy.vision.get(lang)))
    by_number = {s.number: s for s in result}
    for card in all_cards:
        first, *others = card.indicator.priorities or [0]
        by_number[first].cards.append(card)
        for number in others:
            if card not in by_number[number].also:
                by_number[number].also.append(card)
    return [s for s in result if s.cards or s.also]
