"""The service catalogue, providers and partners, participations, referrals and consent (R-D1, R-E1, R-E2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alue.shared.db import Base
from alue.shared.enums import db_enum
from alue.staff.models import ServiceLine


class PartnerKind(StrEnum):
    """Kinds of partner organisations in the register (R-E1)."""

    EMPLOYER = "employer"
    PRIVATE_RECRUITMENT = "private_recruitment"
    WELLBEING_SERVICES_COUNTY = "wellbeing_services_county"  # hyvinvointialue
    SERVICE_PROVIDER = "service_provider"
    STATE_AGENCY = "state_agency"  # Kela, KEHA, ELY …
    MUNICIPAL = "municipal"  # kunnan toimija, e.g. integration coordinator
    EDUCATIONAL_INSTITUTION = "educational_institution"
    NGO = "ngo"  # järjestö
    PROJECT = "project"  # hanke


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(db_enum(PartnerKind, "partner_kind"))
    business_id: Mapped[str | None] = mapped_column(String(9))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: has a signed partnership agreement with the area (partnership rate indicator)
    partnership_agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceKind(StrEnum):
    LABOUR_MARKET_TRAINING = "labour_market_training"  # työvoimakoulutus
    SELF_MOTIVATED_STUDY = "self_motivated_study"  # omaehtoinen opiskelu
    COACHING = "coaching"  # valmennus
    CAREER_GUIDANCE = "career_guidance"  # ura- ja koulutusohjaus
    ASSESSMENT = "assessment"  # kokeilu ja arviointi
    WORK_TRIAL = "work_trial"  # työkokeilu
    WAGE_SUBSIDY = "wage_subsidy"  # palkkatuki
    REHABILITATIVE_WORK = "rehabilitative_work"  # kuntouttava työtoiminta
    STARTUP_GRANT = "startup_grant"  # starttiraha
    INTEGRATION_TRAINING = "integration_training"  # kotoutumiskoulutus
    JOB_SEARCH_TRAINING = "job_search_training"  # työnhakuvalmennus


class Production(StrEnum):
    OWN = "own"  # oma palvelu
    PURCHASED = "purchased"  # ostopalvelu


class Service(Base):
    """A service in the area's catalogue, with its provider and unit cost."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ServiceKind] = mapped_column(db_enum(ServiceKind, "service_kind"))
    production: Mapped[Production] = mapped_column(db_enum(Production, "production"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    service_line: Mapped[ServiceLine] = mapped_column(db_enum(ServiceLine, "service_line"))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # € per participant (whole service)
    typical_duration_days: Mapped[int] = mapped_column(Integer)
    #: a short training that can move people into shortage occupations (R-G3): target ISCO groups
    target_isco: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, lang: str = "fi") -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


class ParticipationOutcome(StrEnum):
    ONGOING = "ongoing"
    COMPLETED = "completed"  # suoritettu
    INTERRUPTED = "interrupted"  # keskeytetty


class Participation(Base):
    """A person's participation in a service: referral, start, end, cost, completion."""

    __tablename__ = "participation"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    spell_id: Mapped[int | None] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="SET NULL"))
    referred_on: Mapped[dt.date] = mapped_column(Date)
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    outcome: Mapped[ParticipationOutcome] = mapped_column(
        db_enum(ParticipationOutcome, "participation_outcome")
    )


class Consent(Base):
    """The customer's consent to share data with a partner: what, with whom, until when (R-E2)."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    scope: Mapped[list[str]] = mapped_column(JSON)  # e.g. ["contact", "plan", "education", "work_history"]
    given_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    def in_force_on(self, day: dt.date) -> bool:
        if day < self.given_on or (self.withdrawn_on is not None and day >= self.withdrawn_on):
            return False
        return self.valid_until is None or day <= self.valid_until


class ReferralStatus(StrEnum):
    SENT = "sent"
    CONFIRMED = "confirmed"  # the receiver confirmed the handover (saattaen vaihto)
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Referral(Base):
    """A referral to an own or purchased service, or a handover to a partner organisation."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id"))
    referred_on: Mapped[dt.date] = mapped_column(Date)
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    status: Mapped[ReferralStatus] = mapped_column(db_enum(ReferralStatus, "referral_status"))
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
