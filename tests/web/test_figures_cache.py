"""The area home page's headline figures are kept for a short while per day and set of municipalities."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alue.shared import cache as shared_cache
from alue.web import queries
from alue.web.queries import FiguresCache

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []

    def fake(session: object, *, day: dt.date, codes: list[str], youth_age_limit: int) -> Any:
        seen.append((day, tuple(codes), youth_age_limit))
        return ({code: len(seen) for code in codes}, len(seen))

    monkeypatch.setattr(queries, "municipality_figures", fake)
    return seen


def test_figures_are_kept_per_day_and_scope(calls: list[tuple[Any, ...]]) -> None:
    cache = FiguresCache(seconds=60)
    first = cache.figures(None, day=DAY, codes=["609", "051"], youth_age_limit=30)  # type: ignore[arg-type]
    again = cache.figures(None, day=DAY, codes=["609", "051"], youth_age_limit=30)  # type: ignore[arg-type]
    assert again is first
    assert len(calls) == 1
    cache.figures(None, day=DAY, codes=["609"], youth_age_limit=30)  # type: ignore[arg-type]
    cache.figures(None, day=DAY + dt.timedelta(days=1), codes=["609", "051"], youth_age_limit=30)  # type: ignore[arg-type]
    cache.figures(None, day=DAY, codes=["609", "051"], youth_age_limit=25)  # type: ignore[arg-type]
    assert len(calls) == 4


def test_figures_expire(calls: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: clock[0])
    cache = FiguresCache(seconds=60)
    cache.figures(None, day=DAY, codes=["609"], youth_age_limit=30)  # type: ignore[arg-type]
    clock[0] += 59
    cache.figures(None, day=DAY, codes=["609"], youth_age_limit=30)  # type: ignore[arg-type]
    assert len(calls) == 1
    clock[0] += 2
    cache.figures(None, day=DAY, codes=["609"], youth_age_limit=30)  # type: ignore[arg-type]
    assert len(calls) == 2


def test_zero_seconds_counts_every_time(calls: list[tuple[Any, ...]]) -> None:
    cache = FiguresCache(seconds=0)
    for _ in range(3):
        cache.figures(None, day=DAY, codes=["609"], youth_age_limit=30)  # type: ignore[arg-type]
    assert len(calls) == 3
