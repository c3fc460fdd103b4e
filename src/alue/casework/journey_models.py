"""Tables of the customer journey, referral history, entrepreneurship, qualification recognition and the
early-identification model (R-D1 … R-D8, R-E2, R-A5).

The casework records themselves (assessment, meeting, plan versions, responsible worker) are in
``alue.casework.models``; this module adds what ties them into one journey per jobseeking spell and what
records every step with who and when. Allowed status changes are declared in
``alue.casework.transitions`` and enforced there.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from alue.casework.models import ServicePath
from alue.people.models import SpellEndReason
from alue.services.models import ReferralStatus
from alue.shared.db import Base
from alue.shared.enums import db_enum


def utcnow() -> dt.datetime:
    """The moment a record is written, in UTC (how every timestamp is stored)."""
    return dt.datetime.now(tz=dt.UTC)


def N_(message: str) -> str:
    """Mark a label for translation (gettext's ``N_``); it is translated where it is shown."""
    return message


# ------------------------------------------------------------------------------------------ journey


class JourneyStatus(StrEnum):
    """Where a jobseeker's journey is: the last step taken (asiakkuuden vaihe)."""

    REGISTERED = "registered"  # ilmoittautunut työnhakijaksi
    INTERVIEWED = "interviewed"  # alkuhaastattelu pidetty
    ASSESSED = "assessed"  # palvelutarvearvio tehty
    PLANNED = "planned"  # työllistymissuunnitelma laadittu tai päivitetty
    FOLLOW_UP = "follow_up"  # työnhakukeskustelu pidetty
    GOAL_CHECKED = "goal_checked"  # kolmen kuukauden tavoite tarkistettu (R-D4)
    CLOSED = "closed"  # päättynyt: tulos kirjattu

    @property
    def label(self) -> str:
        """English msgid; translate with ``alue.shared.i18n``."""
        return JOURNEY_STATUS_LABELS[self]


JOURNEY_STATUS_LABELS = {
    JourneyStatus.REGISTERED: N_("Registered"),
    JourneyStatus.INTERVIEWED: N_("Initial interview held"),
    JourneyStatus.ASSESSED: N_("Service need assessed"),
    JourneyStatus.PLANNED: N_("Employment plan agreed"),
    JourneyStatus.FOLLOW_UP: N_("Job-search discussions"),
    JourneyStatus.GOAL_CHECKED: N_("Three-month goal checked"),
    JourneyStatus.CLOSED: N_("Closed"),
}


class JourneyStep(StrEnum):
    """Kinds of recorded journey events."""

    REGISTRATION = "registration"
    INITIAL_INTERVIEW = "initial_interview"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    TASK_DONE = "task_done"
    JOB_SEARCH_DISCUSSION = "job_search_discussion"
    SUPPLEMENTARY_DISCUSSION = "supplementary_discussion"
    GOAL_CHECK = "goal_check"
    OUTCOME = "outcome"

    @property
    def label(self) -> str:
        return JOURNEY_STEP_LABELS[self]


JOURNEY_STEP_LABELS = {
    JourneyStep.REGISTRATION: N_("Registration"),
    JourneyStep.INITIAL_INTERVIEW: N_("Initial interview"),
    JourneyStep.ASSESSMENT: N_("Service need assessment"),
    JourneyStep.PLAN: N_("Employment plan"),
    JourneyStep.TASK_DONE: N_("Plan task done"),
    JourneyStep.JOB_SEARCH_DISCUSSION: N_("Job-search discussion"),
    JourneyStep.SUPPLEMENTARY_DISCUSSION: N_("Supplementary discussion"),
    JourneyStep.GOAL_CHECK: N_("Three-month goal check"),
    JourneyStep.OUTCOME: N_("Outcome"),
}


class GoalBasis(StrEnum):
    """How the three-month goal of the initial services was met (R-D4): job, training or referral."""

    JOB = "job"
    TRAINING = "training"
    REFERRAL = "referral"

    @property
    def label(self) -> str:
        return {
            GoalBasis.JOB: N_("Job"),
            GoalBasis.TRAINING: N_("Training"),
            GoalBasis.REFERRAL: N_("Referral to a service"),
        }[self]


class CaseJourney(Base):
    """One jobseeker's journey through one jobseeking spell, from registration to the outcome."""

    __tablename__ = "case_journey"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    spell_id: Mapped[int] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="CASCADE"), unique=True)
    status: Mapped[JourneyStatus] = mapped_column(db_enum(JourneyStatus, "journey_status"), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    #: the path of the latest service-need assessment
    path: Mapped[ServicePath | None] = mapped_column(db_enum(ServicePath, "service_path"))
    goal_checked_on: Mapped[dt.date | None] = mapped_column(Date)
    goal_met: Mapped[bool | None] = mapped_column(Boolean)
    goal_basis: Mapped[GoalBasis | None] = mapped_column(db_enum(GoalBasis, "goal_basis"))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[SpellEndReason | None] = mapped_column(db_enum(SpellEndReason, "spell_end_reason"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JourneyEvent(Base):
    """A step of a journey: what happened, on which day, recorded when and by whom. Append-only."""

    __tablename__ = "journey_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("case_journey.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    step: Mapped[JourneyStep] = mapped_column(db_enum(JourneyStep, "journey_step"))
    from_status: Mapped[JourneyStatus | None] = mapped_column(db_enum(JourneyStatus, "from_status"))
    to_status: Mapped[JourneyStatus] = mapped_column(db_enum(JourneyStatus, "to_status"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    actor: Mapped[str] = mapped_column(String(150), default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_need_assessment.id", ondelete="SET NULL")
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("employment_plan.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PlanTask(Base):
    """A task of one employment-plan version, with its due date. Tasks of a later version are new rows;
    marking a task done records the follow-up on the version in force and never changes its text or date."""

    __tablename__ = "plan_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("employment_plan.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    done_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))


# ----------------------------------------------------------------------------------------- referrals


class ReferralEvent(Base):
    """A status change of a referral or handover (R-E2): sent, confirmed by the receiver, declined …"""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ReferralStatus | None] = mapped_column(db_enum(ReferralStatus, "from_status"))
    to_status: Mapped[ReferralStatus] = mapped_column(db_enum(ReferralStatus, "to_status"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    #: who acted: a staff member's name, or the receiver's named person for a confirmation
    actor: Mapped[str] = mapped_column(String(150), default="")
    #: consent scopes the receiver may see at this moment (names only, never the data)
    shared_scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------------------------- entrepreneurship


class StartupGrantStatus(StrEnum):
    """Starttirahahakemuksen tila — status of a start-up grant application (R-A5)."""

    SUBMITTED = "submitted"
    GRANTED = "granted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            StartupGrantStatus.SUBMITTED: N_("Submitted"),
            StartupGrantStatus.GRANTED: N_("Granted"),
            StartupGrantStatus.REJECTED: N_("Rejected"),
            StartupGrantStatus.WITHDRAWN: N_("Withdrawn"),
        }[self]


class StartupGrantApplication(Base):
    """Starttiraha — a start-up grant application and its decision."""

    __tablename__ = "startup_grant_application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    spell_id: Mapped[int | None] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="SET NULL"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    business_idea: Mapped[str] = mapped_column(Text)
    applied_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[StartupGrantStatus] = mapped_column(db_enum(StartupGrantStatus, "startup_grant_status"))
    handled_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    #: the delegation of authority the decision relied on (None for state-transferred staff, R-C5)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))
    grant_start: Mapped[dt.date | None] = mapped_column(Date)
    grant_end: Mapped[dt.date | None] = mapped_column(Date)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    #: the firm the grant started, once it is registered
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))


# -------------------------------------------------------------------------------------- immigrants


class RecognitionStatus(StrEnum):
    """Tutkinnon tunnustaminen — recognition of a qualification obtained abroad (R-D8, R-F2)."""

    PENDING = "pending"
    RECOGNISED = "recognised"
    PARTLY_RECOGNISED = "partly_recognised"
    NOT_RECOGNISED = "not_recognised"

    @property
    def label(self) -> str:
        return {
            RecognitionStatus.PENDING: N_("Pending"),
            RecognitionStatus.RECOGNISED: N_("Recognised"),
            RecognitionStatus.PARTLY_RECOGNISED: N_("Partly recognised"),
            RecognitionStatus.NOT_RECOGNISED: N_("Not recognised"),
        }[self]


class QualificationRecognition(Base):
    __tablename__ = "qualification_recognition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    qualification: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(3))  # ISO 3166 alpha-3 of the awarding country
    status: Mapped[RecognitionStatus] = mapped_column(db_enum(RecognitionStatus, "recognition_status"))
    applied_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(String(120), default="Opetushallitus")
    notes: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------------------- early identification


class RiskModelRun(Base):
    """One training run of the early-identification model: settings, model card metrics and the model."""

    __tablename__ = "risk_model_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(150))
    #: training uses spells whose outcome was known on this day; evaluation uses later spells
    cutoff: Mapped[dt.date] = mapped_column(Date)
    data_until: Mapped[dt.date] = mapped_column(Date)
    #: every setting of the run, including whether protected characteristics were inputs and who allowed it
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the model card: feature documentation, metrics, baseline, calibration bins and group error rates
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    n_train: Mapped[int] = mapped_column(Integer)
    n_test: Mapped[int] = mapped_column(Integer)
    model_blob: Mapped[bytes | None] = mapped_column(LargeBinary)
    model_path: Mapped[str | None] = mapped_column(String(500))
    model_sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WorkerView(StrEnum):
    """The case worker's view of an estimate: the worker decides, the score only informs."""

    AGREE = "agree"
    DISAGREE = "disagree"

    @property
    def label(self) -> str:
        return {WorkerView.AGREE: N_("Agree"), WorkerView.DISAGREE: N_("Disagree")}[self]


class JobseekerView(StrEnum):
    """The jobseeker's own assessment of their situation, recorded beside the estimate."""

    EXPECTS_WORK_SOON = "expects_work_soon"
    UNSURE = "unsure"
    NEEDS_SUPPORT = "needs_support"

    @property
    def label(self) -> str:
        return {
            JobseekerView.EXPECTS_WORK_SOON: N_("Expects to find work soon"),
            JobseekerView.UNSURE: N_("Unsure"),
            JobseekerView.NEEDS_SUPPORT: N_("Needs more support"),
        }[self]


class RiskScore(Base):
    """An estimate for one spell on one day, its main reasons, and the worker's and jobseeker's views."""

    __tablename__ = "risk_score"
    __table_args__ = (UniqueConstraint("run_id", "spell_id", "scored_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("risk_model_run.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    spell_id: Mapped[int] = mapped_column(ForeignKey("jobseeking_spell.id", ondelete="CASCADE"), index=True)
    scored_on: Mapped[dt.date] = mapped_column(Date)
    spell_age_days: Mapped[int] = mapped_column(Integer)
    #: estimated probability that the spell lasts over 3 / over 12 months (None: horizon not trained)
    risk_3m: Mapped[float | None] = mapped_column(Float)
    risk_12m: Mapped[float | None] = mapped_column(Float)
    #: per horizon: the features pushing the estimate up or down, largest first
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    worker_view: Mapped[WorkerView | None] = mapped_column(db_enum(WorkerView, "worker_view"))
    worker_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    jobseeker_view: Mapped[JobseekerView | None] = mapped_column(db_enum(JobseekerView, "jobseeker_view"))
    jobseeker_note: Mapped[str] = mapped_column(Text, default="")
    jobseeker_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
