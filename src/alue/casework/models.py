"""Casework records: service-need assessments, meetings, employment plans and responsible workers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alue.shared.db import Base
from alue.shared.enums import db_enum
from alue.staff.models import ServiceLine


class ServicePath(StrEnum):
    """The path chosen in the service-need assessment (palvelutarvearvio)."""

    DIRECT_BROKERAGE = "direct_brokerage"  # suora työnvälitys
    SKILLS_DEVELOPMENT = "skills_development"  # osaamisen kehittäminen
    MULTISECTOR = "multisector"  # monialainen tuki
    ENTREPRENEURSHIP = "entrepreneurship"  # yrittäjyys


class ServiceNeedAssessment(Base):
    """Palvelutarvearvio — made at the start of unemployment (R-D4)."""

    __tablename__ = "service_need_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    spell_id: Mapped[int | None] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="SET NULL"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    path: Mapped[ServicePath] = mapped_column(db_enum(ServicePath, "service_path"))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))


class MeetingKind(StrEnum):
    INITIAL_INTERVIEW = "initial_interview"  # alkuhaastattelu
    JOB_SEARCH_DISCUSSION = "job_search_discussion"  # työnhakukeskustelu
    SUPPLEMENTARY_DISCUSSION = "supplementary_discussion"  # täydentävä työnhakukeskustelu
    THREE_MONTH_CHECK = "three_month_check"  # the area's 3-month goal check (R-D4)
    OTHER = "other"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    CHAT = "chat"


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    spell_id: Mapped[int | None] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    held_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[MeetingKind] = mapped_column(db_enum(MeetingKind, "meeting_kind"))
    channel: Mapped[Channel] = mapped_column(db_enum(Channel, "channel"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    notes: Mapped[str] = mapped_column(Text, default="")


class PlanKind(StrEnum):
    EMPLOYMENT = "employment"  # työllistymissuunnitelma
    ACTIVATION = "activation"  # aktivointisuunnitelma
    MULTISECTOR = "multisector"  # monialainen työllistymissuunnitelma
    INTEGRATION = "integration"  # kotoutumissuunnitelma


class EmploymentPlan(Base):
    """Työllistymissuunnitelma — one row per version; the newest version is in force."""

    __tablename__ = "employment_plan"
    __table_args__ = (UniqueConstraint("person_id", "spell_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    spell_id: Mapped[int | None] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[PlanKind] = mapped_column(db_enum(PlanKind, "plan_kind"))
    made_on: Mapped[dt.date] = mapped_column(Date)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    #: applications per month required (0–4 by the rules in force)
    obligation_per_month: Mapped[int] = mapped_column(Integer)
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    tasks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # {"text", "due"}
    agreed_services: Mapped[list[str]] = mapped_column(JSON, default=list)  # service codes
    #: the obligation is ``obligation_per_month`` applications per this many months (1, or 3 for e.g.
    #: part-time workers)
    obligation_period_months: Mapped[int | None] = mapped_column(Integer, server_default="1")
    #: how the obligation was set: status, explanation and the rule versions used (RuleRef JSON)
    obligation_basis: Mapped[dict[str, object] | None] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CaseAssignment(Base):
    """Who is responsible for the customer's process (R-E2: one clearly responsible party)."""

    __tablename__ = "case_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    service_line: Mapped[ServiceLine] = mapped_column(db_enum(ServiceLine, "service_line"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(String(120), default="")
    #: who ended the assignment and why (a reassignment ends the old row and starts a new one)
    ended_by: Mapped[str | None] = mapped_column(String(120))
    end_reason: Mapped[str | None] = mapped_column(String(200))
