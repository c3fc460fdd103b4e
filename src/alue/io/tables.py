"""Reading and writing tables: CSV (UTF-8, with or without BOM, ``,``/``;``/tab sniffed) and XLSX.

Rows are streamed: a reader yields ``(row_number, cells)`` where the row number is the one a user sees in
a spreadsheet (the header is row 1). Anything wrong with the file itself raises ``FileFormatError`` with
a message in plain language (a translatable :class:`~alue.io.messages.Message`), also when it is found
halfway through the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from alue.io.messages import Message, quote

Format = Literal["csv", "xlsx"]
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
CHUNK = 1 << 20

csv.field_size_limit(min(sys.maxsize, 10 * CHUNK))


class FileFormatError(ValueError):
    """The file cannot be read as a table; the message (its argument, a :class:`~alue.io.messages.Message`:
    ``alue.io.fields.problem(error)``; ``str(error)`` its English text) says why and what to do."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    #: estimated number of data rows, for a progress bar (None when unknown)
    estimated_rows: int | None
    format: Format


def detect_format(path: Path) -> Format:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise FileFormatError(Message("this is an old Excel .xls file; save it as .xlsx or as CSV UTF-8"))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise FileFormatError(Message("the file has an .xlsx name but is not an Excel workbook"))
    return "csv"


@contextmanager
def open_table(path: Path, *, sheet: str | None = None) -> Iterator[Table]:
    """Open a CSV or XLSX file for streaming; raises ``FileFormatError`` for an unreadable file."""
    try:
        fmt = detect_format(path)
    except OSError as exc:
        raise FileFormatError(
            Message("cannot open the file: %(reason)s", reason=exc.strerror or exc)
        ) from exc
    if fmt == "xlsx":
        with _open_xlsx(path, sheet) as table:
            yield table
    else:
        if sheet is not None:
            raise FileFormatError(Message("a sheet can only be chosen in an .xlsx file"))
        with _open_csv(path) as table:
            yield table


# --- CSV ------------------------------------------------------------------------------------------


def _check_utf8(path: Path) -> int:
    """Verify the whole file is UTF-8 (before anything is read) and count its lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    Message(
                        "the file is not UTF-8 text (bad byte at position %(position)s); "
                        "in Excel save it as 'CSV UTF-8'",
                        position=offset + exc.start,
                    )
                ) from exc
            lines += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                Message("the file ends in the middle of a character: it is truncated")
            ) from exc
    return lines


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a header line: the most frequent of ``;``, ``,`` and tab outside quotes."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@contextmanager
def _open_csv(path: Path) -> Iterator[Table]:
    lines = _check_utf8(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline(CHUNK)
        if "\x00" in first:
            raise FileFormatError(Message("the file contains NUL bytes: it is not a text file"))
        delimiter = sniff_delimiter(first)
        fh.seek(0)  # the utf-8-sig decoder skips a byte-order mark again after a seek to 0
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise FileFormatError(Message("the header row cannot be read: %(reason)s", reason=exc)) from exc
        if header is None or not any(h.strip() for h in header):
            raise FileFormatError(Message("the file is empty: the first row must name the columns"))

        def rows() -> Iterator[tuple[int, list[str]]]:
            number = 1
            try:
                for record in reader:
                    number += 1
                    if any("\x00" in c for c in record):
                        raise FileFormatError(
                            Message("row %(row)s contains NUL bytes: the file is damaged", row=number)
                        )
                    yield number, record
            except csv.Error as exc:
                raise FileFormatError(
                    Message("row %(row)s cannot be read: %(reason)s", row=number + 1, reason=exc)
                ) from exc

        yield Table(
            headers=[h.strip() for h in header], rows=rows(), estimated_rows=max(lines - 1, 0), format="csv"
        )


# --- XLSX -----------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """The text of a spreadsheet cell as the importer reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


@contextmanager
def _open_xlsx(path: Path, sheet: str | None) -> Iterator[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileFormatError(
            Message("the file is not a readable Excel workbook (%(reason)s)", reason=type(exc).__name__)
        ) from exc
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise FileFormatError(
                    Message(
                        "no sheet %(sheet)s; the sheets are: %(sheets)s",
                        sheet=quote(sheet),
                        sheets=", ".join(workbook.sheetnames),
                    )
                )
            worksheet = workbook[sheet]
        else:
            if not workbook.worksheets:
                raise FileFormatError(Message("the workbook has no sheets"))
            worksheet = workbook.worksheets[0]

        def raw_rows() -> Iterator[tuple[int, list[str]]]:
            try:
                for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    yield number, [cell_text(v) for v in values]
            except FileFormatError:
                raise
            except Exception as exc:
                raise FileFormatError(
                    Message("the workbook is damaged (%(reason)s)", reason=type(exc).__name__)
                ) from exc

        stream = raw_rows()
        header: list[str] | None = None
        for _number, cells in stream:
            if any(c.strip() for c in cells):
                header = [c.strip() for c in cells]
                break
        if header is None:
            raise FileFormatError(Message("the sheet is empty: the first row must name the columns"))
        while header and not header[-1]:
            header.pop()
        try:
            max_row = worksheet.max_row
        except Exception:
            max_row = None
        yield Table(
            headers=header, rows=stream, estimated_rows=(max_row - 1) if max_row else None, format="xlsx"
        )
    finally:
        workbook.close()


# --- writing --------------------------------------------------------------------------------------


def write_table(
    target: Path | IO[str] | IO[bytes],
    headers: list[str],
    rows: Iterable[list[str]],
    fmt: Format,
    *,
    sheet_title: str = "data",
    delimiter: str = ",",
) -> int:
    """Write a table; CSV is UTF-8 with a BOM (so that Excel reads ä and ö right). Returns the row count."""
    count = 0
    if fmt == "csv":
        if isinstance(target, Path):
            fh: IO[str] = target.open("w", encoding="utf-8-sig", newline="")
            close = True
        else:
            fh = target  # type: ignore[assignment]
            close = False
        try:
            writer = csv.writer(fh, delimiter=delimiter)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(row)
                count += 1
        finally:
            if close:
                fh.close()
        return count

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet_title[:31])
    worksheet.append(headers)
    for row in rows:
        worksheet.append(row)  # every cell as text: codes such as 079 and 00100 keep their zeros
        count += 1
    if isinstance(target, Path):
        workbook.save(target)
    else:
        buffer = io.BytesIO()
        workbook.save(buffer)
        target.write(buffer.getvalue())  # type: ignore[arg-type]
    return count
