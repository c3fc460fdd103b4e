"""Import and export: the Python API used by the command line, the web app and other domains.

``import_file`` validates every row, reports each bad one (row as seen in the file, column, reason: a
translatable :class:`~alue.io.messages.Message`, shown in the user's language by ``RowError.translated``) and
writes inside one savepoint of the caller's transaction: with any bad row nothing is written unless
``skip_invalid`` is set, in which case the good rows are written and the bad ones go to a rejects file.
Rows are upserted on their natural keys, so importing the same file twice changes nothing.

``export_rows`` / ``write_export`` produce the same columns, so an export imports back without loss. Both
directions report to the audit hooks (``add_audit_hook``) with the actor and the purpose, so that the
casework audit log can record who moved personal data and why.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from alue.io.fields import Lookups, normalise, problem
from alue.io.kinds import KINDS, Kind, get_kind
from alue.io.kinds.base import PERSON_ID, ImportContext, ParsedRow
from alue.io.kinds.occupations import UNCERTAIN_BELOW
from alue.io.messages import Message, Plural, either, quote, translate
from alue.io.tables import FileFormatError, Format, Table, open_table, write_table
from alue.shared.time import now

BATCH_SIZE = 1000
#: columns a rejects file adds; ignored when a corrected rejects file is imported again
REJECT_COLUMNS = ("row", "errors")
ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class RowError:
    """A problem with one row (or, with ``row`` None, with the whole file).

    ``message`` is a :class:`~alue.io.messages.Message`: its English text, rendered in another language by
    :meth:`translated`. Other code's plain text (e.g. a kind outside ``alue.io``) is kept as it is."""

    row: int | None
    column: str
    message: str

    def translated(self, lang: str) -> str:
        """The message in ``lang`` (``fi``, ``sv``, ``en``); plain text as it is."""
        return translate(self.message, lang)

    @property
    def translatable(self) -> bool:
        """Whether the message has translations (else it is English text of other code)."""
        return isinstance(self.message, Message)

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    source: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: notes on the file (an ignored column), :class:`~alue.io.messages.Message` s
    warnings: list[str] = field(default_factory=list)
    #: good rows whose occupation the occupation coder chose from the title, and of them those it is
    #: less than :data:`~alue.io.kinds.occupations.UNCERTAIN_BELOW` sure of (for staff to review)
    coded: int = 0
    coded_uncertain: int = 0
    #: whether anything was written (False after a failed import and in a dry run)
    written: bool = False
    dry_run: bool = False
    rejects_path: Path | None = None

    @property
    def ok(self) -> bool:
        """No bad rows and no file problems."""
        return not self.errors

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.row is None or e.row == 1]


@dataclass(frozen=True)
class AccessEvent:
    """Personal or register data moved in or out of alue: what the audit log records."""

    action: Literal["import", "export"]
    kind: str
    personal: bool
    #: who: a user name, or whatever the caller's audit log uses (e.g. ``alue.shared.audit.Actor``)
    actor: object | None
    purpose: str | None
    rows: int
    complete: bool
    at: dt.datetime
    #: the persons whose data an export held or an import wrote (personal kinds; see
    #: ``alue.io.kinds.base.PERSON_ID`` and ``ParsedRow.person_id``)
    person_ids: frozenset[int] = frozenset()


#: called with the session of the import or export (so an audit row joins the same transaction)
AuditHook = Callable[[Session, AccessEvent], None]
_audit_hooks: list[AuditHook] = []


def add_audit_hook(hook: AuditHook) -> None:
    """Call ``hook(session, event)`` after every import and export (the audit log installs one)."""
    _audit_hooks.append(hook)


def remove_audit_hook(hook: AuditHook) -> None:
    _audit_hooks.remove(hook)


def _audit(session: Session, event: AccessEvent, extra: AuditHook | None) -> None:
    for hook in (*_audit_hooks, *((extra,) if extra else ())):
        hook(session, event)


# --- import ---------------------------------------------------------------------------------------


@dataclass
class HeaderMap:
    index: dict[str, int]  # canonical column → position in the file
    label: dict[str, str]  # canonical column → header as written in the file
    ignored: list[int]  # positions of rejects-file columns


def map_headers(kind: Kind, headers: list[str]) -> tuple[HeaderMap, list[RowError], list[str]]:
    """Match the file's headers to the kind's columns (ignoring case, accents and punctuation)."""
    by_key = {key: column for column in kind.columns for key in column.keys}
    index: dict[str, int] = {}
    label: dict[str, str] = {}
    ignored: list[int] = []
    errors: list[RowError] = []
    warnings: list[str] = []
    for position, header in enumerate(headers):
        key = normalise(header)
        if not key:
            continue
        if key in REJECT_COLUMNS:
            ignored.append(position)
            continue
        column = by_key.get(key)
        if column is None:
            warnings.append(
                Message("column %(header)s is not used by this import and was ignored", header=quote(header))
            )
            continue
        if column.name in index:
            same = Message(
                "is the same column as %(other)s (%(column)s)",
                other=quote(label[column.name]),
                column=column.name,
            )
            errors.append(RowError(1, header, same))
            continue
        index[column.name] = position
        label[column.name] = header
    for column in kind.columns:
        if column.required and column.name not in index:
            aliases = ", ".join(column.aliases[:3])
            missing = (
                Message("required column is missing (also accepted: %(aliases)s)", aliases=aliases)
                if aliases
                else Message("required column is missing")
            )
            errors.append(RowError(1, column.name, missing))
    for group in kind.one_of:
        if not any(name in index for name in group):
            needed = Message("the file needs one of the columns %(columns)s", columns=either(group))
            errors.append(RowError(1, group[0], needed))
    return HeaderMap(index, label, ignored), errors, warnings


def parse_row(
    kind: Kind, headers: HeaderMap, width: int, number: int, cells: list[str], lookups: Lookups
) -> ParsedRow:
    row = ParsedRow(row=number, cells=cells, values={})
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        columns = Plural("%(num)s column", "%(num)s columns", width)
        row.error(
            "",
            Plural(
                "the row has %(num)s cell but the header names only %(columns)s",
                "the row has %(num)s cells but the header names only %(columns)s",
                len(cells),
                columns=columns,
            ),
        )
    for column in kind.columns:
        position = headers.index.get(column.name)
        if position is None:
            continue
        text = cells[position].strip() if position < len(cells) else ""
        if not text:
            if column.required:
                row.error(column.name, Message("is required but empty"))
            else:
                row.values[column.name] = copy.copy(column.default)
            continue
        try:
            row.values[column.name] = column.type.parse(text, lookups)
        except ValueError as exc:
            row.error(column.name, problem(exc))
    kind.check(row)
    return row


def import_file(
    *,
    session: Session,
    kind: str,
    path: Path,
    skip_invalid: bool = False,
    dry_run: bool = False,
    rejects_path: Path | None = None,
    sheet: str | None = None,
    actor: object | None = None,
    purpose: str | None = None,
    audit: AuditHook | None = None,
    progress: ProgressCallback | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import one CSV or XLSX file of ``kind`` into the caller's transaction (see the module docstring).

    Never raises for bad input: file problems and bad rows come back in ``ImportResult.errors``. A
    rejects file (the file's columns + ``row`` + ``errors``) is written to ``rejects_path`` when given
    and any row was rejected.
    """
    spec = get_kind(kind)
    result = ImportResult(kind=spec.name, source=str(path), dry_run=dry_run, rejects_path=None)
    rejected: list[ParsedRow] = []
    persons: set[int] = set()
    headers: list[str] = []
    savepoint = session.begin_nested()
    try:
        own_reader = getattr(spec, "open_table", None)  # a kind with its own file format (JSON)
        with own_reader(Path(path)) if own_reader else open_table(Path(path), sheet=sheet) as table:
            headers = table.headers
            _run(spec, session, table, result, rejected, persons, progress, batch_size)
    except FileFormatError as exc:
        result.errors.append(RowError(None, "", problem(exc)))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        result.errors.append(
            RowError(None, "", Message("the database refused the data: %(reason)s", reason=reason))
        )

    header_row = 1 if getattr(spec, "open_table", None) is None else None  # JSON records have no header
    file_problem = any(e.row is None or e.row == header_row for e in result.errors)
    keep = not dry_run and not file_problem and (skip_invalid or not result.errors)
    if keep:
        savepoint.commit()
        result.written = True
    else:
        savepoint.rollback()
        if not file_problem and not dry_run:
            result.inserted = result.updated = result.unchanged = 0
            result.coded = result.coded_uncertain = 0
    if rejected and rejects_path is not None:
        write_rejects(rejects_path, headers, rejected, result.errors)
        result.rejects_path = rejects_path
    rows_written = result.inserted + result.updated + result.unchanged
    written = frozenset(persons) if result.written else frozenset()
    event = AccessEvent(
        "import", spec.name, spec.personal, actor, purpose, rows_written, result.written, now(), written
    )
    _audit(session, event, audit)
    return result


def _run(
    spec: Kind,
    session: Session,
    table: Table,
    result: ImportResult,
    rejected: list[ParsedRow],
    persons: set[int],
    progress: ProgressCallback | None,
    batch_size: int,
) -> None:
    header_map, errors, warnings = map_headers(spec, table.headers)
    result.warnings.extend(warnings)
    if errors:
        result.errors.extend(errors)
        return
    ctx = ImportContext(session, Lookups.load(session), set(header_map.index))
    width = len(table.headers)
    pending: list[ParsedRow] = []

    def flush() -> None:
        spec.apply(ctx, pending)
        for row in pending:
            if row.errors:
                result.rejected += 1
                rejected.append(row)
                label = header_map.label
                result.errors.extend(RowError(row.row, label.get(c, c), m) for c, m in row.errors)
            elif row.outcome is not None:
                setattr(result, row.outcome, getattr(result, row.outcome) + 1)
                if row.person_id is not None:
                    persons.add(row.person_id)
                if row.coded_score is not None:
                    result.coded += 1
                    result.coded_uncertain += row.coded_score < UNCERTAIN_BELOW
        pending.clear()

    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        result.rows += 1
        pending.append(parse_row(spec, header_map, width, number, cells, ctx.lookups))
        if not spec.whole_file and len(pending) >= batch_size:
            flush()
        if progress is not None and result.rows % 100 == 0:
            progress(result.rows, table.estimated_rows)
    if pending:
        flush()
    if progress is not None:
        progress(result.rows, result.rows)


def write_rejects(path: Path, headers: list[str], rows: list[ParsedRow], errors: list[RowError]) -> None:
    """The rejected rows as they were in the file, plus ``row`` and ``errors`` (format from the suffix)."""
    keep = [i for i, h in enumerate(headers) if normalise(h) not in REJECT_COLUMNS]
    messages: dict[int, list[str]] = {}
    for e in errors:
        if e.row is not None:
            messages.setdefault(e.row, []).append(f"{e.column}: {e.message}" if e.column else e.message)
    fmt: Format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    out_rows = (
        [
            *(r.cells[i] if i < len(r.cells) else "" for i in keep),
            str(r.row),
            "; ".join(messages.get(r.row, [])),
        ]
        for r in rows
    )
    write_table(path, [headers[i] for i in keep] + list(REJECT_COLUMNS), out_rows, fmt, sheet_title="rejects")


# --- export ---------------------------------------------------------------------------------------


def export_columns(kind: str) -> list[str]:
    return [c.name for c in get_kind(kind).columns]


def export_rows(
    *,
    session: Session,
    kind: str,
    actor: object | None = None,
    purpose: str | None = None,
    audit: AuditHook | None = None,
) -> Generator[dict[str, str], None, None]:
    """Every row of ``kind`` as column → cell text, exactly as an export file holds it.

    Exports of personal data are casework: pass who (``actor``) and why (``purpose``); the audit hooks
    are called when the iteration ends (also when it is abandoned, with ``complete=False``).
    """
    spec = get_kind(kind)
    count = 0
    complete = False
    persons: set[int] = set()
    try:
        for values in spec.export(session):
            if values.get(PERSON_ID) is not None:
                persons.add(values[PERSON_ID])
            yield {c.name: c.type.format(values.get(c.name)) for c in spec.columns}
            count += 1
        complete = True
    finally:
        event = AccessEvent(
            "export", spec.name, spec.personal, actor, purpose, count, complete, now(), frozenset(persons)
        )
        _audit(session, event, audit)


def write_export(
    *,
    session: Session,
    kind: str,
    path: Path | IO[str] | IO[bytes],
    fmt: Format = "csv",
    actor: object | None = None,
    purpose: str | None = None,
    audit: AuditHook | None = None,
    delimiter: str = ",",
) -> int:
    """Write an export file (CSV UTF-8 with BOM, or XLSX); returns the number of rows."""
    columns = export_columns(kind)
    rows = export_rows(session=session, kind=kind, actor=actor, purpose=purpose, audit=audit)
    try:
        return write_table(
            path, columns, ([r[c] for c in columns] for r in rows), fmt, sheet_title=kind, delimiter=delimiter
        )
    finally:
        rows.close()


def kinds() -> list[str]:
    """The kinds in the order a full load imports them."""
    return list(KINDS)


def format_of(path: Path) -> Format:
    return "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"


__all__ = [
    "AccessEvent",
    "FileFormatError",
    "ImportResult",
    "RowError",
    "add_audit_hook",
    "export_rows",
    "import_file",
    "kinds",
    "remove_audit_hook",
    "write_export",
]
