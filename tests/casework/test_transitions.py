"""Every status change that the transition tables do not declare is refused — all pairs enumerated, both in
the table check itself and through the journey's service functions (which must write nothing when refused)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.casework import journey as jr
from alue.casework import transitions
from alue.casework.journey_models import (
    CaseJourney,
    JourneyEvent,
    JourneyStatus,
    StartupGrantStatus,
)
from alue.casework.models import EmploymentPlan, Meeting, ServiceNeedAssessment, ServicePath
from alue.casework.transitions import TransitionError
from alue.people.models import SpellEndReason
from alue.services.models import ReferralStatus

from .factories import make_staff, registered

D = dt.date
J = JourneyStatus

TABLES = [
    ("journey", transitions.JOURNEY_TRANSITIONS, JourneyStatus),
    ("referral", transitions.REFERRAL_TRANSITIONS, ReferralStatus),
    ("start-up grant", transitions.STARTUP_GRANT_TRANSITIONS, StartupGrantStatus),
]


@pytest.mark.parametrize(("name", "table", "enum"), TABLES, ids=[t[0] for t in TABLES])
def test_every_status_has_a_row(name, table, enum) -> None:
    assert set(table) == set(enum), f"{name}: every status must be declared (even a final one)"
    for targets in table.values():
        assert set(targets) <= set(enum)


@pytest.mark.parametrize(("name", "table", "enum"), TABLES, ids=[t[0] for t in TABLES])
def test_all_pairs_declared_pass_undeclared_refused(name, table, enum) -> None:
    refused = 0
    for current, target in itertools.product(enum, enum):
        if target in table[current]:
            transitions.require(table, current=current, target=target, what=name)
        else:
            with pytest.raises(TransitionError) as info:
                transitions.require(table, current=current, target=target, what=name)
            assert info.value.current is current
            assert info.value.target is target
            assert repr(current.value) in str(info.value)
            assert repr(target.value) in str(info.value)
            refused += 1
    assert refused > 0


def test_error_message_lists_what_is_allowed() -> None:
    with pytest.raises(TransitionError, match=r"allowed next statuses are 'interviewed', 'closed'"):
        transitions.require(
            transitions.JOURNEY_TRANSITIONS, current=J.REGISTERED, target=J.PLANNED, what="journey 1"
        )
    with pytest.raises(TransitionError, match="nothing \\(it is final\\)"):
        transitions.require(
            transitions.JOURNEY_TRANSITIONS, current=J.CLOSED, target=J.FOLLOW_UP, what="journey 1"
        )


def test_closed_is_final_and_every_open_status_can_close() -> None:
    assert transitions.JOURNEY_TRANSITIONS[J.CLOSED] == ()
    for status in J:
        if status is not J.CLOSED:
            assert J.CLOSED in transitions.JOURNEY_TRANSITIONS[status]
    assert all(J.REGISTERED not in targets for targets in transitions.JOURNEY_TRANSITIONS.values())


# ------------------------------------------------------------------- through the service functions

ON = D(2026, 3, 2)


def _steps() -> dict[JourneyStatus, Callable[..., object]]:
    """For each target status, the service function that moves a journey there."""

    def interview(session: Session, journey: CaseJourney, staff_id: int) -> object:
        return jr.hold_initial_interview(
            session=session, journey_id=journey.id, held_at=ON, staff_id=staff_id
        )

    def assess(session: Session, journey: CaseJourney, staff_id: int) -> object:
        return jr.assess_service_need(
            session=session,
            journey_id=journey.id,
            on=ON,
            staff_id=staff_id,
            path=ServicePath.DIRECT_BROKERAGE,
            reasons=["ready for work"],
        )

    def plan(session: Session, journey: CaseJourney, staff_id: int) -> object:
        return jr.make_plan(session=session, journey_id=journey.id, on=ON, staff_id=staff_id, goals=["work"])

    def discuss(session: Session, journey: CaseJourney, staff_id: int) -> object:
        return jr.hold_discussion(session=session, journey_id=journey.id, held_at=ON, staff_id=staff_id)

    def goal(session: Session, journey: CaseJourney, staff_id: int) -> object:
        return jr.check_goal(session=session, journey_id=journey.id, on=ON, staff_id=staff_id)

    def close(session: Session, journey: CaseJourney, staff_id: int) -> object:
        return jr.record_outcome(
            session=session,
            journey_id=journey.id,
            on=ON,
            outcome=SpellEndReason.EMPLOYED_OPEN_MARKET,
            staff_id=staff_id,
        )

    return {
        J.INTERVIEWED: interview,
        J.ASSESSED: assess,
        J.PLANNED: plan,
        J.FOLLOW_UP: discuss,
        J.GOAL_CHECKED: goal,
        J.CLOSED: close,
    }


STEPS = _steps()
UNDECLARED = [
    (current, target)
    for current, target in itertools.product(J, STEPS)
    if target not in transitions.JOURNEY_TRANSITIONS[current]
]
DECLARED = [
    (current, target)
    for current, target in itertools.product(J, STEPS)
    if target in transitions.JOURNEY_TRANSITIONS[current]
]


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (JourneyEvent, Meeting, ServiceNeedAssessment, EmploymentPlan)
    )


@pytest.mark.parametrize(("current", "target"), UNDECLARED, ids=[f"{c}->{t}" for c, t in UNDECLARED])
def test_service_functions_refuse_every_undeclared_transition(session: Session, current, target) -> None:
    staff = make_staff(session)
    _, journey = registered(session, on=D(2026, 2, 2), staff=staff)
    journey.status = current
    session.flush()
    before = _counts(session)
    with pytest.raises(TransitionError):
        STEPS[target](session, journey, staff.id)
    assert _counts(session) == before, "a refused step must not write anything"
    assert journey.status is current


@pytest.mark.parametrize(("current", "target"), DECLARED, ids=[f"{c}->{t}" for c, t in DECLARED])
def test_service_functions_allow_every_declared_transition(session: Session, current, target) -> None:
    staff = make_staff(session)
    _, journey = registered(session, on=D(2026, 2, 2), staff=staff)
    journey.status = current
    session.flush()
    STEPS[target](session, journey, staff.id)
    assert journey.status is target
    last = session.scalars(
        select(JourneyEvent).where(JourneyEvent.journey_id == journey.id).order_by(JourneyEvent.id.desc())
    ).first()
    assert (last.from_status, last.to_status) == (current, target)
