"""A structural-change scenario as a one-page plan: HTML (to print), XLSX (to work on) and PDF (to send).

The plan holds what a steering group needs on one page (R-I1, seed 001 §10): the event, the people and
where they live, the added staffing need and where, the benefit cost for the municipalities, the
occupations and vacancies they could move to, the reskilling need, and the baseline beside the scenario.
Texts are in the user's language (fi, sv, en).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font

from alue.planning.i18n import template_context
from alue.planning.scenario_service import ScenarioPlan
from alue.shared import i18n

TEMPLATES = Path(__file__).with_name("templates")


def _fmt(lang: str) -> dict[str, Any]:
    def number(value: float | None, digits: int = 0) -> str:
        return "–" if value is None else i18n.format_number(round(value, digits), lang, digits)

    def eur(value: float | None) -> str:
        return "–" if value is None else f"{number(value)} €"

    return {"number": number, "eur": eur, "date": lambda d: i18n.format_date(d, lang)}


def plan_html(plan: ScenarioPlan, *, lang: str = "fi") -> str:
    """A standalone, printable HTML page (no scripts, no external resources)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    context = {
        "plan": plan,
        "r": plan.result,
        "e": plan.result.event,
        "lang": lang,
        **_fmt(lang),
        **template_context(lang),
    }
    return env.get_template("planning/plan_export.html").render(context)


def plan_xlsx(plan: ScenarioPlan, *, lang: str = "fi") -> bytes:
    """A workbook: summary, months, municipalities, occupations, vacancies, baseline comparison."""
    _ = template_context(lang)["_"]
    r, e = plan.result, plan.result.event
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
    bold = Font(bold=True)
    rows: list[tuple[str, Any]] = [
        (_("Scenario"), e.name),
        (_("Kind"), _("Layoff") if e.kind == "layoff" else _("New plant")),
        (_("Employer"), e.employer),
        (_("Municipality"), e.municipality),
        (_("People"), e.people),
        (_("Date"), e.date.isoformat()),
        (_("Data until"), r.as_of.isoformat()),
        (_("Peak unemployed"), round(r.peak_stock, 1)),
        (_("Peak added FTE"), round(r.peak_fte, 2)),
        (_("Municipal benefit cost, first 12 months (€)"), round(r.municipal_cost_first_12_months)),
        (_("Municipal benefit cost, whole horizon (€)"), round(r.municipal_cost_horizon)),
        (_("Placeable in the same or a neighbouring occupation"), round(r.placeable, 1)),
        (_("Reskilling need"), round(r.reskilling_need, 1)),
        (_("Training starts"), round(r.training_starts, 1)),
        (_("Training cost (€)"), round(r.training_cost)),
        (_("Exit rate from unemployment a month"), round(r.exit_rate, 4)),
        (_("Matching"), r.matching_method),
    ]
    for label, value in rows:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = bold
    for note in r.notes:
        ws.append([_("Note"), note])

    def sheet(title: str, headers: list[str], data: list[list[Any]]) -> None:
        s = wb.create_sheet(title[:31])
        s.append(headers)
        for cell in s[1]:
            cell.font = bold
        for row in data:
            s.append(row)

    sheet(
        _("Months"),
        [_("Month"), _("Inflow"), _("Unemployed"), _("Added FTE"), _("Municipal benefit cost (€)")],
        [
            [m.month, round(m.inflow, 1), round(m.stock, 1), round(m.fte, 2), round(m.municipal_cost)]
            for m in r.months
        ],
    )
    sheet(
        _("Municipalities"),
        [
            _("Municipality"),
            _("Share"),
            _("People"),
            _("Peak added FTE"),
            _("Cost, first 12 months (€)"),
            _("Serving office"),
            _("Distance (km)"),
        ],
        [
            [
                m.name,
                round(m.residence_share, 3),
                round(m.people, 1),
                round(m.peak_fte, 2),
                round(m.municipal_cost_first_12_months),
                m.serving_office,
                round(m.distance_to_office_km, 1),
            ]
            for m in r.municipalities
        ],
    )
    sheet(
        _("Occupations"),
        [
            _("ISCO-08"),
            _("Occupation"),
            _("People"),
            _("Same group"),
            _("Neighbouring"),
            _("Related"),
            _("Competing jobseekers"),
            _("Placeable"),
            _("Reskilling need"),
        ],
        [
            [
                g.isco,
                g.label,
                round(g.people, 1),
                g.same_positions,
                g.neighbouring_positions,
                g.related_positions,
                g.competing_jobseekers,
                round(g.placeable, 1),
                round(g.reskilling_need, 1),
            ]
            for g in r.occupations
        ],
    )
    sheet(
        _("Vacancies"),
        [
            _("Title"),
            _("Employer"),
            _("ISCO-08"),
            _("Occupation"),
            _("Municipality"),
            _("Distance (km)"),
            _("Positions"),
            _("Level"),
            _("Shortage"),
        ],
        [
            [
                v.title,
                v.employer,
                v.isco,
                v.label,
                v.municipality,
                round(v.distance_km, 1),
                v.positions,
                v.level,
                v.shortage,
            ]
            for v in r.top_vacancies
        ],
    )
    sheet(
        _("Baseline"),
        [
            _("Municipality"),
            _("Need FTE, baseline"),
            _("Need FTE, scenario"),
            _("Baseline"),
            _("Scenario"),
            _("Cost 12 months, baseline (€)"),
            _("Cost 12 months, scenario (€)"),
        ],
        [
            [
                c.name,
                round(c.baseline_need_fte, 2),
                round(c.scenario_need_fte, 2),
                c.baseline_kind,
                c.scenario_kind,
                round(c.baseline_cost_12_months),
                round(c.scenario_cost_12_months),
            ]
            for c in plan.comparison
        ],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def plan_pdf(plan: ScenarioPlan, *, lang: str = "fi") -> bytes:
    """One A4 page with reportlab: the key figures, the municipalities and the top occupations."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _ = template_context(lang)["_"]
    f = _fmt(lang)
    r, e = plan.result, plan.result.event
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=e.name,
        lang=lang,
    )
    story: list[Any] = [
        Paragraph(e.name, styles["Title"]),
        Paragraph(
            f"{_('Layoff') if e.kind == 'layoff' else _('New plant')} · {e.employer} · {e.municipality} · "
            f"{f['date'](e.date)} · {e.people} {_('people')}",
            small,
        ),
        Spacer(1, 3 * mm),
    ]
    key = [
        [_("Peak unemployed"), f["number"](r.peak_stock), _("Peak added FTE"), f["number"](r.peak_fte, 1)],
        [
            _("Municipal benefit cost, first 12 months"),
            f["eur"](r.municipal_cost_first_12_months),
            _("Reskilling need"),
            f["number"](r.reskilling_need),
        ],
        [
            _("Placeable in the same or a neighbouring occupation"),
            f["number"](r.placeable),
            _("Training cost"),
            f["eur"](r.training_cost),
        ],
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ]
    )
    story += [
        Table(
            key,
            style=TableStyle(
                [("FONTSIZE", (0, 0), (-1, -1), 8), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]
            ),
        ),
        Spacer(1, 3 * mm),
    ]
    story.append(Paragraph(_("Where the people live and the added need"), styles["Heading3"]))
    rows = [
        [_("Municipality"), _("People"), _("Peak added FTE"), _("Cost, first 12 months"), _("Serving office")]
    ]
    rows += [
        [
            m.name,
            f["number"](m.people),
            f["number"](m.peak_fte, 1),
            f["eur"](m.municipal_cost_first_12_months),
            m.serving_office,
        ]
        for m in r.municipalities[:8]
    ]
    story += [Table(rows, style=grid), Spacer(1, 3 * mm)]
    story.append(Paragraph(_("Occupations and where they could move"), styles["Heading3"]))
    rows = [
        [
            _("ISCO-08"),
            _("Occupation"),
            _("People"),
            _("Open positions (same / neighbouring)"),
            _("Reskilling need"),
        ]
    ]
    rows += [
        [
            g.isco,
            Paragraph(g.label, small),
            f["number"](g.people),
            f"{g.same_positions} / {g.neighbouring_positions}",
            f["number"](g.reskilling_need),
        ]
        for g in r.occupations
    ]
    story += [
        Table(rows, style=grid, colWidths=[18 * mm, 70 * mm, 18 * mm, 40 * mm, 26 * mm]),
        Spacer(1, 3 * mm),
    ]
    if r.target_occupations:
        story.append(Paragraph(_("Shortage occupations to retrain for"), styles["Heading3"]))
        rows = [[_("ISCO-08"), _("Occupation"), _("Open positions"), _("Trainings")]]
        rows += [
            [t.isco, Paragraph(t.label, small), str(t.positions), ", ".join(t.trainings) or "–"]
            for t in r.target_occupations[:6]
        ]
        story += [Table(rows, style=grid, colWidths=[18 * mm, 80 * mm, 30 * mm, 44 * mm]), Spacer(1, 3 * mm)]
    story.append(Paragraph(" ".join(r.notes), small))
    story.append(
        Paragraph(
            _("Sources and assumptions: docs/planning.md; baseline: %(s)s.")
            % {"s": "; ".join(plan.baseline.sources)},
            small,
        )
    )
    doc.build(story)
    return buffer.getvalue()
