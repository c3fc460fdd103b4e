"""The month-end unemployed computed from the platform's data against the official series
(``area_statistic``).

A hand-made version runs always; the demo version builds a small demo area (when ``alue.demo`` is there)
and requires the area's month-end unemployed to be within 5 % of the official figure in every month.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.models import AreaStatistic
from alue.people.models import Status
from alue.scorecard.definitions import load_definitions
from alue.scorecard.facts import rebuild
from alue.scorecard.models import ALL
from alue.scorecard.queries import month_end
from alue.shared.db import make_engine

from .factories import add_spell, make_person
from .helpers import D

TOLERANCE_PERCENT = 5.0


def test_hand_made_month_end_against_the_official_series(session: Session, area) -> None:
    """31.3.2025: 40 unemployed in Pori, 12 in Ulvila, 6 in Nakkila. Official: Pori 41, Ulvila 12, Nakkila
    6 and 0 in the other eight → area 59 against 58 (−1.7 %), Pori −2.4 %."""
    counts = {"609": 40, "886": 12, "531": 6}
    birth = dt.date(1970, 1, 1)
    for code, n in counts.items():
        for i in range(n):
            person = make_person(session, municipality=code, birth_date=birth + dt.timedelta(days=37 * i))
            add_spell(session, person, [(Status.UNEMPLOYED, D(2025, 2, 1) + dt.timedelta(days=i % 20), None)])
    official = dict.fromkeys(area.codes, 0) | {"609": 41, "886": 12, "531": 6}
    for code, value in official.items():
        session.add(
            AreaStatistic(
                statistic="unemployed_month_end",
                area_code=f"KU{code}",
                month="2025-03",
                value=value,
                source="official",
                note="test",
            )
        )
    session.flush()
    rebuild(session=session, area=area, as_of=D(2025, 3, 31))
    rows = {r.municipality_code: r for r in month_end(session, load_definitions(area), "2025-03")}
    assert rows[ALL].measures["unemployed"] == 58
    assert rows[ALL].official_unemployed == 59
    assert rows[ALL].difference_percent == pytest.approx(-100 / 59)
    assert rows["609"].difference_percent == pytest.approx(-100 / 41)
    assert all(
        abs(r.difference_percent) <= TOLERANCE_PERCENT
        for r in rows.values()
        if r.difference_percent is not None
    )
    assert rows["230"].official_unemployed == 0
    assert rows["230"].difference_percent is None


DEMO_AVAILABLE = importlib.util.find_spec("alue.demo.build") is not None


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory, area) -> Iterator[Engine]:
    from alue.demo.build import build_demo

    engine = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('demo')) / 'demo.db'}")
    build_demo(
        engine=engine, area=area, seed=11, start="2023-04", until="2023-10", today=dt.date(2023, 11, 15)
    )
    yield engine
    engine.dispose()


@pytest.mark.slow
@pytest.mark.skipif(not DEMO_AVAILABLE, reason="alue.demo (the demo generator) is not importable")
def test_demo_month_end_unemployed_within_five_percent_of_official(demo_engine: Engine, area) -> None:
    with Session(demo_engine) as session:
        rebuild(session=session, area=area, as_of=dt.date(2023, 10, 31))
        definitions = load_definitions(area)
        checked = 0
        for month in ("2023-05", "2023-06", "2023-07", "2023-08", "2023-09", "2023-10"):
            area_row = month_end(session, definitions, month)[0]
            assert area_row.municipality_code == ALL
            assert area_row.official_unemployed, f"no official figure for {month}"
            assert abs(area_row.difference_percent) <= TOLERANCE_PERCENT, (month, area_row)
            checked += 1
        assert checked == 6
        session.rollback()
