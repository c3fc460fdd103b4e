"""Reporting periods of the scorecard: a year (``2025``), a quarter (``2025-Q3``) or a month (``2025-07``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from alue.shared.time import DateRange, iter_months

PeriodKind = Literal["year", "quarter", "month"]
KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|q[1-4]|\d{2}))?$")


@dataclass(frozen=True, order=True)
class Period:
    kind: PeriodKind
    year: int
    number: int  # quarter 1–4, month 1–12, 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text.strip())
        if match is None:
            raise ValueError(f"not a period: {text!r} (use 2025, 2025-Q3 or 2025-07)")
        year = int(match.group(1))
        part = match.group(2)
        if part is None:
            return cls("year", year, 1)
        if part.upper().startswith("Q"):
            return cls("quarter", year, int(part[1]))
        month = int(part)
        if not 1 <= month <= 12:
            raise ValueError(f"not a month: {text!r}")
        return cls("month", year, month)

    @classmethod
    def of(cls, kind: PeriodKind, day: dt.date) -> Period:
        if kind == "year":
            return cls("year", day.year, 1)
        if kind == "quarter":
            return cls("quarter", day.year, (day.month - 1) // 3 + 1)
        return cls("month", day.year, day.month)

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def range(self) -> DateRange:
        if self.kind == "year":
            return DateRange.year(self.year)
        if self.kind == "quarter":
            return DateRange.quarter(self.year, self.number)
        return DateRange.month(self.year, self.number)

    @property
    def start(self) -> dt.date:
        return self.range.start

    @property
    def end(self) -> dt.date:
        end = self.range.end
        assert end is not None
        return end

    @property
    def months(self) -> int:
        return {"year": 12, "quarter": 3, "month": 1}[self.kind]

    def month_keys(self) -> list[str]:
        return [f"{y:04d}-{m:02d}" for y, m in iter_months(self.start, self.end)]

    def previous_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.number)

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods of the same kind later (earlier when negative)."""
        per_year = {"year": 1, "quarter": 4, "month": 12}[self.kind]
        index = self.year * per_year + self.number - 1 + steps
        year, rest = divmod(index, per_year)
        return Period(self.kind, year, rest + 1)

    def children(self, kind: PeriodKind) -> list[Period]:
        """The periods of a finer kind inside this one (the months of a quarter …)."""
        first = Period.of(kind, self.start)
        result = [first]
        while result[-1].end < self.end:
            result.append(result[-1].shift(1))
        return result
