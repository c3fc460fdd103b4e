"""A small server-side SVG bar chart that is always paired with a data table.

The SVG has ``role="img"`` and a title and description; it carries no inline style (the CSP forbids it)
and no script. Suppressed values are drawn as no bar with a "<5" mark; the table next to it (macro
``chart_with_table`` in ``components.html``) gives every figure as text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from alue.shared.suppression import Cell


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    cell: Cell


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    value_format: Callable[[float], str] = lambda v: f"{v:g}",
    suppressed_text: str = "<5",
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 150,
) -> Markup:
    """Horizontal bars, one per label, scaled to the largest shown value."""
    gap = 8
    top = 8
    height = top + len(bars) * (bar_height + gap) + 4
    values = [b.cell.value for b in bars if b.cell.shown and b.cell.value is not None]
    largest = max([float(v) for v in values], default=0.0) or 1.0
    plot = width - label_width - 70
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" id={quoteattr(chart_id)} role="img" aria-labelledby="{title_id} {desc_id}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
    ]
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        text_y = y + bar_height * 0.7
        parts.append(
            f'<text class="chart-label" x="{label_width - 8}" y="{text_y:.1f}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        if bar.cell.shown and bar.cell.value is not None:
            length = max(plot * float(bar.cell.value) / largest, 1.0 if bar.cell.value else 0.0)
            parts.append(
                f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{length:.1f}" '
                f'height="{bar_height}"/>'
            )
            parts.append(
                f'<text class="chart-value" x="{label_width + length + 6:.1f}" y="{text_y:.1f}">'
                f"{escape(value_format(float(bar.cell.value)))}</text>"
            )
        else:
            shown = suppressed_text if bar.cell.suppressed else "–"
            parts.append(
                f'<text class="chart-value" x="{label_width + 6}" y="{text_y:.1f}">{escape(shown)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every interpolated text is escaped above
