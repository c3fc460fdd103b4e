"""``rebuild`` writes the fact tables, skips work when nothing changed, recomputes incrementally, keeps the
partner register's past snapshots and marks suppressed cells."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.people.models import Status
from alue.scorecard import facts as facts_module
from alue.scorecard.definitions import load_definitions
from alue.scorecard.disclosure import DisclosureRule, protect_facts
from alue.scorecard.facts import compute_facts, iter_facts, rebuild
from alue.scorecard.inputs import load_inputs
from alue.scorecard.models import FactIndicator, FactMonthEnd
from alue.services.models import Partner

from .factories import add_spell, make_partner, make_person
from .helpers import AS_OF, D
from .test_inflow import build
from .test_views import build_area

U = Status.UNEMPLOYED
#: The unique key of a fact row.
FACT_KEY = (
    FactIndicator.indicator_id,
    FactIndicator.variant,
    FactIndicator.period,
    FactIndicator.municipality_code,
    FactIndicator.customer_group,
    FactIndicator.service_line,
)


def fact(session: Session, indicator: str, period: str, m: str = "*") -> FactIndicator | None:
    return session.scalar(
        select(FactIndicator).where(
            FactIndicator.indicator_id == indicator,
            FactIndicator.period == period,
            FactIndicator.municipality_code == m,
            FactIndicator.customer_group == "*",
            FactIndicator.service_line == "*",
            FactIndicator.variant == "",
        )
    )


def test_full_then_up_to_date_then_incremental(session: Session, area) -> None:
    build(session)
    report = rebuild(session=session, area=area, as_of=D(2025, 12, 31))
    assert report.mode == "full"
    assert report.indicator_rows > 0
    assert report.month_end_rows > 0
    march = fact(session, "inflow_over_3_months", "2025-03")
    assert (march.numerator, march.denominator, march.persons) == (3, 6, 6)
    # 3 of 6 with the outcome: the 3 without it are a group of fewer than five → hidden
    assert march.suppression == "primary"
    assert session.scalar(select(func.count()).select_from(FactMonthEnd)) > 0

    again = rebuild(session=session, area=area, as_of=D(2025, 12, 31))
    assert again.mode == "up-to-date"
    assert again.since is None

    # a new spell in November changes the year; the rebuild recomputes 2025 only
    late = make_person(session)
    add_spell(session, late, [(U, D(2025, 11, 20), None)])
    incremental = rebuild(session=session, area=area, as_of=D(2025, 12, 31))
    assert incremental.mode == "incremental"
    assert incremental.since == D(2025, 1, 1)
    assert "periods" in incremental.reason
    assert "2025-11-01" in incremental.reason
    november = fact(session, "inflow_over_3_months", "2025-11")
    assert november.complete is False
    assert november.events == 0
    # facts are unique per key after the rewrite
    keys = session.execute(select(*FACT_KEY, func.count()).group_by(*FACT_KEY).having(func.count() > 1)).all()
    assert keys == []


def test_partnership_snapshots_of_past_periods_are_kept(session: Session, area) -> None:
    make_partner(session, agreement=True)
    make_partner(session, agreement=False)
    rebuild(session=session, area=area, as_of=D(2025, 6, 30))
    assert fact(session, "partnership_rate", "2025-06").value == 50.0
    # later every partner signs an agreement
    for partner in session.scalars(select(Partner)):
        partner.partnership_agreement = True
    session.flush()
    report = rebuild(session=session, area=area, as_of=D(2025, 12, 31))
    assert report.mode == "full"  # partners have no dates: a change means a full rebuild
    assert fact(session, "partnership_rate", "2025-06").value == 50.0  # the state recorded in June
    assert fact(session, "partnership_rate", "2025-12").value == 100.0
    assert fact(session, "partnership_rate", "2025").value == 100.0


def _stored(session: Session) -> list[tuple[object, ...]]:
    rows = session.execute(select(*FACT_KEY, FactIndicator.numerator, FactIndicator.suppression))
    return sorted(tuple(r) for r in rows)


def test_a_computation_failing_midway_leaves_the_previous_facts(
    session: Session, area, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are written while later indicators are still computed; an error in the computation (here the
    month-end figures, computed after every indicator has been written) reaches the caller, whose rollback
    leaves the earlier facts as they were."""
    build(session)
    rebuild(session=session, area=area, as_of=AS_OF)
    before = _stored(session)
    month_end_before = session.scalar(select(func.count()).select_from(FactMonthEnd))
    assert before
    assert month_end_before

    def broken(*_args: object, **_kwargs: object) -> pl.DataFrame:
        raise RuntimeError("month-end figures failed")

    monkeypatch.setattr(facts_module, "compute_month_end", broken)
    with pytest.raises(RuntimeError, match="month-end figures failed"), session.begin_nested():
        rebuild(session=session, area=area, as_of=AS_OF, full=True)
    assert _stored(session) == before
    assert session.scalar(select(func.count()).select_from(FactMonthEnd)) == month_end_before


def test_each_batch_protected_alone_gives_the_same_decisions(session: Session, area) -> None:
    """Disclosure control runs per batch of indicators (so that rows can be written as they come): every
    relation it checks lies within one indicator and variant, so the decisions equal those over all rows at
    once — here with every indicator a batch of its own."""
    build(session)
    definitions = load_definitions(area)
    inputs, since = load_inputs(session), D(2025, 1, 1)
    raw, _ = compute_facts(inputs, definitions, as_of=AS_OF, since=since, protect=False)
    rule = DisclosureRule(definitions.disclosure.min_persons, definitions.disclosure.protect_outcomes)
    at_once = protect_facts(raw, rule)
    assert (at_once["suppression"] != "").sum() > 0  # the fixture has small cells
    batches = [
        rows
        for kind, rows in iter_facts(inputs, definitions, as_of=AS_OF, since=since, batch_rows=1)
        if kind == "indicator"
    ]
    assert len(batches) == raw.get_column("indicator_id").n_unique()
    assert pl.concat(batches).equals(at_once)
    protected, _ = compute_facts(inputs, definitions, as_of=AS_OF, since=since)
    assert protected.equals(at_once)


def test_the_facts_do_not_depend_on_how_many_indicators_are_computed_at_once(session: Session, area) -> None:
    build(session)
    build_area(session)  # exits to jobs too: the staying-employed and cost indicators have rows
    definitions = load_definitions(area)
    inputs, since = load_inputs(session), D(2025, 1, 1)

    def facts(workers: int) -> list[tuple[str, pl.DataFrame]]:
        return list(iter_facts(inputs, definitions, as_of=AS_OF, since=since, batch_rows=1, workers=workers))

    one, three = facts(1), facts(3)
    assert [kind for kind, _ in one] == [kind for kind, _ in three]
    assert len(one) >= 4
    for (_, a), (_, b) in zip(one, three, strict=True):
        assert a.equals(b)
