"""Tables of the strategy scorecard: imported inputs (survey scores, official figures, shortage lists) and the
fact tables (``ft_*``) that pages, exports and reports read.

Fact tables hold aggregates only, keyed by period × municipality × customer group × service line, never a
person. They are rebuilt by ``alue scorecard rebuild`` (see ``alue.scorecard.facts``); nothing else writes
them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from alue.shared.db import Base

#: The value used in a fact's dimension columns for "all" (the whole area, every group, every line).
ALL = "*"


class SurveyScore(Base):
    """One answer's score from a survey (accessibility, customer experience, vitality barometer, staff
    experience). No person identity is stored: only when, where, which line, which channel and the score.
    """

    __tablename__ = "scorecard_survey_score"
    __table_args__ = (Index("ix_scorecard_survey_score_kind_date", "survey_kind", "response_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the indicator id the survey measures, e.g. ``accessibility``
    survey_kind: Mapped[str] = mapped_column(String(40))
    response_date: Mapped[dt.date] = mapped_column(Date)
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    service_line: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    #: file name and row of the import, so that a re-import of the same file is recognised
    import_batch: Mapped[str] = mapped_column(String(80))
    row_key: Mapped[str] = mapped_column(String(64), unique=True)


class OfficialIndicatorValue(Base):
    """A published figure (KEHA, Statistics Finland, TEM) for an indicator or a statistic, area and period."""

    __tablename__ = "official_indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "variant", "area_code", "period", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: a scorecard indicator id (``inflow_over_3_months``) or a statistic (``unemployed_month_end``)
    indicator_id: Mapped[str] = mapped_column(String(60), index=True)
    variant: Mapped[str] = mapped_column(String(20), default="")
    #: ``KU609`` municipality, ``TA35`` employment area, ``MK04`` region, ``SSS`` whole country
    area_code: Mapped[str] = mapped_column(String(10))
    #: ``2025``, ``2025-Q3`` or ``2025-07``
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ShortageOccupation(Base):
    """An ISCO-08 unit group rated as a labour-shortage occupation for a period (R-G1).

    ``basis`` is ``barometer`` (imported from KEHA's Työvoimabarometri / the old Ammattibarometri) or
    ``derived`` (from the vacancies-to-unemployed ratio of the employment-service statistics).
    """

    __tablename__ = "shortage_occupation"
    __table_args__ = (
        UniqueConstraint("isco4", "valid_from", "basis"),
        CheckConstraint("valid_to >= valid_from", name="range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    isco4: Mapped[str] = mapped_column(String(4), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    #: barometer class: ``much_shortage`` or ``shortage`` (only shortage classes are stored)
    rating: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(10))
    #: where it came from: the barometer file, or the statistic, area, months and threshold used
    source: Mapped[str] = mapped_column(String(200))
    ratio: Mapped[float | None] = mapped_column(Float)


class FactIndicator(Base):
    """``ft_indicator`` — one indicator's components for one period and one slice.

    ``numerator`` / ``denominator`` are the sums the value is computed from; ``persons`` is the number of
    distinct persons (or responses, or organisations, see ``unit``) behind the denominator and
    ``outcome_persons`` those behind the numerator — the counts disclosure control looks at.
    """

    __tablename__ = "ft_indicator"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id", "variant", "period", "municipality_code", "customer_group", "service_line"
        ),
        Index("ix_ft_indicator_period", "period_kind", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(60))
    variant: Mapped[str] = mapped_column(String(30), default="")
    period: Mapped[str] = mapped_column(String(7))  # 2025, 2025-Q3, 2025-07
    period_kind: Mapped[str] = mapped_column(String(7))  # year, quarter, month
    municipality_code: Mapped[str] = mapped_column(String(3), default=ALL)
    customer_group: Mapped[str] = mapped_column(String(40), default=ALL)
    service_line: Mapped[str] = mapped_column(String(40), default=ALL)
    numerator: Mapped[float] = mapped_column(Float)
    denominator: Mapped[float] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    events: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    outcome_persons: Mapped[int] = mapped_column(Integer)
    #: ``person`` (disclosure control applies), ``response``, ``employer``, ``partner``, ``event``
    unit: Mapped[str] = mapped_column(String(10))
    #: False while some events of the period cannot yet be followed up to the end of their window
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    #: disclosure control (``alue.scorecard.disclosure``): ``primary``, ``secondary`` or empty when shown
    suppression: Mapped[str] = mapped_column(String(10), default="")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FactMonthEnd(Base):
    """``ft_month_end`` — the month-end statistics (``alue.people.statistics``) by municipality of
    residence."""

    __tablename__ = "ft_month_end"
    __table_args__ = (UniqueConstraint("month", "municipality_code", "measure"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    count_day: Mapped[dt.date] = mapped_column(Date)
    municipality_code: Mapped[str] = mapped_column(String(3))  # ALL for the area
    #: unemployed, laid_off_full, shortened_week, in_service, long_term_unemployed, recurrently_unemployed,
    #: unemployed_after_service, service_to_service, structurally_unemployed, young_under_25,
    #: young_under_area_limit
    measure: Mapped[str] = mapped_column(String(40))
    persons: Mapped[int] = mapped_column(Integer)
    suppression: Mapped[str] = mapped_column(String(10), default="")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FactRebuildState(Base):
    """What the last rebuild saw: digests of its inputs per table and month, for incremental rebuilds."""

    __tablename__ = "ft_rebuild_state"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))  # input table name, or ``rebuild``
    key: Mapped[str] = mapped_column(String(40))  # month (YYYY-MM) or a setting name
    digest: Mapped[str] = mapped_column(Text)
