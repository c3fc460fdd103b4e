"""The customer journey (R-D4): registration → initial interview → service-need assessment → employment plan
→ job-search discussions → three-month goal check → outcome.

Every function is keyword-only with the session first, used alike by the command line, the pages and the
tests. Each step

1. checks the status change against ``alue.casework.transitions.JOURNEY_TRANSITIONS`` (undeclared →
   :class:`~alue.casework.transitions.TransitionError`) and the step's own conditions
   (:class:`JourneyError`),
2. writes the casework record (meeting, assessment, plan version …),
3. appends a :class:`JourneyEvent` naming the step, the day it happened, when it was recorded and by whom.

Plan versions are never overwritten: each change is a new ``employment_plan`` row with the next version
number. The job-search obligation in a plan comes from the rules in force on the plan's day
(``alue.casework.deadlines.job_search_obligation``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.area.rules import RuleBook, RuleNotInForceError
from alue.casework import deadlines, transitions
from alue.casework.assignments import end_assignment
from alue.casework.authority import require_delegation
from alue.casework.errors import CaseworkError
from alue.casework.goal import first_goal_event, goal_events
from alue.casework.journey_models import (
    CaseJourney,
    GoalBasis,
    JourneyEvent,
    JourneyStatus,
    JourneyStep,
    PlanTask,
)
from alue.casework.journey_models import utcnow as now
from alue.casework.models import (
    Channel,
    EmploymentPlan,
    Meeting,
    MeetingKind,
    PlanKind,
    ServiceNeedAssessment,
    ServicePath,
)
from alue.people.models import (
    DERIVED_GROUPS,
    CustomerGroup,
    CustomerGroupMembership,
    JobseekingSpell,
    Person,
    SpellEndReason,
    Status,
    StatusPeriod,
)
from alue.services.models import Participation, Service, ServiceKind
from alue.shared.time import HELSINKI
from alue.staff.models import DelegatedTask, StaffMember

J = JourneyStatus
T = TypeVar("T")


class JourneyError(CaseworkError, ValueError):
    """A journey step cannot be taken as asked; the message says why."""


class NotFoundError(CaseworkError, LookupError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class TaskInput:
    """A task of a plan being written: what to do and by when (``due`` may be left open)."""

    text: str
    due: dt.date | None = None
    done_on: dt.date | None = None


# ------------------------------------------------------------------------------------------- helpers


def local_date(moment: dt.datetime) -> dt.date:
    """The Helsinki calendar date of a stored moment. Moments are stored in UTC; SQLite gives them back
    without a zone, so a naive value is read as UTC (as the web pages do)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(HELSINKI).date()


def as_moment(value: dt.date | dt.datetime) -> dt.datetime:
    """A moment to store, in UTC. A bare date means noon in Helsinki (the time of day was not recorded);
    a naive date and time is Helsinki time."""
    if isinstance(value, dt.datetime):
        local = value.replace(tzinfo=HELSINKI) if value.tzinfo is None else value
    else:
        local = dt.datetime.combine(value, dt.time(12, 0), tzinfo=HELSINKI)
    return local.astimezone(dt.UTC)


def _staff(session: Session, staff_id: int | None) -> StaffMember | None:
    if staff_id is None:
        return None
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise NotFoundError("no staff member with id %(id)s", id=staff_id)
    if not staff.active:
        raise JourneyError("staff member %(name)s is not active", name=staff.name)
    return staff


def _fi(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def deadline_or_none(compute: Callable[..., T], **kwargs: Any) -> T | None:
    """A deadline, or None where no rule version is in force on its basis day (for example the area's own
    three-month goal for a spell that began before the area existed)."""
    try:
        return compute(**kwargs)
    except RuleNotInForceError:
        return None


def get_journey(*, session: Session, journey_id: int) -> CaseJourney:
    journey = session.get(CaseJourney, journey_id)
    if journey is None:
        raise NotFoundError("no journey with id %(id)s", id=journey_id)
    return journey


def _last_event_day(session: Session, journey: CaseJourney) -> dt.date:
    last = session.scalar(
        select(func.max(JourneyEvent.occurred_on)).where(JourneyEvent.journey_id == journey.id)
    )
    return last or journey.opened_on


def _guard(
    session: Session, journey: CaseJourney, *, target: JourneyStatus, on: dt.date, step: JourneyStep
) -> None:
    """Check a step before anything is written: the declared transition, then the order of the days."""
    transitions.require(
        transitions.JOURNEY_TRANSITIONS, current=journey.status, target=target, what=f"journey {journey.id}"
    )
    previous = _last_event_day(session, journey)
    if on < previous:
        raise JourneyError(
            "journey %(journey)s: a step on %(on)s cannot come before the previous step on %(previous)s",
            journey=journey.id,
            on=_fi(on),
            previous=_fi(previous),
        )


def _step(
    session: Session,
    journey: CaseJourney,
    *,
    step: JourneyStep,
    target: JourneyStatus,
    on: dt.date,
    staff: StaffMember | None,
    actor: str = "",
    meeting: Meeting | None = None,
    assessment: ServiceNeedAssessment | None = None,
    plan: EmploymentPlan | None = None,
    details: dict[str, object] | None = None,
) -> JourneyEvent:
    """Move ``journey`` to ``target`` through the declared transitions and record the event."""
    _guard(session, journey, target=target, on=on, step=step)
    event = JourneyEvent(
        journey_id=journey.id,
        person_id=journey.person_id,
        step=step,
        from_status=journey.status,
        to_status=target,
        occurred_on=on,
        recorded_at=now(),
        staff_id=staff.id if staff is not None else None,
        actor=actor or (staff.name if staff is not None else ""),
        meeting_id=meeting.id if meeting is not None else None,
        assessment_id=assessment.id if assessment is not None else None,
        plan_id=plan.id if plan is not None else None,
        details=details or {},
    )
    journey.status = target
    journey.updated_at = event.recorded_at
    session.add(event)
    session.flush()
    return event


# ------------------------------------------------------------------------------------- registration


def register(
    *,
    session: Session,
    person_id: int,
    on: dt.date,
    staff_id: int | None = None,
    status: Status = Status.UNEMPLOYED,
    municipality_code: str | None = None,
    actor: str = "",
) -> CaseJourney:
    """Register the person as a jobseeker on ``on``: a new jobseeking spell, its first status period and a
    journey in status *registered*. Refused while the person has a spell open on that day."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("no person with id %(id)s", id=person_id)
    staff = _staff(session, staff_id)
    open_spell = session.scalar(
        select(JobseekingSpell).where(
            JobseekingSpell.person_id == person_id,
            (JobseekingSpell.end_date.is_(None)) | (JobseekingSpell.end_date >= on),
        )
    )
    if open_spell is not None:
        raise JourneyError(
            "%(name)s already has a jobseeking spell from %(start)s; close it before registering again",
            name=person.name,
            start=_fi(open_spell.start_date),
        )
    spell = JobseekingSpell(
        person_id=person_id,
        start_date=on,
        end_date=None,
        municipality_code=municipality_code or person.home_municipality_code,
    )
    session.add(spell)
    session.flush()
    session.add(StatusPeriod(spell_id=spell.id, person_id=person_id, status=status, start_date=on))
    journey = CaseJourney(
        person_id=person_id, spell_id=spell.id, status=J.REGISTERED, opened_on=on, updated_at=now()
    )
    session.add(journey)
    session.flush()
    interview = deadline_or_none(deadlines.initial_interview_due, registered=on)
    session.add(
        JourneyEvent(
            journey_id=journey.id,
            person_id=person_id,
            step=JourneyStep.REGISTRATION,
            from_status=None,
            to_status=J.REGISTERED,
            occurred_on=on,
            recorded_at=journey.updated_at,
            staff_id=staff.id if staff else None,
            actor=actor or (staff.name if staff else ""),
            details={
                "status": status.value,
                "initial_interview_due": interview.due.isoformat() if interview else None,
            },
        )
    )
    session.flush()
    return journey


def infer_status(session: Session, spell: JobseekingSpell) -> JourneyStatus:
    """The status a spell recorded without a journey (imported, generated) has reached."""
    if spell.end_date is not None:
        return J.CLOSED
    kinds = set(session.scalars(select(Meeting.kind).where(Meeting.spell_id == spell.id)))
    has_plan = session.scalar(select(EmploymentPlan.id).where(EmploymentPlan.spell_id == spell.id).limit(1))
    has_assessment = session.scalar(
        select(ServiceNeedAssessment.id).where(ServiceNeedAssessment.spell_id == spell.id).limit(1)
    )
    discussions = {MeetingKind.JOB_SEARCH_DISCUSSION, MeetingKind.SUPPLEMENTARY_DISCUSSION}
    if has_plan and kinds & discussions:
        return J.FOLLOW_UP
    if has_plan:
        return J.PLANNED
    if has_assessment:
        return J.ASSESSED
    if MeetingKind.INITIAL_INTERVIEW in kinds:
        return J.INTERVIEWED
    return J.REGISTERED


def _inferred(session: Session, spell: JobseekingSpell) -> CaseJourney:
    """An unsaved journey for a spell recorded without one (imported, generated), at the status its
    records have reached."""
    path = session.scalar(
        select(ServiceNeedAssessment.path)
        .where(ServiceNeedAssessment.spell_id == spell.id)
        .order_by(ServiceNeedAssessment.assessed_on.desc(), ServiceNeedAssessment.id.desc())
        .limit(1)
    )
    return CaseJourney(
        person_id=spell.person_id,
        spell_id=spell.id,
        status=infer_status(session, spell),
        opened_on=spell.start_date,
        path=path,
        closed_on=spell.end_date,
        outcome=spell.end_reason,
        updated_at=now(),
    )


def ensure_journey(*, session: Session, spell_id: int) -> CaseJourney:
    """The journey of a spell, opened from the spell's records if it has none yet."""
    journey = session.scalar(select(CaseJourney).where(CaseJourney.spell_id == spell_id))
    if journey is not None:
        return journey
    spell = session.get(JobseekingSpell, spell_id)
    if spell is None:
        raise NotFoundError("no jobseeking spell with id %(id)s", id=spell_id)
    journey = _inferred(session, spell)
    session.add(journey)
    session.flush()
    session.add(
        JourneyEvent(
            journey_id=journey.id,
            person_id=spell.person_id,
            step=JourneyStep.REGISTRATION,
            from_status=None,
            to_status=journey.status,
            occurred_on=spell.start_date,
            recorded_at=journey.updated_at,
            actor="",
            details={"opened_from_records": True},
        )
    )
    session.flush()
    return journey


def _latest_spell(session: Session, person_id: int) -> JobseekingSpell | None:
    return session.scalar(
        select(JobseekingSpell)
        .where(JobseekingSpell.person_id == person_id)
        .order_by(JobseekingSpell.start_date.desc(), JobseekingSpell.id.desc())
        .limit(1)
    )


def peek_journey(*, session: Session, person_id: int) -> CaseJourney | None:
    """The journey of the person's latest spell without writing anything: the stored one, or an unsaved
    one inferred from the records (``id`` None) for a spell recorded without a journey."""
    spell = _latest_spell(session, person_id)
    if spell is None:
        return None
    stored = session.scalar(select(CaseJourney).where(CaseJourney.spell_id == spell.id))
    return stored if stored is not None else _inferred(session, spell)


def current_journey(*, session: Session, person_id: int) -> CaseJourney | None:
    """The journey of the person's latest spell (opened from the records when needed)."""
    spell = _latest_spell(session, person_id)
    return None if spell is None else ensure_journey(session=session, spell_id=spell.id)


# ---------------------------------------------------------------------------------------- meetings


def _meeting(
    session: Session,
    journey: CaseJourney,
    *,
    kind: MeetingKind,
    held_at: dt.date | dt.datetime,
    staff: StaffMember | None,
    channel: Channel,
    notes: str,
    service_point_id: int | None,
) -> Meeting:
    meeting = Meeting(
        person_id=journey.person_id,
        spell_id=journey.spell_id,
        staff_id=staff.id if staff else None,
        held_at=as_moment(held_at),
        kind=kind,
        channel=channel,
        service_point_id=service_point_id,
        notes=notes,
    )
    session.add(meeting)
    session.flush()
    return meeting


def hold_initial_interview(
    *,
    session: Session,
    journey_id: int,
    held_at: dt.date | dt.datetime,
    staff_id: int,
    channel: Channel = Channel.IN_PERSON,
    notes: str = "",
    service_point_id: int | None = None,
) -> Meeting:
    """Alkuhaastattelu — the initial interview. Records whether it was held by the statutory deadline
    (the rule in force on the registration day)."""
    journey = get_journey(session=session, journey_id=journey_id)
    staff = _staff(session, staff_id)
    on = local_date(as_moment(held_at))
    _guard(session, journey, target=J.INTERVIEWED, on=on, step=JourneyStep.INITIAL_INTERVIEW)
    due = deadline_or_none(deadlines.initial_interview_due, registered=journey.opened_on)
    meeting = _meeting(
        session,
        journey,
        kind=MeetingKind.INITIAL_INTERVIEW,
        held_at=held_at,
        staff=staff,
        channel=channel,
        notes=notes,
        service_point_id=service_point_id,
    )
    _step(
        session,
        journey,
        step=JourneyStep.INITIAL_INTERVIEW,
        target=J.INTERVIEWED,
        on=on,
        staff=staff,
        meeting=meeting,
        details=(
            {
                "due": due.due.isoformat(),
                "on_time": on <= due.due,
                "rules": [r.model_dump(mode="json") for r in due.rules],
            }
            if due is not None
            else {}
        ),
    )
    return meeting


def hold_discussion(
    *,
    session: Session,
    journey_id: int,
    held_at: dt.date | dt.datetime,
    staff_id: int,
    channel: Channel = Channel.IN_PERSON,
    supplementary: bool = False,
    notes: str = "",
    service_point_id: int | None = None,
) -> Meeting:
    """Työnhakukeskustelu (or a supplementary one): follows up the plan in force."""
    journey = get_journey(session=session, journey_id=journey_id)
    staff = _staff(session, staff_id)
    on = local_date(as_moment(held_at))
    _guard(session, journey, target=J.FOLLOW_UP, on=on, step=JourneyStep.JOB_SEARCH_DISCUSSION)
    kind = MeetingKind.SUPPLEMENTARY_DISCUSSION if supplementary else MeetingKind.JOB_SEARCH_DISCUSSION
    previous = last_discussion_day(session=session, spell_id=journey.spell_id)
    details: dict[str, object] = {}
    due = deadline_or_none(deadlines.next_job_search_discussion_due, last=previous) if previous else None
    if not supplementary and previous is not None and due is not None:
        details = {"previous": previous.isoformat(), "due": due.due.isoformat(), "on_time": on <= due.due}
    meeting = _meeting(
        session,
        journey,
        kind=kind,
        held_at=held_at,
        staff=staff,
        channel=channel,
        notes=notes,
        service_point_id=service_point_id,
    )
    _step(
        session,
        journey,
        step=JourneyStep.SUPPLEMENTARY_DISCUSSION if supplementary else JourneyStep.JOB_SEARCH_DISCUSSION,
        target=J.FOLLOW_UP,
        on=on,
        staff=staff,
        meeting=meeting,
        details=details,
    )
    return meeting


def last_discussion_day(*, session: Session, spell_id: int) -> dt.date | None:
    """The day of the latest initial interview or job-search discussion of the spell (the basis of the next
    discussion's deadline)."""
    moments = session.scalars(
        select(Meeting.held_at).where(
            Meeting.spell_id == spell_id,
            Meeting.kind.in_([MeetingKind.INITIAL_INTERVIEW.value, MeetingKind.JOB_SEARCH_DISCUSSION.value]),
        )
    ).all()
    return max((local_date(m) for m in moments), default=None)


# ------------------------------------------------------------------------------------- assessment


def assess_service_need(
    *,
    session: Session,
    journey_id: int,
    on: dt.date,
    staff_id: int,
    path: ServicePath,
    reasons: Sequence[str],
    groups: Sequence[CustomerGroup] = (),
) -> ServiceNeedAssessment:
    """Palvelutarvearvio — the path (direct brokerage, skills development, multi-sector support,
    entrepreneurship) and the reasons. Customer groups identified here (R-D6: at the start) are recorded."""
    journey = get_journey(session=session, journey_id=journey_id)
    staff = _staff(session, staff_id)
    cleaned = [r.strip() for r in reasons if r.strip()]
    if not cleaned:
        raise JourneyError("a service-need assessment needs at least one reason for the path")
    derived = [g for g in groups if g in DERIVED_GROUPS]
    if derived:
        raise JourneyError(
            "%(groups)s: derived from the data, cannot be recorded",
            groups=", ".join(g.value for g in derived),
        )
    _guard(session, journey, target=J.ASSESSED, on=on, step=JourneyStep.ASSESSMENT)
    assessment = ServiceNeedAssessment(
        person_id=journey.person_id,
        spell_id=journey.spell_id,
        assessed_on=on,
        path=path,
        reasons=cleaned,
        staff_id=staff.id if staff else None,
    )
    session.add(assessment)
    session.flush()
    recorded = []
    for group in dict.fromkeys(groups):
        active = session.scalar(
            select(CustomerGroupMembership.id).where(
                CustomerGroupMembership.person_id == journey.person_id,
                CustomerGroupMembership.group == group.value,
                CustomerGroupMembership.start_date <= on,
                (CustomerGroupMembership.end_date.is_(None)) | (CustomerGroupMembership.end_date >= on),
            )
        )
        if active is None:
            session.add(
                CustomerGroupMembership(
                    person_id=journey.person_id, group=group, start_date=on, source="assessment"
                )
            )
            recorded.append(group.value)
    previous_path = journey.path
    journey.path = path
    _step(
        session,
        journey,
        step=JourneyStep.ASSESSMENT,
        target=J.ASSESSED,
        on=on,
        staff=staff,
        assessment=assessment,
        details={
            "path": path.value,
            "previous_path": previous_path.value if previous_path else None,
            "groups_recorded": recorded,
        },
    )
    return assessment


# ------------------------------------------------------------------------------------------- plans


_OBLIGATION_STATUS = {
    Status.UNEMPLOYED: deadlines.ObligationStatus.UNEMPLOYED,
    Status.LAID_OFF_FULL: deadlines.ObligationStatus.FULLY_LAID_OFF,
    Status.SHORTENED_WEEK: deadlines.ObligationStatus.PARTLY_LAID_OFF,
    Status.PART_TIME: deadlines.ObligationStatus.PART_TIME_WORKER,
}


def obligation_situation(
    session: Session, *, spell_id: int, on: dt.date
) -> tuple[deadlines.ObligationStatus, dt.date | None]:
    """The jobseeker's situation for the job-search obligation on ``on`` and since when, read from the
    status periods (and, for a person in a service, from an ongoing self-motivated study)."""
    period = session.scalar(
        select(StatusPeriod)
        .where(
            StatusPeriod.spell_id == spell_id,
            StatusPeriod.start_date <= on,
            (StatusPeriod.end_date.is_(None)) | (StatusPeriod.end_date >= on),
        )
        .order_by(StatusPeriod.start_date.desc())
        .limit(1)
    )
    if period is None:
        return deadlines.ObligationStatus.UNEMPLOYED, None
    status = Status(period.status)
    if status is Status.IN_SERVICE:
        study_start = session.scalar(
            select(Participation.start_date)
            .join(Service, Service.id == Participation.service_id)
            .where(
                Participation.spell_id == spell_id,
                Service.kind == ServiceKind.SELF_MOTIVATED_STUDY.value,
                Participation.start_date <= on,
                (Participation.end_date.is_(None)) | (Participation.end_date >= on),
            )
        )
        if study_start is not None:
            return deadlines.ObligationStatus.SELF_MOTIVATED_STUDY, study_start
    situation = _OBLIGATION_STATUS.get(status, deadlines.ObligationStatus.UNEMPLOYED)
    # the months in a lay-off count from the start of the unbroken run of that status
    start = period.start_date
    while True:
        before = session.scalar(
            select(StatusPeriod).where(
                StatusPeriod.spell_id == spell_id,
                StatusPeriod.status == period.status,
                StatusPeriod.end_date == start - dt.timedelta(days=1),
            )
        )
        if before is None:
            break
        start = before.start_date
    return situation, start


def make_plan(
    *,
    session: Session,
    journey_id: int,
    on: dt.date,
    staff_id: int,
    goals: Sequence[str],
    tasks: Sequence[TaskInput] = (),
    agreed_services: Sequence[str] = (),
    kind: PlanKind = PlanKind.EMPLOYMENT,
    obligation_status: deadlines.ObligationStatus | None = None,
    individual_applications: int | None = None,
    rules: RuleBook | None = None,
) -> EmploymentPlan:
    """Työllistymissuunnitelma — a new plan version (the first one, or a revision; never an overwrite).

    The job-search obligation comes from the rules in force on ``on`` for the jobseeker's situation
    (read from the status periods unless ``obligation_status`` is given). An individual obligation below
    the default is a reduction decision: a municipal official needs a delegation for it (R-C5).
    """
    journey = get_journey(session=session, journey_id=journey_id)
    staff = _staff(session, staff_id)
    assert staff is not None
    cleaned_goals = [g.strip() for g in goals if g.strip()]
    if not cleaned_goals:
        raise JourneyError("an employment plan needs at least one goal")
    for task in tasks:
        if not task.text.strip():
            raise JourneyError("a plan task needs a text")
        if task.due is not None and task.due < on:
            raise JourneyError(
                "the task “%(task)s” is due %(due)s, before the plan (%(on)s)",
                task=task.text,
                due=_fi(task.due),
                on=_fi(on),
            )
    codes = [c.strip() for c in agreed_services if c.strip()]
    if codes:
        known = set(session.scalars(select(Service.code).where(Service.code.in_(codes))))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise JourneyError("unknown service codes: %(codes)s", codes=", ".join(unknown))
    _guard(session, journey, target=J.PLANNED, on=on, step=JourneyStep.PLAN)
    situation, since = obligation_situation(session, spell_id=journey.spell_id, on=on)
    if obligation_status is not None:
        situation = obligation_status
        since = since or journey.opened_on
    obligation = deadlines.job_search_obligation(
        status=situation,
        on=on,
        status_start=since,
        individual_applications=individual_applications,
        rules=rules,
    )
    default = deadlines.job_search_obligation(
        status=deadlines.ObligationStatus.UNEMPLOYED, on=on, rules=rules
    ).applications
    if individual_applications is not None and individual_applications < default:
        require_delegation(session, staff_id=staff.id, task=DelegatedTask.OBLIGATION_DECISION, on=on)
    version = 1 + (
        session.scalar(
            select(func.max(EmploymentPlan.version)).where(
                EmploymentPlan.person_id == journey.person_id, EmploymentPlan.spell_id == journey.spell_id
            )
        )
        or 0
    )
    plan = EmploymentPlan(
        person_id=journey.person_id,
        spell_id=journey.spell_id,
        version=version,
        kind=kind,
        made_on=on,
        staff_id=staff.id,
        obligation_per_month=obligation.applications,
        obligation_period_months=obligation.per_months,
        obligation_basis={
            "status": obligation.status.value,
            "explanation": obligation.explanation,
            "rules": [r.model_dump(mode="json") for r in obligation.rules],
        },
        goals=cleaned_goals,
        tasks=[{"text": t.text.strip(), "due": t.due.isoformat() if t.due else ""} for t in tasks],
        agreed_services=codes,
        recorded_at=now(),
    )
    session.add(plan)
    session.flush()
    for position, task in enumerate(tasks, start=1):
        session.add(
            PlanTask(
                plan_id=plan.id,
                person_id=journey.person_id,
                position=position,
                text=task.text.strip(),
                due=task.due,
                done_on=task.done_on,
            )
        )
    session.flush()
    _step(
        session,
        journey,
        step=JourneyStep.PLAN,
        target=J.PLANNED,
        on=on,
        staff=staff,
        plan=plan,
        details={
            "version": version,
            "kind": kind.value,
            "obligation": f"{obligation.applications}/{obligation.per_months}",
        },
    )
    return plan


def plan_versions(*, session: Session, spell_id: int) -> list[EmploymentPlan]:
    """Every version of the spell's plan, oldest first."""
    return list(
        session.scalars(
            select(EmploymentPlan).where(EmploymentPlan.spell_id == spell_id).order_by(EmploymentPlan.version)
        )
    )


def current_plan(*, session: Session, spell_id: int) -> EmploymentPlan | None:
    return session.scalar(
        select(EmploymentPlan)
        .where(EmploymentPlan.spell_id == spell_id)
        .order_by(EmploymentPlan.version.desc())
        .limit(1)
    )


def plan_tasks(*, session: Session, plan_id: int) -> list[PlanTask]:
    return list(
        session.scalars(select(PlanTask).where(PlanTask.plan_id == plan_id).order_by(PlanTask.position))
    )


def complete_task(*, session: Session, task_id: int, on: dt.date, staff_id: int) -> PlanTask:
    """Mark a task of the plan in force done (a follow-up note on the version; its text and date stay)."""
    task = session.get(PlanTask, task_id)
    if task is None:
        raise NotFoundError("no plan task with id %(id)s", id=task_id)
    staff = _staff(session, staff_id)
    assert staff is not None
    plan = session.get(EmploymentPlan, task.plan_id)
    assert plan is not None
    latest = current_plan(session=session, spell_id=plan.spell_id) if plan.spell_id else plan
    if latest is None or latest.id != plan.id:
        raise JourneyError("the task belongs to an earlier plan version; mark it in the version in force")
    if task.done_on is not None:
        raise JourneyError("the task was already marked done on %(on)s", on=_fi(task.done_on))
    if on < plan.made_on:
        raise JourneyError("a task cannot be done before the plan was made")
    journey = session.scalar(select(CaseJourney).where(CaseJourney.spell_id == plan.spell_id))
    if journey is None or journey.status is J.CLOSED:
        raise JourneyError("the journey is closed")
    task.done_on = on
    task.done_by_staff_id = staff.id
    session.add(
        JourneyEvent(
            journey_id=journey.id,
            person_id=journey.person_id,
            step=JourneyStep.TASK_DONE,
            from_status=journey.status,
            to_status=journey.status,
            occurred_on=on,
            recorded_at=now(),
            staff_id=staff.id,
            actor=staff.name,
            plan_id=plan.id,
            details={"task_id": task.id, "text": task.text},
        )
    )
    session.flush()
    return task


# -------------------------------------------------------------------------------------- goal, outcome


@dataclass(frozen=True, slots=True)
class GoalProgress:
    #: None when no goal rule was in force on the spell's start (before the area set one)
    due: dt.date | None
    met_on: dt.date | None
    basis: GoalBasis | None
    explanation: str

    @property
    def met(self) -> bool:
        return self.basis is not None


def goal_progress(*, session: Session, spell_id: int, on: dt.date) -> GoalProgress:
    """How the three-month goal stands on ``on``: met (with the first job, training or referral) or not."""
    spell = session.get(JobseekingSpell, spell_id)
    if spell is None:
        raise NotFoundError("no jobseeking spell with id %(id)s", id=spell_id)
    goal = deadline_or_none(deadlines.three_month_goal, spell_start=spell.start_date)
    if goal is None:
        return GoalProgress(
            due=None, met_on=None, basis=None, explanation="no goal rule in force on the spell start"
        )
    until = min(on, goal.due)
    events = goal_events(session, person_ids=[spell.person_id], since=spell.start_date, until=until)
    first = first_goal_event(
        events.get(spell.person_id, []),
        spell_start=spell.start_date,
        until=until,
        spell_end=spell.end_date,
        end_reason=spell.end_reason,
    )
    if first is None:
        text = f"no job, training or referral by {_fi(until)}; goal date {_fi(goal.due)}"
        return GoalProgress(due=goal.due, met_on=None, basis=None, explanation=text)
    return GoalProgress(
        due=goal.due,
        met_on=first[0],
        basis=first[1],
        explanation=f"{first[1].value} on {_fi(first[0])}, goal date {_fi(goal.due)}",
    )


def check_goal(
    *, session: Session, journey_id: int, on: dt.date, staff_id: int, note: str = ""
) -> CaseJourney:
    """The three-month goal check (R-D4): records whether a job, training or referral came by the goal date.
    Made once per journey."""
    journey = get_journey(session=session, journey_id=journey_id)
    staff = _staff(session, staff_id)
    if journey.goal_checked_on is not None:
        raise JourneyError(
            "journey %(journey)s: the goal was already checked on %(on)s",
            journey=journey.id,
            on=_fi(journey.goal_checked_on),
        )
    _guard(session, journey, target=J.GOAL_CHECKED, on=on, step=JourneyStep.GOAL_CHECK)
    progress = goal_progress(session=session, spell_id=journey.spell_id, on=on)
    if progress.due is None:
        raise JourneyError(
            "journey %(journey)s: no three-month goal rule is in force on the start of the spell",
            journey=journey.id,
        )
    journey.goal_checked_on = on
    journey.goal_met = progress.met
    journey.goal_basis = progress.basis
    _step(
        session,
        journey,
        step=JourneyStep.GOAL_CHECK,
        target=J.GOAL_CHECKED,
        on=on,
        staff=staff,
        details={
            "due": progress.due.isoformat(),
            "met": progress.met,
            "basis": progress.basis.value if progress.basis else None,
            "met_on": progress.met_on.isoformat() if progress.met_on else None,
            "explanation": progress.explanation,
            "note": note,
        },
    )
    return journey


def record_outcome(
    *,
    session: Session,
    journey_id: int,
    on: dt.date,
    outcome: SpellEndReason,
    staff_id: int | None,
    note: str = "",
    end_spell: bool = True,
    actor: str = "",
) -> CaseJourney:
    """Close the journey with its outcome; by default the jobseeking spell ends on ``on`` (inclusive) with
    the outcome as its end reason, and the open status period ends with it."""
    journey = get_journey(session=session, journey_id=journey_id)
    staff = _staff(session, staff_id)
    _guard(session, journey, target=J.CLOSED, on=on, step=JourneyStep.OUTCOME)
    spell = session.get(JobseekingSpell, journey.spell_id)
    assert spell is not None
    if end_spell:
        if spell.end_date is not None and spell.end_date != on:
            raise JourneyError("the spell already ended on %(on)s", on=_fi(spell.end_date))
        later = session.scalar(
            select(StatusPeriod.id).where(StatusPeriod.spell_id == spell.id, StatusPeriod.start_date > on)
        )
        if later is not None:
            raise JourneyError("the spell has a status period starting after %(on)s", on=_fi(on))
        spell.end_date = on
        spell.end_reason = outcome
        for period in session.scalars(
            select(StatusPeriod).where(StatusPeriod.spell_id == spell.id, StatusPeriod.end_date.is_(None))
        ):
            period.end_date = on
    journey.closed_on = on
    journey.outcome = outcome
    end_assignment(
        session=session,
        person_id=journey.person_id,
        on=on,
        by=actor or (staff.name if staff else ""),
        reason=f"journey closed: {outcome.value}",
    )
    _step(
        session,
        journey,
        step=JourneyStep.OUTCOME,
        target=J.CLOSED,
        on=on,
        staff=staff,
        actor=actor,
        details={"outcome": outcome.value, "note": note, "spell_ended": end_spell},
    )
    return journey


# ------------------------------------------------------------------------------------------ reading


def events(*, session: Session, journey_id: int) -> list[JourneyEvent]:
    return list(
        session.scalars(
            select(JourneyEvent)
            .where(JourneyEvent.journey_id == journey_id)
            .order_by(JourneyEvent.occurred_on, JourneyEvent.id)
        )
    )


@dataclass
class JourneyOverview:
    """Everything the jobseeker page shows of the journey, with the deadlines and the next steps."""

    journey: CaseJourney
    spell: JobseekingSpell
    events: list[JourneyEvent]
    assessment: ServiceNeedAssessment | None
    plan: EmploymentPlan | None
    tasks: list[PlanTask]
    plan_version_count: int
    initial_interview: deadlines.Deadline | None
    interview_held_on: dt.date | None
    next_discussion: deadlines.Deadline | None
    goal: GoalProgress
    next_statuses: tuple[JourneyStatus, ...] = field(default_factory=tuple)


def overview(*, session: Session, journey: CaseJourney, on: dt.date) -> JourneyOverview:
    """The page's view of a journey (stored or inferred by :func:`peek_journey`); reads only."""
    spell = session.get(JobseekingSpell, journey.spell_id)
    assert spell is not None
    plan = current_plan(session=session, spell_id=spell.id)
    interviews = session.scalars(
        select(Meeting.held_at).where(
            Meeting.spell_id == spell.id, Meeting.kind == MeetingKind.INITIAL_INTERVIEW.value
        )
    ).all()
    interview_day = min((local_date(m) for m in interviews), default=None)
    last = last_discussion_day(session=session, spell_id=spell.id)
    next_steps = transitions.allowed(transitions.JOURNEY_TRANSITIONS, journey.status)
    if journey.goal_checked_on is not None:
        next_steps = tuple(s for s in next_steps if s is not J.GOAL_CHECKED)
    return JourneyOverview(
        journey=journey,
        spell=spell,
        events=events(session=session, journey_id=journey.id) if journey.id is not None else [],
        assessment=session.scalar(
            select(ServiceNeedAssessment)
            .where(ServiceNeedAssessment.spell_id == spell.id)
            .order_by(ServiceNeedAssessment.assessed_on.desc(), ServiceNeedAssessment.id.desc())
            .limit(1)
        ),
        plan=plan,
        tasks=plan_tasks(session=session, plan_id=plan.id) if plan else [],
        plan_version_count=len(plan_versions(session=session, spell_id=spell.id)),
        initial_interview=deadline_or_none(deadlines.initial_interview_due, registered=spell.start_date),
        interview_held_on=interview_day,
        next_discussion=(
            deadline_or_none(deadlines.next_job_search_discussion_due, last=last)
            if last is not None and journey.status is not J.CLOSED
            else None
        ),
        goal=goal_progress(session=session, spell_id=spell.id, on=on),
        next_statuses=next_steps,
    )
