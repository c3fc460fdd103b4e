"""Synchronise the area configuration into the database (municipalities and service points)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import Area, load_municipalities
from alue.area.models import Municipality, ServicePoint, ServicePointKind


def sync_area(*, session: Session, area: Area) -> None:
    """Upsert every Finnish municipality (for cross-border matching, R-H1) and the area's service points.

    Idempotent: running it twice changes nothing the second time.
    """
    every = load_municipalities(area.data_dir)
    existing = {m.code: m for m in session.scalars(select(Municipality))}
    for info in every.values():
        row = existing.get(info.code) or Municipality(code=info.code)
        row.name_fi, row.name_sv, row.name_en = info.name_fi, info.name_sv, info.name_en
        row.region_code = info.region_code
        row.employment_area_code = info.employment_area_code
        row.in_area = info.code in area.municipalities
        row.lat, row.lon = info.lat, info.lon
        row.population = info.population
        row.language_status = info.language_status
        if info.code not in existing:
            session.add(row)
    session.flush()

    points = {p.key: p for p in session.scalars(select(ServicePoint))}
    for sp in area.file.service_points:
        point = points.get(sp.key) or ServicePoint(key=sp.key)
        point.municipality_code = sp.municipality
        point.kind = ServicePointKind(sp.kind)
        point.name_fi, point.name_sv = sp.name_fi, sp.name_sv
        point.address = sp.address
        point.visit_interval_days = sp.visit_interval_days
        if sp.key not in points:
            session.add(point)
    session.flush()
