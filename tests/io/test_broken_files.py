"""Hypothesis-generated broken files: never a crash, only a clean error report, and never a partial write."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alue.io import export_columns, import_file, kinds, write_export

from .factories import build_dataset, unique_hetu
from .test_import import snapshot

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CELL = st.one_of(
    st.text(max_size=15),
    st.sampled_from(
        [
            "",
            "31.2.2025",
            "2025-13-01",
            "010190-901R",
            "0112038-9",
            "609",
            "Pori",
            "x",
            "-1",
            "1e9",
            "true",
            "työtön",
            "\u00a0",
            '"',
            ";",
            "\n",
        ]
    ),
)


@pytest.fixture
def exported(session: Session, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Valid export files of every kind, from a small dataset that stays in the database."""
    build_dataset(session)
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for kind in kinds():
        path = folder / f"{kind}.csv"
        write_export(session=session, kind=kind, path=path)
        files[kind] = path.read_bytes()
    return files


def check_import(session: Session, path: Path, kind: str, skip_invalid: bool = False) -> None:
    """Import inside a savepoint; a failed import must leave every table exactly as it was."""
    nested = session.begin_nested()
    try:
        before = snapshot(session)
        result = import_file(session=session, kind=kind, path=path, skip_invalid=skip_invalid)
        assert all(e.message for e in result.errors)
        assert all(e.row is None or e.row >= 1 for e in result.errors)
        if not result.written:
            assert snapshot(session) == before
        else:
            assert skip_invalid or result.ok
            assert result.inserted + result.updated + result.unchanged + result.rejected == result.rows
    finally:
        nested.rollback()


def parse(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def render(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode()


@SETTINGS
@given(kind=st.sampled_from(kinds()), data=st.data())
def test_random_cells(
    session: Session, exported: dict[str, bytes], tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    rows = parse(exported[kind])
    width = len(rows[0])
    for _ in range(data.draw(st.integers(1, 6))):
        r = data.draw(st.integers(1, len(rows) - 1))
        c = data.draw(st.integers(0, width - 1))
        rows[r][c] = data.draw(CELL)
    if data.draw(st.booleans()):
        rows.append(data.draw(st.lists(CELL, min_size=0, max_size=width + 2)))
    path = tmp_path / "cells.csv"
    path.write_bytes(render(rows, data.draw(st.sampled_from([",", ";"]))))
    check_import(session, path, kind, skip_invalid=data.draw(st.booleans()))


@SETTINGS
@given(kind=st.sampled_from(kinds()), data=st.data())
def test_missing_shuffled_or_renamed_columns(
    session: Session, exported: dict[str, bytes], tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    rows = parse(exported[kind])
    keep = data.draw(st.lists(st.integers(0, len(rows[0]) - 1), unique=True, max_size=len(rows[0])))
    rows = [[row[i] for i in keep] for row in rows]
    if rows[0] and data.draw(st.booleans()):
        rows[0][data.draw(st.integers(0, len(rows[0]) - 1))] = data.draw(st.text(max_size=10))
    path = tmp_path / "columns.csv"
    path.write_bytes(render(rows))
    check_import(session, path, kind)


@SETTINGS
@given(kind=st.sampled_from(kinds()), cut=st.floats(0, 1), garbage=st.binary(max_size=40), data=st.data())
def test_truncated_files_and_garbage_bytes(
    session: Session,
    exported: dict[str, bytes],
    tmp_path: Path,
    kind: str,
    cut: float,
    garbage: bytes,
    data: st.DataObject,
) -> None:
    content = exported[kind]
    content = content[: int(len(content) * cut)]
    at = data.draw(st.integers(0, len(content)))
    path = tmp_path / "damaged.csv"
    path.write_bytes(content[:at] + garbage + content[at:])
    check_import(session, path, kind, skip_invalid=data.draw(st.booleans()))


@SETTINGS
@given(kind=st.sampled_from(kinds()), cut=st.integers(0, 10**6), data=st.data())
def test_truncated_workbooks(
    session: Session, exported: dict[str, bytes], tmp_path: Path, kind: str, cut: int, data: st.DataObject
) -> None:
    workbook = tmp_path / "good.xlsx"
    write_export(session=session, kind=kind, path=workbook, fmt="xlsx")
    content = workbook.read_bytes()
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(content[: cut % len(content)] + data.draw(st.binary(max_size=20)))
    check_import(session, path, kind)


def test_a_failure_in_the_last_row_undoes_the_first_rows(
    session: Session, exported: dict[str, bytes], tmp_path: Path
) -> None:
    """Batches are written as they go; a bad row at the end must still leave nothing behind."""
    rows = parse(exported["persons"])
    hetu = export_columns("persons").index("hetu")
    number = export_columns("persons").index("customer_number")
    for row in rows[1:]:
        row[hetu], row[number] = unique_hetu(), ""  # all new people …
    rows[-1][hetu] = "010190-9010"  # … and a wrong check character at the end
    path = tmp_path / "p.csv"
    path.write_bytes(render(rows))
    before = snapshot(session)
    result = import_file(session=session, kind="persons", path=path, batch_size=2)
    assert not result.written
    assert [e.row for e in result.errors] == [len(rows)]
    assert snapshot(session) == before
