"""Employer customers (työnantaja-asiakkaat), vacancies and employer-service events (R-A2, R-D3, R-F1)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alue.people.models import WorkingTime
from alue.shared.db import Base
from alue.shared.enums import db_enum


class SizeClass(StrEnum):
    MICRO = "micro"  # < 10
    SMALL = "small"  # 10–49
    MEDIUM = "medium"  # 50–249
    LARGE = "large"  # ≥ 250


class Employer(Base):
    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[str] = mapped_column(String(9), unique=True)  # Y-tunnus, validated: 1234567-8
    name: Mapped[str] = mapped_column(String(200), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    industry: Mapped[str] = mapped_column(String(1))  # TOL 2008 section letter A … U
    size_class: Mapped[SizeClass] = mapped_column(db_enum(SizeClass, "size_class"))
    founded_on: Mapped[dt.date | None] = mapped_column(Date)
    #: a firm founded by a registered jobseeker (strategy priority 2, R-A5)
    founded_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    vacancies: Mapped[list[Vacancy]] = relationship(back_populates="employer")


class EmploymentType(StrEnum):
    PERMANENT = "permanent"
    FIXED_TERM = "fixed_term"
    SEASONAL = "seasonal"


class OccupationSource(StrEnum):
    """Who chose a vacancy's occupation (``Vacancy.occupation_source``)."""

    EMPLOYER = "employer"  # named in the ad
    CODER = "coder"  # coded from the title by the occupation coder (with its certainty)
    STAFF = "staff"  # corrected by staff (alue.matching.confirmed)


class Vacancy(Base):
    """An open job (avoin työpaikka), coded to ESCO and ISCO-08."""

    __tablename__ = "vacancy"
    __table_args__ = (
        CheckConstraint("closes_on IS NULL OR closes_on >= published_on", name="dates"),
        Index("ix_vacancy_open", "published_on", "closes_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="alue")  # alue, tmt (Työmarkkinatori), import
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    esco_uri: Mapped[str | None] = mapped_column(String(120))
    esco_version: Mapped[str | None] = mapped_column(String(10))
    isco4: Mapped[str] = mapped_column(String(4), index=True)
    #: who chose the occupation: the employer (in the ad), the occupation coder (from the title) or staff
    occupation_source: Mapped[str] = mapped_column(
        String(10), default=OccupationSource.EMPLOYER.value, server_default=OccupationSource.EMPLOYER.value
    )
    #: the coder's calibrated probability that the ISCO-08 group is right (source ``coder``)
    occupation_score: Mapped[float | None] = mapped_column(Float)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    positions: Mapped[int] = mapped_column(Integer, default=1)
    published_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    filled_on: Mapped[dt.date | None] = mapped_column(Date)
    working_time: Mapped[WorkingTime] = mapped_column(db_enum(WorkingTime, "working_time"))
    employment_type: Mapped[EmploymentType] = mapped_column(db_enum(EmploymentType, "employment_type"))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # required working languages
    driving_licence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_possible: Mapped[bool] = mapped_column(Boolean, default=False)
    min_education: Mapped[str | None] = mapped_column(String(40))  # EducationLevel value

    employer: Mapped[Employer] = relationship(back_populates="vacancies")

    def is_open_on(self, day: dt.date) -> bool:
        if day < self.published_on:
            return False
        if self.filled_on is not None and day >= self.filled_on:
            return False
        return self.closes_on is None or day <= self.closes_on

    @classmethod
    def open_on(cls, day: dt.date) -> ColumnElement[bool]:
        """``is_open_on`` as a SQL condition: published, not yet filled, not closed on ``day``."""
        return and_(
            cls.published_on <= day,
            or_(cls.filled_on.is_(None), cls.filled_on > day),
            or_(cls.closes_on.is_(None), cls.closes_on >= day),
        )


class EmployerServiceKind(StrEnum):
    CONTACT = "contact"  # yhteydenotto / käynti
    RECRUITMENT = "recruitment"  # rekrytointipalvelu
    TRAINING_PROCUREMENT = "training_procurement"  # yhteishankintakoulutus
    WAGE_SUBSIDY = "wage_subsidy"  # palkkatukineuvonta
    LAYOFF_SUPPORT = "layoff_support"  # muutosturva
    WORK_IN_FINLAND_LEAD = "work_in_finland_lead"  # kansainvälisen rekrytoinnin liidi (R-F1)
    RECRUITMENT_EVENT = "recruitment_event"  # rekrytointitapahtuma


class EmployerServiceEvent(Base):
    __tablename__ = "employer_service_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    event_date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[EmployerServiceKind] = mapped_column(db_enum(EmployerServiceKind, "employer_service_kind"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    notes: Mapped[str] = mapped_column(Text, default="")
