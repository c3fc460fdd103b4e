"""National occupation groups of the statistics read as ESCO's ISCO-08 groups.

The employment-service statistics count people and vacancies by Statistics Finland's national version
of ISCO-08 (Classification of Occupations 2010); ESCO codes its occupations with the international
ISCO-08. Where the two differ (``national_groups.yaml`` beside this module: registered nurses are 3221
nationally and 2221 in ESCO), the statistics are read with :func:`esco_group`, which puts the national
group's figures in ESCO's group before they are summed.
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
