"""Finding jobseekers and reading one jobseeker's record, always through the caller's scope (SQL).

Search rules (data protection):

- a HETU is searched **exactly** (validated first; no prefix, no partial match, no wildcard), so the search
  cannot enumerate people born on a day;
- a customer number is searched exactly;
- a name is searched by the beginning of the last and/or first name, at least two characters a word, with
  the LIKE wildcards escaped;
- the scope clause (``alue.shared.auth.person_scope``) is part of the query, and at most ``limit`` rows
  are read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Date, bindparam, func, or_, select
from sqlalchemy.orm import Session

from alue.casework.models import CaseAssignment, EmploymentPlan, Meeting, ServiceNeedAssessment
from alue.employers.models import Employer
from alue.people.models import (
    DERIVED_GROUPS,
    CustomerGroup,
    CustomerGroupMembership,
    EducationLevel,
    EmploymentEpisode,
    JobseekingSpell,
    Person,
    PersonOccupation,
    Status,
    StatusPeriod,
)
from alue.services.models import Participation, Partner, Referral, Service
from alue.shared.auth import N_, Principal, person_scope
from alue.shared.db import covers
from alue.shared.identifiers import InvalidIdentifier, validate_hetu
from alue.staff.models import StaffMember

HETU_SHAPE = re.compile(r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$", re.IGNORECASE)
CUSTOMER_NUMBER_SHAPE = re.compile(r"^[A-Z]{0,3}\d{3,12}$", re.IGNORECASE)
NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'\-. ]*(?:[-'][^\W\d_]+)*$", re.UNICODE)
MAX_QUERY_LENGTH = 100


class SearchKind(StrEnum):
    HETU = "hetu"
    CUSTOMER_NUMBER = "customer_number"
    NAME = "name"


class SearchError(ValueError):
    """The query cannot be searched; the message is an English msgid."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    kind: SearchKind
    persons: list[Person]
    more: bool  # more matches than were read


def classify(query: str) -> tuple[SearchKind, str | list[str]]:
    text = " ".join(query.split())
    if not text:
        raise SearchError(N_("Type a name, a personal identity code or a customer number."))
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(N_("The search is too long."))
    if HETU_SHAPE.match(text):
        try:
            return SearchKind.HETU, validate_hetu(text)
        except InvalidIdentifier as exc:
            raise SearchError(N_("This is not a valid personal identity code.")) from exc
    if any(ch.isdigit() for ch in text):
        if CUSTOMER_NUMBER_SHAPE.match(text):
            return SearchKind.CUSTOMER_NUMBER, text.upper()  # stored upper-case (AS12345); exact only
        raise SearchError(
            N_(
                "Search with a complete personal identity code, a customer number or a name; parts of "
                "identity codes are not searched."
            )
        )
    words = text.split(" ")
    if len(words) > 4 or any(len(w) < 2 for w in words):
        raise SearchError(N_("Give at least two letters of each name."))
    return SearchKind.NAME, words


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    session: Session, *, principal: Principal, query: str, limit: int = 50, on: dt.date | None = None
) -> SearchResult:
    kind, value = classify(query)
    stmt = select(Person).where(person_scope(principal, on=on))
    if kind == SearchKind.HETU:
        stmt = stmt.where(Person.hetu == value)
    elif kind == SearchKind.CUSTOMER_NUMBER:
        assert isinstance(value, str)
        stmt = stmt.where(Person.customer_number.in_(sorted({value, value.lower()})))  # uses the unique index
    else:
        assert isinstance(value, list)
        for word in value:
            pattern = _escape_like(word.lower()) + "%"
            stmt = stmt.where(
                or_(
                    func.lower(Person.last_name).like(pattern, escape="\\"),
                    func.lower(Person.first_name).like(pattern, escape="\\"),
                )
            )
    # ordering by lower() keeps PostgreSQL on the prefix indexes (ix_person_*_lower) instead of walking
    # the whole last_name index in order
    order = (func.lower(Person.last_name), func.lower(Person.first_name), Person.id)
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    return SearchResult(kind, rows[:limit], len(rows) > limit)


def get_in_scope(
    session: Session, *, principal: Principal, person_id: int, on: dt.date | None = None
) -> Person | None:
    """The person if they exist *and* are in the principal's scope (one query), else None."""
    return session.scalar(select(Person).where(Person.id == person_id, person_scope(principal, on=on)))


# ------------------------------------------------------------------------------------ the record


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    start: dt.date
    end: dt.date | None
    status: Status
    spell_id: int


@dataclass
class PersonRecord:
    person: Person
    spells: list[JobseekingSpell]
    timeline: list[TimelineEntry]
    groups: list[tuple[CustomerGroup, dt.date | None, dt.date | None, bool]]  # group, start, end, derived
    occupations: list[PersonOccupation]
    plan: EmploymentPlan | None
    meetings: list[Meeting]
    participations: list[tuple[Participation, Service]]
    referrals: list[tuple[Referral, Service | None, Partner | None]]
    outcomes: list[tuple[EmploymentEpisode, Employer | None]]
    assessments: list[ServiceNeedAssessment]
    responsible: list[tuple[CaseAssignment, StaffMember]]
    staff_names: dict[int, str] = field(default_factory=dict)


PID: BindParameter[int] = bindparam("pid")
ON = bindparam("on", type_=Date())


@lru_cache(maxsize=1)
def _record_statements() -> dict[str, Any]:
    """The record's queries, built once with bound parameters ``pid`` and ``on`` (building a statement
    costs more Python time than running it; SQL constructs are immutable and safe to share)."""
    return {
        # spells and their status periods in one query (a period always belongs to a spell)
        "spells": select(JobseekingSpell, StatusPeriod)
        .outerjoin(StatusPeriod, StatusPeriod.spell_id == JobseekingSpell.id)
        .where(JobseekingSpell.person_id == PID),
        "groups": select(CustomerGroupMembership)
        .where(CustomerGroupMembership.person_id == PID)
        .order_by(CustomerGroupMembership.start_date),
        "plan": select(EmploymentPlan, _staff_name(EmploymentPlan.staff_id))
        .where(EmploymentPlan.person_id == PID)
        .order_by(EmploymentPlan.made_on.desc(), EmploymentPlan.version.desc())
        .limit(1),
        "meetings": select(Meeting, _staff_name(Meeting.staff_id))
        .where(Meeting.person_id == PID)
        .order_by(Meeting.held_at.desc())
        .limit(100),
        "participations": select(Participation, Service)
        .join(Service, Service.id == Participation.service_id)
        .where(Participation.person_id == PID)
        .order_by(Participation.start_date.desc()),
        "referrals": select(Referral, Service, Partner)
        .outerjoin(Service, Service.id == Referral.service_id)
        .outerjoin(Partner, Partner.id == Referral.partner_id)
        .where(Referral.person_id == PID)
        .order_by(Referral.referred_on.desc()),
        "outcomes": select(EmploymentEpisode, Employer)
        .outerjoin(Employer, Employer.id == EmploymentEpisode.employer_id)
        .where(EmploymentEpisode.person_id == PID)
        .order_by(EmploymentEpisode.start_date.desc()),
        "assessments": select(ServiceNeedAssessment, _staff_name(ServiceNeedAssessment.staff_id))
        .where(ServiceNeedAssessment.person_id == PID)
        .order_by(ServiceNeedAssessment.assessed_on.desc()),
        "responsible": select(CaseAssignment, StaffMember)
        .join(StaffMember, StaffMember.id == CaseAssignment.staff_id)
        .where(
            CaseAssignment.person_id == PID,
            covers(CaseAssignment.start_date, CaseAssignment.end_date, ON),
        ),
        "occupations": select(PersonOccupation)
        .where(PersonOccupation.person_id == PID)
        .order_by(PersonOccupation.id),
    }


def record(session: Session, *, person: Person, on: dt.date, youth_age_limit: int = 30) -> PersonRecord:
    """Everything the jobseeker page shows: one query a section (spells and status periods together)."""
    q = _record_statements()
    params = {"pid": person.id, "on": on}
    spells_by_id: dict[int, JobseekingSpell] = {}
    period_rows: list[StatusPeriod] = []
    for spell, period in session.execute(q["spells"], params):
        spells_by_id.setdefault(spell.id, spell)
        if period is not None:
            period_rows.append(period)
    spells = sorted(spells_by_id.values(), key=lambda s: (s.start_date, s.id))
    periods = sorted(period_rows, key=lambda p: (p.start_date, p.id), reverse=True)
    timeline = [TimelineEntry(p.start_date, p.end_date, Status(p.status), p.spell_id) for p in periods]
    groups: list[tuple[CustomerGroup, dt.date | None, dt.date | None, bool]] = [
        (CustomerGroup(m.group), m.start_date, m.end_date, False)
        for m in session.scalars(q["groups"], params)
        if CustomerGroup(m.group) not in DERIVED_GROUPS
    ]
    if person.age_on(on) < youth_age_limit:
        groups.append((CustomerGroup.YOUNG, None, None, True))
    if not EducationLevel(person.education_level).vocational:
        groups.append((CustomerGroup.NO_VOCATIONAL_EDUCATION, None, None, True))
    current = next((t for t in timeline if t.start <= on and (t.end is None or t.end >= on)), None)
    if current is not None and current.status == Status.LAID_OFF_FULL:
        groups.append((CustomerGroup.LAID_OFF, None, None, True))
    if (
        current is not None
        and current.status.counts_as_unemployed
        and _unemployed_since(timeline, on) is not None
    ):
        since = _unemployed_since(timeline, on)
        if since is not None and (on - since).days >= 365:
            groups.append((CustomerGroup.LONG_TERM_UNEMPLOYED, since, None, True))
    staff_names: dict[int, str] = {}

    def named(rows: Any) -> list[Any]:
        """Objects of ``select(Model, _staff_name(Model.staff_id))``, remembering the staff names."""
        result = []
        for obj, name in rows:
            if obj.staff_id and name:
                staff_names[obj.staff_id] = name
            result.append(obj)
        return result

    plans = named(session.execute(q["plan"], params))
    plan = plans[0] if plans else None
    meetings = named(session.execute(q["meetings"], params))
    # plain tuples, as ``PersonRecord`` declares them (a ``Row`` only behaves like one)
    participations = [(part, service) for part, service in session.execute(q["participations"], params)]
    referrals = [(ref, service, partner) for ref, service, partner in session.execute(q["referrals"], params)]
    outcomes = [(episode, employer) for episode, employer in session.execute(q["outcomes"], params)]
    assessments = named(session.execute(q["assessments"], params))
    responsible = [(a, member) for a, member in session.execute(q["responsible"], params)]
    occupations = list(session.scalars(q["occupations"], params))
    return PersonRecord(
        person=person,
        spells=spells,
        timeline=timeline,
        groups=groups,
        occupations=occupations,
        plan=plan,
        meetings=meetings,
        participations=participations,
        referrals=referrals,
        outcomes=outcomes,
        assessments=assessments,
        responsible=responsible,
        staff_names=staff_names,
    )


def _staff_name(staff_id: Any) -> Any:
    """The name of the staff member ``staff_id`` refers to, as a column (no separate query)."""
    return (
        select(StaffMember.first_name + " " + StaffMember.last_name)
        .where(StaffMember.id == staff_id)
        .scalar_subquery()
    )


def _unemployed_since(timeline: list[TimelineEntry], on: dt.date) -> dt.date | None:
    """Start of the continuous unemployment that covers ``on`` (adjacent unemployed periods joined)."""
    periods = sorted(
        (t for t in timeline if t.status.counts_as_unemployed and t.start <= on), key=lambda t: t.start
    )
    since: dt.date | None = None
    last_end: dt.date | None = None
    for period in periods:
        if since is None or (last_end is not None and period.start > last_end + dt.timedelta(days=1)):
            since = period.start
        last_end = period.end if period.end is not None else on
    if last_end is None or last_end < on:
        return None
    return since
