"""Shortage, balance and surplus per ISCO group and half-year (R-G1)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

from sqlalchemy.orm import Session

from alue.matching.shortage import SHORTAGE_RATIO, SURPLUS_RATIO, occupation_balance
from alue.people.models import PersonOccupation, Status
from alue.scorecard.models import ShortageOccupation
from tests.io.factories import make_employer, make_person, make_spell, make_vacancy

DAY = dt.date(2026, 11, 23)
#: the statistics end in 2023-10, so a 2026 half-year uses the latest twelve months
WINDOW = [f"2022-{m:02d}" for m in (11, 12)] + [f"2023-{m:02d}" for m in range(1, 11)]
EARLIER = [f"2021-{m:02d}" for m in (11, 12)] + [f"2022-{m:02d}" for m in range(1, 11)]


def ratio_from_file(data_dir: Path, isco: str, months: list[str]) -> float:
    """The vacancies-per-unemployed ratio computed straight from the statistics file."""
    u = v = 0.0
    with gzip.open(
        data_dir / "stats" / "tyonvalitys_occupations_monthly.csv.gz", "rt", encoding="utf-8"
    ) as fh:
        for row in csv.DictReader(fh):
            if row["area"] == "MK04" and row["occupation_group"] == isco and row["month"] in months:
                u += float(row["unemployed_month_end"] or 2.0)
                v += float(row["open_vacancies_month_end"] or 0.0)
    return v / max(u, 1.0)


def test_status_comes_from_the_statistics_ratio(session: Session, data_dir: Path) -> None:
    rows = {r.isco4: r for r in occupation_balance(session, on=DAY, data_dir=data_dir)}
    drivers, food = rows["8332"], rows["8160"]  # truck drivers, food-processing workers
    expected = ratio_from_file(data_dir, "8332", WINDOW)
    assert drivers.ratio is not None
    assert abs(drivers.ratio - expected) < 1e-9
    assert expected <= SURPLUS_RATIO
    assert drivers.status == "surplus"
    assert food.ratio is not None
    assert food.ratio >= SHORTAGE_RATIO
    assert food.status == "shortage"
    assert (drivers.period_start, drivers.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert drivers.basis == "statistics"
    assert "MK04 2022-11–2023-10 (latest available)" in drivers.source
    before = ratio_from_file(data_dir, "8332", EARLIER)
    change = (expected - before) / before
    assert drivers.trend == ("rising" if change > 0.15 else "falling" if change < -0.15 else "stable")
    statuses = {r.status for r in rows.values()}
    assert statuses == {"shortage", "balance", "surplus"}


def test_a_stored_shortage_list_wins_and_the_barometer_wins_over_a_derived_list(
    session: Session, data_dir: Path
) -> None:
    half = (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    session.add_all(
        [
            ShortageOccupation(
                isco4="8332",
                valid_from=half[0],
                valid_to=half[1],
                rating="shortage",
                basis="derived",
                source="derived: test",
                ratio=1.2,
            ),
            ShortageOccupation(
                isco4="8332",
                valid_from=half[0],
                valid_to=half[1],
                rating="much_shortage",
                basis="barometer",
                source="Työvoimabarometri 2/2026",
            ),
            ShortageOccupation(
                isco4="9999",
                valid_from=dt.date(2026, 1, 1),
                valid_to=dt.date(2026, 6, 30),
                rating="shortage",
                basis="barometer",
                source="earlier half-year",
            ),
        ]
    )
    session.flush()
    rows = {r.isco4: r for r in occupation_balance(session, on=DAY, data_dir=data_dir)}
    assert rows["8332"].status == "shortage"
    assert rows["8332"].basis == "barometer"
    assert rows["8332"].source == "Työvoimabarometri 2/2026"
    assert "9999" not in rows  # listed for another half-year only


def test_the_areas_vacancies_and_jobseekers_are_counted(session: Session, data_dir: Path) -> None:
    pori = make_employer(session, municipality_code="609")
    helsinki = make_employer(session, municipality_code="091")
    open_on = {"published_on": DAY - dt.timedelta(days=5), "closes_on": DAY + dt.timedelta(days=5)}
    make_vacancy(session, pori, isco4="8332", positions=3, **open_on)
    make_vacancy(
        session,
        pori,
        isco4="8332",
        positions=7,
        published_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 2, 1),
    )
    make_vacancy(session, pori, isco4="8332", positions=4, filled_on=DAY - dt.timedelta(days=1), **open_on)
    make_vacancy(session, helsinki, isco4="8332", positions=5, **open_on)  # outside the area
    for registered in (True, True, False):
        person = make_person(session, home_municipality_code="609")
        start = DAY - dt.timedelta(days=100)
        make_spell(
            session,
            person,
            [(Status.UNEMPLOYED, start, None if registered else DAY - dt.timedelta(days=10))],
            end=None if registered else DAY - dt.timedelta(days=10),
        )
        for target in (True, False):  # sought and previous occupation: one person counts once
            session.add(
                PersonOccupation(
                    person_id=person.id,
                    esco_uri=f"u{target}",
                    esco_version="1.1.1",
                    isco4="8332",
                    label="kuljettaja",
                    is_target=target,
                )
            )
    session.flush()
    row = next(r for r in occupation_balance(session, on=DAY, data_dir=data_dir) if r.isco4 == "8332")
    assert row.vacancies == 3
    assert row.jobseekers == 2


def test_several_half_years_latest_first(session: Session, data_dir: Path) -> None:
    rows = occupation_balance(session, on=DAY, periods=3, data_dir=data_dir, groups=["8332", "8160"])
    starts = [r.period_start for r in rows]
    assert sorted(set(starts), reverse=True) == [
        dt.date(2026, 7, 1),
        dt.date(2026, 1, 1),
        dt.date(2025, 7, 1),
    ]
    assert starts == sorted(starts, reverse=True)
    assert {r.isco4 for r in rows} == {"8332", "8160"}
    assert len(rows) == 6


def test_without_statistics_every_group_is_in_balance(session: Session, tmp_path: Path) -> None:
    employer = make_employer(session, municipality_code="609")
    make_vacancy(session, employer, isco4="7212", published_on=DAY, closes_on=DAY)
    rows = occupation_balance(session, on=DAY, data_dir=tmp_path)
    assert [(r.isco4, r.status, r.basis, r.vacancies) for r in rows] == [("7212", "balance", "none", 2)]
