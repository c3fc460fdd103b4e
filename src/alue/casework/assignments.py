"""The responsible worker of each customer (R-E2: one clearly responsible party) and reassignment by team
leads. History is never rewritten: a reassignment ends the old row and starts a new one.

Dates are inclusive. A reassignment effective on day *D* ends the old assignment on *D − 1* and starts the
new one on *D*, so exactly one worker is responsible on every day. An assignment that started on *D* itself
(a same-day correction) is ended on the day before it started — it never took effect — and keeps its row
with ``end_reason`` saying so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from alue.casework.errors import CaseworkError
from alue.casework.models import CaseAssignment
from alue.people.models import Person
from alue.staff.models import ServiceLine, StaffMember, Team, TeamMembership

ONE_DAY = dt.timedelta(days=1)
NEVER_TOOK_EFFECT = "corrected on the day it started (never took effect)"


def _fi(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


class AssignmentError(CaseworkError, ValueError):
    """An assignment cannot be made or changed as asked; the message says why."""


def active_on(start: Any, end: Any, day: dt.date) -> ColumnElement[bool]:
    """``start <= day <= end`` with an open (NULL) end, as SQL; ``start``/``end`` are date columns."""
    return and_(start <= day, or_(end.is_(None), end >= day))


def responsible_on(*, session: Session, person_id: int, on: dt.date) -> CaseAssignment | None:
    """The assignment in force on ``on`` (the latest started, should data ever hold two)."""
    return session.scalar(
        select(CaseAssignment)
        .where(
            CaseAssignment.person_id == person_id,
            active_on(CaseAssignment.start_date, CaseAssignment.end_date, on),
        )
        .order_by(CaseAssignment.start_date.desc(), CaseAssignment.id.desc())
        .limit(1)
    )


def history(*, session: Session, person_id: int) -> list[CaseAssignment]:
    return list(
        session.scalars(
            select(CaseAssignment)
            .where(CaseAssignment.person_id == person_id)
            .order_by(CaseAssignment.start_date, CaseAssignment.id)
        )
    )


def teams_of(*, session: Session, staff_id: int, on: dt.date) -> list[Team]:
    return list(
        session.scalars(
            select(Team)
            .join(TeamMembership, TeamMembership.team_id == Team.id)
            .where(
                TeamMembership.staff_id == staff_id,
                active_on(TeamMembership.start_date, TeamMembership.end_date, on),
            )
            .order_by(Team.id)
        )
    )


def led_teams(*, session: Session, staff_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.lead_staff_id == staff_id).order_by(Team.id)))


def team_members(*, session: Session, team_id: int, on: dt.date) -> list[StaffMember]:
    return list(
        session.scalars(
            select(StaffMember)
            .join(TeamMembership, TeamMembership.staff_id == StaffMember.id)
            .where(
                TeamMembership.team_id == team_id,
                active_on(TeamMembership.start_date, TeamMembership.end_date, on),
            )
            .order_by(StaffMember.last_name, StaffMember.first_name)
        )
    )


def _staff(session: Session, staff_id: int) -> StaffMember:
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise AssignmentError("no staff member with id %(id)s", id=staff_id)
    return staff


def _end(row: CaseAssignment, *, on: dt.date, by: str, reason: str) -> None:
    if row.start_date >= on:
        row.end_date = row.start_date - ONE_DAY
        row.end_reason = f"{reason}; {NEVER_TOOK_EFFECT}" if reason else NEVER_TOOK_EFFECT
    else:
        row.end_date = on - ONE_DAY
        row.end_reason = reason
    row.ended_by = by


def assign(
    *,
    session: Session,
    person_id: int,
    staff_id: int,
    on: dt.date,
    service_line: ServiceLine | None = None,
    by: str = "",
    reason: str = "",
) -> CaseAssignment:
    """Make ``staff_id`` responsible from ``on``; an assignment in force is ended the day before."""
    if session.get(Person, person_id) is None:
        raise AssignmentError("no person with id %(id)s", id=person_id)
    staff = _staff(session, staff_id)
    if not staff.active:
        raise AssignmentError("%(name)s is not active", name=staff.name)
    line = service_line or ServiceLine(staff.service_line)
    if line in (ServiceLine.EMPLOYER_SERVICES, ServiceLine.ADMINISTRATION):
        raise AssignmentError(
            "a person customer cannot be assigned in the %(line)s line", line=line.value.replace("_", " ")
        )
    later = session.scalar(
        select(CaseAssignment).where(CaseAssignment.person_id == person_id, CaseAssignment.start_date > on)
    )
    if later is not None:
        raise AssignmentError(
            "an assignment starting %(start)s already exists; end it first", start=_fi(later.start_date)
        )
    current = responsible_on(session=session, person_id=person_id, on=on)
    if current is not None:
        if current.staff_id == staff_id and current.service_line == line:
            raise AssignmentError("%(name)s is already responsible for the customer", name=staff.name)
        _end(current, on=on, by=by, reason=reason or "reassigned")
    row = CaseAssignment(
        person_id=person_id,
        staff_id=staff_id,
        service_line=line,
        start_date=on,
        end_date=None,
        assigned_by=by,
    )
    session.add(row)
    session.flush()
    return row


def reassign(
    *,
    session: Session,
    person_id: int,
    to_staff_id: int,
    on: dt.date,
    by_staff_id: int,
    reason: str = "",
    service_line: ServiceLine | None = None,
) -> CaseAssignment:
    """A team lead moves a customer to another worker (R-E2). The lead must lead a team that the current
    responsible worker belongs to on ``on`` — or, for a customer without one, the new worker's team."""
    lead = _staff(session, by_staff_id)
    led = {t.id for t in led_teams(session=session, staff_id=lead.id)}
    current = responsible_on(session=session, person_id=person_id, on=on)
    whose = current.staff_id if current is not None else to_staff_id
    if not led & {t.id for t in teams_of(session=session, staff_id=whose, on=on)}:
        who = _staff(session, whose).name
        raise AssignmentError(
            "%(lead)s does not lead a team of %(who)s on %(on)s", lead=lead.name, who=who, on=_fi(on)
        )
    return assign(
        session=session,
        person_id=person_id,
        staff_id=to_staff_id,
        on=on,
        service_line=service_line,
        by=lead.name,
        reason=reason or "reassigned by the team lead",
    )


def end_assignment(
    *, session: Session, person_id: int, on: dt.date, by: str, reason: str
) -> CaseAssignment | None:
    """End the assignment in force so that ``on`` is its last day (the customer's process ended)."""
    current = responsible_on(session=session, person_id=person_id, on=on)
    if current is None:
        return None
    current.end_date = on
    current.ended_by = by
    current.end_reason = reason
    session.flush()
    return current
