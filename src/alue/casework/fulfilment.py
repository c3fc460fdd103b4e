"""Deadline fulfilment (määräaikojen toteutuminen) per team and municipality: the share of deadlines falling
in a period that were met. The scorecard reads :func:`deadline_fulfilment`.

Measures (a deadline counts in the period when its due date falls in the period and not after ``as_of``):

* ``initial_interview_on_time`` — spells whose initial-interview deadline (rule in force on the
  registration day) falls in the period and that were still open on it, or had the interview; met when
  the interview was held on or before the deadline;
* ``job_search_discussion_on_time`` — every deadline "next discussion within N months of the previous
  one" (the initial interview or a job-search discussion) falling in the period, while the spell was open
  on it or the next discussion was held; met when the next discussion came on or before it;
* ``three_month_goal_met`` (R-D4) — spells whose goal date falls in the period and that were open on it or
  ended in a job or training before it; met when a job, training or referral came by the goal date
  (``alue.casework.goal``).

Each deadline is attributed to the spell's municipality (home at registration) and to the team of the
worker responsible on the due date (the member's team with the lowest id; ``None`` when nobody was
assigned).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alue.casework import deadlines
from alue.casework.goal import end_reason_basis, first_goal_event, goal_events
from alue.casework.journey import deadline_or_none, local_date
from alue.casework.journey_models import N_
from alue.casework.models import CaseAssignment, Meeting, MeetingKind
from alue.people.models import JobseekingSpell, SpellEndReason
from alue.shared.time import DateRange
from alue.staff.models import Team, TeamMembership

LOOKBACK = dt.timedelta(days=120)


class Measure(StrEnum):
    INITIAL_INTERVIEW = "initial_interview_on_time"
    JOB_SEARCH_DISCUSSION = "job_search_discussion_on_time"
    THREE_MONTH_GOAL = "three_month_goal_met"

    @property
    def label(self) -> str:
        return {
            Measure.INITIAL_INTERVIEW: N_("Initial interviews held by the deadline"),
            Measure.JOB_SEARCH_DISCUSSION: N_("Job-search discussions held by the deadline"),
            Measure.THREE_MONTH_GOAL: N_("Job, training or referral within three months"),
        }[self]


@dataclass
class Cell:
    due: int = 0
    met: int = 0

    @property
    def share(self) -> float | None:
        return self.met / self.due if self.due else None


def _cells() -> dict[Measure, Cell]:
    return {m: Cell() for m in Measure}


@dataclass
class FulfilmentReport:
    period: DateRange
    as_of: dt.date
    total: dict[Measure, Cell] = field(default_factory=_cells)
    by_municipality: dict[str, dict[Measure, Cell]] = field(default_factory=lambda: defaultdict(_cells))
    by_team: dict[int | None, dict[Measure, Cell]] = field(default_factory=lambda: defaultdict(_cells))
    team_names: dict[int, str] = field(default_factory=dict)

    def add(self, measure: Measure, *, municipality: str, team: int | None, met: bool) -> None:
        for cells in (self.total, self.by_municipality[municipality], self.by_team[team]):
            cells[measure].due += 1
            cells[measure].met += int(met)


class _Responsibility:
    """Who was responsible for a person on a day, and that worker's team on that day."""

    def __init__(self, session: Session, person_ids: list[int]) -> None:
        self.assignments: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for start in range(0, len(person_ids), 500):
            chunk = person_ids[start : start + 500]
            for person_id, a_start, a_end, staff_id in session.execute(
                select(
                    CaseAssignment.person_id,
                    CaseAssignment.start_date,
                    CaseAssignment.end_date,
                    CaseAssignment.staff_id,
                ).where(CaseAssignment.person_id.in_(chunk))
            ):
                self.assignments[person_id].append((a_start, a_end, staff_id))
        self.memberships: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for team_id, staff_id, m_start, m_end in session.execute(
            select(
                TeamMembership.team_id,
                TeamMembership.staff_id,
                TeamMembership.start_date,
                TeamMembership.end_date,
            )
        ):
            self.memberships[staff_id].append((m_start, m_end, team_id))

    @staticmethod
    def _on(rows: list[tuple[dt.date, dt.date | None, int]], day: dt.date) -> int | None:
        hits = [(start, value) for start, end, value in rows if start <= day and (end is None or end >= day)]
        return max(hits)[1] if hits else None

    def team(self, person_id: int, day: dt.date) -> int | None:
        staff_id = self._on(self.assignments.get(person_id, []), day)
        if staff_id is None:
            return None
        teams = sorted(
            team
            for start, end, team in self.memberships.get(staff_id, [])
            if start <= day and (end is None or end >= day)
        )
        return teams[0] if teams else None


def deadline_fulfilment(
    *, session: Session, period: DateRange, as_of: dt.date | None = None
) -> FulfilmentReport:
    """Fulfilment of the casework deadlines falling in ``period`` (up to ``as_of``, default its end)."""
    if period.end is None:
        raise ValueError("the period needs an end")
    last = min(period.end, as_of or period.end)
    report = FulfilmentReport(period=period, as_of=last)
    if last < period.start:
        return report
    window = DateRange(period.start, last)
    spells = session.execute(
        select(
            JobseekingSpell.id,
            JobseekingSpell.person_id,
            JobseekingSpell.start_date,
            JobseekingSpell.end_date,
            JobseekingSpell.end_reason,
            JobseekingSpell.municipality_code,
        ).where(
            JobseekingSpell.start_date <= last,
            or_(JobseekingSpell.end_date.is_(None), JobseekingSpell.end_date >= period.start - LOOKBACK),
        )
    ).all()
    if not spells:
        return report
    spell_ids = [s[0] for s in spells]
    held: dict[int, dict[MeetingKind, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for offset in range(0, len(spell_ids), 500):
        for met_spell, kind, held_at in session.execute(
            select(Meeting.spell_id, Meeting.kind, Meeting.held_at).where(
                Meeting.spell_id.in_(spell_ids[offset : offset + 500]),
                Meeting.kind.in_(
                    [MeetingKind.INITIAL_INTERVIEW.value, MeetingKind.JOB_SEARCH_DISCUSSION.value]
                ),
            )
        ):
            if met_spell is not None:
                held[met_spell][MeetingKind(kind)].append(local_date(held_at))
    person_ids = sorted({s[1] for s in spells})
    responsibility = _Responsibility(session, person_ids)
    events = goal_events(session, person_ids=person_ids, since=min(s[2] for s in spells), until=last)
    memo: dict[tuple[str, dt.date], dt.date | None] = {}

    def due(kind: str, basis: dt.date) -> dt.date | None:
        key = (kind, basis)
        if key not in memo:
            if kind == "interview":
                found = deadline_or_none(deadlines.initial_interview_due, registered=basis)
            elif kind == "discussion":
                found = deadline_or_none(deadlines.next_job_search_discussion_due, last=basis)
            else:
                found = deadline_or_none(deadlines.three_month_goal, spell_start=basis)
            memo[key] = found.due if found is not None else None
        return memo[key]

    def open_on(end: dt.date | None, day: dt.date) -> bool:
        return end is None or end >= day

    for spell_id, person_id, start, end, reason, municipality in spells:
        meetings = held.get(spell_id, {})
        interviews = sorted(meetings.get(MeetingKind.INITIAL_INTERVIEW, []))
        # initial interview
        deadline = due("interview", start)
        if deadline is not None and window.includes(deadline) and (open_on(end, deadline) or interviews):
            report.add(
                Measure.INITIAL_INTERVIEW,
                municipality=municipality,
                team=responsibility.team(person_id, deadline),
                met=bool(interviews) and interviews[0] <= deadline,
            )
        # job-search discussions: each held discussion sets the next deadline
        chain = sorted(set(interviews[:1] + meetings.get(MeetingKind.JOB_SEARCH_DISCUSSION, [])))
        for index, basis in enumerate(chain):
            deadline = due("discussion", basis)
            following = chain[index + 1] if index + 1 < len(chain) else None
            if (
                deadline is not None
                and window.includes(deadline)
                and (open_on(end, deadline) or following is not None)
            ):
                report.add(
                    Measure.JOB_SEARCH_DISCUSSION,
                    municipality=municipality,
                    team=responsibility.team(person_id, deadline),
                    met=following is not None and following <= deadline,
                )
        # three-month goal
        goal_day = due("goal", start)
        if goal_day is None:
            continue
        ended_well = (
            end is not None
            and end <= goal_day
            and end_reason_basis(SpellEndReason(reason) if reason else None)
        )
        if window.includes(goal_day) and (open_on(end, goal_day) or ended_well):
            first = first_goal_event(
                events.get(person_id, []),
                spell_start=start,
                until=goal_day,
                spell_end=end,
                end_reason=SpellEndReason(reason) if reason else None,
            )
            report.add(
                Measure.THREE_MONTH_GOAL,
                municipality=municipality,
                team=responsibility.team(person_id, goal_day),
                met=first is not None,
            )
    team_ids = [t for t in report.by_team if t is not None]
    if team_ids:
        report.team_names = dict(
            session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all()
        )
    return report
