"""Small factories for people data in tests (synthetic people only: HETU individual numbers 900–999)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from faker import Faker
from sqlalchemy.orm import Session

from alue.people.models import (
    EducationLevel,
    Gender,
    JobseekingSpell,
    Person,
    Residence,
    Status,
    StatusPeriod,
)
from alue.shared.identifiers import make_hetu

fake = Faker("fi_FI")
_serial = itertools.count(1)


def make_person(
    session: Session,
    *,
    birth_date: dt.date = dt.date(1985, 5, 17),
    municipality: str = "609",
    **overrides: object,
) -> Person:
    n = next(_serial)
    person = Person(
        customer_number=f"T{n:09d}",
        hetu=make_hetu(birth_date, 900 + n % 100),
        pseudo_key=uuid.uuid4().hex,
        first_name=fake.first_name(),
        last_name=fake.last_name(),
        birth_date=birth_date,
        gender=Gender.FEMALE if n % 2 == 0 else Gender.MALE,
        home_municipality_code=municipality,
        mother_tongue="fi",
        service_language="fi",
        education_level=EducationLevel.VOCATIONAL,
    )
    for key, value in overrides.items():
        setattr(person, key, value)
    session.add(person)
    session.flush()
    return person


def add_spell(
    session: Session,
    person: Person,
    periods: list[tuple[Status, dt.date, dt.date | None]],
    *,
    end: dt.date | None = None,
) -> JobseekingSpell:
    spell = JobseekingSpell(
        person_id=person.id,
        start_date=periods[0][1],
        end_date=end,
        municipality_code=person.home_municipality_code,
    )
    session.add(spell)
    session.flush()
    for status, start, stop in periods:
        session.add(
            StatusPeriod(
                spell_id=spell.id, person_id=person.id, status=status, start_date=start, end_date=stop
            )
        )
    session.flush()
    return spell


def move(session: Session, person: Person, moves: list[tuple[str, dt.date, dt.date | None]]) -> None:
    for code, start, stop in moves:
        session.add(Residence(person_id=person.id, municipality_code=code, start_date=start, end_date=stop))
    session.flush()
