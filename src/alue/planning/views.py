"""Planning pages (R-C2, R-B1/B2, R-S4, R-D2/S5, R-B4/C6, R-I1): staffing and service points, benefit
financing, cost-effectiveness, cost sharing and structural-change scenarios.

Every page shows aggregates only (``Permission.VIEW_AGGREGATES``); a municipal representative sees the
rows of their own municipalities. The pages read the snapshots and facts that ``alue plan rebuild``
keeps ready; without them a figure is computed on the request and the page says so. Every chart is
followed by a table with the same figures. Person counts pass through ``alue.shared.suppression``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from alue.planning import scenario_service
from alue.planning.i18n import gettext, template_context
from alue.planning.service import financing_key, load_snapshot
from alue.shared.auth import N_, Permission, Principal, aggregate_municipalities
from alue.shared.i18n import format_number
from alue.shared.suppression import Cell, count_cell
from alue.shared.time import today
from alue.web.charts import Bar, bar_chart
from alue.web.deps import DbSession, IdPath, Lang, NotFound, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(prefix="/planning", include_in_schema=False)
TEMPLATES = Path(__file__).with_name("templates")
Aggregates = Annotated[Principal, requires(Permission.VIEW_AGGREGATES)]
#: saving a scenario changes what every planner sees: team leads and administrators
WritePlanning = Annotated[Principal, requires(Permission.WRITE_PLANNING)]


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_nav(NavItem("planning", N_("Planning"), "/planning/", Permission.VIEW_AGGREGATES, order=30))
    web.add_templates(TEMPLATES)


def _page(request: Request, lang: str, template: str, context: dict[str, Any]) -> Response:
    return render(request, template, {**context, **template_context(lang)})


def _visible(request: Request, principal: Principal) -> list[str]:
    codes = list(request.app.state.area.municipalities)
    allowed = aggregate_municipalities(principal)
    return codes if allowed is None else [c for c in codes if c in allowed]


def _money(value: float | None) -> Cell:
    return Cell(None) if value is None else Cell(round(value))


def _snapshot_or(
    db: Any, kind: str, key: str, compute: Any, model: type[BaseModel]
) -> tuple[Any, dt.date | None, bool]:
    """(report, data date, from snapshot?) — the rebuilt snapshot, or the report computed now."""
    snap = load_snapshot(session=db, kind=kind, key=key)
    if snap is not None:
        return model.model_validate(snap.payload), snap.data_end, True
    report = compute()
    return report, getattr(report, "as_of", None), False


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: Aggregates, db: DbSession, lang: Lang) -> Response:
    snapshots = {
        kind: load_snapshot(session=db, kind=kind, key="current") for kind in ("staffing", "effectiveness")
    }
    return _page(request, lang, "planning/index.html", {"snapshots": snapshots, "year": today().year})


# ------------------------------------------------------------------------------------------ staffing


@router.get("/staffing", response_class=HTMLResponse)
def staffing(request: Request, principal: Aggregates, db: DbSession, lang: Lang) -> Response:
    from alue.planning.service import StaffingPlan, staffing_plan

    area = request.app.state.area
    plan, data_day, ready = _snapshot_or(
        db, "staffing", "current", lambda: staffing_plan(session=db, area=area), StaffingPlan
    )
    codes = _visible(request, principal)
    need = {m.code: m for m in plan.need.municipalities}
    advice = {a.code: a for a in plan.service_points}
    staff = {s.code: s for s in plan.staff}
    names = {c: area.municipalities[c].name(lang) for c in codes}
    chart = bar_chart(
        [Bar(names[c], Cell(round(need[c].need_fte + need[c].administration_fte, 1))) for c in codes],
        chart_id="chart-need",
        title=gettext(lang, "Staffing need by municipality (FTE)"),
        description=gettext(lang, "Bar chart; the same figures are in the table below."),
        value_format=lambda v: format_number(v, lang, 1),
    )
    return _page(
        request,
        lang,
        "planning/staffing.html",
        {
            "plan": plan,
            "codes": codes,
            "names": names,
            "need": need,
            "advice": advice,
            "staff": staff,
            "chart": chart,
            "ready": ready,
            "data_day": data_day,
            "customers": {c: count_cell(round(need[c].customers)) for c in codes},
        },
    )


# ----------------------------------------------------------------------------------------- financing


@router.get("/financing", response_class=HTMLResponse)
def financing(
    request: Request,
    principal: Aggregates,
    db: DbSession,
    lang: Lang,
    municipality: Annotated[str | None, Query(max_length=3)] = None,
    year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
) -> Response:
    from alue.planning.financing_report import FinancingReport, financing_report

    area = request.app.state.area
    codes = _visible(request, principal)
    if municipality is None and len(codes) != len(area.municipalities):
        municipality = codes[0] if codes else None
    if municipality is not None and municipality not in codes:
        raise NotFound
    year = year or today().year
    report, data_day, ready = _snapshot_or(
        db,
        "financing",
        financing_key(municipality, year),
        lambda: financing_report(session=db, area=area, year=year, municipality=municipality),
        FinancingReport,
    )
    labels = [m.month for m in report.months]
    chart = bar_chart(
        [
            Bar(m.month + (" *" if m.kind == "forecast" else ""), _money(m.municipal_cost))
            for m in report.months
        ],
        chart_id="chart-months",
        title=gettext(lang, "Municipal share of unemployment benefits by month (€)"),
        description=gettext(lang, "Months marked * are forecasts. The same figures are in the table below."),
        value_format=lambda v: format_number(v, lang, 0),
        label_width=110,
    )
    by_muni = [r for r in report.by_municipality if r["code"] in codes]
    overview = bar_chart(
        [Bar(str(r["name"]), _money(float(r["last_12_months"]))) for r in by_muni],
        chart_id="chart-municipalities",
        title=gettext(lang, "Municipal share of unemployment benefits, last 12 months (€)"),
        description=gettext(lang, "Bar chart; the same figures are in the table below."),
        value_format=lambda v: format_number(v, lang, 0),
    )
    return _page(
        request,
        lang,
        "planning/financing.html",
        {
            "report": report,
            "chart": chart,
            "overview": overview,
            "by_muni": by_muni,
            "codes": codes,
            "names": {c: area.municipalities[c].name(lang) for c in codes},
            "selected": municipality,
            "year": year,
            "ready": ready,
            "data_day": data_day,
            "labels": labels,
        },
    )


# ------------------------------------------------------------------------------------- effectiveness


@router.get("/effectiveness", response_class=HTMLResponse)
def effectiveness(request: Request, principal: Aggregates, db: DbSession, lang: Lang) -> Response:
    from alue.planning.effectiveness import EffectivenessReport, effectiveness_report, published_cells

    area = request.app.state.area
    report, data_day, ready = _snapshot_or(
        db,
        "effectiveness",
        "current",
        lambda: effectiveness_report(session=db, area=area),
        EffectivenessReport,
    )

    def ranked(rows: list[Any]) -> list[Any]:
        def key(f: Any) -> tuple[int, float]:
            e = f.effect
            value = e.cost_per_additional_employed if e is not None else None
            return (0, value) if value is not None else (1, f.cost_per_employed_6m or float("inf"))

        return sorted(rows, key=key)

    providers = ranked(report.providers)
    chart = bar_chart(
        [
            Bar(f.name, _money(f.cost_per_employed_6m) if f.employed_6m >= 5 else Cell(None, True))
            for f in providers
        ],
        chart_id="chart-providers",
        title=gettext(lang, "Cost per person employed 6 months after the service, by provider (€)"),
        description=gettext(lang, "Bar chart; the same figures are in the table below."),
        value_format=lambda v: format_number(v, lang, 0),
        label_width=200,
    )

    return _page(
        request,
        lang,
        "planning/effectiveness.html",
        {
            "report": report,
            "services": ranked(report.services),
            "providers": providers,
            "chart": chart,
            "cells": published_cells,
            "ready": ready,
            "data_day": data_day,
        },
    )


# -------------------------------------------------------------------------------------- cost sharing


@router.get("/cost-sharing", response_class=HTMLResponse)
def cost_sharing(
    request: Request,
    principal: Aggregates,
    db: DbSession,
    lang: Lang,
    year: Annotated[int | None, Query(ge=2015, le=2100)] = None,
    key: Annotated[str | None, Query(pattern="^(population|unemployed|customers|mix)$")] = None,
) -> Response:
    from alue.planning.cost_sharing import (
        BudgetError,
        allocate,
        default_budget_path,
        key_figures,
        load_budget,
    )
    from alue.planning.financing_report import data_end

    area = request.app.state.area
    year = year or today().year
    path = default_budget_path(area.key, year)
    error = None
    result = None
    try:
        budget = load_budget(path, method=key)  # type: ignore[arg-type]
        figures = key_figures(session=db, area=area, budget=budget, until=data_end(db))
        result = allocate(budget, figures, area, lang=lang)
    except BudgetError:
        error = N_("No budget file for this year.")
    except ValueError:
        error = N_("The key has no figures in the data of the reference year.")
    codes = _visible(request, principal)
    rows = [m for m in result.municipalities if m.code in codes] if result else []
    chart = bar_chart(
        [Bar(m.name, _money(float(m.total))) for m in rows],
        chart_id="chart-cost-sharing",
        title=gettext(lang, "Each municipality's payment (€)"),
        description=gettext(lang, "Bar chart; the same figures are in the table below."),
        value_format=lambda v: format_number(v, lang, 0),
    )
    return _page(
        request,
        lang,
        "planning/cost_sharing.html",
        {
            "result": result,
            "rows": rows,
            "chart": chart,
            "year": year,
            "key": key,
            "error": error,
            "all_rows": len(rows) == len(area.municipalities),
        },
    )


# ----------------------------------------------------------------------------------------- scenarios


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios(request: Request, principal: Aggregates, db: DbSession, lang: Lang) -> Response:
    from alue.planning.scenarios import EXAMPLES_DIR

    rows = scenario_service.saved(session=db)
    examples = sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))
    return _page(request, lang, "planning/scenarios.html", {"rows": rows, "examples": examples})


def _example_plan(db: Any, request: Request, name: str) -> scenario_service.ScenarioPlan:
    from alue.planning.scenarios import EXAMPLES_DIR, load_event

    if not re.fullmatch(r"[a-z0-9-]{1,80}", name):
        raise NotFound
    path = EXAMPLES_DIR / f"{name}.yaml"
    if not path.is_file():
        raise NotFound
    return scenario_service.plan_scenario(
        load_event(path), session=db, area=request.app.state.area, compute_staffing=False
    )


def _saved_plan(db: Any, scenario_id: int) -> scenario_service.ScenarioPlan:
    from alue.planning.models import PlanningScenario

    row = db.get(PlanningScenario, scenario_id)
    if row is None:
        raise NotFound
    return scenario_service.load(row)


def _scenario_page(
    request: Request,
    lang: str,
    plan: scenario_service.ScenarioPlan,
    export_base: str,
    save_url: str | None = None,
) -> Response:
    r = plan.result
    chart = bar_chart(
        [Bar(m.month, Cell(round(m.stock))) for m in r.months],
        chart_id="chart-stock",
        title=gettext(lang, "People of the event still unemployed, by month"),
        description=gettext(lang, "Bar chart; the same figures are in the table below."),
        value_format=lambda v: format_number(v, lang, 0),
        label_width=90,
    )
    return _page(
        request,
        lang,
        "planning/scenario.html",
        {"plan": plan, "r": r, "chart": chart, "export_base": export_base, "save_url": save_url},
    )


@router.get("/scenarios/example/{name}", response_class=HTMLResponse)
def scenario_example(
    request: Request, name: str, principal: Aggregates, db: DbSession, lang: Lang
) -> Response:
    base = f"/planning/scenarios/example/{name}"
    can_save = principal.has(Permission.WRITE_PLANNING)
    return _scenario_page(
        request, lang, _example_plan(db, request, name), base, save_url=f"{base}/save" if can_save else None
    )


@router.post("/scenarios/example/{name}/save", response_class=HTMLResponse)
def scenario_example_save(
    request: Request,
    name: str,
    principal: WritePlanning,
    db: DbSession,
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Save an example scenario as computed now, so that it can be compared and exported later."""
    plan = _example_plan(db, request, name)
    row = scenario_service.save(session=db, plan=plan, created_by=principal.username, notes=notes.strip())
    db.commit()
    return RedirectResponse(f"/planning/scenarios/{row.id}", status_code=303)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_detail(
    request: Request, scenario_id: IdPath, principal: Aggregates, db: DbSession, lang: Lang
) -> Response:
    return _scenario_page(request, lang, _saved_plan(db, scenario_id), f"/planning/scenarios/{scenario_id}")


def _export(plan: scenario_service.ScenarioPlan, fmt: str, lang: str) -> Response:
    from alue.planning.export import plan_html, plan_pdf, plan_xlsx

    name = "".join(ch if ch.isalnum() else "-" for ch in plan.result.event.name.lower())[:60] or "plan"
    if fmt == "html":
        body, media = plan_html(plan, lang=lang).encode("utf-8"), "text/html; charset=utf-8"
    elif fmt == "xlsx":
        body, media = (
            plan_xlsx(plan, lang=lang),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        body, media = plan_pdf(plan, lang=lang), "application/pdf"
    else:
        raise NotFound
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


@router.get("/scenarios/{scenario_id}/plan.{fmt}")
def scenario_export(
    scenario_id: IdPath, fmt: str, principal: Aggregates, db: DbSession, lang: Lang
) -> Response:
    return _export(_saved_plan(db, scenario_id), fmt, lang)


@router.get("/scenarios/example/{name}/plan.{fmt}")
def scenario_example_export(
    request: Request, name: str, fmt: str, principal: Aggregates, db: DbSession, lang: Lang
) -> Response:
    return _export(_example_plan(db, request, name), fmt, lang)
