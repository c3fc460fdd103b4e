"""The month-end statistics of ``alue.people.statistics``, vectorised with polars.

``Timeline.classify`` is the definition: readable, one person and one day at a time. This module computes
exactly the same classification for every person and many count days at once, so that a whole area (or the
whole country) is classified in seconds. ``tests/scorecard/test_timelines.py`` checks with Hypothesis that
both give the same answer on random timelines.

Assumption shared with the definition: a person's status periods do not overlap (the data model's rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from alue.area.rules import RuleBook
from alue.people.models import Status
from alue.people.statistics import SERVICE_GAP_MAX_DAYS, Thresholds

#: Stands for "still open" inside computations (an open range's end is null in the inputs).
OPEN_END = dt.date(9999, 12, 31)
UNEMPLOYED = [s.value for s in Status if s.counts_as_unemployed]
IN_SERVICE = Status.IN_SERVICE.value

FLAGS = (
    "unemployed",
    "laid_off_full",
    "shortened_week",
    "in_service",
    "long_term_unemployed",
    "recurrently_unemployed",
    "unemployed_after_service",
    "service_to_service",
)


def _first_of_person(by: str) -> pl.Expr:
    return pl.col(by) != pl.col(by).shift(1, fill_value=-1)


def merge_ranges(frame: pl.DataFrame, by: str = "person_id") -> pl.DataFrame:
    """Merge each person's overlapping or adjacent ranges into runs, as ``DateSet`` does.

    Takes ``by`` (an integer key), ``start_date``, ``end_date`` (null = open); returns ``by``,
    ``run_start``, ``run_end`` (``OPEN_END`` when open), sorted by person and start.
    """
    if frame.height == 0:
        return pl.DataFrame(schema={by: pl.Int64, "run_start": pl.Date, "run_end": pl.Date})
    # (person, end) packed into one integer, so that a running maximum over the whole sorted frame is the
    # running maximum of the end within each person: no per-group window is needed.
    shift = 1 << 23  # more days than OPEN_END is from 1970
    ordered = frame.select(
        pl.col(by).cast(pl.Int64), "start_date", pl.col("end_date").fill_null(OPEN_END)
    ).sort(by, "start_date")
    packed = pl.col(by) * shift + pl.col("end_date").cast(pl.Int32).cast(pl.Int64)
    previous = packed.cum_max().shift(1)
    previous_end = (previous - pl.col(by) * shift).cast(pl.Int32, strict=False).cast(pl.Date)
    new_run = _first_of_person(by) | (pl.col("start_date") > previous_end.dt.offset_by("1d"))
    ordered = ordered.with_columns(run=new_run.cast(pl.Int32).cum_sum())
    return (
        ordered.group_by("run")
        .agg(pl.col(by).first(), run_start=pl.col("start_date").min(), run_end=pl.col("end_date").max())
        .sort("run")
        .drop("run")
    )


def _per_person_cumsum(value: pl.Expr, by: str) -> pl.Expr:
    """Cumulative sum of ``value`` within each person (rows sorted by person), without a window."""
    total = value.cum_sum()
    base = pl.when(_first_of_person(by)).then(total - value).forward_fill()
    return total - base


def unemployment_runs(periods: pl.DataFrame) -> pl.DataFrame:
    """Continuous runs of unemployment (``unemployed`` and ``laid_off_full`` merged, across spells).

    Adds per run: ``days_before`` (unemployed days in the person's earlier runs) and
    ``preceded_by_service`` (the day before the run is a service day).
    """
    runs = merge_ranges(periods.filter(pl.col("status").is_in(UNEMPLOYED)))
    length = (pl.col("run_end") - pl.col("run_start")).dt.total_days() + 1
    runs = runs.with_columns(days_before=_per_person_cumsum(length, "person_id") - length)
    services = merge_ranges(periods.filter(pl.col("status") == IN_SERVICE))
    probe = runs.select("person_id", "run_start", day_before=pl.col("run_start").dt.offset_by("-1d")).sort(
        "day_before"
    )
    covered = probe.join_asof(
        services.sort("run_start").rename({"run_start": "s_start", "run_end": "s_end"}),
        left_on="day_before",
        right_on="s_start",
        by="person_id",
        check_sortedness=False,
    ).select(
        "person_id",
        "run_start",
        preceded_by_service=pl.col("s_end").is_not_null() & (pl.col("s_end") >= pl.col("day_before")),
    )
    return runs.join(covered, on=["person_id", "run_start"], how="left")


def service_periods(periods: pl.DataFrame, runs: pl.DataFrame) -> pl.DataFrame:
    """Each ``in_service`` period with ``follows_service``: it came straight after an earlier service, or
    after
    a gap of at most 30 days spent wholly unemployed (the *service to service* part of structural
    unemployment)."""
    services = (
        _with_order(periods)
        .filter(pl.col("status") == IN_SERVICE)
        .select("person_id", "start_date", "end_date", "order")
        .sort("person_id", "start_date", "order")
        .with_columns(
            previous_end=pl.when(_first_of_person("person_id"))
            .then(None)
            .otherwise(pl.col("end_date").shift(1))
        )
        .with_columns(
            gap_days=(pl.col("start_date") - pl.col("previous_end")).dt.total_days() - 1,
            gap_start=pl.col("previous_end").dt.offset_by("1d"),
            gap_end=pl.col("start_date").dt.offset_by("-1d"),
        )
    )
    probe = services.filter(pl.col("gap_days") > 0).select("person_id", "order", "gap_start", "gap_end")
    covering = (
        probe.sort("gap_start")
        .join_asof(
            runs.select("person_id", "run_start", "run_end").sort("run_start"),
            left_on="gap_start",
            right_on="run_start",
            by="person_id",
            check_sortedness=False,
        )
        .select(
            "order", gap_unemployed=pl.col("run_end").is_not_null() & (pl.col("run_end") >= pl.col("gap_end"))
        )
    )
    return services.join(covering, on="order", how="left").with_columns(
        follows_service=pl.col("previous_end").is_not_null()
        & (
            (pl.col("gap_days") <= 0)
            | ((pl.col("gap_days") <= SERVICE_GAP_MAX_DAYS) & pl.col("gap_unemployed").fill_null(False))
        )
    )


def _days_upto(points: pl.DataFrame, runs: pl.DataFrame, day_column: str, out: str) -> pl.DataFrame:
    """Add ``out``: the person's unemployed days on or before ``day_column`` (over all runs)."""
    # one as-of join on a packed (person, day) key — a single merge instead of a search per person; a match
    # from another person (who sorts just before) is no match
    right = runs.select(
        _k=_packed_day("person_id", "run_start"),
        _rp=pl.col("person_id"),
        _rs=pl.col("run_start"),
        _re=pl.col("run_end"),
        _before=pl.col("days_before"),
    ).sort("_k")
    joined = (
        points.with_row_index("_upto_row")
        .with_columns(_lk=_packed_day("person_id", day_column))
        .sort("_lk")
        .join_asof(right, left_on="_lk", right_on="_k", check_sortedness=False)
        .with_columns(
            [
                pl.when(pl.col("_rp") == pl.col("person_id")).then(pl.col(c)).alias(c)
                for c in ("_rs", "_re", "_before")
            ]
        )
    )
    inside = (pl.min_horizontal(pl.col(day_column), pl.col("_re")) - pl.col("_rs")).dt.total_days() + 1
    return (
        joined.with_columns(
            pl.when(pl.col("_rs").is_null())
            .then(0)
            .otherwise(pl.col("_before") + inside.clip(lower_bound=0))
            .alias(out)
        )
        .sort("_upto_row")
        .drop("_upto_row", "_lk", "_k", "_rp", "_rs", "_re", "_before")
    )


def _packed_day(by: str, day: str) -> pl.Expr:
    """``by × 2²² + days since 1970 (+ 2²¹)``: one sortable 64-bit key for as-of joins per ``by``."""
    return pl.col(by).cast(pl.Int64) * (1 << 22) + (pl.col(day).cast(pl.Int32).cast(pl.Int64) + (1 << 21))


def _with_order(periods: pl.DataFrame) -> pl.DataFrame:
    """Number the periods in input order (``order``): the tie-break of equal starts, as a stable sort."""
    return periods if "order" in periods.columns else periods.with_row_index("order")


def expand_to_days(
    periods: pl.DataFrame, days: Sequence[dt.date], *, index: str | None = None
) -> pl.DataFrame:
    """One row per (status period, count day inside it), carrying every column of ``periods`` plus ``day``.

    Rows come out in the order of ``periods``, each period's days ascending: sort the periods by person and
    start first to get rows sorted by person and day. ``index`` names a column to keep with the day's
    position among the sorted distinct ``days``.
    """
    day_series = pl.Series("day", sorted(set(days)), dtype=pl.Date)
    if periods.height == 0 or day_series.len() == 0:
        empty = periods.clear().with_columns(day=pl.lit(None, dtype=pl.Date))
        return empty.with_columns(pl.lit(None, dtype=pl.UInt32).alias(index)) if index else empty
    first = day_series.search_sorted(periods.get_column("start_date"), side="left")
    last = day_series.search_sorted(periods.get_column("end_date").fill_null(OPEN_END), side="right")
    frame = periods.with_columns(_first=first, _last=last).filter(pl.col("_last") > pl.col("_first"))
    exploded = frame.with_columns(_index=pl.int_ranges("_first", "_last", dtype=pl.UInt32)).explode("_index")
    result = exploded.with_columns(day=day_series.gather(exploded.get_column("_index"))).drop(
        "_first", "_last"
    )
    return result.rename({"_index": index}) if index else result.drop("_index")


def thresholds_frame(days: Sequence[dt.date], rules: RuleBook | None = None) -> pl.DataFrame:
    """The statistics' thresholds in force on each day (``Thresholds.on``), as month offsets and days."""
    rows = []
    for day in sorted(set(days)):
        limits = Thresholds.on(day, rules)
        rows.append(
            (
                day,
                f"-{limits.long_term_months}mo",
                f"-{limits.recurrent_window_months}mo",
                limits.recurrent_min_days,
                f"-{limits.after_service_months}mo",
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "day": pl.Date,
            "long_term_offset": pl.String,
            "window_offset": pl.String,
            "recurrent_min_days": pl.Int64,
            "after_service_offset": pl.String,
        },
        orient="row",
    )


def classify(
    periods: pl.DataFrame, days: Sequence[dt.date], *, rules: RuleBook | None = None
) -> pl.DataFrame:
    """``Timeline.classify`` for every person whose status periods cover one of ``days``.

    ``periods``: ``person_id``, ``status``, ``start_date``, ``end_date`` (null = open). Returns one row per
    (person, day) with the status on the day, the flags of ``DayClassification`` and
    ``unemployment_duration_days``. A person with no status period of a kind the figures use (unemployed,
    fully laid off, shortened week, in service) on a day has no row: all their flags are false.
    """
    periods = _with_order(periods).sort("person_id", "start_date", "order")
    runs = unemployment_runs(periods)
    services = service_periods(periods, runs).select("order", "follows_service")
    # Each unemployed period lies inside exactly one run: attach it per period, before expanding to days.
    run_of_period = (
        periods.filter(pl.col("status").is_in(UNEMPLOYED))
        .select("order", "person_id", "start_date")
        .sort("start_date")
        .join_asof(
            runs.sort("run_start"),
            left_on="start_date",
            right_on="run_start",
            by="person_id",
            check_sortedness=False,
        )
        .select("order", "run_start", "run_end", "days_before", "preceded_by_service")
    )
    used = periods.filter(pl.col("status").is_in([*UNEMPLOYED, Status.SHORTENED_WEEK.value, IN_SERVICE]))
    enriched = (
        used.select("person_id", "status", "start_date", "end_date", "order")
        .join(run_of_period, on="order", how="left")
        .join(services, on="order", how="left")
        .sort("person_id", "start_date", "order")
    )
    rows = expand_to_days(enriched, days, index="_day")
    # The first period (in start order) covering the day wins, as in Timeline.status_on.
    rows = rows.filter(
        (pl.col("person_id") != pl.col("person_id").shift(1, fill_value=-1))
        | (pl.col("day") != pl.col("day").shift(1))
        | pl.col("day").shift(1).is_null()
    )
    # The thresholds' start days are computed once per count day (a few dozen) and joined on, instead of
    # a calendar-month offset on every row.
    day = pl.col("day")
    limits = thresholds_frame(days, rules).select(
        "day",
        _long_term_start=day.dt.offset_by(pl.col("long_term_offset")),
        _after_service_start=day.dt.offset_by(pl.col("after_service_offset")),
        _window_start=day.dt.offset_by(pl.col("window_offset")),
        _min_days=pl.col("recurrent_min_days"),
    )
    # (the limits' rows are the sorted distinct days, as the index expand_to_days keeps)
    rows = rows.with_columns(
        [pl.lit(limits.get_column(c)).gather(pl.col("_day")).alias(c) for c in limits.columns if c != "day"]
    )
    long_term_start = pl.col("_long_term_start")
    after_service_start = pl.col("_after_service_start")
    unemployed = pl.col("status").is_in(UNEMPLOYED)
    current = (pl.col("day") - pl.col("run_start")).dt.total_days() + 1
    rows = rows.with_row_index("_row").with_columns(
        _unemployed=unemployed,
        _long_term=unemployed & (pl.col("run_start") <= long_term_start),
        _current=current,
    )
    # Recurrent: ≥ 365 unemployed days in the window. Only rows whose whole history could reach that need
    # the days before the window, found with an as-of join on the runs.
    candidates = rows.filter(
        pl.col("_unemployed")
        & ~pl.col("_long_term")
        & ((pl.col("_current") + pl.col("days_before")) >= pl.col("_min_days"))
    ).select("_row", "person_id", "day", "_current", "days_before", "_window_start", "_min_days")
    if candidates.height:
        candidates = _days_upto(candidates, runs, "_window_start", "_upto_window")
        recurrent = candidates.select(
            "_row",
            _recurrent=(pl.col("days_before") + pl.col("_current") - pl.col("_upto_window"))
            >= pl.col("_min_days"),
        )
        # scattered into place by row number (no join over every row)
        flags = pl.Series("_recurrent", [None], dtype=pl.Boolean).extend_constant(None, rows.height - 1)
        flags = flags.scatter(recurrent.get_column("_row"), recurrent.get_column("_recurrent"))
        rows = rows.with_columns(flags)
    else:
        rows = rows.with_columns(_recurrent=pl.lit(None, dtype=pl.Boolean))
    status = pl.col("status")
    return rows.select(
        "person_id",
        "day",
        "status",
        unemployed=pl.col("_unemployed"),
        laid_off_full=status == Status.LAID_OFF_FULL.value,
        shortened_week=status == Status.SHORTENED_WEEK.value,
        in_service=status == IN_SERVICE,
        long_term_unemployed=pl.col("_long_term"),
        recurrently_unemployed=pl.col("_recurrent").fill_null(False),
        unemployed_after_service=pl.col("_unemployed")
        & ~pl.col("_long_term")
        & pl.col("preceded_by_service").fill_null(False)
        & (pl.col("run_start") > after_service_start),
        service_to_service=(status == IN_SERVICE) & pl.col("follows_service").fill_null(False),
        unemployment_duration_days=pl.when(pl.col("_unemployed"))
        .then(pl.col("_current"))
        .otherwise(0)
        .cast(pl.Int64),
    ).with_columns(
        structurally_unemployed=pl.col("long_term_unemployed")
        | pl.col("recurrently_unemployed")
        | pl.col("unemployed_after_service")
        | pl.col("service_to_service")
    )
