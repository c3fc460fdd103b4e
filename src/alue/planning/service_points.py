"""Service-point recommendation (R-B1, R-B2): offices where the need is ≥ 5 FTE, else a visited point.

* A municipality whose staffing need (person and employer customers; administration is area-wide) is at
  least the area's ``office_threshold_fte`` gets an **office** (toimipiste) with permanently placed staff.
* Every other municipality with customers gets a **service point** (asiointipiste) visited by staff from
  the **nearest office** (straight-line distance between municipality centres — no road network is
  available). The visit interval is sized to demand: the face-to-face share of the municipality's
  customer hours, divided into visit days of ``hours_per_visit`` hours, gives the visit days needed per
  week; the model takes the longest agreed interval (7, 14, 28 days) that still provides them, or weekly
  visits on several days when one a week is not enough.
* If no municipality reaches the threshold, the municipality with the largest need holds the area's
  office (flagged), so that every point has an office to be served from.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from alue.area.config import Area
from alue.planning.norms import StaffingNorms, load_norms
from alue.planning.staffing import StaffingResult

OFFICE = "office"
SERVICE_POINT = "service_point"
NONE = "none"


class ServicePointAdvice(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    need_fte: float
    customers: float
    recommended_kind: str  # office, service_point, none
    #: why: "need ≥ threshold", "largest need (no municipality reaches the threshold)", "demand", …
    reason: str
    serving_office: str | None
    serving_office_name: str | None
    distance_km: float | None
    in_person_hours_per_week: float
    visit_days_needed_per_week: float
    visit_interval_days: int | None
    visit_days_per_week: int | None
    visits_per_year: float
    travel_km_per_year: float
    #: the configured network today (area file), for comparison
    current_kind: str | None
    current_interval_days: int | None
    #: a service point whose demand exceeds the most visit days a week the norms allow
    consider_office: bool


def visit_plan(days_needed_per_week: float, norms: StaffingNorms) -> tuple[int, int]:
    """(interval in days, visit days per week) that provides at least ``days_needed_per_week``.

    The longest allowed interval whose visits suffice; weekly visits on several days when one visit a
    week is not enough (capped at ``max_days_per_week``). A tiny demand gets the longest interval.
    """
    sp = norms.service_points
    if days_needed_per_week > 1:
        return 7, min(math.ceil(days_needed_per_week - 1e-9), sp.max_days_per_week)
    fitting = [d for d in sp.visit_intervals_days if days_needed_per_week <= 7 / d + 1e-9]
    if not fitting:
        return min(sp.visit_intervals_days), 1
    return max(fitting), 1


def recommend(
    result: StaffingResult,
    *,
    area: Area,
    norms: StaffingNorms | None = None,
) -> list[ServicePointAdvice]:
    """The recommended network: offices, service points with visit intervals, and travel."""
    norms = norms or load_norms()
    threshold = area.file.staffing.office_threshold_fte if area.file.staffing else 5.0
    by_code = {m.code: m for m in result.municipalities}
    offices = [code for code, m in by_code.items() if m.need_fte >= threshold]
    fallback = not offices
    if fallback and by_code:
        offices = [max(by_code.values(), key=lambda m: m.need_fte).code]
    current = {sp.municipality: sp for sp in area.file.service_points}
    hours_per_fte = norms.working_time.customer_hours_per_fte
    weeks = norms.working_time.working_weeks_per_year
    sp_norms = norms.service_points

    advice: list[ServicePointAdvice] = []
    for code, m in by_code.items():
        configured = current.get(code)
        current_kind = configured.kind if configured else None
        current_interval = configured.visit_interval_days if configured else None
        hours_week = m.need_fte * hours_per_fte / weeks * sp_norms.in_person_share
        days_needed = hours_week / sp_norms.hours_per_visit
        if code in offices:
            advice.append(
                ServicePointAdvice(
                    code=code,
                    name=m.name,
                    need_fte=m.need_fte,
                    customers=m.customers,
                    recommended_kind=OFFICE,
                    reason="largest_need_no_office" if fallback else "need_at_least_threshold",
                    serving_office=code,
                    serving_office_name=m.name,
                    distance_km=0.0,
                    in_person_hours_per_week=hours_week,
                    visit_days_needed_per_week=days_needed,
                    visit_interval_days=None,
                    visit_days_per_week=None,
                    visits_per_year=0.0,
                    travel_km_per_year=0.0,
                    current_kind=current_kind,
                    current_interval_days=current_interval,
                    consider_office=False,
                )
            )
            continue
        nearest = min(offices, key=lambda o: (area.distance_km(code, o), o))
        distance = area.distance_km(code, nearest)
        if m.customers < sp_norms.min_customers and m.employer_fte == 0:
            kind, interval, per_week, reason = NONE, None, None, "no_customers"
            visits = 0.0
        else:
            interval, per_week = visit_plan(days_needed, norms)
            kind, reason = SERVICE_POINT, "demand"
            visits = weeks * (7 / interval) * per_week
        advice.append(
            ServicePointAdvice(
                code=code,
                name=m.name,
                need_fte=m.need_fte,
                customers=m.customers,
                recommended_kind=kind,
                reason=reason,
                serving_office=nearest,
                serving_office_name=by_code[nearest].name,
                distance_km=distance,
                in_person_hours_per_week=hours_week,
                visit_days_needed_per_week=days_needed,
                visit_interval_days=interval,
                visit_days_per_week=per_week,
                visits_per_year=visits,
                travel_km_per_year=2 * distance * visits,
                current_kind=current_kind,
                current_interval_days=current_interval,
                consider_office=days_needed > sp_norms.max_days_per_week,
            )
        )
    return advice


def serving_offices(advice: list[ServicePointAdvice]) -> dict[str, str]:
    """Municipality → the municipality of the office that serves it."""
    return {a.code: a.serving_office or a.code for a in advice}
