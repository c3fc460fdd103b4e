"""Tables for the area's geography: municipalities and service points (R-A1, R-B1, R-B2).

The authoritative source is the area configuration file plus the public municipality data; these tables
are a synchronised copy so that every other table can reference a municipality by foreign key.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from alue.shared.db import Base
from alue.shared.enums import db_enum


class Municipality(Base):
    __tablename__ = "municipality"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)  # "079"
    name_fi: Mapped[str] = mapped_column(String(80))
    name_sv: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(String(2))  # maakunta
    employment_area_code: Mapped[str | None] = mapped_column(String(3))  # tyollisyysalue
    in_area: Mapped[bool] = mapped_column(Boolean, default=False)  # member of the area this database runs
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int] = mapped_column(Integer)
    #: kielisuhde: 0 Finnish, 1 bilingual Finnish majority, 2 bilingual Swedish majority, 3 Swedish
    language_status: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, lang: str = "fi") -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


class ServicePointKind(StrEnum):
    OFFICE = "office"  # toimipiste — staff placed permanently (R-B2)
    SERVICE_POINT = "service_point"  # asiointipiste — visited at an agreed interval (R-B1)


class ServicePoint(Base):
    __tablename__ = "service_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)  # stable id from the area configuration
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    kind: Mapped[ServicePointKind] = mapped_column(db_enum(ServicePointKind, "service_point_kind"))
    name_fi: Mapped[str] = mapped_column(String(120))
    name_sv: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    #: days between visits by staff for a service point; None for an office with permanent staff
    visit_interval_days: Mapped[int | None] = mapped_column(Integer)
    remote_meeting_room: Mapped[bool] = mapped_column(Boolean, default=True)  # R-B3


class AreaStatistic(Base):
    """A monthly figure for a statistical area: official (Statistics Finland, KEHA) or projected.

    ``area_code`` uses the statistics' own codes: ``KU609`` a municipality, ``MK04`` a region, ``SSS`` the
    whole country. ``statistic`` is e.g. ``unemployed_month_end``, ``labour_force``, ``open_vacancies``.
    """

    __tablename__ = "area_statistic"
    __table_args__ = (UniqueConstraint("statistic", "area_code", "month", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statistic: Mapped[str] = mapped_column(String(60))
    area_code: Mapped[str] = mapped_column(String(10), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    value: Mapped[float] = mapped_column(Float)
    #: official (published figure), projected (continued along the latest published rates), import
    source: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")
