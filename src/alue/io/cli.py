"""``alue import KIND FILE`` and ``alue export KIND``: CSV and XLSX files in and out."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.orm import Session

from alue.io.kinds import FORMAT_KINDS, KINDS
from alue.io.kinds.occupations import UNCERTAIN_BELOW
from alue.io.service import ImportResult, format_of, import_file, write_export
from alue.shared.audit import Actor
from alue.shared.db import session_scope

console = Console()
err_console = Console(stderr=True)
MAX_ERRORS_SHOWN = 50

KindName = StrEnum("KindName", {name.replace("-", "_").upper(): name for name in KINDS})  # type: ignore[misc]
#: imports also take the import-only formats (the national job-market platform's JSON)
ImportKindName = StrEnum(  # type: ignore[misc]
    "ImportKindName", {n.replace("-", "_").upper(): n for n in (*KINDS, *FORMAT_KINDS)}
)


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def open_session() -> AbstractContextManager[Session]:
    """The session the commands work in (one transaction: committed only when the command succeeds)."""
    return session_scope()


def import_command(
    kind: Annotated[ImportKindName, typer.Argument(help="What the file holds.", case_sensitive=False)],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, ',' or ';') or XLSX file.", dir_okay=False)],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Write the good rows even if some rows are bad.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help="Write the bad rows here (.csv or .xlsx) with their row number and errors."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count, but write nothing.")
    ] = False,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Sheet of an XLSX file (default: the first).")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who imports (for the audit log).")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="Why (for the audit log).")] = None,
) -> None:
    """Import a CSV or XLSX file. A file with any bad row writes nothing unless --skip-invalid is given.

    Kinds, in the order a full load needs them: persons, partners, employers, services, vacancies,
    spells, employment-episodes, participations. Columns: docs/import-formats.md.
    """
    if not file.exists():
        err_console.print(f"[red]No such file:[/] {file}")
        raise typer.Exit(2)
    if skip_invalid and rejects is None:
        rejects = file.with_name(f"{file.stem}.rejects{'.xlsx' if format_of(file) == 'xlsx' else '.csv'}")
    with open_session() as session, _progress() as progress:
        task = progress.add_task(f"Importing {kind.value}", total=None)

        def report(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total if total and total >= done else None)

        result = import_file(
            session=session,
            kind=kind.value,
            path=file,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            rejects_path=rejects,
            sheet=sheet,
            actor=Actor.command_line(actor),
            purpose=purpose,
            progress=report,
        )
    _print_result(result)
    if not result.written and not (dry_run and result.ok):
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _print_result(result: ImportResult) -> None:
    # a file's own text (its headers and cells, quoted in the messages) is printed as it is, never read
    # as console markup: ``[/x]`` in a cell would otherwise stop the report, ``[b]`` vanish from it
    for warning in result.warnings:
        console.print(f"[yellow]Note:[/] {escape(warning)}")
    if result.errors:
        table = Table(title=f"Problems in {escape(result.source)}", show_lines=False)
        table.add_column("Row", justify="right")
        table.add_column("Column")
        table.add_column("Problem")
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            table.add_row(
                "" if error.row is None else str(error.row), escape(error.column), escape(error.message)
            )
        console.print(table)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            console.print(
                f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more (use --rejects to get them all)"
            )
    summary = Table(title=f"{result.kind}: {result.rows} rows read", show_header=False)
    summary.add_column("What")
    summary.add_column("Rows", justify="right")
    for label, value in (
        ("inserted", result.inserted),
        ("updated", result.updated),
        ("unchanged", result.unchanged),
        ("rejected", result.rejected),
    ):
        summary.add_row(label, str(value))
    console.print(summary)
    if result.coded:
        console.print(
            f"{result.coded} rows named no occupation: the occupation coder coded them from their titles "
            f"({result.coded_uncertain} with a certainty under {UNCERTAIN_BELOW:.0%}; staff can review and "
            "correct them on the vacancy list, 'Occupation chosen by')."
        )
    if result.rejects_path is not None:
        console.print(f"Rejected rows written to {result.rejects_path}")
    if result.dry_run:
        console.print("[cyan]Dry run: nothing was written.[/]")
    elif result.written:
        console.print("[green]Imported.[/]" + (" Bad rows were skipped." if result.rejected else ""))
    else:
        console.print(
            "[red]Nothing was written[/]: fix the rows above, or use --skip-invalid to import the good rows."
        )


def export_command(
    kind: Annotated[KindName, typer.Argument(help="What to export.", case_sensitive=False)],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.CSV,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default KIND.csv / KIND.xlsx; '-' = stdout)."),
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who exports (for the audit log).")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="Why (for the audit log).")] = None,
    delimiter: Annotated[str, typer.Option("--delimiter", help="CSV delimiter: ',' or ';'.")] = ",",
) -> None:
    """Export every row of KIND with the columns the importer reads (dates in ISO form)."""
    if delimiter not in (",", ";", "\t"):
        raise typer.BadParameter("use ',' or ';'", param_hint="--delimiter")
    with open_session() as session:
        if output is not None and str(output) == "-":
            if fmt is ExportFormat.XLSX:
                raise typer.BadParameter("XLSX cannot be written to stdout", param_hint="--output")
            write_export(
                session=session,
                kind=kind.value,
                path=sys.stdout,
                fmt="csv",
                actor=Actor.command_line(actor),
                purpose=purpose,
                delimiter=delimiter,
            )
            return
        path = output or Path(f"{kind.value}.{fmt.value}")
        count = write_export(
            session=session,
            kind=kind.value,
            path=path,
            fmt=fmt.value,
            actor=Actor.command_line(actor),
            purpose=purpose,
            delimiter=delimiter,
        )
    console.print(f"[green]{count} {kind.value} rows written to {path}[/]")


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the root app."""
    app.command("import")(import_command)
    app.command("export")(export_command)
