"""Allowed status changes, declared as data and enforced in one place (``require``).

Every service function that changes a status calls :func:`require` with the table of its record type
before it writes anything; a change that is not declared is refused with :class:`TransitionError`, whose
message names the record, the two statuses and what *is* allowed. A status may list itself where a step
can repeat without moving on (a reassessment before the plan, a plan revision).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from alue.casework.journey_models import JourneyStatus, StartupGrantStatus
from alue.services.models import ReferralStatus

S = TypeVar("S", bound=StrEnum)

J = JourneyStatus
#: The customer journey (R-D4): registration → initial interview → service-need assessment → plan →
#: job-search discussions → three-month goal check → outcome. Any open journey may close with an outcome
#: (the jobseeker finds work before the interview, moves away …). A new assessment may follow the plan at
#: any time (the path changes); the plan is then revised. Discussions and plan revisions repeat. The goal
#: check is reached from a plan or a discussion; whether it was already made is checked by the step itself.
JOURNEY_TRANSITIONS: Mapping[JourneyStatus, tuple[JourneyStatus, ...]] = {
    J.REGISTERED: (J.INTERVIEWED, J.CLOSED),
    J.INTERVIEWED: (J.ASSESSED, J.CLOSED),
    J.ASSESSED: (J.ASSESSED, J.PLANNED, J.CLOSED),
    J.PLANNED: (J.PLANNED, J.ASSESSED, J.FOLLOW_UP, J.GOAL_CHECKED, J.CLOSED),
    J.FOLLOW_UP: (J.FOLLOW_UP, J.PLANNED, J.ASSESSED, J.GOAL_CHECKED, J.CLOSED),
    J.GOAL_CHECKED: (J.FOLLOW_UP, J.PLANNED, J.ASSESSED, J.CLOSED),
    J.CLOSED: (),
}

R = ReferralStatus
#: A referral or handover (R-E2): the receiver confirms or declines; the sender may cancel while it is open.
REFERRAL_TRANSITIONS: Mapping[ReferralStatus, tuple[ReferralStatus, ...]] = {
    R.SENT: (R.CONFIRMED, R.DECLINED, R.CANCELLED),
    R.CONFIRMED: (),
    R.DECLINED: (),
    R.CANCELLED: (),
}

G = StartupGrantStatus
#: A start-up grant application (R-A5): decided once, or withdrawn by the applicant before the decision.
STARTUP_GRANT_TRANSITIONS: Mapping[StartupGrantStatus, tuple[StartupGrantStatus, ...]] = {
    G.SUBMITTED: (G.GRANTED, G.REJECTED, G.WITHDRAWN),
    G.GRANTED: (),
    G.REJECTED: (),
    G.WITHDRAWN: (),
}

#: Every table, by the name used in error messages.
TABLES: Mapping[str, Mapping[StrEnum, tuple[StrEnum, ...]]] = {
    "journey": JOURNEY_TRANSITIONS,  # type: ignore[dict-item]
    "referral": REFERRAL_TRANSITIONS,  # type: ignore[dict-item]
    "start-up grant application": STARTUP_GRANT_TRANSITIONS,  # type: ignore[dict-item]
}


class TransitionError(ValueError):
    """A status change that the transition table does not declare."""

    def __init__(self, what: str, current: StrEnum, target: StrEnum, allowed: tuple[StrEnum, ...]) -> None:
        self.what = what
        self.current = current
        self.target = target
        self.allowed = allowed
        options = ", ".join(repr(a.value) for a in allowed) if allowed else "nothing (it is final)"
        super().__init__(
            f"{what}: cannot move from {current.value!r} to {target.value!r}; "
            f"from {current.value!r} the allowed next statuses are {options}"
        )


def allowed(table: Mapping[S, tuple[S, ...]], current: S) -> tuple[S, ...]:
    """The statuses that may follow ``current``."""
    return table.get(current, ())


def is_allowed(table: Mapping[S, tuple[S, ...]], current: S, target: S) -> bool:
    return target in table.get(current, ())


def require(table: Mapping[S, tuple[S, ...]], *, current: S, target: S, what: str) -> None:
    """Refuse a status change the table does not declare. ``what`` names the record (``journey 12``)."""
    if target not in table.get(current, ()):
        raise TransitionError(what, current, target, table.get(current, ()))
