"""A small synthetic jobseeker history with a known structure, for exercising the early-identification
pipeline (tests, the benchmark, a first look without the demo area).

Every person is synthetic (HETU individual numbers 900–999). Spell durations follow a monthly exit hazard
on the logit scale whose effects are set below (``EFFECTS``): age, education, earlier unemployment, recorded
customer groups, lay-off, season, municipality, and — deliberately — a penalty for a mother tongue other than
Finnish or Swedish, so that the fairness report has a real disparity to show. This is not calibrated to any
official statistic; the demo area (``alue.demo``) is.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from alue.people.models import (
    CustomerGroup,
    CustomerGroupMembership,
    EducationLevel,
    Gender,
    JobseekingSpell,
    Person,
    PersonOccupation,
    SpellEndReason,
    Status,
    StatusPeriod,
)
from alue.shared.identifiers import make_hetu

SATAKUNTA = ("609", "079", "214", "886", "271", "531", "484", "608", "181", "230", "747")
WEIGHTS = (40, 6, 9, 7, 6, 4, 3, 2, 1, 1, 1)

#: Effects on the logit of the monthly probability of leaving unemployment.
EFFECTS = {
    "base": -0.9,
    "per_year_over_35": -0.035,
    "basic_education": -0.6,
    "higher_education": 0.35,
    "per_prior_spell": -0.25,
    "partial_work_ability": -1.0,
    "life_management": -0.9,
    "substance_mental_health": -0.8,
    "laid_off": 1.2,
    "spring": 0.25,
    "other_mother_tongue": -0.5,
    "per_month_elapsed": -0.06,
    "small_municipality": -0.15,
}
EDUCATION = (
    (EducationLevel.BASIC, 0.2),
    (EducationLevel.GENERAL_UPPER_SECONDARY, 0.08),
    (EducationLevel.VOCATIONAL, 0.42),
    (EducationLevel.SHORT_TERTIARY, 0.08),
    (EducationLevel.BACHELOR, 0.15),
    (EducationLevel.MASTER, 0.07),
)
ISCO_MAJORS = "123456789"


def _pick(rng: random.Random, options: tuple[tuple[object, float], ...]) -> object:
    roll, total = rng.random(), 0.0
    for value, weight in options:
        total += weight
        if roll < total:
            return value
    return options[-1][0]


def _next_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def generate_history(
    session: Session,
    *,
    n_people: int = 1000,
    start: dt.date = dt.date(2022, 1, 1),
    end: dt.date = dt.date(2025, 12, 31),
    seed: int = 7,
) -> int:
    """Write ``n_people`` synthetic people with one or more jobseeking spells between ``start`` and ``end``
    (spells still running on ``end`` stay open). Returns the number of spells written.

    Rows are written with bulk inserts (ids assigned here), so a few thousand people take seconds.
    """
    rng = random.Random(seed)
    used: set[str] = set(session.scalars(select(Person.hetu)))
    span = (end - start).days
    tables: dict[type, Table] = {
        m: m.metadata.tables[m.__tablename__]
        for m in (Person, PersonOccupation, CustomerGroupMembership, JobseekingSpell, StatusPeriod)
    }
    next_id: dict[type, int] = {m: _next_id(session, t) for m, t in tables.items()}
    rows: dict[type, list[dict[str, object]]] = {m: [] for m in tables}

    def add(model: type, **values: object) -> int:
        values["id"] = next_id[model]
        next_id[model] += 1
        rows[model].append(values)
        return int(values["id"])  # type: ignore[call-overload]

    spells_written = 0
    for n in range(n_people):
        birth = start - dt.timedelta(days=rng.randint(18 * 365, 63 * 365))
        while True:
            hetu = make_hetu(birth, rng.randint(900, 999))
            if hetu not in used:
                used.add(hetu)
                break
            birth -= dt.timedelta(days=1)
        tongue = str(_pick(rng, (("fi", 0.86), ("sv", 0.03), ("ru", 0.04), ("ar", 0.04), ("en", 0.03))))
        education = _pick(rng, EDUCATION)
        assert isinstance(education, EducationLevel)
        municipality = rng.choices(SATAKUNTA, WEIGHTS)[0]
        foreign = tongue not in ("fi", "sv")
        person_id = add(
            Person,
            customer_number=f"SY{seed % 1000:03d}{n:07d}",  # 12 characters, the column width
            hetu=hetu,
            pseudo_key=uuid.UUID(int=rng.getrandbits(128)).hex,
            first_name="Testi",
            last_name=f"Henkilö{n}",
            birth_date=birth,
            gender=(Gender.FEMALE if rng.random() < 0.47 else Gender.MALE).value,
            home_municipality_code=municipality,
            street_address="",
            postcode="",
            phone="",
            email="",
            mother_tongue=tongue,
            service_language="sv" if tongue == "sv" else ("en" if foreign and rng.random() < 0.5 else "fi"),
            citizenship="FIN" if not foreign or rng.random() < 0.2 else "XXA",
            education_level=education.value,
            languages={tongue: "native"},
            driving_licence=rng.random() < 0.75,
            commute_reach_km=30,
            working_time_preference="any",
        )
        add(
            PersonOccupation,
            person_id=person_id,
            esco_uri="http://data.europa.eu/esco/occupation/synthetic",
            esco_version="1.2.0",
            isco4=rng.choice(ISCO_MAJORS) + "000",
            label="synthetic occupation",
            is_target=True,
            experience_months=rng.randint(0, 240),
            last_worked_year=None,
        )
        groups = []
        for group, share in (
            (CustomerGroup.PARTIAL_WORK_ABILITY, 0.08),
            (CustomerGroup.LIFE_MANAGEMENT, 0.05),
            (CustomerGroup.SUBSTANCE_MENTAL_HEALTH, 0.04),
        ):
            if rng.random() < share:
                groups.append(group)
        for group in groups + ([CustomerGroup.IMMIGRANT] if foreign else []):
            add(
                CustomerGroupMembership,
                person_id=person_id,
                group=group.value,
                start_date=start - dt.timedelta(days=400),
                end_date=None,
                source="synthetic",
            )
        day = start + dt.timedelta(days=rng.randint(-365, span))
        prior = 0
        while day <= end:
            laid_off = rng.random() < 0.12
            logit = (
                EFFECTS["base"]
                + EFFECTS["per_year_over_35"] * max(0, (day - birth).days / 365.25 - 35)
                + (EFFECTS["basic_education"] if education is EducationLevel.BASIC else 0)
                + (
                    EFFECTS["higher_education"]
                    if education in (EducationLevel.BACHELOR, EducationLevel.MASTER)
                    else 0
                )
                + EFFECTS["per_prior_spell"] * prior
                + sum(EFFECTS[g.value] for g in groups)
                + (EFFECTS["laid_off"] if laid_off else 0)
                + (EFFECTS["spring"] if day.month in (3, 4, 5) else 0)
                + (EFFECTS["other_mother_tongue"] if foreign else 0)
                + (EFFECTS["small_municipality"] if municipality in SATAKUNTA[6:] else 0)
            )
            months = 0
            while months < 48:
                hazard = 1 / (1 + math.exp(-(logit + EFFECTS["per_month_elapsed"] * months)))
                if rng.random() < hazard:
                    break
                months += 1
            length = months * 30 + rng.randint(0, 29)
            stop = day + dt.timedelta(days=length)
            ended = stop <= end
            reason = _pick(
                rng,
                (
                    (SpellEndReason.EMPLOYED_OPEN_MARKET, 0.7),
                    (SpellEndReason.EDUCATION, 0.1),
                    (SpellEndReason.OUTSIDE_LABOUR_FORCE, 0.1),
                    (SpellEndReason.NOT_RENEWED, 0.1),
                ),
            )
            spell_end = stop if ended else None
            spell_id = add(
                JobseekingSpell,
                person_id=person_id,
                start_date=day,
                end_date=spell_end,
                municipality_code=municipality,
                end_reason=reason.value if ended else None,  # type: ignore[attr-defined]
            )
            status = Status.LAID_OFF_FULL if laid_off else Status.UNEMPLOYED
            periods: list[tuple[Status, dt.date, dt.date | None]] = [(status, day, spell_end)]
            if rng.random() < 0.15 and length > 150:
                service_start = day + dt.timedelta(days=rng.randint(40, 100))
                service_end = service_start + dt.timedelta(days=rng.randint(30, 60))
                periods = [
                    (status, day, service_start - dt.timedelta(days=1)),
                    (Status.IN_SERVICE, service_start, service_end),
                    (Status.UNEMPLOYED, service_end + dt.timedelta(days=1), spell_end),
                ]
            for period_status, period_start, period_end in periods:
                if period_end is not None and period_end < period_start:
                    continue
                add(
                    StatusPeriod,
                    spell_id=spell_id,
                    person_id=person_id,
                    status=period_status.value,
                    start_date=period_start,
                    end_date=period_end,
                )
            spells_written += 1
            prior += 1
            if not ended:
                break
            day = stop + dt.timedelta(days=rng.randint(20, 500))
    for model, table in tables.items():
        if rows[model]:
            session.execute(insert(table), rows[model])
    session.flush()
    return spells_written
