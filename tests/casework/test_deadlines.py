"""Casework deadlines on both sides of each rule change, with Finnish public holidays.

Every expected date is counted by hand; the calendar reasoning is in the comment next to it
("wd" = working day, "off" = weekend or public holiday).
"""

from __future__ import annotations

import datetime as dt

import pytest

from alue.area.rules import (
    NATIONAL,
    RuleBook,
    RuleNotInForceError,
    SanctionKind,
    UnknownRuleError,
    load_rules,
)
from alue.casework.deadlines import (
    ObligationStatus,
    full_months_between,
    initial_interview_due,
    job_search_obligation,
    next_job_search_discussion_due,
    sanction_for_omission,
    supplementary_discussion_schedule,
    three_month_goal,
    working_day_on_or_before,
)
from alue.shared.time import add_months

D = dt.date


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return load_rules("satakunta")


# ----------------------------------------------------------------------------- initial interview


@pytest.mark.parametrize(
    ("registered", "due", "days", "source_part"),
    [
        # Mon 2.5.2022, first day of the Nordic model: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4), Mon 9 (5).
        (D(2022, 5, 2), D(2022, 5, 9), 5, "916/2012"),
        # Fri 20.5.2022: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 Ascension off, Fri 27 (4), Mon 30 (5).
        (D(2022, 5, 20), D(2022, 5, 30), 5, "916/2012"),
        # Tue 31.12.2024, old law: Wed 1.1 off, Thu 2 (1), Fri 3 (2), Mon 6 Epiphany off, Tue 7 (3),
        # Wed 8 (4), Thu 9 (5).
        (D(2024, 12, 31), D(2025, 1, 9), 5, "916/2012"),
        # Thu 2.1.2025, Laki 380/2023: Fri 3 (1), Mon 6 off, Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5).
        (D(2025, 1, 2), D(2025, 1, 10), 5, "380/2023"),
        # Wed 16.4.2025 before Easter: Thu 17 (1), Good Friday 18 off, Easter Monday 21 off, Tue 22 (2),
        # Wed 23 (3), Thu 24 (4), Fri 25 (5).
        (D(2025, 4, 16), D(2025, 4, 25), 5, "380/2023"),
        # Tue 17.6.2025 before Midsummer: Wed 18 (1), Thu 19 (2), Fri 20 Midsummer Eve off, Mon 23 (3),
        # Tue 24 (4), Wed 25 (5).
        (D(2025, 6, 17), D(2025, 6, 25), 5, "380/2023"),
        # Mon 22.12.2025: Tue 23 (1), Wed 24–Fri 26 Christmas off, Mon 29 (2), Tue 30 (3), Wed 31 (4),
        # Thu 1.1 off, Fri 2.1 (5).
        (D(2025, 12, 22), D(2026, 1, 2), 5, "380/2023"),
        # Tue 30.12.2025 keeps the old 5-day rule (rule of the registration date): Wed 31 (1), Thu 1.1 off,
        # Fri 2 (2), Mon 5 (3), Tue 6 Epiphany off, Wed 7 (4), Thu 8 (5).
        (D(2025, 12, 30), D(2026, 1, 8), 5, "380/2023"),
        # Wed 31.12.2025, last day of the old rule: Fri 2 (1), Mon 5 (2), Wed 7 (3), Thu 8 (4), Fri 9 (5).
        (D(2025, 12, 31), D(2026, 1, 9), 5, "380/2023"),
        # Thu 1.1.2026 (a holiday; online registration), new 10-day rule: Fri 2 (1), Mon 5 (2), Tue 6 off,
        # Wed 7 (3), Thu 8 (4), Fri 9 (5), Mon 12 (6), Tue 13 (7), Wed 14 (8), Thu 15 (9), Fri 16 (10).
        (D(2026, 1, 1), D(2026, 1, 16), 10, "HE 108/2025"),
        # Fri 2.1.2026: Mon 5 (1), Tue 6 off, Wed 7 (2), Thu 8 (3), Fri 9 (4), Mon 12 (5), Tue 13 (6),
        # Wed 14 (7), Thu 15 (8), Fri 16 (9), Mon 19 (10).
        (D(2026, 1, 2), D(2026, 1, 19), 10, "HE 108/2025"),
        # Wed 1.4.2026 before Easter: Thu 2 (1), Good Friday 3 off, Easter Monday 6 off, Tue 7 (2), Wed 8 (3),
        # Thu 9 (4), Fri 10 (5), Mon 13 (6), Tue 14 (7), Wed 15 (8), Thu 16 (9), Fri 17 (10).
        (D(2026, 4, 1), D(2026, 4, 17), 10, "HE 108/2025"),
        # Mon 21.12.2026: Tue 22 (1), Wed 23 (2), Thu 24/Fri 25 off, Mon 28 (3), Tue 29 (4), Wed 30 (5),
        # Thu 31 (6), Fri 1.1.2027 off, Mon 4 (7), Tue 5 (8), Wed 6 Epiphany off, Thu 7 (9), Fri 8 (10).
        (D(2026, 12, 21), D(2027, 1, 8), 10, "HE 108/2025"),
    ],
)
def test_initial_interview_due_date_uses_the_rule_of_the_registration_date(
    rules: RuleBook, registered: dt.date, due: dt.date, days: int, source_part: str
) -> None:
    result = initial_interview_due(registered=registered, rules=rules)
    assert result.due == due
    assert result.basis == registered
    (ref,) = result.rules
    assert ref.rule_id == "initial_interview.deadline_working_days"
    assert source_part in ref.source
    assert f"{days} working days" in result.explanation


def test_no_initial_interview_deadline_before_the_nordic_model(rules: RuleBook) -> None:
    with pytest.raises(RuleNotInForceError, match=r"30\.4\.2022"):
        initial_interview_due(registered=D(2022, 4, 30), rules=rules)


# -------------------------------------------------------------------------- job-search discussion


@pytest.mark.parametrize(
    ("last", "due", "source_part"),
    [
        # 2.5.2022 + 3 months = Tue 2.8.2022, a working day.
        (D(2022, 5, 2), D(2022, 8, 2), "916/2012"),
        # 31.12.2024 (old law) + 3 months = Mon 31.3.2025.
        (D(2024, 12, 31), D(2025, 3, 31), "916/2012"),
        # 1.1.2025 (Laki 380/2023) + 3 months = Tue 1.4.2025.
        (D(2025, 1, 1), D(2025, 4, 1), "380/2023"),
        # 24.9.2025 + 3 months = Wed 24.12.2025, Christmas Eve (off) -> Tue 23.12.2025.
        (D(2025, 9, 24), D(2025, 12, 23), "380/2023"),
        # 30.11.2025 + 3 months = 28.2.2026 (no 30th/31st in February), a Saturday -> Fri 27.2.2026.
        (D(2025, 11, 30), D(2026, 2, 27), "380/2023"),
        # 6.1.2026 + 3 months = Mon 6.4.2026, Easter Monday; Sun 5, Sat 4, Good Friday 3 are off -> Thu 2.4.
        (D(2026, 1, 6), D(2026, 4, 2), "380/2023"),
        # 15.1.2026 + 3 months = Wed 15.4.2026, a working day.
        (D(2026, 1, 15), D(2026, 4, 15), "380/2023"),
        # 19.3.2026 + 3 months = Fri 19.6.2026, Midsummer Eve (off) -> Thu 18.6.2026.
        (D(2026, 3, 19), D(2026, 6, 18), "380/2023"),
    ],
)
def test_next_job_search_discussion_never_exceeds_the_interval(
    rules: RuleBook, last: dt.date, due: dt.date, source_part: str
) -> None:
    result = next_job_search_discussion_due(last=last, rules=rules)
    assert result.due == due
    assert source_part in result.rules[0].source
    assert ("moved" in result.explanation) == (due.day != last.day)


def test_no_job_search_discussion_rule_before_the_nordic_model(rules: RuleBook) -> None:
    with pytest.raises(RuleNotInForceError):
        next_job_search_discussion_due(last=D(2022, 5, 1), rules=rules)


# -------------------------------------------------------------------------- supplementary discussions


def test_supplementary_schedule_with_easter_and_saturdays(rules: RuleBook) -> None:
    # Spell starts Fri 4.4.2025. Phase 1 (months 0–3, until 4.7.2025): every 2 weeks from the start:
    # 18.4 is Good Friday -> Thu 17.4; 2.5, 16.5, 30.5, 13.6, 27.6 are working Fridays; 11.7 is past 4.7.
    # Phase 2 (months 6–7, 4.10.–3.11.2025, two discussions): 18.10 is a Saturday -> Fri 17.10;
    # 1.11 is a Saturday (All Saints' Day) -> Fri 31.10.
    result = supplementary_discussion_schedule(spell_start=D(2025, 4, 4), rules=rules)
    assert result.mode == "fixed"
    assert [(d.phase, d.due) for d in result.discussions] == [
        (1, D(2025, 4, 17)),
        (1, D(2025, 5, 2)),
        (1, D(2025, 5, 16)),
        (1, D(2025, 5, 30)),
        (1, D(2025, 6, 13)),
        (1, D(2025, 6, 27)),
        (2, D(2025, 10, 17)),
        (2, D(2025, 10, 31)),
    ]
    assert result.discussions[0].nominal == D(2025, 4, 18)
    assert result.not_required == ()
    assert [r.source for r in result.rules] == ["Laki työvoimapalvelujen järjestämisestä 380/2023"]


def test_intensive_period_after_1_1_2026_is_not_required(rules: RuleBook) -> None:
    # Spell starts Mon 1.9.2025: phase 1 on Mondays 15.9, 29.9, 13.10, 27.10, 10.11, 24.11 (8.12 is past
    # 1.12). The intensive period starts 1.3.2026 (15.3, 29.3), when no fixed schedule is in force.
    result = supplementary_discussion_schedule(spell_start=D(2025, 9, 1), rules=rules)
    assert [d.due for d in result.discussions] == [
        D(2025, 9, 15),
        D(2025, 9, 29),
        D(2025, 10, 13),
        D(2025, 10, 27),
        D(2025, 11, 10),
        D(2025, 11, 24),
    ]
    assert result.not_required == (D(2026, 3, 15), D(2026, 3, 29))
    assert {r.effective_from for r in result.rules} == {D(2025, 1, 1), D(2026, 1, 1)}


def test_schedule_is_cut_at_the_change_date(rules: RuleBook) -> None:
    # Spell starts Mon 1.12.2025: 15.12 and 29.12.2025 fall under the fixed schedule; 12.1, 26.1, 9.2,
    # 23.2.2026 (phase 1 ends before 1.3.2026) and 15.6, 29.6.2026 (intensive period) do not.
    result = supplementary_discussion_schedule(spell_start=D(2025, 12, 1), rules=rules)
    assert [d.due for d in result.discussions] == [D(2025, 12, 15), D(2025, 12, 29)]
    assert result.not_required == (
        D(2026, 1, 12),
        D(2026, 1, 26),
        D(2026, 2, 9),
        D(2026, 2, 23),
        D(2026, 6, 15),
        D(2026, 6, 29),
    )


def test_no_fixed_schedule_for_spells_starting_in_2026(rules: RuleBook) -> None:
    result = supplementary_discussion_schedule(spell_start=D(2026, 1, 1), rules=rules)
    assert result.mode == "by_service_need"
    assert result.discussions == ()
    assert result.not_required == ()
    assert "HE 108/2025" in result.rules[0].source


# The intensive period at six months runs from the spell start + 6 months up to and including the spell start
# + 7 months (a period in months, Laki 150/1930: the day with the same number, or the month's last day).
# When it falls in a February of 28 days both of its discussions (two and four weeks in) must still fall in
# it; an exclusive end used to drop the second one.
@pytest.mark.parametrize(
    ("spell_start", "intensive"),
    [
        # Wed 31.7.2024 + 6 months = Fri 31.1.2025, + 7 months = Fri 28.2.2025 (no 31.2): Fri 14.2, Fri 28.2.
        (D(2024, 7, 31), [(D(2025, 2, 14), D(2025, 2, 14)), (D(2025, 2, 28), D(2025, 2, 28))]),
        # Thu 1.8.2024: 1.2.–1.3.2025; Sat 15.2 -> Fri 14.2, Sat 1.3 -> Fri 28.2.
        (D(2024, 8, 1), [(D(2025, 2, 15), D(2025, 2, 14)), (D(2025, 3, 1), D(2025, 2, 28))]),
        # Sun 31.7.2022 (the old law): 31.1.–28.2.2023; Tue 14.2, Tue 28.2.
        (D(2022, 7, 31), [(D(2023, 2, 14), D(2023, 2, 14)), (D(2023, 2, 28), D(2023, 2, 28))]),
        # Mon 31.7.2023, leap year: 31.1.–29.2.2024; Wed 14.2, Wed 28.2.
        (D(2023, 7, 31), [(D(2024, 2, 14), D(2024, 2, 14)), (D(2024, 2, 28), D(2024, 2, 28))]),
        # Tue 1.8.2023, leap year: 1.2.–1.3.2024; Thu 15.2, Thu 29.2.
        (D(2023, 8, 1), [(D(2024, 2, 15), D(2024, 2, 15)), (D(2024, 2, 29), D(2024, 2, 29))]),
        # Thu 31.8.2023 + 6 months = Thu 29.2.2024 (leap day), + 7 = 31.3.2024: Thu 14.3, Thu 28.3 (Maundy
        # Thursday is a working day; Good Friday is 29.3).
        (D(2023, 8, 31), [(D(2024, 3, 14), D(2024, 3, 14)), (D(2024, 3, 28), D(2024, 3, 28))]),
        # Sat 31.8.2024 + 6 months = Fri 28.2.2025: Fri 14.3, Fri 28.3.2025.
        (D(2024, 8, 31), [(D(2025, 3, 14), D(2025, 3, 14)), (D(2025, 3, 28), D(2025, 3, 28))]),
        # Mon 10.6.2024: 10.12.2024–10.1.2025; Tue 24.12 is Christmas Eve (off) -> Mon 23.12; Tue 7.1.2025.
        (D(2024, 6, 10), [(D(2024, 12, 24), D(2024, 12, 23)), (D(2025, 1, 7), D(2025, 1, 7))]),
        # Sun 23.6.2024: 23.12.2024–23.1.2025; Mon 6.1.2025 is Epiphany -> Fri 3.1; Mon 20.1.2025.
        (D(2024, 6, 23), [(D(2025, 1, 6), D(2025, 1, 3)), (D(2025, 1, 20), D(2025, 1, 20))]),
    ],
)
def test_intensive_period_keeps_two_discussions_at_month_ends(
    rules: RuleBook, spell_start: dt.date, intensive: list[tuple[dt.date, dt.date]]
) -> None:
    result = supplementary_discussion_schedule(spell_start=spell_start, rules=rules)
    phase2 = [(d.nominal, d.due) for d in result.discussions if d.phase == 2]
    assert phase2 == intensive
    assert len([d for d in result.discussions if d.phase == 1]) == 6
    assert result.not_required == ()


@pytest.mark.parametrize(
    ("spell_start", "first_three"),
    [
        # Wed 29.1.2025: the first 3 months run to 29.4.2025; Wed 12.2, 26.2, 12.3 ... six in all.
        (D(2025, 1, 29), [D(2025, 2, 12), D(2025, 2, 26), D(2025, 3, 12)]),
        # Thu 30.1.2025 -> 30.4.2025: 13.2, 27.2, 13.3.
        (D(2025, 1, 30), [D(2025, 2, 13), D(2025, 2, 27), D(2025, 3, 13)]),
        # Fri 31.1.2025 -> 30.4.2025: 14.2, 28.2, 14.3; the sixth, Fri 25.4, is inside the period.
        (D(2025, 1, 31), [D(2025, 2, 14), D(2025, 2, 28), D(2025, 3, 14)]),
        # Wed 1.2.2023 -> 1.5.2023 (89 days, the shortest three months): 15.2, 1.3, 15.3; the sixth is 26.4.
        (D(2023, 2, 1), [D(2023, 2, 15), D(2023, 3, 1), D(2023, 3, 15)]),
    ],
)
def test_first_three_months_over_february(
    rules: RuleBook, spell_start: dt.date, first_three: list[dt.date]
) -> None:
    schedule = supplementary_discussion_schedule(spell_start=spell_start, rules=rules)
    phase1 = [d.due for d in schedule.discussions if d.phase == 1]
    assert phase1[:3] == first_three
    assert len(phase1) == 6
    assert phase1[-1] <= add_months(spell_start, 3)


def test_supplementary_schedule_on_both_sides_of_2_5_2022_and_1_1_2026(rules: RuleBook) -> None:
    # Sun 1.5.2022: no Nordic-model rule is in force on the spell start.
    with pytest.raises(RuleNotInForceError):
        supplementary_discussion_schedule(spell_start=D(2022, 5, 1), rules=rules)
    # Mon 2.5.2022: Mondays 16.5 ... 25.7; intensive period 2.11.–2.12.2022: Wed 16.11, Wed 30.11.
    first = supplementary_discussion_schedule(spell_start=D(2022, 5, 2), rules=rules)
    assert [d.due for d in first.discussions] == [
        D(2022, 5, 16),
        D(2022, 5, 30),
        D(2022, 6, 13),
        D(2022, 6, 27),
        D(2022, 7, 11),
        D(2022, 7, 25),
        D(2022, 11, 16),
        D(2022, 11, 30),
    ]
    assert "916/2012" in first.rules[0].source
    # Wed 31.12.2025: the schedule in force on the start is fixed, but every planned date is in 2026.
    last = supplementary_discussion_schedule(spell_start=D(2025, 12, 31), rules=rules)
    assert last.mode == "fixed"
    assert last.discussions == ()
    assert last.not_required[0] == D(2026, 1, 14)
    assert len(last.not_required) == 8


@pytest.mark.parametrize(
    ("last", "due"),
    [
        # Fri 29.11.2024 + 3 months = Fri 28.2.2025 (2025 has no 29.2).
        (D(2024, 11, 29), D(2025, 2, 28)),
        # Thu 30.11.2023 + 3 months = Thu 29.2.2024 (leap day).
        (D(2023, 11, 30), D(2024, 2, 29)),
        # Mon 30.11.2026 + 3 months = Sun 28.2.2027 -> Fri 26.2.2027.
        (D(2026, 11, 30), D(2027, 2, 26)),
        # Wed 31.12.2025 (rule of 2025) + 3 months = Tue 31.3.2026.
        (D(2025, 12, 31), D(2026, 3, 31)),
        # Tue 6.10.2026 + 3 months = Wed 6.1.2027, Epiphany -> Tue 5.1.2027.
        (D(2026, 10, 6), D(2027, 1, 5)),
    ],
)
def test_job_search_discussion_at_month_ends(rules: RuleBook, last: dt.date, due: dt.date) -> None:
    assert next_job_search_discussion_due(last=last, rules=rules).due == due


@pytest.mark.parametrize(
    ("status_start", "on", "months", "applications"),
    [
        # Fully laid off from 30.11.2025: three full months on 28.2.2026 (no 30.2), when the default starts.
        (D(2025, 11, 30), D(2026, 2, 27), 2, 0),
        (D(2025, 11, 30), D(2026, 2, 28), 3, 4),
        # From 30.11.2023 in a leap year: three months are full on 29.2.2024, not on 28.2.
        (D(2023, 11, 30), D(2024, 2, 28), 2, 0),
        (D(2023, 11, 30), D(2024, 2, 29), 3, 4),
        # From 31.1.2026: one full month on 28.2.2026, three on 30.4.2026.
        (D(2026, 1, 31), D(2026, 4, 29), 2, 0),
        (D(2026, 1, 31), D(2026, 4, 30), 3, 4),
    ],
)
def test_laid_off_obligation_at_month_ends(
    rules: RuleBook, status_start: dt.date, on: dt.date, months: int, applications: int
) -> None:
    result = job_search_obligation(
        status=ObligationStatus.FULLY_LAID_OFF, on=on, status_start=status_start, rules=rules
    )
    assert (result.months_in_status, result.applications) == (months, applications)


# ---------------------------------------------------------------------------- job-search obligation


def test_default_obligation_and_individual_range(rules: RuleBook) -> None:
    result = job_search_obligation(status=ObligationStatus.UNEMPLOYED, on=D(2025, 6, 2), rules=rules)
    assert (result.applications, result.per_months, result.min_job_duration_days) == (4, 1, 14)
    reduced = job_search_obligation(
        status=ObligationStatus.UNEMPLOYED, on=D(2025, 6, 2), individual_applications=2, rules=rules
    )
    assert reduced.applications == 2
    assert "job_search_obligation.max_applications_per_month" in {r.rule_id for r in reduced.rules}
    with pytest.raises(ValueError, match="0–4 applications per month"):
        job_search_obligation(
            status=ObligationStatus.UNEMPLOYED, on=D(2025, 6, 2), individual_applications=5, rules=rules
        )


@pytest.mark.parametrize(
    ("status", "start", "on", "months", "applications", "per_months"),
    [
        # Laid off fully from 15.1.2026: 14.4.2026 is two full months in (15.4 would be three).
        (ObligationStatus.FULLY_LAID_OFF, D(2026, 1, 15), D(2026, 4, 14), 2, 0, 1),
        (ObligationStatus.FULLY_LAID_OFF, D(2026, 1, 15), D(2026, 4, 15), 3, 4, 1),
        # Laid off partly from 1.2.2025: none until 30.4.2025, then 1 per 3 months from 1.5.2025.
        (ObligationStatus.PARTLY_LAID_OFF, D(2025, 2, 1), D(2025, 4, 30), 2, 0, 3),
        (ObligationStatus.PARTLY_LAID_OFF, D(2025, 2, 1), D(2025, 5, 1), 3, 1, 3),
        (ObligationStatus.PART_TIME_WORKER, D(2025, 2, 1), D(2025, 2, 1), 0, 1, 3),
        (ObligationStatus.SELF_MOTIVATED_STUDY, D(2022, 5, 2), D(2023, 1, 31), 8, 3, 3),
    ],
)
def test_reduced_obligations_by_status(
    rules: RuleBook,
    status: ObligationStatus,
    start: dt.date,
    on: dt.date,
    months: int,
    applications: int,
    per_months: int,
) -> None:
    result = job_search_obligation(status=status, on=on, status_start=start, rules=rules)
    assert result.months_in_status == months
    assert (result.applications, result.per_months) == (applications, per_months)
    assert f"job_search_obligation.{status.value}" in {r.rule_id for r in result.rules}


def test_reduced_status_needs_its_start(rules: RuleBook) -> None:
    with pytest.raises(ValueError, match="status_start is required"):
        job_search_obligation(status=ObligationStatus.PART_TIME_WORKER, on=D(2025, 6, 2), rules=rules)


def test_no_obligation_rule_before_the_nordic_model(rules: RuleBook) -> None:
    with pytest.raises(RuleNotInForceError):
        job_search_obligation(status=ObligationStatus.UNEMPLOYED, on=D(2022, 5, 1), rules=rules)


# --------------------------------------------------------------------------------------- sanctions


def test_first_omission_before_and_after_1_3_2026(rules: RuleBook) -> None:
    before = sanction_for_omission(on=D(2026, 2, 28), rules=rules)
    after = sanction_for_omission(on=D(2026, 3, 1), rules=rules)
    assert (before.omission_number, before.kind, before.benefit_free_days) == (1, SanctionKind.REMINDER, None)
    assert (after.omission_number, after.kind, after.benefit_free_days) == (
        1,
        SanctionKind.BENEFIT_FREE_PERIOD,
        7,
    )
    assert "HE 108/2025" in after.rules[-1].source


@pytest.mark.parametrize(
    ("earlier", "number", "kind", "days"),
    [
        # 28.2.2025 is before the 12-month window that starts 1.3.2025: still the first omission.
        ((D(2025, 2, 28),), 1, SanctionKind.BENEFIT_FREE_PERIOD, 7),
        # 1.3.2025 is inside the window: the second omission.
        ((D(2025, 3, 1),), 2, SanctionKind.BENEFIT_FREE_PERIOD, 7),
        ((D(2025, 6, 1), D(2025, 9, 1)), 3, SanctionKind.BENEFIT_FREE_PERIOD, 14),
        ((D(2025, 6, 1), D(2025, 8, 1), D(2025, 9, 1)), 4, SanctionKind.EMPLOYMENT_REQUIREMENT, None),
        (tuple(D(2025, m, 1) for m in range(4, 10)), 7, SanctionKind.EMPLOYMENT_REQUIREMENT, None),
    ],
)
def test_further_omissions_count_within_the_window(
    rules: RuleBook, earlier: tuple[dt.date, ...], number: int, kind: SanctionKind, days: int | None
) -> None:
    result = sanction_for_omission(on=D(2026, 3, 1), earlier_omissions=earlier, rules=rules)
    assert (result.omission_number, result.kind, result.benefit_free_days) == (number, kind, days)
    if number > 1:
        # The steps for further omissions are unverified configuration, and the result says so.
        assert any(r.unverified for r in result.rules if r.rule_id == "sanction.further_omissions")


def test_earlier_omission_after_the_judged_one_is_refused(rules: RuleBook) -> None:
    with pytest.raises(ValueError, match="must not be after"):
        sanction_for_omission(on=D(2026, 3, 1), earlier_omissions=(D(2026, 3, 2),), rules=rules)


# ------------------------------------------------------------------------------------- 3-month goal


def test_three_month_goal_from_the_area_rules(rules: RuleBook) -> None:
    result = three_month_goal(spell_start=D(2025, 1, 15), rules=rules)
    assert result.due == D(2025, 4, 15)
    assert result.rules[0].layer == "satakunta"
    # 30.11.2025 + 3 months = 28.2.2026; a goal date is a calendar date and is not moved off weekends.
    assert three_month_goal(spell_start=D(2025, 11, 30), rules=rules).due == D(2026, 2, 28)


def test_three_month_goal_starts_with_the_area(rules: RuleBook) -> None:
    with pytest.raises(RuleNotInForceError):
        three_month_goal(spell_start=D(2024, 12, 31), rules=rules)
    with pytest.raises(UnknownRuleError):
        three_month_goal(spell_start=D(2025, 1, 15), rules=load_rules(NATIONAL))


# ------------------------------------------------------------------------------------------ helpers


def test_helpers() -> None:
    assert full_months_between(D(2025, 1, 31), D(2025, 2, 28)) == 1
    assert full_months_between(D(2025, 1, 31), D(2025, 2, 27)) == 0
    assert full_months_between(D(2025, 1, 15), D(2026, 1, 14)) == 11
    with pytest.raises(ValueError, match="before"):
        full_months_between(D(2025, 2, 1), D(2025, 1, 31))
    # Sun 26.12.2021 <- Sat 25 <- Fri 24 (Christmas Eve) -> Thu 23.12.2021.
    assert working_day_on_or_before(D(2021, 12, 26)) == D(2021, 12, 23)
    assert working_day_on_or_before(D(2025, 6, 2)) == D(2025, 6, 2)
