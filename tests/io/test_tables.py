"""Reading CSV and XLSX: delimiters, byte-order marks, row numbers, and clean errors for damaged files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from alue.io.tables import FileFormatError, open_table, sniff_delimiter, write_table

HEADER_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäö_ ", min_size=1, max_size=12)


@given(st.lists(HEADER_WORD, min_size=2, max_size=8), st.sampled_from([",", ";", "\t"]))
def test_delimiter_is_sniffed_from_the_header(words: list[str], delimiter: str) -> None:
    assert sniff_delimiter(delimiter.join(words) + "\r\n") == delimiter


def test_quoted_delimiters_do_not_count() -> None:
    assert sniff_delimiter('"a;b;c",d,e\n') == ","


def read_all(path: Path, **kwargs: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with open_table(path, **kwargs) as table:
        return table.headers, list(table.rows)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_with_or_without_bom_and_row_numbers_as_in_a_spreadsheet(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(bom + 'hetu;nimi\r\n010190-901R;Äänekoski\r\n\r\n"x\ny";z\r\nlast;row'.encode())
    headers, rows = read_all(path)
    assert headers == ["hetu", "nimi"]
    assert rows == [(2, ["010190-901R", "Äänekoski"]), (3, []), (4, ["x\ny", "z"]), (5, ["last", "row"])]


def test_ansi_csv_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "ansi.csv"
    path.write_bytes("hetu;kunta\n010190-901R;Jämijärvi\n".encode("cp1252"))
    with pytest.raises(FileFormatError, match="CSV UTF-8"):
        read_all(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\n\n", "empty"), (b"a,b\x00c\n", "NUL"), (b"\xd0\xcf\x11\xe0rest", ".xls")],
)
def test_unreadable_csv_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=message):
        read_all(path)


def test_xlsx_first_sheet_or_named_sheet_with_typed_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    first.append(["hetu", "alkupvm", "määrä"])
    first.append(["010190-901R", dt.datetime(2025, 1, 31), 3.0])  # noqa: DTZ001 - Excel has no time zones
    other = workbook.create_sheet("Toinen")
    other.append([None])
    other.append(["koodi"])
    other.append([79])
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    assert read_all(path) == (["hetu", "alkupvm", "määrä"], [(2, ["010190-901R", "2025-01-31", "3"])])
    assert read_all(path, sheet="Toinen") == (["koodi"], [(3, ["79"])])
    with pytest.raises(FileFormatError, match="no sheet"):
        read_all(path, sheet="Puuttuu")


def test_xlsx_name_on_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("hetu\n")
    with pytest.raises(FileFormatError, match="not an Excel workbook"):
        read_all(path)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None)
@given(cut=st.integers(4, 4000), noise=st.binary(max_size=50))
def test_damaged_xlsx_raises_only_file_format_error(tmp_path: Path, cut: int, noise: bytes) -> None:
    good = tmp_path / "good.xlsx"
    if not good.exists():
        write_table(good, ["a", "b"], [[str(i), "x" * i] for i in range(50)], "xlsx")
    data = good.read_bytes()
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(data[: cut % len(data)] + noise)
    try:
        read_all(damaged)
    except FileFormatError as exc:
        message = str(exc)
    else:
        message = "read"
    assert message


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(st.binary(max_size=300))
def test_random_bytes_as_csv_raise_only_file_format_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(content)
    try:
        _headers, rows = read_all(path)
    except FileFormatError as exc:
        assert str(exc)  # noqa: PT017 - the property: only this error, and always with a message
    else:
        assert all(number >= 2 for number, _ in rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_written_tables_read_back_as_text(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"t.{fmt}"
    rows = [["079", "00100", "true", "1,5;x", "rivi\nkaksi"], ["", "", "", "", ""]]
    write_table(path, ["a", "b", "c", "d", "e"], rows, fmt)  # type: ignore[arg-type]
    headers, read = read_all(path)
    assert headers == ["a", "b", "c", "d", "e"]
    assert read[0] == (2, rows[0])
