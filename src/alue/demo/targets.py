"""Monthly targets for the demo: the official municipal series, continued to the present by a projection.

The official series (työnvälitystilasto — Statistics Finland's employment-service statistics) gives per
municipality (area code ``KU`` + municipality code) and month: unemployed jobseekers on the count day,
the labour force and open vacancies. It ends in 2023-10. After that the demo *projects*:

* **unemployed** — the registered unemployment rate is split into a level and a seasonal pattern
  (the official 2×12 moving-average ratios by calendar month, shrunk towards the pooled pattern of all
  municipalities in scope for small places). The level is bridged smoothly (a smoothstep curve) from the
  deseasonalised level of the last official months to the published January 2026 rate
  (``published_rates.yaml``), then carried on; the projected count is level × season × labour force.
* **labour force** — the last official figure carried forward (the official figure is annual).
* **open vacancies** — the last official deseasonalised level, moved against the unemployment level with
  a configured elasticity, times the official seasonal pattern.

Suppressed official cells (the statistics hide values 1–4) are skipped in every comparison; the demo
still needs a number for them and uses the interpolated neighbours clipped to 1–4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

AREAS_FILE = Path("stats") / "tyonvalitys_areas_monthly.csv.gz"
RATES_FILE = Path(__file__).with_name("published_rates.yaml")

#: statistic name in ``AreaStatistic`` → column of the official file
STATISTICS = {
    "unemployed_month_end": "unemployed_month_end",
    "labour_force": "labour_force",
    "open_vacancies": "open_vacancies_month_end",
}
SUPPRESSED_MAX = 4  # the official file leaves out values 1..4


def month_index(text: str) -> int:
    """``"2019-01"`` → a running month number (year × 12 + month − 1)."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass
class Series:
    """One statistic for many municipalities: ``values[m, t]`` with NaN where the official cell is empty."""

    codes: list[str]
    first_month: int  # month index of column 0
    values: np.ndarray

    @property
    def months(self) -> list[str]:
        return [month_text(self.first_month + t) for t in range(self.values.shape[1])]


@dataclass
class PublishedRates:
    month: str
    rates: dict[str, float]
    source: str
    projection: dict[str, Any] = field(default_factory=dict)


@dataclass
class Targets:
    """Per municipality and month of the build window: what the demo must reproduce."""

    codes: list[str]
    first_month: int
    unemployed: np.ndarray  # int [M, T]
    labour_force: np.ndarray  # int [M, T]
    vacancies: np.ndarray  # int [M, T]
    #: True where the month's figure is official (else projected)
    official: np.ndarray  # bool [T]
    #: official cells that exist (not suppressed, not missing), per statistic: bool [M, T]
    observed: dict[str, np.ndarray]

    @property
    def n_months(self) -> int:
        return int(self.unemployed.shape[1])

    @property
    def months(self) -> list[str]:
        return [month_text(self.first_month + t) for t in range(self.n_months)]


def load_published_rates(path: Path = RATES_FILE) -> PublishedRates:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return PublishedRates(
        month=str(raw["month"]),
        rates={str(k).zfill(3): float(v) for k, v in raw["rates"].items()},
        source=str(raw["source"]).strip(),
        projection=dict(raw.get("projection") or {}),
    )


@lru_cache(maxsize=4)
def _read_official(data_dir: Path) -> pl.DataFrame:
    path = data_dir / AREAS_FILE
    if not path.exists():
        raise FileNotFoundError(f"official statistics not found: {path} (set ALUE_DATA_DIR)")
    return pl.read_csv(path, schema_overrides={"area": pl.Utf8, "month": pl.Utf8})


def official_series(data_dir: Path, area_codes: list[str], statistic: str) -> Series:
    """The official monthly series of ``statistic`` for statistics area codes (``KU609``, ``MK04`` …)."""
    df = _read_official(data_dir).filter(pl.col("area").is_in(area_codes))
    first = month_index(str(df["month"].min()))
    last = month_index(str(df["month"].max()))
    values = np.full((len(area_codes), last - first + 1), np.nan)
    row_of = {code: i for i, code in enumerate(area_codes)}
    column = STATISTICS[statistic]
    df = df.filter(pl.col(column).is_not_null() & pl.col(column).is_not_nan())
    rows = np.array([row_of[a] for a in df["area"].to_list()], dtype=np.int64)
    months = (
        df["month"].str.slice(0, 4).cast(pl.Int64).to_numpy() * 12
        + df["month"].str.slice(5, 2).cast(pl.Int64).to_numpy()
        - 1
    )
    values[rows, months - first] = df[column].cast(pl.Float64).to_numpy()
    return Series(codes=area_codes, first_month=first, values=values)


def statistics_municipalities(data_dir: Path) -> list[str]:
    """Municipality codes that have a ``KU`` series in the official file."""
    areas = _read_official(data_dir)["area"].unique().to_list()
    return sorted(a[2:] for a in areas if a.startswith("KU"))


def _fill(values: np.ndarray, suppressed_small: bool) -> np.ndarray:
    """Interpolate empty cells along time; suppressed small counts are clipped to 1..4."""
    out = values.copy()
    t = np.arange(values.shape[1])
    for i in range(values.shape[0]):
        row = values[i]
        ok = ~np.isnan(row)
        if not ok.any():
            out[i] = 1.0 if suppressed_small else 0.0
            continue
        filled = np.interp(t, t[ok], row[ok])
        if suppressed_small:
            filled = np.where(ok, row, np.clip(filled, 1, SUPPRESSED_MAX))
        out[i] = filled
    return out


def seasonal_factors(values: np.ndarray, first_month: int, from_year: int, weights: np.ndarray) -> np.ndarray:
    """Seasonal factors [M, 12] (mean 1): ratio to a centred 2×12 moving average, by calendar month.

    Each municipality's own pattern is shrunk towards the pooled pattern by ``weights`` (0..1).
    """

    def ratios(series: np.ndarray) -> np.ndarray:
        kernel = np.r_[0.5, np.ones(11), 0.5] / 12
        trend = np.convolve(series, kernel, mode="same")
        valid = np.zeros(len(series), dtype=bool)
        valid[6:-6] = True
        months = (first_month + np.arange(len(series))) % 12
        years = (first_month + np.arange(len(series))) // 12
        valid &= years >= from_year
        factors = np.ones(12)
        for cal in range(12):
            sel = valid & (months == cal) & (trend > 0)
            if sel.any():
                factors[cal] = float(np.mean(series[sel] / trend[sel]))
        return factors / factors.mean()

    pooled = ratios(values.sum(axis=0))
    result = np.empty((values.shape[0], 12))
    for i in range(values.shape[0]):
        own = ratios(values[i]) if values[i].sum() > 0 else pooled
        result[i] = weights[i] * own + (1 - weights[i]) * pooled
        result[i] /= result[i].mean()
    return result


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def build_targets(
    data_dir: Path,
    codes: list[str],
    start: str,
    until: str,
    rates: PublishedRates | None = None,
) -> Targets:
    """Targets for municipalities ``codes`` from month ``start`` to ``until`` (inclusive, ``YYYY-MM``)."""
    rates = rates or load_published_rates()
    cfg = rates.projection
    area_codes = [f"KU{c}" for c in codes]
    u_off = official_series(data_dir, area_codes, "unemployed_month_end")
    lf_off = official_series(data_dir, area_codes, "labour_force")
    v_off = official_series(data_dir, area_codes, "open_vacancies")
    first = u_off.first_month
    last_official = first + u_off.values.shape[1] - 1
    t0, t1 = month_index(start), month_index(until)
    if t0 < first:
        raise ValueError(f"the official series starts in {month_text(first)}; start {start} is too early")
    if t1 < t0:
        raise ValueError(f"until {until} is before start {start}")

    u = _fill(u_off.values, suppressed_small=True)
    lf = _fill(lf_off.values, suppressed_small=False)
    v = _fill(v_off.values, suppressed_small=True)
    lf = np.maximum(lf, 1.0)

    from_year = int(cfg.get("seasonal_from_year", 2012))
    lf_last = lf[:, -1]
    rate = u / lf
    s_u = seasonal_factors(u, first, from_year, lf_last / (lf_last + 5000.0))
    v_mean = v[:, -24:].mean(axis=1)
    s_v = seasonal_factors(v, first, from_year, v_mean / (v_mean + 100.0))

    cal = (first + np.arange(u.shape[1])) % 12
    n_level = int(cfg.get("level_months", 6))
    level0 = (rate[:, -n_level:] / s_u[:, cal[-n_level:]]).mean(axis=1)
    n_vlevel = int(cfg.get("vacancy_level_months", 12))
    vlevel0 = (v[:, -n_vlevel:] / s_v[:, cal[-n_vlevel:]]).mean(axis=1)

    # the published level (deseasonalised) for each municipality
    pub_month = month_index(rates.month)
    pub_cal = pub_month % 12
    level1 = np.full(len(codes), np.nan)
    for i, code in enumerate(codes):
        if code in rates.rates:
            level1[i] = rates.rates[code] / 100.0 / s_u[i, pub_cal]
    known = ~np.isnan(level1)
    change = float(np.median(level1[known] / level0[known])) if known.any() else 1.0
    level1 = np.where(known, level1, level0 * change)

    n_months = t1 - t0 + 1
    tt = np.arange(t0, t1 + 1)
    unemployed = np.zeros((len(codes), n_months))
    labour = np.zeros((len(codes), n_months))
    vac = np.zeros((len(codes), n_months))
    official = tt <= last_official
    for j, t in enumerate(tt):
        if t <= last_official:
            k = t - first
            unemployed[:, j], labour[:, j], vac[:, j] = u[:, k], lf[:, k], v[:, k]
            continue
        frac = (t - last_official) / max(pub_month - last_official, 1)
        level = level0 + (level1 - level0) * _smoothstep(np.array(frac))
        labour[:, j] = lf_last
        unemployed[:, j] = level * s_u[:, t % 12] * lf_last
        elasticity = float(cfg.get("vacancy_elasticity", 1.0))
        vac[:, j] = vlevel0 * (level0 / np.maximum(level, 1e-6)) ** elasticity * s_v[:, t % 12]

    observed = {}
    for name, series in (
        ("unemployed_month_end", u_off),
        ("labour_force", lf_off),
        ("open_vacancies", v_off),
    ):
        obs = np.zeros((len(codes), n_months), dtype=bool)
        for j, t in enumerate(tt):
            if t <= last_official:
                obs[:, j] = ~np.isnan(series.values[:, t - first])
        observed[name] = obs
    return Targets(
        codes=list(codes),
        first_month=t0,
        unemployed=np.rint(unemployed).astype(np.int64),
        labour_force=np.rint(labour).astype(np.int64),
        vacancies=np.rint(vac).astype(np.int64),
        official=official,
        observed=observed,
    )


def last_official_month(data_dir: Path) -> str:
    return str(_read_official(data_dir)["month"].max())
