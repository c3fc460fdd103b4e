"""The benefit-financing estimate, with hand-computed paid days, step-table shares and costs.

Paid days are weekdays (Mon–Fri). Daily amounts: 37.21 € for both the labour-market subsidy and the
basic allowance (national rules); the earnings part 40 €/day and a fund-member share of 0.85
(planning assumptions).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alue.area.rules import NATIONAL, RuleBook, load_rule_file, load_rules
from alue.people.models import EmploymentEpisode, EmploymentKind, Status
from alue.planning.assumptions import ASSUMPTIONS_FILE, with_assumptions
from alue.planning.financing import (
    FinancingEngine,
    PersonDays,
    PersonHistory,
    Spell,
    load_histories,
    monthly_figures,
)
from alue.services.models import Participation, ParticipationOutcome, Production, Service, ServiceKind
from alue.staff.models import ServiceLine

from ..people.factories import add_spell, make_person, move

D = dt.date
U, S, L, SW = Status.UNEMPLOYED, Status.IN_SERVICE, Status.LAID_OFF_FULL, Status.SHORTENED_WEEK
DAILY = 37.21


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return with_assumptions(load_rules(NATIONAL))


END_2025 = D(2025, 12, 31)


def _engine(book: RuleBook, until: dt.date = END_2025) -> FinancingEngine:
    return FinancingEngine(book, until=until)


def _day(pd_: PersonDays, day: dt.date) -> int:
    found = np.nonzero(pd_.days == np.datetime64(day))[0]
    assert found.size == 1, f"{day} is not a paid weekday"
    return int(found[0])


def _month(pd_: PersonDays, values: np.ndarray, year: int, month: int) -> float:
    mask = pd_.days.astype("datetime64[M]") == np.datetime64(f"{year:04d}-{month:02d}")
    return float(values[mask].sum())


def _lms_person(
    start: dt.date, end: dt.date | None = None, *, home: str = "609", **kw: object
) -> PersonHistory:
    """Somebody without employment in the data but known to have none: labour-market subsidy."""
    return PersonHistory(
        key=1,
        home=home,
        spells=(Spell(start=start, end=end, periods=((U, start, end),)),),
        **kw,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------------------- the 2025 step table


def test_step_table_2025_on_both_sides_of_each_step(book: RuleBook) -> None:
    # Registered Mon 6.1.2025, labour-market subsidy. The 7-day waiting period takes 6.–14.1.; the first
    # paid day is 15.1. (0 days before it). The 101st paid day (100 before it) is weekday 107 from 6.1.:
    # Wed 4.6.2025 → 10 %; Tue 3.6. still 0 %. The 201st is weekday 207: Wed 22.10.2025 → 20 %.
    pd_ = _engine(book).person(_lms_person(D(2025, 1, 6)))
    assert pd_ is not None
    assert pd_.weight[_day(pd_, D(2025, 1, 14))] == 0  # waiting period
    first = _day(pd_, D(2025, 1, 15))
    assert pd_.weight[first] == 1
    assert pd_.counter[first] == 0
    assert pd_.counter[_day(pd_, D(2025, 6, 3))] == 99
    assert pd_.share[_day(pd_, D(2025, 6, 3))] == 0
    assert pd_.counter[_day(pd_, D(2025, 6, 4))] == 100
    assert pd_.share[_day(pd_, D(2025, 6, 4))] == pytest.approx(0.1)
    assert pd_.share[_day(pd_, D(2025, 10, 21))] == pytest.approx(0.1)
    assert pd_.share[_day(pd_, D(2025, 10, 22))] == pytest.approx(0.2)
    # June 2025 has 21 weekdays; 4.6.–30.6. (19 days) at 10 %: 19 × 37.21 × 0.10 = 70.70 €
    assert _month(pd_, pd_.municipal_cost, 2025, 6) == pytest.approx(19 * DAILY * 0.1)
    assert _month(pd_, pd_.total_cost, 2025, 6) == pytest.approx(21 * DAILY)
    assert _month(pd_, pd_.municipal_cost, 2025, 5) == 0


def test_old_rule_until_2024_and_the_change_on_1_1_2025(book: RuleBook) -> None:
    # Registered Mon 2.1.2023 on the labour-market subsidy; waiting period 5 days (rule of 2023).
    # Old rule: the municipality pays 50 % from 300 paid days: weekday 305 from 2.1.2023 = Mon 4.3.2024.
    # By 31.12.2024: 522 weekdays − 5 = 517 paid days. On 1.1.2025 the new rule applies: 517 ≥ 500 → 50 %.
    pd_ = _engine(book).person(_lms_person(D(2023, 1, 2)))
    assert pd_ is not None
    assert pd_.share[_day(pd_, D(2024, 3, 1))] == 0
    assert pd_.share[_day(pd_, D(2024, 3, 4))] == pytest.approx(0.5)
    assert pd_.counter[_day(pd_, D(2024, 12, 31))] == 516
    assert pd_.counter[_day(pd_, D(2025, 1, 1))] == 517
    assert pd_.share[_day(pd_, D(2025, 1, 1))] == pytest.approx(0.5)
    # December 2024 (22 weekdays) and January 2025 (23) both at 50 % of 37.21 €
    assert _month(pd_, pd_.municipal_cost, 2024, 12) == pytest.approx(22 * DAILY * 0.5)
    assert _month(pd_, pd_.municipal_cost, 2025, 1) == pytest.approx(23 * DAILY * 0.5)


def test_old_rule_seventy_percent_from_1000_days(book: RuleBook) -> None:
    # Registered Mon 4.1.2021 (waiting 5 days): paid day 1 000 is weekday 1 005 from 4.1.2021
    start = D(2021, 1, 4)
    turn = np.busday_offset(np.datetime64(start), 1005, weekmask="1111100").astype(object)
    pd_ = _engine(book, D(2024, 12, 31)).person(_lms_person(start))
    assert pd_ is not None
    assert turn == D(2024, 11, 11)  # a Monday
    assert pd_.share[_day(pd_, turn - dt.timedelta(days=3))] == pytest.approx(0.5)  # Fri before
    assert pd_.share[_day(pd_, turn)] == pytest.approx(0.7)


def test_when_days_before_2025_do_not_count(tmp_path: Path) -> None:
    # The transitional question is configuration: with the flag false, the 2025 counter starts at 0.
    tail = "\n        effective_from: 2025-01-01\n        source: Planning assumption; the transitional"
    text = ASSUMPTIONS_FILE.read_text(encoding="utf-8").replace(
        "      - value: true" + tail, "      - value: false" + tail
    )
    custom = tmp_path / "assumptions.yaml"
    custom.write_text(text, encoding="utf-8")
    book = with_assumptions(load_rules(NATIONAL), custom)
    assert book.value("planning.financing.count_days_paid_before_2025", D(2025, 1, 1)) is False
    pd_ = _engine(book).person(_lms_person(D(2023, 1, 2)))
    assert pd_ is not None
    assert pd_.counter[_day(pd_, D(2025, 1, 1))] == 0
    assert pd_.share[_day(pd_, D(2025, 1, 1))] == 0
    assert _month(pd_, pd_.municipal_cost, 2024, 12) == pytest.approx(22 * DAILY * 0.5)  # old rule unchanged


# ------------------------------------------------------------------------------------ benefit types


def _eligible_person(start: dt.date, weeks_worked: int = 104) -> PersonHistory:
    worked_from = start - dt.timedelta(weeks=weeks_worked)
    return PersonHistory(
        key=2,
        home="079",
        spells=(Spell(start=start, end=None, periods=((U, start, None),)),),
        employment=((worked_from, start - dt.timedelta(days=1)),),
    )


def test_allowance_is_not_charged_before_2025_and_counts_after(book: RuleBook) -> None:
    # Two years of work before registering on Mon 3.6.2024: the unemployment allowance (85 %
    # earnings-related, 15 % basic). Not the municipality's before 2025. Paid days by 31.12.2024:
    # 152 weekdays − 7 waiting = 145 → January 2025 at 10 % of the basic part (37.21 €).
    pd_ = _engine(book).person(_eligible_person(D(2024, 6, 3)))
    assert pd_ is not None
    assert _month(pd_, pd_.municipal_cost, 2024, 12) == 0
    assert pd_.earnings[_day(pd_, D(2024, 12, 2))] == pytest.approx(0.85)
    assert pd_.basic[_day(pd_, D(2024, 12, 2))] == pytest.approx(0.15)
    assert pd_.counter[_day(pd_, D(2025, 1, 1))] == 145
    assert _month(pd_, pd_.municipal_cost, 2025, 1) == pytest.approx(23 * DAILY * 0.1)
    # 200 paid days are reached on the 56th weekday of 2025: Wed 19.3.2025 → 20 %
    assert pd_.share[_day(pd_, D(2025, 3, 18))] == pytest.approx(0.1)
    assert pd_.share[_day(pd_, D(2025, 3, 19))] == pytest.approx(0.2)
    # Total cost in January 2025: the earnings part is reduced by 20 % (over 40 days, under 170):
    # 23 × (0.85 × (37.21 + 40 × 0.8) + 0.15 × 37.21)
    assert _month(pd_, pd_.total_cost, 2025, 1) == pytest.approx(23 * (0.85 * (DAILY + 32) + 0.15 * DAILY))


def test_allowance_ends_after_300_days_then_labour_market_subsidy(book: RuleBook) -> None:
    # Short history (2 years < 3): 300 allowance days. From 3.6.2024 with 7 waiting days, paid day 301
    # (300 before it) is weekday 307 from 3.6.2024.
    start = D(2024, 6, 3)
    turn = np.busday_offset(np.datetime64(start), 307, weekmask="1111100").astype(object)
    pd_ = _engine(book).person(_eligible_person(start))
    assert pd_ is not None
    i = _day(pd_, turn)
    assert pd_.lms[i - 1] == 0
    assert pd_.lms[i] == 1
    # Long history (3 years): 400 days
    pd_long = _engine(book).person(_eligible_person(start, weeks_worked=160))
    assert pd_long is not None
    assert pd_long.lms[_day(pd_long, turn)] == 0


def test_not_enough_work_means_labour_market_subsidy(book: RuleBook) -> None:
    # 40 weeks of work before 3.6.2025: the work condition is 52 weeks (from 2.9.2024)
    pd_ = _engine(book).person(_eligible_person(D(2025, 6, 2), weeks_worked=40))
    assert pd_ is not None
    assert pd_.lms[-1] == 1
    assert pd_.earnings.sum() == 0


def test_unknown_history_is_a_weighted_mix(book: RuleBook) -> None:
    # No employment data at all: eligible with probability 0.5. In December 2024 the allowance branch
    # costs the municipality nothing; the subsidy branch does after 300 days.
    known = _engine(book).person(_lms_person(D(2023, 1, 2)))
    unknown = _engine(book).person(_lms_person(D(2023, 1, 2), employment_known=False))
    assert known is not None
    assert unknown is not None
    assert _month(unknown, unknown.municipal_cost, 2024, 12) == pytest.approx(
        0.5 * _month(known, known.municipal_cost, 2024, 12)
    )
    assert unknown.lms[_day(unknown, D(2023, 6, 1))] == pytest.approx(0.5)


# ------------------------------------------------------------------------------- services and moves


def test_services_count_only_from_2025(book: RuleBook) -> None:
    # Unemployed from 2.1.2023, in a service (training) for November 2024 and for February 2025.
    start = D(2023, 1, 2)
    periods = (
        (U, start, D(2024, 10, 31)),
        (S, D(2024, 11, 1), D(2024, 11, 30)),
        (U, D(2024, 12, 1), D(2025, 1, 31)),
        (S, D(2025, 2, 1), D(2025, 2, 28)),
        (U, D(2025, 3, 1), None),
    )
    person = PersonHistory(key=3, home="609", spells=(Spell(start=start, end=None, periods=periods),))
    pd_ = _engine(book).person(person)
    assert pd_ is not None
    assert _month(pd_, pd_.municipal_cost, 2024, 11) == 0  # old rule: services neither counted nor charged
    # the 21 service days of November 2024 do not count in the old counter: 516 − 21 = 495 before 31.12.
    assert pd_.counter[_day(pd_, D(2024, 12, 31))] == 516 - 21
    # from 2025 every paid day counts (the flag counts days before 2025 too): 517 before 1.1.2025
    assert pd_.counter[_day(pd_, D(2025, 1, 1))] == 517
    assert _month(pd_, pd_.municipal_cost, 2025, 2) == pytest.approx(20 * DAILY * 0.5)


def test_wage_subsidy_pays_no_benefit(book: RuleBook) -> None:
    start = D(2025, 1, 6)
    periods = ((U, start, D(2025, 1, 31)), (S, D(2025, 2, 1), D(2025, 2, 28)), (U, D(2025, 3, 1), None))
    person = PersonHistory(
        key=4,
        home="609",
        spells=(Spell(start=start, end=None, periods=periods),),
        non_benefit_services=((D(2025, 2, 1), D(2025, 2, 28)),),
    )
    pd_ = _engine(book).person(person)
    assert pd_ is not None
    assert _month(pd_, pd_.weight, 2025, 2) == 0
    assert _month(pd_, pd_.weight, 2025, 3) == 21


def test_shortened_week_pays_a_share(book: RuleBook) -> None:
    start = D(2025, 3, 3)
    person = PersonHistory(
        key=5, home="609", spells=(Spell(start=start, end=None, periods=((SW, start, None),)),)
    )
    pd_ = _engine(book).person(person)
    assert pd_ is not None
    # 0.4 days per weekday; the 7-day waiting period is 17.5 weekdays of shortened week
    assert _month(pd_, pd_.weight, 2025, 6) == pytest.approx(21 * 0.4)
    assert _month(pd_, pd_.weight, 2025, 3) == pytest.approx(21 * 0.4 - 7)


def test_cost_goes_to_the_home_municipality_on_the_day(book: RuleBook) -> None:
    # Labour-market subsidy since 2.1.2023 (50 % in 2025); moves from Pori to Ulvila on 15.1.2025.
    person = _lms_person(D(2023, 1, 2), residences=((D(2025, 1, 15), None, "886"),))
    figures = monthly_figures([person], start=D(2025, 1, 1), end=D(2025, 1, 31), book=book)
    # 1.–14.1.2025 has 10 weekdays in Pori, 15.–31.1. 13 in Ulvila
    assert figures.municipal_cost["609"][0] == pytest.approx(10 * DAILY * 0.5)
    assert figures.municipal_cost["886"][0] == pytest.approx(13 * DAILY * 0.5)
    assert figures.paid_days["886"]["labour_market_subsidy"][0] == pytest.approx(13)


def test_reference_cost_uses_one_rule_for_every_day(book: RuleBook) -> None:
    # Like-for-like under the 2025 rule: December 2024 is valued by the step table of 2025 (50 %).
    person = _lms_person(D(2023, 1, 2))
    pd_ = FinancingEngine(book, until=D(2025, 12, 31), reference=D(2025, 6, 30)).person(person)
    assert pd_ is not None
    # In November 2023 the old rule charged nothing (< 300 days); the 2025 rule charges 20 %
    # (paid days 210–230 before the days of November 2023).
    assert _month(pd_, pd_.municipal_cost, 2023, 11) == 0
    assert _month(pd_, pd_.reference_cost, 2023, 11) == pytest.approx(22 * DAILY * 0.2)


# -------------------------------------------------------------------------------------- database


def test_histories_from_the_database(session: Session, book: RuleBook) -> None:
    person = make_person(session, municipality="609")
    add_spell(session, person, [(U, D(2025, 1, 6), D(2025, 3, 31)), (S, D(2025, 4, 1), None)])
    move(session, person, [("886", D(2025, 2, 1), None)])
    session.add(
        EmploymentEpisode(
            person_id=person.id,
            isco4="7212",
            kind=EmploymentKind.OPEN_MARKET,
            working_time="full_time",
            start_date=D(2023, 1, 1),
            end_date=D(2024, 12, 31),
        )
    )
    service = Service(
        code="PALKKATUKI-T",
        name_fi="Palkkatuki",
        name_sv="Lönesubvention",
        name_en="Wage subsidy",
        kind=ServiceKind.WAGE_SUBSIDY,
        production=Production.OWN,
        service_line=ServiceLine.JOB_BROKERAGE,
        unit_cost=0,
        typical_duration_days=180,
    )
    session.add(service)
    session.flush()
    session.add(
        Participation(
            person_id=person.id,
            service_id=service.id,
            referred_on=D(2025, 3, 15),
            start_date=D(2025, 4, 1),
            end_date=None,
            cost=0,
            outcome=ParticipationOutcome.ONGOING,
        )
    )
    session.flush()
    histories = {h.key: h for h in load_histories(session=session, book=book, until=D(2025, 12, 31))}
    h = histories[person.id]
    assert h.home == "609"
    assert h.employment_known
    assert h.employment == ((D(2023, 1, 1), D(2024, 12, 31)),)
    assert h.residences == ((D(2025, 2, 1), None, "886"),)
    assert h.non_benefit_services == ((D(2025, 4, 1), None),)
    pd_ = _engine(book).person(h)
    assert pd_ is not None
    assert _month(pd_, pd_.weight, 2025, 4) == 0  # wage-subsidised work: no benefit
    assert pd_.earnings[0] == pytest.approx(0.85)  # two years of work: the allowance
    assert set(pd_.municipality) == {"609", "886"}


def test_the_shipped_assumptions_are_valid() -> None:
    layer = load_rule_file(ASSUMPTIONS_FILE)
    assert layer.name == "planning"
    assert all(rule_id.startswith("planning.") for rule_id in layer.rules)


# ------------------------------------------------------------------- the fast engine = the day engine

_status = st.sampled_from([U, U, U, S, L, SW, Status.PART_TIME, Status.EMPLOYED])


@st.composite
def _histories(draw: st.DrawFn) -> PersonHistory:
    start = draw(st.dates(min_value=D(2022, 1, 1), max_value=D(2025, 6, 30)))
    periods = []
    day = start
    for _ in range(draw(st.integers(1, 5))):
        length = draw(st.integers(1, 400))
        end = day + dt.timedelta(days=length - 1)
        periods.append((draw(_status), day, end))
        day = end + dt.timedelta(days=1)
    periods[-1] = (periods[-1][0], periods[-1][1], draw(st.one_of(st.none(), st.just(periods[-1][2]))))
    spells = [Spell(start=start, end=periods[-1][2], periods=tuple(periods))]
    if periods[-1][2] is not None and draw(st.booleans()):
        again = periods[-1][2] + dt.timedelta(days=draw(st.integers(30, 400)))
        spells.append(Spell(start=again, end=None, periods=((U, again, None),)))
    worked = draw(st.integers(0, 200))
    employment = ((start - dt.timedelta(weeks=worked), start - dt.timedelta(days=1)),) if worked else ()
    moves = ()
    if draw(st.booleans()):
        moves = ((start + dt.timedelta(days=draw(st.integers(0, 900))), None, "886"),)
    blocked = ()
    if draw(st.booleans()):
        lo = start + dt.timedelta(days=draw(st.integers(0, 600)))
        blocked = ((lo, lo + dt.timedelta(days=draw(st.integers(0, 200)))),)
    return PersonHistory(
        key=1,
        home="609",
        spells=tuple(spells),
        residences=moves,
        employment=employment,
        employment_known=draw(st.booleans()),
        non_benefit_services=blocked,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_histories(), min_size=1, max_size=4))
def test_runs_engine_matches_the_day_engine(people: list[PersonHistory]) -> None:
    book = with_assumptions(load_rules(NATIONAL))
    kwargs = {"start": D(2023, 1, 1), "end": D(2026, 6, 30), "book": book, "reference": D(2026, 6, 30)}
    fast = monthly_figures(people, method="runs", **kwargs)  # type: ignore[arg-type]
    slow = monthly_figures(people, method="days", **kwargs)  # type: ignore[arg-type]
    zero = np.zeros(len(slow.months))
    for code in set(fast.municipal_cost) | set(slow.municipal_cost):
        for name in (
            "municipal_cost",
            "total_cost",
            "reference_cost",
            "reference_cost_after_3m",
            "charged_days",
        ):
            # A day where the allowance runs out mid-day or a part-time weight crosses a step may fall
            # on either side in the two engines: allow a couple of days' money (or days) per month.
            a, b = getattr(fast, name).get(code, zero), getattr(slow, name).get(code, zero)
            assert np.allclose(a, b, atol=2 * 80.0 if name != "charged_days" else 2.0), name
        for benefit in (
            "labour_market_subsidy",
            "basic_unemployment_allowance",
            "earnings_related_allowance",
        ):
            a = fast.paid_days.get(code, {}).get(benefit, zero)
            b = slow.paid_days.get(code, {}).get(benefit, zero)
            assert np.allclose(a, b, atol=1.0), benefit
