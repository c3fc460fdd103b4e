"""Importing persons keeps their home municipality over time (``person_residence``)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.io import import_file
from alue.io.kinds import people as people_kind
from alue.people.models import Person, Residence

from .factories import make_person, unique_hetu

D = dt.date
IMPORT_DAY = D(2026, 3, 16)


@pytest.fixture(autouse=True)
def fixed_import_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(people_kind, "today", lambda: IMPORT_DAY)


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    headers = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows([r.get(h, "") for h in headers] for r in rows)
    return path


def row_for(hetu: str, municipality: str, **extra: str) -> dict[str, str]:
    return {
        "hetu": hetu,
        "first_name": "Aino",
        "last_name": "Virtanen",
        "home_municipality": municipality,
        "mother_tongue": "fi",
        "service_language": "fi",
        **extra,
    }


def history(session: Session, hetu: str) -> list[tuple[str, dt.date, dt.date | None]]:
    session.expire_all()
    person_id = session.scalar(select(Person.id).where(Person.hetu == hetu))
    rows = session.scalars(
        select(Residence).where(Residence.person_id == person_id).order_by(Residence.start_date)
    )
    return [(r.municipality_code, r.start_date, r.end_date) for r in rows]


def test_a_new_person_gets_a_residence_from_the_import_date_or_the_given_start(
    session: Session, tmp_path: Path
) -> None:
    plain, dated = unique_hetu(), unique_hetu()
    result = import_file(
        session=session,
        kind="persons",
        path=write(
            tmp_path / "p.csv",
            [
                row_for(plain, "609", kotikunta_alkaen=""),
                row_for(dated, "Rauma", kotikunta_alkaen="1.6.2024"),
            ],
        ),
    )
    assert result.ok
    assert result.inserted == 2
    assert history(session, plain) == [("609", IMPORT_DAY, None)]
    assert history(session, dated) == [("684", D(2024, 6, 1), None)]


def test_a_file_without_the_start_column_uses_the_import_date(session: Session, tmp_path: Path) -> None:
    hetu = unique_hetu()
    assert import_file(
        session=session, kind="persons", path=write(tmp_path / "p.csv", [row_for(hetu, "079")])
    ).ok
    assert history(session, hetu) == [("079", IMPORT_DAY, None)]


def test_a_move_closes_the_open_residence_and_opens_a_new_one(session: Session, tmp_path: Path) -> None:
    person = make_person(session, home_municipality_code="609")  # residence 609 from 1.1.2020
    path = write(tmp_path / "move.csv", [row_for(person.hetu, "684", home_municipality_since="2025-09-01")])
    result = import_file(session=session, kind="persons", path=path)
    assert (result.inserted, result.updated) == (0, 1)
    assert history(session, person.hetu) == [
        ("609", D(2020, 1, 1), D(2025, 8, 31)),
        ("684", D(2025, 9, 1), None),
    ]
    assert session.get(Person, person.id).home_municipality_code == "684"
    again = import_file(session=session, kind="persons", path=path)  # the same file again: nothing changes
    assert again.unchanged == 1
    assert len(history(session, person.hetu)) == 2


def test_a_move_without_a_start_date_starts_on_the_import_date(session: Session, tmp_path: Path) -> None:
    person = make_person(session, home_municipality_code="609")
    assert import_file(
        session=session, kind="persons", path=write(tmp_path / "p.csv", [row_for(person.hetu, "079")])
    ).ok
    assert history(session, person.hetu) == [
        ("609", D(2020, 1, 1), IMPORT_DAY - dt.timedelta(days=1)),
        ("079", IMPORT_DAY, None),
    ]


def test_a_move_before_the_current_residence_started_is_a_row_error(session: Session, tmp_path: Path) -> None:
    person = make_person(session, home_municipality_code="609")
    other = unique_hetu()
    path = write(
        tmp_path / "bad.csv",
        [
            row_for(other, "609", kotikunta_alkaen=""),
            row_for(person.hetu, "684", kotikunta_alkaen="31.12.2019"),
        ],
    )
    result = import_file(session=session, kind="persons", path=path)
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [(3, "kotikunta_alkaen")]  # as headed in the file
    assert "before the current home municipality 609 started" in result.errors[0].message
    assert history(session, person.hetu) == [("609", D(2020, 1, 1), None)]
    assert session.scalar(select(Person.id).where(Person.hetu == other)) is None  # nothing half-written


def test_the_same_municipality_with_another_start_corrects_the_open_residence(
    session: Session, tmp_path: Path
) -> None:
    person = make_person(session, home_municipality_code="609")
    path = write(tmp_path / "p.csv", [row_for(person.hetu, "609", home_municipality_since="2018-05-02")])
    assert import_file(session=session, kind="persons", path=path).updated == 1
    assert history(session, person.hetu) == [("609", D(2018, 5, 2), None)]


def test_a_person_without_residence_history_gets_one(session: Session, tmp_path: Path) -> None:
    person = make_person(session, home_municipality_code="214")
    session.query(Residence).filter(Residence.person_id == person.id).delete()
    session.flush()
    path = write(tmp_path / "p.csv", [row_for(person.hetu, "214")])
    result = import_file(session=session, kind="persons", path=path)
    assert result.updated == 1
    assert history(session, person.hetu) == [("214", IMPORT_DAY, None)]


def test_export_carries_the_start_of_the_open_residence(session: Session, tmp_path: Path) -> None:
    from alue.io import export_rows

    person = make_person(session, home_municipality_code="609")
    rows = {r["hetu"]: r for r in export_rows(session=session, kind="persons")}
    assert rows[person.hetu]["home_municipality_since"] == "2020-01-01"
