"""Command line: ``alue reskilling-paths`` and ``alue shortage-table`` (R-G1, R-G3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alue.shared.db import session_scope
from alue.shared.suppression import count_cell

console = Console()

DateOption = Annotated[
    str | None, typer.Option("--on", help="Day of the figures, YYYY-MM-DD (default: today).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON instead of a table.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of the group names: fi, sv or en.")]


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--on") from None


def reskilling_paths_command(
    on: DateOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many paths to show.")] = 20,
    as_json: JsonOption = False,
    lang: LangOption = "fi",
) -> None:
    """The area's reskilling paths: surplus occupation → nearest shortage occupations and the trainings
    that lead there, with the number of jobseekers each could serve (counts 1–4 are suppressed)."""
    from alue.matching.reskilling import group_similarity, path_as_dict, reskilling_paths

    with session_scope() as session:
        paths = reskilling_paths(session, on=_day(on))[:top]
    taxonomy = group_similarity().taxonomy
    rows = []
    for path in paths:
        data = path_as_dict(path, taxonomy, lang)
        data["jobseekers_served"] = count_cell(path.jobseekers_served).as_json()
        rows.append(data)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("from (surplus)", "to (shortage)", "similarity", "jobseekers", "trainings")
    for row in rows:
        served = row["jobseekers_served"]
        table.add_row(
            f"{row['from_isco']} {row['from_label']}",
            f"{row['to_isco']} {row['to_label']}",
            f"{row['similarity']:.2f}",
            "<5" if served is None else str(served),
            ", ".join(t["code"] for t in row["trainings"]) or "–",  # type: ignore[attr-defined]
        )
    console.print(table)


def shortage_table_command(
    on: DateOption = None,
    periods: Annotated[int, typer.Option("--periods", min=1, max=10, help="Half-years back.")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Shortage, balance or surplus per ISCO-08 group and half-year, with the area's vacancies and
    jobseekers (counts 1–4 are suppressed) and the source of each status."""
    from alue.matching.shortage import occupation_balance

    with session_scope() as session:
        rows = occupation_balance(session, on=_day(on), periods=periods)
    data = []
    for row in rows:
        item = dataclasses.asdict(row)
        item["period_start"] = row.period_start.isoformat()
        item["period_end"] = row.period_end.isoformat()
        item["jobseekers"] = count_cell(row.jobseekers).as_json()
        data.append(item)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table("period", "ISCO", "status", "ratio", "trend", "vacancies", "jobseekers", "source")
    for item in data:
        ratio = item["ratio"]
        table.add_row(
            str(item["period_start"]),
            str(item["isco4"]),
            str(item["status"]),
            "–" if ratio is None else f"{ratio:.2f}",
            str(item["trend"]),
            str(item["vacancies"]),
            "<5" if item["jobseekers"] is None else str(item["jobseekers"]),
            str(item["basis"]),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("reskilling-paths")(reskilling_paths_command)
    app.command("shortage-table")(shortage_table_command)
