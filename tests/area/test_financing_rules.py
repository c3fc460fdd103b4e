"""Municipal financing of unemployment benefits and earnings-related reductions by date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alue.area.financing_rules import (
    Benefit,
    earnings_related_reduction,
    municipal_share,
    municipal_share_detail,
)
from alue.area.rules import NATIONAL, RuleBook, load_rules

OLD = dt.date(2024, 12, 31)  # last day of the 300/1000-day model
NEW = dt.date(2025, 1, 1)  # first day of the step model


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rules(NATIONAL)


@pytest.mark.parametrize(
    ("paid_days", "share"),
    [(0, "0"), (299, "0"), (300, "0.5"), (999, "0.5"), (1000, "0.7"), (2500, "0.7")],
)
def test_labour_market_subsidy_share_until_2024(book: RuleBook, paid_days: int, share: str) -> None:
    assert municipal_share(paid_days, OLD, rules=book) == Decimal(share)


@pytest.mark.parametrize(
    ("paid_days", "share"),
    [(0, "0"), (99, "0"), (100, "0.1"), (199, "0.1"), (200, "0.2"), (450, "0.4"), (500, "0.5"), (900, "0.5")],
)
def test_step_model_from_2025(book: RuleBook, paid_days: int, share: str) -> None:
    assert municipal_share(paid_days, NEW, rules=book) == Decimal(share)


def test_basic_allowance_is_charged_only_from_2025(book: RuleBook) -> None:
    before = municipal_share_detail(600, OLD, benefit=Benefit.BASIC_UNEMPLOYMENT_ALLOWANCE, rules=book)
    after = municipal_share_detail(600, NEW, benefit=Benefit.BASIC_UNEMPLOYMENT_ALLOWANCE, rules=book)
    assert (before.covered, before.share) == (False, Decimal(0))
    assert (after.covered, after.share) == (True, Decimal("0.5"))
    # The result names the rules used, and the 2025 step table is flagged as unverified.
    assert [r.rule_id for r in after.rules] == [
        "benefit_financing.covered_benefits",
        "benefit_financing.municipal_share_steps",
    ]
    assert after.rules[1].unverified
    assert not before.rules[0].unverified


def test_negative_days_are_refused(book: RuleBook) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        municipal_share(-1, NEW, rules=book)


@given(days=st.integers(0, 3000), later=st.integers(0, 500))
def test_share_never_falls_as_days_accumulate(days: int, later: int) -> None:
    book = load_rules(NATIONAL)
    for day in (OLD, NEW):
        assert municipal_share(days, day, rules=book) <= municipal_share(days + later, day, rules=book)
        assert Decimal(0) <= municipal_share(days, day, rules=book) <= Decimal("0.7")


@pytest.mark.parametrize(
    ("paid_days", "reduction"), [(0, "0"), (39, "0"), (40, "0.2"), (169, "0.2"), (170, "0.25"), (400, "0.25")]
)
def test_earnings_related_reduction_steps(book: RuleBook, paid_days: int, reduction: str) -> None:
    assert earnings_related_reduction(paid_days, NEW, rules=book) == Decimal(reduction)
