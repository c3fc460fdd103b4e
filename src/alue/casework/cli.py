"""``alue rules …``: the rules in force on a date, their change dates, and deadlines computed with them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from alue.area.rules import RuleBook, RuleError, format_value, load_rules
from alue.casework import deadlines
from alue.shared.time import parse_date, today

rules_app = typer.Typer(
    help="Rules set by law or the area's strategy, with the dates they are in force, and deadlines.",
    no_args_is_help=True,
)
deadline_app = typer.Typer(
    help="Compute a deadline with the rules in force on the relevant date.", no_args_is_help=True
)
rules_app.add_typer(deadline_app, name="deadline")

DATE_HELP = "A date: 2026-01-02 or 2.1.2026."
AreaOption = Annotated[
    str | None, typer.Option("--area", help="Employment area whose rules apply (default: ALUE_AREA).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    """Add the ``rules`` command group to the root app."""
    app.add_typer(rules_app, name="rules")


def _date(value: str | None, option: str) -> dt.date:
    if value is None:
        return today()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def _book(area: str | None) -> RuleBook:
    try:
        return load_rules(area)
    except RuleError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fi(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day}.{day.month}.{day.year}"


@rules_app.command("show")
def show(
    on: Annotated[str | None, typer.Option("--on", help=f"Date (default: today). {DATE_HELP}")] = None,
    area: AreaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every rule in force on a date with its value, unit, source, confidence and effective date."""
    day = _date(on, "--on")
    book = _book(area)
    versions = book.all_in_force(day)
    if as_json:
        _print_json({"on": day.isoformat(), "area": book.area, "rules": [v.to_json() for v in versions]})
        return
    table = Table(title=f"Rules in force on {_fi(day)} ({book.area})")
    for column in ("rule", "value", "unit", "in force", "conf.", "source"):
        table.add_column(column, overflow="fold")
    for v in versions:
        confidence = f"[bold red]{v.confidence.value}[/]" if v.unverified else v.confidence.value
        period = f"{_fi(v.effective_from)}–{_fi(v.effective_to)}"
        table.add_row(v.rule_id, format_value(v.value), v.unit, period, confidence, v.source)
    Console().print(table)
    if any(v.unverified for v in versions):
        Console().print("Confidence U = unverified: a configurable default, check before relying on it.")


@rules_app.command("changes")
def changes(area: AreaOption = None, as_json: JsonOption = False) -> None:
    """The dates on which some rule changes, with the rules that take effect on each."""
    book = _book(area)
    dates = book.change_dates()
    if as_json:
        _print_json(
            {
                "area": book.area,
                "changes": [
                    {"date": d.isoformat(), "rules": sorted({v.rule_id for v in book.changes_on(d)})}
                    for d in dates
                ],
            }
        )
        return
    table = Table(title=f"Rule change dates ({book.area})")
    table.add_column("date")
    table.add_column("rules taking effect", overflow="fold")
    for d in dates:
        names = sorted({v.rule_id for v in book.changes_on(d)})
        table.add_row(_fi(d), ", ".join(names) or "(a rule version ends)")
    Console().print(table)


def _print_deadline(result: deadlines.Deadline, as_json: bool) -> None:
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    typer.echo(f"Due {_fi(result.due)} ({result.due.isoformat()}): {result.explanation}")
    for ref in result.rules:
        typer.echo(
            f"  rule {ref.rule_id} in force from {_fi(ref.effective_from)} "
            f"[{ref.confidence.value}] — {ref.source}"
        )


@deadline_app.command("initial-interview")
def initial_interview(
    registered: Annotated[str, typer.Option("--registered", help=f"Registration date. {DATE_HELP}")],
    area: AreaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Due date of the initial interview (alkuhaastattelu) for a registration date."""
    day = _date(registered, "--registered")
    try:
        result = deadlines.initial_interview_due(registered=day, rules=_book(area))
    except RuleError as exc:
        _fail(str(exc))
    _print_deadline(result, as_json)


@deadline_app.command("job-search-discussion")
def job_search_discussion(
    last: Annotated[str, typer.Option("--last", help=f"Date of the previous discussion. {DATE_HELP}")],
    area: AreaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Latest date of the next job-search discussion (työnhakukeskustelu)."""
    day = _date(last, "--last")
    try:
        result = deadlines.next_job_search_discussion_due(last=day, rules=_book(area))
    except RuleError as exc:
        _fail(str(exc))
    _print_deadline(result, as_json)


@deadline_app.command("goal")
def goal(
    spell_start: Annotated[
        str, typer.Option("--spell-start", help=f"Start of the unemployment spell. {DATE_HELP}")
    ],
    area: AreaOption = None,
    as_json: JsonOption = False,
) -> None:
    """The area's 3-month goal date: job, training or the right service (R-D4)."""
    day = _date(spell_start, "--spell-start")
    try:
        result = deadlines.three_month_goal(spell_start=day, rules=_book(area))
    except RuleError as exc:
        _fail(str(exc))
    _print_deadline(result, as_json)


@deadline_app.command("supplementary")
def supplementary(
    spell_start: Annotated[
        str, typer.Option("--spell-start", help=f"Start of the unemployment spell. {DATE_HELP}")
    ],
    area: AreaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Schedule of supplementary job-search discussions for a spell."""
    day = _date(spell_start, "--spell-start")
    try:
        result = deadlines.supplementary_discussion_schedule(spell_start=day, rules=_book(area))
    except RuleError as exc:
        _fail(str(exc))
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    typer.echo(f"Schedule for a spell starting {_fi(day)}: {result.mode.replace('_', ' ')}")
    for item in result.discussions:
        moved = "" if item.due == item.nominal else f" (moved from {_fi(item.nominal)})"
        typer.echo(f"  phase {item.phase}: {_fi(item.due)}{moved}")
    for nominal in result.not_required:
        typer.echo(f"  {_fi(nominal)}: not required (no fixed schedule in force)")
