"""Staff, teams, the municipalities they serve and delegations of authority (R-C1 … R-C5)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alue.shared.db import Base
from alue.shared.enums import db_enum


class ServiceLine(StrEnum):
    """Palvelulinja — the line of service a team or a staff member works in (R-C3, R-D5 … R-D8)."""

    JOB_BROKERAGE = "job_brokerage"  # työnvälitys
    SKILLS = "skills"  # osaamisen kehittäminen
    MULTISECTOR = "multisector"  # monialainen palvelu (TYP)
    YOUTH = "youth"  # nuorten palvelut (< 30 in this area)
    IMMIGRANTS = "immigrants"  # maahanmuuttajat
    ENTREPRENEURSHIP = "entrepreneurship"  # yrittäjyys
    EMPLOYER_SERVICES = "employer_services"  # työnantajapalvelut (R-C4, R-D3)
    ADMINISTRATION = "administration"  # hallinto


class StaffMember(Base):
    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(120), default="")
    service_line: Mapped[ServiceLine] = mapped_column(db_enum(ServiceLine, "service_line"))
    #: where the person works from (placement); an office or the municipality of a service point
    base_municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    fte: Mapped[float] = mapped_column(Numeric(4, 2), default=1)
    #: municipal employee (True) or transferred from the state (False) — R-C1
    municipal_official: Mapped[bool] = mapped_column(Boolean, default=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # working languages: fi, sv, en …
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    municipalities: Mapped[list[StaffMunicipality]] = relationship(cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StaffMunicipality(Base):
    """A municipality whose customers a staff member serves (scopes access to case data)."""

    __tablename__ = "staff_municipality"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), primary_key=True)


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    service_line: Mapped[ServiceLine] = mapped_column(db_enum(ServiceLine, "service_line"))
    lead_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))


class TeamMembership(Base):
    __tablename__ = "team_membership"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"), primary_key=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class DelegatedTask(StrEnum):
    """Tasks that need a delegation of authority (viranomaistoimivalta) when done by a municipal official."""

    LABOUR_POLICY_STATEMENT = "labour_policy_statement"  # työvoimapoliittinen lausunto to Kela / funds
    OBLIGATION_DECISION = "obligation_decision"  # job-search obligation reduction decisions
    SANCTION_NOTICE = "sanction_notice"  # notice of an omission (from 1.3.2026 a benefit effect)
    WAGE_SUBSIDY_DECISION = "wage_subsidy_decision"  # palkkatukipäätös
    STARTUP_GRANT_DECISION = "startup_grant_decision"  # starttirahapäätös
    TRAINING_SELECTION = "training_selection"  # selection to labour-market training


class Delegation(Base):
    """A delegation of authority (R-C5) under a cooperation agreement, naming the tasks delegated."""

    __tablename__ = "delegation"
    __table_args__ = (UniqueConstraint("staff_id", "agreement_reference", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    agreement_reference: Mapped[str] = mapped_column(String(120))  # e.g. decision/section number
    tasks: Mapped[list[str]] = mapped_column(JSON)  # DelegatedTask values
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(120), default="")
