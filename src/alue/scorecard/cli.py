"""``alue scorecard …``: rebuild the fact tables, show the scorecard, import its files, write the board
report."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from alue.area.config import load_area
from alue.scorecard import labels
from alue.scorecard.definitions import load_definitions
from alue.scorecard.models import ALL
from alue.scorecard.periods import Period
from alue.shared.db import session_scope
from alue.shared.time import parse_date, today

console = Console()
scorecard_app = typer.Typer(
    help="The strategy scorecard: every indicator computed, explained and compared to its target.",
    no_args_is_help=True,
)
import_app = typer.Typer(help="Import the scorecard's files (CSV or XLSX).", no_args_is_help=True)
scorecard_app.add_typer(import_app, name="import")

LangOption = Annotated[str, typer.Option("--lang", help="fi, sv or en.")]


def open_session() -> AbstractContextManager[Session]:
    """The session the commands work in (one transaction: committed only when the command succeeds)."""
    return session_scope()


def register(app: typer.Typer) -> None:
    """Add the ``scorecard`` command group to the root app."""
    app.add_typer(scorecard_app, name="scorecard")


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from exc


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@scorecard_app.command("rebuild")
def rebuild_command(
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every period, not only what changed.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date: follow-ups end by it (default: today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Rebuild the fact tables (ft_indicator, ft_month_end) from the domain tables."""
    from alue.scorecard.facts import rebuild

    with open_session() as session:
        report = rebuild(session=session, area=load_area(), as_of=_date(as_of), full=full)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    console.print(
        f"[green]{report.mode}[/] as of {report.as_of.isoformat()}"
        + (f", periods from {report.since.isoformat()}" if report.since else "")
        + f": {report.indicator_rows} indicator rows, {report.month_end_rows} month-end rows "
        f"in {report.seconds.get('total', 0):.2f} s ({report.reason})"
    )


def _scorecard_json(figures: list[Any], definitions: Any, lang: str) -> list[dict[str, Any]]:
    result = []
    for f in figures:
        indicator = definitions.indicators[f.indicator_id]
        data = f.as_json()
        data.update(
            name=indicator.name(lang),
            unit=indicator.unit,
            priorities=indicator.priorities,
            source=indicator.spec.source,
            status_label=labels.t(f.status, lang),
        )
        result.append(data)
    return result


@scorecard_app.command("show")
def show_command(
    period: Annotated[str, typer.Option("--period", help="2025, 2025-Q3 or 2025-07.")] = str(today().year),
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    municipality: Annotated[
        str, typer.Option("--municipality", help="Municipality code (default: whole area).")
    ] = ALL,
    group: Annotated[str, typer.Option("--group", help="Customer group (default: all).")] = ALL,
    line: Annotated[str, typer.Option("--line", help="Service line (default: all).")] = ALL,
    lang: LangOption = "fi",
) -> None:
    """Print every indicator with its value, target, status and n (small groups suppressed)."""
    from alue.scorecard.queries import scorecard

    if output_format not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    chosen = _period(period)
    definitions = load_definitions(load_area())
    with open_session() as session:
        figures = scorecard(session, definitions, chosen, municipality=municipality, group=group, line=line)
    if output_format == "json":
        payload = {
            "period": chosen.label,
            "municipality": municipality,
            "customer_group": group,
            "service_line": line,
            "status_rule": labels.t("status_rule", "en", share=round(definitions.close_share * 100)),
            "indicators": _scorecard_json(figures, definitions, lang),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{labels.t('scorecard', lang)} {chosen.label}")
    for column in ("indicator", "value", "target", "status", "n", "previous_year", "change", "official"):
        table.add_column(labels.t(column, lang), justify="left" if column == "indicator" else "right")
    for f in figures:
        indicator = definitions.indicators[f.indicator_id]
        name = indicator.name(lang) + (f" ({labels.variant(f.variant, lang)})" if f.variant else "")
        value = labels.figure_text(f.value, indicator.unit, lang) + ("" if f.complete else " *")
        official = "; ".join(labels.figure_text(o.value, indicator.unit, lang) for o in f.official) or "–"
        table.add_row(
            name,
            value,
            labels.target_text(f.target_comparator, f.target, indicator.unit, lang),
            labels.t(f.status, lang),
            "–" if f.persons is None else str(f.persons),
            labels.figure_text(f.previous_value, indicator.unit, lang),
            labels.change_text(f.change, indicator.unit, lang),
            official,
        )
    out = console if console.is_terminal else Console(width=160)  # files and pipes get whole names
    out.print(table)
    out.print(f"* {labels.t('incomplete', lang)}. {labels.t('suppression_rule', lang)}")


@scorecard_app.command("month-end")
def month_end_command(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    lang: LangOption = "fi",
) -> None:
    """Month-end unemployed, long-term, structural and young unemployed by municipality, beside the official
    unemployed figure."""
    from alue.scorecard.queries import month_end

    definitions = load_definitions(load_area())
    with open_session() as session:
        rows = month_end(session, definitions, _period(month).label)
    if output_format == "json":
        typer.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return
    measures = (
        "unemployed",
        "long_term_unemployed",
        "structurally_unemployed",
        "young_under_25",
        "young_under_area_limit",
    )
    table = Table(title=f"{labels.t('month_end', lang)} {month}")
    table.add_column(labels.t("municipality", lang))
    for m in measures:
        table.add_column(labels.measure(m, lang), justify="right")
    table.add_column(labels.t("official_unemployed", lang), justify="right")
    table.add_column(labels.t("difference", lang), justify="right")
    area = definitions.area
    for r in rows:
        name = (
            labels.t("area", lang)
            if r.municipality_code == ALL
            else area.municipalities[r.municipality_code].name(lang)
        )
        table.add_row(
            name,
            *[("–" if r.measures.get(m) is None else str(r.measures[m])) for m in measures],
            "–" if r.official_unemployed is None else f"{r.official_unemployed:.0f}",
            "–" if r.difference_percent is None else f"{r.difference_percent:+.1f} %",
        )
    console.print(table)


@scorecard_app.command("report")
def report_command(
    period: Annotated[str, typer.Option("--period", help="2025, 2025-Q3 or 2025-07.")],
    output: Annotated[Path, typer.Option("--output", help="Directory for the PDF and the Excel workbook.")],
    lang: LangOption = "fi",
) -> None:
    """Write the board report (PDF and Excel, Finnish by default, Swedish with --lang sv)."""
    from alue.scorecard.report import write_report

    if lang not in ("fi", "sv", "en"):
        raise typer.BadParameter("use fi, sv or en", param_hint="--lang")
    definitions = load_definitions(load_area())
    with open_session() as session:
        paths = write_report(
            session=session, definitions=definitions, period=_period(period), lang=lang, output=output
        )
    for path in paths:
        console.print(f"[green]wrote[/] {path}")


@scorecard_app.command("definitions")
def definitions_command(lang: LangOption = "fi") -> None:
    """Print how each indicator is computed."""
    definitions = load_definitions(load_area())
    for indicator in definitions.indicators.values():
        console.print(f"[bold]{indicator.name(lang)}[/] ({indicator.id}, {indicator.spec.source})")
        console.print(f"  {indicator.definition(lang)}")


def _import(kind: str, file: Path, dry_run: bool) -> None:
    from alue.scorecard.importers import import_scorecard_file

    with open_session() as session:
        result = import_scorecard_file(session=session, kind=kind, path=file, dry_run=dry_run)
    for warning in result.warnings:
        console.print(f"[yellow]note:[/] {warning}")
    if result.errors:
        for error in result.errors[:50]:
            typer.echo(f"  {error}", err=True)
        _fail(f"{len(result.errors)} problem(s); nothing was written")
    verb = "would write" if dry_run else "wrote"
    console.print(
        f"[green]{verb}[/] {kind}: {result.rows} rows — {result.inserted} new, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )


FileArgument = Annotated[Path, typer.Argument(help="CSV (UTF-8, ',' or ';') or XLSX file.", dir_okay=False)]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate and count, but write nothing.")]


@import_app.command("survey-responses")
def import_survey_responses(file: FileArgument, dry_run: DryRun = False) -> None:
    """Survey answers' scores: survey_kind, date, municipality, service_line, channel, score."""
    _import("survey-responses", file, dry_run)


@import_app.command("official-indicators")
def import_official_indicators(file: FileArgument, dry_run: DryRun = False) -> None:
    """Published figures: indicator, variant, area, period, value, source."""
    _import("official-indicators", file, dry_run)


@import_app.command("shortage-occupations")
def import_shortage_occupations(file: FileArgument, dry_run: DryRun = False) -> None:
    """A labour-shortage list (Työvoimabarometri): isco4, valid_from, valid_to, rating, source."""
    _import("shortage-occupations", file, dry_run)


@scorecard_app.command("derive-shortage")
def derive_shortage_command(
    stats: Annotated[
        Path | None, typer.Option("--stats", help="Occupation statistics (default: the data directory's).")
    ] = None,
    first: Annotated[str, typer.Option("--from", help="First half-year's start.")] = "2021-01-01",
    last: Annotated[str | None, typer.Option("--to", help="Last day covered (default: today).")] = None,
    area_code: Annotated[str, typer.Option("--area-code", help="Statistical area of the series.")] = "MK04",
    min_ratio: Annotated[float, typer.Option("--min-ratio", help="Vacancies ÷ unemployed at least.")] = 1.0,
) -> None:
    """Derive half-yearly shortage lists from the vacancies-to-unemployed ratio of the statistics."""
    from alue.scorecard.importers import derive_shortage_list
    from alue.settings import get_settings

    path = stats or get_settings().data_dir / "stats" / "tyonvalitys_occupations_monthly.csv.gz"
    if not path.exists():
        _fail(f"statistics file not found: {path}")
    with open_session() as session:
        summary = derive_shortage_list(
            session=session,
            path=path,
            first=_date(first) or today(),
            last=_date(last) or today(),
            area_code=area_code,
            min_ratio=min_ratio,
        )
    for start, count, source in summary:
        console.print(f"{start.isoformat()}: {count} occupations — {source}")
