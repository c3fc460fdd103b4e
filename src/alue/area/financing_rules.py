"""Step tables of unemployment-benefit financing, evaluated on a date.

Since 1.1.2025 the home municipality pays a share of the labour-market subsidy (työmarkkinatuki), the
basic unemployment allowance (peruspäiväraha) and the basic part of the earnings-related allowance
(ansiopäiväraha), rising with the person's accumulated paid days; until 31.12.2024 it paid a share of the
labour-market subsidy only. Both models are versions of the rules ``benefit_financing.*`` in
``national.yaml``; the 2025 step table is unverified configuration. The planning code uses these
helpers for benefit-cost estimates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from alue.area.rules import RuleBook, RuleRef, load_rules, step_share

COVERED_BENEFITS = "benefit_financing.covered_benefits"
MUNICIPAL_SHARE_STEPS = "benefit_financing.municipal_share_steps"
EARNINGS_RELATED_REDUCTION_STEPS = "earnings_related_allowance.reduction_steps"


class Benefit(StrEnum):
    """Unemployment benefits whose financing the rules describe (codes used in the rule files)."""

    LABOUR_MARKET_SUBSIDY = "labour_market_subsidy"
    BASIC_UNEMPLOYMENT_ALLOWANCE = "basic_unemployment_allowance"
    #: for this benefit the municipal share applies to its basic part only
    EARNINGS_RELATED_ALLOWANCE = "earnings_related_allowance"


class FinancingShare(BaseModel):
    """The municipality's share of one benefit day, and the rule versions it came from."""

    model_config = ConfigDict(frozen=True)

    benefit: Benefit
    paid_days: int
    on: dt.date
    covered: bool
    share: Decimal
    rules: tuple[RuleRef, ...]


def municipal_share_detail(
    paid_days: int,
    on: dt.date,
    *,
    benefit: Benefit = Benefit.LABOUR_MARKET_SUBSIDY,
    rules: RuleBook | None = None,
) -> FinancingShare:
    """The municipal share of a benefit day paid on ``on`` when ``paid_days`` days were paid before it.

    A step-table row applies once ``paid_days`` reaches its ``from_days``; a benefit the rule in force
    does not cover has share 0.
    """
    if paid_days < 0:
        raise ValueError("paid_days must be non-negative")
    book = rules or load_rules()
    covered_version = book.in_force(COVERED_BENEFITS, on)
    covered = benefit.value in covered_version.value
    if not covered:
        return FinancingShare(
            benefit=benefit,
            paid_days=paid_days,
            on=on,
            covered=False,
            share=Decimal(0),
            rules=(covered_version.ref(),),
        )
    steps = book.in_force(MUNICIPAL_SHARE_STEPS, on)
    return FinancingShare(
        benefit=benefit,
        paid_days=paid_days,
        on=on,
        covered=True,
        share=step_share(steps.value, paid_days),
        rules=(covered_version.ref(), steps.ref()),
    )


def municipal_share(
    paid_days: int,
    on: dt.date,
    *,
    benefit: Benefit = Benefit.LABOUR_MARKET_SUBSIDY,
    rules: RuleBook | None = None,
) -> Decimal:
    """Shorthand for :func:`municipal_share_detail` returning only the share."""
    return municipal_share_detail(paid_days, on, benefit=benefit, rules=rules).share


def earnings_related_reduction(paid_days: int, on: dt.date, *, rules: RuleBook | None = None) -> Decimal:
    """How much the earnings-related allowance is reduced (0.20 = −20 %) after ``paid_days`` paid days.

    The caller keeps the result at or above the basic allowance, as the rule's description says.
    """
    if paid_days < 0:
        raise ValueError("paid_days must be non-negative")
    book = rules or load_rules()
    return step_share(book.value(EARNINGS_RELATED_REDUCTION_STEPS, on), paid_days)
