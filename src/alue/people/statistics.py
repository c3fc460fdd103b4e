"""The month-end statistics definitions of the employment-service statistics (DOMAIN.md), computed from
jobseeking spells and status periods.

Two layers:

* ``Timeline`` classifies one person on one count day — the readable, testable definition;
* ``count_unemployed_by_municipality`` counts in SQL, for aggregates over a whole area.

Choices that DOMAIN.md leaves open are stated where they are made and in ``docs/statistics.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from alue.area.rules import RuleBook, load_rules
from alue.people.models import Person, Residence, Status, StatusPeriod
from alue.shared.db import covers
from alue.shared.time import DateRange, DateSet, add_months

#: A gap between two services of at most this many days, spent wholly unemployed, still counts as moving
#: "from service to service" (a choice DOMAIN.md leaves open; see docs/statistics.md).
SERVICE_GAP_MAX_DAYS = 30


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The statistics' thresholds in force on a day, from the versioned rules (``unemployment.*``)."""

    long_term_months: int
    recurrent_months: int
    recurrent_window_months: int
    after_service_months: int

    @classmethod
    def on(cls, day: dt.date, rules: RuleBook | None = None) -> Thresholds:
        book = rules or load_rules()
        return cls(
            long_term_months=int(book.value("unemployment.long_term_months", day)),
            recurrent_months=int(book.value("unemployment.structural_recurrent_months", day)),
            recurrent_window_months=int(book.value("unemployment.structural_window_months", day)),
            after_service_months=int(book.value("unemployment.structural_after_service_months", day)),
        )

    @property
    def recurrent_min_days(self) -> int:
        """ "Unemployed ≥ 12 of the last 16 months" is counted in days: 12 months ≈ 365 days."""
        return round(self.recurrent_months * 365 / 12)


@dataclass(frozen=True, slots=True)
class Period:
    status: Status
    start: dt.date
    end: dt.date | None

    @property
    def range(self) -> DateRange:
        return DateRange(self.start, self.end)


@dataclass(frozen=True, slots=True)
class DayClassification:
    unemployed: bool
    laid_off_full: bool
    shortened_week: bool
    in_service: bool
    long_term_unemployed: bool
    recurrently_unemployed: bool
    unemployed_after_service: bool
    service_to_service: bool
    unemployment_duration_days: int  # length of the current continuous unemployment, 0 if not unemployed

    @property
    def structurally_unemployed(self) -> bool:
        """Rakennetyöttömyys: long-term + recurrent + unemployed after a service + service to service."""
        return (
            self.long_term_unemployed
            or self.recurrently_unemployed
            or self.unemployed_after_service
            or self.service_to_service
        )


class Timeline:
    """One person's status periods (across all their spells), in date order."""

    def __init__(self, periods: Iterable[Period]) -> None:
        self.periods: tuple[Period, ...] = tuple(sorted(periods, key=lambda p: p.start))
        self._unemployed = DateSet(p.range for p in self.periods if p.status.counts_as_unemployed)
        self._service = DateSet(p.range for p in self.periods if p.status is Status.IN_SERVICE)

    def status_on(self, day: dt.date) -> Status | None:
        for period in self.periods:
            if period.range.includes(day):
                return period.status
        return None

    def _follows_service(self, day: dt.date) -> bool:
        services = [p for p in self.periods if p.status is Status.IN_SERVICE]
        current = next(i for i, p in enumerate(services) if p.range.includes(day))
        if current == 0:
            return False
        previous, this = services[current - 1], services[current]
        assert previous.end is not None
        gap_days = (this.start - previous.end).days - 1
        if gap_days <= 0:
            return True
        gap = DateRange(previous.end + dt.timedelta(days=1), this.start - dt.timedelta(days=1))
        unemployed_in_gap = self._unemployed.intersection(gap).total_days()
        return gap_days <= SERVICE_GAP_MAX_DAYS and unemployed_in_gap == gap_days

    def classify(self, day: dt.date, thresholds: Thresholds | None = None) -> DayClassification:
        limits = thresholds or Thresholds.on(day)
        status = self.status_on(day)
        unemployed = status is not None and status.counts_as_unemployed
        run = self._unemployed.range_containing(day) if unemployed else None
        # Long-term: one continuous run of unemployment (fully laid-off days included, adjacent periods
        # merged) that started at least 12 months before the count day.
        long_term = run is not None and run.start <= add_months(day, -limits.long_term_months)
        duration = (day - run.start).days + 1 if run is not None else 0

        window = DateRange(add_months(day, -limits.recurrent_window_months) + dt.timedelta(days=1), day)
        recurrent = (
            unemployed
            and not long_term
            and self._unemployed.intersection(window).total_days() >= limits.recurrent_min_days
        )

        # Unemployed after a service: the current unemployment run began the day after a service ended,
        # and that was no more than 12 months ago.
        after_service = False
        if run is not None and not long_term:
            before = run.start - dt.timedelta(days=1)
            after_service = self._service.includes(before) and run.start > add_months(
                day, -limits.after_service_months
            )

        # Service to service: in a service on the count day that followed an earlier service either
        # directly (two service periods back to back) or after at most 30 days spent wholly unemployed.
        service_to_service = False
        if status is Status.IN_SERVICE:
            service_to_service = self._follows_service(day)

        return DayClassification(
            unemployed=unemployed,
            laid_off_full=status is Status.LAID_OFF_FULL,
            shortened_week=status is Status.SHORTENED_WEEK,
            in_service=status is Status.IN_SERVICE,
            long_term_unemployed=long_term,
            recurrently_unemployed=recurrent,
            unemployed_after_service=after_service,
            service_to_service=service_to_service,
            unemployment_duration_days=duration,
        )


def is_young(birth_date: dt.date, day: dt.date, age_limit: int) -> bool:
    """Below ``age_limit`` on ``day`` (national statistics use 25; Satakunta's own line uses 30)."""
    age = day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    return age < age_limit


def count_unemployed_by_municipality(
    *, session: Session, day: dt.date, statuses: Sequence[Status] | None = None
) -> dict[str, int]:
    """Unemployed jobseekers on ``day`` by municipality of residence on that day (persons, not periods).

    A person without a residence row on that day is counted in their current home municipality.
    """
    wanted = [s.value for s in (statuses or [s for s in Status if s.counts_as_unemployed])]
    covering = and_(
        StatusPeriod.start_date <= day, or_(StatusPeriod.end_date.is_(None), StatusPeriod.end_date >= day)
    )
    residence = (
        select(Residence.municipality_code)
        .where(
            Residence.person_id == StatusPeriod.person_id,
            covers(Residence.start_date, Residence.end_date, day),
        )
        .order_by(Residence.start_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    municipality = func.coalesce(residence, Person.home_municipality_code)
    rows = session.execute(
        select(municipality.label("m"), func.count(func.distinct(StatusPeriod.person_id)))
        .join(Person, Person.id == StatusPeriod.person_id)
        .where(StatusPeriod.status.in_(wanted), covering)
        .group_by(municipality)
    )
    return {str(code): int(count) for code, count in rows}
