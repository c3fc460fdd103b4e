"""``alue plan …``: staffing, structural-change scenarios, benefit financing, effectiveness, cost sharing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from alue.area.config import Area, load_area
from alue.shared.db import get_engine, session_scope
from alue.shared.suppression import MIN_CELL
from alue.shared.time import parse_date, today

if TYPE_CHECKING:
    from alue.planning.effectiveness import ServiceFigures

plan_app = typer.Typer(
    help=(
        "Planning and economics: staffing need and service points (R-C2, R-B1/B2), structural-change "
        "scenarios (R-I1), the municipalities' unemployment-benefit financing (R-S4), cost-effectiveness "
        "of services (R-D2, R-S5) and cost sharing (R-B4, R-C6)."
    ),
    no_args_is_help=True,
)
console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Date of the data to use (default: the last day the data knows of)."),
]


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command group to the root app."""
    app.add_typer(plan_app, name="plan")


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _area() -> Area:
    return load_area()


def _eur(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} €".replace(",", " ")


# ------------------------------------------------------------------------------------------ staffing


@plan_app.command("staffing")
def staffing(
    as_of: AsOfOption = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Planning year (default: the year of --as-of).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """FTE need per municipality and service line, the 40/20/40 split, offices and service points."""
    from alue.planning.service import staffing_plan

    area = _area()
    with session_scope(get_engine()) as session:
        plan = staffing_plan(session=session, area=area, on=_date(as_of, "--as-of"), year=year)
    if as_json:
        _print_json(plan.model_dump(mode="json"))
        return
    need = plan.need
    table = Table(title=f"Staffing need {need.year} (data {need.on.isoformat()}, norms {need.norms_version})")
    for col in (
        "municipality",
        "customers",
        "person FTE",
        "employer FTE",
        "admin FTE",
        "need FTE",
        "advice",
        "visits",
        "staff FTE",
    ):
        table.add_column(col, justify="right" if col not in ("municipality", "advice") else "left")
    advice = {a.code: a for a in plan.service_points}
    staff = {s.code: s for s in plan.staff}
    for m in need.municipalities:
        a = advice[m.code]
        visits = "–"
        if a.recommended_kind == "service_point":
            visits = f"every {a.visit_interval_days} d" + (
                f", {a.visit_days_per_week} d/wk" if (a.visit_days_per_week or 1) > 1 else ""
            )
        table.add_row(
            m.name,
            f"{m.customers:.0f}",
            f"{m.person_fte:.1f}",
            f"{m.employer_fte:.1f}",
            f"{m.administration_fte:.1f}",
            f"{m.need_fte:.1f}",
            a.recommended_kind,
            visits,
            f"{staff[m.code].staff_fte:.1f}",
        )
    console.print(table)
    split = Table(title="Person-customer split (plan 40 / 20 / 40)")
    for col in ("line", "plan", "need FTE", "need share", "staff FTE", "staff share"):
        split.add_column(col)
    for s in need.split:
        split.add_row(
            s.line,
            "–" if s.plan_share is None else f"{s.plan_share:.0%}",
            f"{s.need_fte:.1f}",
            f"{s.need_share:.0%}",
            f"{s.staff_fte:.1f}",
            "–" if s.staff_share is None else f"{s.staff_share:.0%}",
        )
    console.print(split)
    console.print(f"Total need {need.total_fte:.1f} FTE; staff {need.staff_total_fte:.1f} FTE.")


# ----------------------------------------------------------------------------------------- financing


@plan_app.command("financing")
def financing(
    municipality: Annotated[
        str | None,
        typer.Option("--municipality", help="Municipality code, e.g. 609 (default: the whole area)."),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Year of the statement (default: this year).")
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """The municipality's estimated share of unemployment benefits: months, trend, forecast, what-if."""
    from alue.planning.financing_report import financing_report

    area = _area()
    if municipality is not None and municipality not in area.municipalities:
        _fail(f"municipality {municipality!r} is not in the area ({', '.join(area.municipalities)})")
    day = _date(as_of, "--as-of")
    with session_scope(get_engine()) as session:
        report = financing_report(
            session=session,
            area=area,
            year=year or (day or today()).year,
            municipality=municipality,
            as_of=day,
        )
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    table = Table(title=f"{report.municipality_name}: municipal share of unemployment benefits {report.year}")
    for col in ("month", "kind", "paid days", "municipal share €", "like for like €"):
        table.add_column(col, justify="right")
    for m in report.months:
        days = (
            None
            if m.lms_days is None
            else (m.lms_days + (m.basic_days or 0) + (m.earnings_related_days or 0))
        )
        table.add_row(
            m.month,
            m.kind,
            "–" if days is None else f"{days:,.0f}",
            _eur(m.municipal_cost),
            _eur(m.like_for_like_cost),
        )
    console.print(table)
    console.print(
        f"Year {report.year}: estimate {_eur(report.year_estimate)} + "
        f"forecast {_eur(report.year_forecast)} = "
        f"{_eur(report.year_total)} (data until {report.last_month})."
    )
    w = report.what_if
    if w.inflow_share is not None:
        console.print(
            f"Inflow into > 3 months: {w.inflow_share:.0%} (target < {w.target_share:.0%}). "
            + (
                "At target."
                if w.at_target
                else f"At the target the municipality would pay {_eur(w.saving_low)}–"
                f"{_eur(w.saving_central)} less a year."
            )
        )
    if report.unverified_rules:
        console.print("Unverified rules used (configurable defaults): " + ", ".join(report.unverified_rules))


def _path(value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise typer.BadParameter(f"file not found: {value}")
    return path


# -------------------------------------------------------------------------------------- cost sharing


@plan_app.command("cost-sharing")
def cost_sharing(
    year: Annotated[int | None, typer.Option("--year", help="Budget year (default: this year).")] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key", help="population | unemployed | customers | mix (default: the budget file's key)."
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget", help="Budget file (YAML or CSV; default: the shipped budgets/<area>-<year>.yaml)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the labels: fi, sv or en.")] = "fi",
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each municipality's statement: shared costs by the key, own service points kept apart (R-B4)."""
    from alue.planning.cost_sharing import (
        KEYS,
        BudgetError,
        allocate,
        default_budget_path,
        key_figures,
        load_budget,
    )
    from alue.planning.financing_report import data_end

    if key is not None and key not in (*KEYS, "mix"):
        raise typer.BadParameter("choose population, unemployed, customers or mix", param_hint="--key")
    area = _area()
    year = year or today().year
    path = Path(budget) if budget else default_budget_path(area.key, year)
    try:
        loaded = load_budget(path, method=key, area=area.key, year=year)  # type: ignore[arg-type]
    except BudgetError as exc:
        _fail(str(exc))
    if loaded.year != year:
        _fail(f"the budget file is for {loaded.year}, not {year}")
    with session_scope(get_engine()) as session:
        until = _date(as_of, "--as-of") or data_end(session)
        figures = key_figures(session=session, area=area, budget=loaded, until=until)
        try:
            result = allocate(loaded, figures, area, lang=lang)
        except ValueError as exc:
            _fail(str(exc))
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    table = Table(title=f"Cost sharing {result.year} — key {result.method} {result.weights}")
    for col in ("municipality", "share", "shared (net)", "own service points", "total", "€ / inhabitant"):
        table.add_column(col, justify="right" if col != "municipality" else "left")
    for m in result.municipalities:
        table.add_row(
            m.name,
            f"{m.share:.2%}",
            _eur(float(m.shared_net)),
            _eur(float(m.own_total)),
            _eur(float(m.total)),
            f"{m.per_inhabitant:.2f}",
        )
    console.print(table)
    console.print(
        f"Net shared {_eur(float(result.net_shared))} + own {_eur(float(result.own_total))} = "
        f"{_eur(float(result.grand_total))}"
    )


# ------------------------------------------------------------------------------------------ scenarios


@plan_app.command("scenario")
def scenario(
    file: Annotated[
        str, typer.Argument(help="Scenario file (YAML or JSON): see src/alue/planning/scenarios/.")
    ],
    save: Annotated[
        bool, typer.Option("--save", help="Save the scenario and its projection in the database.")
    ] = False,
    export: Annotated[
        str | None,
        typer.Option("--export", help="Write the one-page plan: a path ending .html, .xlsx or .pdf."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the exported plan: fi, sv or en.")] = "fi",
    baseline_staffing: Annotated[
        bool,
        typer.Option(
            "--baseline/--no-baseline", help="Compute the baseline staffing need when no snapshot exists."
        ),
    ] = True,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Project a layoff or a new plant: inflow, FTE, benefit cost, vacancies, reskilling (R-I1)."""
    from alue.planning import scenario_service
    from alue.planning.export import plan_html, plan_pdf, plan_xlsx
    from alue.planning.scenarios import ScenarioError, load_event

    try:
        event = load_event(_path(file))
    except ScenarioError as exc:
        _fail(str(exc))
    area = _area()
    with session_scope(get_engine()) as session:
        try:
            plan = scenario_service.plan_scenario(
                event,
                session=session,
                area=area,
                as_of=_date(as_of, "--as-of"),
                compute_staffing=baseline_staffing,
            )
        except ScenarioError as exc:
            _fail(str(exc))
        if save:
            row = scenario_service.save(session=session, plan=plan, created_by="cli")
            plan = plan.model_copy(update={"id": row.id})
    if export:
        target = Path(export)
        writers = {
            ".html": lambda: plan_html(plan, lang=lang).encode("utf-8"),
            ".xlsx": lambda: plan_xlsx(plan, lang=lang),
            ".pdf": lambda: plan_pdf(plan, lang=lang),
        }
        writer = writers.get(target.suffix.lower())
        if writer is None:
            _fail("--export must end with .html, .xlsx or .pdf")
        target.write_bytes(writer())
    if as_json:
        _print_json(plan.model_dump(mode="json"))
        return
    r = plan.result
    console.print(
        f"[bold]{r.event.name}[/] — {r.event.people} people, {r.event.kind}, {r.event.municipality}, "
        f"{r.event.date.isoformat()}" + (f" (saved as #{plan.id})" if plan.id else "")
    )
    console.print(
        f"Peak unemployed {r.peak_stock:.0f}; peak added FTE {r.peak_fte:.1f}; municipal benefit cost "
        f"first 12 months {_eur(r.municipal_cost_first_12_months)}; placeable {r.placeable:.0f}; "
        f"reskilling need {r.reskilling_need:.0f}."
    )
    table = Table(title="Municipalities")
    for col in ("municipality", "people", "peak FTE", "cost 12 m", "baseline FTE", "scenario FTE", "office?"):
        table.add_column(col)
    comparison = {c.code: c for c in plan.comparison}
    for m in r.municipalities:
        c = comparison.get(m.code)
        table.add_row(
            m.name,
            f"{m.people:.0f}",
            f"{m.peak_fte:.1f}",
            _eur(m.municipal_cost_first_12_months),
            f"{c.baseline_need_fte:.1f}" if c else "–",
            f"{c.scenario_need_fte:.1f}" if c else "–",
            f"{c.baseline_kind} → {c.scenario_kind}" if c else "–",
        )
    console.print(table)
    occ = Table(title="Occupations and open positions within commuting distance")
    for col in ("ISCO", "occupation", "people", "same", "neighbouring", "related", "placeable", "reskilling"):
        occ.add_column(col)
    for g in r.occupations:
        occ.add_row(
            g.isco,
            g.label,
            f"{g.people:.0f}",
            str(g.same_positions),
            str(g.neighbouring_positions),
            str(g.related_positions),
            f"{g.placeable:.0f}",
            f"{g.reskilling_need:.0f}",
        )
    console.print(occ)
    for v in r.top_vacancies[:10]:
        console.print(
            f"  {v.level:12s} {v.isco} {v.title} — {v.employer}, {v.municipality} ({v.distance_km:.0f} km), "
            f"{v.positions} pos.{' shortage' if v.shortage else ''}"
        )
    for note in r.notes:
        console.print(f"Note: {note}")


# -------------------------------------------------------------------------------------- effectiveness


#: the fields of a service's figures that each published cell stands for (hidden with it)
_CELL_FIELDS = {
    "participants": ("participants", "participations", "median_spell_days"),
    "completion": ("completed", "ended", "completion_rate", "completion_ci"),
    "employed_3m": ("employed_3m", "followed_3m", "employed_3m_rate", "employed_3m_ci"),
    "employed_6m": (
        "employed_6m",
        "followed_6m",
        "employed_6m_rate",
        "employed_6m_ci",
        "naive_before_after_6m",
    ),
}


def _published(figures: ServiceFigures) -> dict[str, Any]:
    """A service's figures as its page shows them (``published_cells``): what a hidden cell stands for is
    left out, and the costs per employed only from 5 employed."""
    from alue.planning.effectiveness import published_cells

    out = figures.model_dump(mode="json")
    for name, cell in published_cells(figures).items():
        if cell.suppressed:
            out.update(dict.fromkeys(_CELL_FIELDS[name]))
    if figures.employed_6m < MIN_CELL:
        out.update(cost_per_employed_6m=None, cost_per_employed_6m_ci=None, employed_per_10k_eur=None)
    return out


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _interval(value: dict[str, float] | None) -> str:
    return "–" if value is None else f"{value['low']:.2f}–{value['high']:.2f}"


@plan_app.command("effectiveness")
def effectiveness(
    as_of: AsOfOption = None,
    window: Annotated[int, typer.Option("--window", help="Months of participations to include.")] = 60,
    follow_up: Annotated[int, typer.Option("--follow-up", help="Months of follow-up after the service.")] = 6,
    as_json: JsonOption = False,
) -> None:
    """Cost, participants, completion, employment at 3/6 months, € per employed and matched effects."""
    from alue.planning.effectiveness import effectiveness_report

    area = _area()
    with session_scope(get_engine()) as session:
        report = effectiveness_report(
            session=session,
            area=area,
            as_of=_date(as_of, "--as-of"),
            window_months=window,
            follow_up_months=follow_up,
        )
    data = report.model_dump(mode="json")
    data["services"] = [_published(f) for f in report.services]
    data["providers"] = [_published(f) for f in report.providers]
    if as_json:
        _print_json(data)
        return
    console.print(report.method_note)
    for title, rows in (("Services", data["services"]), ("Providers", data["providers"])):
        table = Table(title=title)
        for col in (
            "service",
            "participants",
            "cost",
            "completed",
            "employed 6 m",
            "€ / employed",
            "effect (HR)",
            "95 % CI",
            "vs not in a service",
            "95 % CI ",
            "naive HR",
        ):
            table.add_column(col)
        for f in rows:
            e, n = f["effect"] or {}, f["non_participant_effect"] or {}
            table.add_row(
                f["name"],
                "–" if f["participants"] is None else str(f["participants"]),
                _eur(f["total_cost"]),
                "–" if f["completion_rate"] is None else f"{f['completion_rate']:.0%}",
                "–" if f["employed_6m_rate"] is None else f"{f['employed_6m_rate']:.0%}",
                _eur(f["cost_per_employed_6m"]),
                _ratio(e.get("hazard_ratio")),
                _interval(e.get("hazard_ratio_ci")),
                _ratio(n.get("hazard_ratio")),
                _interval(n.get("hazard_ratio_ci")),
                _ratio(e.get("naive_hazard_ratio")),
            )
        console.print(table)


# -------------------------------------------------------------------------------------------- rebuild


@plan_app.command("rebuild")
def rebuild(
    as_of: AsOfOption = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="financing, staffing or effectiveness (repeatable).")
    ] = None,
) -> None:
    """Rebuild the benefit facts and the report snapshots the planning pages read."""
    from alue.planning.service import rebuild as do_rebuild

    area = _area()
    with session_scope(get_engine()) as session:
        summary = do_rebuild(
            session=session,
            area=area,
            as_of=_date(as_of, "--as-of"),
            include=tuple(only) if only else ("financing", "staffing", "effectiveness"),
        )
    console.print(
        f"Rebuilt {summary.fact_rows} fact rows and {len(summary.snapshots)} snapshots "
        f"(data until {summary.data_end.isoformat()}) in {summary.seconds:.0f} s."
    )
