"""Worklists against hand-built scenarios: several workers and teams, deadlines on both sides of 1.1.2026 and
around holidays, reassignment with history, caseload and deadline-fulfilment figures.

Calendar notes (wd = working day): Thu 1.1.2026 New Year's Day and Tue 6.1.2026 Epiphany are off; Good Friday
3.4.2026 and Easter Monday 6.4.2026 are off; 24.–26.12.2025 are off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.casework import assignments, fulfilment, referrals
from alue.casework import journey as jr
from alue.casework.assignments import AssignmentError
from alue.casework.journey_models import CaseJourney
from alue.casework.models import CaseAssignment, ServicePath
from alue.casework.worklists import (
    Bucket,
    ItemKind,
    bucket_of,
    caseload,
    team_worklist,
    week_end,
    worker_worklist,
)
from alue.people.models import EducationLevel, Person, SpellEndReason
from alue.staff.models import ServiceLine, StaffMember, Team

from .factories import make_service, make_staff, make_team, registered

D = dt.date
MON = D(2026, 1, 5)


@dataclass
class World:
    a: StaffMember
    b: StaffMember
    c: StaffMember
    lead_north: StaffMember
    lead_south: StaffMember
    north: Team
    south: Team
    people: dict[str, Person]
    journeys: dict[str, CaseJourney]


def build_world(session: Session) -> World:
    a = make_staff(session, municipalities=["609"], first_name="Anna", last_name="A")
    b = make_staff(session, municipalities=["609", "886"], first_name="Bertta", last_name="B")
    c = make_staff(session, municipalities=["271"], first_name="Cecilia", last_name="C")
    lead_north = make_staff(session, first_name="Leena", last_name="North")
    lead_south = make_staff(session, municipalities=["271"], first_name="Sami", last_name="South")
    north = make_team(session, name="North", lead=lead_north, members=[a, b])
    south = make_team(session, name="South", lead=lead_south, members=[c])
    people: dict[str, Person] = {}
    journeys: dict[str, CaseJourney] = {}

    def add(
        key: str, on: dt.date, staff: StaffMember | None, municipality: str = "609", **person: object
    ) -> None:
        p, j = registered(session, on=on, staff=staff, municipality=municipality, **person)
        if staff is not None:
            assignments.assign(session=session, person_id=p.id, staff_id=staff.id, on=on, by="test")
        people[key], journeys[key] = p, j

    # P1: Tue 30.12.2025, 5-wd rule: Wed 31.12 (1), Fri 2.1 (2), Mon 5.1 (3), Wed 7.1 (4), Thu 8.1 (5).
    add("p1", D(2025, 12, 30), a)
    # P2: Fri 2.1.2026, 10-wd rule: 5, 7, 8, 9, 12, 13, 14, 15, 16, 19.1 → Mon 19.1.2026. Young, no degree.
    add("p2", D(2026, 1, 2), b, "886", birth_date=D(2008, 3, 1), education_level=EducationLevel.BASIC)
    # P3: 1.10.2025, interview Mon 6.10.2025 → next discussion 6.1.2026 (Epiphany) → Mon 5.1.2026.
    add("p3", D(2025, 10, 1), a)
    # P4: 20.10.2025, interview 22.10.2025 → discussion due Thu 22.1.2026; goal date 20.1.2026.
    add("p4", D(2025, 10, 20), b)
    # P5: Mon 22.12.2025, unassigned in Pori, 5-wd rule: Tue 23 (1), Mon 29 (2), Tue 30 (3), Wed 31 (4),
    # Fri 2.1.2026 (5).
    add("p5", D(2025, 12, 22), None)
    # P6: South's customer in Kokemäki, 2.1.2026 → due Mon 19.1.2026.
    add("p6", D(2026, 1, 2), c, "271")
    # P7: A's customer whose spell closed before the list's day.
    add("p7", D(2025, 9, 1), a)

    service = make_service(session)
    for key, day in (("p3", D(2025, 10, 6)), ("p4", D(2025, 10, 22))):
        staff = a if key == "p3" else b
        j = journeys[key]
        jr.hold_initial_interview(session=session, journey_id=j.id, held_at=day, staff_id=staff.id)
        jr.assess_service_need(
            session=session,
            journey_id=j.id,
            on=day,
            staff_id=staff.id,
            path=ServicePath.DIRECT_BROKERAGE,
            reasons=["ready"],
        )
    jr.make_plan(
        session=session,
        journey_id=journeys["p3"].id,
        on=D(2025, 10, 6),
        staff_id=a.id,
        goals=["job"],
        tasks=[
            jr.TaskInput("Send three applications", D(2026, 1, 9)),
            jr.TaskInput("Done already", D(2026, 1, 7)),
        ],
    )
    done = jr.plan_tasks(
        session=session, plan_id=jr.current_plan(session=session, spell_id=journeys["p3"].spell_id).id
    )[1]
    jr.complete_task(session=session, task_id=done.id, on=D(2025, 12, 1), staff_id=a.id)
    # P3's three-month goal (1.1.2026) is met by a referral on 1.12.2025
    referrals.refer(
        session=session, person_id=people["p3"].id, on=D(2025, 12, 1), staff_id=a.id, service_id=service.id
    )
    jr.record_outcome(
        session=session,
        journey_id=journeys["p7"].id,
        on=D(2025, 12, 15),
        outcome=SpellEndReason.EMPLOYED_OPEN_MARKET,
        staff_id=a.id,
    )
    # P7's assignment stays open on purpose (an imported record): it must still not be listed or counted
    row = session.scalar(select(CaseAssignment).where(CaseAssignment.person_id == people["p7"].id))
    row.end_date = None
    session.flush()
    return World(a, b, c, lead_north, lead_south, north, south, people, journeys)


def _items(worklist) -> set[tuple[str, ItemKind, dt.date, Bucket]]:
    names = {}
    return {(names.setdefault(i.person_id, i.person_id), i.kind, i.due, i.bucket) for i in worklist.items}


def keyed(world: World, worklist) -> set[tuple[str, ItemKind, dt.date, Bucket]]:
    key = {p.id: k for k, p in world.people.items()}
    return {(key[i.person_id], i.kind, i.due, i.bucket) for i in worklist.items}


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def test_buckets_and_week() -> None:
    assert week_end(MON) == D(2026, 1, 11)
    assert week_end(D(2026, 1, 11)) == D(2026, 1, 11)
    assert bucket_of(D(2026, 1, 2), MON) is Bucket.OVERDUE
    assert bucket_of(MON, MON) is Bucket.TODAY
    assert bucket_of(D(2026, 1, 11), MON) is Bucket.THIS_WEEK
    assert bucket_of(D(2026, 1, 12), MON) is Bucket.UPCOMING


def test_worker_worklist_on_monday(session: Session, world: World) -> None:
    a = worker_worklist(session=session, staff_id=world.a.id, on=MON, youth_age_limit=30)
    assert keyed(world, a) == {
        ("p1", ItemKind.INITIAL_INTERVIEW, D(2026, 1, 8), Bucket.THIS_WEEK),
        ("p3", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 1, 5), Bucket.TODAY),
        ("p3", ItemKind.PLAN_TASK, D(2026, 1, 9), Bucket.THIS_WEEK),
    }
    p1 = next(i for i in a.items if i.kind is ItemKind.INITIAL_INTERVIEW)
    assert p1.rules[0].rule_id == "initial_interview.deadline_working_days"
    assert p1.rules[0].effective_to == D(2025, 12, 31)  # the 5-day rule in force on the registration day
    assert {c.person_id for c in a.cases} == {world.people["p1"].id, world.people["p3"].id}

    b = worker_worklist(session=session, staff_id=world.b.id, on=MON, youth_age_limit=30)
    assert keyed(world, b) == {("p4", ItemKind.GOAL_AT_RISK, D(2026, 1, 20), Bucket.UPCOMING)}
    b_month = worker_worklist(
        session=session, staff_id=world.b.id, on=MON, until=D(2026, 1, 31), youth_age_limit=30
    )
    assert keyed(world, b_month) == {
        ("p2", ItemKind.INITIAL_INTERVIEW, D(2026, 1, 19), Bucket.UPCOMING),
        ("p4", ItemKind.GOAL_AT_RISK, D(2026, 1, 20), Bucket.UPCOMING),
        ("p4", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 1, 22), Bucket.UPCOMING),
    }


def test_items_become_overdue_and_disappear_when_done(session: Session, world: World) -> None:
    fri = D(2026, 1, 9)
    a = worker_worklist(session=session, staff_id=world.a.id, on=fri, youth_age_limit=30)
    assert keyed(world, a) == {
        ("p1", ItemKind.INITIAL_INTERVIEW, D(2026, 1, 8), Bucket.OVERDUE),
        ("p3", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 1, 5), Bucket.OVERDUE),
        ("p3", ItemKind.PLAN_TASK, D(2026, 1, 9), Bucket.TODAY),
    }
    jr.hold_initial_interview(
        session=session, journey_id=world.journeys["p1"].id, held_at=D(2026, 1, 9), staff_id=world.a.id
    )
    jr.hold_discussion(
        session=session, journey_id=world.journeys["p3"].id, held_at=D(2026, 1, 9), staff_id=world.a.id
    )
    a = worker_worklist(
        session=session, staff_id=world.a.id, on=fri, until=D(2026, 4, 30), youth_age_limit=30
    )
    # next discussions: P3 9.1. + 3 months = Thu 9.4.2026; P1 9.1. + 3 months = 9.4.2026 as well
    assert ("p3", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 4, 9), Bucket.UPCOMING) in keyed(world, a)
    assert ("p1", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 4, 9), Bucket.UPCOMING) in keyed(world, a)
    assert not any(i.kind is ItemKind.INITIAL_INTERVIEW for i in a.items)


def test_discussion_due_on_easter_sunday_moves_to_maundy_thursday(session: Session, world: World) -> None:
    jr.hold_discussion(session=session, journey_id=world.journeys["p3"].id, held_at=MON, staff_id=world.a.id)
    a = worker_worklist(session=session, staff_id=world.a.id, on=D(2026, 3, 30), youth_age_limit=30)
    # 5.1. + 3 months = Sun 5.4.2026; Sat 4.4. and Good Friday 3.4. are off → Thu 2.4.2026
    assert ("p3", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 4, 2), Bucket.THIS_WEEK) in keyed(world, a)


def test_team_worklists_are_scoped(session: Session, world: World) -> None:
    north = team_worklist(session=session, team_id=world.north.id, on=MON, youth_age_limit=30)
    assert keyed(world, north) == {
        ("p1", ItemKind.INITIAL_INTERVIEW, D(2026, 1, 8), Bucket.THIS_WEEK),
        ("p3", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 1, 5), Bucket.TODAY),
        ("p3", ItemKind.PLAN_TASK, D(2026, 1, 9), Bucket.THIS_WEEK),
        ("p4", ItemKind.GOAL_AT_RISK, D(2026, 1, 20), Bucket.UPCOMING),
        ("p5", ItemKind.INITIAL_INTERVIEW, D(2026, 1, 2), Bucket.OVERDUE),  # unassigned, Pori is served
    }
    assert [c.person_id for c in north.unassigned] == [world.people["p5"].id]
    assert {i.staff_id for i in north.items} == {world.a.id, world.b.id, None}
    north_only_assigned = team_worklist(
        session=session, team_id=world.north.id, on=MON, include_unassigned=False, youth_age_limit=30
    )
    assert "p5" not in {k for k, *_ in keyed(world, north_only_assigned)}
    south = team_worklist(
        session=session, team_id=world.south.id, on=MON, until=D(2026, 1, 31), youth_age_limit=30
    )
    assert keyed(world, south) == {("p6", ItemKind.INITIAL_INTERVIEW, D(2026, 1, 19), Bucket.UPCOMING)}


def test_line_filter_and_youth_flags(session: Session, world: World) -> None:
    youth = worker_worklist(
        session=session,
        staff_id=world.b.id,
        on=MON,
        until=D(2026, 1, 31),
        line=ServiceLine.YOUTH,
        youth_age_limit=30,
    )
    assert [c.person_id for c in youth.cases] == [world.people["p2"].id]
    item = youth.items[0]
    assert {f.code for f in item.flags} == {"compulsory_education_age", "no_degree"}
    # with an age limit of 18 (a hypothetical area) the 17-year-old is still young, nobody else is
    assert [
        c.person_id
        for c in worker_worklist(
            session=session, staff_id=world.b.id, on=MON, line=ServiceLine.YOUTH, youth_age_limit=18
        ).cases
    ] == [world.people["p2"].id]


def test_reassignment_by_team_lead_preserves_history(session: Session, world: World) -> None:
    p3 = world.people["p3"]
    wed = D(2026, 1, 7)
    assignments.reassign(
        session=session,
        person_id=p3.id,
        to_staff_id=world.b.id,
        on=wed,
        by_staff_id=world.lead_north.id,
        reason="workload",
    )
    rows = assignments.history(session=session, person_id=p3.id)
    assert [(r.staff_id, r.start_date, r.end_date) for r in rows] == [
        (world.a.id, D(2025, 10, 1), D(2026, 1, 6)),
        (world.b.id, wed, None),
    ]
    assert rows[0].ended_by == "Leena North"
    assert rows[0].end_reason == "workload"
    assert rows[1].assigned_by == "Leena North"
    on_tuesday = worker_worklist(session=session, staff_id=world.a.id, on=D(2026, 1, 6), youth_age_limit=30)
    assert p3.id in {c.person_id for c in on_tuesday.cases}
    a_wed = worker_worklist(session=session, staff_id=world.a.id, on=wed, youth_age_limit=30)
    b_wed = worker_worklist(session=session, staff_id=world.b.id, on=wed, youth_age_limit=30)
    assert p3.id not in {c.person_id for c in a_wed.cases}
    assert ("p3", ItemKind.JOB_SEARCH_DISCUSSION, D(2026, 1, 5), Bucket.OVERDUE) in keyed(world, b_wed)

    # the lead of another team may not move the case
    with pytest.raises(AssignmentError, match="does not lead a team"):
        assignments.reassign(
            session=session, person_id=p3.id, to_staff_id=world.c.id, on=wed, by_staff_id=world.lead_south.id
        )
    # a same-day correction keeps the row that never took effect
    assignments.reassign(
        session=session,
        person_id=p3.id,
        to_staff_id=world.a.id,
        on=wed,
        by_staff_id=world.lead_north.id,
        reason="wrong worker",
    )
    rows = assignments.history(session=session, person_id=p3.id)
    assert len(rows) == 3
    assert (rows[1].staff_id, rows[1].start_date, rows[1].end_date) == (world.b.id, wed, D(2026, 1, 6))
    assert "never took effect" in rows[1].end_reason
    assert assignments.responsible_on(session=session, person_id=p3.id, on=wed).staff_id == world.a.id


def test_caseload_per_worker_and_line(session: Session, world: World) -> None:
    rows = {r.staff_id: r for r in caseload(session=session, on=MON, team_id=world.north.id)}
    assert set(rows) == {world.a.id, world.b.id}
    assert rows[world.a.id].by_line == {ServiceLine.JOB_BROKERAGE: 2}  # P1, P3 — P7's spell has closed
    assert rows[world.b.id].total == 2
    assert rows[world.a.id].norm_per_fte == 150
    assert rows[world.a.id].utilisation == pytest.approx(2 / 150)
    everyone = {r.staff_id: r.total for r in caseload(session=session, on=MON)}
    assert everyone == {world.a.id: 2, world.b.id: 2, world.c.id: 1}


def test_deadline_fulfilment_per_team_and_municipality(session: Session, world: World) -> None:
    from alue.shared.time import DateRange

    jr.hold_initial_interview(
        session=session, journey_id=world.journeys["p1"].id, held_at=D(2026, 1, 7), staff_id=world.a.id
    )
    jr.hold_initial_interview(
        session=session, journey_id=world.journeys["p2"].id, held_at=D(2026, 1, 20), staff_id=world.b.id
    )
    jr.hold_initial_interview(
        session=session, journey_id=world.journeys["p6"].id, held_at=D(2026, 1, 16), staff_id=world.c.id
    )
    jr.hold_discussion(
        session=session, journey_id=world.journeys["p3"].id, held_at=D(2026, 1, 5), staff_id=world.a.id
    )
    report = fulfilment.deadline_fulfilment(session=session, period=DateRange.month(2026, 1))
    M = fulfilment.Measure
    total = {m: (c.met, c.due) for m, c in report.total.items()}
    assert total == {
        M.INITIAL_INTERVIEW: (2, 4),  # P1 and P6 on time; P2 a day late; P5 never held
        M.JOB_SEARCH_DISCUSSION: (1, 2),  # P3 on its due day; P4's of 22.1. missed
        M.THREE_MONTH_GOAL: (1, 2),  # P3 by a referral; P4 nothing by 20.1.
    }
    interviews = {
        k: (v[M.INITIAL_INTERVIEW].met, v[M.INITIAL_INTERVIEW].due) for k, v in report.by_municipality.items()
    }
    assert interviews == {"609": (1, 2), "886": (0, 1), "271": (1, 1)}
    by_team = {k: (v[M.INITIAL_INTERVIEW].met, v[M.INITIAL_INTERVIEW].due) for k, v in report.by_team.items()}
    assert by_team == {world.north.id: (1, 2), world.south.id: (1, 1), None: (0, 1)}
    assert report.team_names == {world.north.id: "North", world.south.id: "South"}
    assert report.total[M.INITIAL_INTERVIEW].share == 0.5
    # up to 10.1. only the deadlines that had fallen count
    early = fulfilment.deadline_fulfilment(
        session=session, period=DateRange.month(2026, 1), as_of=D(2026, 1, 10)
    )
    assert (early.total[M.INITIAL_INTERVIEW].met, early.total[M.INITIAL_INTERVIEW].due) == (1, 2)


def test_goal_warning_window(session: Session, world: World) -> None:
    """P4's goal date is 20.1.2026: listed from 21 days before until 30 days after, unless checked."""

    def listed(day: dt.date) -> bool:
        b = worker_worklist(session=session, staff_id=world.b.id, on=day, until=day, youth_age_limit=30)
        return any(i.kind is ItemKind.GOAL_AT_RISK for i in b.items)

    assert not listed(D(2025, 12, 29))  # 22 days before
    assert listed(D(2025, 12, 30))  # 21 days before
    assert listed(D(2026, 2, 19))  # 30 days after
    assert not listed(D(2026, 2, 20))


@pytest.fixture
def journey_app(session: Session, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The ``journey`` / ``worklist`` / ``model`` commands, run inside the test's session."""
    from alue.casework import journey_cli

    @contextlib.contextmanager
    def in_test_session(_engine: object) -> Iterator[Session]:
        yield session
        session.flush()

    monkeypatch.setattr(journey_cli, "session_scope", in_test_session)
    monkeypatch.setattr(journey_cli, "get_engine", lambda: None)
    app = typer.Typer()
    journey_cli.register(app)
    return app


def test_the_commands_that_show_people_write_audit_rows(
    session: Session, world: World, journey_app: typer.Typer
) -> None:
    """``alue worklist show`` and ``alue journey show`` are audited like the pages: the list names every
    person it shows (for their access reports), the journey its person."""
    from typer.testing import CliRunner

    from alue.shared import audit
    from alue.shared.audit import AuditEvent

    app = journey_app
    runner = CliRunner()
    start = session.scalar(select(func.max(AuditEvent.id))) or 0
    shown = runner.invoke(app, ["worklist", "show", "--staff", str(world.a.id), "--on", "5.1.2026", "--json"])
    assert shown.exit_code == 0, shown.output
    customer = world.people["p3"].customer_number
    journey = runner.invoke(app, ["journey", "show", customer, "--on", "5.1.2026", "--actor", "ohjaaja"])
    assert journey.exit_code == 0, journey.output
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)))
    assert [(r.action, r.object_type, r.person_id, r.purpose) for r in rows] == [
        ("read", "worklist", None, "casework"),
        ("read", "journey", world.people["p3"].id, "casework"),
    ]
    assert rows[0].actor_username.startswith("cli:")
    assert rows[1].actor_username == "cli:ohjaaja"
    for key in ("p1", "p3"):  # the people on A's worklist find it in their access report
        assert rows[0].id in [r.id for r in audit.access_report(session, person_id=world.people[key].id)]
    assert rows[0].id not in [r.id for r in audit.access_report(session, person_id=world.people["p4"].id)]
    # the deadline figures are aggregates: counts of 1-4 are hidden there, as on the page
    report = runner.invoke(
        app, ["worklist", "fulfilment", "--from", "1.10.2025", "--to", "31.1.2026", "--json"]
    )
    assert report.exit_code == 0, report.output
    figures = json.loads(report.stdout)
    cells = [
        c for group in ("by_municipality", "by_team") for row in figures[group].values() for c in row.values()
    ]
    assert any(c["due"] is None for c in cells), "the small world has small counts"
    assert all(c["due"] in (None, 0) or c["due"] >= 5 for c in cells)
    assert all(c["met"] in (None, 0) or c["met"] >= 5 for c in cells)
    assert all(c["share"] is None for c in cells if c["due"] is None or c["met"] is None)


def test_a_name_with_brackets_is_printed_as_text(
    session: Session, world: World, journey_app: typer.Typer
) -> None:
    """``alue worklist show`` prints names as they are, not as console markup (``[/x]`` stopped it)."""
    from typer.testing import CliRunner

    for person in world.people.values():
        person.last_name = "Virtanen [/x]"
    session.flush()
    shown = CliRunner().invoke(
        journey_app, ["worklist", "show", "--staff", str(world.a.id), "--on", "5.1.2026"], terminal_width=240
    )
    assert shown.exit_code == 0, shown.output
    assert "Virtanen [/x]" in shown.output
