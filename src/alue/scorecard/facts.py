"""Rebuild the fact tables (``ft_indicator``, ``ft_month_end``) from the domain tables.

A rebuild is *incremental* when it can be: the inputs are digested per table and month (the month of each
row's start or event date), and only the periods from the year of the earliest changed month — less the
longest follow-up window, because events before a change can have their outcome inside it — are computed
and replaced. A change in the definitions, in the area or in a table without dates (people, employers,
partners, the shortage list) means a full rebuild, and so does ``full=True``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import polars as pl
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from alue.area.config import Area, load_area
from alue.scorecard.bulk import insert_frame
from alue.scorecard.compute import FACT_SCHEMA, Context, compute_indicators, compute_month_end
from alue.scorecard.definitions import Definitions, load_definitions
from alue.scorecard.disclosure import DisclosureRule, protect_facts, protect_month_end
from alue.scorecard.inputs import BUCKET_COLUMNS, Inputs, load_inputs
from alue.scorecard.models import FactIndicator, FactMonthEnd, FactRebuildState
from alue.shared.time import add_months, now, today

#: How many calendar years before ``as_of`` a full rebuild covers (the current year and four before it).
HISTORY_YEARS = 4
#: Indicators whose source keeps no history: their past facts are kept, only the current ones replaced.
SNAPSHOT_COMPUTATIONS = ("partnership_rate",)
STATE = "rebuild"


@dataclass
class RebuildReport:
    mode: str  # full, incremental, up-to-date
    as_of: dt.date
    since: dt.date | None
    reason: str
    indicator_rows: int = 0
    month_end_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "reason": self.reason,
            "indicator_rows": self.indicator_rows,
            "month_end_rows": self.month_end_rows,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def input_digests(inputs: Inputs) -> dict[tuple[str, str], str]:
    """``(table, month or 'static') → digest`` of the rows in that bucket (row count and hash sum)."""
    result: dict[tuple[str, str], str] = {}
    # A person's row matters from their first status period on: a new or changed person is placed in the
    # month their history starts (a person without any is placed nowhere and changes no figure).
    first_start = inputs.periods.group_by("person_id").agg(first_start=pl.col("start_date").min())
    for name, frame in inputs.tables().items():
        if frame.height == 0:
            continue
        column = BUCKET_COLUMNS[name]
        if name == "persons":
            starts = frame.join(first_start, on="person_id", how="left", maintain_order="left")
            bucket = starts.get_column("first_start").dt.strftime("%Y-%m").fill_null("unused")
        elif column:
            bucket = frame.get_column(column).dt.strftime("%Y-%m").fill_null("none")
        else:
            bucket = pl.Series([None] * frame.height, dtype=pl.String).fill_null("static")
        hashed = frame.select(
            bucket=bucket,
            h=(frame.hash_rows(seed=7) % (1 << 32)).cast(pl.Int64),
        )
        for bucket, count, total in hashed.group_by("bucket").agg(pl.len(), pl.col("h").sum()).iter_rows():
            result[(name, str(bucket))] = f"{count}:{total}"
    return result


def _fingerprint(definitions: Definitions) -> str:
    return f"{definitions.fingerprint()}|polars {pl.__version__}"


def plan(
    *,
    previous: dict[tuple[str, str], str],
    current: dict[tuple[str, str], str],
    as_of: dt.date,
    definitions: Definitions,
    full: bool,
) -> tuple[str, dt.date | None, str]:
    """Decide what to recompute: ``(mode, since, reason)``; ``since`` is the first day recomputed."""
    history_start = dt.date(as_of.year - HISTORY_YEARS, 1, 1)
    state = {k: v for (scope, k), v in previous.items() if scope == STATE}
    if full:
        return "full", history_start, "requested"
    if not state:
        return "full", history_start, "no earlier rebuild"
    if state.get("fingerprint") != _fingerprint(definitions):
        return "full", history_start, "definitions, area or library version changed"
    old = {k: v for k, v in previous.items() if k[0] != STATE}
    changed = {k for k in set(old) | set(current) if old.get(k) != current.get(k)}
    changed = {(t, b) for t, b in changed if b != "unused"}
    static = sorted({t for t, b in changed if b in ("static", "none")})
    if static:
        return "full", history_start, f"changed without dates: {', '.join(static)}"
    months = sorted(b for _, b in changed)
    previous_as_of = dt.date.fromisoformat(state["as_of"]) if "as_of" in state else None
    starts = [dt.date.fromisoformat(f"{months[0]}-01")] if months else []
    if previous_as_of is not None and previous_as_of != as_of:
        starts.append(min(previous_as_of, as_of))
    if not starts:
        return "up-to-date", None, "no input changed since the last rebuild"
    window = max_window_months(definitions)
    first = add_months(min(starts), -window)
    since = max(dt.date(first.year, 1, 1), history_start)
    tables = sorted({t for t, _ in changed})
    reason = f"changed: {', '.join(tables) or 'reference date'}; earliest {min(starts).isoformat()}"
    return "incremental", since, reason


def max_window_months(definitions: Definitions) -> int:
    """The longest follow-up window of any indicator (an event's outcome can lie this far after it)."""
    longest = 0
    for indicator in definitions.indicators.values():
        for variant in indicator.variants:
            params = indicator.params(variant)
            for key in ("months", "window_months"):
                if key in params:
                    longest = max(longest, int(params[key]))
    return longest


def _read_state(session: Session) -> dict[tuple[str, str], str]:
    rows = session.execute(select(FactRebuildState.scope, FactRebuildState.key, FactRebuildState.digest))
    return {(scope, key): digest for scope, key, digest in rows}


def _write_state(session: Session, digests: dict[tuple[str, str], str], settings: dict[str, str]) -> None:
    session.execute(delete(FactRebuildState))
    rows = [{"scope": t, "key": k, "digest": v} for (t, k), v in digests.items()]
    rows += [{"scope": STATE, "key": k, "digest": v} for k, v in settings.items()]
    if rows:
        session.execute(insert(FactRebuildState), rows)


#: Indicator rows protected and handed on together: at least this many (small indicators are batched, since
#: each call of the disclosure control costs a fixed few milliseconds per pass).
BATCH_ROWS = 100_000
#: Indicators computed at the same time, in threads: polars does its work without the interpreter lock, so
#: one indicator's single-threaded stretches (joins, sorts, Python between the steps) overlap another's.
WORKERS = 2


def iter_facts(
    inputs: Inputs,
    definitions: Definitions,
    *,
    as_of: dt.date,
    since: dt.date,
    protect: bool = True,
    batch_rows: int = BATCH_ROWS,
    workers: int = WORKERS,
) -> Iterator[tuple[str, pl.DataFrame]]:
    """The fact rows for the periods from ``since`` to ``as_of`` with their disclosure control, in batches of
    whole indicators (``("indicator", rows)``, in the order of the indicator ids, each batch at least
    ``batch_rows`` rows but the last), then ``("month_end", rows)``. ``workers`` indicators (and the
    month-end figures) are computed at a time; the results do not depend on it.

    Disclosure control protects each batch on its own: every relation it checks (municipalities → area,
    lines → all, months → quarter → year) lies within one indicator and variant, so the decisions are the
    same as over all indicators at once."""
    ctx = Context(definitions=definitions, as_of=as_of, since=since)
    rule = DisclosureRule(definitions.disclosure.min_persons, definitions.disclosure.protect_outcomes)
    ids = sorted(definitions.indicators)
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="scorecard")
    try:
        computed = [pool.submit(compute_indicators, inputs, ctx, [indicator_id]) for indicator_id in ids]
        month_end_rows = pool.submit(compute_month_end, inputs, ctx)
        pending: list[pl.DataFrame] = []
        for n, future in enumerate(computed, start=1):
            rows = future.result()
            if rows.height:
                pending.append(rows)
            if pending and (n == len(ids) or sum(f.height for f in pending) >= batch_rows):
                batch = pl.concat(pending)
                pending = []
                yield "indicator", protect_facts(batch, rule) if protect else batch
        month_end = month_end_rows.result()
    finally:
        # when the caller stops early, what has not started is not computed
        pool.shutdown(wait=True, cancel_futures=True)
    yield "month_end", protect_month_end(month_end, rule) if protect else month_end


def compute_facts(
    inputs: Inputs, definitions: Definitions, *, as_of: dt.date, since: dt.date, protect: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The fact rows for the periods from ``since`` to ``as_of``, with their disclosure control (no database
    needed): ``(ft_indicator rows, ft_month_end rows)``."""
    parts: dict[str, list[pl.DataFrame]] = {"indicator": [], "month_end": []}
    for kind, rows in iter_facts(inputs, definitions, as_of=as_of, since=since, protect=protect):
        parts[kind].append(rows)
    if not parts["indicator"]:
        empty = pl.DataFrame(schema=FACT_SCHEMA)
        parts["indicator"].append(empty.with_columns(suppression=pl.lit("")) if protect else empty)
    return pl.concat(parts["indicator"]), pl.concat(parts["month_end"])


@dataclass
class Written:
    indicator_rows: int = 0
    month_end_rows: int = 0
    #: time spent writing (the rest of the wall-clock time went to computing what the writes did not overlap)
    seconds: float = 0.0


def write_facts(
    session: Session,
    facts: Iterable[tuple[str, pl.DataFrame]],
    *,
    computed_at: dt.datetime,
    snapshot_ids: Collection[str] = (),
) -> Written:
    """Insert the batches of :func:`iter_facts` as they come: :func:`iter_facts` computes the next indicators
    in its threads meanwhile, and the session stays in the caller's thread. For a snapshot indicator, the
    stored periods it brings anew are deleted first (its other periods are kept)."""
    stamp = pl.lit(computed_at, dtype=pl.Datetime("us"))
    written = Written()
    for kind, rows in facts:
        started = time.perf_counter()
        if kind == "month_end":
            table = cast(Table, FactMonthEnd.__table__)
            written.month_end_rows += insert_frame(session, table, rows.with_columns(computed_at=stamp))
        else:
            snapshot = rows.filter(pl.col("indicator_id").is_in(list(snapshot_ids)))
            if snapshot.height:
                session.execute(
                    delete(FactIndicator).where(
                        FactIndicator.indicator_id.in_(snapshot_ids),
                        FactIndicator.period.in_(snapshot.get_column("period").unique().to_list()),
                    )
                )
            table = cast(Table, FactIndicator.__table__)
            written.indicator_rows += insert_frame(session, table, rows.with_columns(computed_at=stamp))
        written.seconds += time.perf_counter() - started
    return written


def rebuild(
    *,
    session: Session,
    area: Area | None = None,
    as_of: dt.date | None = None,
    full: bool = False,
    inputs: Inputs | None = None,
) -> RebuildReport:
    """Rebuild the fact tables (incrementally when possible). The caller commits."""
    clock = time.perf_counter()
    area = area or load_area()
    definitions = load_definitions(area)
    as_of = as_of or today()
    seconds: dict[str, float] = {}
    inputs = inputs or load_inputs(session)
    seconds["load"] = time.perf_counter() - clock

    mark = time.perf_counter()
    current = input_digests(inputs)
    previous = _read_state(session)
    mode, since, reason = plan(
        previous=previous, current=current, as_of=as_of, definitions=definitions, full=full
    )
    seconds["plan"] = time.perf_counter() - mark
    report = RebuildReport(mode=mode, as_of=as_of, since=since, reason=reason, seconds=seconds)
    if since is None:
        seconds["total"] = time.perf_counter() - clock
        return report

    mark = time.perf_counter()
    snapshot_ids = [
        i.id for i in definitions.indicators.values() if i.spec.computation in SNAPSHOT_COMPUTATIONS
    ]
    first_label = f"{since.year:04d}"
    session.execute(
        delete(FactIndicator).where(
            FactIndicator.period >= first_label, FactIndicator.indicator_id.not_in(snapshot_ids)
        )
    )
    session.execute(delete(FactMonthEnd).where(FactMonthEnd.month >= f"{since.year:04d}-{since.month:02d}"))
    # each batch of indicators is written while the next ones are computed
    facts = iter_facts(inputs, definitions, as_of=as_of, since=since)
    written = write_facts(
        session,
        facts,
        computed_at=now().replace(tzinfo=None),  # Helsinki wall-clock time
        snapshot_ids=snapshot_ids,
    )
    report.indicator_rows, report.month_end_rows = written.indicator_rows, written.month_end_rows
    _write_state(
        session,
        current,
        {"fingerprint": _fingerprint(definitions), "as_of": as_of.isoformat(), "since": since.isoformat()},
    )
    session.flush()
    # computing and writing overlap: "write" is the time spent writing, "compute" the rest
    seconds["write"] = written.seconds
    seconds["compute"] = time.perf_counter() - mark - written.seconds
    seconds["total"] = time.perf_counter() - clock
    return report
