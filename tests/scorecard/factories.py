"""Factories for hand-made scorecard datasets (synthetic people, employers and partners only)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy.orm import Session

from alue.casework.models import CaseAssignment
from alue.employers.models import Employer, EmployerServiceEvent, EmployerServiceKind, SizeClass
from alue.people.models import (
    CustomerGroup,
    CustomerGroupMembership,
    EmploymentEpisode,
    EmploymentKind,
    JobseekingSpell,
    Person,
    SpellEndReason,
    WorkingTime,
)
from alue.scorecard.models import ShortageOccupation, SurveyScore
from alue.services.models import (
    Participation,
    ParticipationOutcome,
    Partner,
    PartnerKind,
    Production,
    Service,
    ServiceKind,
)
from alue.shared.identifiers import make_business_id
from alue.staff.models import ServiceLine, StaffMember
from tests.people.factories import add_spell, make_person, move

__all__ = [
    "add_episode",
    "add_group",
    "add_participation",
    "add_shortage",
    "add_spell",
    "add_survey",
    "assign",
    "end_spell",
    "make_employer",
    "make_partner",
    "make_person",
    "make_service",
    "move",
]

_serial = itertools.count(1)


def end_spell(session: Session, spell: JobseekingSpell, end: dt.date, reason: SpellEndReason) -> None:
    spell.end_date = end
    spell.end_reason = reason
    session.flush()


def add_episode(
    session: Session,
    person: Person,
    start: dt.date,
    end: dt.date | None = None,
    *,
    kind: EmploymentKind = EmploymentKind.OPEN_MARKET,
    isco4: str = "5120",
) -> EmploymentEpisode:
    episode = EmploymentEpisode(
        person_id=person.id,
        isco4=isco4,
        kind=kind,
        working_time=WorkingTime.FULL_TIME,
        start_date=start,
        end_date=end,
    )
    session.add(episode)
    session.flush()
    return episode


def make_service(
    session: Session, *, line: ServiceLine = ServiceLine.SKILLS, kind: ServiceKind = ServiceKind.COACHING
) -> Service:
    n = next(_serial)
    service = Service(
        code=f"SC-TEST-{n}",
        name_fi=f"Palvelu {n}",
        name_sv=f"Tjänst {n}",
        name_en=f"Service {n}",
        kind=kind,
        production=Production.PURCHASED,
        service_line=line,
        unit_cost=Decimal("1000.00"),
        typical_duration_days=60,
    )
    session.add(service)
    session.flush()
    return service


def add_participation(
    session: Session,
    person: Person,
    service: Service,
    start: dt.date,
    end: dt.date | None,
    *,
    cost: str = "1000.00",
    outcome: ParticipationOutcome = ParticipationOutcome.COMPLETED,
) -> Participation:
    participation = Participation(
        person_id=person.id,
        service_id=service.id,
        referred_on=start,
        start_date=start,
        end_date=end,
        cost=Decimal(cost),
        outcome=outcome if end is not None else ParticipationOutcome.ONGOING,
    )
    session.add(participation)
    session.flush()
    return participation


def add_group(
    session: Session, person: Person, group: CustomerGroup, start: dt.date, end: dt.date | None = None
) -> None:
    session.add(CustomerGroupMembership(person_id=person.id, group=group, start_date=start, end_date=end))
    session.flush()


def _staff(session: Session, line: ServiceLine) -> StaffMember:
    n = next(_serial)
    staff = StaffMember(
        employee_number=f"SC{n:06d}",
        first_name="Testi",
        last_name=f"Virkailija{n}",
        email=f"virkailija{n}@alue.example",
        service_line=line,
        base_municipality_code="609",
    )
    session.add(staff)
    session.flush()
    return staff


def assign(
    session: Session, person: Person, line: ServiceLine, start: dt.date, end: dt.date | None = None
) -> None:
    staff = _staff(session, line)
    session.add(
        CaseAssignment(
            person_id=person.id, staff_id=staff.id, service_line=line, start_date=start, end_date=end
        )
    )
    session.flush()


def make_employer(
    session: Session, *, municipality: str = "609", founded_on: dt.date | None = None
) -> Employer:
    while True:  # a serial whose check digit would be 10 has no Y-tunnus: take the next one
        n = next(_serial)
        try:
            business_id = make_business_id(7_000_000 + n)
            break
        except ValueError:
            continue
    employer = Employer(
        business_id=business_id,
        name=f"Testiyritys {n} Oy",
        municipality_code=municipality,
        industry="C",
        size_class=SizeClass.SMALL,
        founded_on=founded_on,
    )
    session.add(employer)
    session.flush()
    return employer


def add_employer_event(
    session: Session,
    employer: Employer | None,
    day: dt.date,
    kind: EmployerServiceKind = EmployerServiceKind.CONTACT,
    *,
    municipality: str | None = None,
) -> None:
    session.add(
        EmployerServiceEvent(
            employer_id=employer.id if employer else None,
            event_date=day,
            kind=kind,
            municipality_code=municipality or (employer.municipality_code if employer else "609"),
        )
    )
    session.flush()


def make_partner(
    session: Session, *, agreement: bool, municipality: str | None = "609", active: bool = True
) -> None:
    n = next(_serial)
    session.add(
        Partner(
            name=f"Kumppani {n} ry",
            kind=PartnerKind.NGO,
            municipality_code=municipality,
            partnership_agreement=agreement,
            active=active,
        )
    )
    session.flush()


def add_survey(
    session: Session,
    kind: str,
    day: dt.date,
    score: float,
    *,
    municipality: str | None = "609",
    line: str | None = None,
    channel: str | None = "in_person",
) -> None:
    n = next(_serial)
    session.add(
        SurveyScore(
            survey_kind=kind,
            response_date=day,
            municipality_code=municipality,
            service_line=line,
            channel=channel,
            score=score,
            import_batch="test",
            row_key=f"test-{n}",
        )
    )
    session.flush()


def add_shortage(
    session: Session, isco4: str, valid_from: dt.date, valid_to: dt.date, *, basis: str = "barometer"
) -> None:
    session.add(
        ShortageOccupation(
            isco4=isco4,
            valid_from=valid_from,
            valid_to=valid_to,
            rating="shortage",
            basis=basis,
            source="test list",
        )
    )
    session.flush()
