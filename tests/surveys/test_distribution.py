from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.casework.models import Channel, Meeting, MeetingKind
from alue.employers.models import Employer, EmployerServiceEvent, EmployerServiceKind, SizeClass
from alue.services.models import (
    Participation,
    ParticipationOutcome,
    Partner,
    PartnerKind,
    Production,
    Service,
    ServiceKind,
)
from alue.shared.time import HELSINKI
from alue.staff.models import ServiceLine, StaffMember
from alue.surveys.models import Distribution, EventKind, SurveyToken
from alue.surveys.service import (
    RoundAlreadyIssued,
    expire_tokens,
    hash_token,
    issue_after_events,
    issue_partnership_round,
    issue_staff_round,
    issue_vitality_round,
    submit,
)
from tests.people.factories import make_person
from tests.surveys.helpers import NOW


def _token(session: Session, token: str) -> SurveyToken:
    row = session.scalar(select(SurveyToken).where(SurveyToken.token_hash == hash_token(token)))
    assert row is not None
    return row


def _staff(session: Session, n: int, line: ServiceLine = ServiceLine.YOUTH, **kw: object) -> StaffMember:
    staff = StaffMember(
        employee_number=f"SV{n:05d}",
        first_name="Testi",
        last_name=f"Työntekijä{n}",
        email=f"testi{n}@example.invalid",
        service_line=line,
        base_municipality_code="609",
        **kw,
    )
    session.add(staff)
    session.flush()
    return staff


def test_links_after_each_kind_of_service_event(session: Session) -> None:
    person = make_person(session, municipality="051", service_language="sv")
    adviser = _staff(session, 1, ServiceLine.IMMIGRANTS)
    day = dt.date(2026, 3, 9)
    at = dt.datetime(2026, 3, 9, 9, 30, tzinfo=HELSINKI)
    in_person = Meeting(
        person_id=person.id,
        staff_id=adviser.id,
        held_at=at,
        kind=MeetingKind.INITIAL_INTERVIEW,
        channel=Channel.IN_PERSON,
    )
    by_phone = Meeting(
        person_id=person.id, held_at=at, kind=MeetingKind.JOB_SEARCH_DISCUSSION, channel=Channel.PHONE
    )
    other_day = Meeting(
        person_id=person.id, held_at=at + dt.timedelta(days=3), kind=MeetingKind.OTHER, channel=Channel.PHONE
    )
    service = Service(
        code="SV-TEST-1",
        name_fi="Testikoulutus",
        name_sv="Testutbildning",
        name_en="Test training",
        kind=next(iter(ServiceKind)),
        production=Production.PURCHASED,
        service_line=ServiceLine.SKILLS,
        unit_cost=Decimal("1000"),
        typical_duration_days=60,
    )
    session.add_all([in_person, by_phone, other_day, service])
    session.flush()
    participation = Participation(
        person_id=person.id,
        service_id=service.id,
        referred_on=dt.date(2026, 1, 5),
        start_date=dt.date(2026, 1, 10),
        end_date=day,
        cost=Decimal("1000"),
        outcome=ParticipationOutcome.COMPLETED,
    )
    event = EmployerServiceEvent(
        event_date=day, kind=EmployerServiceKind.RECRUITMENT, municipality_code="609"
    )
    session.add_all([participation, event])
    session.flush()

    links = issue_after_events(session=session, first=day, last=day, now=NOW)
    assert {link.recipient for link in links} == {
        f"meeting:{in_person.id}",
        f"meeting:{by_phone.id}",
        f"participation:{participation.id}",
        f"employer_service_event:{event.id}",
    }
    by_recipient = {link.recipient: link for link in links}
    qr = by_recipient[f"meeting:{in_person.id}"]
    assert qr.distribution == Distribution.QR_CODE
    assert qr.language == "sv"
    assert qr.qr_svg().startswith("<svg")
    row = _token(session, qr.token)
    assert (row.municipality_code, row.service_line, row.service_channel, row.month) == (
        "051",
        "immigrants",
        "in_person",
        "2026-03",
    )
    assert by_recipient[f"meeting:{by_phone.id}"].distribution == Distribution.MESSAGE
    assert _token(session, by_recipient[f"participation:{participation.id}"].token).service_line == "skills"
    employer_row = _token(session, by_recipient[f"employer_service_event:{event.id}"].token)
    assert (employer_row.service_line, employer_row.event_kind) == (
        "employer_services",
        EventKind.EMPLOYER_SERVICE,
    )

    # running the day again issues nothing new while the links are out
    assert issue_after_events(session=session, first=day, last=day, now=NOW) == []


def test_staff_round_reaches_every_active_staff_member_once_a_quarter(session: Session) -> None:
    active = [_staff(session, 10 + i) for i in range(3)]
    _staff(session, 20, active=False)
    links = issue_staff_round(session=session, quarter="2026Q2", now=NOW)
    assert sorted(link.recipient for link in links) == sorted(f"staff_member:{s.id}" for s in active)
    assert all(_token(session, link.token).month == "2026-04" for link in links)
    with pytest.raises(RoundAlreadyIssued):
        issue_staff_round(session=session, quarter="2026Q2", now=NOW)


def test_vitality_and_partnership_rounds(session: Session) -> None:
    customer = Employer(
        business_id="9999001-4",
        name="Testi Oy",
        municipality_code="609",
        industry="C",
        size_class=next(iter(SizeClass)),
    )
    quiet = Employer(
        business_id="9999002-2",
        name="Hiljainen Oy",
        municipality_code="609",
        industry="C",
        size_class=next(iter(SizeClass)),
    )
    municipal = Partner(name="Testikunnan kotouttaminen", kind=PartnerKind.MUNICIPAL, municipality_code="051")
    ngo = Partner(name="Testiyhdistys ry", kind=PartnerKind.NGO)
    gone = Partner(name="Päättynyt hanke", kind=PartnerKind.PROJECT, active=False)
    session.add_all([customer, quiet, municipal, ngo, gone])
    session.flush()
    session.add(
        EmployerServiceEvent(
            employer_id=customer.id,
            event_date=dt.date(2025, 11, 3),
            kind=EmployerServiceKind.CONTACT,
            municipality_code="609",
        )
    )
    session.flush()
    vitality = issue_vitality_round(session=session, month="2026-03", now=NOW)
    assert sorted(link.recipient for link in vitality) == sorted(
        [f"employer:{customer.id}", f"partner:{municipal.id}"]
    )
    partnership = issue_partnership_round(session=session, month="2026-03", now=NOW)
    assert {link.recipient for link in partnership} >= {f"partner:{municipal.id}", f"partner:{ngo.id}"}
    assert f"partner:{gone.id}" not in {link.recipient for link in partnership}
    with pytest.raises(RoundAlreadyIssued):
        issue_partnership_round(session=session, month="2026-03", now=NOW)


def test_expired_links_let_go_of_their_events(session: Session) -> None:
    staff = _staff(session, 30)
    (link,) = [
        x
        for x in issue_staff_round(session=session, quarter="2026Q3", now=NOW)
        if x.recipient == f"staff_member:{staff.id}"
    ]
    row = _token(session, link.token)
    assert expire_tokens(session=session, now=link.expires_at - dt.timedelta(minutes=1)) == 0
    assert row.staff_id == staff.id
    assert expire_tokens(session=session, now=link.expires_at) >= 1
    assert row.staff_id is None
    assert not row.used


def test_answering_clears_the_staff_link(session: Session) -> None:
    staff = _staff(session, 40)
    (link,) = [
        x
        for x in issue_staff_round(session=session, quarter="2026Q4", now=NOW)
        if x.recipient == f"staff_member:{staff.id}"
    ]
    submit(session=session, token=link.token, form={"staff_overall": "8"}, now=NOW)
    session.expire_all()
    assert session.scalar(select(SurveyToken).where(SurveyToken.staff_id == staff.id)) is None
