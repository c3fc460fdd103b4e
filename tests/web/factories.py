"""Synthetic data for the web tests: a small area with staff, teams, jobseekers, employers and users.

Every person is made up (Faker fi_FI); identity codes use the temporary range 900–999, so none can belong
to a real person.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from faker import Faker
from sqlalchemy.orm import Session

from alue.casework.models import CaseAssignment, Channel, EmploymentPlan, Meeting, MeetingKind, PlanKind
from alue.employers.models import Employer, EmploymentType, SizeClass, Vacancy
from alue.people.models import (
    CustomerGroup,
    CustomerGroupMembership,
    EducationLevel,
    EmploymentEpisode,
    EmploymentKind,
    Gender,
    JobseekingSpell,
    Person,
    PersonOccupation,
    Status,
    StatusPeriod,
    WorkingTime,
)
from alue.services.models import (
    Participation,
    ParticipationOutcome,
    Partner,
    PartnerKind,
    Production,
    Referral,
    ReferralStatus,
    Service,
    ServiceKind,
)
from alue.shared import auth
from alue.shared.auth import Role
from alue.shared.identifiers import make_business_id, make_hetu
from alue.shared.time import today
from alue.staff.models import (
    DelegatedTask,
    Delegation,
    ServiceLine,
    StaffMember,
    StaffMunicipality,
    Team,
    TeamMembership,
)

PASSWORD = "Testi-salasana-2026!"  # noqa: S105 — every test user's password
PORI, ULVILA, KANKAANPAA, KARVIA = "609", "886", "214", "230"

fake = Faker("fi_FI")
Faker.seed(20260101)
_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


def make_staff(
    session: Session,
    *,
    line: ServiceLine = ServiceLine.JOB_BROKERAGE,
    base: str = PORI,
    serves: tuple[str, ...] = (PORI,),
    municipal_official: bool = True,
    first_name: str | None = None,
    last_name: str | None = None,
) -> StaffMember:
    n = _n()
    staff = StaffMember(
        employee_number=f"T{n:05d}",
        first_name=first_name or fake.first_name(),
        last_name=last_name or fake.last_name(),
        email=f"staff{n}@alue.example",
        phone="+358 40 000 0000",
        title="Asiantuntija",
        service_line=line,
        base_municipality_code=base,
        fte=Decimal("1.0"),
        municipal_official=municipal_official,
        languages=["fi", "sv"],
        active=True,
    )
    session.add(staff)
    session.flush()
    for code in serves:
        session.add(StaffMunicipality(staff_id=staff.id, municipality_code=code))
    session.flush()
    return staff


def make_person(
    session: Session,
    *,
    municipality: str = PORI,
    status: Status = Status.UNEMPLOYED,
    first_name: str | None = None,
    last_name: str | None = None,
    birth: dt.date | None = None,
    rich: bool = False,
) -> Person:
    n = _n()
    day = today()
    born = birth or dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
    person = Person(
        customer_number=f"AS{100000 + n}",
        hetu=make_hetu(born, 900 + n % 100),
        pseudo_key=f"pk{n:030d}",
        first_name=first_name or fake.first_name(),
        last_name=last_name or fake.last_name(),
        birth_date=born,
        gender=Gender.FEMALE if n % 2 else Gender.MALE,
        home_municipality_code=municipality,
        street_address=fake.street_address(),
        postcode="28100",
        phone="+358 50 000 0000",
        email=f"person{n}@example.invalid",
        mother_tongue="fi",
        service_language="fi",
        education_level=EducationLevel.VOCATIONAL if n % 3 else EducationLevel.BASIC,
        languages={"fi": "native"},
    )
    session.add(person)
    session.flush()
    spell = JobseekingSpell(
        person_id=person.id, start_date=day - dt.timedelta(days=400), municipality_code=municipality
    )
    session.add(spell)
    session.flush()
    session.add_all(
        [
            StatusPeriod(
                spell_id=spell.id,
                person_id=person.id,
                status=Status.EMPLOYED,
                start_date=spell.start_date,
                end_date=day - dt.timedelta(days=201),
            ),
            StatusPeriod(
                spell_id=spell.id,
                person_id=person.id,
                status=status,
                start_date=day - dt.timedelta(days=200),
                end_date=None,
            ),
        ]
    )
    if rich:
        _add_case_details(session, person, spell)
    session.flush()
    return person


def _add_case_details(session: Session, person: Person, spell: JobseekingSpell) -> None:
    day = today()
    service = Service(
        code=f"SRV{_n()}",
        name_fi="Työnhakuvalmennus",
        name_sv="Jobbsökarträning",
        name_en="Job-search coaching",
        kind=ServiceKind.JOB_SEARCH_TRAINING,
        production=Production.PURCHASED,
        service_line=ServiceLine.JOB_BROKERAGE,
        unit_cost=Decimal("1200.00"),
        typical_duration_days=30,
    )
    session.add(service)
    session.flush()
    session.add_all(
        [
            PersonOccupation(
                person_id=person.id,
                esco_uri="http://data.europa.eu/esco/occupation/x",
                esco_version="1.2",
                isco4="7212",
                label="Hitsaaja",
                is_target=True,
                experience_months=36,
            ),
            CustomerGroupMembership(
                person_id=person.id,
                group=CustomerGroup.PARTIAL_WORK_ABILITY,
                start_date=day - dt.timedelta(days=100),
            ),
            EmploymentPlan(
                person_id=person.id,
                spell_id=spell.id,
                version=1,
                kind=PlanKind.EMPLOYMENT,
                made_on=day - dt.timedelta(days=190),
                obligation_per_month=4,
                goals=["Työpaikka metallialalta"],
                tasks=[{"text": "Päivitä CV", "due": "2026-12-31"}],
                agreed_services=[service.code],
            ),
            Meeting(
                person_id=person.id,
                spell_id=spell.id,
                held_at=dt.datetime(2025, 5, 5, 9, 30, tzinfo=dt.UTC),
                kind=MeetingKind.INITIAL_INTERVIEW,
                channel=Channel.PHONE,
                notes="Alkuhaastattelu pidetty",
            ),
            Participation(
                person_id=person.id,
                service_id=service.id,
                spell_id=spell.id,
                referred_on=day - dt.timedelta(days=150),
                start_date=day - dt.timedelta(days=140),
                end_date=day - dt.timedelta(days=110),
                cost=Decimal("1200.00"),
                outcome=ParticipationOutcome.COMPLETED,
            ),
            Referral(
                person_id=person.id,
                service_id=service.id,
                referred_on=day - dt.timedelta(days=150),
                status=ReferralStatus.CONFIRMED,
                notes="Saattaen vaihto",
            ),
            EmploymentEpisode(
                person_id=person.id,
                isco4="7212",
                kind=EmploymentKind.OPEN_MARKET,
                working_time=WorkingTime.FULL_TIME,
                start_date=day - dt.timedelta(days=400),
                end_date=day - dt.timedelta(days=201),
            ),
        ]
    )


def make_employer(session: Session, *, municipality: str = PORI, name: str | None = None) -> Employer:
    n = _n()
    serial = 1000000 + n
    while True:
        try:
            business_id = make_business_id(serial)
            break
        except ValueError:
            serial += 1
    employer = Employer(
        business_id=business_id,
        name=name or fake.company(),
        municipality_code=municipality,
        industry="C",
        size_class=SizeClass.SMALL,
    )
    session.add(employer)
    session.flush()
    return employer


def make_vacancy(session: Session, *, employer: Employer, title: str = "Hitsaaja") -> Vacancy:
    vacancy = Vacancy(
        employer_id=employer.id,
        title=title,
        description="Hitsaustöitä konepajalla.",
        isco4="7212",
        municipality_code=employer.municipality_code,
        positions=2,
        published_on=today() - dt.timedelta(days=10),
        closes_on=today() + dt.timedelta(days=20),
        working_time=WorkingTime.FULL_TIME,
        employment_type=EmploymentType.PERMANENT,
        languages=["fi"],
    )
    session.add(vacancy)
    session.flush()
    return vacancy


@dataclass
class World:
    """Ids and credentials of the synthetic area the web tests run against."""

    users: dict[Role, str] = field(default_factory=dict)  # role -> username
    staff: dict[str, int] = field(default_factory=dict)
    team_id: int = 0
    other_team_id: int = 0
    person_in_scope: int = 0  # a Pori customer, assigned to the case worker
    person_assigned_elsewhere: int = 0  # a Karvia customer assigned to the case worker's team mate
    person_out_of_scope: int = 0  # a Kankaanpää customer nobody in the team serves
    hetu_in_scope: str = ""
    hetu_out_of_scope: str = ""
    customer_number_in_scope: str = ""
    employer_id: int = 0
    vacancy_id: int = 0
    delegation_id: int = 0
    service_point_key: str = "pori-toimipiste"
    other_service_point_key: str = "kankaanpaa-toimipiste"
    admin_user_id: int = 0
    other_user_id: int = 0


def build_world(session: Session) -> World:
    world = World()
    day = today()
    worker = make_staff(session, serves=(PORI,), first_name="Aino", last_name="Asiantuntija")
    mate = make_staff(session, serves=(ULVILA,), first_name="Matti", last_name="Tiimiläinen")
    lead = make_staff(session, serves=(PORI, ULVILA), first_name="Eeva", last_name="Esihenkilö")
    employer_staff = make_staff(
        session, line=ServiceLine.EMPLOYER_SERVICES, first_name="Tuula", last_name="Työnantaja"
    )
    state_staff = make_staff(session, serves=(KANKAANPAA,), base=KANKAANPAA, municipal_official=False)
    world.staff = {
        "worker": worker.id,
        "mate": mate.id,
        "lead": lead.id,
        "employer": employer_staff.id,
        "state": state_staff.id,
    }
    team = Team(name="Porin työnvälitys", service_line=ServiceLine.JOB_BROKERAGE, lead_staff_id=lead.id)
    other = Team(name="Kankaanpään tiimi", service_line=ServiceLine.MULTISECTOR, lead_staff_id=state_staff.id)
    session.add_all([team, other])
    session.flush()
    start = day - dt.timedelta(days=365)
    session.add_all(
        [
            TeamMembership(team_id=team.id, staff_id=worker.id, start_date=start),
            TeamMembership(team_id=team.id, staff_id=mate.id, start_date=start),
            TeamMembership(team_id=other.id, staff_id=state_staff.id, start_date=start),
        ]
    )
    world.team_id, world.other_team_id = team.id, other.id

    inside = make_person(session, municipality=PORI, first_name="Liisa", last_name="Lahtinen", rich=True)
    elsewhere = make_person(session, municipality=KARVIA, first_name="Kalle", last_name="Karvonen")
    outside = make_person(session, municipality=KANKAANPAA, first_name="Olli", last_name="Ulkopuolinen")
    for _ in range(12):  # enough Pori customers for figures that are not suppressed
        make_person(session, municipality=PORI)
    for _ in range(3):  # a small municipality: its figures must be suppressed
        make_person(session, municipality=ULVILA)
    session.add_all(
        [
            CaseAssignment(
                person_id=inside.id,
                staff_id=worker.id,
                service_line=ServiceLine.JOB_BROKERAGE,
                start_date=start,
            ),
            CaseAssignment(
                person_id=elsewhere.id,
                staff_id=mate.id,
                service_line=ServiceLine.JOB_BROKERAGE,
                start_date=start,
            ),
            CaseAssignment(
                person_id=outside.id,
                staff_id=state_staff.id,
                service_line=ServiceLine.MULTISECTOR,
                start_date=start,
            ),
        ]
    )
    world.person_in_scope, world.person_assigned_elsewhere, world.person_out_of_scope = (
        inside.id,
        elsewhere.id,
        outside.id,
    )
    world.hetu_in_scope, world.hetu_out_of_scope = inside.hetu, outside.hetu
    world.customer_number_in_scope = inside.customer_number

    employer = make_employer(session, name="Porin Konepaja Oy")
    world.employer_id = employer.id
    world.vacancy_id = make_vacancy(session, employer=employer).id
    session.add(
        Partner(
            name="Satakunnan hyvinvointialue",
            kind=PartnerKind.WELLBEING_SERVICES_COUNTY,
            municipality_code=PORI,
            partnership_agreement=True,
            contact_email="info@hva.example",
        )
    )
    delegation = Delegation(
        staff_id=worker.id,
        agreement_reference="Kh 12.3.2025 § 45",
        tasks=[DelegatedTask.LABOUR_POLICY_STATEMENT.value],
        valid_from=start,
        granted_by="Porin kaupunki",
    )
    session.add(delegation)
    session.flush()
    world.delegation_id = delegation.id

    links = {
        Role.CASE_WORKER: (worker.id, ()),
        Role.TEAM_LEAD: (lead.id, ()),
        Role.EMPLOYER_SERVICES: (employer_staff.id, ()),
        Role.ANALYST: (None, ()),
        Role.MUNICIPAL_REP: (None, (PORI,)),
        Role.ADMIN: (None, ()),
    }
    password_hash = auth.hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
    for role, (staff_id, codes) in links.items():
        username = f"test-{role.value.replace('_', '-')}"
        user = auth.create_user(
            session,
            username=username,
            role=role,
            display_name=f"Testi {role.value}",
            staff_id=staff_id,
            municipality_codes=codes,
        )
        user.password_hash = password_hash
        world.users[role] = username
        if role == Role.ADMIN:
            world.admin_user_id = user.id
    other_user = auth.create_user(session, username="test-other", role=Role.ANALYST)
    other_user.password_hash = password_hash
    world.other_user_id = other_user.id
    session.flush()
    return world
