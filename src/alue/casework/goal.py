"""The goal of the initial services (R-D4): a job, training or a referral to the right service within three
months of the start of unemployment.

Which records meet the goal (documented in ``docs/casework.md``):

* **job** — an employment episode starting in the window (open market, subsidised, apprenticeship or
  self-employed), a participation in wage-subsidised work or a start-up grant, or the spell ending in
  employment or entrepreneurship;
* **training** — a participation in labour-market training, self-motivated study or integration training,
  or the spell ending in education;
* **referral** — a referral (not declined or cancelled) to a service or partner, or a participation in any
  other service.

A participation counts from the day the person was referred to it (``referred_on``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.casework.journey_models import GoalBasis
from alue.people.models import EmploymentEpisode, SpellEndReason
from alue.services.models import Participation, Referral, ReferralStatus, Service, ServiceKind

TRAINING_KINDS = frozenset(
    {ServiceKind.LABOUR_MARKET_TRAINING, ServiceKind.SELF_MOTIVATED_STUDY, ServiceKind.INTEGRATION_TRAINING}
)
JOB_KINDS = frozenset({ServiceKind.WAGE_SUBSIDY, ServiceKind.STARTUP_GRANT})
JOB_END_REASONS = frozenset(
    {SpellEndReason.EMPLOYED_OPEN_MARKET, SpellEndReason.EMPLOYED_SUBSIDISED, SpellEndReason.ENTREPRENEUR}
)
TRAINING_END_REASONS = frozenset({SpellEndReason.EDUCATION})
#: When two events fall on the same day, the stronger basis is reported.
_STRENGTH = {GoalBasis.JOB: 0, GoalBasis.TRAINING: 1, GoalBasis.REFERRAL: 2}

GoalEvent = tuple[dt.date, GoalBasis]


def service_basis(kind: ServiceKind) -> GoalBasis:
    if kind in JOB_KINDS:
        return GoalBasis.JOB
    if kind in TRAINING_KINDS:
        return GoalBasis.TRAINING
    return GoalBasis.REFERRAL


def end_reason_basis(reason: SpellEndReason | None) -> GoalBasis | None:
    if reason in JOB_END_REASONS:
        return GoalBasis.JOB
    if reason in TRAINING_END_REASONS:
        return GoalBasis.TRAINING
    return None


def goal_events(
    session: Session, *, person_ids: Iterable[int], since: dt.date, until: dt.date
) -> dict[int, list[GoalEvent]]:
    """Every event that meets the goal for the given people between ``since`` and ``until`` (inclusive),
    sorted by date, in three queries however many people are asked about."""
    ids = sorted(set(person_ids))
    result: dict[int, list[GoalEvent]] = defaultdict(list)
    if not ids:
        return result
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for person_id, start in session.execute(
            select(EmploymentEpisode.person_id, EmploymentEpisode.start_date).where(
                EmploymentEpisode.person_id.in_(chunk),
                EmploymentEpisode.start_date >= since,
                EmploymentEpisode.start_date <= until,
            )
        ):
            result[person_id].append((start, GoalBasis.JOB))
        for person_id, referred, kind in session.execute(
            select(Participation.person_id, Participation.referred_on, Service.kind)
            .join(Service, Service.id == Participation.service_id)
            .where(
                Participation.person_id.in_(chunk),
                Participation.referred_on >= since,
                Participation.referred_on <= until,
            )
        ):
            result[person_id].append((referred, service_basis(ServiceKind(kind))))
        for person_id, referred, kind in session.execute(
            select(Referral.person_id, Referral.referred_on, Service.kind)
            .outerjoin(Service, Service.id == Referral.service_id)
            .where(
                Referral.person_id.in_(chunk),
                Referral.referred_on >= since,
                Referral.referred_on <= until,
                Referral.status.in_([ReferralStatus.SENT.value, ReferralStatus.CONFIRMED.value]),
            )
        ):
            basis = service_basis(ServiceKind(kind)) if kind is not None else GoalBasis.REFERRAL
            result[person_id].append((referred, basis))
    for events in result.values():
        events.sort(key=lambda e: (e[0], _STRENGTH[e[1]]))
    return result


def first_goal_event(
    events: Iterable[GoalEvent],
    *,
    spell_start: dt.date,
    until: dt.date,
    spell_end: dt.date | None = None,
    end_reason: SpellEndReason | None = None,
) -> GoalEvent | None:
    """The first event meeting the goal in the spell, up to ``until`` (inclusive)."""
    candidates = [e for e in events if spell_start <= e[0] <= until]
    basis = end_reason_basis(end_reason)
    if spell_end is not None and basis is not None and spell_end <= until:
        candidates.append((spell_end, basis))
    if not candidates:
        return None
    return min(candidates, key=lambda e: (e[0], _STRENGTH[e[1]]))
