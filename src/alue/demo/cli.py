"""``alue demo``: build the synthetic demo area, or print its calibration report."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from alue.area.config import load_area
from alue.settings import get_settings
from alue.shared.db import get_engine, redact_url

console = Console()


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the root app."""
    app.command("demo")(demo)


def demo(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same database.")] = 2025,
    scale: Annotated[
        str, typer.Option(help="area (the configured area) or national (all of Finland).")
    ] = "area",
    start: Annotated[
        str | None, typer.Option(help="First month, YYYY-MM (default 2019-01; national 2023-01).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last month, YYYY-MM (default: this month, up to today).")
    ] = None,
    report: Annotated[
        bool, typer.Option("--report", help="Only print the calibration report of the database.")
    ] = False,
) -> None:
    """Build a synthetic employment area calibrated to the official statistics (replaces an earlier demo)."""
    from alue.demo.build import build_demo
    from alue.demo.report import calibration_report

    settings = get_settings()
    area = load_area()
    engine = get_engine()
    if report:
        _print_report(calibration_report(engine=engine, area=area))
        return
    if scale not in ("area", "national"):
        raise typer.BadParameter("scale must be 'area' or 'national'")
    console.print(f"Building the {scale} demo (seed {seed}) into {redact_url(settings.database_url)}")
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}
        rows_task: list[TaskID] = []

        def progress(phase: str, done: int, total: int) -> None:
            if phase.startswith("writing"):
                if not rows_task:
                    rows_task.append(bar.add_task("writing rows", total=None))
                bar.update(rows_task[0], completed=done, description=phase)
                return
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        summary = build_demo(
            engine=engine, area=area, seed=seed, scale=scale, start=start, until=until, progress=progress
        )
    table = Table(title=f"Demo {summary.scale} {summary.start} … {summary.until} (seed {summary.seed})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in sorted(summary.rows.items(), key=lambda kv: -kv[1]):
        table.add_row(name, f"{n:,}")
    table.add_row("[b]total", f"[b]{summary.total_rows:,}")
    console.print(table)
    secs = summary.seconds
    generated = secs["setup"] + secs["jobseekers"] + secs["vacancies"] + secs["casework"]
    console.print(
        f"{summary.municipalities} municipalities; generated in {generated:.1f} s, "
        f"written in {secs['write']:.1f} s, total {secs['total']:.1f} s "
        f"({summary.rows_per_second:,.0f} rows/s). "
        f"Calibration misses: {summary.calibration_misses} unemployed, {summary.vacancy_misses} vacancies."
    )
    console.print("Check it with [b]alue demo --report[/].")


def _print_report(rows: list) -> None:  # type: ignore[type-arg]
    if not rows:
        console.print("[yellow]No demo in the database: run `alue demo` first.[/]")
        raise typer.Exit(1)
    table = Table(title="Calibration against the official series (tolerance: 5 % or 2 persons)")
    for col in ("municipality", "statistic", "months", "max abs", "mean abs", "max %", "mean %", "ok"):
        table.add_column(col, justify="left" if col in ("municipality", "statistic") else "right")
    bad = 0
    for r in rows:
        ok = r.within_tolerance
        bad += not ok
        table.add_row(
            f"{r.municipality_name} ({r.municipality_code})",
            r.statistic,
            str(r.months),
            f"{r.max_abs_error:.0f}",
            f"{r.mean_abs_error:.2f}",
            f"{r.max_pct_error:.1f}",
            f"{r.mean_pct_error:.2f}",
            "[green]yes[/]" if ok else f"[red]no ({r.months_outside} months)[/]",
        )
    console.print(table)
    if bad:
        console.print(f"[red]{bad} municipality × statistic combinations outside the tolerance[/]")
        raise typer.Exit(1)
    console.print("[green]Every compared municipality-month is within the tolerance.[/]")
