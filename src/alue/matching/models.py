"""Tables of the weekly matching run: the run and the recommendations it made (issue 5, R-G2)."""

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
