"""``alue match``: ranked vacancies for a jobseeker, ranked jobseekers for a vacancy, the weekly batch."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

match_app = typer.Typer(
    help=(
        "Match jobseekers and vacancies (kohtaanto): `alue match --jobseeker ID` or "
        "`alue match --vacancy ID` "
        "ranks with every score part explained; `alue match batch` runs the weekly batch for the area."
    ),
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    app.add_typer(match_app, name="match")


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--on: not a date (YYYY-MM-DD): {value!r}") from None


def _as_json(match: object) -> dict:
    m = match
    return {
        "person_id": m.person_id,  # type: ignore[attr-defined]
        "vacancy_id": m.vacancy_id,  # type: ignore[attr-defined]
        "score": m.score,  # type: ignore[attr-defined]
        "distance_km": None if math.isnan(m.distance_km) else m.distance_km,  # type: ignore[attr-defined]
        "hard_fail": m.hard_fail,  # type: ignore[attr-defined]
        "parts": [
            {"key": p.key, "weight": p.weight, "value": p.value, "explanation": p.explanation}
            for p in m.parts  # type: ignore[attr-defined]
        ],
    }


@match_app.callback()
def match(
    ctx: typer.Context,
    jobseeker: Annotated[
        int | None, typer.Option("--jobseeker", help="Person id: rank open vacancies.")
    ] = None,
    vacancy: Annotated[
        int | None, typer.Option("--vacancy", help="Vacancy id: rank active jobseekers.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=500, help="How many results.")] = 20,
    on: Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default today.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on standard output.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of the explanations: fi, sv or en.")] = "fi",
    include_hard_fails: Annotated[
        bool, typer.Option("--include-hard-fails", help="List pairs failing a hard requirement last.")
    ] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Who asks (for the audit log).")] = None,
) -> None:
    """Rank vacancies for a jobseeker or jobseekers for a vacancy."""
    if ctx.invoked_subcommand is not None:
        if jobseeker is not None or vacancy is not None:
            raise typer.BadParameter("--jobseeker/--vacancy cannot be combined with a subcommand")
        return
    if (jobseeker is None) == (vacancy is None):
        raise typer.BadParameter(
            "give exactly one of --jobseeker ID or --vacancy ID (or the subcommand batch)"
        )
    if lang not in ("fi", "sv", "en"):
        raise typer.BadParameter(f"--lang: {lang!r} is not fi, sv or en")
    from alue.matching.engine import rank_persons_for_vacancy, rank_vacancies_for_person
    from alue.shared import audit
    from alue.shared.db import session_scope

    day = _day(on)
    who = audit.Actor.command_line(actor)
    with session_scope() as session:
        try:
            if jobseeker is not None:
                results = rank_vacancies_for_person(
                    session, jobseeker, top=top, on=day, include_hard_fails=include_hard_fails
                )
                audit.append(
                    session, actor=who, action=audit.AuditAction.READ, object_type="person",
                    object_id=jobseeker, person_id=jobseeker, purpose=audit.AuditPurpose.JOB_BROKERAGE,
                    details={"view": "match_vacancies", "results": len(results)},
                )  # fmt: skip
            else:
                assert vacancy is not None
                results = rank_persons_for_vacancy(
                    session, vacancy, top=top, on=day, include_hard_fails=include_hard_fails
                )
                listed = [m.person_id for m in results]
                audit.append(  # one row listing the candidates, as the vacancy's page writes
                    session, actor=who, action=audit.AuditAction.READ, object_type="vacancy",
                    object_id=vacancy, person_id=listed[0] if len(listed) == 1 else None,
                    person_ids=listed, purpose=audit.AuditPurpose.JOB_BROKERAGE,
                    details={"view": "match_candidates", "vacancy_id": vacancy, "results": len(listed)},
                )  # fmt: skip
        except LookupError as exc:
            typer.echo(f"Error: {exc.args[0]}", err=True)
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "jobseeker": jobseeker,
                    "vacancy": vacancy,
                    "on": (day or _today()).isoformat(),
                    "results": [_as_json(m) for m in results],
                },
                ensure_ascii=False,
            )
        )
        return
    console = Console()
    if not results:
        console.print("Ei tuloksia / Inga resultat / No results")
        return
    for i, m in enumerate(results, start=1):
        other = f"vacancy {m.vacancy_id}" if jobseeker is not None else f"person {m.person_id}"
        fail = f"  [red]{m.hard_fail}[/red]" if m.hard_fail else ""
        table = Table(
            title=f"{i}. {other}  score {m.score:.3f}{fail}", show_header=True, title_justify="left"
        )
        table.add_column("part")
        table.add_column("weight", justify="right")
        table.add_column("value", justify="right")
        table.add_column("explanation")
        for p in m.parts:
            table.add_row(p.key, f"{p.weight:.2f}", f"{p.value:.2f}", p.explanation[lang])
        console.print(table)


def _today() -> dt.date:
    from alue.shared.time import today

    return today()


@match_app.command("batch")
def batch(
    congestion: Annotated[
        bool, typer.Option("--congestion", help="Spread recommendations over vacancies (capacity-aware).")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, max=200, help="Recommendations per jobseeker.")] = 20,
    on: Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default today.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
) -> None:
    """Weekly run: recommend open vacancies to every active jobseeker and store them."""
    from alue.matching.batch import run_batch
    from alue.shared.db import session_scope

    with session_scope() as session:
        result = run_batch(session, on=_day(on), top=top, congestion=congestion)
    payload = {
        "run_id": result.run_id,
        "run_on": result.run_on.isoformat(),
        "mode": result.mode,
        "jobseekers": result.jobseekers,
        "vacancies": result.vacancies,
        "recommendations": result.recommendations,
        "figures": result.figures,
        "plain_figures": result.plain_figures,
        "seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    console = Console()
    console.print(
        f"Run {result.run_id} ({result.mode}) on {result.run_on}: {result.jobseekers:,} jobseekers, "
        f"{result.vacancies:,} open vacancies, {result.recommendations:,} recommendations "
        f"in {result.timings['total']:.1f} s"
    )
    table = Table("figure", result.mode, *(["plain"] if result.plain_figures else []))
    for key, value in result.figures.items():
        extra = [f"{result.plain_figures[key]:.3f}"] if result.plain_figures else []
        table.add_row(key, f"{value:.3f}", *extra)
    console.print(table)
