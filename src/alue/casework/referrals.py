"""Referrals, warm handovers and consent (R-D1, R-E2): nothing is shared without the customer's consent.

* :func:`give_consent` records what may be shared (the scopes below), with which partner, from when and
  until when; :func:`withdraw_consent` takes effect on its day — from that day on the partner sees nothing
  through it, and handovers waiting on it are cancelled.
* :func:`refer` sends the customer to an own or purchased service or to a partner organisation, naming the
  responsible worker. A referral whose receiver is a partner (the partner itself, or the provider of a
  purchased service) needs a consent in force with that partner.
* :func:`confirm_handover` records the receiver's confirmation (saattaen vaihto); the receiver's named
  person is recorded with the worker who entered it.
* :func:`partner_view` is the **only** way to read what a partner may see of a person: the union of the
  scopes of the consents in force on the day, built field by field from ``SCOPE_FIELDS``; no consent in
  force → :class:`ConsentRequiredError`.

Status changes go through ``alue.casework.transitions.REFERRAL_TRANSITIONS``; each is recorded as a
``referral_event`` with the scopes the receiver could see at that moment (scope names, never the data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from alue.casework import transitions
from alue.casework.errors import CaseworkError
from alue.casework.journey_models import N_, ReferralEvent
from alue.casework.journey_models import utcnow as now
from alue.casework.models import EmploymentPlan, ServiceNeedAssessment
from alue.people.models import EmploymentEpisode, Person, PersonOccupation
from alue.services.models import (
    Consent,
    Participation,
    Partner,
    Production,
    Referral,
    ReferralStatus,
    Service,
)
from alue.shared.db import covers
from alue.staff.models import StaffMember


class ConsentScope(StrEnum):
    """What a consent allows to be shared (tietojen luovutuksen laajuus)."""

    IDENTITY = "identity"
    CONTACT = "contact"
    EDUCATION = "education"
    LANGUAGES = "languages"
    WORK_HISTORY = "work_history"
    SERVICE_NEED = "service_need"
    PLAN = "plan"
    SERVICES = "services"

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    ConsentScope.IDENTITY: N_("Identity (name, date of birth, personal identity code)"),
    ConsentScope.CONTACT: N_("Contact details"),
    ConsentScope.EDUCATION: N_("Education"),
    ConsentScope.LANGUAGES: N_("Language skills"),
    ConsentScope.WORK_HISTORY: N_("Work history and occupations"),
    ConsentScope.SERVICE_NEED: N_("Service need assessment"),
    ConsentScope.PLAN: N_("Employment plan"),
    ConsentScope.SERVICES: N_("Services taken part in"),
}

#: Exactly the fields each scope discloses. A field appears in a partner's view only through a scope that
#: lists it.
SCOPE_FIELDS: dict[ConsentScope, tuple[str, ...]] = {
    ConsentScope.IDENTITY: ("first_name", "last_name", "birth_date", "hetu"),
    ConsentScope.CONTACT: (
        "first_name",
        "last_name",
        "phone",
        "email",
        "street_address",
        "postcode",
        "service_language",
    ),
    ConsentScope.EDUCATION: ("education_level",),
    ConsentScope.LANGUAGES: ("languages",),
    ConsentScope.WORK_HISTORY: ("occupations", "employment"),
    ConsentScope.SERVICE_NEED: ("path", "reasons", "assessed_on"),
    ConsentScope.PLAN: ("plan_version", "plan_made_on", "goals", "tasks", "agreed_services", "obligation"),
    ConsentScope.SERVICES: ("participations",),
}

#: How each field is named on a page (English msgids).
FIELD_LABELS = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "birth_date": N_("Date of birth"),
    "hetu": N_("Personal identity code"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "street_address": N_("Street address"),
    "postcode": N_("Postcode"),
    "service_language": N_("Service language"),
    "education_level": N_("Education"),
    "languages": N_("Language skills"),
    "occupations": N_("Occupations"),
    "employment": N_("Employment history"),
    "path": N_("Service path"),
    "reasons": N_("Reasons"),
    "assessed_on": N_("Assessed on"),
    "plan_version": N_("Plan version"),
    "plan_made_on": N_("Plan made on"),
    "goals": N_("Goals"),
    "tasks": N_("Tasks"),
    "agreed_services": N_("Agreed services"),
    "obligation": N_("Job-search obligation"),
    "participations": N_("Services taken part in"),
}

OPEN_REFERRAL = (ReferralStatus.SENT,)


class ConsentError(CaseworkError, ValueError):
    """A consent cannot be recorded or withdrawn as asked."""


class ConsentRequiredError(CaseworkError, PermissionError):
    """No consent of the person is in force for the partner on the day: nothing may be shared."""


class ReferralError(CaseworkError, ValueError):
    """A referral cannot be made or changed as asked."""


def _fi(day: dt.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def consent_in_force(day: dt.date):  # type: ignore[no-untyped-def]
    """``Consent.in_force_on`` as SQL: given, not withdrawn (withdrawal counts from its day), still valid."""
    return and_(
        Consent.given_on <= day,
        or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > day),
        or_(Consent.valid_until.is_(None), Consent.valid_until >= day),
    )


def _scopes(values: Iterable[str | ConsentScope]) -> list[ConsentScope]:
    result: list[ConsentScope] = []
    for value in values:
        try:
            scope = ConsentScope(value)
        except ValueError as exc:
            known = ", ".join(s.value for s in ConsentScope)
            raise ConsentError(
                "unknown consent scope '%(scope)s'; known scopes: %(known)s", scope=value, known=known
            ) from exc
        if scope not in result:
            result.append(scope)
    return result


# ------------------------------------------------------------------------------------------- consent


def give_consent(
    *,
    session: Session,
    person_id: int,
    partner_id: int,
    scope: Iterable[str | ConsentScope],
    given_on: dt.date,
    valid_until: dt.date | None = None,
    staff_id: int | None = None,
) -> Consent:
    """Record the customer's consent: what (scopes), with whom (partner), from ``given_on`` until
    ``valid_until``."""
    if session.get(Person, person_id) is None:
        raise ConsentError("no person with id %(id)s", id=person_id)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise ConsentError("no partner with id %(id)s", id=partner_id)
    if not partner.active:
        raise ConsentError("%(name)s is not an active partner", name=partner.name)
    scopes = _scopes(scope)
    if not scopes:
        raise ConsentError("a consent must name at least one scope of data")
    if valid_until is not None and valid_until < given_on:
        raise ConsentError(
            "valid until %(until)s is before the consent was given (%(given)s)",
            until=_fi(valid_until),
            given=_fi(given_on),
        )
    consent = Consent(
        person_id=person_id,
        partner_id=partner_id,
        scope=[s.value for s in scopes],
        given_on=given_on,
        valid_until=valid_until,
        withdrawn_on=None,
        recorded_by_staff_id=staff_id,
    )
    session.add(consent)
    session.flush()
    return consent


def withdraw_consent(
    *, session: Session, consent_id: int, on: dt.date, staff_id: int | None = None, actor: str = ""
) -> Consent:
    """Withdraw a consent from ``on`` (that day included). Handovers still waiting on it are cancelled."""
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise ConsentError("no consent with id %(id)s", id=consent_id)
    if consent.withdrawn_on is not None:
        raise ConsentError("the consent was already withdrawn on %(on)s", on=_fi(consent.withdrawn_on))
    consent.withdrawn_on = max(on, consent.given_on)
    waiting = session.scalars(
        select(Referral).where(
            Referral.consent_id == consent.id, Referral.status == ReferralStatus.SENT.value
        )
    ).all()
    for referral in waiting:
        _move(
            session,
            referral,
            ReferralStatus.CANCELLED,
            on=on,
            staff_id=staff_id,
            actor=actor,
            note="consent withdrawn",
        )
    session.flush()
    return consent


def consents_in_force(*, session: Session, person_id: int, partner_id: int, on: dt.date) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.person_id == person_id, Consent.partner_id == partner_id, consent_in_force(on))
            .order_by(Consent.given_on.desc(), Consent.id.desc())
        )
    )


def consents_of(*, session: Session, person_id: int) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.person_id == person_id)
            .order_by(Consent.given_on.desc(), Consent.id.desc())
        )
    )


# -------------------------------------------------------------------------------------- partner view


@dataclass(frozen=True)
class PartnerView:
    """What one partner may see of one person on one day — only the consented scopes."""

    partner_id: int
    on: dt.date
    scopes: tuple[ConsentScope, ...]
    consent_ids: tuple[int, ...]
    #: the last day the widest consent stays in force (None: until withdrawn)
    valid_until: dt.date | None
    fields: dict[str, Any]


def _person_fields(person: Person) -> dict[str, Any]:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date.isoformat(),
        "hetu": person.hetu,
        "phone": person.phone,
        "email": person.email,
        "street_address": person.street_address,
        "postcode": person.postcode,
        "service_language": person.service_language,
        "education_level": str(person.education_level),
        "languages": dict(person.languages or {}),
    }


def _work_history(session: Session, person_id: int, on: dt.date) -> dict[str, Any]:
    occupations = session.scalars(
        select(PersonOccupation).where(PersonOccupation.person_id == person_id).order_by(PersonOccupation.id)
    )
    episodes = session.scalars(
        select(EmploymentEpisode)
        .where(EmploymentEpisode.person_id == person_id, EmploymentEpisode.start_date <= on)
        .order_by(EmploymentEpisode.start_date)
    )
    return {
        "occupations": [
            {
                "label": o.label,
                "isco4": o.isco4,
                "target": o.is_target,
                "experience_months": o.experience_months,
            }
            for o in occupations
        ],
        "employment": [
            {
                "isco4": e.isco4,
                "kind": str(e.kind),
                "start": e.start_date.isoformat(),
                "end": e.end_date.isoformat() if e.end_date else None,
            }
            for e in episodes
        ],
    }


def _service_need(session: Session, person_id: int, on: dt.date) -> dict[str, Any]:
    latest = session.scalar(
        select(ServiceNeedAssessment)
        .where(ServiceNeedAssessment.person_id == person_id, ServiceNeedAssessment.assessed_on <= on)
        .order_by(ServiceNeedAssessment.assessed_on.desc(), ServiceNeedAssessment.id.desc())
        .limit(1)
    )
    if latest is None:
        return {"path": None, "reasons": [], "assessed_on": None}
    return {
        "path": str(latest.path),
        "reasons": list(latest.reasons),
        "assessed_on": latest.assessed_on.isoformat(),
    }


def _plan(session: Session, person_id: int, on: dt.date) -> dict[str, Any]:
    plan = session.scalar(
        select(EmploymentPlan)
        .where(EmploymentPlan.person_id == person_id, EmploymentPlan.made_on <= on)
        .order_by(EmploymentPlan.made_on.desc(), EmploymentPlan.version.desc())
        .limit(1)
    )
    if plan is None:
        return dict.fromkeys(SCOPE_FIELDS[ConsentScope.PLAN])
    return {
        "plan_version": plan.version,
        "plan_made_on": plan.made_on.isoformat(),
        "goals": list(plan.goals),
        "tasks": [dict(t) for t in plan.tasks],
        "agreed_services": list(plan.agreed_services),
        "obligation": f"{plan.obligation_per_month}/{plan.obligation_period_months or 1}",
    }


def _services(session: Session, person_id: int, on: dt.date) -> dict[str, Any]:
    rows = session.execute(
        select(
            Service.code,
            Service.name_fi,
            Participation.start_date,
            Participation.end_date,
            Participation.outcome,
        )
        .join(Service, Service.id == Participation.service_id)
        .where(Participation.person_id == person_id, Participation.start_date <= on)
        .order_by(Participation.start_date)
    )
    return {
        "participations": [
            {
                "service": code,
                "name": name,
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
                "outcome": str(outcome),
            }
            for code, name, start, end, outcome in rows
        ]
    }


def partner_view(*, session: Session, partner_id: int, person_id: int, on: dt.date) -> PartnerView:
    """What ``partner_id`` may see of ``person_id`` on ``on``: only the scopes of the consents in force.

    Raises :class:`ConsentRequiredError` when no consent is in force (never given, expired or withdrawn).
    """
    consents = consents_in_force(session=session, person_id=person_id, partner_id=partner_id, on=on)
    if not consents:
        raise ConsentRequiredError(
            "no consent in force on %(on)s: nothing of the person may be shared with partner %(partner)s",
            on=_fi(on),
            partner=partner_id,
        )
    scopes = tuple(sorted({s for c in consents for s in _scopes(c.scope)}, key=list(ConsentScope).index))
    allowed = {f for s in scopes for f in SCOPE_FIELDS[s]}
    person = session.get(Person, person_id)
    assert person is not None
    available: dict[str, Any] = _person_fields(person)
    if ConsentScope.WORK_HISTORY in scopes:
        available.update(_work_history(session, person_id, on))
    if ConsentScope.SERVICE_NEED in scopes:
        available.update(_service_need(session, person_id, on))
    if ConsentScope.PLAN in scopes:
        available.update(_plan(session, person_id, on))
    if ConsentScope.SERVICES in scopes:
        available.update(_services(session, person_id, on))
    ends = [c.valid_until for c in consents]
    return PartnerView(
        partner_id=partner_id,
        on=on,
        scopes=scopes,
        consent_ids=tuple(c.id for c in consents),
        valid_until=None if any(e is None for e in ends) else max(e for e in ends if e is not None),
        fields={name: available[name] for name in sorted(allowed)},
    )


def shared_scopes(session: Session, *, person_id: int, partner_id: int | None, on: dt.date) -> list[str]:
    if partner_id is None:
        return []
    consents = consents_in_force(session=session, person_id=person_id, partner_id=partner_id, on=on)
    return sorted({s for c in consents for s in c.scope})


# ------------------------------------------------------------------------------------------ referrals


def _staff(session: Session, staff_id: int) -> StaffMember:
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise ReferralError("no staff member with id %(id)s", id=staff_id)
    return staff


def receiver_of(session: Session, referral: Referral) -> int | None:
    """The partner that receives the customer: the partner itself or a purchased service's provider."""
    if referral.partner_id is not None:
        return referral.partner_id
    if referral.service_id is not None:
        service = session.get(Service, referral.service_id)
        if service is not None and service.production == Production.PURCHASED:
            return service.provider_id
    return None


def _move(
    session: Session,
    referral: Referral,
    target: ReferralStatus,
    *,
    on: dt.date,
    staff_id: int | None,
    actor: str = "",
    note: str = "",
) -> ReferralEvent:
    transitions.require(
        transitions.REFERRAL_TRANSITIONS,
        current=ReferralStatus(referral.status),
        target=target,
        what=f"referral {referral.id}",
    )
    if on < referral.referred_on:
        raise ReferralError(
            "referral %(referral)s was sent on %(sent)s, after %(on)s",
            referral=referral.id,
            sent=_fi(referral.referred_on),
            on=_fi(on),
        )
    staff = session.get(StaffMember, staff_id) if staff_id is not None else None
    event = ReferralEvent(
        referral_id=referral.id,
        person_id=referral.person_id,
        from_status=referral.status,
        to_status=target,
        occurred_on=on,
        recorded_at=now(),
        staff_id=staff_id,
        actor=actor or (staff.name if staff else ""),
        shared_scope=shared_scopes(
            session, person_id=referral.person_id, partner_id=receiver_of(session, referral), on=on
        )
        if target is not ReferralStatus.CANCELLED
        else [],
        note=note,
    )
    referral.status = target
    session.add(event)
    session.flush()
    return event


def refer(
    *,
    session: Session,
    person_id: int,
    on: dt.date,
    staff_id: int,
    service_id: int | None = None,
    partner_id: int | None = None,
    consent_id: int | None = None,
    responsible_staff_id: int | None = None,
    notes: str = "",
) -> Referral:
    """Refer the customer to a service and/or hand them over to a partner, with the consent that allows it."""
    if session.get(Person, person_id) is None:
        raise ReferralError("no person with id %(id)s", id=person_id)
    staff = _staff(session, staff_id)
    responsible = _staff(session, responsible_staff_id or staff_id)
    if service_id is None and partner_id is None:
        raise ReferralError("a referral needs a service or a partner organisation")
    service = session.get(Service, service_id) if service_id is not None else None
    if service_id is not None and (service is None or not service.active):
        raise ReferralError("no active service with id %(id)s", id=service_id)
    receiver = partner_id
    if service is not None and service.production == Production.PURCHASED:
        if partner_id is not None and service.provider_id not in (None, partner_id):
            raise ReferralError("the partner named is not the provider of the purchased service")
        receiver = partner_id or service.provider_id
    if partner_id is not None:
        partner = session.get(Partner, partner_id)
        if partner is None or not partner.active:
            raise ReferralError("no active partner with id %(id)s", id=partner_id)
    consent: Consent | None = None
    if receiver is not None:
        in_force = consents_in_force(session=session, person_id=person_id, partner_id=receiver, on=on)
        if consent_id is not None:
            consent = next((c for c in in_force if c.id == consent_id), None)
            if consent is None:
                raise ConsentRequiredError(
                    "consent %(consent)s is not in force for this person and receiver on %(on)s",
                    consent=consent_id,
                    on=_fi(on),
                )
        elif in_force:
            consent = in_force[0]
        else:
            raise ConsentRequiredError(
                "the receiver (partner %(partner)s) gets the customer's data: "
                "record the customer's consent first",
                partner=receiver,
            )
    duplicate = session.scalar(
        select(Referral.id).where(
            Referral.person_id == person_id,
            Referral.status.in_([s.value for s in OPEN_REFERRAL]),
            Referral.service_id.is_(None) if service_id is None else Referral.service_id == service_id,
            Referral.partner_id.is_(None) if partner_id is None else Referral.partner_id == partner_id,
        )
    )
    if duplicate is not None:
        raise ReferralError(
            "an open referral to the same receiver already exists (referral %(referral)s)", referral=duplicate
        )
    if service_id is not None:
        ongoing = session.scalar(
            select(Participation.id).where(
                Participation.person_id == person_id,
                Participation.service_id == service_id,
                covers(Participation.start_date, Participation.end_date, on),
            )
        )
        if ongoing is not None:
            raise ReferralError("the customer already takes part in this service (R-D1: no overlap)")
    referral = Referral(
        person_id=person_id,
        service_id=service_id,
        partner_id=partner_id,
        consent_id=consent.id if consent is not None else None,
        referred_on=on,
        responsible_staff_id=responsible.id,
        status=ReferralStatus.SENT,
        confirmed_on=None,
        notes=notes,
    )
    session.add(referral)
    session.flush()
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            person_id=person_id,
            from_status=None,
            to_status=ReferralStatus.SENT,
            occurred_on=on,
            recorded_at=now(),
            staff_id=staff.id,
            actor=staff.name,
            shared_scope=list(consent.scope) if consent is not None else [],
            note=notes,
        )
    )
    session.flush()
    return referral


def _referral(session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise ReferralError("no referral with id %(id)s", id=referral_id)
    return referral


def confirm_handover(
    *, session: Session, referral_id: int, on: dt.date, receiver: str, staff_id: int | None = None
) -> Referral:
    """The receiver confirms the handover (saattaen vaihto). A partner receiver needs the consent in force."""
    referral = _referral(session, referral_id)
    if not receiver.strip():
        raise ReferralError("name the receiver's person who confirmed the handover")
    partner = receiver_of(session, referral)
    if partner is not None and not consents_in_force(
        session=session, person_id=referral.person_id, partner_id=partner, on=on
    ):
        raise ConsentRequiredError(
            "the customer's consent for the receiver is not in force on %(on)s", on=_fi(on)
        )
    _move(session, referral, ReferralStatus.CONFIRMED, on=on, staff_id=staff_id, actor=receiver.strip())
    referral.confirmed_on = on
    session.flush()
    return referral


def decline_referral(
    *,
    session: Session,
    referral_id: int,
    on: dt.date,
    receiver: str,
    reason: str,
    staff_id: int | None = None,
) -> Referral:
    referral = _referral(session, referral_id)
    _move(session, referral, ReferralStatus.DECLINED, on=on, staff_id=staff_id, actor=receiver, note=reason)
    return referral


def cancel_referral(
    *, session: Session, referral_id: int, on: dt.date, staff_id: int, reason: str = ""
) -> Referral:
    referral = _referral(session, referral_id)
    _move(session, referral, ReferralStatus.CANCELLED, on=on, staff_id=staff_id, note=reason)
    return referral


def referrals_of(*, session: Session, person_id: int) -> list[Referral]:
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.person_id == person_id)
            .order_by(Referral.referred_on.desc(), Referral.id.desc())
        )
    )


def referral_events(*, session: Session, referral_id: int) -> list[ReferralEvent]:
    return list(
        session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.id)
        )
    )
