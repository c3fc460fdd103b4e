"""Pages and API of the strategy scorecard (R-S1 … R-S3): the indicators grouped by the strategy's priorities
with the vision on top, each with its trend chart and data table; municipality comparison, customer-group
drill-down and definitions. Everything is read from the fact tables and suppressed (``suppression``)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from alue.scorecard import labels
from alue.scorecard.charts import Point, line_chart
from alue.scorecard.definitions import Definitions, load_definitions
from alue.scorecard.models import ALL
from alue.scorecard.periods import Period
from alue.scorecard.presentation import Card, cards, latest_period, sections
from alue.scorecard.queries import (
    Figure,
    group_drilldown,
    line_breakdown,
    month_end,
    municipality_comparison,
    series,
    trend_periods,
)
from alue.shared.auth import N_, Permission, Principal, aggregate_municipalities
from alue.shared.suppression import Cell
from alue.web.charts import Bar, bar_chart
from alue.web.deps import DbSession, Lang, NotFound, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.templating import render

router = APIRouter(prefix="/scorecard", include_in_schema=False)
api = APIRouter(prefix="/api/v1/scorecard", tags=["scorecard"])
TEMPLATES = Path(__file__).with_name("templates")

PeriodQuery = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}(-(Q[1-4]|\d{2}))?$")]
CodeQuery = Annotated[str, Query(max_length=3, pattern=r"^(\*|\d{3})$")]
KeyQuery = Annotated[str, Query(max_length=60, pattern=r"^[a-z0-9_]*$")]


def _definitions(request: Request) -> Definitions:
    return load_definitions(request.app.state.area)


def _period(session: Any, text: str | None, kind: str = "year") -> Period:
    if text:
        try:
            return Period.parse(text)
        except ValueError:
            raise NotFound from None
    return latest_period(session, kind)


def _allowed(principal: Principal, definitions: Definitions) -> list[str]:
    """The municipalities whose figures the principal may see (a municipal representative: their own)."""
    allowed = aggregate_municipalities(principal)
    return [c for c in definitions.area.codes if allowed is None or c in allowed]


def _municipality(code: str, allowed: list[str]) -> str:
    if code != ALL and code not in allowed:
        raise NotFound
    return code


def _cell(figure: Figure) -> Cell:
    return Cell(None, True) if figure.suppressed else Cell(figure.value)


def _trend_chart(card: Card, lang: str, chart_id: str) -> Any:
    unit = card.indicator.unit
    return line_chart(
        [Point(f.period, f.value, f.suppressed) for f in card.trend],
        chart_id=chart_id,
        title=f"{card.name(lang)}: {labels.t('trend', lang)}",
        description=labels.t("data_table", lang),
        target=card.trend[-1].target if card.trend else None,
        value_format=lambda v: labels.figure_text(v, unit, lang),
        scale=tuple(card.indicator.config.scale) if card.indicator.config.scale else None,  # type: ignore[arg-type]
    )


def _names(definitions: Definitions, lang: str) -> dict[str, str]:
    return {
        ALL: labels.t("area", lang),
        **{c: m.name(lang) for c, m in definitions.area.municipalities.items()},
    }


@router.get("/", response_class=HTMLResponse)
def scorecard_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    period: PeriodQuery = None,
    municipality: CodeQuery = ALL,
) -> Response:
    definitions = _definitions(request)
    allowed = _allowed(principal, definitions)
    code = _municipality(municipality, allowed)
    chosen = _period(db, period)
    all_cards = cards(db, definitions, chosen, municipality=code)
    charts = {card.key: _trend_chart(card, lang, f"trend-{card.key}") for card in all_cards}
    strategy = definitions.area.file.strategy
    return render(
        request,
        "scorecard/index.html",
        {
            "L": lambda key, **kw: labels.t(key, lang, **kw),
            "labels": labels,
            "definitions": definitions,
            "vision": strategy.vision.get(lang) if strategy else "",
            "period": chosen,
            "municipality": code,
            "allowed": allowed,
            "names": _names(definitions, lang),
            "sections": sections(definitions, all_cards, lang),
            "charts": charts,
            "has_facts": any(c.figure.value is not None or c.figure.suppressed for c in all_cards),
            "close_share": round(definitions.close_share * 100),
        },
    )


@router.get("/indicator", response_class=HTMLResponse)
def indicator_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    id: KeyQuery = "inflow_over_3_months",
    variant: KeyQuery = "",
    period: PeriodQuery = None,
    municipality: CodeQuery = ALL,
) -> Response:
    definitions = _definitions(request)
    indicator = definitions.indicators.get(id)
    if indicator is None or (variant or "") not in indicator.variants:
        raise NotFound
    allowed = _allowed(principal, definitions)
    code = _municipality(municipality, allowed)
    chosen = _period(db, period)
    unit = indicator.unit
    names = _names(definitions, lang)
    trend = series(db, definitions, id, variant, trend_periods(chosen), municipality=code)
    every = municipality_comparison(db, definitions, id, variant, chosen)
    card = Card(indicator, variant, next(f for f in every if f.municipality_code == code), trend)
    comparison = [f for f in every if f.municipality_code in (ALL, *allowed)]
    groups = group_drilldown(db, definitions, id, variant, chosen, municipality=code)
    lines = line_breakdown(db, definitions, id, variant, chosen) if code == ALL else []
    bars = bar_chart(
        [Bar(names[f.municipality_code], _cell(f)) for f in comparison],
        chart_id="chart-municipalities",
        title=f"{indicator.name(lang)}: {labels.t('municipality_comparison', lang)}",
        description=labels.t("data_table", lang),
        value_format=lambda v: labels.figure_text(v, unit, lang),
    )
    return render(
        request,
        "scorecard/indicator.html",
        {
            "L": lambda key, **kw: labels.t(key, lang, **kw),
            "labels": labels,
            "indicator": indicator,
            "variant": variant,
            "card": card,
            "name": card.name(lang),
            "period": chosen,
            "municipality": code,
            "allowed": allowed,
            "names": names,
            "trend_chart": _trend_chart(card, lang, "trend"),
            "comparison": comparison,
            "comparison_chart": bars,
            "groups": groups,
            "lines": lines,
            "unit": unit,
        },
    )


@router.get("/definitions", response_class=HTMLResponse)
def definitions_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    lang: Lang,
) -> Response:
    definitions = _definitions(request)
    return render(
        request,
        "scorecard/definitions.html",
        {
            "L": lambda key, **kw: labels.t(key, lang, **kw),
            "indicators": list(definitions.indicators.values()),
            "close_share": round(definitions.close_share * 100),
            "min_persons": definitions.disclosure.min_persons,
        },
    )


@router.get("/month-end", response_class=HTMLResponse)
def month_end_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    month: Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")] = None,
) -> Response:
    definitions = _definitions(request)
    allowed = _allowed(principal, definitions)
    chosen = _period(db, month, "month")
    rows = [r for r in month_end(db, definitions, chosen.label) if r.municipality_code in (ALL, *allowed)]
    measures = (
        "unemployed",
        "long_term_unemployed",
        "structurally_unemployed",
        "young_under_25",
        "young_under_area_limit",
    )
    return render(
        request,
        "scorecard/month_end.html",
        {
            "L": lambda key, **kw: labels.t(key, lang, **kw),
            "labels": labels,
            "rows": rows,
            "measures": measures,
            "names": _names(definitions, lang),
            "month": chosen,
        },
    )


@router.get("/export.xlsx")
def export_workbook(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    period: PeriodQuery = None,
) -> Response:
    """The indicator table and the municipality comparison as an Excel workbook (suppressed as on the
    page)."""
    from alue.scorecard.report import build_workbook

    definitions = _definitions(request)
    chosen = _period(db, period)
    buffer = io.BytesIO()
    build_workbook(db, definitions, chosen, lang, municipalities=_allowed(principal, definitions)).save(
        buffer
    )
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="scorecard-{chosen.label}.xlsx"'},
    )


@api.get("")
def api_scorecard(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    period: PeriodQuery = None,
    municipality: CodeQuery = ALL,
) -> JSONResponse:
    """Every indicator for a period: value, target, status, n, previous year and official figures (values
    of suppressed cells are null)."""
    definitions = _definitions(request)
    code = _municipality(municipality, _allowed(principal, definitions))
    chosen = _period(db, period)
    return JSONResponse(
        {
            "period": chosen.label,
            "municipality": code,
            "indicators": [c.as_json(lang) for c in cards(db, definitions, chosen, municipality=code)],
        }
    )


@api.get("/municipalities")
def api_municipalities(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    id: KeyQuery = "inflow_over_3_months",
    variant: KeyQuery = "",
    period: PeriodQuery = None,
) -> JSONResponse:
    """One indicator in each municipality the caller may see (and the area)."""
    definitions = _definitions(request)
    indicator = definitions.indicators.get(id)
    if indicator is None or variant not in indicator.variants:
        raise NotFound
    allowed = _allowed(principal, definitions)
    chosen = _period(db, period)
    rows = [
        f.as_json()
        for f in municipality_comparison(db, definitions, id, variant, chosen)
        if f.municipality_code in (ALL, *allowed)
    ]
    return JSONResponse(
        {"period": chosen.label, "indicator_id": id, "variant": variant, "municipalities": rows}
    )


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_router(api)
    web.add_nav(NavItem("scorecard", N_("Scorecard"), "/scorecard/", Permission.VIEW_AGGREGATES, order=30))
    web.add_templates(TEMPLATES)
