import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alue.shared.time import (
    DateRange,
    DateSet,
    add_months,
    add_working_days,
    is_working_day,
    last_working_day_of_month,
    parse_date,
    working_days_between,
)

D = dt.date


def test_range_is_inclusive() -> None:
    r = DateRange(D(2025, 1, 1), D(2025, 1, 31))
    assert r.includes(D(2025, 1, 31))
    assert not r.includes(D(2025, 2, 1))
    assert r.days() == 31
    assert DateRange(D(2025, 1, 1)).includes(D(2099, 1, 1))


def test_range_rejects_end_before_start() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        DateRange(D(2025, 2, 1), D(2025, 1, 31))


def test_dateset_merges_adjacent_and_reports_gaps() -> None:
    s = DateSet(
        [
            DateRange(D(2025, 1, 1), D(2025, 1, 10)),
            DateRange(D(2025, 1, 11), D(2025, 1, 20)),
            DateRange(D(2025, 2, 1), None),
        ]
    )
    assert s.ranges == (DateRange(D(2025, 1, 1), D(2025, 1, 20)), DateRange(D(2025, 2, 1), None))
    assert s.gaps() == [DateRange(D(2025, 1, 21), D(2025, 1, 31))]
    assert s.total_days(until=D(2025, 2, 3)) == 23


def test_dateset_intersection() -> None:
    s = DateSet([DateRange(D(2025, 1, 1), D(2025, 3, 31))])
    assert s.intersection(DateRange.month(2025, 2)).ranges == (DateRange.month(2025, 2),)
    assert not s.intersection(DateRange.month(2025, 5))


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(st.lists(st.tuples(dates, st.integers(0, 400)), max_size=12))
def test_dateset_covers_exactly_the_union(parts: list[tuple[dt.date, int]]) -> None:
    ranges = [DateRange(start, start + dt.timedelta(days=n)) for start, n in parts]
    merged = DateSet(ranges)
    union = {d for r in ranges for d in r.iter_days()}
    assert {d for r in merged for d in r.iter_days()} == union
    for a, b in zip(merged.ranges, merged.ranges[1:], strict=False):
        assert a.end is not None
        assert b.start > a.end + dt.timedelta(days=1)


def test_finnish_holidays_are_not_working_days() -> None:
    assert not is_working_day(D(2025, 12, 24))  # jouluaatto
    assert not is_working_day(D(2025, 12, 25))
    assert not is_working_day(D(2026, 1, 6))  # loppiainen
    assert not is_working_day(D(2025, 6, 20))  # juhannusaatto (Friday)
    assert not is_working_day(D(2026, 4, 3))  # pitkäperjantai
    assert is_working_day(D(2025, 12, 29))


def test_add_working_days_skips_weekends_and_holidays() -> None:
    # Tue 23.12.2025 + 5 working days: 24, 25, 26 are holidays, 27–28 weekend → 29, 30, 31, 2.1., 5.1.
    assert add_working_days(D(2025, 12, 23), 5) == D(2026, 1, 5)
    assert working_days_between(D(2025, 12, 23), D(2026, 1, 5)) == 5


def test_count_day_is_last_working_day() -> None:
    assert last_working_day_of_month(2025, 5) == D(2025, 5, 30)  # 31.5.2025 is a Saturday
    assert last_working_day_of_month(2025, 12) == D(2025, 12, 31)


def test_add_months_clamps() -> None:
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)


@pytest.mark.parametrize("text", ["2025-01-31", "31.1.2025", " 31.01.2025 "])
def test_parse_date_accepts_both_forms(text: str) -> None:
    assert parse_date(text) == D(2025, 1, 31)


@pytest.mark.parametrize(
    "text", ["", "31/1/2025", "2025-13-01", "32.1.2025", "1.1.25", "2025-01-311", "2025-01-31x"]
)
def test_parse_date_rejects_with_message(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


@given(st.text(max_size=20))
def test_parse_date_never_crashes_unexpectedly(text: str) -> None:
    with contextlib.suppress(ValueError):
        parse_date(text)
