"""Statutory and strategic deadlines of casework, computed with the rules in force on the relevant date.

Every function takes keyword-only arguments and an optional ``rules`` book (default: the configured
area's, see :func:`alue.area.rules.load_rules`). Results carry the :class:`~alue.area.rules.RuleRef` of
each rule version used so that a page can show "according to which rule".

Which date decides the rule (documented in ``docs/rules.md``):

* initial interview (alkuhaastattelu — the first meeting after registering as a jobseeker): the rule in
  force on the **registration date**; a registration on 30.12.2025 keeps the 5-working-day deadline
  even though the 10-day rule starts on 1.1.2026;
* job-search discussion (työnhakukeskustelu): the rule in force on the previous discussion;
* supplementary discussions (täydentävät työnhakukeskustelut): the schedule in force on the spell's
  start, but a planned discussion whose date falls under a rule without a fixed schedule is dropped;
* job-search obligation (työnhakuvelvollisuus): the rules in force on the day asked about;
* sanction: the rules in force on the day of the omission;
* the area's 3-month goal (R-D4): the rule in force on the start of the unemployment spell.

Deadlines that fall on a weekend or a public holiday move to the *previous* working day where the law
says "at least every …" (discussions), so that the interval is never exceeded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from alue.area.rules import (
    DiscussionSchedule,
    ObligationStep,
    RuleBook,
    RuleNotInForceError,
    RuleRef,
    RuleVersion,
    Sanction,
    SanctionKind,
    SanctionStep,
    load_rules,
)
from alue.casework.errors import CaseworkError
from alue.shared.time import ONE_DAY, add_months, add_working_days, is_working_day

INITIAL_INTERVIEW = "initial_interview.deadline_working_days"
JOB_SEARCH_DISCUSSION = "job_search_discussion.interval_months"
SUPPLEMENTARY_SCHEDULE = "supplementary_discussions.schedule"
OBLIGATION_DEFAULT = "job_search_obligation.default_applications_per_month"
OBLIGATION_MIN = "job_search_obligation.min_applications_per_month"
OBLIGATION_MAX = "job_search_obligation.max_applications_per_month"
OBLIGATION_MIN_JOB_DAYS = "job_search_obligation.min_job_duration_days"
FIRST_OMISSION = "sanction.first_omission"
FURTHER_OMISSIONS = "sanction.further_omissions"
OMISSION_WINDOW = "sanction.omission_count_window_months"
GOAL_MONTHS = "initial_services.goal_months"


class ObligationError(CaseworkError, ValueError):
    """An individually set job-search obligation outside the range in force."""


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class Deadline(_Result):
    """A due date counted from ``basis`` with the rule versions used."""

    kind: str
    basis: dt.date
    due: dt.date
    rules: tuple[RuleRef, ...]
    explanation: str


class ScheduledDiscussion(_Result):
    phase: int
    #: the date the schedule gives before moving off weekends and holidays
    nominal: dt.date
    due: dt.date


class SupplementarySchedule(_Result):
    spell_start: dt.date
    mode: str
    discussions: tuple[ScheduledDiscussion, ...]
    #: planned dates dropped because a rule without a fixed schedule is in force on them
    not_required: tuple[dt.date, ...]
    rules: tuple[RuleRef, ...]


class ObligationStatus(StrEnum):
    """The jobseeker's situation that determines the job-search obligation."""

    UNEMPLOYED = "unemployed"
    #: kokoaikaisesti lomautettu
    FULLY_LAID_OFF = "fully_laid_off"
    #: osa-aikaisesti lomautettu / lyhennetty työviikko
    PARTLY_LAID_OFF = "partly_laid_off"
    #: osa-aikatyötä tekevä
    PART_TIME_WORKER = "part_time_worker"
    #: omaehtoinen opiskelu työttömyysetuudella
    SELF_MOTIVATED_STUDY = "self_motivated_study"


class Obligation(_Result):
    status: ObligationStatus
    on: dt.date
    #: full months in the status on ``on`` (None for an unemployed jobseeker)
    months_in_status: int | None
    applications: int
    per_months: int
    #: only jobs lasting at least this many calendar days count
    min_job_duration_days: int
    rules: tuple[RuleRef, ...]
    explanation: str


class SanctionResult(_Result):
    on: dt.date
    #: 1 for the first omission within the counting window
    omission_number: int
    kind: SanctionKind
    benefit_free_days: int | None
    rules: tuple[RuleRef, ...]
    explanation: str


def _book(rules: RuleBook | None) -> RuleBook:
    return rules if rules is not None else load_rules()


def _refs(*versions: RuleVersion) -> tuple[RuleRef, ...]:
    seen: dict[tuple[str, dt.date, str], RuleRef] = {}
    for version in versions:
        seen.setdefault((version.rule_id, version.effective_from, version.layer), version.ref())
    return tuple(seen.values())


def working_day_on_or_before(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def full_months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (31.1. → 28.2. is one month)."""
    if end < start:
        raise ValueError(f"{end} is before {start}")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def _fi(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


# ---------------------------------------------------------------------------------------- deadlines


def initial_interview_due(*, registered: dt.date, rules: RuleBook | None = None) -> Deadline:
    """Due date of the initial interview: N working days after registration, N in force on that day."""
    version = _book(rules).in_force(INITIAL_INTERVIEW, registered)
    days: int = version.value
    due = add_working_days(registered, days)
    return Deadline(
        kind="initial_interview",
        basis=registered,
        due=due,
        rules=_refs(version),
        explanation=(
            f"{days} working days after registration on {_fi(registered)} "
            f"(rule in force on the registration date, from {_fi(version.effective_from)})"
        ),
    )


def next_job_search_discussion_due(*, last: dt.date, rules: RuleBook | None = None) -> Deadline:
    """Latest date of the next job-search discussion after the one held on ``last``.

    ``last`` is the previous discussion (or the initial interview). The interval in months is taken from
    the rule in force on ``last``; a due date on a day off moves back to the previous working day.
    """
    version = _book(rules).in_force(JOB_SEARCH_DISCUSSION, last)
    months: int = version.value
    nominal = add_months(last, months)
    due = working_day_on_or_before(nominal)
    moved = "" if due == nominal else f", moved from {_fi(nominal)} to the previous working day"
    return Deadline(
        kind="job_search_discussion",
        basis=last,
        due=due,
        rules=_refs(version),
        explanation=f"{months} months after the discussion on {_fi(last)}{moved}",
    )


def supplementary_discussion_schedule(
    *, spell_start: dt.date, rules: RuleBook | None = None
) -> SupplementarySchedule:
    """The supplementary discussions due for an unemployment spell starting on ``spell_start``.

    Each phase of the schedule in force on the spell start gives discussions every ``interval_weeks``
    from the phase start (``from_month`` months after the spell start) up to and including the phase's
    last day (``until_month`` months after the spell start), at most ``count``. A discussion on a day
    off moves to the previous working day. A planned date on which the rule in force has no fixed
    schedule (from 1.1.2026) is listed in ``not_required`` instead.
    """
    book = _book(rules)
    start_version = book.in_force(SUPPLEMENTARY_SCHEDULE, spell_start)
    schedule: DiscussionSchedule = start_version.value
    used = [start_version]
    discussions: list[ScheduledDiscussion] = []
    not_required: list[dt.date] = []
    for index, phase in enumerate(schedule.phases, start=1):
        phase_start = add_months(spell_start, phase.from_month)
        # The phase's last day, counted as a period in months (Laki säädettyjen määräaikain
        # laskemisesta 150/1930): the day with the same number, or the month's last day when there is
        # none. It is part of the period: a one-month intensive period from 1.2.2025 runs to 1.3.2025, one
        # from 31.1.2025 to 28.2.2025, so both hold their two discussions two and four weeks in.
        phase_last = add_months(spell_start, phase.until_month)
        step = 1
        while phase.count is None or step <= phase.count:
            nominal = phase_start + dt.timedelta(weeks=phase.interval_weeks * step)
            if nominal > phase_last:
                break
            step += 1
            try:
                on_date = book.in_force(SUPPLEMENTARY_SCHEDULE, nominal)
            except RuleNotInForceError:
                not_required.append(nominal)
                continue
            used.append(on_date)
            if on_date.value.mode != "fixed":
                not_required.append(nominal)
                continue
            discussions.append(
                ScheduledDiscussion(phase=index, nominal=nominal, due=working_day_on_or_before(nominal))
            )
    return SupplementarySchedule(
        spell_start=spell_start,
        mode=schedule.mode,
        discussions=tuple(discussions),
        not_required=tuple(not_required),
        rules=_refs(*used),
    )


def job_search_obligation(
    *,
    status: ObligationStatus,
    on: dt.date,
    status_start: dt.date | None = None,
    individual_applications: int | None = None,
    rules: RuleBook | None = None,
) -> Obligation:
    """The job-search obligation on ``on`` for a jobseeker in ``status`` since ``status_start``.

    ``individual_applications`` is an individually set monthly obligation; it must lie within the
    range in force and replaces the default wherever the default applies (not the reduced obligations
    of laid-off people, part-time workers and students, which the law sets).
    """
    book = _book(rules)
    default = book.in_force(OBLIGATION_DEFAULT, on)
    min_job = book.in_force(OBLIGATION_MIN_JOB_DAYS, on)
    used: list[RuleVersion] = [min_job]
    months: int | None = None
    step: ObligationStep | None = None
    if status is not ObligationStatus.UNEMPLOYED:
        if status_start is None:
            raise ValueError(f"status_start is required for status {status.value}")
        months = full_months_between(status_start, on)
        steps_version = book.in_force(f"job_search_obligation.{status.value}", on)
        used.append(steps_version)
        for row in steps_version.value:
            if row.from_month <= months:
                step = row
    if step is not None and step.applications is not None:
        applications, per_months = step.applications, step.per_months
        explanation = (
            f"{applications} application(s) per {per_months} month(s) for status {status.value} "
            f"after {months} full month(s)"
        )
    else:
        used.append(default)
        applications, per_months = default.value, 1
        explanation = f"default obligation of {applications} application(s) per month"
        if individual_applications is not None:
            low = book.in_force(OBLIGATION_MIN, on)
            high = book.in_force(OBLIGATION_MAX, on)
            used.extend((low, high))
            if not low.value <= individual_applications <= high.value:
                raise ObligationError(
                    "an individual obligation must be %(low)s–%(high)s applications per month on %(on)s, "
                    "not %(given)s",
                    low=low.value,
                    high=high.value,
                    on=_fi(on),
                    given=individual_applications,
                )
            applications = individual_applications
            explanation = f"individually set obligation of {applications} application(s) per month"
    return Obligation(
        status=status,
        on=on,
        months_in_status=months,
        applications=applications,
        per_months=per_months,
        min_job_duration_days=min_job.value,
        rules=_refs(*used),
        explanation=explanation,
    )


def sanction_for_omission(
    *, on: dt.date, earlier_omissions: Sequence[dt.date] = (), rules: RuleBook | None = None
) -> SanctionResult:
    """The consequence of an omission of the job-search obligation on ``on``.

    Earlier omissions count when they fall within the counting window (months, rule in force on ``on``)
    before ``on``; the first counted omission gets ``sanction.first_omission``, later ones the row of
    ``sanction.further_omissions`` for their number.
    """
    book = _book(rules)
    if any(day > on for day in earlier_omissions):
        raise ValueError("earlier omissions must not be after the omission judged")
    window = book.in_force(OMISSION_WINDOW, on)
    window_start = add_months(on, -window.value)
    number = 1 + sum(1 for day in earlier_omissions if window_start <= day)
    if number == 1:
        version = book.in_force(FIRST_OMISSION, on)
        sanction: Sanction = version.value
    else:
        version = book.in_force(FURTHER_OMISSIONS, on)
        rows: list[SanctionStep] = version.value
        sanction = next(row for row in reversed(rows) if row.omission <= number)
    if sanction.kind is SanctionKind.BENEFIT_FREE_PERIOD:
        text = f"{sanction.benefit_free_days}-day benefit-free period"
    else:
        text = sanction.kind.value.replace("_", " ")
    return SanctionResult(
        on=on,
        omission_number=number,
        kind=sanction.kind,
        benefit_free_days=sanction.benefit_free_days,
        rules=_refs(window, version),
        explanation=f"omission number {number} within {window.value} months: {text}",
    )


def three_month_goal(*, spell_start: dt.date, rules: RuleBook | None = None) -> Deadline:
    """The date by which the area aims at a job, training or the right service (R-D4).

    A calendar date (the goal is met by an event, which may fall on any day), counted from the start of
    the unemployment spell with the rule in force on that day.
    """
    version = _book(rules).in_force(GOAL_MONTHS, spell_start)
    months: int = version.value
    due = add_months(spell_start, months)
    return Deadline(
        kind="initial_services_goal",
        basis=spell_start,
        due=due,
        rules=_refs(version),
        explanation=f"{months} months after the start of unemployment on {_fi(spell_start)}",
    )
