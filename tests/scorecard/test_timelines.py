"""The vectorised month-end classification must equal ``Timeline.classify`` (the definition)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alue.people.models import Status
from alue.people.statistics import Period, Timeline
from alue.scorecard.timelines import FLAGS, classify, merge_ranges

D = dt.date
U, L, S, E, SW, OUT = (
    Status.UNEMPLOYED,
    Status.LAID_OFF_FULL,
    Status.IN_SERVICE,
    Status.EMPLOYED,
    Status.SHORTENED_WEEK,
    Status.OUTSIDE_LABOUR_FORCE,
)
BASE = D(2022, 1, 1)


@st.composite
def timelines(draw: st.DrawFn) -> list[Period]:
    """Non-overlapping status periods with gaps and adjacency, the last one possibly open."""
    periods = []
    day = BASE + dt.timedelta(days=draw(st.integers(0, 60)))
    for index in range(draw(st.integers(1, 9))):
        day += dt.timedelta(days=draw(st.sampled_from([0, 0, 0, 1, 5, 20, 31, 45, 120])))
        status = draw(st.sampled_from([U, U, U, L, S, S, E, SW, OUT]))
        length = draw(st.sampled_from([1, 10, 25, 30, 31, 60, 92, 180, 200, 366, 400]))
        last = index == 8 or draw(st.integers(0, 6)) == 0
        if last and draw(st.booleans()):
            periods.append(Period(status, day, None))
            break
        end = day + dt.timedelta(days=length - 1)
        periods.append(Period(status, day, end))
        day = end + dt.timedelta(days=1)
        if last:
            break
    return periods


def _frame(people: list[list[Period]]) -> pl.DataFrame:
    rows = [
        (pid, p.status.value, p.start, p.end) for pid, periods in enumerate(people, start=1) for p in periods
    ]
    return pl.DataFrame(
        rows,
        schema={"person_id": pl.Int64, "status": pl.String, "start_date": pl.Date, "end_date": pl.Date},
        orient="row",
    )


def _expected(periods: list[Period], day: dt.date) -> dict[str, object]:
    c = Timeline(periods).classify(day)
    result: dict[str, object] = {flag: getattr(c, flag) for flag in FLAGS}
    result["structurally_unemployed"] = c.structurally_unemployed
    result["unemployment_duration_days"] = c.unemployment_duration_days
    return result


def _actual(frame: pl.DataFrame, person_id: int, day: dt.date) -> dict[str, object]:
    row = frame.filter((pl.col("person_id") == person_id) & (pl.col("day") == day))
    if row.height == 0:
        return {
            **dict.fromkeys(FLAGS, False),
            "structurally_unemployed": False,
            "unemployment_duration_days": 0,
        }
    assert row.height == 1
    record = row.row(0, named=True)
    return {k: record[k] for k in (*FLAGS, "structurally_unemployed", "unemployment_duration_days")}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(timelines(), min_size=1, max_size=4),
    offsets=st.lists(st.integers(0, 5 * 365), min_size=1, max_size=6),
)
def test_vectorised_equals_timeline_classify(people: list[list[Period]], offsets: list[int]) -> None:
    days = sorted({BASE + dt.timedelta(days=o) for o in offsets})
    frame = classify(_frame(people), days)
    for person_id, periods in enumerate(people, start=1):
        for day in days:
            assert _actual(frame, person_id, day) == _expected(periods, day), (periods, day)


def test_hand_made_person_on_month_ends() -> None:
    # Unemployed 1.1.2024–29.2.2024, service 1.3.–31.5., unemployed 1.6.–20.6., service again 21.6.–31.8.,
    # unemployed from 1.9.2024 (open).
    periods = [
        Period(U, D(2024, 1, 1), D(2024, 2, 29)),
        Period(S, D(2024, 3, 1), D(2024, 5, 31)),
        Period(U, D(2024, 6, 1), D(2024, 6, 20)),
        Period(S, D(2024, 6, 21), D(2024, 8, 31)),
        Period(U, D(2024, 9, 1), None),
    ]
    frame = classify(_frame([periods]), [D(2024, 7, 31), D(2024, 9, 30), D(2025, 9, 30)])
    july = _actual(frame, 1, D(2024, 7, 31))
    assert july["in_service"]
    assert july["service_to_service"]
    assert july["structurally_unemployed"]
    september = _actual(frame, 1, D(2024, 9, 30))
    assert september["unemployed_after_service"]
    assert september["unemployment_duration_days"] == 30
    later = _actual(frame, 1, D(2025, 9, 30))
    assert later["long_term_unemployed"]
    assert not later["unemployed_after_service"]


def test_merge_ranges_joins_adjacent_and_keeps_gaps() -> None:
    frame = pl.DataFrame(
        {
            "person_id": [1, 1, 1, 2],
            "start_date": [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 5), D(2025, 1, 1)],
            "end_date": [D(2025, 1, 31), D(2025, 3, 1), None, D(2025, 1, 10)],
        }
    )
    runs = merge_ranges(frame).sort("person_id", "run_start").rows()
    assert runs == [
        (1, D(2025, 1, 1), D(2025, 3, 1)),
        (1, D(2025, 3, 5), D(9999, 12, 31)),
        (2, D(2025, 1, 1), D(2025, 1, 10)),
    ]


@settings(deadline=None)
@given(birth=st.dates(D(1940, 1, 1), D(2010, 12, 31)), day=st.dates(D(2015, 1, 1), D(2030, 12, 31)))
def test_age_on_a_day_matches_is_young(birth: dt.date, day: dt.date) -> None:
    from alue.people.statistics import is_young
    from alue.scorecard.compute import _age, _date_number

    frame = pl.DataFrame({"b": [birth], "d": [day]}).with_columns(_born=_date_number("b"))
    age = frame.select(_age("_born", "d")).item()
    assert (age < 25) == is_young(birth, day, 25)
    assert (age < 30) == is_young(birth, day, 30)


def test_age_of_a_leap_day_birth() -> None:
    from alue.scorecard.compute import _age, _date_number

    frame = pl.DataFrame(
        {"birth": [D(2000, 2, 29)] * 3, "day": [D(2025, 2, 28), D(2025, 3, 1), D(2024, 2, 29)]}
    ).with_columns(_born=_date_number("birth"))
    assert frame.select(_age("_born", "day")).to_series().to_list() == [24, 25, 24]
