"""Benchmark of the scorecard rebuild: full rebuild time and peak memory at Satakunta scale and at national
scale, beside a plain pandas implementation of the same indicators on the same data, in the same run.

    .venv/bin/python benchmarks/scorecard.py                     # both scales
    .venv/bin/python benchmarks/scorecard.py --scales satakunta  # one scale
    .venv/bin/python benchmarks/scorecard.py --demo-db alue.db   # also a full rebuild of a demo database
    .venv/bin/python benchmarks/scorecard.py --scales national --implementations polars
    .venv/bin/python benchmarks/scorecard.py --scales national-sample  # pandas baseline on a quarter

The input tables are GENERATED WITH NUMPY (synthetic, labelled as such in the output), not by the demo
generator: persons, jobseeking spells, status periods, employment episodes, participations in services,
group memberships, moves, responsible workers, employers, employer-service events, survey answers and a
shortage list, with the shapes of the real registers (unemployment runs of weeks to years, services between
them, re-registrations, jobs after exits). They are written to Parquet once; each implementation then runs
in its own child process so that its peak memory (max RSS) is its own:

* **polars** (alue): read the inputs, ``alue.scorecard.facts.compute_facts`` — every indicator of the
  strategy, the month-end figures and disclosure control — and write the fact rows into a fresh SQLite
  database, as ``alue scorecard rebuild`` does;
* **pandas**: the same person-based indicators (inflow, staying employed 3/6 months, € per employed and per
  effective service, special-group employment rate, shortage-occupation share), survey means, Work in
  Finland leads and the month-end figures, with the same definitions, periods (months, quarters, years) and
  slices (area, municipality, customer group, service line, municipality × group), written with
  ``DataFrame.to_sql``. pandas has no disclosure control here (it would only add to its time).

The two results are compared cell by cell on the area totals as a correctness check. Wall-clock times on a
shared two-core machine vary with the other load; the CPU seconds of each child are printed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

AS_OF = dt.date(2025, 12, 31)
SINCE = dt.date(2021, 1, 1)  # the rebuild's HISTORY_YEARS: the current year and four before it
DATA_START = dt.date(2020, 1, 1)
EPOCH = dt.date(1970, 1, 1)
STATUSES = np.array(
    [
        "unemployed",
        "laid_off_full",
        "shortened_week",
        "in_service",
        "employed",
        "part_time",
        "outside_labour_force",
    ]
)
STATUS_P = np.array([0.52, 0.05, 0.02, 0.16, 0.17, 0.04, 0.04])
KINDS = np.array(["open_market", "subsidised", "apprenticeship", "self_employed"])
LINES = np.array(["job_brokerage", "skills", "multisector", "youth", "immigrants", "entrepreneurship"])
GROUPS = np.array(["immigrant", "partial_work_ability", "life_management"])
EDUCATION = np.array(
    ["basic", "general_upper_secondary", "vocational", "short_tertiary", "bachelor", "master"]
)
REASONS = np.array(
    [
        "employed_open_market",
        "education",
        "outside_labour_force",
        "not_renewed",
        "moved_away",
        "employed_subsidised",
    ]
)
SCALES = {
    # persons, mean status periods per person, participations per person
    "satakunta": (40_000, 6.0, 4.0),
    "national": (1_000_000, 6.3, 4.5),
    # a quarter of the national scale with the same shapes, for the pandas baseline where the whole national
    # scale would not fit in memory or time (its figures are extrapolated ×4, and say so)
    "national-sample": (250_000, 6.3, 4.5),
}


def _day(value: dt.date) -> int:
    return (value - EPOCH).days


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def municipalities(scale: str) -> tuple[list[str], np.ndarray]:
    from alue.area.config import load_area, load_municipalities

    area = load_area("satakunta", data_dir=ROOT.parent / "shared" / "data")
    infos = area.municipalities if scale == "satakunta" else load_municipalities(area.data_dir)
    codes = sorted(infos)
    weights = np.array([max(infos[c].population, 100) for c in codes], dtype=float)
    return codes, weights / weights.sum()


def generate(scale: str, out: Path, seed: int = 2025) -> dict[str, int]:
    """Synthetic register-like input tables (numpy), written as Parquet into ``out``."""
    n, periods_per_person, participations_per_person = SCALES[scale]
    rng = np.random.default_rng(seed)
    codes, weights = municipalities(scale)
    code_array = np.array(codes)
    person_ids = np.arange(1, n + 1, dtype=np.int64)
    home = code_array[rng.choice(len(codes), size=n, p=weights)]
    birth = _day(dt.date(1960, 1, 1)) + rng.integers(0, 45 * 365, size=n)
    persons = pl.DataFrame(
        {
            "person_id": person_ids,
            "birth_date": _dates(birth),
            "home_municipality_code": home,
            "education_level": EDUCATION[
                rng.choice(len(EDUCATION), size=n, p=[0.2, 0.1, 0.4, 0.1, 0.12, 0.08])
            ],
        }
    )

    # status periods: a walk per person from a random start, gaps of 0 (adjacent), a day or weeks
    counts = np.maximum(1, rng.poisson(periods_per_person, size=n))
    owner = np.repeat(person_ids, counts)
    m = owner.size
    first_row = np.r_[0, np.cumsum(counts)[:-1]]
    length = np.clip(rng.gamma(1.3, 110, size=m).astype(np.int64), 5, 900)
    gap = np.where(rng.random(m) < 0.6, 0, rng.integers(1, 120, size=m))
    start_of_person = _day(DATA_START) - 400 + rng.integers(0, 6 * 365, size=n)
    steps = np.cumsum(np.r_[0, (length + gap)[:-1]])
    start = np.repeat(start_of_person, counts) + steps - np.repeat(steps[first_row], counts)
    end = start + length - 1
    last_row = np.r_[first_row[1:] - 1, m - 1]
    open_last = rng.random(n) < 0.35
    status = STATUSES[rng.choice(len(STATUSES), size=m, p=STATUS_P)]
    keep = start <= _day(AS_OF)
    end_values = end.astype(float)
    end_values[last_row[open_last]] = np.nan
    periods = pl.DataFrame(
        {
            "person_id": owner,
            "status": status,
            "start_date": _dates(start),
            "end_date": pl.Series(end_values).cast(pl.Int32, strict=False).cast(pl.Date),
        }
    ).filter(pl.Series(keep))
    periods = periods.with_columns(
        end_date=pl.when(pl.col("end_date") > pl.lit(AS_OF)).then(None).otherwise(pl.col("end_date"))
    )

    # jobseeking spells: maximal blocks of adjacent periods (a gap starts a new registration)
    spells = (
        periods.sort("person_id", "start_date")
        .with_columns(
            new=(pl.col("person_id") != pl.col("person_id").shift(1))
            | (pl.col("start_date") > pl.col("end_date").shift(1).dt.offset_by("1d"))
        )
        .with_columns(spell_id=pl.col("new").cast(pl.Int64).cum_sum())
        .group_by("spell_id")
        .agg(
            pl.col("person_id").first(),
            start_date=pl.col("start_date").min(),
            end_date=pl.when(pl.col("end_date").is_null().any())
            .then(None)
            .otherwise(pl.col("end_date").max()),
        )
        .sort("spell_id")
    )
    spells = spells.with_columns(
        end_reason=pl.when(pl.col("end_date").is_null())
        .then(None)
        .otherwise(
            pl.Series(
                REASONS[rng.choice(len(REASONS), size=spells.height, p=[0.45, 0.1, 0.12, 0.2, 0.05, 0.08])]
            )
        )
    )

    # employment: each employed period is an episode; exits to the open market start one the next day
    jobs = periods.filter(pl.col("status") == "employed").select("person_id", "start_date", "end_date")
    exits = spells.filter(pl.col("end_reason") == "employed_open_market").select(
        "person_id",
        start_date=pl.col("end_date").dt.offset_by("1d"),
        end_date=pl.col("end_date").dt.offset_by(f"{int(rng.integers(60, 400))}d"),
    )
    episodes = pl.concat([jobs, exits])
    episodes = episodes.with_columns(
        kind=pl.Series(KINDS[rng.choice(4, size=episodes.height, p=[0.7, 0.15, 0.05, 0.1])]),
        isco4=pl.Series(
            rng.choice(np.array([f"{i:04d}" for i in range(1110, 9700, 21)]), size=episodes.height)
        ),
    )

    # participations: service periods plus short services during unemployment
    services = periods.filter(pl.col("status") == "in_service").select("person_id", "start_date", "end_date")
    short_n = max(0, int(n * participations_per_person) - services.height)
    unemployed = periods.filter(pl.col("status") == "unemployed")
    pick = rng.integers(0, unemployed.height, size=short_n)
    picked = unemployed[pick]
    short_start = picked.get_column("start_date").to_numpy().astype("datetime64[D]").astype(
        np.int64
    ) + rng.integers(0, 60, size=short_n)
    short_len = rng.integers(5, 90, size=short_n)
    short = pl.DataFrame(
        {
            "person_id": picked.get_column("person_id"),
            "start_date": _dates(short_start),
            "end_date": _dates(short_start + short_len),
        }
    ).filter(pl.col("start_date") <= pl.lit(AS_OF))
    participations = (
        pl.concat([services, short])
        .with_row_index("participation_id", offset=1)
        .with_columns(
            pl.col("participation_id").cast(pl.Int64),
            end_date=pl.when(pl.col("end_date") > pl.lit(AS_OF)).then(None).otherwise(pl.col("end_date")),
        )
    )
    p = participations.height
    participations = participations.with_columns(
        service_line=pl.Series(LINES[rng.integers(0, len(LINES), size=p)]),
        cost=pl.Series(rng.gamma(2.0, 900.0, size=p).round(2)),
        outcome=pl.Series(np.where(rng.random(p) < 0.85, "completed", "interrupted")),
    ).with_columns(outcome=pl.when(pl.col("end_date").is_null()).then(pl.lit("ongoing")).otherwise("outcome"))

    members = rng.random(n) < 0.22
    groups = pl.DataFrame(
        {
            "person_id": person_ids[members],
            "group": GROUPS[rng.integers(0, len(GROUPS), size=int(members.sum()))],
            "start_date": _dates(np.full(int(members.sum()), _day(DATA_START) - 300)),
            "end_date": _dates(np.full(int(members.sum()), _day(AS_OF) + 1000)),
        }
    ).with_columns(pl.col("end_date").cast(pl.Date))
    movers = rng.random(n) < 0.05
    move_day = _day(DATA_START) + rng.integers(0, 5 * 365, size=int(movers.sum()))
    moved_ids = person_ids[movers]
    residences = pl.concat(
        [
            pl.DataFrame(
                {
                    "person_id": moved_ids,
                    "municipality_code": home[movers],
                    "start_date": _dates(np.full(moved_ids.size, _day(dt.date(2000, 1, 1)))),
                    "end_date": _dates(move_day - 1),
                }
            ),
            pl.DataFrame(
                {
                    "person_id": moved_ids,
                    "municipality_code": code_array[rng.choice(len(codes), size=moved_ids.size, p=weights)],
                    "start_date": _dates(move_day),
                    "end_date": pl.Series([None] * moved_ids.size, dtype=pl.Date),
                }
            ),
        ]
    )
    assignments = spells.select(
        "person_id",
        "start_date",
        "end_date",
        service_line=pl.Series(LINES[rng.integers(0, len(LINES), size=spells.height)]),
    )
    e = max(1000, n // 5)
    employers = pl.DataFrame(
        {
            "employer_id": np.arange(1, e + 1, dtype=np.int64),
            "municipality_code": code_array[rng.choice(len(codes), size=e, p=weights)],
            "founded_on": _dates(_day(dt.date(1990, 1, 1)) + rng.integers(0, 35 * 365, size=e)),
        }
    )
    ev = e * 2
    kinds = np.array(["contact", "recruitment", "wage_subsidy", "work_in_finland_lead", "recruitment_event"])
    employer_events = pl.DataFrame(
        {
            "employer_id": rng.integers(1, e + 1, size=ev),
            "event_date": _dates(_day(DATA_START) + rng.integers(0, 6 * 365, size=ev)),
            "kind": kinds[rng.choice(5, size=ev, p=[0.5, 0.25, 0.15, 0.02, 0.08])],
            "municipality_code": code_array[rng.choice(len(codes), size=ev, p=weights)],
        }
    ).filter(pl.col("event_date") <= pl.lit(AS_OF))
    partners = pl.DataFrame(
        {
            "partner_id": np.arange(1, 201, dtype=np.int64),
            "municipality_code": code_array[rng.integers(0, len(codes), size=200)],
            "partnership_agreement": rng.random(200) < 0.45,
        }
    )
    s = max(500, n // 5)
    survey_kinds = np.array(
        ["accessibility", "customer_experience", "vitality_barometer", "staff_experience"]
    )
    kind_index = rng.integers(0, 4, size=s)
    low = np.where(kind_index == 0, 1.0, np.where(kind_index == 1, 1.0, 4.0))
    high = np.where(low == 1.0, 5.0, 10.0)
    survey = pl.DataFrame(
        {
            "survey_kind": survey_kinds[kind_index],
            "response_date": _dates(_day(DATA_START) + rng.integers(0, 6 * 365, size=s)),
            "municipality_code": code_array[rng.choice(len(codes), size=s, p=weights)],
            "service_line": LINES[rng.integers(0, len(LINES), size=s)],
            "channel": np.full(s, "in_person"),
            "score": np.round(low + (high - low) * rng.beta(5, 2, size=s)),
        }
    ).filter(pl.col("response_date") <= pl.lit(AS_OF))
    isco = episodes.get_column("isco4").unique().sort().to_numpy()
    shortage_rows = []
    for year in range(2019, 2026):
        for first, last in (
            (dt.date(year, 1, 1), dt.date(year, 6, 30)),
            (dt.date(year, 7, 1), dt.date(year, 12, 31)),
        ):
            for code in rng.choice(isco, size=min(60, isco.size), replace=False):
                shortage_rows.append((str(code), first, last, "derived", "benchmark list"))
    shortage = pl.DataFrame(
        shortage_rows, schema=["isco4", "valid_from", "valid_to", "basis", "source"], orient="row"
    )

    tables = {
        "persons": persons,
        "residences": residences,
        "spells": spells,
        "periods": periods,
        "groups": groups,
        "episodes": episodes,
        "participations": participations,
        "assignments": assignments,
        "employers": employers,
        "employer_events": employer_events,
        "partners": partners,
        "survey": survey,
        "shortage": shortage,
    }
    from alue.scorecard.inputs import conform

    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        conform(name, frame).write_parquet(out / f"{name}.parquet")
    return {name: frame.height for name, frame in tables.items()}


# ----------------------------------------------------------------------------------------------- polars


def run_polars(data: Path, scale: str) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from alue.area.config import load_area, load_municipalities
    from alue.scorecard.definitions import load_definitions
    from alue.scorecard.facts import iter_facts, write_facts
    from alue.scorecard.inputs import SCHEMAS, Inputs
    from alue.shared import migrate
    from alue.shared.db import make_engine

    area = load_area("satakunta", data_dir=ROOT.parent / "shared" / "data")
    if scale.startswith("national"):
        area = area.model_copy(update={"municipalities": load_municipalities(area.data_dir)})
    definitions = load_definitions(area)
    definitions.area.file  # noqa: B018 — loaded before timing
    from alue.area.rules import load_rules
    from alue.shared.time import finnish_holidays

    load_rules("satakunta")  # rule files and the holiday calendar are read once per process, not per rebuild
    for year in range(SINCE.year, AS_OF.year + 1):
        finnish_holidays(year)
    times: dict[str, float] = {}
    cpu = time.process_time()
    clock = time.perf_counter()
    # the platform's own survey answers are not generated: their frame stays empty (the CSV-like "survey"
    # table carries the answers the pandas baseline computes too)
    frames = {
        name: pl.read_parquet(data / f"{name}.parquet")
        for name in SCHEMAS
        if (data / f"{name}.parquet").exists()
    }
    inputs = Inputs(**frames)
    times["load"] = time.perf_counter() - clock
    # the database is created before the clock runs (as a rebuild finds it); then, as `alue scorecard rebuild`
    # does, each batch of indicators is written while the next ones are computed: "write" is the time spent
    # writing, "compute" the rest of the wall-clock time
    parts: dict[str, list[pl.DataFrame]] = {"indicator": [], "month_end": []}

    def kept(facts: Iterator[tuple[str, pl.DataFrame]]) -> Iterator[tuple[str, pl.DataFrame]]:
        for kind, rows in facts:
            parts[kind].append(rows)  # for the cross-check with pandas
            yield kind, rows

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/facts.db")
        migrate.upgrade(engine)
        mark = time.perf_counter()
        with Session(engine) as session:
            facts = iter_facts(inputs, definitions, as_of=AS_OF, since=SINCE)
            written = write_facts(session, kept(facts), computed_at=dt.datetime(2026, 1, 5, 12, 0))  # noqa: DTZ001
            session.commit()
        elapsed = time.perf_counter() - mark
        engine.dispose()
    times["write"] = written.seconds
    times["compute"] = elapsed - written.seconds
    times["total"] = times["load"] + elapsed
    indicators, month_end = pl.concat(parts["indicator"]), pl.concat(parts["month_end"])
    checks = _checks_polars(indicators, month_end)
    return {
        "times": times,
        "cpu": time.process_time() - cpu,
        "rows": indicators.height + month_end.height,
        "suppressed": int((indicators.get_column("suppression") != "").sum()),
        "checks": checks,
    }


def _checks_polars(indicators: pl.DataFrame, month_end: pl.DataFrame) -> dict[str, list[float]]:
    area = indicators.filter(
        (pl.col("municipality_code") == "*")
        & (pl.col("customer_group") == "*")
        & (pl.col("service_line") == "*")
        & pl.col("period_kind").is_in(["year", "quarter"])
    )
    result = {
        f"{r['indicator_id']}|{r['variant']}|{r['period']}": [r["numerator"], r["denominator"], r["persons"]]
        for r in area.iter_rows(named=True)
    }
    for r in month_end.filter(pl.col("municipality_code") == "*").iter_rows(named=True):
        result[f"month_end|{r['measure']}|{r['month']}"] = [float(r["persons"])]
    return result


# ----------------------------------------------------------------------------------------------- pandas


def run_pandas(data: Path, scale: str) -> dict[str, Any]:
    import pandas as pd

    from alue.area.config import load_area, load_municipalities
    from alue.area.rules import load_rules
    from alue.scorecard.definitions import load_definitions
    from alue.scorecard.inputs import SCHEMAS
    from alue.shared.time import finnish_holidays, iter_months, last_working_day_of_month

    area = load_area("satakunta", data_dir=ROOT.parent / "shared" / "data")
    if scale.startswith("national"):
        area = area.model_copy(update={"municipalities": load_municipalities(area.data_dir)})
    definitions = load_definitions(area)
    load_rules("satakunta")
    for year in range(SINCE.year, AS_OF.year + 1):
        finnish_holidays(year)
    times: dict[str, float] = {}
    cpu = time.process_time()
    clock = time.perf_counter()
    frames = {}
    for name in SCHEMAS:
        if not (data / f"{name}.parquet").exists():  # the own survey answers are not generated
            continue
        frame = pl.read_parquet(data / f"{name}.parquet")  # pandas cannot read Parquet without pyarrow
        frames[name] = pd.DataFrame({c: frame.get_column(c).to_numpy() for c in frame.columns})
    times["load"] = time.perf_counter() - clock
    mark = time.perf_counter()
    facts, month_end = PandasScorecard(
        frames, definitions, [last_working_day_of_month(y, m) for y, m in iter_months(SINCE, AS_OF)]
    ).compute()
    times["compute"] = time.perf_counter() - mark
    mark = time.perf_counter()
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        connection = sqlite3.connect(f"{tmp}/facts.db")
        facts.to_sql("ft_indicator", connection, index=False, chunksize=50_000)
        month_end.to_sql("ft_month_end", connection, index=False, chunksize=50_000)
        connection.commit()
        connection.close()
    times["write"] = time.perf_counter() - mark
    times["total"] = times["load"] + times["compute"] + times["write"]
    area_rows = facts[
        (facts.municipality_code == "*")
        & (facts.customer_group == "*")
        & (facts.service_line == "*")
        & facts.period_kind.isin(["year", "quarter"])
    ]
    checks = {
        f"{r.indicator_id}|{r.variant}|{r.period}": [
            float(r.numerator),
            float(r.denominator),
            float(r.persons),
        ]
        for r in area_rows.itertuples()
    }
    for r in month_end[month_end.municipality_code == "*"].itertuples():
        checks[f"month_end|{r.measure}|{r.month}"] = [float(r.persons)]
    return {
        "times": times,
        "cpu": time.process_time() - cpu,
        "rows": len(facts) + len(month_end),
        "checks": checks,
    }


class PandasScorecard:
    """The same definitions as ``alue.scorecard.compute``, written the way a pandas user would."""

    OPEN = pd_open = np.datetime64("9999-12-31")

    def __init__(self, frames: dict[str, Any], definitions: Any, count_days: list[dt.date]) -> None:
        import pandas as pd

        self.pd = pd
        self.f = frames
        self.defs = definitions
        self.as_of = pd.Timestamp(AS_OF)
        self.since = pd.Timestamp(SINCE)
        self.in_area = set(definitions.area.codes)
        self.days = pd.to_datetime(pd.Series([d for d in count_days if d <= AS_OF])).astype("datetime64[us]")
        self.youth = definitions.area.file.youth_age_limit
        for frame in frames.values():
            for column in frame.columns:
                if frame[column].dtype.kind == "M":
                    frame[column] = frame[column].astype("datetime64[us]")

    # -- building blocks ------------------------------------------------------------------------
    def merge_runs(self, periods: Any) -> Any:
        pd = self.pd
        p = periods[["person_id", "start_date", "end_date"]].copy()
        p["end_date"] = p["end_date"].fillna(pd.Timestamp("2262-01-01"))
        p = p.sort_values(["person_id", "start_date"])
        prev_end = p.groupby("person_id")["end_date"].cummax().groupby(p["person_id"]).shift(1)
        new = prev_end.isna() | (p["start_date"] > prev_end + pd.Timedelta(days=1))
        p["run"] = new.cumsum()
        runs = (
            p.groupby("run")
            .agg(
                person_id=("person_id", "first"), run_start=("start_date", "min"), run_end=("end_date", "max")
            )
            .reset_index(drop=True)
        )
        return runs

    def covering(self, left: Any, right: Any, day: str, value: str) -> Any:
        """The value of the latest-starting right row covering left[day] (nan when none)."""
        pd = self.pd
        r = right.rename(columns={"start_date": "_s", "end_date": "_e"}).sort_values("_s")
        l2 = left[["_event", "person_id", day]].sort_values(day)
        joined = pd.merge_asof(
            l2, r[["person_id", "_s", "_e", value]], left_on=day, right_on="_s", by="person_id"
        )
        ok = joined["_s"].notna() & (joined["_e"].isna() | (joined["_e"] >= joined[day]))
        joined[value] = joined[value].where(ok)
        return joined.set_index("_event")[value]

    def dims(self, events: Any, long_term: Any = None) -> Any:
        pd = self.pd
        ev = events.reset_index(drop=True)
        ev["_event"] = np.arange(len(ev))
        residence = self.covering(ev, self.f["residences"], "event_date", "municipality_code")
        persons = self.f["persons"].set_index("person_id")
        ev["municipality_code"] = residence.reindex(ev["_event"]).to_numpy()
        home = persons["home_municipality_code"].reindex(ev["person_id"]).to_numpy()
        ev["municipality_code"] = ev["municipality_code"].where(ev["municipality_code"].notna(), home)
        line = (
            self.covering(ev, self.f["assignments"], "event_date", "service_line")
            .reindex(ev["_event"])
            .to_numpy()
        )
        if "service_line" in ev:
            ev["service_line"] = ev["service_line"].where(ev["service_line"].notna(), line)
        else:
            ev["service_line"] = line
        birth = persons["birth_date"].reindex(ev["person_id"]).to_numpy()
        d, b = ev["event_date"], pd.Series(birth)
        age = d.dt.year - b.dt.year - ((d.dt.month * 100 + d.dt.day) < (b.dt.month * 100 + b.dt.day))
        wanted = self.defs.customer_groups
        ev["g_young"] = (age < self.youth).to_numpy()
        education = persons["education_level"].reindex(ev["person_id"]).to_numpy()
        ev["g_no_vocational_education"] = (
            pd.Series(education).isin(["basic", "general_upper_secondary", "unknown"]).to_numpy()
        )
        status = self.covering(ev, self.f["periods"], "event_date", "status").reindex(ev["_event"])
        ev["g_laid_off"] = status.isin(["laid_off_full", "shortened_week"]).to_numpy()
        if long_term is not None:
            ev["g_long_term_unemployed"] = ev[long_term].to_numpy()
        else:
            runs = self.runs.rename(columns={"run_start": "start_date", "run_end": "end_date"}).assign(
                run_start=lambda x: x["start_date"]
            )
            start = self.covering(ev, runs, "event_date", "run_start").reindex(ev["_event"]).to_numpy()
            ev["g_long_term_unemployed"] = (
                pd.Series(start) <= ev["event_date"] - pd.DateOffset(months=12)
            ).to_numpy()
        recorded = self.f["groups"]
        m = ev[["_event", "person_id", "event_date"]].merge(recorded, on="person_id")
        m = m[(m.start_date <= m.event_date) & (m.end_date.isna() | (m.end_date >= m.event_date))]
        for g in ("immigrant", "partial_work_ability"):
            ev[f"g_{g}"] = ev["_event"].isin(m.loc[m.group == g, "_event"])
        return ev[[c for c in ev.columns if not c.startswith("g_") or c[2:] in wanted]]

    def employed_within(self, ev: Any, after: str, until: str, kinds: list[str]) -> Any:
        eps = self.f["episodes"]
        eps = eps[eps.kind.isin(kinds)]
        m = ev[["_event", "person_id", after, until]].merge(
            eps[["person_id", "start_date", "end_date"]], on="person_id"
        )
        hit = (m.start_date <= m[until]) & (m.end_date.isna() | (m.end_date > m[after]))
        return ev["_event"].isin(m.loc[hit, "_event"]).to_numpy()

    def employed_on(self, ev: Any, day: str, kinds: list[str]) -> Any:
        eps = self.f["episodes"]
        eps = eps[eps.kind.isin(kinds)]
        m = ev[["_event", "person_id", day]].merge(
            eps[["person_id", "start_date", "end_date"]], on="person_id"
        )
        hit = (m.start_date <= m[day]) & (m.end_date.isna() | (m.end_date >= m[day]))
        return ev["_event"].isin(m.loc[hit, "_event"]).to_numpy()

    def aggregate(
        self,
        ev: Any,
        indicator: str,
        variant: str,
        kind_value: str,
        *,
        groups: list[str] | None = None,
        once: bool = False,
        denominator: str = "den",
        slices: tuple[tuple[bool, bool, bool], ...] | None = None,
    ) -> Any:
        pd = self.pd
        from alue.scorecard.compute import SLICES

        slices = slices or SLICES
        ev = ev[
            (ev.municipality_code.isin(self.in_area) | ev.municipality_code.isna())
            & (ev.event_date >= self.since)
            & (ev.event_date <= self.as_of)
        ].copy()
        ev["month"] = ev.event_date.dt.strftime("%Y-%m")
        ev["quarter"] = ev.event_date.dt.year.astype(str) + "-Q" + ev.event_date.dt.quarter.astype(str)
        ev["year"] = ev.event_date.dt.year.astype(str)
        ev["_n"] = ev["num"].fillna(0) * ev["observable"]
        ev["_d"] = ev["den"].fillna(0) * ev["observable"]
        ev["_o"] = ev["outcome"] & ev["observable"]
        ev["_ou"] = ev["unit_id"].where(ev["_o"])
        ev["_pu"] = ev["unit_id"].where(ev["observable"])
        ev["_pending"] = ~ev["observable"]
        allowed = groups or self.defs.customer_groups
        present = [g for g in allowed if f"g_{g}" in ev]
        out = []
        for kind in ("month", "quarter", "year"):
            per = ev.rename(columns={kind: "period"})
            if once:
                per = per.sort_values(["event_date", "unit_id"]).drop_duplicates(["unit_id", "period"])
            for by_m, by_g, by_l in slices:
                frame = per.copy()
                frame["m"] = frame["municipality_code"] if by_m else "*"
                frame["l"] = frame["service_line"] if by_l else "*"
                frame = frame[frame["m"].notna() & frame["l"].notna()]
                if by_g:
                    if not present:
                        continue
                    frame = pd.concat([frame[frame[f"g_{g}"]].assign(g=g) for g in present])
                else:
                    frame["g"] = "*"
                grouped = (
                    frame.groupby(["period", "m", "g", "l"])
                    .agg(
                        numerator=("_n", "sum"),
                        denominator=("_d", "sum"),
                        events=("observable", "sum"),
                        persons=("_pu", "nunique"),
                        outcome_persons=("_ou", "nunique"),
                        outcome_events=("_o", "sum"),
                        pending=("_pending", "sum"),
                    )
                    .reset_index()
                )
                grouped["period_kind"] = kind
                out.append(grouped)
        facts = pd.concat(out, ignore_index=True)
        if denominator == "outcome_persons":
            facts["denominator"] = facts["outcome_persons"].astype(float)
        elif denominator == "outcome_events":
            facts["denominator"] = facts["outcome_events"].astype(float)
        ratio = facts["numerator"] / facts["denominator"].where(facts["denominator"] > 0)
        facts["value"] = (
            ratio * 100
            if kind_value == "percent"
            else (facts["numerator"] if kind_value == "count" else ratio)
        )
        facts["indicator_id"], facts["variant"] = indicator, variant
        facts["complete"] = facts["pending"] == 0
        return facts.rename(columns={"m": "municipality_code", "g": "customer_group", "l": "service_line"})

    # -- the figures ------------------------------------------------------------------------------
    def classify(self) -> Any:
        pd = self.pd
        periods = self.f["periods"].sort_values(["person_id", "start_date"]).reset_index(drop=True)
        unemployed = periods[periods.status.isin(["unemployed", "laid_off_full"])]
        runs = self.merge_runs(unemployed).sort_values(["person_id", "run_start"])
        runs["length"] = (runs.run_end.clip(upper=pd.Timestamp("2262-01-01")) - runs.run_start).dt.days + 1
        runs["days_before"] = runs.groupby("person_id")["length"].cumsum() - runs["length"]
        service_runs = self.merge_runs(periods[periods.status == "in_service"])
        probe = (
            runs[["person_id", "run_start"]]
            .assign(day_before=runs.run_start - pd.Timedelta(days=1))
            .sort_values("day_before")
        )
        covered = pd.merge_asof(
            probe,
            service_runs.rename(columns={"run_start": "s", "run_end": "e"}).sort_values("s"),
            left_on="day_before",
            right_on="s",
            by="person_id",
        )
        covered["preceded_by_service"] = covered.e.notna() & (covered.e >= covered.day_before)
        runs = runs.merge(
            covered[["person_id", "run_start", "preceded_by_service"]], on=["person_id", "run_start"]
        )
        self.runs = runs
        # service periods that follow another service
        services = periods[periods.status == "in_service"].copy()
        services["previous_end"] = services.groupby("person_id")["end_date"].shift(1)
        services["gap"] = (services.start_date - services.previous_end).dt.days - 1
        gap_probe = services[services.gap > 0].assign(
            gap_start=lambda x: x.previous_end + pd.Timedelta(days=1),
            gap_end=lambda x: x.start_date - pd.Timedelta(days=1),
        )
        gp = pd.merge_asof(
            gap_probe.reset_index().sort_values("gap_start"),
            runs[["person_id", "run_start", "run_end"]].sort_values("run_start"),
            left_on="gap_start",
            right_on="run_start",
            by="person_id",
        )
        gap_ok = set(gp.loc[gp["run_end"].notna() & (gp["run_end"] >= gp["gap_end"]), "index"])
        services["follows"] = services.previous_end.notna() & (
            (services.gap <= 0) | ((services.gap <= 30) & services.index.isin(gap_ok))
        )
        used = periods[
            periods.status.isin(["unemployed", "laid_off_full", "shortened_week", "in_service"])
        ].copy()
        used["follows"] = services["follows"].reindex(used.index).fillna(False).astype(bool)
        days = self.days.to_numpy()
        first = np.searchsorted(days, used.start_date.to_numpy(), side="left")
        last = np.searchsorted(
            days, used.end_date.fillna(pd.Timestamp("2262-01-01")).to_numpy(), side="right"
        )
        used["idx"] = [list(range(a, b)) for a, b in zip(first, last, strict=True)]
        rows = used.explode("idx").dropna(subset=["idx"])
        rows["day"] = days[rows["idx"].astype(int).to_numpy()]
        rows = rows.drop_duplicates(["person_id", "day"]).reset_index(drop=True)
        rows["unemployed"] = rows.status.isin(["unemployed", "laid_off_full"])
        u = rows[rows.unemployed].sort_values("day")
        u = pd.merge_asof(
            u[["person_id", "day"]],
            runs.sort_values("run_start"),
            left_on="day",
            right_on="run_start",
            by="person_id",
        )
        u["long_term"] = u.run_start <= u.day - pd.DateOffset(months=12)
        u["current"] = (u.day - u.run_start).dt.days + 1
        u["window"] = u.day - pd.DateOffset(months=16)
        w = (
            pd.merge_asof(
                u[["person_id", "window"]].reset_index().sort_values("window"),
                runs[["person_id", "run_start", "run_end", "days_before"]].sort_values("run_start"),
                left_on="window",
                right_on="run_start",
                by="person_id",
            )
            .set_index("index")
            .sort_index()
        )
        upto = (
            w.days_before + ((w[["window", "run_end"]].min(axis=1) - w.run_start).dt.days + 1).clip(lower=0)
        ).fillna(0)
        u["recurrent"] = ~u.long_term & ((u.days_before + u.current - upto) >= 365)
        u["after_service"] = (
            ~u.long_term & u.preceded_by_service & (u.run_start > u.day - pd.DateOffset(months=12))
        )
        rows = rows.merge(
            u[["person_id", "day", "long_term", "recurrent", "after_service"]],
            on=["person_id", "day"],
            how="left",
        )
        for c in ("long_term", "recurrent", "after_service"):
            rows[c] = rows[c].fillna(False).astype(bool)
        rows["service_to_service"] = (rows.status == "in_service") & rows.follows
        rows["structural"] = rows.long_term | rows.recurrent | rows.after_service | rows.service_to_service
        return rows

    def compute(self) -> tuple[Any, Any]:
        pd = self.pd
        rows = self.classify()
        results = []
        # month-end figures by municipality
        ev = rows.rename(columns={"day": "event_date"})[
            [
                "person_id",
                "event_date",
                "status",
                "unemployed",
                "long_term",
                "recurrent",
                "after_service",
                "service_to_service",
                "structural",
            ]
        ]
        ev["_event"] = np.arange(len(ev))
        ev["municipality_code"] = (
            self.covering(ev, self.f["residences"], "event_date", "municipality_code")
            .reindex(ev["_event"])
            .to_numpy()
        )
        persons = self.f["persons"].set_index("person_id")
        home = persons["home_municipality_code"].reindex(ev["person_id"]).to_numpy()
        ev["municipality_code"] = ev["municipality_code"].where(ev["municipality_code"].notna(), home)
        ev = ev[ev.municipality_code.isin(self.in_area)]
        birth = pd.Series(persons["birth_date"].reindex(ev["person_id"]).to_numpy(), index=ev.index)
        d = ev.event_date
        age = (
            d.dt.year
            - birth.dt.year
            - ((d.dt.month * 100 + d.dt.day) < (birth.dt.month * 100 + birth.dt.day))
        )
        measures = {
            "unemployed": ev.unemployed,
            "laid_off_full": ev.status == "laid_off_full",
            "shortened_week": ev.status == "shortened_week",
            "in_service": ev.status == "in_service",
            "long_term_unemployed": ev.long_term,
            "recurrently_unemployed": ev.recurrent,
            "unemployed_after_service": ev.after_service,
            "service_to_service": ev.service_to_service,
            "structurally_unemployed": ev.structural,
            "young_under_25": ev.unemployed & (age < 25),
            "young_under_area_limit": ev.unemployed & (age < self.youth),
        }
        me = []
        for name, mask in measures.items():
            sub = ev[mask]
            by_m = sub.groupby(["event_date", "municipality_code"])["person_id"].nunique().reset_index()
            total = (
                sub.groupby("event_date")["person_id"].nunique().reset_index().assign(municipality_code="*")
            )
            me.append(pd.concat([by_m, total]).assign(measure=name))
        month_end = pd.concat(me).rename(columns={"person_id": "persons"})
        month_end["month"] = month_end.event_date.dt.strftime("%Y-%m")

        # inflow over 3 months
        runs = self.runs
        inflow = runs[["person_id", "run_start", "run_end"]].rename(columns={"run_start": "event_date"})
        follow = inflow.event_date + pd.DateOffset(months=3)
        inflow = inflow.assign(outcome=inflow.run_end >= follow, observable=follow <= self.as_of)
        results.append(self._person("inflow_over_3_months", "", inflow, "percent"))

        # staying employed
        spells = self.f["spells"]
        exits = spells[spells.end_reason.isin(["employed_open_market"]) & spells.end_date.notna()][
            ["person_id", "end_date"]
        ]
        exits = exits.assign(service_line=None, priority=0)
        parts = self.f["participations"]
        ended = parts[parts.end_date.notna() & parts.outcome.isin(["completed", "interrupted"])]
        exits = pd.concat([exits, ended[["person_id", "end_date", "service_line"]].assign(priority=1)])
        exits = exits.sort_values(["person_id", "end_date", "priority"]).drop_duplicates(
            ["person_id", "end_date"]
        )
        exits = (
            exits.rename(columns={"end_date": "event_date"}).drop(columns="priority").reset_index(drop=True)
        )
        for variant, months in (("3m", 3), ("6m", 6)):
            ev2 = exits.copy()
            ev2["_event"] = np.arange(len(ev2))
            ev2["check"] = ev2.event_date + pd.DateOffset(months=months)
            ev2["outcome"] = self.employed_on(ev2, "check", list(KINDS))
            ev2["observable"] = ev2.check <= self.as_of
            results.append(self._person("staying_employed", variant, ev2.drop(columns="_event"), "percent"))

        # € per employed customer / per effective service
        cost = (
            parts[parts.end_date.notna()][["person_id", "service_line", "cost", "end_date"]]
            .rename(columns={"end_date": "event_date"})
            .reset_index(drop=True)
        )
        cost["_event"] = np.arange(len(cost))
        cost["until"] = cost.event_date + pd.DateOffset(months=3)
        cost["outcome"] = self.employed_within(
            cost, "event_date", "until", ["open_market", "apprenticeship", "self_employed"]
        )
        cost["observable"] = cost.until <= self.as_of
        cost["num"] = cost["cost"]
        for variant, den in (
            ("per_employed_customer", "outcome_persons"),
            ("per_effective_service", "outcome_events"),
        ):
            results.append(
                self._person(
                    "cost_per_employed", variant, cost.drop(columns="_event"), "ratio", denominator=den
                )
            )

        # special groups' employment rate
        special = ["immigrant", "partial_work_ability", "long_term_unemployed", "no_vocational_education"]
        cohort = rows[rows.unemployed & (rows.day >= self.since)][["person_id", "day", "long_term"]].rename(
            columns={"day": "event_date"}
        )
        dims = self.dims(cohort, long_term="long_term")
        dims = dims[dims[[f"g_{g}" for g in special]].any(axis=1)].copy()
        dims["until"] = dims.event_date + pd.DateOffset(months=6)
        dims["outcome"] = self.employed_within(dims, "event_date", "until", list(KINDS))
        dims["observable"] = dims.until <= self.as_of
        dims["num"], dims["den"] = dims.outcome.astype(float), 1.0
        results.append(
            self.aggregate(
                dims.rename(columns={"person_id": "unit_id"}),
                "special_groups_employment_rate",
                "",
                "percent",
                groups=special,
                once=True,
            )
        )

        # shortage occupations
        eps = (
            self.f["episodes"][["person_id", "isco4", "start_date"]]
            .rename(columns={"start_date": "event_date"})
            .reset_index(drop=True)
        )
        eps["_event"] = np.arange(len(eps))
        sp = eps.merge(spells[["person_id", "start_date", "end_date"]], on="person_id")
        ok = (sp.start_date <= sp.event_date) & (
            sp.end_date.isna() | (sp.end_date >= sp.event_date - pd.Timedelta(days=90))
        )
        eps = eps[eps._event.isin(sp.loc[ok, "_event"])]
        lists = self.f["shortage"]
        editions = np.sort(lists.valid_from.unique())
        idx = np.searchsorted(editions, eps.event_date.to_numpy(), side="right") - 1
        eps = eps.assign(edition=editions[np.clip(idx, 0, None)])
        on_list = eps.merge(
            lists[["isco4", "valid_from"]], left_on=["isco4", "edition"], right_on=["isco4", "valid_from"]
        )
        eps["outcome"] = eps._event.isin(on_list._event)
        eps["observable"] = eps.event_date <= self.as_of
        results.append(
            self._person(
                "employed_to_shortage_occupations",
                "",
                eps.drop(columns=["_event", "isco4", "edition"]),
                "percent",
            )
        )

        # Work in Finland leads and survey means
        events = self.f["employer_events"]
        leads = events[events.kind == "work_in_finland_lead"].reset_index(drop=True)
        leads = leads.assign(
            unit_id=np.arange(len(leads)), service_line=None, num=1.0, den=1.0, outcome=True, observable=True
        )
        results.append(
            self.aggregate(
                leads,
                "work_in_finland_leads",
                "",
                "count",
                slices=((False, False, False), (True, False, False)),
            )
        )
        survey = self.f["survey"]
        for kind in ("accessibility", "customer_experience", "vitality_barometer", "staff_experience"):
            s = (
                survey[survey.survey_kind == kind]
                .rename(columns={"response_date": "event_date"})
                .reset_index(drop=True)
            )
            s = s.assign(unit_id=np.arange(len(s)), num=s.score, den=1.0, outcome=True, observable=True)
            results.append(
                self.aggregate(
                    s,
                    kind,
                    "",
                    "mean",
                    slices=((False, False, False), (True, False, False), (False, False, True)),
                )
            )
        return pd.concat(results, ignore_index=True), month_end.drop(columns="event_date")

    def _person(self, indicator: str, variant: str, ev: Any, kind: str, denominator: str = "den") -> Any:
        ev = ev.copy()
        ev["num"] = ev["num"] if "num" in ev else ev["outcome"].astype(float)
        ev["den"] = 1.0
        dims = self.dims(ev)
        return self.aggregate(
            dims.rename(columns={"person_id": "unit_id"}), indicator, variant, kind, denominator=denominator
        )


# ------------------------------------------------------------------------------------------------ driver


def child(implementation: str, data: Path, scale: str) -> None:
    result = run_polars(data, scale) if implementation == "polars" else run_pandas(data, scale)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(
    implementation: str, data: Path, scale: str, memory_gb: float, timeout: float
) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

    def limit() -> None:  # a child that needs more memory than this fails instead of swapping the machine
        size = int(memory_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    try:
        done = subprocess.run(  # noqa: S603 — our own script
            [sys.executable, __file__, "--child", implementation, "--data", str(data), "--scale", scale],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            preexec_fn=limit,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(a: dict[str, list[float]], b: dict[str, list[float]]) -> tuple[int, int, list[str]]:
    common = sorted(set(a) & set(b))
    differing = [
        k
        for k in common
        if any(abs(x - y) > 1e-6 * max(1.0, abs(x)) for x, y in zip(a[k], b[k], strict=False))
    ]
    return len(common), len(differing), differing[:5]


def demo_rebuild(path: Path) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from alue.area.config import load_area
    from alue.scorecard.facts import rebuild
    from alue.shared.db import make_engine

    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        report = rebuild(
            session=session, area=load_area("satakunta", data_dir=ROOT.parent / "shared" / "data"), full=True
        )
        session.rollback()
    return report.as_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="satakunta,national")
    parser.add_argument("--keep", type=Path, help="keep the generated Parquet inputs in this directory")
    parser.add_argument(
        "--demo-db", type=Path, help="also time a full rebuild of this (demo) SQLite database"
    )
    parser.add_argument("--memory-gb", type=float, default=14.0, help="address-space limit of each child")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed for each child")
    parser.add_argument("--reuse", action="store_true", help="use inputs already in --keep")
    parser.add_argument("--child", choices=["polars", "pandas"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--scale")
    parser.add_argument(
        "--implementations",
        default="polars,pandas",
        help="which to run (polars only at national scale: pandas would need ~18 GB; see national-sample)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.scale)
        return
    print(
        f"scorecard benchmark — {os.cpu_count()} CPU(s), polars {pl.__version__}; INPUTS GENERATED WITH NUMPY"
    )
    print(f"facts for {SINCE.isoformat()} … {AS_OF.isoformat()} (months, quarters, years; 5 slices)\n")
    if args.demo_db:
        print(f"demo database {args.demo_db}: full rebuild {json.dumps(demo_rebuild(args.demo_db))}\n")
    base = args.keep or Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    for scale in args.scales.split(","):
        data = base / scale
        started = time.perf_counter()
        reused = args.reuse and (data / "persons.parquet").exists()
        if reused:
            sizes = {
                p.stem: pl.scan_parquet(p).select(pl.len()).collect().item() for p in data.glob("*.parquet")
            }
        else:
            sizes = generate(scale, data)
        events = sizes["periods"] + sizes["participations"]
        print(
            f"[{scale}] {'reused' if reused else f'generated in {time.perf_counter() - started:.1f} s'}: "
            f"{sizes['persons']:,} persons, "
            f"{sizes['periods']:,} status periods + {sizes['participations']:,} participations = "
            f"{events:,} status and service events; {sizes['spells']:,} spells, "
            f"{sizes['episodes']:,} employment episodes"
        )
        results = {
            impl: run_child(impl, data, scale, args.memory_gb, args.timeout)
            for impl in args.implementations.split(",")
        }
        print(
            f"{'':10}{'load s':>9}{'compute s':>11}{'write s':>9}{'total s':>9}{'CPU s':>8}"
            f"{'peak MB':>9}{'rows':>11}"
        )
        for impl, r in results.items():
            if "error" in r:
                print(f"{impl:10}failed: {r['error']}")
                continue
            t = r["times"]
            print(
                f"{impl:10}{t['load']:9.2f}{t['compute']:11.2f}{t['write']:9.2f}{t['total']:9.2f}{r['cpu']:8.1f}"
                f"{r['max_rss_mb']:9.0f}{r['rows']:11,}"
            )
        if len(results) == 2 and all("error" not in r for r in results.values()):
            p, q = results["polars"], results["pandas"]
            n, bad, sample = compare(p["checks"], q["checks"])
            print(
                f"speed-up (pandas ÷ polars): compute {q['times']['compute'] / p['times']['compute']:.1f}×, "
                f"total {q['times']['total'] / p['times']['total']:.1f}×; polars also ran disclosure control "
                f"({p['suppressed']:,} cells suppressed)"
            )
            print(
                f"cross-check on {n:,} area cells (numerator, denominator, persons): {bad} differ {sample}\n"
            )
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
