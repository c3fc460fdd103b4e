"""Calibration report: the demo's month-end figures recomputed from the database against the official series.

Nothing here trusts the generator: the figures are counted from the rows in the database.

* **unemployed** on a count day (the last working day of the month): persons with a status period of
  ``unemployed`` or ``laid_off_full`` covering the day inside their jobseeking spell, attributed to the
  municipality of residence on that day (``person_residence``; the current home municipality when no
  residence row covers the day);
* **open vacancies**: the ``positions`` of vacancies open on the day (``published_on ≤ day ≤ closes_on``
  and not filled by then), by the vacancy's municipality;
* **labour force**: a municipality-level figure, not persons — the value the demo stored for the month.

The months compared are those the demo covers (its ``demo`` tally rows in ``area_statistic``) that have
an official value; suppressed or empty official cells are skipped. Tolerance: within 5 % of the official
value or 2 persons, whichever is larger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Engine

from alue.area.config import Area
from alue.demo.columns import NO_DAY, day
from alue.people.models import UNEMPLOYED_STATUSES
from alue.shared.time import last_working_day_of_month

STATISTICS = ("unemployed_month_end", "labour_force", "open_vacancies")
RELATIVE_TOLERANCE = 0.05
ABSOLUTE_TOLERANCE = 2


def within_tolerance(generated: float, official: float) -> bool:
    return abs(generated - official) <= max(RELATIVE_TOLERANCE * abs(official), ABSOLUTE_TOLERANCE)


@dataclass(frozen=True)
class CalibrationRow:
    """One municipality and statistic over the compared months."""

    municipality_code: str
    municipality_name: str
    statistic: str
    months: int
    max_abs_error: float
    mean_abs_error: float
    max_pct_error: float
    mean_pct_error: float
    months_outside: int
    worst_month: str | None

    @property
    def within_tolerance(self) -> bool:
        return self.months_outside == 0


@dataclass(frozen=True)
class MonthlyFigure:
    municipality_code: str
    statistic: str
    month: str
    official: float
    generated: float

    @property
    def within_tolerance(self) -> bool:
        return within_tolerance(self.generated, self.official)


def _days(values: Sequence[object]) -> np.ndarray:
    """Dates from the driver (ISO strings on SQLite, date objects on PostgreSQL) as day numbers."""
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        if v is None:
            out[i] = NO_DAY
        elif isinstance(v, dt.date):
            out[i] = day(v)
        else:
            out[i] = day(dt.date.fromisoformat(str(v)[:10]))
    return out


def _count_day(month: str) -> int:
    year, mon = (int(x) for x in month.split("-"))
    return day(last_working_day_of_month(year, mon))


def monthly_figures(
    *,
    engine: Engine,
    area: Area | None = None,
    codes: Sequence[str] | None = None,
    months: Sequence[str] | None = None,
) -> list[MonthlyFigure]:
    """Generated vs official figure for every municipality, statistic and compared month."""
    with engine.connect() as conn:
        demo = conn.execute(
            text(
                "SELECT DISTINCT area_code, month FROM area_statistic WHERE source = 'demo' "
                "AND statistic = 'unemployed_month_end'"
            )
        ).all()
        if codes is None:
            codes = sorted({a[2:] for a, _ in demo if a.startswith("KU")})
            if area is not None and not codes:
                codes = list(area.municipalities)
        if months is None:
            months = sorted({m for _, m in demo})
        if not codes or not months:
            return []
        area_codes = [f"KU{c}" for c in codes]
        official: dict[tuple[str, str, str], float] = {}
        stored_lf: dict[tuple[str, str], float] = {}
        rows = conn.execute(
            text(
                "SELECT statistic, area_code, month, value, source FROM area_statistic "
                "WHERE source IN ('official', 'demo') AND month >= :first AND month <= :last"
            ),
            {"first": months[0], "last": months[-1]},
        ).all()
        wanted = set(area_codes)
        for stat, code, month, value, source in rows:
            if code not in wanted:
                continue
            if source == "official":
                official[(stat, code[2:], month)] = float(value)
            elif stat == "labour_force":
                stored_lf[(code[2:], month)] = float(value)

        count_days = np.array([_count_day(m) for m in months])
        first_iso = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + int(count_days.min())).isoformat()
        last_iso = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + int(count_days.max())).isoformat()
        statuses = ", ".join(f"'{s}'" for s in UNEMPLOYED_STATUSES)
        periods = conn.execute(
            text(
                "SELECT sp.person_id, sp.start_date, sp.end_date, js.start_date, js.end_date "
                "FROM status_period sp JOIN jobseeking_spell js ON js.id = sp.spell_id "
                f"WHERE sp.status IN ({statuses}) AND sp.start_date <= :last "
                "AND (sp.end_date IS NULL OR sp.end_date >= :first)"
            ),
            {"first": first_iso, "last": last_iso},
        ).all()
        residences = conn.execute(
            text(
                "SELECT person_id, municipality_code, start_date, end_date FROM person_residence "
                "WHERE start_date <= :last AND (end_date IS NULL OR end_date >= :first)"
            ),
            {"first": first_iso, "last": last_iso},
        ).all()
        homes = conn.execute(text("SELECT id, home_municipality_code FROM person")).all()
        vacancies = conn.execute(
            text(
                "SELECT municipality_code, positions, published_on, closes_on, filled_on FROM vacancy "
                "WHERE published_on <= :last AND (closes_on IS NULL OR closes_on >= :first)"
            ),
            {"first": first_iso, "last": last_iso},
        ).all()

    code_index = {c: i for i, c in enumerate(codes)}
    n_codes = len(codes)

    def muni_index(values: Sequence[object]) -> np.ndarray:
        return np.array([code_index.get(str(v), -1) for v in values], dtype=np.int64)

    # unemployed persons on each count day, by municipality of residence
    if periods:
        p_person = np.array([r[0] for r in periods], dtype=np.int64)
        p_start = np.maximum(_days([r[1] for r in periods]), _days([r[3] for r in periods]))
        p_end = np.minimum(_days([r[2] for r in periods]), _days([r[4] for r in periods]))
    else:
        p_person = p_start = p_end = np.empty(0, dtype=np.int64)
    max_person = int(max([h[0] for h in homes], default=0)) + 1
    home = np.full(max_person, -1, dtype=np.int64)
    if homes:
        home[np.array([h[0] for h in homes])] = muni_index([h[1] for h in homes])
    if residences:
        r_person = np.array([r[0] for r in residences], dtype=np.int64)
        r_muni = muni_index([r[1] for r in residences])
        r_start = _days([r[2] for r in residences])
        r_end = _days([r[3] for r in residences])
        order = np.lexsort((r_start, r_person))
        r_person, r_muni, r_start, r_end = r_person[order], r_muni[order], r_start[order], r_end[order]
        r_key = r_person * 100_000 + r_start
    unemployed = np.zeros((n_codes, len(months)), dtype=np.int64)
    for t, d in enumerate(count_days.tolist()):
        cover = (p_start <= d) & (p_end >= d)
        persons = np.unique(p_person[cover])
        munis = home[persons]
        if residences:
            pos = np.searchsorted(r_key, persons * 100_000 + d, side="right") - 1
            ok = (pos >= 0) & (r_person[np.maximum(pos, 0)] == persons)
            ok &= (r_start[np.maximum(pos, 0)] <= d) & (r_end[np.maximum(pos, 0)] >= d)
            munis = np.where(ok, r_muni[np.maximum(pos, 0)], munis)
        munis = munis[munis >= 0]
        unemployed[:, t] = np.bincount(munis, minlength=n_codes)

    # open positions on each count day
    vac = np.zeros((n_codes, len(months)), dtype=np.int64)
    if vacancies:
        v_muni = muni_index([r[0] for r in vacancies])
        v_pos = np.array([r[1] for r in vacancies], dtype=np.int64)
        v_pub = _days([r[2] for r in vacancies])
        v_close = _days([r[3] for r in vacancies])
        v_fill = _days([r[4] for r in vacancies])
        keep = v_muni >= 0
        for t, d in enumerate(count_days.tolist()):
            open_ = keep & (v_pub <= d) & (v_close >= d) & (v_fill > d)
            vac[:, t] = np.bincount(v_muni[open_], weights=v_pos[open_], minlength=n_codes).astype(np.int64)

    figures = []
    for i, code in enumerate(codes):
        for t, month in enumerate(months):
            for stat in STATISTICS:
                off = official.get((stat, code, month))
                if off is None:
                    continue
                if stat == "unemployed_month_end":
                    gen = float(unemployed[i, t])
                elif stat == "open_vacancies":
                    gen = float(vac[i, t])
                else:
                    gen = stored_lf.get((code, month), float("nan"))
                figures.append(MonthlyFigure(code, stat, month, off, gen))
    return figures


def calibration_report(
    *,
    engine: Engine,
    area: Area | None = None,
    codes: Sequence[str] | None = None,
    months: Sequence[str] | None = None,
) -> list[CalibrationRow]:
    """Per municipality and statistic: max and mean absolute error (persons and %) and the tolerance check."""
    figures = monthly_figures(engine=engine, area=area, codes=codes, months=months)
    names: dict[str, str] = {}
    if area is not None:
        from alue.area.config import load_municipalities

        names = {c: m.name_fi for c, m in load_municipalities(area.data_dir).items()}
    grouped: dict[tuple[str, str], list[MonthlyFigure]] = {}
    for f in figures:
        grouped.setdefault((f.municipality_code, f.statistic), []).append(f)
    rows = []
    for (code, stat), items in sorted(grouped.items()):
        err = np.array([f.generated - f.official for f in items])
        off = np.array([f.official for f in items])
        pct = np.where(
            off != 0, np.abs(err) / np.maximum(np.abs(off), 1e-9) * 100, np.where(err == 0, 0.0, 100.0)
        )
        outside = [f for f in items if not f.within_tolerance]
        worst = items[int(np.nanargmax(np.abs(err)))].month if len(items) else None
        rows.append(
            CalibrationRow(
                municipality_code=code,
                municipality_name=names.get(code, code),
                statistic=stat,
                months=len(items),
                max_abs_error=float(np.nanmax(np.abs(err))),
                mean_abs_error=float(np.nanmean(np.abs(err))),
                max_pct_error=float(np.nanmax(pct)),
                mean_pct_error=float(np.nanmean(pct)),
                months_outside=len(outside),
                worst_month=worst,
            )
        )
    return rows
