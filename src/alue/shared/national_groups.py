"""National occupation groups of the statistics read as ESCO's ISCO-08 groups.

The employment-service statistics count people and vacancies by Statistics Finland's national version
of ISCO-08 (Classification of Occupations 2010); ESCO codes its occupations with the international
ISCO-08. Where the two differ (``national_groups.yaml`` beside this module: registered nurses are 3221
nationally and 2221 in ESCO), the statistics are read with :func:`esco_group`, which puts the national
group's figures in ESCO's group before they are summed. :func:`read_occupation_statistics` is the one
reader of the monthly statistics by occupation that does so (shortage and balance, the scorecard's
derived shortage list, the demo's occupation mix).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

_UNIT_GROUP = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class GroupCrosswalk:
    """National unit group → ESCO's unit group, with where the rule comes from and since when."""

    groups: dict[str, str]
    source: str
    valid_from: dt.date

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> GroupCrosswalk:
        groups: dict[str, str] = {}
        for national, esco in (data.get("groups") or {}).items():
            if not (_UNIT_GROUP.fullmatch(str(national)) and _UNIT_GROUP.fullmatch(str(esco))):
                raise ValueError(
                    f"national_groups.yaml: groups: {national!r}: {esco!r} is not two ISCO-08 unit groups"
                )
            groups[str(national)] = str(esco)
        valid_from = data.get("valid_from")
        if not isinstance(valid_from, dt.date):
            raise ValueError(f"national_groups.yaml: valid_from: {valid_from!r} is not a date")
        return cls(groups, str(data.get("source") or ""), valid_from)


@cache
def national_groups() -> GroupCrosswalk:
    """The crosswalk of ``national_groups.yaml`` shipped with the package."""
    import yaml

    path = Path(__file__).with_name("national_groups.yaml")
    return GroupCrosswalk.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def esco_group(column: str = "occupation_group") -> pl.Expr:
    """The statistics' occupation-group ``column`` with each national group read as ESCO's group."""
    groups = national_groups().groups
    return pl.col(column).replace(groups) if groups else pl.col(column)


def read_occupation_statistics(
    path: Path, area_code: str, *, suppressed_unemployed: float, suppressed_vacancies: float = 0.0
) -> pl.DataFrame:
    """The monthly statistics by occupation of one area, by ESCO's unit groups.

    Columns ``occupation_group``, ``month``, ``unemployed_month_end``, ``open_vacancies_month_end``; one
    row per group and month, the figures of a national group added to its ESCO group (:func:`esco_group`).
    Rows of the statistics' other codes (``SSS`` for all occupations, ``X…`` for unknown ones) are left
    out. A suppressed cell (empty: a small number) counts as ``suppressed_unemployed`` or
    ``suppressed_vacancies``.
    """
    frame = pl.read_csv(
        path, schema_overrides={"occupation_group": pl.String, "area": pl.String, "month": pl.String}
    )
    return (
        frame.filter((pl.col("area") == area_code) & pl.col("occupation_group").str.contains(r"^[0-9]{4}$"))
        .with_columns(
            esco_group(),
            pl.col("unemployed_month_end").cast(pl.Float64).fill_null(suppressed_unemployed),
            pl.col("open_vacancies_month_end").cast(pl.Float64).fill_null(suppressed_vacancies),
        )
        .group_by("occupation_group", "month")
        .agg(pl.col("unemployed_month_end").sum(), pl.col("open_vacancies_month_end").sum())
        .sort("occupation_group", "month")
    )
