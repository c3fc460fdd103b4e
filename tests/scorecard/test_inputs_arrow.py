"""Reading the scorecard's inputs from a SQLite file through the ADBC driver (columnar) gives exactly the
frames of the Python driver, and is used only where its own connection sees what the session sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.service import sync_area
from alue.people.models import SpellEndReason, Status
from alue.scorecard import inputs as inputs_module
from alue.scorecard.inputs import ArrowReader, load_inputs
from alue.scorecard.models import ShortageOccupation
from alue.shared import migrate
from alue.shared.db import make_engine

from .factories import (
    add_episode,
    add_participation,
    add_spell,
    add_survey,
    end_spell,
    make_partner,
    make_person,
    make_service,
    move,
)

D = dt.date
SOURCE = 'Barometer, "Satakunta"\nsecond line, with commas'


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory, area: Area) -> Iterator[Engine]:
    """A committed SQLite file with every input table filled, awkward values included."""
    engine = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('arrow')) / 'inputs.db'}")
    migrate.upgrade(engine)
    with Session(engine) as session:
        sync_area(session=session, area=area)
        service = make_service(session)
        for i in range(12):
            person = make_person(session, municipality="609" if i % 2 else "886")
            spell = add_spell(session, person, [(Status.UNEMPLOYED, D(2024, 1 + i % 12, 1), D(2024, 12, 31))])
            if i % 3 == 0:
                end_spell(session, spell, D(2024, 12, 31), SpellEndReason.EMPLOYED_OPEN_MARKET)
                add_episode(session, person, D(2025, 1, 1), None if i % 2 else D(2025, 6, 30))
            if i % 4 == 0:
                add_participation(session, person, service, D(2024, 3, 1), D(2024, 5, 31), cost="1234.56")
            if i == 5:
                move(session, person, [("609", D(2020, 1, 1), D(2024, 6, 30)), ("079", D(2024, 7, 1), None)])
        make_partner(session, agreement=True)
        make_partner(session, agreement=False, municipality=None)
        add_survey(session, "customer_experience", D(2024, 6, 1), 4.5, channel=None)
        session.add(
            ShortageOccupation(
                isco4="8160",
                valid_from=D(2024, 1, 1),
                valid_to=D(2024, 12, 31),
                rating="shortage",
                basis="barometer",
                source=SOURCE,
            )
        )
        session.commit()
    yield engine
    engine.dispose()


def _read(engine: Engine) -> dict[str, pl.DataFrame]:
    with Session(engine) as session:
        return load_inputs(session).tables()


def test_arrow_reads_give_the_python_drivers_frames(
    sqlite_file: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[bool] = []
    read = ArrowReader.read

    def recording(self: ArrowReader, sql: str) -> pl.DataFrame | None:
        frame = read(self, sql)
        used.append(frame is not None)
        return frame

    monkeypatch.setattr(ArrowReader, "read", recording)
    arrow = _read(sqlite_file)
    assert used
    assert all(used)  # every table came through the columnar reader
    monkeypatch.setenv("ALUE_SQLITE_ARROW", "0")
    used.clear()
    plain = _read(sqlite_file)
    assert used == []
    for name, frame in plain.items():
        assert arrow[name].schema == frame.schema, name
        assert arrow[name].equals(frame), name
    assert plain["periods"].height >= 12
    assert plain["shortage"].get_column("source").to_list() == [
        'Barometer, "Satakunta"\nsecond line, with commas'
    ]
    assert plain["participations"].get_column("cost").to_list() == [1234.56, 1234.56, 1234.56]
    assert plain["partners"].get_column("partnership_agreement").sort().to_list() == [False, True]


def test_uncommitted_rows_are_read_by_the_sessions_own_connection(sqlite_file: Engine) -> None:
    with Session(sqlite_file) as session:
        assert ArrowReader.for_session(session.connection()) is not None
        before = load_inputs(session).persons.height
        make_person(session)  # flushed, not committed: another connection would not see it
        assert ArrowReader.for_session(session.connection()) is None
        assert load_inputs(session).persons.height == before + 1
        session.rollback()


def test_a_driver_error_falls_back_to_the_python_driver(
    sqlite_file: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _read(sqlite_file)

    def failing(self: ArrowReader, sql: str) -> pl.DataFrame | None:
        return None  # as ``read`` answers when the driver raises

    monkeypatch.setattr(ArrowReader, "read", failing)
    for name, frame in _read(sqlite_file).items():
        assert frame.equals(expected[name]), name
    monkeypatch.setattr(inputs_module.ArrowReader, "for_session", classmethod(lambda cls, c: None))
    assert _read(sqlite_file)["persons"].equals(expected["persons"])
