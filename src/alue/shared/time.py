"""Time as a domain type: Helsinki dates, inclusive date ranges, date sets and Finnish working days.

Every date in alue is a calendar date in Europe/Helsinki. Ranges have an *inclusive* end, as in the
registers (a spell that ends on 31.1. includes 31.1.); ``end=None`` means the range is still open.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

HELSINKI = ZoneInfo("Europe/Helsinki")
ONE_DAY = dt.timedelta(days=1)


def now() -> dt.datetime:
    """The current moment, zoned to Helsinki."""
    return dt.datetime.now(tz=HELSINKI)


def today() -> dt.date:
    """Today's date in Helsinki (not in UTC: at 01:30 Helsinki time UTC still has yesterday)."""
    return now().date()


@dataclass(frozen=True, order=True, slots=True)
class DateRange:
    """A range of calendar days with an inclusive end; ``end is None`` is an open range."""

    start: dt.date
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"range ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def month(cls, year: int, month: int) -> DateRange:
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def year(cls, year: int) -> DateRange:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> DateRange:
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1-4, not {quarter}")
        first = 3 * (quarter - 1) + 1
        return cls(dt.date(year, first, 1), DateRange.month(year, first + 2).end)

    def includes(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: DateRange) -> bool:
        return self.intersection(other) is not None

    def intersection(self, other: DateRange) -> DateRange | None:
        start = max(self.start, other.start)
        ends = [e for e in (self.end, other.end) if e is not None]
        end = min(ends) if ends else None
        if end is not None and end < start:
            return None
        return DateRange(start, end)

    def adjacent_or_overlapping(self, other: DateRange) -> bool:
        first, second = sorted((self, other), key=lambda r: r.start)
        return first.end is None or second.start <= first.end + ONE_DAY

    def days(self, until: dt.date | None = None) -> int:
        """Number of days in the range; an open range is counted up to ``until`` (inclusive)."""
        end = self.end if self.end is not None else until
        if end is None:
            raise ValueError("an open range has no length without `until`")
        if end < self.start:
            return 0
        return (min(end, until) if until is not None else end).toordinal() - self.start.toordinal() + 1

    def iter_days(self, until: dt.date | None = None) -> Iterator[dt.date]:
        end = self.end if self.end is not None else until
        if end is None:
            raise ValueError("cannot iterate an open range without `until`")
        day = self.start
        while day <= end:
            yield day
            day += ONE_DAY

    def __str__(self) -> str:
        return f"{self.start.isoformat()}–{self.end.isoformat() if self.end else ''}"


class DateSet:
    """A set of days stored as sorted, non-overlapping, non-adjacent ranges (adjacent ones merge)."""

    __slots__ = ("_ranges",)

    def __init__(self, ranges: Iterable[DateRange] = ()) -> None:
        self._ranges: tuple[DateRange, ...] = _merge(ranges)

    @property
    def ranges(self) -> tuple[DateRange, ...]:
        return self._ranges

    def __iter__(self) -> Iterator[DateRange]:
        return iter(self._ranges)

    def __bool__(self) -> bool:
        return bool(self._ranges)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateSet) and self._ranges == other._ranges

    def __hash__(self) -> int:
        return hash(self._ranges)

    def __repr__(self) -> str:
        return f"DateSet({[str(r) for r in self._ranges]})"

    def add(self, other: DateRange | DateSet) -> DateSet:
        extra = other.ranges if isinstance(other, DateSet) else (other,)
        return DateSet((*self._ranges, *extra))

    def includes(self, day: dt.date) -> bool:
        return any(r.includes(day) for r in self._ranges)

    def range_containing(self, day: dt.date) -> DateRange | None:
        for r in self._ranges:
            if r.includes(day):
                return r
        return None

    def intersection(self, other: DateRange | DateSet) -> DateSet:
        others = other.ranges if isinstance(other, DateSet) else (other,)
        parts = [i for a in self._ranges for b in others if (i := a.intersection(b)) is not None]
        return DateSet(parts)

    def gaps(self) -> list[DateRange]:
        """The days between the ranges (never before the first or after the last)."""
        result = []
        for a, b in zip(self._ranges, self._ranges[1:], strict=False):
            assert a.end is not None  # only the last range can be open
            result.append(DateRange(a.end + ONE_DAY, b.start - ONE_DAY))
        return result

    def total_days(self, until: dt.date | None = None) -> int:
        return sum(r.days(until) for r in self._ranges if until is None or r.start <= until)


def _merge(ranges: Iterable[DateRange]) -> tuple[DateRange, ...]:
    merged: list[DateRange] = []
    for r in sorted(ranges, key=lambda x: x.start):
        if merged and merged[-1].adjacent_or_overlapping(r):
            last = merged[-1]
            end = None if last.end is None or r.end is None else max(last.end, r.end)
            merged[-1] = DateRange(last.start, end)
        else:
            merged.append(r)
    return tuple(merged)


@lru_cache(maxsize=64)
def finnish_holidays(year: int) -> frozenset[dt.date]:
    """Finnish public holidays of a year (including Midsummer Eve and Christmas Eve, which are days off)."""
    fi = holidays.country_holidays("FI", years=year)
    days = set(fi.keys())
    # Juhannusaatto and jouluaatto are not statutory holidays but the offices are closed; the
    # holidays package lists them as FI holidays in current releases; add them defensively.
    days.add(dt.date(year, 12, 24))
    midsummer_eve = next(
        d for d in (dt.date(year, 6, 19) + dt.timedelta(n) for n in range(7)) if d.weekday() == 4
    )
    days.add(midsummer_eve)
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    """Monday–Friday and not a Finnish public holiday."""
    return day.weekday() < 5 and day not in finnish_holidays(day.year)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (``day`` itself is not counted)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    current = day
    remaining = n
    while remaining:
        current += ONE_DAY
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days have passed from ``start`` to ``end``."""
    if end <= start:
        return 0
    return sum(1 for d in DateRange(start + ONE_DAY, end).iter_days() if is_working_day(d))


def last_working_day_of_month(year: int, month: int) -> dt.date:
    """The statistics count day: the last working day of the month."""
    day = DateRange.month(year, month).end
    assert day is not None
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def month_end(year: int, month: int) -> dt.date:
    end = DateRange.month(year, month).end
    assert end is not None
    return end


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day (31.1. + 1 month = 28./29.2.)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def parse_date(text: str) -> dt.date:
    """Accept ISO dates (2025-01-31) and Finnish dates (31.1.2025)."""
    value = text.strip()
    if not value:
        raise ValueError("empty date")
    if "." in value:
        parts = value.rstrip(".").split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"not a date in the form 31.1.2025: {text!r}")
        day, month, year = (int(p) for p in parts)
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"not a date ({exc}): {text!r}") from exc
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(f"not a date (use 2025-01-31 or 31.1.2025): {text!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not a date (use 2025-01-31 or 31.1.2025): {text!r}") from exc


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def iter_months(first: dt.date, last: dt.date) -> Iterator[tuple[int, int]]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
