"""Vectorised building blocks: grouped sampling and identity codes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alue.demo.columns import NO_DAY, Columns, iso_dates, rank_in_group, weighted_pick_per_group
from alue.demo.population import assign_hetu, transliterate
from alue.shared.identifiers import hetu_birth_date, validate_hetu


def test_weighted_pick_respects_quotas_and_weights() -> None:
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(3), [100, 5, 50])
    weights = np.where(np.arange(155) % 2 == 0, 10.0, 0.1)
    quota = np.array([20, 10, 0])
    chosen = weighted_pick_per_group(rng, groups, weights, quota)
    counts = np.bincount(groups[chosen], minlength=3)
    assert counts.tolist() == [20, 5, 0]  # group 1 has only 5 rows
    assert np.mean(weights[chosen[groups[chosen] == 0]] == 10.0) > 0.8
    assert len(np.unique(chosen)) == len(chosen)


def test_rank_in_group() -> None:
    order, rank = rank_in_group(np.array([1, 0, 1, 0, 1]), np.array([0.3, 0.2, 0.1, 0.9, 0.5]))
    assert order.tolist() == [1, 3, 2, 0, 4]
    assert rank.tolist() == [0, 1, 0, 1, 2]


def test_columns_grow_and_fill_defaults() -> None:
    table = Columns("t", {"a": np.int32, "b": np.float64, "c": np.bool_}, capacity=2)
    table.add(3, a=[1, 2, 3])
    table.add(2, b=1.5, c=True)
    assert len(table) == 5
    assert table["a"].tolist() == [1, 2, 3, -1, -1]
    assert np.isnan(table["b"][0])
    assert table["b"][4] == 1.5
    assert iso_dates(np.array([0, NO_DAY])) == ["1970-01-01", None]
    assert iso_dates(np.array([NO_DAY])) == [None]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-25_000, 20_000), min_size=1, max_size=400), st.integers(0, 2**32 - 1))
def test_generated_hetus_are_valid_unique_and_temporary(days: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    birth = np.array(days, dtype=np.int64)
    female = rng.random(len(birth)) < 0.5
    # crowd one day to force the overflow to the next day
    birth[: len(birth) // 2] = birth[0]
    new_birth, codes = assign_hetu(rng, birth, female)
    assert len(set(codes.tolist())) == len(codes)
    for code, b, f in zip(codes.tolist(), new_birth.tolist(), female.tolist(), strict=True):
        assert validate_hetu(code) == code
        assert 900 <= int(code[7:10]) <= 999
        assert (int(code[7:10]) % 2 == 0) == f
        assert (hetu_birth_date(code) - __import__("datetime").date(1970, 1, 1)).days == b
    assert np.all(new_birth >= birth)
    assert np.all(new_birth - birth <= 8)


def test_transliteration() -> None:
    assert transliterate("Сергей Иванов") == "Sergei Ivanov"
    assert transliterate("Юлія") == "Julija"
