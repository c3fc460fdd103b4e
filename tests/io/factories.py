"""Factories for import/export tests: a small, realistic Satakunta dataset of synthetic people.

Every HETU has an individual number 900–999 (temporary codes that are never a real person's).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import typer
from faker import Faker
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from alue.employers.models import Employer, EmploymentType, SizeClass, Vacancy
from alue.io import cli as io_cli
from alue.people.models import (
    EducationLevel,
    EmploymentEpisode,
    EmploymentKind,
    Gender,
    JobseekingSpell,
    Person,
    Residence,
    SpellEndReason,
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
    Service,
    ServiceKind,
)
from alue.shared.identifiers import make_business_id, make_hetu
from alue.staff.models import ServiceLine

D = dt.date
fake = Faker("fi_FI")
Faker.seed(2025)
_serial = itertools.count(1)
AREA_CODES = ("609", "079", "102", "214", "181", "484", "531", "608", "747", "886", "271")
#: tables an import writes, children first (for wiping and counting)
IO_TABLES = (
    Participation,
    EmploymentEpisode,
    StatusPeriod,
    JobseekingSpell,
    Vacancy,
    Service,
    Partner,
    Employer,
    Residence,
    Person,
)


def unique_hetu() -> str:
    n = next(_serial)
    birth = D(1960, 1, 1) + dt.timedelta(days=(n * 373) % 20000)
    return make_hetu(birth, 900 + n % 100)


def make_person(session: Session, **overrides: object) -> Person:
    hetu = str(overrides.pop("hetu", None) or unique_hetu())
    from alue.shared.identifiers import hetu_birth_date, hetu_is_female

    person = Person(
        hetu=hetu,
        customer_number=f"{next(_serial) + 5_000_000_000}",
        pseudo_key=uuid.uuid4().hex,
        first_name=fake.first_name(),
        last_name=fake.last_name(),
        birth_date=hetu_birth_date(hetu),
        gender=Gender.FEMALE if hetu_is_female(hetu) else Gender.MALE,
        home_municipality_code=fake.random_element(AREA_CODES),
        street_address=fake.street_address(),
        postcode=fake.postcode(),
        phone=fake.numerify("040 ### ####"),
        email=fake.email(),
        mother_tongue=fake.random_element(("fi", "fi", "fi", "sv", "ru", "ar")),
        service_language="fi",
        citizenship="FIN",
        education_level=fake.random_element(list(EducationLevel)),
        languages={"fi": "native", "en": fake.random_element(("good", "basic"))},
        driving_licence=fake.boolean(),
        commute_reach_km=fake.random_element((10, 30, 50)),
        working_time_preference=fake.random_element(list(WorkingTime)),
    )
    for key, value in overrides.items():
        setattr(person, key, value)
    session.add(person)
    session.flush()
    # the home municipality over time, as an import would have recorded it
    session.add(
        Residence(
            person_id=person.id, municipality_code=person.home_municipality_code, start_date=D(2020, 1, 1)
        )
    )
    session.flush()
    return person


def make_partner(session: Session, **overrides: object) -> Partner:
    partner = Partner(
        name=f"{fake.company()} {next(_serial)}",
        kind=PartnerKind.SERVICE_PROVIDER,
        business_id=_business_id(),
        municipality_code="609",
        contact_email=fake.company_email(),
        description="Koulutuspalvelut",
        partnership_agreement=True,
    )
    for key, value in overrides.items():
        setattr(partner, key, value)
    session.add(partner)
    session.flush()
    return partner


def _business_id() -> str:
    while True:
        try:
            return make_business_id(1_000_000 + next(_serial) * 7)
        except ValueError:
            continue


def make_employer(session: Session, **overrides: object) -> Employer:
    employer = Employer(
        business_id=_business_id(),
        name=f"{fake.company()} {next(_serial)}",
        municipality_code=fake.random_element(AREA_CODES),
        industry=fake.random_element(("C", "F", "G", "Q")),
        size_class=fake.random_element(list(SizeClass)),
        founded_on=None,
    )
    for key, value in overrides.items():
        setattr(employer, key, value)
    session.add(employer)
    session.flush()
    return employer


def make_service(session: Session, provider: Partner | None = None, **overrides: object) -> Service:
    n = next(_serial)
    service = Service(
        code=f"S-{n:04d}",
        name_fi=f"Valmennus {n}",
        name_sv=f"Coachning {n}",
        name_en=f"Coaching {n}",
        kind=ServiceKind.COACHING,
        production=Production.PURCHASED if provider else Production.OWN,
        provider_id=provider.id if provider else None,
        service_line=ServiceLine.SKILLS,
        unit_cost=Decimal("1250.50"),
        typical_duration_days=60,
        target_isco=["7212"],
    )
    for key, value in overrides.items():
        setattr(service, key, value)
    session.add(service)
    session.flush()
    return service


def make_vacancy(session: Session, employer: Employer, **overrides: object) -> Vacancy:
    n = next(_serial)
    vacancy = Vacancy(
        employer_id=employer.id,
        source="tmt",
        external_id=f"TMT-{n:06d}",
        title=fake.job()[:200],
        description="Vuorotyö; ajokortti eduksi.",
        esco_uri=None,
        esco_version=None,
        isco4="7212",
        municipality_code=employer.municipality_code,
        positions=2,
        published_on=D(2025, 3, 1),
        closes_on=D(2025, 3, 31),
        filled_on=None,
        working_time=WorkingTime.FULL_TIME,
        employment_type=EmploymentType.PERMANENT,
        languages=["fi"],
        driving_licence_required=False,
        remote_possible=False,
        min_education="vocational",
    )
    for key, value in overrides.items():
        setattr(vacancy, key, value)
    session.add(vacancy)
    session.flush()
    return vacancy


def make_spell(
    session: Session,
    person: Person,
    periods: list[tuple[Status, dt.date, dt.date | None]],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    reason: SpellEndReason | None = None,
) -> JobseekingSpell:
    spell = JobseekingSpell(
        person_id=person.id,
        start_date=start or periods[0][1],
        end_date=end,
        municipality_code=person.home_municipality_code,
        end_reason=reason,
    )
    session.add(spell)
    session.flush()
    for status, first, last in periods:
        session.add(
            StatusPeriod(
                spell_id=spell.id, person_id=person.id, status=status, start_date=first, end_date=last
            )
        )
    session.flush()
    return spell


@dataclass
class Dataset:
    persons: list[Person] = field(default_factory=list)
    employers: list[Employer] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    vacancies: list[Vacancy] = field(default_factory=list)
    spells: list[JobseekingSpell] = field(default_factory=list)


def build_dataset(session: Session) -> Dataset:
    """Ten jobseekers with spells, jobs and services; four employers; a small catalogue."""
    data = Dataset()
    data.persons = [make_person(session) for _ in range(10)]
    data.persons[0].languages = {}
    data.persons[1].email = ""
    data.persons[1].postcode = ""
    partners = [
        make_partner(session),
        make_partner(session, kind=PartnerKind.NGO, business_id=None, municipality_code=None),
    ]
    data.employers = [make_employer(session) for _ in range(4)]
    data.employers[0].founded_by_person_id = data.persons[2].id
    data.employers[0].founded_on = D(2023, 9, 1)
    data.services = [
        make_service(session, partners[0]),
        make_service(session),
        make_service(
            session,
            partners[1],
            kind=ServiceKind.WORK_TRIAL,
            target_isco=[],
            unit_cost=Decimal("0.00"),
            active=False,
        ),
    ]
    data.vacancies = [
        make_vacancy(session, data.employers[0]),
        make_vacancy(session, data.employers[1]),
        make_vacancy(
            session,
            data.employers[1],
            external_id=None,
            source="alue",
            closes_on=None,
            languages=[],
            min_education=None,
            esco_uri="http://data.europa.eu/esco/occupation/x",
            esco_version="v1.2.0",
        ),
    ]
    U, L, S = Status.UNEMPLOYED, Status.LAID_OFF_FULL, Status.IN_SERVICE
    for i, person in enumerate(data.persons):
        start = D(2024, 1 + i % 12, 2 + i)
        if i % 3 == 0:  # ended spell: unemployed, then a service, then employed
            spell = make_spell(
                session,
                person,
                [
                    (U, start, start + dt.timedelta(days=89)),
                    (S, start + dt.timedelta(days=90), start + dt.timedelta(days=179)),
                ],
                end=start + dt.timedelta(days=179),
                reason=SpellEndReason.EMPLOYED_OPEN_MARKET,
            )
            session.add(
                EmploymentEpisode(
                    person_id=person.id,
                    employer_id=data.employers[i % 4].id,
                    vacancy_id=data.vacancies[0].id if i == 0 else None,
                    isco4="7212",
                    kind=EmploymentKind.OPEN_MARKET,
                    working_time=WorkingTime.FULL_TIME,
                    municipality_code="609",
                    start_date=start + dt.timedelta(days=180),
                )
            )
        elif i % 3 == 1:  # open spell, laid off then unemployed
            spell = make_spell(
                session,
                person,
                [(L, start, start + dt.timedelta(days=30)), (U, start + dt.timedelta(days=31), None)],
            )
        else:  # open spell without status periods yet
            spell = make_spell(session, person, [], start=start)
        data.spells.append(spell)
        if i % 2 == 0:
            service = data.services[i % 3]
            session.add(
                Participation(
                    person_id=person.id,
                    service_id=service.id,
                    spell_id=spell.id if i % 4 == 0 else None,
                    referred_on=start + dt.timedelta(days=20),
                    start_date=start + dt.timedelta(days=30),
                    end_date=None if i == 8 else start + dt.timedelta(days=60),
                    cost=service.unit_cost,
                    outcome=ParticipationOutcome.COMPLETED if i != 8 else ParticipationOutcome.ONGOING,
                )
            )
    session.add(
        EmploymentEpisode(
            person_id=data.persons[4].id,
            employer_id=None,
            vacancy_id=None,
            esco_uri=None,
            isco4="5120",
            kind=EmploymentKind.SELF_EMPLOYED,
            working_time=WorkingTime.PART_TIME,
            municipality_code=None,
            start_date=D(2023, 5, 1),
            end_date=D(2023, 8, 31),
        )
    )
    session.add(
        EmploymentEpisode(
            person_id=data.persons[5].id,
            employer_id=data.employers[1].id,
            vacancy_id=data.vacancies[2].id,
            isco4="9112",
            kind=EmploymentKind.SUBSIDISED,
            working_time=WorkingTime.FULL_TIME,
            municipality_code="079",
            start_date=D(2025, 4, 1),
            end_date=D(2025, 9, 30),
        )
    )
    session.flush()
    return data


def wipe(session: Session) -> None:
    """Empty the tables an import writes (inside the test's transaction, which is rolled back)."""
    for model in IO_TABLES:
        session.execute(delete(model))
    session.flush()
    session.expunge_all()


def counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in IO_TABLES}


def cli_in_session(session: Session, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """``alue import`` and ``alue export`` as a Typer app working in the test's rolled-back session."""

    @contextmanager
    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    monkeypatch.setattr(io_cli, "open_session", test_session)
    root = typer.Typer()
    io_cli.register(root)
    return root
