"""Shortage, balance and surplus per ISCO-08 unit group and half-year, for matching (R-G1).

The scorecard keeps the area's shortage list (``alue.scorecard.models.ShortageOccupation``): imported
from the occupational barometer (``ShortageOccupationsKind``) or derived from the employment-service
statistics (``derive_shortage_list``). Those lists only name the shortage groups. Matching also needs the
other end — the groups with many more jobseekers than vacancies — to find reskilling paths (R-G3). So
for each ISCO-4 group and the barometer's half-years this module gives:

- the **status**: ``shortage`` when the stored shortage list names the group for the half-year (the
  barometer's rating wins over a derived one), otherwise from the statistics' ratio of open vacancies to
  unemployed jobseekers over the months before the half-year: ``shortage`` at ``shortage_ratio`` or
  more (with at least ``min_vacancies``), ``surplus`` at ``surplus_ratio`` or less (with at least
  ``min_jobseekers``), ``balance`` between;
- the **trend**: the ratio against the same number of months just before the window (``rising`` =
  more vacancies per jobseeker, tighter for employers);
- the area's **open vacancies** and **registered jobseekers** of the group on the day (from the
  database: vacancies in the area's municipalities, jobseekers with an open spell whose sought or
  previous occupation is in the group);
- the **source** of the status, in words.

The thresholds are parameters, not law: a 1.0 ratio is the scorecard's own default for a derived
shortage list; 0.2 (one vacancy per five unemployed) marks a surplus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.area.models import Municipality
from alue.employers.models import Vacancy
from alue.people.models import JobseekingSpell, PersonOccupation
from alue.scorecard.importers import half_years
from alue.scorecard.models import ShortageOccupation
from alue.settings import get_settings
from alue.shared.db import covers
from alue.shared.national_groups import read_occupation_statistics
from alue.shared.time import today

Status = Literal["shortage", "balance", "surplus"]
Trend = Literal["rising", "falling", "stable", "unknown"]
STATISTICS_FILE = Path("stats") / "tyonvalitys_occupations_monthly.csv.gz"

#: statistics thresholds (see the module docstring)
SHORTAGE_RATIO = 1.0
SURPLUS_RATIO = 0.2
MIN_VACANCIES = 24.0  # open vacancies summed over the window's month ends
MIN_JOBSEEKERS = 60.0  # unemployed summed over the window's month ends (5 a month on average)
SUPPRESSED_AS = 2.0  # a month whose unemployed count the statistics suppress
TREND_CHANGE = 0.15  # relative change of the ratio that counts as a trend
WINDOW_MONTHS = 12


@dataclass(frozen=True, slots=True)
class GroupBalance:
    isco4: str
    period_start: dt.date
    period_end: dt.date
    status: Status
    #: open vacancies per unemployed jobseeker in the statistics window (None: the group is not in them)
    ratio: float | None
    trend: Trend
    #: the area's open vacancies (positions) and registered jobseekers of the group on the day
    vacancies: int
    jobseekers: int
    #: ``barometer`` or ``derived`` (the stored shortage list) or ``statistics`` (computed here)
    basis: str
    source: str


@dataclass(frozen=True, slots=True)
class _Window:
    months: tuple[str, ...]
    unemployed: dict[str, float]
    vacancies: dict[str, float]
    carried: bool

    def ratio(self, isco: str) -> float | None:
        if isco not in self.unemployed:
            return None
        return self.vacancies[isco] / max(self.unemployed[isco], 1.0)


@lru_cache(maxsize=4)
def _monthly(path: Path, area_code: str, mtime: float) -> pl.DataFrame:
    return read_occupation_statistics(path, area_code, suppressed_unemployed=SUPPRESSED_AS)


def _window(frame: pl.DataFrame, start: dt.date, months: int) -> _Window | None:
    all_months = sorted(set(frame.get_column("month").to_list()))
    if not all_months:
        return None
    before = [m for m in all_months if m < f"{start.year:04d}-{start.month:02d}"]
    window = tuple((before or all_months)[-months:])
    wanted_last = (start - dt.timedelta(days=1)).strftime("%Y-%m")
    sums = (
        frame.filter(pl.col("month").is_in(window))
        .group_by("occupation_group")
        .agg(u=pl.col("unemployed_month_end").sum(), v=pl.col("open_vacancies_month_end").sum())
    )
    unemployed, vacancies = {}, {}
    for isco, u, v in sums.select("occupation_group", "u", "v").iter_rows():
        unemployed[isco] = float(u)
        vacancies[isco] = float(v)
    return _Window(window, unemployed, vacancies, window[-1] != wanted_last)


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _trend(now: float | None, before: float | None) -> Trend:
    if now is None or before is None:
        return "unknown"
    if before <= 0:
        return "rising" if now > 0 else "stable"
    change = (now - before) / before
    if change > TREND_CHANGE:
        return "rising"
    if change < -TREND_CHANGE:
        return "falling"
    return "stable"


def _classify(window: _Window, isco: str) -> Status:
    u = window.unemployed.get(isco, 0.0)
    v = window.vacancies.get(isco, 0.0)
    ratio = v / max(u, 1.0)
    if v >= MIN_VACANCIES and ratio >= SHORTAGE_RATIO:
        return "shortage"
    if u >= MIN_JOBSEEKERS and ratio <= SURPLUS_RATIO:
        return "surplus"
    return "balance"


def area_counts(session: Session, day: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """(open vacancy positions, registered jobseekers) per ISCO-4 group in the area's municipalities."""
    in_area = select(Municipality.code).where(Municipality.in_area.is_(True))
    vacancy_rows = session.execute(
        select(Vacancy.isco4, func.sum(Vacancy.positions))
        .where(
            Vacancy.municipality_code.in_(in_area),
            Vacancy.open_on(day),
        )
        .group_by(Vacancy.isco4)
    )
    vacancies = {isco: int(n or 0) for isco, n in vacancy_rows}
    registered = select(JobseekingSpell.person_id).where(
        covers(JobseekingSpell.start_date, JobseekingSpell.end_date, day),
        JobseekingSpell.municipality_code.in_(in_area),
    )
    seeker_rows = session.execute(
        select(PersonOccupation.isco4, func.count(func.distinct(PersonOccupation.person_id)))
        .where(PersonOccupation.person_id.in_(registered))
        .group_by(PersonOccupation.isco4)
    )
    jobseekers = {isco: int(n) for isco, n in seeker_rows}
    return vacancies, jobseekers


def _stored_shortage(session: Session, start: dt.date) -> dict[str, ShortageOccupation]:
    """The stored shortage list covering ``start``; a barometer rating wins over a derived one."""
    rows = session.scalars(
        select(ShortageOccupation).where(
            ShortageOccupation.valid_from <= start, ShortageOccupation.valid_to >= start
        )
    )
    found: dict[str, ShortageOccupation] = {}
    for row in rows:
        old = found.get(row.isco4)
        if old is None or (old.basis != "barometer" and row.basis == "barometer"):
            found[row.isco4] = row
    return found


def statistics_path(data_dir: Path | None = None) -> Path:
    return Path(data_dir or get_settings().data_dir) / STATISTICS_FILE


def region_statistics_code(session: Session) -> str:
    """``MK`` + the region of most of the area's municipalities (the statistics' code for the region)."""
    region = session.scalar(
        select(Municipality.region_code)
        .where(Municipality.in_area.is_(True))
        .group_by(Municipality.region_code)
        .order_by(func.count().desc(), Municipality.region_code)
        .limit(1)
    )
    return f"MK{region}" if region else "SSS"


def occupation_balance(
    session: Session,
    *,
    on: dt.date | None = None,
    periods: int = 1,
    data_dir: Path | None = None,
    area_code: str | None = None,
    window_months: int = WINDOW_MONTHS,
    groups: Iterable[str] | None = None,
) -> list[GroupBalance]:
    """Every ISCO-4 group's status in the ``periods`` half-years ending with the one holding ``on``.

    Groups are those of the statistics, of the stored shortage list, or with an open vacancy or a
    registered jobseeker in the area; ``groups`` limits them. Sorted by period (latest first), then by
    status (shortage, balance, surplus) and group code.
    """
    day = on or today()
    path = statistics_path(data_dir)
    code = area_code or region_statistics_code(session)
    frame = _monthly(path, code, path.stat().st_mtime) if path.exists() else None
    vacancies, jobseekers = area_counts(session, day)
    first = _shift_months(dt.date(day.year, 1 if day.month <= 6 else 7, 1), -6 * (periods - 1))
    wanted = set(groups) if groups is not None else None
    result: list[GroupBalance] = []
    order = {"shortage": 0, "balance": 1, "surplus": 2}
    for start, end in reversed(half_years(first, day)):
        stored = _stored_shortage(session, start)
        window = _window(frame, start, window_months) if frame is not None else None
        earlier = None
        if window is not None and frame is not None:
            first_month = dt.date.fromisoformat(window.months[0] + "-01")
            earlier = _window(frame, first_month, window_months)
            if earlier is not None and earlier.months == window.months:
                earlier = None
        isco_codes = set(stored) | set(vacancies) | set(jobseekers)
        if window is not None:
            isco_codes |= set(window.unemployed)
        if wanted is not None:
            isco_codes &= wanted
        rows = []
        for isco in isco_codes:
            ratio = window.ratio(isco) if window is not None else None
            trend = _trend(ratio, earlier.ratio(isco) if earlier is not None else None)
            if isco in stored:
                status: Status = "shortage"
                basis, source = stored[isco].basis, stored[isco].source
            elif window is not None and isco in window.unemployed:
                status = _classify(window, isco)
                basis = "statistics"
                source = (
                    f"employment-service statistics {code} {window.months[0]}–{window.months[-1]}"
                    f"{' (latest available)' if window.carried else ''}: "
                    f"{ratio:.2f} open vacancies per unemployed jobseeker"
                )
            else:
                status, basis, source = "balance", "none", "no statistics for the group"
            rows.append(
                GroupBalance(
                    isco4=isco,
                    period_start=start,
                    period_end=end,
                    status=status,
                    ratio=ratio,
                    trend=trend,
                    vacancies=vacancies.get(isco, 0),
                    jobseekers=jobseekers.get(isco, 0),
                    basis=basis,
                    source=source,
                )
            )
        rows.sort(key=lambda r: (order[r.status], r.isco4))
        result.extend(rows)
    return result


def current_status(
    session: Session, *, on: dt.date | None = None, **kwargs: object
) -> dict[str, GroupBalance]:
    """ISCO-4 group → its balance in the half-year holding ``on``."""
    return {row.isco4: row for row in occupation_balance(session, on=on, periods=1, **kwargs)}  # type: ignore[arg-type]
