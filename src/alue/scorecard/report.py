"""The board report: a PDF and an Excel workbook of the scorecard for a period, in Finnish (Swedish or
English on request), with the trend charts and the indicator table. Read from the fact tables; suppressed
cells are shown as "–" exactly as on the pages.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from alue.scorecard import labels
from alue.scorecard.definitions import Definitions
from alue.scorecard.models import ALL
from alue.scorecard.periods import Period
from alue.scorecard.presentation import Card, cards, sections
from alue.scorecard.queries import month_end, municipality_comparison
from alue.shared.time import today

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
STATUS_COLOURS = {"met": "C6E7C6", "close": "FFF0B3", "not_met": "F7C6C0"}
MONTH_MEASURES = (
    "unemployed",
    "long_term_unemployed",
    "structurally_unemployed",
    "young_under_25",
    "young_under_area_limit",
)


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))


def _names(definitions: Definitions, lang: str) -> dict[str, str]:
    return {
        ALL: labels.t("area", lang),
        **{c: m.name(lang) for c, m in definitions.area.municipalities.items()},
    }


def _value(card_or_figure: Any, unit: str, lang: str) -> str:
    figure = getattr(card_or_figure, "figure", card_or_figure)
    text = labels.figure_text(figure.value, unit, lang)
    return text + ("" if figure.complete or figure.value is None else " *")


def indicator_rows(all_cards: list[Card], lang: str) -> list[list[str]]:
    """The indicator table: one row per indicator (variant)."""
    rows = []
    for card in all_cards:
        unit = card.indicator.unit
        official = "; ".join(
            f"{labels.figure_text(o.value, unit, lang)} ({o.source})" for o in card.figure.official
        )
        rows.append(
            [
                ", ".join(str(p) for p in card.indicator.priorities if p) or labels.t("vision", lang),
                card.name(lang),
                _value(card, unit, lang),
                card.target_text(lang),
                labels.t(card.figure.status, lang),
                labels.figure_text(card.figure.previous_value, unit, lang),
                card.change_text(lang),
                "–" if card.figure.persons is None else str(card.figure.persons),
                official or "–",
            ]
        )
    return rows


def _headers(lang: str) -> list[str]:
    return [
        labels.t(k, lang)
        for k in (
            "priority",
            "indicator",
            "value",
            "target",
            "status",
            "previous_year",
            "change",
            "persons",
            "official",
        )
    ]


# ------------------------------------------------------------------------------------------------ Excel


def build_workbook(
    session: Session,
    definitions: Definitions,
    period: Period,
    lang: str = "fi",
    *,
    municipalities: list[str] | None = None,
    all_cards: list[Card] | None = None,
) -> Workbook:
    all_cards = all_cards if all_cards is not None else cards(session, definitions, period)
    codes = municipalities if municipalities is not None else definitions.area.codes
    names = _names(definitions, lang)
    book = Workbook()
    bold = Font(bold=True)

    sheet = book.active
    sheet.title = labels.t("indicator", lang)[:31]
    sheet.append([f"{definitions.area.name(lang)} – {labels.t('scorecard', lang)} {period.label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    if definitions.vision:
        sheet.append([f"{labels.t('vision', lang)}: {definitions.vision.get(lang)}"])
    sheet.append([])
    sheet.append(_headers(lang))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    for card, row in zip(all_cards, indicator_rows(all_cards, lang), strict=True):
        sheet.append(row)
        colour = STATUS_COLOURS.get(card.figure.status)
        if colour:
            sheet.cell(sheet.max_row, 5).fill = PatternFill("solid", fgColor=colour)
    sheet.append([])
    for key in ("status_rule", "suppression_rule", "incomplete"):
        text = (
            labels.t(key, lang, share=round(definitions.close_share * 100))
            if key == "status_rule"
            else labels.t(key, lang)
        )
        sheet.append([("* " if key == "incomplete" else "") + text])
    for column, width in zip("ABCDEFGHI", (9, 48, 12, 12, 14, 14, 14, 12, 30), strict=True):
        sheet.column_dimensions[column].width = width

    comparison = book.create_sheet(labels.t("municipality_comparison", lang)[:31])
    comparison.append([labels.t("municipality", lang), *[c.name(lang) for c in all_cards]])
    for cell in comparison[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    by_card = {
        c.key: {
            f.municipality_code: f
            for f in municipality_comparison(session, definitions, c.indicator.id, c.variant, period)
        }
        for c in all_cards
    }
    for code in [ALL, *codes]:
        comparison.append(
            [
                names[code],
                *[
                    _value(by_card[c.key].get(code), c.indicator.unit, lang)
                    if by_card[c.key].get(code)
                    else "–"
                    for c in all_cards
                ],
            ]
        )
    comparison.column_dimensions["A"].width = 22
    for i in range(len(all_cards)):
        comparison.column_dimensions[get_column_letter(i + 2)].width = 16

    trends = book.create_sheet(labels.t("trend", lang)[:31])
    anchor_row = 1
    for card in all_cards:
        if not card.trend:
            continue
        trends.cell(anchor_row, 1, card.name(lang)).font = bold
        trends.cell(anchor_row + 1, 1, labels.t("period", lang))
        trends.cell(anchor_row + 1, 2, labels.t("value", lang))
        trends.cell(anchor_row + 1, 3, labels.t("target", lang))
        for i, f in enumerate(card.trend):
            trends.cell(anchor_row + 2 + i, 1, f.period)
            trends.cell(anchor_row + 2 + i, 2, None if f.value is None else round(f.value, 3))
            trends.cell(anchor_row + 2 + i, 3, f.target)
        last = anchor_row + 1 + len(card.trend)
        chart = LineChart()
        chart.title = card.name(lang)[:60]
        chart.height, chart.width = 6, 14
        chart.add_data(
            Reference(trends, min_col=2, max_col=3, min_row=anchor_row + 1, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(trends, min_col=1, min_row=anchor_row + 2, max_row=last))
        trends.add_chart(chart, f"E{anchor_row}")
        anchor_row = max(last, anchor_row + 13) + 2
    trends.column_dimensions["A"].width = 14

    month = Period.of("month", period.end if period.end <= today() else today())
    rows = month_end(session, definitions, month.label)
    monthly = book.create_sheet(labels.t("month_end", lang)[:31])
    monthly.append([f"{labels.t('month_end', lang)} {month.label}"])
    monthly.append(
        [
            labels.t("municipality", lang),
            *[labels.measure(m, lang) for m in MONTH_MEASURES],
            labels.t("official_unemployed", lang),
            labels.t("difference", lang),
        ]
    )
    for cell in monthly[2]:
        cell.font = bold
    for r in rows:
        if r.municipality_code not in (ALL, *codes):
            continue
        monthly.append(
            [
                names[r.municipality_code],
                *[r.measures.get(m) if r.measures.get(m) is not None else "–" for m in MONTH_MEASURES],
                r.official_unemployed if r.official_unemployed is not None else "–",
                "–" if r.difference_percent is None else f"{r.difference_percent:+.1f} %",
            ]
        )
    monthly.column_dimensions["A"].width = 22

    glossary = book.create_sheet(labels.t("definitions", lang)[:31])
    glossary.append([labels.t("indicator", lang), labels.t("definition", lang), labels.t("target", lang)])
    for cell in glossary[1]:
        cell.font = bold
    for indicator in definitions.indicators.values():
        glossary.append([indicator.name(lang), indicator.definition(lang), indicator.config.target_text])
        glossary.cell(glossary.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    glossary.column_dimensions["A"].width = 36
    glossary.column_dimensions["B"].width = 100
    return book


# -------------------------------------------------------------------------------------------------- PDF


def trend_png(card: Card, lang: str) -> bytes:
    """A small line chart of the card's trend (suppressed and missing points leave gaps)."""
    figure, axis = plt.subplots(figsize=(4.2, 2.2), dpi=150)
    xs = list(range(len(card.trend)))
    ys = [f.value if f.value is not None else float("nan") for f in card.trend]
    axis.plot(xs, ys, marker="o", markersize=3, linewidth=1.8, color="#1d5f8a")
    target = card.figure.target
    if card.trend and card.trend[-1].target is not None:
        target = card.trend[-1].target
    if target is not None:
        axis.axhline(target, linestyle="--", linewidth=1.2, color="#b0461c")
    if card.indicator.config.scale:
        axis.set_ylim(*card.indicator.config.scale)
    if all(f.value is None for f in card.trend):
        empty = labels.t("no_data", lang)
        axis.text(0.5, 0.5, empty, transform=axis.transAxes, ha="center", va="center", fontsize=8)
    step = max(1, len(xs) // 6)
    axis.set_xticks(xs[::step], [card.trend[i].period for i in xs[::step]], fontsize=6)
    axis.tick_params(axis="y", labelsize=6)
    axis.set_title(card.name(lang), fontsize=7)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def build_pdf(
    session: Session,
    definitions: Definitions,
    period: Period,
    lang: str,
    path: Path,
    *,
    all_cards: list[Card] | None = None,
) -> Path:
    _register_fonts()
    all_cards = all_cards if all_cards is not None else cards(session, definitions, period)
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName=FONT, fontSize=8.5, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=7, leading=9)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName=FONT_BOLD, fontSize=16)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=FONT_BOLD, fontSize=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9)

    vision = definitions.vision.get(lang) if definitions.vision else ""
    story: list[Any] = [
        Paragraph(f"{definitions.area.name(lang)}", h1),
        Paragraph(f"{labels.t('board_report', lang)} – {period.label}", h2),
        Paragraph(
            f"{labels.t('vision', lang)}: <b>{vision}</b>",
            body,
        ),
        Paragraph(f"{labels.t('generated', lang)} {today().strftime('%d.%m.%Y')}", small),
        Spacer(1, 4 * mm),
    ]
    headers = _headers(lang)
    rows = indicator_rows(all_cards, lang)
    by_key = dict(zip([c.key for c in all_cards], rows, strict=True))
    # the vision goal on top, then the five priorities
    ordered = sorted(sections(definitions, all_cards, lang), key=lambda s: s.number != 0)
    for section in ordered:
        if not section.cards:
            continue
        title = (f"{labels.t('priority', lang)} {section.number}: " if section.number else "") + section.title
        data: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", cell) for h in headers]]
        for card in section.cards:
            data.append([Paragraph(str(v), cell) for v in by_key[card.key]])
        table = Table(
            data,
            colWidths=[22 * mm, 66 * mm, 22 * mm, 22 * mm, 24 * mm, 22 * mm, 24 * mm, 18 * mm, 45 * mm],
            repeatRows=1,
        )
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF3")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for i, card in enumerate(section.cards, start=1):
            colour = STATUS_COLOURS.get(card.figure.status)
            if colour:
                style.append(("BACKGROUND", (4, i), (4, i), colors.HexColor(f"#{colour}")))
        table.setStyle(TableStyle(style))
        story.append(KeepTogether([Paragraph(title, h2), table, Spacer(1, 3 * mm)]))
    story.append(Paragraph(labels.t("status_rule", lang, share=round(definitions.close_share * 100)), small))
    story.append(
        Paragraph(labels.t("suppression_rule", lang) + " * " + labels.t("incomplete", lang) + ".", small)
    )

    story.append(PageBreak())
    story.append(Paragraph(labels.t("trend", lang), h2))
    images = [
        Image(io.BytesIO(trend_png(c, lang)), width=84 * mm, height=44 * mm) for c in all_cards if c.trend
    ]
    grid: list[list[Any]] = [images[i : i + 3] for i in range(0, len(images), 3)]
    if grid:
        grid[-1] += [""] * (3 - len(grid[-1]))
        story.append(Table(grid, colWidths=[88 * mm] * 3))

    month = Period.of("month", period.end if period.end <= today() else today())
    month_rows = month_end(session, definitions, month.label)
    if any(r.measures for r in month_rows):
        names = _names(definitions, lang)
        story.append(PageBreak())
        story.append(Paragraph(f"{labels.t('month_end', lang)} {month.label}", h2))
        data = [
            [
                Paragraph(f"<b>{h}</b>", cell)
                for h in (
                    labels.t("municipality", lang),
                    *[labels.measure(m, lang) for m in MONTH_MEASURES],
                    labels.t("official_unemployed", lang),
                    labels.t("difference", lang),
                )
            ]
        ]
        for r in month_rows:
            data.append(
                [
                    names[r.municipality_code],
                    *[("–" if r.measures.get(m) is None else str(r.measures[m])) for m in MONTH_MEASURES],
                    "–" if r.official_unemployed is None else f"{r.official_unemployed:.0f}",
                    "–" if r.difference_percent is None else f"{r.difference_percent:+.1f} %",
                ]
            )
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF3")),
                ]
            )
        )
        story.append(table)

    story.append(PageBreak())
    story.append(Paragraph(labels.t("definitions", lang), h2))
    # compact, so that the twelve definitions fit on one page; an entry is never split across pages
    term = ParagraphStyle("term", parent=body, fontSize=8, leading=10)
    text = ParagraphStyle("text", parent=small, leading=8.4)
    for indicator in definitions.indicators.values():
        entry = [
            Paragraph(f"<b>{indicator.name(lang)}</b> ({indicator.config.target_text})", term),
            Paragraph(indicator.definition("sv" if lang == "sv" else lang), text),
            Spacer(1, 1.2 * mm),
        ]
        story.append(KeepTogether(entry))

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(
            15 * mm,
            8 * mm,
            f"{definitions.area.name(lang)} · {labels.t('scorecard', lang)} {period.label} · {document.page}",
        )
        canvas.restoreState()

    document = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=f"{labels.t('board_report', lang)} {period.label}",
        author=definitions.area.name(lang),
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def write_report(
    *, session: Session, definitions: Definitions, period: Period, lang: str, output: Path
) -> list[Path]:
    """Write ``scorecard-<period>-<lang>.pdf`` and ``.xlsx`` into ``output``; return their paths."""
    output.mkdir(parents=True, exist_ok=True)
    all_cards = cards(session, definitions, period)
    stem = f"scorecard-{period.label}-{lang}"
    pdf = build_pdf(session, definitions, period, lang, output / f"{stem}.pdf", all_cards=all_cards)
    xlsx = output / f"{stem}.xlsx"
    build_workbook(session, definitions, period, lang, all_cards=all_cards).save(xlsx)
    return [pdf, xlsx]
