"""Factories for casework tests: staff, teams, partners, services, delegations and registered jobseekers.

Synthetic people only (HETU individual numbers 900–999, via ``tests.people.factories.make_person``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

from faker import Faker
from sqlalchemy.orm import Session

from alue.casework import journey as jr
from alue.casework.journey_models import CaseJourney
from alue.people.models import Person, Status
from alue.services.models import Partner, PartnerKind, Production, Service, ServiceKind
from alue.staff.models import (
    DelegatedTask,
    Delegation,
    ServiceLine,
    StaffMember,
    StaffMunicipality,
    Team,
    TeamMembership,
)
from tests.people.factories import make_person

fake = Faker("fi_FI")
_serial = itertools.count(1)

D = dt.date
SINCE = D(2024, 1, 1)


def make_staff(
    session: Session,
    *,
    line: ServiceLine = ServiceLine.JOB_BROKERAGE,
    municipal_official: bool = True,
    municipalities: Sequence[str] = ("609",),
    fte: float = 1.0,
    first_name: str | None = None,
    last_name: str | None = None,
) -> StaffMember:
    n = next(_serial)
    staff = StaffMember(
        employee_number=f"CW{n:05d}",
        first_name=first_name or fake.first_name(),
        last_name=last_name or fake.last_name(),
        email=f"cw{n}@example.test",
        service_line=line,
        base_municipality_code=municipalities[0] if municipalities else "609",
        fte=fte,
        municipal_official=municipal_official,
        languages=["fi"],
        active=True,
    )
    session.add(staff)
    session.flush()
    for code in municipalities:
        session.add(StaffMunicipality(staff_id=staff.id, municipality_code=code))
    session.flush()
    return staff


def make_team(
    session: Session,
    *,
    name: str | None = None,
    line: ServiceLine = ServiceLine.JOB_BROKERAGE,
    lead: StaffMember | None = None,
    members: Iterable[StaffMember] = (),
    start: dt.date = SINCE,
) -> Team:
    team = Team(
        name=name or f"Team {next(_serial)}", service_line=line, lead_staff_id=lead.id if lead else None
    )
    session.add(team)
    session.flush()
    for member in members:
        session.add(TeamMembership(team_id=team.id, staff_id=member.id, start_date=start, end_date=None))
    session.flush()
    return team


def add_delegation(
    session: Session,
    staff: StaffMember,
    tasks: Iterable[DelegatedTask],
    *,
    valid_from: dt.date = SINCE,
    valid_to: dt.date | None = None,
) -> Delegation:
    delegation = Delegation(
        staff_id=staff.id,
        agreement_reference=f"Sopimus {next(_serial)}/2025",
        tasks=[t.value for t in tasks],
        valid_from=valid_from,
        valid_to=valid_to,
        granted_by="Porin kaupunki",
    )
    session.add(delegation)
    session.flush()
    return delegation


def make_partner(
    session: Session,
    *,
    name: str | None = None,
    kind: PartnerKind = PartnerKind.SERVICE_PROVIDER,
    business_id: str | None = None,
) -> Partner:
    partner = Partner(
        name=name or f"Kumppani {next(_serial)} Oy",
        kind=kind,
        business_id=business_id,
        municipality_code="609",
        contact_email="info@example.test",
        active=True,
    )
    session.add(partner)
    session.flush()
    return partner


def make_service(
    session: Session,
    *,
    kind: ServiceKind = ServiceKind.COACHING,
    production: Production = Production.OWN,
    provider: Partner | None = None,
    line: ServiceLine = ServiceLine.JOB_BROKERAGE,
    code: str | None = None,
) -> Service:
    n = next(_serial)
    service = Service(
        code=code or f"S{n:04d}",
        name_fi=f"Palvelu {n}",
        name_sv=f"Tjänst {n}",
        name_en=f"Service {n}",
        kind=kind,
        production=production,
        provider_id=provider.id if provider else None,
        service_line=line,
        unit_cost=Decimal("1000.00"),
        typical_duration_days=60,
        active=True,
    )
    session.add(service)
    session.flush()
    return service


def registered(
    session: Session,
    *,
    on: dt.date,
    staff: StaffMember | None = None,
    municipality: str = "609",
    status: Status = Status.UNEMPLOYED,
    **person: object,
) -> tuple[Person, CaseJourney]:
    """A person registered as a jobseeker on ``on`` (a journey in status *registered*)."""
    birth = person.pop("birth_date", D(1985, 5, 17))
    p = make_person(session, birth_date=birth, municipality=municipality, **person)  # type: ignore[arg-type]
    journey = jr.register(
        session=session, person_id=p.id, on=on, staff_id=staff.id if staff else None, status=status
    )
    return p, journey
