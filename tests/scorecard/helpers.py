"""Shared helpers of the scorecard tests: compute facts from the session and pick cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.scorecard.compute import Context
from alue.scorecard.definitions import load_definitions
from alue.scorecard.facts import compute_facts
from alue.scorecard.inputs import Inputs, load_inputs

D = dt.date
AS_OF = D(2025, 12, 31)
SINCE = D(2025, 1, 1)


def facts(
    session: Session, area: Area, *, as_of: dt.date = AS_OF, since: dt.date = SINCE
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return compute_facts(load_inputs(session), load_definitions(area), as_of=as_of, since=since)


def context(area: Area, *, as_of: dt.date = AS_OF, since: dt.date = SINCE) -> Context:
    return Context(definitions=load_definitions(area), as_of=as_of, since=since)


def inputs(session: Session) -> Inputs:
    return load_inputs(session)


def cell(
    frame: pl.DataFrame,
    indicator: str,
    period: str,
    *,
    variant: str = "",
    m: str = "*",
    g: str = "*",
    line: str = "*",
) -> dict[str, Any] | None:
    rows = frame.filter(
        (pl.col("indicator_id") == indicator)
        & (pl.col("variant") == variant)
        & (pl.col("period") == period)
        & (pl.col("municipality_code") == m)
        & (pl.col("customer_group") == g)
        & (pl.col("service_line") == line)
    )
    assert rows.height <= 1, rows
    return rows.row(0, named=True) if rows.height else None


def ratio(row: dict[str, Any] | None) -> tuple[float, float] | None:
    """(numerator, denominator) of a fact row, for exact comparisons."""
    return None if row is None else (row["numerator"], row["denominator"])
