"""Tables of matching (issue 5, R-G2): the weekly run and the recommendations it made, and the job titles
that the area's staff have confirmed to an ESCO occupation (read by the occupation coder)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from alue.shared.db import Base


class MatchRun(Base):
    """One batch run: its day, parameters, counts and the coverage and concentration figures."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_on: Mapped[dt.date] = mapped_column(Date, index=True)  # the day whose open vacancies and jobseekers
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    mode: Mapped[str] = mapped_column(String(20))  # plain or congestion
    top: Mapped[int] = mapped_column(Integer)
    weights_version: Mapped[str] = mapped_column(String(20))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    jobseekers: Mapped[int] = mapped_column(Integer)
    vacancies: Mapped[int] = mapped_column(Integer)
    recommendations: Mapped[int] = mapped_column(Integer)
    #: coverage and concentration (see docs/matching.md): shares 0..1
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    duration_s: Mapped[float] = mapped_column(Float)


class MatchRecommendation(Base):
    """A vacancy recommended to a jobseeker in a run, with its score parts (values 0..1 per part key)."""

    __tablename__ = "match_recommendation"
    __table_args__ = (
        Index("ix_match_recommendation_run_person", "run_id", "person_id"),
        Index("ix_match_recommendation_run_vacancy", "run_id", "vacancy_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(SmallInteger)  # 1 = best for the person
    score: Mapped[float] = mapped_column(Float)
    parts: Mapped[dict] = mapped_column(JSON, default=dict)


class ConfirmedTitle(Base):
    """A job title as the area writes it, confirmed by a staff member to one ESCO occupation.

    The occupation coder indexes these titles like ESCO's own alternative labels, so a title that
    staff have corrected once is coded right the next time, and similar titles gain from it.
    ``title_key`` is the title normalised without job-ad words (:func:`alue.matching.confirmed.title_key`):
    one occupation per key, the latest confirmation wins.
    """

    __tablename__ = "confirmed_title"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    title_key: Mapped[str] = mapped_column(String(200), unique=True)
    esco_uri: Mapped[str] = mapped_column(String(120))
    esco_version: Mapped[str] = mapped_column(String(10))
    isco4: Mapped[str] = mapped_column(String(4))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
