"""``alue journey …``, ``alue worklist …`` and ``alue model …``: casework from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from alue.casework import early_identification as ei
from alue.casework import fulfilment as ff
from alue.casework import journey as jr
from alue.casework import transitions
from alue.casework import worklists as wl
from alue.casework.journey_models import RiskModelRun
from alue.people.models import JobseekingSpell, Person
from alue.shared import audit
from alue.shared.audit import Actor, AuditAction, AuditPurpose
from alue.shared.db import get_engine, session_scope
from alue.shared.suppression import count_cell, share_cell
from alue.shared.time import DateRange, parse_date, today
from alue.staff.models import ServiceLine, StaffMember, Team

console = Console()
journey_app = typer.Typer(
    help="Customer journeys: steps, deadlines and the declared transitions.", no_args_is_help=True
)
worklist_app = typer.Typer(help="Worklists, caseload and deadline fulfilment.", no_args_is_help=True)
model_app = typer.Typer(help="The early-identification model: train, report, score.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
OnOption = Annotated[str | None, typer.Option("--on", help="Day (default today): 2026-01-05 or 5.1.2026.")]


def register(app: typer.Typer) -> None:
    app.add_typer(journey_app, name="journey")
    app.add_typer(worklist_app, name="worklist")
    app.add_typer(model_app, name="model")


#: who runs the command, for the audit log (default: the operating-system user)
ActorOption = Annotated[str | None, typer.Option("--actor", help="Who looks (for the audit log).")]


def _audit(
    session: Session,
    actor: str | None,
    action: AuditAction,
    object_type: str,
    *,
    person_id: int | None = None,
    person_ids: set[int] | None = None,
    object_id: int | str = "",
) -> None:
    """A command that shows a person's data writes an audit row, as the pages do."""
    audit.append(
        session,
        actor=Actor.command_line(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_id=person_id,
        person_ids=person_ids,
        purpose=AuditPurpose.CASEWORK,
    )


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


def _date(value: str | None, option: str, default: dt.date | None = None) -> dt.date:
    if value is None:
        return default or today()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def _fi(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day}.{day.month}.{day.year}"


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _count(value: int | None) -> str:
    return "–" if value is None else str(value)


def _num(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _staff(session: Session, key: str) -> StaffMember:
    staff = session.scalar(
        select(StaffMember).where(
            or_(StaffMember.employee_number == key, StaffMember.email == key, StaffMember.id == _int(key))
        )
    )
    if staff is None:
        _fail(f"no staff member {key!r} (employee number, e-mail or id)")
    return staff


def _team(session: Session, key: str) -> Team:
    team = session.scalar(select(Team).where(or_(Team.name == key, Team.id == _int(key))))
    if team is None:
        _fail(f"no team {key!r} (name or id)")
    return team


def _person(session: Session, key: str) -> Person:
    person = session.scalar(select(Person).where(or_(Person.customer_number == key, Person.id == _int(key))))
    if person is None:
        _fail(f"no person {key!r} (customer number or id)")
    return person


def _int(value: str) -> int:
    return int(value) if value.isdigit() else -1


# ------------------------------------------------------------------------------------------ journey


@journey_app.command("transitions")
def show_transitions(as_json: JsonOption = False) -> None:
    """The declared status changes of journeys, referrals and start-up grant applications."""
    data: dict[str, Any] = {
        name: {k.value: [t.value for t in v] for k, v in table.items()}
        for name, table in transitions.TABLES.items()
    }
    if as_json:
        _print_json(data)
        return
    for name, table in data.items():
        grid = Table(title=f"Allowed transitions: {name}")
        grid.add_column("from")
        grid.add_column("to")
        for current, targets in table.items():
            grid.add_row(current, ", ".join(targets) or "(final)")
        console.print(grid)


@journey_app.command("show")
def show_journey(
    person: Annotated[str, typer.Argument(help="Customer number or person id.")],
    on: OnOption = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
) -> None:
    """The person's current journey: status, deadlines, plan and every recorded step (audited)."""
    day = _date(on, "--on")
    with session_scope(get_engine()) as session:
        p = _person(session, person)
        journey = jr.peek_journey(session=session, person_id=p.id)
        if journey is None:
            _fail(f"{p.customer_number} has never registered as a jobseeker")
        view = jr.overview(session=session, journey=journey, on=day)
        _audit(session, actor, AuditAction.READ, "journey", person_id=p.id, object_id=p.id)
        data: dict[str, Any] = {
            "person": p.customer_number,
            "status": view.journey.status.value,
            "registered": view.spell.start_date,
            "path": view.journey.path.value if view.journey.path else None,
            "initial_interview_due": view.initial_interview.due if view.initial_interview else None,
            "initial_interview_held": view.interview_held_on,
            "next_discussion_due": view.next_discussion.due if view.next_discussion else None,
            "goal": {"due": view.goal.due, "met": view.goal.met, "explanation": view.goal.explanation},
            "plan_versions": view.plan_version_count,
            "next_statuses": [s.value for s in view.next_statuses],
            "events": [
                {
                    "on": e.occurred_on,
                    "step": e.step.value,
                    "to": e.to_status.value,
                    "by": e.actor,
                    "details": e.details,
                }
                for e in view.events
            ],
        }
    if as_json:
        _print_json(data)
        return
    console.print(f"[bold]{data['person']}[/] — {data['status']} (registered {_fi(data['registered'])})")
    console.print(
        f"Initial interview due {_fi(data['initial_interview_due'])}"
        + (
            f", held {_fi(data['initial_interview_held'])}"
            if data["initial_interview_held"]
            else ", not held"
        )
    )
    if data["next_discussion_due"]:
        console.print(f"Next job-search discussion due {_fi(data['next_discussion_due'])}")
    console.print(f"Three-month goal: {data['goal']['explanation']}")
    grid = Table(title="Steps")
    for column in ("day", "step", "status", "by"):
        grid.add_column(column)
    for e in data["events"]:
        grid.add_row(_fi(e["on"]), e["step"], e["to"], e["by"])
    console.print(grid)


# ----------------------------------------------------------------------------------------- worklists


@worklist_app.command("show")
def show_worklist(
    staff: Annotated[str | None, typer.Option("--staff", help="Employee number, e-mail or id.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Team name or id.")] = None,
    on: OnOption = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last due day listed (default: Sunday).")
    ] = None,
    line: Annotated[
        ServiceLine | None, typer.Option("--line", help="Only one service line's customers.")
    ] = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
) -> None:
    """A case worker's or a team's worklist: overdue, today, this week and upcoming (audited)."""
    if (staff is None) == (team is None):
        _fail("give exactly one of --staff and --team")
    day = _date(on, "--on")
    end = _date(until, "--until", wl.week_end(day))
    with session_scope(get_engine()) as session:
        if staff is not None:
            member = _staff(session, staff)
            result = wl.worker_worklist(session=session, staff_id=member.id, on=day, until=end, line=line)
            title = f"Worklist of {member.name}"
        else:
            group = _team(session, team or "")
            result = wl.team_worklist(session=session, team_id=group.id, on=day, until=end, line=line)
            title = f"Worklist of team {group.name}"
        _audit(session, actor, AuditAction.READ, "worklist", person_ids={i.person_id for i in result.items})
        items: list[dict[str, Any]] = [
            {
                "bucket": i.bucket.value,
                "due": i.due,
                "kind": i.kind.value,
                "customer": i.customer_number,
                "name": i.name,
                "worker": result.staff_names.get(i.staff_id, "") if i.staff_id else "(unassigned)",
                "explanation": i.explanation,
                "flags": [f.code for f in i.flags],
            }
            for i in result.items
        ]
    if as_json:
        _print_json({"on": day, "until": end, "line": line.value if line else None, "items": items})
        return
    grid = Table(title=escape(f"{title} on {_fi(day)} (until {_fi(end)})"))
    for column in ("", "due", "what", "customer", "worker", "why"):
        grid.add_column(column)
    for i in items:
        grid.add_row(
            i["bucket"],
            _fi(i["due"]),
            i["kind"],
            escape(f"{i['customer']} {i['name']}"),  # names as text, not console markup
            escape(i["worker"]),
            escape(i["explanation"]),
        )
    console.print(grid)


@worklist_app.command("caseload")
def show_caseload(
    team: Annotated[str | None, typer.Option("--team", help="Team name or id (default: everyone).")] = None,
    on: OnOption = None,
    as_json: JsonOption = False,
) -> None:
    """Customers per worker by service line against the line's norm (caseload_norms.yaml)."""
    day = _date(on, "--on")
    with session_scope(get_engine()) as session:
        team_id = _team(session, team).id if team else None
        rows = wl.caseload(session=session, on=day, team_id=team_id)
    data: list[dict[str, Any]] = [
        {
            "staff": r.name,
            "line": r.service_line.value,
            "fte": r.fte,
            "by_line": {k.value: v for k, v in r.by_line.items()},
            "total": r.total,
            "norm_per_fte": r.norm_per_fte,
            "utilisation": r.utilisation,
        }
        for r in rows
    ]
    if as_json:
        _print_json({"on": day, "rows": data})
        return
    grid = Table(title=f"Caseload on {_fi(day)}")
    for column in ("worker", "line", "FTE", "customers", "by line", "norm/FTE", "of norm"):
        grid.add_column(column)
    for r in data:
        by_line = ", ".join(f"{k} {v}" for k, v in r["by_line"].items())
        grid.add_row(
            escape(r["staff"]),
            r["line"],
            f"{r['fte']:.2f}",
            str(r["total"]),
            by_line,
            str(r["norm_per_fte"]),
            _pct(r["utilisation"]),
        )
    console.print(grid)


@worklist_app.command("fulfilment")
def show_fulfilment(
    start: Annotated[str, typer.Option("--from", help="First day of the period.")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Count deadlines up to this day.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Share of statutory deadlines met, per municipality and team (counts of 1–4 hidden, as on the page)."""
    period = DateRange(_date(start, "--from"), _date(end, "--to"))
    with session_scope(get_engine()) as session:
        report = ff.deadline_fulfilment(
            session=session, period=period, as_of=_date(as_of, "--as-of") if as_of else None
        )

    def cells(row: dict[ff.Measure, ff.Cell]) -> dict[str, Any]:
        return {
            m.value: {
                "due": count_cell(c.due).as_count(),
                "met": count_cell(c.met).as_count(),
                "share": None if share_cell(c.met, c.due).suppressed else c.share,
            }
            for m, c in row.items()
        }

    data: dict[str, Any] = {
        "period": [period.start, period.end],
        "as_of": report.as_of,
        "total": cells(report.total),
        "by_municipality": {k: cells(v) for k, v in sorted(report.by_municipality.items())},
        "by_team": {
            report.team_names.get(k, "(unassigned)") if k else "(unassigned)": cells(v)
            for k, v in report.by_team.items()
        },
    }
    if as_json:
        _print_json(data)
        return
    for title, rows in (("Municipality", data["by_municipality"]), ("Team", data["by_team"])):
        grid = Table(title=f"Deadlines met {_fi(period.start)}–{_fi(period.end)} by {title.lower()}")
        grid.add_column(title)
        for m in ff.Measure:
            grid.add_column(m.value)
        for key, row in [*rows.items(), ("total", data["total"])]:
            shown = [row[m.value] for m in ff.Measure]
            grid.add_row(key, *(f"{_count(c['met'])}/{_count(c['due'])} {_pct(c['share'])}" for c in shown))
        console.print(grid)


# -------------------------------------------------------------------------------------------- model


def _data_until(session: Session) -> dt.date:
    latest = session.scalar(select(func.max(JobseekingSpell.start_date)))
    ended = session.scalar(select(func.max(JobseekingSpell.end_date)))
    candidates = [d for d in (latest, ended) if d is not None]
    return min(max(candidates), today()) if candidates else today()


@model_app.command("train")
def train_model(
    cutoff: Annotated[
        str | None,
        typer.Option(
            "--cutoff", help="Train on outcomes known by this day (default: 15 months before --until)."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="End of the data (default: the latest date in the data).")
    ] = None,
    include_protected: Annotated[
        bool,
        typer.Option(
            "--include-protected", help="Use protected characteristics as inputs (administrators only)."
        ),
    ] = False,
    allowed_by: Annotated[
        str, typer.Option("--allowed-by", help="The administrator who turned protected characteristics on.")
    ] = "",
    by: Annotated[str, typer.Option("--by", help="Who runs the training (recorded).")] = "alue model train",
    model_dir: Annotated[
        Path | None, typer.Option("--model-dir", help="Write the model here instead of the database.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Train the early-identification model with a temporal split and store its model card."""
    with session_scope(get_engine()) as session:
        end = _date(until, "--until", _data_until(session))
        from alue.shared.time import add_months

        start = _date(cutoff, "--cutoff", add_months(end, -15))
        try:
            run = ei.train(
                session=session,
                cutoff=start,
                data_until=end,
                created_by=by,
                include_protected=True if include_protected else None,
                allowed_by=allowed_by,
                model_dir=model_dir,
            )
        except ei.TrainingError as exc:
            _fail(str(exc))
        run_id = run.id
    _report(run_id, as_json)


@model_app.command("report")
def model_report(
    run: Annotated[int | None, typer.Option("--run", help="Run id (default: the latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The model card and fairness report of a training run: AUC, Brier score, calibration, baseline and error
    rates by group."""
    _report(run, as_json)


def _report(run_id: int | None, as_json: bool) -> None:
    with session_scope(get_engine()) as session:
        run = session.get(RiskModelRun, run_id) if run_id is not None else ei.latest_run(session)
        if run is None:
            _fail("no training runs: run `alue model train`")
        meta: dict[str, Any] = {
            "run": run.id,
            "created_at": run.created_at,
            "created_by": run.created_by,
            "cutoff": run.cutoff,
            "data_until": run.data_until,
            "active": run.active,
            "n_train": run.n_train,
            "n_test": run.n_test,
            "model_sha256": run.model_sha256,
            "model_path": run.model_path,
            "settings": run.settings,
        }
        card = dict(run.metrics)
    if as_json:
        _print_json({**meta, "model_card": card})
        return
    protected = card["protected_features"]
    console.print(
        f"[bold]Early-identification model, run {meta['run']}[/] "
        f"({'active' if meta['active'] else 'inactive'})"
    )
    console.print(
        f"Trained {meta['created_at']:%Y-%m-%d %H:%M} by {meta['created_by']}; "
        f"cut-off {_fi(meta['cutoff'])}, data until {_fi(meta['data_until'])}"
    )
    console.print(card["label_definition"])
    console.print(
        "Protected characteristics as inputs: "
        + (
            f"ON (allowed by {protected['allowed_by'] or protected['source']})"
            if protected["enabled"]
            else "off"
        )
    )
    used = [f["name"] for f in card["features"] if f["used"]]
    console.print(f"Features ({len(used)}): {', '.join(used)}")
    for horizon, entry in card["horizons"].items():
        console.rule(f"Spell lasts over {horizon} months")
        if entry.get("status") != "trained":
            console.print(entry.get("status", "not trained"))
            continue
        grid = Table(
            title=f"Evaluation on later spells (n = {entry['n_test']}; trained on {entry['n_train']})"
        )
        for column in (
            "",
            "AUC",
            "Brier",
            "log loss",
            "calibration error",
            "observed",
            "mean estimate",
            "flagged",
            "FPR",
            "FNR",
        ):
            grid.add_column(column)
        for name, key in (
            ("model", "model"),
            ("baseline", "baseline"),
            ("model, new spells", "model_new_spells"),
            ("baseline, new spells", "baseline_new_spells"),
        ):
            m = entry[key]
            grid.add_row(
                name,
                _num(m.get("auc")),
                _num(m.get("brier")),
                _num(m.get("log_loss")),
                _num(m.get("expected_calibration_error")),
                _pct(m.get("prevalence")),
                _pct(m.get("mean_predicted")),
                _pct(m.get("flagged_rate")),
                _pct(m.get("false_positive_rate")),
                _pct(m.get("false_negative_rate")),
            )
        console.print(grid)
        landmarks = Table(title="AUC among spells of the same age (days since registration when scored)")
        for column in ("days", "n", "observed", "model AUC", "baseline AUC"):
            landmarks.add_column(column)
        for landmark, m in entry.get("by_landmark", {}).items():
            landmarks.add_row(
                landmark, str(m["n"]), _pct(m["prevalence"]), _num(m["model_auc"]), _num(m["baseline_auc"])
            )
        console.print(landmarks)
        bins = Table(title="Calibration (reliability bins of the model)")
        for column in ("estimate", "n", "mean estimate", "observed"):
            bins.add_column(column)
        for b in entry["model"]["calibration_bins"]:
            bins.add_row(
                f"{b['lower']:.1f}–{b['upper']:.1f}",
                str(b["n"]),
                _pct(b["mean_predicted"]),
                _pct(b["observed"]),
            )
        console.print(bins)
        console.print(f"Flag threshold {entry['threshold']:.3f} (the training prevalence)")
        for attribute, groups in entry["fairness"].items():
            table = Table(title=f"Error rates by {attribute.replace('_', ' ')}")
            for column in (
                "group",
                "n",
                "observed",
                "mean estimate",
                "flagged",
                "FPR",
                "FNR",
                "AUC",
                "Brier",
            ):
                table.add_column(column)
            for value, m in groups.items():
                if m.get("suppressed"):
                    table.add_row(value, str(m["n"]), "(too few)", "", "", "", "", "", "")
                    continue
                table.add_row(
                    value,
                    str(m["n"]),
                    _pct(m["prevalence"]),
                    _pct(m["mean_predicted"]),
                    _pct(m["flagged_rate"]),
                    _pct(m["false_positive_rate"]),
                    _pct(m["false_negative_rate"]),
                    _num(m.get("auc")),
                    _num(m.get("brier")),
                )
            console.print(table)


@model_app.command("score")
def score_person(
    person: Annotated[str, typer.Argument(help="Customer number or person id.")],
    on: OnOption = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
) -> None:
    """Score the person's open spell with the active model and show the main reasons (audited)."""
    day = _date(on, "--on")
    with session_scope(get_engine()) as session:
        p = _person(session, person)
        spell_id = session.scalar(
            select(JobseekingSpell.id)
            .where(JobseekingSpell.person_id == p.id, JobseekingSpell.start_date <= day)
            .order_by(JobseekingSpell.start_date.desc())
            .limit(1)
        )
        if spell_id is None:
            _fail(f"{p.customer_number} has no jobseeking spell by {_fi(day)}")
        try:
            score = ei.score_spell(session=session, spell_id=spell_id, on=day)
        except ei.ModelUnavailableError as exc:
            _fail(str(exc))
        _audit(session, actor, AuditAction.CREATE, "risk_score", person_id=p.id, object_id=score.id)
        data: dict[str, Any] = {
            "person": p.customer_number,
            "on": day,
            "run": score.run_id,
            "spell_age_days": score.spell_age_days,
            "risk_3m": score.risk_3m,
            "risk_12m": score.risk_12m,
            "reasons": score.reasons,
        }
    if as_json:
        _print_json(data)
        return
    console.print(
        f"{data['person']} on {_fi(day)} (spell age {data['spell_age_days']} days, run {data['run']})"
    )
    console.print(f"Risk over 3 months: {_pct(data['risk_3m'])}; over 12 months: {_pct(data['risk_12m'])}")
    for horizon, reasons in data["reasons"].items():
        console.print(
            f"Main reasons ({horizon} months): "
            + "; ".join(f"{r['label']} = {r['value']} ({r['contribution']:+.2f})" for r in reasons)
        )
