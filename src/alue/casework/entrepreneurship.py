"""Entrepreneurship as a path to employment (strategy priority 2, R-A5): start-up grant (starttiraha)
applications and decisions, and firms founded by jobseekers.

A decision on a start-up grant is an exercise of public authority: a municipal official needs a valid
delegation naming ``DelegatedTask.STARTUP_GRANT_DECISION`` (R-C5); staff transferred from the state hold it
by law. The delegation relied on is stored with the decision.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from alue.casework import transitions
from alue.casework.authority import require_delegation
from alue.casework.errors import CaseworkError
from alue.casework.journey_models import StartupGrantApplication, StartupGrantStatus
from alue.employers.models import Employer
from alue.people.models import JobseekingSpell, Person
from alue.shared.db import covers
from alue.shared.time import DateRange
from alue.staff.models import DelegatedTask

G = StartupGrantStatus


class EntrepreneurshipError(CaseworkError, ValueError):
    """A start-up grant step cannot be taken as asked."""


def _fi(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def apply_startup_grant(
    *, session: Session, person_id: int, on: dt.date, business_idea: str, staff_id: int | None = None
) -> StartupGrantApplication:
    """Record a start-up grant application (linked to the jobseeking spell open on the day, if any)."""
    person = session.get(Person, person_id)
    if person is None:
        raise EntrepreneurshipError("no person with id %(id)s", id=person_id)
    if not business_idea.strip():
        raise EntrepreneurshipError("describe the business idea")
    pending = session.scalar(
        select(StartupGrantApplication.id).where(
            StartupGrantApplication.person_id == person_id,
            StartupGrantApplication.status == G.SUBMITTED.value,
        )
    )
    if pending is not None:
        raise EntrepreneurshipError("application %(id)s is still waiting for a decision", id=pending)
    spell_id = session.scalar(
        select(JobseekingSpell.id).where(
            JobseekingSpell.person_id == person_id,
            covers(JobseekingSpell.start_date, JobseekingSpell.end_date, on),
        )
    )
    application = StartupGrantApplication(
        person_id=person_id,
        spell_id=spell_id,
        municipality_code=person.home_municipality_code,
        business_idea=business_idea.strip(),
        applied_on=on,
        status=G.SUBMITTED,
        handled_by_staff_id=staff_id,
    )
    session.add(application)
    session.flush()
    return application


def _application(session: Session, application_id: int) -> StartupGrantApplication:
    application = session.get(StartupGrantApplication, application_id)
    if application is None:
        raise EntrepreneurshipError("no start-up grant application with id %(id)s", id=application_id)
    return application


def decide_startup_grant(
    *,
    session: Session,
    application_id: int,
    on: dt.date,
    granted: bool,
    staff_id: int,
    reason: str,
    grant_start: dt.date | None = None,
    grant_end: dt.date | None = None,
) -> StartupGrantApplication:
    """Decide an application (granted or rejected); the decider needs the authority (R-C5)."""
    application = _application(session, application_id)
    target = G.GRANTED if granted else G.REJECTED
    transitions.require(
        transitions.STARTUP_GRANT_TRANSITIONS,
        current=G(application.status),
        target=target,
        what=f"start-up grant application {application.id}",
    )
    delegation = require_delegation(
        session, staff_id=staff_id, task=DelegatedTask.STARTUP_GRANT_DECISION, on=on
    )
    if on < application.applied_on:
        raise EntrepreneurshipError(
            "the decision cannot precede the application (%(on)s)", on=_fi(application.applied_on)
        )
    if not reason.strip():
        raise EntrepreneurshipError("a decision states its reasons")
    if granted:
        if grant_start is None:
            raise EntrepreneurshipError("a granted start-up grant needs its start date")
        if grant_end is not None and grant_end < grant_start:
            raise EntrepreneurshipError("the grant period ends before it starts")
    application.status = target
    application.decided_on = on
    application.decided_by_staff_id = staff_id
    application.delegation_id = delegation.id if delegation is not None else None
    application.decision_reason = reason.strip()
    application.grant_start = grant_start if granted else None
    application.grant_end = grant_end if granted else None
    session.flush()
    return application


def withdraw_startup_grant(*, session: Session, application_id: int, on: dt.date) -> StartupGrantApplication:
    application = _application(session, application_id)
    transitions.require(
        transitions.STARTUP_GRANT_TRANSITIONS,
        current=G(application.status),
        target=G.WITHDRAWN,
        what=f"start-up grant application {application.id}",
    )
    application.status = G.WITHDRAWN
    application.decided_on = on
    session.flush()
    return application


def record_firm(
    *, session: Session, person_id: int, employer_id: int, application_id: int | None = None
) -> Employer:
    """Mark a firm as founded by the jobseeker (and link it to their start-up grant, if any)."""
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise EntrepreneurshipError("no employer with id %(id)s", id=employer_id)
    if employer.founded_by_person_id not in (None, person_id):
        raise EntrepreneurshipError(
            "%(name)s is already recorded as founded by another person", name=employer.name
        )
    employer.founded_by_person_id = person_id
    if application_id is not None:
        application = _application(session, application_id)
        if application.person_id != person_id:
            raise EntrepreneurshipError("the application is another person's")
        application.employer_id = employer_id
    session.flush()
    return employer


@dataclass
class EntrepreneurshipFigures:
    """Counts for a period, in total and by municipality (the scorecard reads these)."""

    period: DateRange
    applications: Counter[str] = field(default_factory=Counter)
    granted: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    firms_founded: Counter[str] = field(default_factory=Counter)
    #: firms whose founder was under the youth age limit on the founding day (R-A5: young people entering
    #: the labour market are followed)
    firms_founded_by_young: Counter[str] = field(default_factory=Counter)

    def total(self, name: str) -> int:
        counter: Counter[str] = getattr(self, name)
        return sum(counter.values())


def entrepreneurship_figures(
    *, session: Session, period: DateRange, youth_age_limit: int | None = None
) -> EntrepreneurshipFigures:
    """Start-up grant applications (by application day), decisions (by decision day) and firms founded by
    jobseekers (``Employer.founded_by_person_id``, by founding day and the firm's municipality)."""
    if period.end is None:
        raise ValueError("the period needs an end")
    if youth_age_limit is None:
        from alue.casework.service_lines import default_youth_age_limit

        youth_age_limit = default_youth_age_limit()
    figures = EntrepreneurshipFigures(period=period)

    def within(column):  # type: ignore[no-untyped-def]
        return and_(column >= period.start, column <= period.end)

    for code, status, applied, decided in session.execute(
        select(
            StartupGrantApplication.municipality_code,
            StartupGrantApplication.status,
            StartupGrantApplication.applied_on,
            StartupGrantApplication.decided_on,
        ).where(or_(within(StartupGrantApplication.applied_on), within(StartupGrantApplication.decided_on)))
    ):
        if period.includes(applied):
            figures.applications[code] += 1
        if decided is not None and period.includes(decided):
            if status == G.GRANTED:
                figures.granted[code] += 1
            elif status == G.REJECTED:
                figures.rejected[code] += 1
    for code, founded, birth in session.execute(
        select(Employer.municipality_code, Employer.founded_on, Person.birth_date)
        .join(Person, Person.id == Employer.founded_by_person_id)
        .where(Employer.founded_by_person_id.is_not(None), within(Employer.founded_on))
    ):
        figures.firms_founded[code] += 1
        assert founded is not None  # filtered to the period in SQL
        age = founded.year - birth.year - ((founded.month, founded.day) < (birth.month, birth.day))
        if age < youth_age_limit:
            figures.firms_founded_by_young[code] += 1
    return figures


def firms_founded_by_jobseekers(*, session: Session, period: DateRange) -> dict[str, int]:
    """Firms founded by jobseekers in the period, by the firm's municipality."""
    return dict(entrepreneurship_figures(session=session, period=period).firms_founded)
