"""Targets: the official series as published, and a smooth projection to the January 2026 rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from alue.area.config import Area
from alue.demo.targets import build_targets, load_published_rates, month_index, official_series


@pytest.fixture(scope="module")
def targets(data_dir: Path, area: Area):  # type: ignore[no-untyped-def]
    return build_targets(data_dir, list(area.municipalities), "2019-01", "2026-11")


def test_official_months_are_the_published_values(targets, data_dir: Path, area: Area) -> None:  # type: ignore[no-untyped-def]
    codes = list(area.municipalities)
    series = official_series(data_dir, [f"KU{c}" for c in codes], "unemployed_month_end")
    t = month_index("2021-06")
    got = targets.unemployed[:, t - targets.first_month]
    expected = series.values[:, t - series.first_month]
    assert np.array_equal(got, expected.astype(int))
    assert targets.official[month_index("2023-10") - targets.first_month]
    assert not targets.official[month_index("2023-11") - targets.first_month]


def test_projection_meets_every_published_rate(targets, area: Area) -> None:  # type: ignore[no-untyped-def]
    rates = load_published_rates()
    j = month_index(rates.month) - targets.first_month
    for i, code in enumerate(area.municipalities):
        rate = targets.unemployed[i, j] / targets.labour_force[i, j] * 100
        assert abs(rate - rates.rates[code]) < 0.2 + 100 / targets.labour_force[i, j], code


def test_projection_is_smooth(targets) -> None:  # type: ignore[no-untyped-def]
    pori = targets.codes.index("609")
    start = month_index("2023-10") - targets.first_month
    u = targets.unemployed[pori, start:].astype(float)
    steps = np.abs(np.diff(u)) / u[:-1]
    assert steps.max() < 0.12  # no jump larger than the seasonal swing
    # the seasonal pattern continues: July above the preceding May in 2026 as in the official years
    may, july = month_index("2026-05") - targets.first_month, month_index("2026-07") - targets.first_month
    assert targets.unemployed[pori, july] > targets.unemployed[pori, may]


def test_suppressed_cells_are_small_and_not_observed(targets, area: Area) -> None:  # type: ignore[no-untyped-def]
    siikainen = targets.codes.index("747")
    official_months = targets.official
    hidden = official_months & ~targets.observed["open_vacancies"][siikainen]
    assert hidden.any()
    assert np.all((targets.vacancies[siikainen, hidden] >= 1) & (targets.vacancies[siikainen, hidden] <= 4))
