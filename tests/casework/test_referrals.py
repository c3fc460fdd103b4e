"""Consent and handovers (R-E2): a partner never sees data outside the consent, withdrawal takes effect at
once, and a handover to a partner needs the consent and the receiver's confirmation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alue.casework import journey as jr
from alue.casework import referrals as rf
from alue.casework.journey_models import ReferralEvent
from alue.casework.models import ServicePath
from alue.casework.referrals import SCOPE_FIELDS, ConsentRequiredError, ConsentScope
from alue.casework.transitions import TransitionError
from alue.people.models import EmploymentEpisode, EmploymentKind, PersonOccupation, WorkingTime
from alue.services.models import PartnerKind, Production, ReferralStatus, ServiceKind

from .factories import make_partner, make_service, make_staff, registered

D = dt.date
GIVEN = D(2026, 2, 2)

#: values planted in the person's record that are unique enough to be searched for in a serialised view
SECRETS = {
    "hetu": None,  # filled from the person
    "phone": "+358 40 123 9876",
    "email": "salainen.henkilo@example.test",
    "street_address": "Salakuja 7 B 12",
    "postcode": "28130",
    "education_level": "master",
    "languages": "arabic-level-native",
    "occupations": "Hitsaaja erikoislaatu",
    "employment": "7212",
    "path": "multisector",
    "reasons": "Erittäin yksityinen syy",
    "goals": "Tavoite joka on salainen",
    "participations": "Palvelu",
}


def _setup(session: Session):
    staff = make_staff(session)
    person, journey = registered(
        session,
        on=D(2026, 1, 12),
        staff=staff,
        phone=SECRETS["phone"],
        email=SECRETS["email"],
        street_address=SECRETS["street_address"],
        postcode=SECRETS["postcode"],
        languages={"ar": "arabic-level-native"},
    )
    from alue.people.models import EducationLevel

    person.education_level = EducationLevel.MASTER
    session.add(
        PersonOccupation(
            person_id=person.id,
            esco_uri="http://data.europa.eu/esco/occupation/x",
            esco_version="1.2.0",
            isco4="7212",
            label=SECRETS["occupations"],
            is_target=True,
            experience_months=40,
        )
    )
    session.add(
        EmploymentEpisode(
            person_id=person.id,
            isco4="7212",
            kind=EmploymentKind.OPEN_MARKET,
            working_time=WorkingTime.FULL_TIME,
            start_date=D(2020, 1, 1),
            end_date=D(2025, 12, 31),
        )
    )
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 1, 13), staff_id=staff.id
    )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 1, 13),
        staff_id=staff.id,
        path=ServicePath.MULTISECTOR,
        reasons=[SECRETS["reasons"]],
    )
    jr.make_plan(
        session=session,
        journey_id=journey.id,
        on=D(2026, 1, 13),
        staff_id=staff.id,
        goals=[SECRETS["goals"]],
    )
    session.flush()
    return staff, person


def _appears(value: str, view: rf.PartnerView) -> bool:
    return value in json.dumps(view.fields, ensure_ascii=False, default=str)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scopes=st.sets(st.sampled_from(list(ConsentScope)), min_size=1))
def test_partner_sees_exactly_the_consented_scopes(session: Session, scopes: set[ConsentScope]) -> None:
    nested = session.begin_nested()
    try:
        staff, person = _setup(session)
        partner = make_partner(session)
        other = make_partner(session)
        rf.give_consent(
            session=session,
            person_id=person.id,
            partner_id=partner.id,
            scope=scopes,
            given_on=GIVEN,
            staff_id=staff.id,
        )
        view = rf.partner_view(session=session, partner_id=partner.id, person_id=person.id, on=GIVEN)
        allowed = {f for s in scopes for f in SCOPE_FIELDS[s]}
        assert set(view.fields) == allowed
        assert set(view.scopes) == scopes
        secrets = dict(SECRETS, hetu=person.hetu)
        for field, secret in secrets.items():
            if field not in allowed:
                assert not _appears(secret, view), f"{field} leaked with scopes {sorted(scopes)}"
        # another partner sees nothing at all
        with pytest.raises(ConsentRequiredError):
            rf.partner_view(session=session, partner_id=other.id, person_id=person.id, on=GIVEN)
    finally:
        nested.rollback()


def test_view_contents_for_full_consent(session: Session) -> None:
    _staff, person = _setup(session)
    partner = make_partner(session, kind=PartnerKind.WELLBEING_SERVICES_COUNTY)
    rf.give_consent(
        session=session, person_id=person.id, partner_id=partner.id, scope=list(ConsentScope), given_on=GIVEN
    )
    view = rf.partner_view(session=session, partner_id=partner.id, person_id=person.id, on=GIVEN)
    assert view.fields["hetu"] == person.hetu
    assert view.fields["path"] == "multisector"
    assert view.fields["reasons"] == [SECRETS["reasons"]]
    assert view.fields["goals"] == [SECRETS["goals"]]
    assert view.fields["obligation"] == "4/1"
    assert view.fields["occupations"][0]["label"] == SECRETS["occupations"]
    assert view.valid_until is None


def test_consent_is_in_force_only_within_its_dates_and_withdrawal_is_immediate(session: Session) -> None:
    staff, person = _setup(session)
    partner = make_partner(session)
    consent = rf.give_consent(
        session=session,
        person_id=person.id,
        partner_id=partner.id,
        scope=["contact"],
        given_on=GIVEN,
        valid_until=D(2026, 6, 30),
        staff_id=staff.id,
    )
    with pytest.raises(ConsentRequiredError):
        rf.partner_view(
            session=session, partner_id=partner.id, person_id=person.id, on=GIVEN - dt.timedelta(days=1)
        )
    assert rf.partner_view(
        session=session, partner_id=partner.id, person_id=person.id, on=D(2026, 6, 30)
    ).fields
    with pytest.raises(ConsentRequiredError):
        rf.partner_view(session=session, partner_id=partner.id, person_id=person.id, on=D(2026, 7, 1))

    rf.withdraw_consent(session=session, consent_id=consent.id, on=D(2026, 3, 10), staff_id=staff.id)
    # withdrawn on 10.3.: nothing that very day, nor later, though the consent was valid until 30.6.
    for day in (D(2026, 3, 10), D(2026, 3, 11), D(2026, 6, 30)):
        with pytest.raises(ConsentRequiredError):
            rf.partner_view(session=session, partner_id=partner.id, person_id=person.id, on=day)
    # what was shared before the withdrawal can still be reconstructed for that day
    assert rf.partner_view(
        session=session, partner_id=partner.id, person_id=person.id, on=D(2026, 3, 9)
    ).fields
    with pytest.raises(rf.ConsentError, match="already withdrawn"):
        rf.withdraw_consent(session=session, consent_id=consent.id, on=D(2026, 3, 11))


def test_two_consents_union_and_one_withdrawn(session: Session) -> None:
    _, person = _setup(session)
    partner = make_partner(session)
    contact = rf.give_consent(
        session=session, person_id=person.id, partner_id=partner.id, scope=["contact"], given_on=GIVEN
    )
    rf.give_consent(
        session=session, person_id=person.id, partner_id=partner.id, scope=["plan"], given_on=GIVEN
    )
    view = rf.partner_view(session=session, partner_id=partner.id, person_id=person.id, on=GIVEN)
    assert set(view.scopes) == {ConsentScope.CONTACT, ConsentScope.PLAN}
    rf.withdraw_consent(session=session, consent_id=contact.id, on=GIVEN)
    view = rf.partner_view(session=session, partner_id=partner.id, person_id=person.id, on=GIVEN)
    assert view.scopes == (ConsentScope.PLAN,)
    assert "phone" not in view.fields


def test_consent_validation(session: Session) -> None:
    _, person = _setup(session)
    partner = make_partner(session)
    with pytest.raises(rf.ConsentError, match="unknown consent scope 'health'"):
        rf.give_consent(
            session=session, person_id=person.id, partner_id=partner.id, scope=["health"], given_on=GIVEN
        )
    with pytest.raises(rf.ConsentError, match="at least one scope"):
        rf.give_consent(session=session, person_id=person.id, partner_id=partner.id, scope=[], given_on=GIVEN)
    with pytest.raises(rf.ConsentError, match="before the consent was given"):
        rf.give_consent(
            session=session,
            person_id=person.id,
            partner_id=partner.id,
            scope=["plan"],
            given_on=GIVEN,
            valid_until=GIVEN - dt.timedelta(days=1),
        )


def test_handover_to_a_partner_needs_consent_and_confirmation(session: Session) -> None:
    staff, person = _setup(session)
    county = make_partner(
        session, name="Satakunnan hyvinvointialue", kind=PartnerKind.WELLBEING_SERVICES_COUNTY
    )
    with pytest.raises(ConsentRequiredError, match="record the customer's consent"):
        rf.refer(
            session=session, person_id=person.id, on=D(2026, 2, 3), staff_id=staff.id, partner_id=county.id
        )
    rf.give_consent(
        session=session,
        person_id=person.id,
        partner_id=county.id,
        scope=["contact", "service_need"],
        given_on=GIVEN,
    )
    referral = rf.refer(
        session=session,
        person_id=person.id,
        on=D(2026, 2, 3),
        staff_id=staff.id,
        partner_id=county.id,
        notes="TYP: health assessment",
    )
    assert referral.status == ReferralStatus.SENT
    assert referral.consent_id is not None
    assert referral.responsible_staff_id == staff.id
    with pytest.raises(rf.ReferralError, match="open referral to the same receiver"):
        rf.refer(
            session=session, person_id=person.id, on=D(2026, 2, 3), staff_id=staff.id, partner_id=county.id
        )
    with pytest.raises(rf.ReferralError, match="name the receiver"):
        rf.confirm_handover(session=session, referral_id=referral.id, on=D(2026, 2, 4), receiver=" ")
    rf.confirm_handover(
        session=session,
        referral_id=referral.id,
        on=D(2026, 2, 4),
        receiver="Sosiaaliohjaaja Maija M",
        staff_id=staff.id,
    )
    assert referral.status == ReferralStatus.CONFIRMED
    assert referral.confirmed_on == D(2026, 2, 4)
    events = rf.referral_events(session=session, referral_id=referral.id)
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, ReferralStatus.SENT),
        (ReferralStatus.SENT, ReferralStatus.CONFIRMED),
    ]
    assert events[1].actor == "Sosiaaliohjaaja Maija M"
    assert events[1].staff_id == staff.id
    assert events[1].shared_scope == ["contact", "service_need"]
    with pytest.raises(TransitionError):
        rf.cancel_referral(session=session, referral_id=referral.id, on=D(2026, 2, 5), staff_id=staff.id)


def test_purchased_service_needs_consent_for_the_provider_own_service_does_not(session: Session) -> None:
    staff, person = _setup(session)
    provider = make_partner(session, name="Valmennus Oy")
    purchased = make_service(
        session, kind=ServiceKind.COACHING, production=Production.PURCHASED, provider=provider
    )
    own = make_service(session, kind=ServiceKind.CAREER_GUIDANCE, production=Production.OWN)
    with pytest.raises(ConsentRequiredError):
        rf.refer(
            session=session, person_id=person.id, on=D(2026, 2, 3), staff_id=staff.id, service_id=purchased.id
        )
    own_referral = rf.refer(
        session=session, person_id=person.id, on=D(2026, 2, 3), staff_id=staff.id, service_id=own.id
    )
    assert own_referral.consent_id is None
    rf.give_consent(
        session=session, person_id=person.id, partner_id=provider.id, scope=["contact"], given_on=GIVEN
    )
    referral = rf.refer(
        session=session, person_id=person.id, on=D(2026, 2, 3), staff_id=staff.id, service_id=purchased.id
    )
    assert rf.receiver_of(session, referral) == provider.id


def test_withdrawal_cancels_waiting_handovers_and_blocks_confirmation(session: Session) -> None:
    staff, person = _setup(session)
    kela = make_partner(session, name="Kela", kind=PartnerKind.STATE_AGENCY, business_id="0246246-0")
    consent = rf.give_consent(
        session=session, person_id=person.id, partner_id=kela.id, scope=["identity"], given_on=GIVEN
    )
    referral = rf.refer(
        session=session, person_id=person.id, on=D(2026, 2, 3), staff_id=staff.id, partner_id=kela.id
    )
    rf.withdraw_consent(session=session, consent_id=consent.id, on=D(2026, 2, 4), staff_id=staff.id)
    assert referral.status == ReferralStatus.CANCELLED
    last = (
        session.query(ReferralEvent)
        .filter_by(referral_id=referral.id)
        .order_by(ReferralEvent.id.desc())
        .first()
    )
    assert last.note == "consent withdrawn"
    assert last.shared_scope == []
    # a new referral without a consent in force is refused; confirming an old one too
    rf.give_consent(
        session=session,
        person_id=person.id,
        partner_id=kela.id,
        scope=["identity"],
        given_on=D(2026, 2, 5),
        valid_until=D(2026, 2, 6),
    )
    again = rf.refer(
        session=session, person_id=person.id, on=D(2026, 2, 5), staff_id=staff.id, partner_id=kela.id
    )
    with pytest.raises(ConsentRequiredError):
        rf.confirm_handover(session=session, referral_id=again.id, on=D(2026, 2, 9), receiver="Kela officer")
