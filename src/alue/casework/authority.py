"""Delegations of authority in casework (viranomaistoimivalta, R-C5).

A task that needs public authority — a start-up grant decision, a reduced job-search obligation — may be
performed by a municipal official only while a delegation naming the task is valid; staff transferred from
the state hold the authority by law. :func:`require_delegation` answers with the delegation relied on, so
that the decision can store it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.casework.errors import TASK_LABELS, CaseworkError
from alue.shared.db import covers
from alue.staff.models import DelegatedTask, Delegation, StaffMember


class NoDelegationError(CaseworkError, PermissionError):
    """The staff member may not perform the task on that day."""


def require_delegation(
    session: Session, *, staff_id: int, task: DelegatedTask, on: dt.date
) -> Delegation | None:
    """The delegation that lets ``staff_id`` perform ``task`` on ``on``; None for state-transferred staff.

    Raises :class:`NoDelegationError` for an inactive or unknown staff member and for a municipal official
    without a delegation naming the task valid on the day.
    """
    staff = session.get(StaffMember, staff_id)
    if staff is None or not staff.active:
        raise NoDelegationError("no active staff member with id %(id)s", id=staff_id)
    if not staff.municipal_official:
        return None
    delegations = session.scalars(
        select(Delegation)
        .where(
            Delegation.staff_id == staff_id,
            covers(Delegation.valid_from, Delegation.valid_to, on),
        )
        .order_by(Delegation.valid_from.desc(), Delegation.id.desc())
    )
    for delegation in delegations:
        if task.value in delegation.tasks:
            return delegation
    raise NoDelegationError(
        "%(name)s holds no delegation of authority for %(task)s on %(on)s (R-C5)",
        name=staff.name,
        task=TASK_LABELS[task],
        on=f"{on.day}.{on.month}.{on.year}",
    )
