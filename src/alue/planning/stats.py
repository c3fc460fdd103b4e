"""Small statistics for the planning figures: Wilson intervals, bootstrap intervals, rate ratios."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

#: 95 % two-sided normal quantile
Z95 = 1.959963984540054


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion (None without observations)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_ci(
    statistic: Callable[[np.ndarray], float],
    n: int,
    *,
    rng: np.random.Generator,
    resamples: int = 400,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``statistic(indices)`` over ``n`` resampled units."""
    if n < 2:
        return None
    values = []
    for _ in range(resamples):
        value = statistic(rng.integers(0, n, n))
        if math.isfinite(value):
            values.append(value)
    if len(values) < resamples // 2:
        return None
    lo, hi = np.quantile(values, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def mantel_haenszel_rate_ratio(
    treated_events: np.ndarray,
    treated_time: np.ndarray,
    control_events: np.ndarray,
    control_time: np.ndarray,
) -> float:
    """Mantel–Haenszel rate ratio over strata (person-time; Greenland & Robins 1985)."""
    total = treated_time + control_time
    ok = total > 0
    num = np.sum(treated_events[ok] * control_time[ok] / total[ok])
    den = np.sum(control_events[ok] * treated_time[ok] / total[ok])
    return float(num / den) if den > 0 else math.nan
