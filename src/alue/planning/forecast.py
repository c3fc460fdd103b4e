"""A simple, explainable monthly forecast: the same month last year, grown by the change over a year.

    forecast(month m of next year) = value(m, this year) × growth,
    growth = (sum of the last 12 months) / (sum of the 12 months before them)

"Seasonal naive with trend": the seasonal pattern comes from last year, the level from the change over the
last year. Without 24 months of history the growth is 1 (pure seasonal naive). The growth is kept within
``[1 / max_growth, max_growth]`` so that a short or disturbed history cannot explode the forecast. The
forecast's own accuracy is measured by forecasting the last 12 known months from the months before them
(mean absolute percentage error, MAPE) whenever 36 months are available.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

METHOD = "seasonal_naive_with_trend"
MAX_GROWTH = 1.5


class Forecast(BaseModel):
    model_config = ConfigDict(frozen=True)

    method: str
    values: list[float]
    growth: float
    #: the history had 24 months, so the growth was measured (else 1.0)
    trend_measured: bool
    #: mean absolute percentage error of the method on the last 12 known months (None without 36 months)
    backtest_mape: float | None


def _growth(history: Sequence[float], max_growth: float) -> tuple[float, bool]:
    if len(history) < 24:
        return 1.0, False
    last, before = sum(history[-12:]), sum(history[-24:-12])
    if before <= 0:
        return 1.0, False
    return min(max(last / before, 1 / max_growth), max_growth), True


def seasonal_naive_with_trend(
    history: Sequence[float], horizon: int = 12, *, max_growth: float = MAX_GROWTH
) -> Forecast:
    """Forecast ``horizon`` (≤ 12) months after ``history`` (monthly values, oldest first, ≥ 12 months)."""
    if not 1 <= horizon <= 12:
        raise ValueError("the horizon is 1–12 months (the method repeats last year's pattern once)")
    if len(history) < 12:
        raise ValueError(f"a seasonal forecast needs at least 12 months of history, not {len(history)}")
    growth, measured = _growth(history, max_growth)
    season = list(history[-12:])
    values = [season[h] * growth for h in range(horizon)]
    mape = None
    if len(history) >= 36:
        past = history[:-12]
        back = seasonal_naive_with_trend(past, 12, max_growth=max_growth).values
        actual = history[-12:]
        errors = [abs(f - a) / a for f, a in zip(back, actual, strict=True) if a > 0]
        mape = sum(errors) / len(errors) if errors else None
    return Forecast(method=METHOD, values=values, growth=growth, trend_measured=measured, backtest_mape=mape)
