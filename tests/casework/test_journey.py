"""The customer journey from registration to outcome: every step recorded with who and when, plan versions
kept, the obligation from the rules in force, and the step conditions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.casework import assignments
from alue.casework import journey as jr
from alue.casework.authority import NoDelegationError
from alue.casework.deadlines import ObligationStatus
from alue.casework.journey_models import CaseJourney, GoalBasis, JourneyStatus, JourneyStep, PlanTask
from alue.casework.models import CaseAssignment, Channel, EmploymentPlan, Meeting, MeetingKind, ServicePath
from alue.people.models import (
    CustomerGroup,
    CustomerGroupMembership,
    JobseekingSpell,
    SpellEndReason,
    Status,
    StatusPeriod,
)
from alue.services.models import ServiceKind
from alue.staff.models import DelegatedTask

from .factories import add_delegation, make_service, make_staff, registered

D = dt.date
J = JourneyStatus


def test_complete_journey_records_every_step(session: Session) -> None:
    worker = make_staff(session, first_name="Aino", last_name="Aalto")
    person, journey = registered(session, on=D(2026, 1, 2), staff=worker)
    assignments.assign(session=session, person_id=person.id, staff_id=worker.id, on=D(2026, 1, 2), by="test")
    service = make_service(session, kind=ServiceKind.JOB_SEARCH_TRAINING, code="TYONHAKU1")

    # Fri 2.1.2026 under the 10-working-day rule: due Mon 19.1.2026 (Tue 6.1. Epiphany is off).
    jr.hold_initial_interview(
        session=session,
        journey_id=journey.id,
        held_at=D(2026, 1, 14),
        staff_id=worker.id,
        channel=Channel.PHONE,
    )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 1, 14),
        staff_id=worker.id,
        path=ServicePath.SKILLS_DEVELOPMENT,
        reasons=["outdated skills", "surplus field"],
        groups=[CustomerGroup.PARTIAL_WORK_ABILITY],
    )
    first = jr.make_plan(
        session=session,
        journey_id=journey.id,
        on=D(2026, 1, 14),
        staff_id=worker.id,
        goals=["Welding certificate"],
        tasks=[jr.TaskInput("Update CV", D(2026, 1, 30)), jr.TaskInput("Apply to training", D(2026, 2, 15))],
        agreed_services=["TYONHAKU1"],
    )
    assert (first.version, first.obligation_per_month, first.obligation_period_months) == (1, 4, 1)
    assert first.obligation_basis["rules"][0]["rule_id"].startswith("job_search_obligation.")
    jr.hold_discussion(session=session, journey_id=journey.id, held_at=D(2026, 3, 10), staff_id=worker.id)
    second = jr.make_plan(
        session=session,
        journey_id=journey.id,
        on=D(2026, 3, 10),
        staff_id=worker.id,
        goals=["Welding certificate", "Work in the Pori shipyard"],
        tasks=[jr.TaskInput("Apply to training", D(2026, 3, 31))],
        agreed_services=[service.code],
    )
    jr.check_goal(session=session, journey_id=journey.id, on=D(2026, 4, 2), staff_id=worker.id)
    jr.record_outcome(
        session=session,
        journey_id=journey.id,
        on=D(2026, 4, 20),
        outcome=SpellEndReason.EMPLOYED_OPEN_MARKET,
        staff_id=worker.id,
    )

    events = jr.events(session=session, journey_id=journey.id)
    assert [e.step for e in events] == [
        JourneyStep.REGISTRATION,
        JourneyStep.INITIAL_INTERVIEW,
        JourneyStep.ASSESSMENT,
        JourneyStep.PLAN,
        JourneyStep.JOB_SEARCH_DISCUSSION,
        JourneyStep.PLAN,
        JourneyStep.GOAL_CHECK,
        JourneyStep.OUTCOME,
    ]
    assert [e.to_status for e in events] == [
        J.REGISTERED,
        J.INTERVIEWED,
        J.ASSESSED,
        J.PLANNED,
        J.FOLLOW_UP,
        J.PLANNED,
        J.GOAL_CHECKED,
        J.CLOSED,
    ]
    assert all(e.staff_id == worker.id and e.actor == "Aino Aalto" for e in events)
    assert all(e.recorded_at is not None for e in events)
    assert events[1].details["due"] == "2026-01-19"
    assert events[1].details["on_time"] is True
    assert events[4].details["due"] == "2026-04-14"  # 3 months after the interview on 14.1.

    # plan versions are kept, never overwritten
    versions = jr.plan_versions(session=session, spell_id=journey.spell_id)
    assert [(p.version, p.goals) for p in versions] == [
        (1, ["Welding certificate"]),
        (2, ["Welding certificate", "Work in the Pori shipyard"]),
    ]
    assert [t.text for t in jr.plan_tasks(session=session, plan_id=first.id)] == [
        "Update CV",
        "Apply to training",
    ]
    assert [t.due for t in jr.plan_tasks(session=session, plan_id=second.id)] == [D(2026, 3, 31)]

    # the goal was not met: no job, training or referral by 2.4.2026
    assert journey.goal_checked_on == D(2026, 4, 2)
    assert journey.goal_met is False
    # the outcome closed the spell, its status period and the responsible worker's assignment
    spell = session.get(JobseekingSpell, journey.spell_id)
    assert (spell.end_date, spell.end_reason) == (D(2026, 4, 20), SpellEndReason.EMPLOYED_OPEN_MARKET)
    assert session.scalars(select(StatusPeriod.end_date).where(StatusPeriod.spell_id == spell.id)).all() == [
        D(2026, 4, 20)
    ]
    assignment = session.scalar(select(CaseAssignment).where(CaseAssignment.person_id == person.id))
    assert assignment.end_date == D(2026, 4, 20)
    assert "closed" in assignment.end_reason
    groups = session.scalars(
        select(CustomerGroupMembership.group).where(CustomerGroupMembership.person_id == person.id)
    ).all()
    assert groups == [CustomerGroup.PARTIAL_WORK_ABILITY]


def test_interview_after_the_deadline_is_recorded_late(session: Session) -> None:
    staff = make_staff(session)
    # Tue 30.12.2025, still the 5-working-day rule: due Thu 8.1.2026 (1.1. and 6.1. are holidays)
    _, journey = registered(session, on=D(2025, 12, 30), staff=staff)
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 1, 9), staff_id=staff.id
    )
    event = jr.events(session=session, journey_id=journey.id)[-1]
    assert event.details["due"] == "2026-01-08"
    assert event.details["on_time"] is False


def test_goal_met_by_a_referral_within_three_months(session: Session) -> None:
    from alue.casework import referrals

    staff = make_staff(session)
    person, journey = registered(session, on=D(2026, 1, 12), staff=staff)
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 1, 13), staff_id=staff.id
    )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 1, 13),
        staff_id=staff.id,
        path=ServicePath.DIRECT_BROKERAGE,
        reasons=["ready"],
    )
    jr.make_plan(session=session, journey_id=journey.id, on=D(2026, 1, 13), staff_id=staff.id, goals=["job"])
    service = make_service(session, kind=ServiceKind.LABOUR_MARKET_TRAINING)
    referrals.refer(
        session=session, person_id=person.id, on=D(2026, 2, 20), staff_id=staff.id, service_id=service.id
    )
    jr.check_goal(session=session, journey_id=journey.id, on=D(2026, 4, 13), staff_id=staff.id)
    assert journey.goal_met is True
    assert journey.goal_basis is GoalBasis.TRAINING
    with pytest.raises(jr.JourneyError, match="already checked"):
        jr.check_goal(session=session, journey_id=journey.id, on=D(2026, 4, 14), staff_id=staff.id)


def test_steps_cannot_be_dated_before_the_previous_step(session: Session) -> None:
    staff = make_staff(session)
    _, journey = registered(session, on=D(2026, 2, 2), staff=staff)
    with pytest.raises(jr.JourneyError, match="before the previous step"):
        jr.hold_initial_interview(
            session=session, journey_id=journey.id, held_at=D(2026, 1, 30), staff_id=staff.id
        )
    assert session.scalar(select(Meeting).where(Meeting.spell_id == journey.spell_id)) is None


def test_step_conditions(session: Session) -> None:
    staff = make_staff(session)
    person, journey = registered(session, on=D(2026, 2, 2), staff=staff)
    with pytest.raises(jr.JourneyError, match="already has a jobseeking spell"):
        jr.register(session=session, person_id=person.id, on=D(2026, 2, 3))
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 2, 3), staff_id=staff.id
    )
    with pytest.raises(jr.JourneyError, match="at least one reason"):
        jr.assess_service_need(
            session=session,
            journey_id=journey.id,
            on=D(2026, 2, 3),
            staff_id=staff.id,
            path=ServicePath.MULTISECTOR,
            reasons=["  "],
        )
    with pytest.raises(jr.JourneyError, match="derived"):
        jr.assess_service_need(
            session=session,
            journey_id=journey.id,
            on=D(2026, 2, 3),
            staff_id=staff.id,
            path=ServicePath.MULTISECTOR,
            reasons=["health"],
            groups=[CustomerGroup.YOUNG],
        )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 2, 3),
        staff_id=staff.id,
        path=ServicePath.MULTISECTOR,
        reasons=["health"],
    )
    with pytest.raises(jr.JourneyError, match="at least one goal"):
        jr.make_plan(session=session, journey_id=journey.id, on=D(2026, 2, 3), staff_id=staff.id, goals=[])
    with pytest.raises(jr.JourneyError, match="unknown service codes: NOPE"):
        jr.make_plan(
            session=session,
            journey_id=journey.id,
            on=D(2026, 2, 3),
            staff_id=staff.id,
            goals=["x"],
            agreed_services=["NOPE"],
        )
    with pytest.raises(jr.JourneyError, match="before the plan"):
        jr.make_plan(
            session=session,
            journey_id=journey.id,
            on=D(2026, 2, 3),
            staff_id=staff.id,
            goals=["x"],
            tasks=[jr.TaskInput("late", D(2026, 2, 1))],
        )
    assert session.scalar(select(EmploymentPlan).where(EmploymentPlan.spell_id == journey.spell_id)) is None


def test_reduced_obligation_needs_a_delegation_for_a_municipal_official(session: Session) -> None:
    official = make_staff(session, municipal_official=True)
    transferred = make_staff(session, municipal_official=False)
    for staff, allowed in ((official, False), (transferred, True)):
        _, journey = registered(session, on=D(2026, 2, 2), staff=staff)
        jr.hold_initial_interview(
            session=session, journey_id=journey.id, held_at=D(2026, 2, 3), staff_id=staff.id
        )
        jr.assess_service_need(
            session=session,
            journey_id=journey.id,
            on=D(2026, 2, 3),
            staff_id=staff.id,
            path=ServicePath.MULTISECTOR,
            reasons=["health"],
        )
        if not allowed:
            with pytest.raises(NoDelegationError, match="obligation decision"):
                jr.make_plan(
                    session=session,
                    journey_id=journey.id,
                    on=D(2026, 2, 3),
                    staff_id=staff.id,
                    goals=["rehabilitation"],
                    individual_applications=1,
                )
            add_delegation(session, staff, [DelegatedTask.OBLIGATION_DECISION], valid_from=D(2026, 1, 1))
        plan = jr.make_plan(
            session=session,
            journey_id=journey.id,
            on=D(2026, 2, 3),
            staff_id=staff.id,
            goals=["rehabilitation"],
            individual_applications=1,
        )
        assert plan.obligation_per_month == 1
        assert "individually set" in plan.obligation_basis["explanation"]


def test_obligation_of_a_fully_laid_off_jobseeker_follows_the_lay_off_months(session: Session) -> None:
    staff = make_staff(session)
    _, journey = registered(session, on=D(2026, 1, 5), staff=staff, status=Status.LAID_OFF_FULL)
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 1, 7), staff_id=staff.id
    )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 1, 7),
        staff_id=staff.id,
        path=ServicePath.DIRECT_BROKERAGE,
        reasons=["laid off"],
    )
    plan = jr.make_plan(
        session=session, journey_id=journey.id, on=D(2026, 1, 7), staff_id=staff.id, goals=["back"]
    )
    assert plan.obligation_per_month == 0  # no obligation in the first three months of a full lay-off
    assert plan.obligation_basis["status"] == ObligationStatus.FULLY_LAID_OFF.value
    revised = jr.make_plan(
        session=session, journey_id=journey.id, on=D(2026, 4, 7), staff_id=staff.id, goals=["x"]
    )
    assert (revised.version, revised.obligation_per_month) == (2, 4)  # after three months: the default


def test_tasks_are_marked_done_on_the_version_in_force_only(session: Session) -> None:
    staff = make_staff(session)
    _, journey = registered(session, on=D(2026, 2, 2), staff=staff)
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 2, 3), staff_id=staff.id
    )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 2, 3),
        staff_id=staff.id,
        path=ServicePath.DIRECT_BROKERAGE,
        reasons=["ready"],
    )
    v1 = jr.make_plan(
        session=session,
        journey_id=journey.id,
        on=D(2026, 2, 3),
        staff_id=staff.id,
        goals=["job"],
        tasks=[jr.TaskInput("CV", D(2026, 2, 10))],
    )
    old_task = jr.plan_tasks(session=session, plan_id=v1.id)[0]
    v2 = jr.make_plan(
        session=session,
        journey_id=journey.id,
        on=D(2026, 2, 5),
        staff_id=staff.id,
        goals=["job"],
        tasks=[jr.TaskInput("CV", D(2026, 2, 12))],
    )
    with pytest.raises(jr.JourneyError, match="earlier plan version"):
        jr.complete_task(session=session, task_id=old_task.id, on=D(2026, 2, 9), staff_id=staff.id)
    task = jr.plan_tasks(session=session, plan_id=v2.id)[0]
    jr.complete_task(session=session, task_id=task.id, on=D(2026, 2, 9), staff_id=staff.id)
    assert (task.done_on, task.done_by_staff_id, task.text, task.due) == (
        D(2026, 2, 9),
        staff.id,
        "CV",
        D(2026, 2, 12),
    )
    assert session.get(PlanTask, old_task.id).done_on is None
    assert jr.events(session=session, journey_id=journey.id)[-1].step is JourneyStep.TASK_DONE


def test_journey_opened_from_existing_records(session: Session) -> None:
    from tests.people.factories import add_spell, make_person

    staff = make_staff(session)
    person = make_person(session)
    spell = add_spell(session, person, [(Status.UNEMPLOYED, D(2025, 9, 1), None)])
    session.add(
        Meeting(
            person_id=person.id,
            spell_id=spell.id,
            staff_id=staff.id,
            held_at=jr.as_moment(D(2025, 9, 3)),
            kind=MeetingKind.INITIAL_INTERVIEW,
            channel=Channel.IN_PERSON,
        )
    )
    session.flush()
    peeked = jr.peek_journey(session=session, person_id=person.id)
    assert peeked.id is None
    assert peeked.status is J.INTERVIEWED  # inferred, nothing written
    assert session.scalar(select(CaseJourney).where(CaseJourney.spell_id == spell.id)) is None
    journey = jr.current_journey(session=session, person_id=person.id)
    assert journey.status is J.INTERVIEWED
    assert journey.opened_on == D(2025, 9, 1)
    assert jr.events(session=session, journey_id=journey.id)[0].details == {"opened_from_records": True}
    assert jr.ensure_journey(session=session, spell_id=spell.id).id == journey.id


def test_overview_shows_deadlines_and_next_steps(session: Session) -> None:
    staff = make_staff(session)
    _, journey = registered(session, on=D(2026, 1, 2), staff=staff)
    view = jr.overview(session=session, journey=journey, on=D(2026, 1, 5))
    assert view.initial_interview.due == D(2026, 1, 19)
    assert view.interview_held_on is None
    assert view.next_discussion is None
    assert view.goal.due == D(2026, 4, 2)
    assert not view.goal.met
    assert view.next_statuses == (J.INTERVIEWED, J.CLOSED)
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 1, 7), staff_id=staff.id
    )
    view = jr.overview(session=session, journey=journey, on=D(2026, 1, 7))
    # 7.4.2026 is Easter Tuesday? No: Easter Monday is 6.4.2026, so Tue 7.4. is a working day.
    assert view.next_discussion.due == D(2026, 4, 7)
