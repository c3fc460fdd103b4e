"""Worklists (työjonot) of case workers and teams (R-D4, R-E2): statutory deadlines due today and this week,
overdue items, customers approaching three months without a job, training or referral, plan tasks due and
handovers waiting for the receiver; caseload per worker by service line.

How a list is made:

1. **SQL, scoped**: the open spells of the customers assigned to the worker (or to the team's members on
   the day; a team list may add the unassigned registrations of the municipalities its members serve) —
   then the meetings, plans, tasks, referrals, groups and consents of exactly those spells, a fixed
   number of queries whatever the list's length. Nothing outside the scope is read.
2. **Rules, in Python**: each due date is computed by ``alue.casework.deadlines`` with the rule in force
   on the relevant date (working days with Finnish holidays), and the item carries the rule versions used.

Buckets: *overdue* (due before the day), *today*, *this week* (until Sunday of the day's ISO week) and
*upcoming* (later, within the list's horizon). Customers approaching the three-month goal appear from
``goal_warning_days`` before the goal date until ``goal_overdue_days`` after it (``caseload_norms.yaml``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from alue.area.rules import RuleNotInForceError, RuleRef, load_rules
from alue.casework import deadlines
from alue.casework.assignments import active_on, team_members
from alue.casework.goal import first_goal_event, goal_events
from alue.casework.journey import deadline_or_none, local_date
from alue.casework.journey_models import (
    N_,
    CaseJourney,
    JourneyStatus,
    PlanTask,
    QualificationRecognition,
    RecognitionStatus,
    StartupGrantApplication,
    StartupGrantStatus,
)
from alue.casework.models import (
    CaseAssignment,
    EmploymentPlan,
    Meeting,
    MeetingKind,
    PlanKind,
    ServiceNeedAssessment,
    ServicePath,
)
from alue.casework.referrals import consent_in_force
from alue.casework.service_lines import (
    CaseRow,
    Flag,
    LineContext,
    LineSettings,
    default_youth_age_limit,
    flags,
    in_line,
    load_line_settings,
)
from alue.people.models import CustomerGroup, CustomerGroupMembership, EducationLevel, JobseekingSpell, Person
from alue.services.models import Consent, Partner, PartnerKind, Production, Referral, ReferralStatus, Service
from alue.shared.db import covers
from alue.shared.time import add_working_days
from alue.staff.models import ServiceLine, StaffMember, StaffMunicipality, Team, TeamMembership

T = TypeVar("T")
CHUNK = 500


class ItemKind(StrEnum):
    INITIAL_INTERVIEW = "initial_interview"  # alkuhaastattelu
    JOB_SEARCH_DISCUSSION = "job_search_discussion"  # työnhakukeskustelu
    SUPPLEMENTARY_DISCUSSION = "supplementary_discussion"  # täydentävä työnhakukeskustelu
    GOAL_AT_RISK = "goal_at_risk"  # three months without job, training or referral (R-D4)
    PLAN_TASK = "plan_task"
    HANDOVER = "handover"  # a handover to a partner the receiver has not confirmed (R-E2)

    @property
    def label(self) -> str:
        return ITEM_LABELS[self]


ITEM_LABELS = {
    ItemKind.INITIAL_INTERVIEW: N_("Initial interview due"),
    ItemKind.JOB_SEARCH_DISCUSSION: N_("Job-search discussion due"),
    ItemKind.SUPPLEMENTARY_DISCUSSION: N_("Supplementary discussion due"),
    ItemKind.GOAL_AT_RISK: N_("Three months without a job, training or referral"),
    ItemKind.PLAN_TASK: N_("Plan task due"),
    ItemKind.HANDOVER: N_("Handover not confirmed"),
}


class Bucket(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    THIS_WEEK = "this_week"
    UPCOMING = "upcoming"

    @property
    def label(self) -> str:
        return {
            Bucket.OVERDUE: N_("Overdue"),
            Bucket.TODAY: N_("Today"),
            Bucket.THIS_WEEK: N_("This week"),
            Bucket.UPCOMING: N_("Upcoming"),
        }[self]


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: ItemKind
    due: dt.date
    bucket: Bucket
    person_id: int
    customer_number: str
    name: str
    spell_id: int
    staff_id: int | None
    explanation: str
    rules: tuple[RuleRef, ...] = ()
    detail: str = ""
    #: the plan task or referral the item is about
    ref_id: int | None = None
    flags: tuple[Flag, ...] = ()


@dataclass
class Worklist:
    on: dt.date
    until: dt.date
    scope: str
    items: list[WorkItem]
    cases: list[CaseRow]
    line: ServiceLine | None = None
    staff_names: dict[int, str] = field(default_factory=dict)

    def in_bucket(self, bucket: Bucket) -> list[WorkItem]:
        return [i for i in self.items if i.bucket is bucket]

    def count(self, kind: ItemKind | None = None, bucket: Bucket | None = None) -> int:
        return sum(
            1
            for i in self.items
            if (kind is None or i.kind is kind) and (bucket is None or i.bucket is bucket)
        )

    @property
    def unassigned(self) -> list[CaseRow]:
        return [c for c in self.cases if c.staff_id is None]


def week_end(day: dt.date) -> dt.date:
    """Sunday of the ISO week of ``day``."""
    return day + dt.timedelta(days=6 - day.weekday())


def bucket_of(due: dt.date, on: dt.date) -> Bucket:
    if due < on:
        return Bucket.OVERDUE
    if due == on:
        return Bucket.TODAY
    if due <= week_end(on):
        return Bucket.THIS_WEEK
    return Bucket.UPCOMING


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _fi(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


# --------------------------------------------------------------------------------------- loading


def _open_spell(day: dt.date):  # type: ignore[no-untyped-def]
    return and_(
        covers(JobseekingSpell.start_date, JobseekingSpell.end_date, day),
    )


def load_cases(session: Session, *, scope, on: dt.date) -> list[CaseRow]:  # type: ignore[no-untyped-def]
    """The open cases matching ``scope`` (a WHERE clause over Person, JobseekingSpell and the assignment in
    force, outer-joined) with everything the worklist and the line filters need."""
    rows = session.execute(
        select(
            Person.id,
            Person.customer_number,
            Person.first_name,
            Person.last_name,
            Person.birth_date,
            Person.education_level,
            Person.languages,
            JobseekingSpell.id,
            JobseekingSpell.start_date,
            JobseekingSpell.municipality_code,
            CaseAssignment.staff_id,
            CaseAssignment.service_line,
        )
        .join(JobseekingSpell, JobseekingSpell.person_id == Person.id)
        .outerjoin(
            CaseAssignment,
            and_(
                CaseAssignment.person_id == Person.id,
                active_on(CaseAssignment.start_date, CaseAssignment.end_date, on),
            ),
        )
        .where(_open_spell(on), scope)
        .order_by(Person.last_name, Person.first_name, Person.id, CaseAssignment.start_date.desc())
    ).all()
    cases: dict[int, CaseRow] = {}
    for r in rows:
        if r[7] in cases:
            continue
        cases[r[7]] = CaseRow(
            person_id=r[0],
            customer_number=r[1],
            name=f"{r[3]} {r[2]}",
            birth_date=r[4],
            education_level=EducationLevel(r[5]),
            languages=dict(r[6] or {}),
            spell_id=r[7],
            spell_start=r[8],
            municipality_code=r[9],
            staff_id=r[10],
            assignment_line=ServiceLine(r[11]) if r[11] is not None else None,
        )
    _enrich(session, list(cases.values()), on=on)
    return list(cases.values())


def _enrich(session: Session, cases: list[CaseRow], *, on: dt.date) -> None:
    by_spell = {c.spell_id: c for c in cases}
    by_person: dict[int, list[CaseRow]] = defaultdict(list)
    for c in cases:
        by_person[c.person_id].append(c)
    spell_ids = list(by_spell)
    person_ids = list(by_person)
    settings_kela = load_line_settings().multisector_partners.kela_business_id.value
    for chunk in _chunks(spell_ids):
        for spell_id, status, checked in session.execute(
            select(CaseJourney.spell_id, CaseJourney.status, CaseJourney.goal_checked_on).where(
                CaseJourney.spell_id.in_(chunk)
            )
        ):
            by_spell[spell_id].journey_status = JourneyStatus(status)
            by_spell[spell_id].goal_checked_on = checked
        for assessed_spell, path in session.execute(
            select(ServiceNeedAssessment.spell_id, ServiceNeedAssessment.path)
            .where(ServiceNeedAssessment.spell_id.in_(chunk))
            .order_by(ServiceNeedAssessment.assessed_on, ServiceNeedAssessment.id)
        ):
            if assessed_spell is not None:
                by_spell[assessed_spell].path = ServicePath(path)  # the latest wins
        for planned_spell, plan_kind in session.execute(
            select(EmploymentPlan.spell_id, EmploymentPlan.kind).where(EmploymentPlan.spell_id.in_(chunk))
        ):
            if planned_spell is not None:
                by_spell[planned_spell].plan_kinds.add(PlanKind(plan_kind))
    for chunk in _chunks(person_ids):
        for person_id, group in session.execute(
            select(CustomerGroupMembership.person_id, CustomerGroupMembership.group).where(
                CustomerGroupMembership.person_id.in_(chunk),
                active_on(CustomerGroupMembership.start_date, CustomerGroupMembership.end_date, on),
            )
        ):
            for c in by_person[person_id]:
                c.groups.add(CustomerGroup(group))
        for person_id, partner_kind, business_id, name in session.execute(
            select(Consent.person_id, Partner.kind, Partner.business_id, Partner.name)
            .join(Partner, Partner.id == Consent.partner_id)
            .where(Consent.person_id.in_(chunk), consent_in_force(on))
        ):
            for c in by_person[person_id]:
                c.consent_partner_kinds.add(PartnerKind(partner_kind))
                if business_id == settings_kela or name.strip().lower() == "kela":
                    c.consent_kela = True
        for person_id, count in session.execute(
            select(QualificationRecognition.person_id, func.count())
            .where(
                QualificationRecognition.person_id.in_(chunk),
                QualificationRecognition.status == RecognitionStatus.PENDING.value,
            )
            .group_by(QualificationRecognition.person_id)
        ):
            for c in by_person[person_id]:
                c.recognitions_pending = int(count)
        for person_id, grant_status in session.execute(
            select(StartupGrantApplication.person_id, StartupGrantApplication.status)
            .where(StartupGrantApplication.person_id.in_(chunk), StartupGrantApplication.applied_on <= on)
            .order_by(StartupGrantApplication.applied_on, StartupGrantApplication.id)
        ):
            for c in by_person[person_id]:
                c.startup_grant = StartupGrantStatus(grant_status)


# ------------------------------------------------------------------------------------------ items


class _Memo:
    """Deadlines depend only on their basis date: compute each once per list. None where no rule version
    is in force on the basis day (no item is made)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, dt.date], Any] = {}

    def _get(self, kind: str, day: dt.date, compute: Any, **kwargs: Any) -> Any:
        key = (kind, day)
        if key not in self.cache:
            self.cache[key] = deadline_or_none(compute, **kwargs)
        return self.cache[key]

    def initial(self, day: dt.date) -> deadlines.Deadline | None:
        return self._get("interview", day, deadlines.initial_interview_due, registered=day)  # type: ignore[no-any-return]

    def next_discussion(self, day: dt.date) -> deadlines.Deadline | None:
        return self._get("discussion", day, deadlines.next_job_search_discussion_due, last=day)  # type: ignore[no-any-return]

    def three_months(self, day: dt.date) -> deadlines.Deadline | None:
        return self._get("goal", day, deadlines.three_month_goal, spell_start=day)  # type: ignore[no-any-return]

    def schedule(self, day: dt.date) -> deadlines.SupplementarySchedule | None:
        return self._get("schedule", day, deadlines.supplementary_discussion_schedule, spell_start=day)  # type: ignore[no-any-return]


def build_items(
    session: Session,
    cases: Sequence[CaseRow],
    *,
    on: dt.date,
    until: dt.date,
    ctx: LineContext,
) -> list[WorkItem]:
    """Every item of the cases due by ``until`` (goal warnings from their warning window)."""
    by_spell = {c.spell_id: c for c in cases}
    spell_ids = list(by_spell)
    meetings: dict[int, dict[MeetingKind, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    latest_plan: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(spell_ids):
        for met_spell, kind, held_at in session.execute(
            select(Meeting.spell_id, Meeting.kind, Meeting.held_at).where(Meeting.spell_id.in_(chunk))
        ):
            day = local_date(held_at)
            if met_spell is not None and day <= on:
                meetings[met_spell][MeetingKind(kind)].append(day)
        for plan_id, planned_spell, version in session.execute(
            select(EmploymentPlan.id, EmploymentPlan.spell_id, EmploymentPlan.version).where(
                EmploymentPlan.spell_id.in_(chunk), EmploymentPlan.made_on <= on
            )
        ):
            if planned_spell is None:
                continue
            if planned_spell not in latest_plan or version > latest_plan[planned_spell][1]:
                latest_plan[planned_spell] = (plan_id, version)
    plan_spell = {plan_id: spell_id for spell_id, (plan_id, _) in latest_plan.items()}
    tasks: list[PlanTask] = []
    for chunk in _chunks(list(plan_spell)):
        tasks.extend(
            session.scalars(
                select(PlanTask).where(
                    PlanTask.plan_id.in_(chunk),
                    PlanTask.due.is_not(None),
                    or_(PlanTask.done_on.is_(None), PlanTask.done_on > on),
                    PlanTask.due <= until,
                )
            )
        )
    person_ids = sorted({c.person_id for c in cases})
    handovers: list[tuple[int, int, dt.date, str]] = []
    for chunk in _chunks(person_ids):
        handovers.extend(
            (r[0], r[1], r[2], r[3] or "")
            for r in session.execute(
                select(Referral.id, Referral.person_id, Referral.referred_on, Partner.name)
                .outerjoin(Service, Service.id == Referral.service_id)
                .join(Partner, Partner.id == func.coalesce(Referral.partner_id, Service.provider_id))
                .where(
                    Referral.person_id.in_(chunk),
                    Referral.status == ReferralStatus.SENT.value,
                    Referral.referred_on <= on,
                    or_(Referral.partner_id.is_not(None), Service.production == Production.PURCHASED.value),
                )
            )
        )
    earliest = min((c.spell_start for c in cases), default=on)
    events = goal_events(session, person_ids=person_ids, since=earliest, until=on)

    memo = _Memo()
    # A supplementary discussion is listed only while a fixed schedule is in force: once the schedule is
    # abolished (1.1.2026) a missed one can no longer be held late.
    try:
        fixed_schedule_today = (
            load_rules().in_force(deadlines.SUPPLEMENTARY_SCHEDULE, on).value.mode == "fixed"
        )
    except RuleNotInForceError:
        fixed_schedule_today = False
    warn_days = int(ctx.settings.worklist.goal_warning_days.value)
    overdue_days = int(ctx.settings.worklist.goal_overdue_days.value)
    confirm_days = int(ctx.settings.worklist.handover_confirmation_working_days.value)
    items: list[WorkItem] = []
    case_flags = {c.spell_id: tuple(flags(c, ctx)) for c in cases}

    def add(case: CaseRow, kind: ItemKind, due: dt.date, explanation: str, **extra: object) -> None:
        items.append(
            WorkItem(
                kind=kind,
                due=due,
                bucket=bucket_of(due, on),
                person_id=case.person_id,
                customer_number=case.customer_number,
                name=case.name,
                spell_id=case.spell_id,
                staff_id=case.staff_id,
                explanation=explanation,
                flags=case_flags[case.spell_id],
                **extra,  # type: ignore[arg-type]
            )
        )

    for case in cases:
        held = meetings.get(case.spell_id, {})
        interviews = held.get(MeetingKind.INITIAL_INTERVIEW, [])
        if not interviews:
            d = memo.initial(case.spell_start)
            if d is not None and d.due <= until:
                add(case, ItemKind.INITIAL_INTERVIEW, d.due, d.explanation, rules=d.rules)
        else:
            last = max(interviews + held.get(MeetingKind.JOB_SEARCH_DISCUSSION, []))
            d = memo.next_discussion(last)
            if d is not None and d.due <= until:
                add(case, ItemKind.JOB_SEARCH_DISCUSSION, d.due, d.explanation, rules=d.rules)
        schedule = memo.schedule(case.spell_start)
        done = len(held.get(MeetingKind.SUPPLEMENTARY_DISCUSSION, []))
        if fixed_schedule_today and schedule is not None and done < len(schedule.discussions):
            nxt = schedule.discussions[done]
            if nxt.due <= until:
                add(
                    case,
                    ItemKind.SUPPLEMENTARY_DISCUSSION,
                    nxt.due,
                    f"supplementary discussion {done + 1} of {len(schedule.discussions)} "
                    f"(schedule in force on the spell start {_fi(case.spell_start)})",
                    rules=schedule.rules,
                )
        if case.goal_checked_on is None:
            goal = memo.three_months(case.spell_start)
            met = first_goal_event(events.get(case.person_id, []), spell_start=case.spell_start, until=on)
            window = goal is not None and goal.due - dt.timedelta(
                days=warn_days
            ) <= on <= goal.due + dt.timedelta(days=overdue_days)
            if goal is not None and window and met is None:
                add(
                    case,
                    ItemKind.GOAL_AT_RISK,
                    goal.due,
                    f"no job, training or referral since {_fi(case.spell_start)}; {goal.explanation}",
                    rules=goal.rules,
                )
    for task in tasks:
        case = by_spell[plan_spell[task.plan_id]]
        assert task.due is not None
        add(case, ItemKind.PLAN_TASK, task.due, f"plan task: {task.text}", detail=task.text, ref_id=task.id)
    cases_by_person: dict[int, CaseRow] = {c.person_id: c for c in cases}
    for referral_id, person_id, referred_on, partner in handovers:
        due = add_working_days(referred_on, confirm_days)
        if due <= until:
            add(
                cases_by_person[person_id],
                ItemKind.HANDOVER,
                due,
                f"referral of {_fi(referred_on)} not confirmed by {partner or 'the receiver'} "
                f"({confirm_days} working days)",
                detail=partner,
                ref_id=referral_id,
            )
    items.sort(key=lambda i: (i.due, i.name, i.kind.value))
    return items


# --------------------------------------------------------------------------------------- worklists


def _context(on: dt.date, youth_age_limit: int | None, settings: LineSettings | None) -> LineContext:
    return LineContext(
        on=on,
        youth_age_limit=youth_age_limit if youth_age_limit is not None else default_youth_age_limit(),
        settings=settings or load_line_settings(),
    )


def _finish(
    session: Session,
    cases: list[CaseRow],
    *,
    on: dt.date,
    until: dt.date | None,
    line: ServiceLine | None,
    ctx: LineContext,
    scope: str,
) -> Worklist:
    if line is not None:
        cases = [c for c in cases if in_line(c, line, ctx)]
    end = until or week_end(on)
    items = build_items(session, cases, on=on, until=end, ctx=ctx)
    staff_ids = {c.staff_id for c in cases if c.staff_id is not None}
    names = (
        {s.id: s.name for s in session.scalars(select(StaffMember).where(StaffMember.id.in_(staff_ids)))}
        if staff_ids
        else {}
    )
    return Worklist(on=on, until=end, scope=scope, items=items, cases=cases, line=line, staff_names=names)


def worker_worklist(
    *,
    session: Session,
    staff_id: int,
    on: dt.date,
    until: dt.date | None = None,
    line: ServiceLine | None = None,
    youth_age_limit: int | None = None,
    settings: LineSettings | None = None,
) -> Worklist:
    """The worklist of one case worker: the customers assigned to them on ``on``."""
    ctx = _context(on, youth_age_limit, settings)
    cases = load_cases(session, scope=CaseAssignment.staff_id == staff_id, on=on)
    return _finish(session, cases, on=on, until=until, line=line, ctx=ctx, scope=f"staff:{staff_id}")


def team_worklist(
    *,
    session: Session,
    team_id: int,
    on: dt.date,
    until: dt.date | None = None,
    line: ServiceLine | None = None,
    include_unassigned: bool = True,
    youth_age_limit: int | None = None,
    settings: LineSettings | None = None,
) -> Worklist:
    """The worklist of a team: the customers of its members on ``on`` and, if asked, the customers
    without a responsible worker in the municipalities the members serve (new registrations waiting for
    an interview)."""
    ctx = _context(on, youth_age_limit, settings)
    members = select(TeamMembership.staff_id).where(
        TeamMembership.team_id == team_id,
        active_on(TeamMembership.start_date, TeamMembership.end_date, on),
    )
    scope: ColumnElement[bool] = CaseAssignment.staff_id.in_(members)
    if include_unassigned:
        served = select(StaffMunicipality.municipality_code).where(StaffMunicipality.staff_id.in_(members))
        scope = or_(scope, and_(CaseAssignment.id.is_(None), JobseekingSpell.municipality_code.in_(served)))
    cases = load_cases(session, scope=scope, on=on)
    return _finish(session, cases, on=on, until=until, line=line, ctx=ctx, scope=f"team:{team_id}")


# ------------------------------------------------------------------------------------------ caseload


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    staff_id: int
    name: str
    service_line: ServiceLine
    fte: float
    by_line: dict[ServiceLine, int]
    norm_per_fte: int

    @property
    def total(self) -> int:
        return sum(self.by_line.values())

    @property
    def capacity(self) -> float:
        return self.norm_per_fte * self.fte

    @property
    def utilisation(self) -> float | None:
        """Customers relative to the norm (1.0 = at the norm); None where the line has no norm."""
        return self.total / self.capacity if self.capacity else None


def caseload(
    *,
    session: Session,
    on: dt.date,
    team_id: int | None = None,
    staff_ids: Iterable[int] | None = None,
    settings: LineSettings | None = None,
) -> list[CaseloadRow]:
    """Customers per worker by the line of the assignment, on ``on``, against the worker's line norm.

    Counted: assignments in force whose customer has an open jobseeking spell. Workers without customers
    are listed with zero when they are in the team or in ``staff_ids``.
    """
    norms = settings or load_line_settings()
    wanted: set[int] | None = None
    if team_id is not None:
        wanted = {s.id for s in team_members(session=session, team_id=team_id, on=on)}
    if staff_ids is not None:
        wanted = set(staff_ids) if wanted is None else wanted & set(staff_ids)
    open_spell = (
        select(JobseekingSpell.id)
        .where(JobseekingSpell.person_id == CaseAssignment.person_id, _open_spell(on))
        .exists()
    )
    stmt = (
        select(
            CaseAssignment.staff_id,
            CaseAssignment.service_line,
            func.count(func.distinct(CaseAssignment.person_id)),
        )
        .where(active_on(CaseAssignment.start_date, CaseAssignment.end_date, on), open_spell)
        .group_by(CaseAssignment.staff_id, CaseAssignment.service_line)
    )
    if wanted is not None:
        stmt = stmt.where(CaseAssignment.staff_id.in_(sorted(wanted)))
    counts: dict[int, dict[ServiceLine, int]] = defaultdict(dict)
    for staff_id, line, count in session.execute(stmt):
        counts[staff_id][ServiceLine(line)] = int(count)
    ids = set(counts) | (wanted or set())
    rows = []
    for staff in session.scalars(
        select(StaffMember).where(StaffMember.id.in_(sorted(ids))).order_by(StaffMember.last_name)
    ):
        line = ServiceLine(staff.service_line)
        rows.append(
            CaseloadRow(
                staff_id=staff.id,
                name=staff.name,
                service_line=line,
                fte=float(staff.fte),
                by_line=dict(counts.get(staff.id, {})),
                norm_per_fte=norms.norm(line),
            )
        )
    return rows


def teams_for(*, session: Session, staff_id: int, on: dt.date) -> list[Team]:
    """Teams the staff member belongs to or leads (the team worklists they may open)."""
    member = select(TeamMembership.team_id).where(
        TeamMembership.staff_id == staff_id, active_on(TeamMembership.start_date, TeamMembership.end_date, on)
    )
    return list(
        session.scalars(
            select(Team).where(or_(Team.id.in_(member), Team.lead_staff_id == staff_id)).order_by(Team.name)
        )
    )
