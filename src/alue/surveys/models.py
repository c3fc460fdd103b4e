"""Tables of the area's own feedback surveys (kyselyt): one-time links and anonymous answers.

Two sides that never meet (see ``docs/surveys.md``):

* ``survey_token`` — a one-time link. It holds only the SHA-256 hash of the link's secret, the survey it
  opens, the *dimensions* the answer will carry, and — only until the link is used or expires — a reference
  to the service event or the respondent it was issued for (so that one event gets one link).
* ``survey_answer`` and ``survey_answer_item`` — an answer. They carry the dimensions copied from the
  token (municipality, service line, service channel, distribution channel, month) and nothing else: no
  foreign key or column pointing to a person, a staff member, an employer, a partner, an event or the token,
  no timestamp, and a random primary key so that not even the insertion order links an answer to a token.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alue.shared.db import Base
from alue.shared.enums import db_enum


class SurveyKind(StrEnum):
    CUSTOMER = "customer"  # asiakaskysely: accessibility and customer experience (1–5)
    STAFF = "staff"  # henkilöstökysely: staff experience (4–10)
    VITALITY = "vitality"  # elinvoimabarometri: employers and municipal partners (4–10)
    PARTNERSHIP = "partnership"  # kumppanuuskysely: partner organisations


class Distribution(StrEnum):
    """How the one-time link reached the respondent."""

    QR_CODE = "qr_code"  # a printed QR code handed over at the service point
    MESSAGE = "message"  # a link in a message (e-mail, SMS, the e-service inbox)
    KIOSK = (
        "kiosk"  # a link issued on the spot, e.g. by a tablet at the service point (``alue survey issue``)
    )


class EventKind(StrEnum):
    """What the link was issued after."""

    MEETING = "meeting"
    PARTICIPATION_END = "participation_end"
    EMPLOYER_SERVICE = "employer_service"
    STAFF_ROUND = "staff_round"  # the quarterly staff survey
    VITALITY_ROUND = "vitality_round"
    PARTNERSHIP_ROUND = "partnership_round"
    UNLINKED = "unlinked"  # issued without an event (kiosk, scripts)


class SurveyToken(Base):
    """A one-time survey link. The secret itself is never stored, only its SHA-256 hash."""

    __tablename__ = "survey_token"
    __table_args__ = (
        Index("ix_survey_token_kind_month", "survey_kind", "month"),
        Index("ix_survey_token_meeting", "meeting_id"),
        Index("ix_survey_token_participation", "participation_id"),
        Index("ix_survey_token_employer_service_event", "employer_service_event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    survey_kind: Mapped[SurveyKind] = mapped_column(db_enum(SurveyKind, "survey_kind"))
    survey_version: Mapped[int] = mapped_column(Integer)
    #: the language the form opens in (the respondent can switch)
    language: Mapped[str] = mapped_column(String(2), default="fi")
    event_kind: Mapped[EventKind] = mapped_column(db_enum(EventKind, "survey_event_kind"))
    distribution: Mapped[Distribution] = mapped_column(db_enum(Distribution, "survey_distribution"))
    # --- dimensions, copied to the answer
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    service_line: Mapped[str | None] = mapped_column(String(40))
    service_channel: Mapped[str | None] = mapped_column(String(20))  # in_person, phone, video, chat
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of the event (or of the survey round)
    # --- lifecycle
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    # --- the link to the event or respondent: cleared when the token is used or has expired
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    participation_id: Mapped[int | None] = mapped_column(ForeignKey("participation.id", ondelete="SET NULL"))
    employer_service_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer_service_event.id", ondelete="SET NULL")
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id", ondelete="SET NULL"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))

    LINK_COLUMNS = (
        "meeting_id",
        "participation_id",
        "employer_service_event_id",
        "staff_id",
        "employer_id",
        "partner_id",
    )

    def clear_links(self) -> None:
        for name in self.LINK_COLUMNS:
            setattr(self, name, None)

    @property
    def linked(self) -> bool:
        return any(getattr(self, name) is not None for name in self.LINK_COLUMNS)


class SurveyAnswer(Base):
    """One submitted answer form. Deliberately without any reference to who answered, or when exactly."""

    __tablename__ = "survey_answer"
    __table_args__ = (Index("ix_survey_answer_kind_month", "survey_kind", "month"),)

    #: random (``secrets.token_hex``), so that the order of rows tells nothing about the order of answers
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_kind: Mapped[SurveyKind] = mapped_column(db_enum(SurveyKind, "survey_kind"))
    survey_version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(2))  # the language the form was answered in
    event_kind: Mapped[EventKind] = mapped_column(db_enum(EventKind, "survey_event_kind"))
    distribution: Mapped[Distribution] = mapped_column(db_enum(Distribution, "survey_distribution"))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    service_line: Mapped[str | None] = mapped_column(String(40))
    service_channel: Mapped[str | None] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))

    items: Mapped[list[SurveyAnswerItem]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="SurveyAnswerItem.question_id"
    )


class SurveyAnswerItem(Base):
    """The answer to one question: a scale value (yes = 1, no = 0) or a free text (already masked)."""

    __tablename__ = "survey_answer_item"
    __table_args__ = (Index("ix_survey_answer_item_question", "question_id", "question_version"),)

    answer_id: Mapped[str] = mapped_column(
        ForeignKey("survey_answer.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    question_version: Mapped[int] = mapped_column(SmallInteger)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)

    answer: Mapped[SurveyAnswer] = relationship(back_populates="items")
