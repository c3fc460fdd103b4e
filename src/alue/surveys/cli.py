"""``alue survey …``: issue one-time survey links, run survey rounds, print results."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alue.shared.db import session_scope
from alue.shared.time import month_key, parse_date, today
from alue.surveys.models import Distribution, SurveyKind
from alue.surveys.results import GroupKey, IndicatorValue, all_indicator_results
from alue.surveys.service import (
    Dimensions,
    IssuedLink,
    RoundAlreadyIssued,
    expire_tokens,
    issue,
    issue_after_events,
    issue_partnership_round,
    issue_staff_round,
    issue_vitality_round,
)

console = Console()
survey_app = typer.Typer(
    help="The area's own feedback surveys: one-time links, survey rounds and results.", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _print_links(links: list[IssuedLink], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([link.as_json() for link in links], ensure_ascii=False, indent=2))
    else:
        console.print(f"{len(links)} link(s) issued")


@survey_app.command("issue")
def issue_command(
    kind: Annotated[SurveyKind, typer.Argument(help="customer, staff, vitality or partnership")],
    municipality: Annotated[str | None, typer.Option(help="Municipality code, e.g. 609 (Pori).")] = None,
    service_line: Annotated[str | None, typer.Option(help="Service line, e.g. job_brokerage.")] = None,
    channel: Annotated[
        str | None, typer.Option(help="Service channel: in_person, phone, video, chat.")
    ] = None,
    language: Annotated[str, typer.Option(help="Language the form opens in: fi, sv or en.")] = "fi",
    qr: Annotated[
        Path | None, typer.Option(help="Also write the link as an SVG QR code to this file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a fresh one-time link (for scripts and service-point kiosks)."""
    with session_scope() as session:
        link = issue(
            session=session,
            kind=kind,
            dimensions=Dimensions(month_key(today()), municipality, service_line, channel),
            distribution=Distribution.KIOSK,
            language=language,
        )
    if qr is not None:
        qr.write_text(link.qr_svg(), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(link.as_json(), ensure_ascii=False))
    else:
        console.print(link.url)


@survey_app.command("distribute")
def distribute(
    day: Annotated[
        str | None, typer.Option(help="The day whose service events get links (default: yesterday).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue customer-survey links for the meetings, ended services and employer services of a day."""
    first = parse_date(day) if day else today() - dt.timedelta(days=1)
    with session_scope() as session:
        links = issue_after_events(session=session, first=first, last=first)
    _print_links(links, as_json)


@survey_app.command("round")
def survey_round(
    kind: Annotated[SurveyKind, typer.Argument(help="staff, vitality or partnership")],
    period: Annotated[str, typer.Option(help="Quarter for staff (2026Q1), month otherwise (2026-03).")],
    as_json: JsonFlag = False,
) -> None:
    """Issue a survey round: staff (quarterly), vitality barometer or partnership survey."""
    try:
        with session_scope() as session:
            if kind == SurveyKind.STAFF:
                links = issue_staff_round(session=session, quarter=period)
            elif kind == SurveyKind.VITALITY:
                links = issue_vitality_round(session=session, month=period)
            elif kind == SurveyKind.PARTNERSHIP:
                links = issue_partnership_round(session=session, month=period)
            else:
                raise typer.BadParameter("customer links follow service events: use `alue survey distribute`")
    except (RoundAlreadyIssued, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    _print_links(links, as_json)


@survey_app.command("expire")
def expire() -> None:
    """Clear the event links of expired, unanswered links (run daily)."""
    with session_scope() as session:
        count = expire_tokens(session=session)
    console.print(f"{count} expired link(s) cleared")


@survey_app.command("results")
def results_command(
    period: Annotated[str | None, typer.Option(help="2026, 2026Q1 or 2026-03 (default: this year).")] = None,
    by: Annotated[
        list[str] | None, typer.Option(help="Break down by quarter, municipality, service_line (repeatable).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Survey-based indicators: means with 95 % intervals, partnership rate, response rates (n ≥ 5 only)."""
    group_by: list[GroupKey] = []
    for key in by if by is not None else ["quarter"]:
        if key not in ("quarter", "municipality", "service_line"):
            raise typer.BadParameter(f"cannot break down by {key!r}")
        group_by.append(key)  # type: ignore[arg-type]
    label = period or str(today().year)
    try:
        with session_scope() as session:
            values = all_indicator_results(session=session, period=label, group_by=group_by)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps([v.as_json() for v in values], ensure_ascii=False, indent=2))
        return
    _print_table(values)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} %" if unit == "percent" else f"{value:.2f}"


def _print_table(values: list[IndicatorValue]) -> None:
    table = Table("indicator", "period", "municipality", "line", "value", "95 % CI", "n", "response rate")
    for v in values:
        ci = "–" if v.ci_low is None else f"{_fmt(v.ci_low, v.unit)} … {_fmt(v.ci_high, v.unit)}"
        table.add_row(
            v.indicator_id + ("" if v.current_series else " (earlier series)"),
            v.period,
            v.municipality or "",
            v.service_line or "",
            "suppressed (n < 5)" if v.suppressed else _fmt(v.value, v.unit),
            ci,
            "" if v.n is None else str(v.n),
            "–" if v.response_rate is None else f"{v.response_rate:.0f} %",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(survey_app, name="survey")
