"""Person customers (henkilöasiakkaat), jobseeking spells, status periods and employment episodes.

The statistics of DOMAIN.md are computed from these: a person is *unemployed on a count day* when a
status period of an unemployed kind covers that day inside an open jobseeking spell.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alue.shared.db import Base
from alue.shared.enums import db_enum


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class EducationLevel(StrEnum):
    """Highest completed education (Statistics Finland's levels, simplified)."""

    BASIC = "basic"  # perusaste or none
    GENERAL_UPPER_SECONDARY = "general_upper_secondary"  # lukio — no vocational qualification
    VOCATIONAL = "vocational"  # ammatillinen perustutkinto / toinen aste
    SHORT_TERTIARY = "short_tertiary"  # opistoaste
    BACHELOR = "bachelor"  # alempi korkeakoulu / AMK
    MASTER = "master"  # ylempi korkeakoulu
    DOCTORAL = "doctoral"
    UNKNOWN = "unknown"

    @property
    def vocational(self) -> bool:
        """Whether the level includes a vocational or higher qualification.

        R-A3 names people "without vocational education" as a group of their own.
        """
        return self not in (
            EducationLevel.BASIC,
            EducationLevel.GENERAL_UPPER_SECONDARY,
            EducationLevel.UNKNOWN,
        )


class WorkingTime(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    ANY = "any"


class Person(Base):
    """A person customer. Identified by HETU in casework; by ``pseudo_key`` in every analytics table."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(12), unique=True)
    hetu: Mapped[str] = mapped_column(String(11), unique=True)  # henkilötunnus, validated
    pseudo_key: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), index=True)
    birth_date: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[Gender] = mapped_column(db_enum(Gender, "gender"))
    home_municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    street_address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    mother_tongue: Mapped[str] = mapped_column(String(3))  # ISO 639-1, e.g. fi, sv, ru, ar
    service_language: Mapped[str] = mapped_column(String(2))  # asiointikieli: fi, sv or en
    citizenship: Mapped[str] = mapped_column(String(3), default="FIN")  # ISO 3166 alpha-3
    education_level: Mapped[EducationLevel] = mapped_column(db_enum(EducationLevel, "education_level"))
    #: working languages with level, e.g. {"fi": "native", "en": "good"}
    languages: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    driving_licence: Mapped[bool] = mapped_column(Boolean, default=False)
    #: how far the person is ready to commute, straight-line km between municipality centres (R-H1, R-H3)
    commute_reach_km: Mapped[int] = mapped_column(Integer, default=30)
    working_time_preference: Mapped[WorkingTime] = mapped_column(
        db_enum(WorkingTime, "working_time"), default=WorkingTime.ANY
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    occupations: Mapped[list[PersonOccupation]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonOccupation.id"
    )
    spells: Mapped[list[JobseekingSpell]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="JobseekingSpell.start_date"
    )

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Residence(Base):
    """Home municipality over time: figures are attributed to the municipality on the count day."""

    __tablename__ = "person_residence"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class PersonOccupation(Base):
    """An occupation of the person: target occupation or work experience, coded to ESCO and ISCO-08."""

    __tablename__ = "person_occupation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    esco_uri: Mapped[str] = mapped_column(String(120))
    esco_version: Mapped[str] = mapped_column(String(10))
    isco4: Mapped[str] = mapped_column(String(4), index=True)
    label: Mapped[str] = mapped_column(String(200))
    is_target: Mapped[bool] = mapped_column(Boolean, default=True)  # sought occupation (hakutoive)
    experience_months: Mapped[int] = mapped_column(Integer, default=0)
    last_worked_year: Mapped[int | None] = mapped_column(Integer)

    person: Mapped[Person] = relationship(back_populates="occupations")


class CustomerGroup(StrEnum):
    """Customer groups that need their own service lines (R-A3). Some are derived, some recorded."""

    YOUNG = "young"  # derived: age below the area's youth limit (< 30 in Satakunta)
    IMMIGRANT = "immigrant"  # maahanmuuttaja
    PARTIAL_WORK_ABILITY = "partial_work_ability"  # osatyökykyinen
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"  # derived: ≥ 12 months continuously unemployed
    NO_VOCATIONAL_EDUCATION = "no_vocational_education"  # derived from education level
    LAID_OFF = "laid_off"  # derived from status
    LIFE_MANAGEMENT = "life_management"  # elämänhallinnan haasteet
    SUBSTANCE_MENTAL_HEALTH = "substance_mental_health"  # päihde- ja mielenterveys
    NEUROPSYCHIATRIC = "neuropsychiatric"
    DISABILITY = "disability"  # vammaisuus


#: Groups that are facts about a point in time and so computed, never stored.
DERIVED_GROUPS = frozenset(
    {
        CustomerGroup.YOUNG,
        CustomerGroup.LONG_TERM_UNEMPLOYED,
        CustomerGroup.NO_VOCATIONAL_EDUCATION,
        CustomerGroup.LAID_OFF,
    }
)


class CustomerGroupMembership(Base):
    __tablename__ = "customer_group_membership"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    group: Mapped[CustomerGroup] = mapped_column(db_enum(CustomerGroup, "customer_group"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(40), default="assessment")


class SpellEndReason(StrEnum):
    EMPLOYED_OPEN_MARKET = "employed_open_market"  # avoimille työmarkkinoille
    EMPLOYED_SUBSIDISED = "employed_subsidised"  # palkkatuettu työ
    ENTREPRENEUR = "entrepreneur"
    EDUCATION = "education"  # tutkintoon johtava koulutus
    OUTSIDE_LABOUR_FORCE = "outside_labour_force"  # työvoiman ulkopuolelle (eläke, hoitovapaa …)
    MOVED_AWAY = "moved_away"  # muutti alueelta
    NOT_RENEWED = "not_renewed"  # haku päättyi (not renewed / did not attend)
    OTHER = "other"


class JobseekingSpell(Base):
    """Työnhakujakso — a continuous registration as a jobseeker, from registration to its end."""

    __tablename__ = "jobseeking_spell"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="range"),
        Index("ix_jobseeking_spell_dates", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)  # registration date
    end_date: Mapped[dt.date | None] = mapped_column(Date)  # inclusive; None while registered
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))  # home at registration
    end_reason: Mapped[SpellEndReason | None] = mapped_column(db_enum(SpellEndReason, "spell_end_reason"))

    person: Mapped[Person] = relationship(back_populates="spells")
    periods: Mapped[list[StatusPeriod]] = relationship(
        back_populates="spell", cascade="all, delete-orphan", order_by="StatusPeriod.start_date"
    )


class Status(StrEnum):
    """A jobseeker's labour-market status (työnhakijan työmarkkinatilanne)."""

    UNEMPLOYED = "unemployed"  # työtön
    LAID_OFF_FULL = "laid_off_full"  # kokoaikaisesti lomautettu — counted as unemployed
    SHORTENED_WEEK = "shortened_week"  # lyhennetyllä työviikolla
    IN_SERVICE = "in_service"  # palveluissa (training, wage subsidy, work trial …)
    EMPLOYED = "employed"  # työllinen työnhakija (open market)
    PART_TIME = "part_time"  # osa-aikatyössä
    OUTSIDE_LABOUR_FORCE = "outside_labour_force"  # työvoiman ulkopuolella (e.g. student)

    @property
    def counts_as_unemployed(self) -> bool:
        """Month-end statistics: unemployed jobseekers include the fully laid off (DOMAIN.md)."""
        return self in (Status.UNEMPLOYED, Status.LAID_OFF_FULL)


UNEMPLOYED_STATUSES = tuple(s.value for s in Status if s.counts_as_unemployed)


class StatusPeriod(Base):
    """A period of one status inside a spell. Periods of a spell do not overlap and lie inside it."""

    __tablename__ = "status_period"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="range"),
        Index("ix_status_period_status_dates", "status", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spell_id: Mapped[int] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[Status] = mapped_column(db_enum(Status, "status"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    spell: Mapped[JobseekingSpell] = relationship(back_populates="periods")


class EmploymentKind(StrEnum):
    OPEN_MARKET = "open_market"  # avoimet työmarkkinat
    SUBSIDISED = "subsidised"  # palkkatuki
    APPRENTICESHIP = "apprenticeship"  # oppisopimus
    SELF_EMPLOYED = "self_employed"  # yrittäjä


class EmploymentEpisode(Base):
    """A job the person held: the outcome data every effectiveness figure needs."""

    __tablename__ = "employment_episode"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id"), index=True)
    esco_uri: Mapped[str | None] = mapped_column(String(120))
    isco4: Mapped[str] = mapped_column(String(4), index=True)
    kind: Mapped[EmploymentKind] = mapped_column(db_enum(EmploymentKind, "employment_kind"))
    working_time: Mapped[WorkingTime] = mapped_column(db_enum(WorkingTime, "working_time"))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
