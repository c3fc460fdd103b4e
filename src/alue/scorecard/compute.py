"""Compute every indicator of the strategy from the platform's own data (polars, vectorised).

Each computation turns the inputs into *events* — one row per spell start, exit, ended service, count day,
employment, survey answer … — with the date that places it in a period, its contribution to the numerator
and the denominator, whether it had the outcome, and whether it can yet be observed (its follow-up window
has ended by ``as_of``). :func:`aggregate` then sums the events into fact rows for every month, quarter and
year and every slice (area, municipality, customer group, service line, municipality × group).

The definitions are in ``alue/scorecard/indicators/<area>.yaml`` and ``docs/indicators.md``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from alue.area.rules import RuleBook, RuleError, load_rules
from alue.people.models import EducationLevel, Status
from alue.people.statistics import Thresholds
from alue.scorecard.definitions import Definitions, Indicator
from alue.scorecard.inputs import Inputs
from alue.scorecard.models import ALL
from alue.scorecard.periods import KINDS, Period
from alue.scorecard.timelines import OPEN_END, UNEMPLOYED, classify, merge_ranges
from alue.shared.time import iter_months, last_working_day_of_month

NO_VOCATIONAL = [level.value for level in EducationLevel if not level.vocational]
LAID_OFF = [Status.LAID_OFF_FULL.value, Status.SHORTENED_WEEK.value]

#: The slices every person-based indicator is stored for: (municipality, customer group, service line).
SLICES: tuple[tuple[bool, bool, bool], ...] = (
    (False, False, False),  # the whole area
    (True, False, False),  # by municipality
    (False, True, False),  # by customer group
    (False, False, True),  # by service line
    (True, True, False),  # municipality × customer group (drill-down)
)

FACT_SCHEMA: dict[str, Any] = {
    "indicator_id": pl.String,
    "variant": pl.String,
    "period": pl.String,
    "period_kind": pl.String,
    "municipality_code": pl.String,
    "customer_group": pl.String,
    "service_line": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "events": pl.Int64,
    "persons": pl.Int64,
    "outcome_persons": pl.Int64,
    "unit": pl.String,
    "complete": pl.Boolean,
    "note": pl.String,
}

MONTH_END_MEASURES = (
    "unemployed",
    "laid_off_full",
    "shortened_week",
    "in_service",
    "long_term_unemployed",
    "recurrently_unemployed",
    "unemployed_after_service",
    "service_to_service",
    "structurally_unemployed",
    "young_under_25",
    "young_under_area_limit",
)


@dataclass
class Context:
    """What a computation needs besides the inputs."""

    definitions: Definitions
    as_of: dt.date
    #: the first day whose periods are (re)computed; earlier facts are kept as they are
    since: dt.date
    rules: RuleBook | None = None
    _cache: dict[Any, Any] = field(default_factory=dict)
    _building: dict[Any, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def once(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, cached under ``key`` for the whole computation. Indicators computed in several threads
        share it: a second thread asking for a key being built waits for it instead of building it again.
        (A build may ask for other keys, never for one whose build asks for it: shared events and cells ask
        for range tables, persons and rules, and these for nothing.)"""
        with self._guard:
            if key in self._cache:
                return self._cache[key]
            lock = self._building.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    @property
    def in_area(self) -> list[str]:
        return self.definitions.area.codes

    @property
    def area_youth_limit(self) -> int:
        return self.definitions.area.file.youth_age_limit

    def rule_book(self) -> RuleBook | None:
        if self.rules is not None:
            return self.rules

        def load() -> RuleBook | None:
            try:
                return load_rules(self.definitions.area.key)
            except RuleError:
                return None

        return self.once("rules", load)

    def rule_value(self, rule_id: str, day: dt.date, default: int) -> int:
        book = self.rule_book()
        if book is None:
            return default
        try:
            return int(book.value(rule_id, day))
        except (RuleError, LookupError):
            return default

    def long_term_months(self, day: dt.date) -> int:
        book = self.rule_book()
        try:
            return Thresholds.on(day, book).long_term_months if book is not None else 12
        except (RuleError, LookupError):
            return 12


# ------------------------------------------------------------------------------------------- helpers


#: Packed as-of keys: ``by × _DAYS + (days since 1970 + _DAY_OFFSET)`` — one sorted 64-bit column, so that
#: the as-of join is a single merge instead of one search per ``by`` group (several times faster).
_DAYS = 1 << 18
_DAY_OFFSET = 1 << 16


def _packed(by: str, day: str) -> pl.Expr:
    return pl.col(by).cast(pl.Int64) * _DAYS + (pl.col(day).cast(pl.Int32).cast(pl.Int64) + _DAY_OFFSET)


def prepare_ranges(right: pl.DataFrame, *, by: str = "person_id") -> pl.DataFrame:
    """A range table ready for :func:`_covering`: renamed and sorted by its packed (``by``, start) key (do it
    once, use it often)."""
    payload = [c for c in right.columns if c not in (by, "start_date", "end_date")]
    return (
        right.filter(pl.col(by).is_not_null() & pl.col("start_date").is_not_null())
        .select(
            _k=_packed(by, "start_date"),
            _by=pl.col(by).cast(pl.Int64),
            _end=pl.col("end_date"),
            **{f"_p_{c}": pl.col(c) for c in payload},
        )
        .sort("_k")
    )


def _covering(
    left: pl.DataFrame, right: pl.DataFrame, day: str, *, by: str = "person_id", prepared: bool = False
) -> pl.DataFrame:
    """Add to each row of ``left`` the columns of the latest-starting row of ``right`` (same ``by``) that
    covers ``left[day]``. ``right`` has ``start_date`` / ``end_date`` (null = open) and payload columns (or
    is the result of :func:`prepare_ranges` with ``prepared=True``); rows without a covering row get nulls.
    Ranges of one ``by`` are assumed not to overlap. Rows come back in the order of ``left`` sorted (stably)
    by day — unchanged when ``left`` is sorted by day."""
    return _covering_many(left, [right if prepared else prepare_ranges(right, by=by)], day, by=by)


def _covering_many(
    left: pl.DataFrame, rights: list[pl.DataFrame], day: str, *, by: str = "person_id"
) -> pl.DataFrame:
    """:func:`_covering` with several prepared range tables (their payload columns distinct): the rows of
    ``left`` are keyed and sorted once for all of them."""
    ordered = left.sort(day, maintain_order=True).with_row_index("_row")
    joined = ordered.with_columns(_lk=_packed(by, day)).sort("_lk", nulls_last=True)
    for r in rights:
        payload = [c[3:] for c in r.columns if c.startswith("_p_")]
        joined = joined.join_asof(r, left_on="_lk", right_on="_k", check_sortedness=False)
        covered = (
            pl.col("_k").is_not_null()
            & pl.col(day).is_not_null()
            & (pl.col("_by") == pl.col(by).cast(pl.Int64))
            & (pl.col("_end").is_null() | (pl.col("_end") >= pl.col(day)))
        )
        joined = joined.with_columns(
            [pl.when(covered).then(pl.col(f"_p_{c}")).alias(c) for c in payload]
        ).drop(["_k", "_by", "_end", *[f"_p_{c}" for c in payload]])
    return joined.sort("_row").drop("_row", "_lk")


def _ranges(ctx: Context, name: str, build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """A prepared range table, kept for the whole computation."""
    key = ("ranges", name)
    return ctx.once(key, lambda: prepare_ranges(build()))


def _date_number(column: str) -> pl.Expr:
    """The date as the number YYYYMMDD: the difference of two such numbers, in ten thousands, is the age in
    completed years (a birthday on 29 February is reached on 1 March in common years)."""
    d = pl.col(column)
    # month and day are Int8 in polars: widen before multiplying
    return d.dt.year().cast(pl.Int32) * 10_000 + d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)


def _age(born: str, day: str) -> pl.Expr:
    """Age in completed years on ``day`` (a date column) of a person born on ``born`` (a date number)."""
    return (_date_number(day) - pl.col(born)) // 10_000


def _persons(inputs: Inputs, ctx: Context) -> pl.DataFrame:
    """The persons with their birth day as a date number (``_born``), built once per computation."""
    return ctx.once(
        "persons",
        lambda: inputs.persons.select(
            "person_id", "home_municipality_code", "education_level", _born=_date_number("birth_date")
        ),
    )


def _flag(frame: pl.DataFrame, hits: pl.DataFrame, name: str) -> pl.DataFrame:
    """Add boolean ``name``: whether the row's ``_event`` is among ``hits``."""
    flagged = hits.select("_event").unique().with_columns(pl.lit(True).alias(name))
    return frame.join(flagged, on="_event", how="left").with_columns(pl.col(name).fill_null(False))


def with_employment_within(
    events: pl.DataFrame,
    episodes: pl.DataFrame,
    *,
    after: str,
    until: str,
    kinds: list[str],
    name: str = "outcome",
) -> pl.DataFrame:
    """Add ``name``: an employment episode of ``kinds`` covered some day in (after, until]."""
    eps = episodes.filter(pl.col("kind").is_in(kinds)).select(
        "person_id", ep_start="start_date", ep_end=pl.col("end_date").fill_null(OPEN_END)
    )
    hits = (
        events.select("_event", "person_id", after, until)
        .join(eps, on="person_id", how="inner")
        .filter((pl.col("ep_start") <= pl.col(until)) & (pl.col("ep_end") > pl.col(after)))
    )
    return _flag(events, hits, name)


def with_employment_on(
    events: pl.DataFrame, episodes: pl.DataFrame, *, day: str, kinds: list[str], name: str = "outcome"
) -> pl.DataFrame:
    """Add ``name``: an employment episode of ``kinds`` was in force on ``day``."""
    eps = episodes.filter(pl.col("kind").is_in(kinds)).select(
        "person_id", ep_start="start_date", ep_end=pl.col("end_date").fill_null(OPEN_END)
    )
    hits = (
        events.select("_event", "person_id", day)
        .join(eps, on="person_id", how="inner")
        .filter((pl.col("ep_start") <= pl.col(day)) & (pl.col("ep_end") >= pl.col(day)))
    )
    return _flag(events, hits, name)


GROUP_PREFIX = "g_"


def group_column(name: str) -> str:
    return f"{GROUP_PREFIX}{name}"


def group_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith(GROUP_PREFIX)]


def _residence(probe: pl.DataFrame, residences: pl.DataFrame) -> pl.Series:
    """The municipality of residence on each probe row's date (null without a residence row), in probe order.

    Only people who have residence rows at all (those who have moved) need the as-of join."""
    movers = residences.get_column("person_id").unique()
    indexed = probe.with_row_index("_probe_row")
    subset = indexed.filter(pl.col("person_id").is_in(movers.implode()))
    if subset.height == 0:
        return pl.Series("municipality_code", [None] * probe.height, dtype=pl.String)
    found = _covering(
        subset, residences.select("person_id", "municipality_code", "start_date", "end_date"), "event_date"
    ).select("_probe_row", "municipality_code")
    return (
        indexed.select("_probe_row")
        .join(found, on="_probe_row", how="left", maintain_order="left")
        .get_column("municipality_code")
    )


def attach_dimensions(
    events: pl.DataFrame,
    inputs: Inputs,
    ctx: Context,
    *,
    groups: bool = True,
    lines: bool = True,
    long_term: str | None = None,
    status: str | None = None,
) -> pl.DataFrame:
    """Add ``municipality_code`` (residence on the event date, else the home municipality),
    ``service_line`` (kept when given, else the responsible worker's line on the date) and one boolean
    column ``g_<group>`` per customer group of the definitions (membership on the date).

    ``events`` has ``_event``, ``person_id``, ``event_date``; rows come back sorted by ``event_date``.
    ``long_term`` and ``status`` name columns that already hold whether the person is long-term unemployed
    and their status on the date (saving a look-up).
    """
    base = events.sort("event_date")
    probe = base.select("person_id", "event_date")
    residence = _residence(probe, inputs.residences)
    persons = probe.join(
        _persons(inputs, ctx),
        on="person_id",
        how="left",
        maintain_order="left",
    )
    result = base.drop([c for c in ("municipality_code",) if c in base.columns]).with_columns(
        municipality_code=pl.coalesce(residence, persons.get_column("home_municipality_code"))
    )
    wanted = ctx.definitions.customer_groups
    # the range tables looked up on the event date, all in one pass over the probe
    rights = []
    if lines:
        rights.append(
            _ranges(
                ctx,
                "assignments",
                lambda: inputs.assignments.select("person_id", "service_line", "start_date", "end_date"),
            )
        )
    if groups and "laid_off" in wanted and status is None:
        rights.append(
            _ranges(
                ctx, "periods", lambda: inputs.periods.select("person_id", "status", "start_date", "end_date")
            )
        )
    if groups and "long_term_unemployed" in wanted and long_term is None:
        rights.append(
            _ranges(
                ctx,
                "runs",
                lambda: merge_ranges(inputs.periods.filter(pl.col("status").is_in(UNEMPLOYED))).select(
                    "person_id", start_date="run_start", end_date="run_end", run_start="run_start"
                ),
            )
        )
    covered = _covering_many(probe, rights, "event_date") if rights else probe
    if lines:
        line = covered.get_column("service_line")
        if "service_line" in result.columns:
            result = result.with_columns(service_line=pl.coalesce(pl.col("service_line"), line))
        else:
            result = result.with_columns(service_line=line)
    if not groups:
        return result
    flags: dict[str, pl.Series | pl.Expr] = {}
    recorded = inputs.groups.filter(pl.col("group").is_in(wanted))
    if recorded.height:
        hits = (
            base.select("_event", "person_id", "event_date")
            .join(recorded, on="person_id", how="inner")
            .filter(
                (pl.col("start_date") <= pl.col("event_date"))
                & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("event_date")))
            )
            .select("_event", "group")
        )
        for name in hits.get_column("group").unique().to_list():
            ids = hits.filter(pl.col("group") == name).get_column("_event")
            flags[name] = pl.col("_event").is_in(ids.implode())
    if "young" in wanted:
        age = _age_of(persons.get_column("_born"), probe.get_column("event_date"))
        flags["young"] = pl.lit(age < ctx.area_youth_limit)
    if "no_vocational_education" in wanted:
        flags["no_vocational_education"] = pl.lit(persons.get_column("education_level").is_in(NO_VOCATIONAL))
    if "laid_off" in wanted:
        if status is not None:
            flags["laid_off"] = pl.col(status).is_in(LAID_OFF)
        else:
            on_day = covered.get_column("status")
            flags["laid_off"] = pl.lit(on_day.is_in(LAID_OFF).fill_null(False))
    if "long_term_unemployed" in wanted:
        if long_term is not None:
            flags["long_term_unemployed"] = pl.col(long_term)
        else:
            months = ctx.long_term_months(ctx.as_of)
            run_start = covered.get_column("run_start")
            flags["long_term_unemployed"] = pl.lit(
                (run_start <= probe.get_column("event_date").dt.offset_by(f"-{months}mo")).fill_null(False)
            )
    return result.with_columns(
        [(flags[g] if g in flags else pl.lit(False)).fill_null(False).alias(group_column(g)) for g in wanted]
    )


def _age_of(born: pl.Series, day: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"b": born, "d": day})
    return frame.select(_age("b", "d")).to_series()


def _events(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index("_event")


def _period_columns(date: str) -> list[pl.Expr]:
    d = pl.col(date)
    return [
        d.dt.strftime("%Y-%m").alias("month"),
        pl.format("{}-Q{}", d.dt.year(), d.dt.quarter()).alias("quarter"),
        d.dt.year().cast(pl.String).alias("year"),
    ]


# ----------------------------------------------------------------------------------------- aggregation


def aggregate(
    events: pl.DataFrame,
    ctx: Context,
    *,
    indicator_id: str,
    variant: str,
    value_kind: str,
    unit: str,
    note: str = "",
    groups: list[str] | None = None,
    slices: tuple[tuple[bool, bool, bool], ...] = SLICES,
    once_per_period: bool = False,
    denominator: str = "denominator",
    share: tuple[Any, ...] | None = None,
) -> pl.DataFrame:
    """Sum events into fact rows.

    ``events`` columns: ``unit_id`` (the person, answer, employer … the event is about), ``event_date``,
    ``municipality_code``, ``service_line``, ``g_<group>`` (booleans), ``num``, ``den``, ``outcome`` (bool),
    ``observable`` (bool). Only observable events count; a cell with unobservable events is incomplete.
    ``once_per_period`` keeps each unit's first event of a period only. ``denominator`` picks what the
    value divides by: the summed ``den``, ``outcome_persons`` or ``outcome_events``. Variants that differ
    only in the denominator pass the same ``share`` key: their cells are summed once.
    """

    def build() -> pl.DataFrame | None:
        return _cells(events, ctx, groups=groups, slices=slices, once_per_period=once_per_period)

    facts = ctx.once(("cells", share), build) if share is not None else build()
    if facts is None:
        return pl.DataFrame(schema=FACT_SCHEMA)
    if denominator == "outcome_persons":
        facts = facts.with_columns(denominator=pl.col("outcome_persons").cast(pl.Float64))
    elif denominator == "outcome_events":
        facts = facts.with_columns(denominator=pl.col("outcome_events").cast(pl.Float64))
    safe = pl.when(pl.col("denominator") > 0)
    value = {
        "percent": safe.then(100.0 * pl.col("numerator") / pl.col("denominator")),
        "ratio": safe.then(pl.col("numerator") / pl.col("denominator")),
        "mean": safe.then(pl.col("numerator") / pl.col("denominator")),
        "count": pl.col("numerator"),
    }[value_kind]
    return facts.with_columns(
        indicator_id=pl.lit(indicator_id),
        variant=pl.lit(variant),
        value=value.cast(pl.Float64),
        unit=pl.lit(unit),
        complete=pl.col("pending") == 0,
        note=pl.lit(note),
    ).select(list(FACT_SCHEMA))


def _cells(
    events: pl.DataFrame,
    ctx: Context,
    *,
    groups: list[str] | None,
    slices: tuple[tuple[bool, bool, bool], ...],
    once_per_period: bool,
) -> pl.DataFrame | None:
    """The cells of ``aggregate`` with their sums and distinct units (None when no event counts)."""
    ev = events.filter(
        (pl.col("municipality_code").is_in(ctx.in_area) | pl.col("municipality_code").is_null())
        & (pl.col("event_date") >= ctx.since)
        & (pl.col("event_date") <= max(ctx.as_of, ctx.since))
    )
    if ev.height == 0:
        return None
    allowed = groups if groups is not None else ctx.definitions.customer_groups
    present = [g for g in allowed if group_column(g) in ev.columns]
    # Every dimension becomes a small integer and a cell's key one 64-bit integer: grouping on it is many
    # times faster than on five text columns. Index 0 stands for "all" (*).
    codes = [ALL, *ctx.in_area]
    lines = [ALL, *sorted(v for v in ev.get_column("service_line").unique().to_list() if v is not None)]
    group_names = [ALL, *present]
    d = pl.col("event_date")
    ev = ev.select(
        "unit_id",
        _m=pl.col("municipality_code").cast(pl.Enum(codes)).to_physical().cast(pl.UInt64),
        _l=pl.col("service_line").cast(pl.Enum(lines)).to_physical().cast(pl.UInt64),
        _n=pl.col("num").fill_null(0) * pl.col("observable"),
        _d=pl.col("den").fill_null(0) * pl.col("observable"),
        _o=pl.col("outcome") & pl.col("observable"),
        observable="observable",
        month=(d.dt.year().cast(pl.UInt64) * 12 + d.dt.month().cast(pl.UInt64) - 1),
        quarter=(d.dt.year().cast(pl.UInt64) * 4 + d.dt.quarter().cast(pl.UInt64) - 1),
        year=d.dt.year().cast(pl.UInt64),
        _date=d,
        **{f"_g{i}": pl.col(group_column(g)) for i, g in enumerate(present, start=1)},
    )
    kind_index = {kind: i for i, kind in enumerate(KINDS)}
    if once_per_period:
        ev = ev.sort("unit_id", "_date")
        new_unit = pl.col("unit_id") != pl.col("unit_id").shift(1, fill_value=-1)
    parts: list[pl.LazyFrame] = []
    for kind in KINDS:
        per = ev.lazy()
        if once_per_period:
            # each unit's first event of the period (rows are sorted by unit and date)
            per = per.filter(new_unit | (pl.col(kind) != pl.col(kind).shift(1)))
        base = pl.lit(kind_index[kind], dtype=pl.UInt64) * (1 << 56) + pl.col(kind) * (1 << 32)
        for by_m, by_g, by_l in slices:
            if by_g and not present:
                continue
            frame = per
            if by_m:
                frame = frame.filter(pl.col("_m").is_not_null())
            if by_l:
                frame = frame.filter(pl.col("_l").is_not_null())
            key = base
            if by_m:
                key = key + pl.col("_m") * (1 << 16)
            if by_l:
                key = key + pl.col("_l")
            columns = ["unit_id", "_n", "_d", "_o", "observable"]
            if by_g:
                parts.extend(
                    frame.filter(pl.col(f"_g{i}")).select(*columns, _key=key + i * (1 << 8))
                    for i in range(1, len(present) + 1)
                )
            else:
                parts.append(frame.select(*columns, _key=key))
    if not parts:
        return pl.DataFrame(schema=FACT_SCHEMA)
    # one aggregation per slice (cheaper than one over all slices stacked), run together
    cells = pl.concat(
        pl.collect_all(
            [
                part.group_by("_key").agg(
                    numerator=pl.col("_n").sum().cast(pl.Float64),
                    denominator=pl.col("_d").sum().cast(pl.Float64),
                    events=pl.col("observable").sum().cast(pl.Int64),
                    persons=pl.col("unit_id").filter(pl.col("observable")).n_unique().cast(pl.Int64),
                    outcome_persons=pl.col("unit_id").filter(pl.col("_o")).n_unique().cast(pl.Int64),
                    outcome_events=pl.col("_o").sum().cast(pl.Int64),
                    pending=(~pl.col("observable")).sum().cast(pl.Int64),
                )
                for part in parts
            ],
            engine="in-memory",
        )
    )
    kind_code = (pl.col("_key") // (1 << 56)).cast(pl.UInt32)
    period = (pl.col("_key") // (1 << 32)) % (1 << 24)
    facts = (
        cells.with_columns(
            period_kind=kind_code.replace_strict(
                list(range(len(KINDS))), list(KINDS), return_dtype=pl.String
            ),
            _p=period.cast(pl.Int64),
            municipality_code=((pl.col("_key") // (1 << 16)) % (1 << 16))
            .cast(pl.UInt32)
            .replace_strict(list(range(len(codes))), codes, return_dtype=pl.String),
            customer_group=((pl.col("_key") // (1 << 8)) % (1 << 8))
            .cast(pl.UInt32)
            .replace_strict(list(range(len(group_names))), group_names, return_dtype=pl.String),
            service_line=(pl.col("_key") % (1 << 8))
            .cast(pl.UInt32)
            .replace_strict(list(range(len(lines))), lines, return_dtype=pl.String),
        )
        .with_columns(
            period=pl.when(pl.col("period_kind") == "month")
            .then(
                pl.format("{}-{}", pl.col("_p") // 12, ((pl.col("_p") % 12) + 1).cast(pl.String).str.zfill(2))
            )
            .when(pl.col("period_kind") == "quarter")
            .then(pl.format("{}-Q{}", pl.col("_p") // 4, (pl.col("_p") % 4) + 1))
            .otherwise(pl.col("_p").cast(pl.String))
        )
        .drop("_key", "_p")
    )
    return facts


# ------------------------------------------------------------------------------------- computations


def inflow_events(inputs: Inputs, ctx: Context, params: dict[str, Any]) -> pl.DataFrame:
    """Unemployment spells starting, and whether each still runs ``months`` later."""
    months = int(params.get("months", 3))
    unemployed = inputs.periods.filter(pl.col("status").is_in(UNEMPLOYED))
    if params.get("service_ends_spell", True):
        spells = merge_ranges(unemployed)
    else:
        blocks = merge_ranges(
            inputs.periods.filter(pl.col("status").is_in([*UNEMPLOYED, Status.IN_SERVICE.value]))
        )
        firsts = (
            unemployed.select("person_id", "start_date")
            .sort("start_date")
            .join_asof(
                blocks.sort("run_start"),
                left_on="start_date",
                right_on="run_start",
                by="person_id",
                check_sortedness=False,
            )
            .group_by("person_id", "run_start")
            .agg(first_unemployed=pl.col("start_date").min(), run_end=pl.col("run_end").first())
        )
        spells = firsts.select("person_id", run_start="first_unemployed", run_end="run_end")
    follow = pl.col("run_start").dt.offset_by(f"{months}mo")
    events = spells.select(
        "person_id",
        event_date="run_start",
        follow_up=follow,
        outcome=pl.col("run_end") >= follow,
    )
    return events.with_columns(
        num=pl.col("outcome").cast(pl.Float64), den=pl.lit(1.0), observable=pl.col("follow_up") <= ctx.as_of
    )


def exit_events(inputs: Inputs, ctx: Context, params: dict[str, Any]) -> pl.DataFrame:
    """Exits to the open labour market (spell end reasons) and ended services, one per person and day."""
    reasons = list(params.get("exit_reasons", ["employed_open_market"]))
    parts = [
        inputs.spells.filter(pl.col("end_reason").is_in(reasons) & pl.col("end_date").is_not_null()).select(
            "person_id", event_date="end_date", service_line=pl.lit(None, dtype=pl.String), priority=pl.lit(0)
        )
    ]
    if params.get("include_service_ends", True):
        outcomes = list(params.get("service_outcomes", ["completed", "interrupted"]))
        parts.append(
            inputs.participations.filter(
                pl.col("end_date").is_not_null() & pl.col("outcome").is_in(outcomes)
            ).select("person_id", event_date="end_date", service_line="service_line", priority=pl.lit(1))
        )
    exits = pl.concat(parts).sort("person_id", "event_date", "priority")
    return exits.unique(subset=["person_id", "event_date"], keep="first", maintain_order=True).drop(
        "priority"
    )


def staying_employed_events(inputs: Inputs, ctx: Context, params: dict[str, Any]) -> pl.DataFrame:
    months = int(params["months"])
    kinds = list(params.get("employment_kinds", ["open_market"]))
    exits = _events(exit_events(inputs, ctx, params)).with_columns(
        check=pl.col("event_date").dt.offset_by(f"{months}mo")
    )
    exits = with_employment_on(exits, inputs.episodes, day="check", kinds=kinds)
    return exits.with_columns(
        num=pl.col("outcome").cast(pl.Float64), den=pl.lit(1.0), observable=pl.col("check") <= ctx.as_of
    ).drop("_event")


def cost_events(inputs: Inputs, ctx: Context, params: dict[str, Any]) -> pl.DataFrame:
    window = int(params.get("window_months", 3))
    kinds = list(params.get("employment_kinds", ["open_market"]))
    ended = _events(
        inputs.participations.filter(pl.col("end_date").is_not_null()).select(
            "person_id", "service_line", "cost", event_date="end_date"
        )
    ).with_columns(until=pl.col("event_date").dt.offset_by(f"{window}mo"))
    ended = with_employment_within(ended, inputs.episodes, after="event_date", until="until", kinds=kinds)
    return ended.with_columns(
        num=pl.col("cost").fill_null(0.0), den=pl.lit(1.0), observable=pl.col("until") <= ctx.as_of
    ).drop("_event", "cost")


def count_days(ctx: Context, first: dt.date) -> list[dt.date]:
    """The statistics' count days (last working day of each month) from ``first`` up to ``as_of``."""
    days = [last_working_day_of_month(y, m) for y, m in iter_months(first, ctx.as_of)]
    return [d for d in days if d <= ctx.as_of]


def month_end_rows(inputs: Inputs, ctx: Context) -> pl.DataFrame:
    """The classification of every person on every count day since ``ctx.since`` (cached per context)."""

    def build() -> pl.DataFrame:
        days = count_days(ctx, ctx.since)
        rows = classify(inputs.periods, days, rules=ctx.rule_book())
        return rows.filter(pl.col("status").is_in([*UNEMPLOYED, *LAID_OFF, Status.IN_SERVICE.value]))

    return ctx.once("month_end", build)


def special_group_events(inputs: Inputs, ctx: Context, params: dict[str, Any]) -> pl.DataFrame:
    window = int(params.get("window_months", 6))
    kinds = list(params.get("employment_kinds", ["open_market"]))
    special = list(params["groups"])
    rows = month_end_rows(inputs, ctx).filter(pl.col("unemployed") & (pl.col("day") >= ctx.since))
    # keep only the count days on which the person is in a special group at all (cheap tests first)
    persons = _persons(inputs, ctx).select("person_id", "_born", "education_level")
    rows = rows.select("person_id", "status", "day", "long_term_unemployed").join(
        persons, on="person_id", how="left"
    )
    maybe = pl.lit(False)
    if "long_term_unemployed" in special:
        maybe = maybe | pl.col("long_term_unemployed")
    if "no_vocational_education" in special:
        maybe = maybe | pl.col("education_level").is_in(NO_VOCATIONAL)
    if "laid_off" in special:
        maybe = maybe | pl.col("status").is_in(LAID_OFF)
    if "young" in special:
        maybe = maybe | (_age("_born", "day") < ctx.area_youth_limit)
    recorded = inputs.groups.filter(pl.col("group").is_in(special))
    if recorded.height:
        maybe = maybe | pl.col("person_id").is_in(recorded.get_column("person_id").unique().implode())
    rows = rows.filter(maybe)
    cohort = _events(rows.select("person_id", "status", event_date="day", long_term="long_term_unemployed"))
    # the long-term group and the status on a count day are the classification's own
    dims = attach_dimensions(cohort, inputs, ctx, long_term="long_term", status="status")
    dims = dims.filter(pl.any_horizontal([pl.col(group_column(g)) for g in special]))
    dims = dims.with_columns(until=pl.col("event_date").dt.offset_by(f"{window}mo"))
    dims = with_employment_within(dims, inputs.episodes, after="event_date", until="until", kinds=kinds)
    return dims.with_columns(
        num=pl.col("outcome").cast(pl.Float64), den=pl.lit(1.0), observable=pl.col("until") <= ctx.as_of
    )


def shortage_list(inputs: Inputs, basis: str) -> tuple[pl.DataFrame, str]:
    """The shortage editions to use and a note saying which; ``basis`` is barometer, derived or auto."""
    lists = inputs.shortage
    if basis == "auto":
        basis = "barometer" if lists.filter(pl.col("basis") == "barometer").height else "derived"
    chosen = lists.filter(pl.col("basis") == basis)
    if chosen.height == 0:
        return chosen, "no shortage list loaded"
    editions = chosen.select("valid_from", "valid_to").unique().sort("valid_from")
    first, last = editions.row(0), editions.row(-1)
    sources = ", ".join(sorted(set(chosen.get_column("source").to_list())))[:160]
    note = f"{basis} list, {editions.height} edition(s) {first[0]}–{last[1]}; {sources}"
    return chosen, note


def shortage_events(inputs: Inputs, ctx: Context, params: dict[str, Any]) -> tuple[pl.DataFrame, str]:
    kinds = list(params.get("employment_kinds", ["open_market"]))
    lookback = int(params.get("customer_lookback_days", 90))
    lists, note = shortage_list(inputs, str(params.get("basis", "auto")))
    episodes = _events(
        inputs.episodes.filter(pl.col("kind").is_in(kinds)).select(
            "person_id", "isco4", event_date="start_date"
        )
    )
    spells = inputs.spells.select(
        "person_id", s_start="start_date", s_end=pl.col("end_date").fill_null(OPEN_END)
    )
    customers = (
        episodes.join(spells, on="person_id", how="inner")
        .filter(
            (pl.col("s_start") <= pl.col("event_date"))
            & (pl.col("s_end") >= pl.col("event_date").dt.offset_by(f"-{lookback}d"))
        )
        .select("_event")
        .unique()
    )
    episodes = episodes.join(customers, on="_event", how="semi")
    if lists.height == 0:
        return episodes.with_columns(
            outcome=pl.lit(False), num=pl.lit(0.0), den=pl.lit(1.0), observable=pl.lit(False)
        ), note
    editions = lists.select("valid_from").unique().sort("valid_from")
    # the edition in force: the latest published on or before the start day (else the first one)
    edition = (
        episodes.select("_event", "event_date")
        .sort("event_date")
        .join_asof(
            editions.with_columns(edition=pl.col("valid_from")),
            left_on="event_date",
            right_on="valid_from",
            check_sortedness=False,
        )
        .select("_event", edition=pl.coalesce("edition", pl.lit(editions.item(0, 0))))
    )
    on_list = (
        episodes.join(edition, on="_event")
        .join(lists.select("isco4", edition="valid_from"), on=["isco4", "edition"], how="inner")
        .select("_event")
        .unique()
        .with_columns(outcome=pl.lit(True))
    )
    result = episodes.join(on_list, on="_event", how="left").with_columns(
        outcome=pl.col("outcome").fill_null(False)
    )
    return result.with_columns(
        num=pl.col("outcome").cast(pl.Float64), den=pl.lit(1.0), observable=pl.col("event_date") <= ctx.as_of
    ), note


def _person_facts(
    events: pl.DataFrame,
    inputs: Inputs,
    ctx: Context,
    indicator: Indicator,
    variant: str,
    *,
    note: str = "",
    groups: list[str] | None = None,
    once_per_period: bool = False,
    dimensions_done: bool = False,
    share: tuple[Any, ...] | None = None,
) -> pl.DataFrame:
    params = indicator.params(variant)
    events = events.filter(pl.col("event_date") >= ctx.since)
    if not dimensions_done:
        events = attach_dimensions(
            events.drop([c for c in ("_event",) if c in events.columns]).pipe(_events), inputs, ctx
        )
    events = events.rename({"person_id": "unit_id"})
    return aggregate(
        events,
        ctx,
        indicator_id=indicator.id,
        variant=variant,
        value_kind=indicator.spec.value_kind,
        unit="person",
        note=note,
        groups=groups,
        once_per_period=once_per_period,
        denominator=str(params.get("denominator", "denominator")),
        share=share,
    )


def compute_inflow(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    params = indicator.params(variant)
    note = (
        "a service ends the spell"
        if params.get("service_ends_spell", True)
        else "a service does not end the spell"
    )
    return _person_facts(inflow_events(inputs, ctx, params), inputs, ctx, indicator, variant, note=note)


def _cached(ctx: Context, key: tuple[Any, ...], build: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """Events shared by the variants of an indicator are built (and given their dimensions) once."""
    return ctx.once(key, build)


def _shared_key(name: str, params: dict[str, Any], *varying: str) -> tuple[Any, ...]:
    return (name, *sorted((k, repr(v)) for k, v in params.items() if k not in varying))


def compute_staying(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    params = indicator.params(variant)
    months = int(params["months"])
    kinds = list(params.get("employment_kinds", ["open_market"]))

    def build() -> pl.DataFrame:
        exits = _events(exit_events(inputs, ctx, params).filter(pl.col("event_date") >= ctx.since))
        return attach_dimensions(exits, inputs, ctx)

    exits = _cached(ctx, _shared_key("exits", params, "months"), build)
    exits = exits.with_columns(check=pl.col("event_date").dt.offset_by(f"{months}mo"))
    exits = with_employment_on(exits, inputs.episodes, day="check", kinds=kinds).with_columns(
        num=pl.col("outcome").cast(pl.Float64), den=pl.lit(1.0), observable=pl.col("check") <= ctx.as_of
    )
    return _person_facts(exits, inputs, ctx, indicator, variant, dimensions_done=True)


def compute_cost(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    params = indicator.params(variant)
    note = f"employment within {params.get('window_months', 3)} months of the service's end"

    def build() -> pl.DataFrame:
        events = cost_events(inputs, ctx, params).filter(pl.col("event_date") >= ctx.since)
        return attach_dimensions(_events(events), inputs, ctx)

    shared = _shared_key("cost", params, "denominator")
    events = _cached(ctx, shared, build)
    # the variants differ only in what the value divides by: the cells are summed once
    return _person_facts(
        events,
        inputs,
        ctx,
        indicator,
        variant,
        note=note,
        dimensions_done=True,
        share=(indicator.id, *shared),
    )


def compute_special_groups(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    params = indicator.params(variant)
    events = special_group_events(inputs, ctx, params)
    return _person_facts(
        events,
        inputs,
        ctx,
        indicator,
        variant,
        groups=list(params["groups"]),
        once_per_period=True,
        dimensions_done=True,
    )


def compute_shortage(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    events, note = shortage_events(inputs, ctx, indicator.params(variant))
    return _person_facts(events.drop("_event", "isco4"), inputs, ctx, indicator, variant, note=note)


def compute_employer_events(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    kinds = list(indicator.params(variant).get("kinds", []))
    events = (
        inputs.employer_events.filter(pl.col("kind").is_in(kinds))
        .with_row_index("unit_id")
        .select(
            "unit_id",
            "event_date",
            "municipality_code",
            service_line=pl.lit(None, dtype=pl.String),
            num=pl.lit(1.0),
            den=pl.lit(1.0),
            outcome=pl.lit(True),
            observable=pl.lit(True),
        )
    )
    return aggregate(
        events,
        ctx,
        indicator_id=indicator.id,
        variant=variant,
        value_kind="count",
        unit="event",
        slices=((False, False, False), (True, False, False)),
    )


def _periods_between(first: dt.date, last: dt.date) -> list[Period]:
    result = []
    for kind in KINDS:
        period = Period.of(kind, first)
        while period.start <= last:
            result.append(period)
            period = period.shift(1)
    return result


def compute_employer_usage(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    kinds = list(indicator.params(variant).get("kinds", []))
    employers = inputs.employers.filter(pl.col("municipality_code").is_in(ctx.in_area))
    served = (
        inputs.employer_events.filter(pl.col("kind").is_in(kinds) & pl.col("employer_id").is_not_null())
        .select("employer_id", "event_date")
        .join(employers.select("employer_id", "municipality_code"), on="employer_id", how="inner")
        .filter(pl.col("event_date") >= ctx.since)
    )
    if employers.height == 0:
        return pl.DataFrame(schema=FACT_SCHEMA)
    # every period at once: employers active by a period's end (counted per founding day, then summed) and
    # the distinct employers served in it, by municipality and for the area
    periods = pl.DataFrame(
        [(p.label, p.kind, p.start, p.end) for p in _periods_between(ctx.since, ctx.as_of)],
        schema={"period": pl.String, "period_kind": pl.String, "start": pl.Date, "end": pl.Date},
        orient="row",
    ).with_row_index("_order")
    founded = employers.group_by("municipality_code", "founded_on").len("n")
    undated = founded.filter(pl.col("founded_on").is_null()).select("municipality_code", _undated="n")
    dated = (
        founded.filter(pl.col("founded_on").is_not_null())
        .sort("municipality_code", "founded_on")
        .with_columns(_founded=pl.col("n").cum_sum().over("municipality_code"))
        .sort("founded_on")
    )
    grid = periods.select("_order", "end").join(founded.select("municipality_code").unique(), how="cross")
    active = (
        grid.sort("end")
        .join_asof(
            dated.select("municipality_code", "founded_on", "_founded"),
            left_on="end",
            right_on="founded_on",
            by="municipality_code",
            check_sortedness=False,
        )
        .join(undated, on="municipality_code", how="left")
        .select(
            "_order",
            "municipality_code",
            active=pl.col("_founded").fill_null(0) + pl.col("_undated").fill_null(0),
        )
        .filter(pl.col("active") > 0)
    )
    labels = served.select("employer_id", "municipality_code", *_period_columns("event_date"))
    used = pl.concat(
        [
            labels.select("employer_id", "municipality_code", period=kind).with_columns(
                period_kind=pl.lit(kind)
            )
            for kind in KINDS
        ]
    ).unique()
    used = used.join(periods.select("_order", "period", "period_kind"), on=["period", "period_kind"])
    by_municipality = active.join(
        used.group_by("_order", "municipality_code").len("served"),
        on=["_order", "municipality_code"],
        how="left",
    )
    area = (
        periods.select("_order")
        .join(active.group_by("_order").agg(pl.col("active").sum()), on="_order", how="left")
        .join(used.group_by("_order").len("served"), on="_order", how="left")
    )
    counts = pl.concat(
        [
            by_municipality.select("_order", "municipality_code", "active", "served"),
            area.select("_order", municipality_code=pl.lit(ALL), active="active", served="served"),
        ],
        how="vertical_relaxed",
    ).with_columns(pl.col("active", "served").fill_null(0).cast(pl.Int64))
    frame = (
        counts.join(periods, on="_order")
        .sort("_order", "municipality_code")
        .select(
            "period",
            "period_kind",
            "municipality_code",
            numerator=pl.col("served").cast(pl.Float64),
            denominator=pl.col("active").cast(pl.Float64),
            outcome_persons="served",
            persons="active",
        )
    )
    return frame.with_columns(
        indicator_id=pl.lit(indicator.id),
        variant=pl.lit(variant),
        customer_group=pl.lit(ALL),
        service_line=pl.lit(ALL),
        value=pl.when(pl.col("denominator") > 0).then(100.0 * pl.col("numerator") / pl.col("denominator")),
        events=pl.col("outcome_persons"),
        unit=pl.lit("employer"),
        complete=pl.lit(True),
        note=pl.lit("denominator: the employer register's employers in the area"),
    ).select(list(FACT_SCHEMA))


def compute_partnership(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    partners = inputs.partners
    rows = []
    for kind in KINDS:
        period = Period.of(kind, ctx.as_of)
        groups = [(ALL, partners)]
        in_area = partners.filter(pl.col("municipality_code").is_in(ctx.in_area))
        for code in sorted(set(in_area.get_column("municipality_code").to_list())):
            groups.append((code, in_area.filter(pl.col("municipality_code") == code)))
        for code, frame in groups:
            agreed = int(frame.get_column("partnership_agreement").sum() or 0)
            rows.append((period.label, kind, code, float(agreed), float(frame.height), agreed, frame.height))
    frame = pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "period_kind": pl.String,
            "municipality_code": pl.String,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "outcome_persons": pl.Int64,
            "persons": pl.Int64,
        },
        orient="row",
    )
    register = frame.with_columns(
        indicator_id=pl.lit(indicator.id),
        variant=pl.lit(variant),
        customer_group=pl.lit(ALL),
        service_line=pl.lit(ALL),
        value=pl.when(pl.col("denominator") > 0).then(100.0 * pl.col("numerator") / pl.col("denominator")),
        events=pl.col("persons"),
        unit=pl.lit("partner"),
        complete=pl.lit(True),
        note=pl.lit(f"partner register on {ctx.as_of.isoformat()}"),
    ).select(list(FACT_SCHEMA))
    # the partnership survey's answers, when there are any in a period, replace the register's snapshot
    register = register.with_columns(_rank=pl.lit(IMPORTED_RANK, dtype=pl.Int64))
    return prefer_sources([*_own_survey_facts(inputs, ctx, indicator.id, variant, "percent"), register])


#: Slices of survey figures: answers carry only municipality, service line, channel and month.
SURVEY_SLICES = ((False, False, False), (True, False, False), (False, False, True))
#: Rank of the imported (CSV) answers among a survey indicator's sources: below every own series.
IMPORTED_RANK = 0
OWN_RANK = 1000


def _answer_events(answers: pl.DataFrame) -> pl.DataFrame:
    """Survey answers as events: each answer one unit, its score the numerator, counted on its date."""
    return answers.with_row_index("unit_id").select(
        "unit_id",
        "municipality_code",
        "service_line",
        event_date="response_date",
        num="score",
        den=pl.lit(1.0),
        outcome=pl.lit(True),
        observable=pl.lit(True),
    )


def _own_survey_facts(
    inputs: Inputs, ctx: Context, indicator_id: str, variant: str, value_kind: str
) -> list[pl.DataFrame]:
    """Facts from the platform's own answers, one frame per question series (never pooled), ranked."""
    own = inputs.answers.filter(pl.col("indicator_id") == indicator_id)
    frames = []
    for (series, rank), answers in sorted(own.group_by("series", "series_rank"), key=lambda g: str(g[0])):
        events = _answer_events(answers)
        facts = aggregate(
            events,
            ctx,
            indicator_id=indicator_id,
            variant=variant,
            value_kind=value_kind,
            unit="response",
            note=f"own survey, series {series}",
            slices=SURVEY_SLICES,
        )
        frames.append(facts.with_columns(_rank=pl.lit(OWN_RANK + int(str(rank)), dtype=pl.Int64)))
    return frames


def prefer_sources(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """For each period keep the facts of one source only: the highest-ranked (``_rank``) whose area figure
    rests on at least one answer (or partner) in the period. Sources are never pooled."""
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=FACT_SCHEMA)
    facts = pl.concat(frames)
    area = (pl.col("municipality_code") == ALL) & (pl.col("customer_group") == ALL)
    rank = pl.col("_rank")
    best = (
        facts.filter(area & (pl.col("service_line") == ALL))
        .group_by("period_kind", "period")
        .agg(_best=rank.filter(pl.col("events") > 0).max().fill_null(rank.max()))
    )
    return (
        facts.join(best, on=["period_kind", "period"], how="inner")
        .filter(pl.col("_rank") == pl.col("_best"))
        .select(list(FACT_SCHEMA))
    )


def compute_survey(inputs: Inputs, ctx: Context, indicator: Indicator, variant: str) -> pl.DataFrame:
    """Mean score of a survey's answers; an answer without a municipality counts in the totals only.

    The platform's own answers are the main source; answers imported from CSV (external surveys) give the
    figure of a period without own answers (:func:`prefer_sources`)."""
    kind = str(indicator.params(variant).get("survey_kind", indicator.id))
    events = _answer_events(inputs.survey.filter(pl.col("survey_kind") == kind))
    imported = aggregate(
        events,
        ctx,
        indicator_id=indicator.id,
        variant=variant,
        value_kind="mean",
        unit="response",
        note="imported survey responses",
        slices=SURVEY_SLICES,
    ).with_columns(_rank=pl.lit(IMPORTED_RANK, dtype=pl.Int64))
    own = _own_survey_facts(inputs, ctx, indicator.id, variant, "mean")
    return prefer_sources([*own, imported])


COMPUTATIONS: dict[str, Callable[[Inputs, Context, Indicator, str], pl.DataFrame]] = {
    "inflow_over_months": compute_inflow,
    "staying_employed": compute_staying,
    "cost_per_employed": compute_cost,
    "special_groups_employment": compute_special_groups,
    "shortage_occupation_share": compute_shortage,
    "employer_event_count": compute_employer_events,
    "employer_usage_rate": compute_employer_usage,
    "partnership_rate": compute_partnership,
    "survey_mean": compute_survey,
}


def compute_indicators(inputs: Inputs, ctx: Context, only: list[str] | None = None) -> pl.DataFrame:
    """Fact rows of every indicator (or of ``only``) for the periods from ``ctx.since`` to ``ctx.as_of``."""
    frames = []
    for indicator in ctx.definitions.indicators.values():
        if only is not None and indicator.id not in only:
            continue
        compute = COMPUTATIONS[indicator.spec.computation]
        for variant in indicator.variants:
            frames.append(compute(inputs, ctx, indicator, variant))
    frames = [f for f in frames if f.height]
    return pl.concat(frames) if frames else pl.DataFrame(schema=FACT_SCHEMA)


def compute_month_end(inputs: Inputs, ctx: Context) -> pl.DataFrame:
    """``ft_month_end`` rows: the month-end figures by municipality of residence on the count day."""
    rows = month_end_rows(inputs, ctx)
    if rows.height == 0:
        return pl.DataFrame(
            schema={
                "month": pl.String,
                "count_day": pl.Date,
                "municipality_code": pl.String,
                "measure": pl.String,
                "persons": pl.Int64,
            }
        )
    # one row per person and count day: counts are sums of the flags, and the area is the sum of its
    # municipalities (everyone lives in exactly one municipality on the day)
    probe = rows.select("person_id", event_date="day")
    home = probe.join(
        _persons(inputs, ctx).select("person_id", "home_municipality_code", "_born"),
        on="person_id",
        how="left",
        maintain_order="left",
    )
    days = rows.get_column("day").unique().sort()
    limits = pl.DataFrame(
        {
            "day": days,
            "national_limit": [ctx.rule_value("young.statistics_age_limit", d, 25) for d in days.to_list()],
        },
        schema={"day": pl.Date, "national_limit": pl.Int32},
    ).with_columns(_on=_date_number("day"))
    codes = ctx.in_area
    frame = (
        rows.with_columns(
            municipality_code=pl.coalesce(
                _residence(probe, inputs.residences), home.get_column("home_municipality_code")
            ),
            _born=home.get_column("_born"),
        )
        .filter(pl.col("municipality_code").is_in(codes))
        .join(limits, on="day", how="left")
        .with_columns(
            age=(pl.col("_on") - pl.col("_born")) // 10_000
        )  # as _age, with the day's number joined
        .with_columns(
            young_under_25=pl.col("unemployed") & (pl.col("age") < pl.col("national_limit")),
            young_under_area_limit=pl.col("unemployed") & (pl.col("age") < ctx.area_youth_limit),
        )
    )
    # grouped on one integer (the day and the municipality's index), not on a date and a text
    width = 1 << 12
    by_municipality = (
        frame.group_by(
            _k=pl.col("day").cast(pl.Int32).cast(pl.Int64) * width
            + pl.col("municipality_code").cast(pl.Enum(codes)).to_physical().cast(pl.Int64)
        )
        .agg([pl.col(m).sum().alias(m) for m in MONTH_END_MEASURES])
        .select(
            (pl.col("_k") // width).cast(pl.Int32).cast(pl.Date).alias("day"),
            pl.lit(pl.Series(codes, dtype=pl.String)).gather(pl.col("_k") % width).alias("municipality_code"),
            *MONTH_END_MEASURES,
        )
    )
    total = by_municipality.group_by("day").agg([pl.col(m).sum() for m in MONTH_END_MEASURES])
    wide = pl.concat(
        [by_municipality, total.with_columns(municipality_code=pl.lit(ALL)).select(by_municipality.columns)]
    )
    long = wide.unpivot(index=["day", "municipality_code"], variable_name="measure", value_name="persons")
    return long.select(
        month=pl.col("day").dt.strftime("%Y-%m"),
        count_day="day",
        municipality_code="municipality_code",
        measure="measure",
        persons=pl.col("persons").cast(pl.Int64),
    ).sort("month", "municipality_code", "measure")
