"""A small server-side SVG line chart for an indicator's trend, always shown with its data table.

Like ``alue.web.charts``: ``role="img"`` with a title and a description, no script and no inline style (the
colours are SVG presentation attributes). Missing and suppressed points break the line; the target is a
dashed line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

LINE = "#1d5f8a"
TARGET = "#b0461c"
AXIS = "#6b6b6b"


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    value: float | None
    suppressed: bool = False


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    target: float | None = None,
    value_format: Callable[[float], str] = lambda v: f"{v:g}",
    scale: tuple[float, float] | None = None,
    width: int = 560,
    height: int = 200,
) -> Markup:
    """The values over the periods, with the target (when there is one) as a dashed line."""
    left, right, top, bottom = 56, 12, 12, 34
    values = [p.value for p in points if p.value is not None]
    low = min([*values, *([target] if target is not None else [])], default=0.0)
    high = max([*values, *([target] if target is not None else [])], default=1.0)
    if scale is not None:
        low, high = scale
    else:
        low = min(0.0, low)
        high = high * 1.1 if high > 0 else 1.0
    span = (high - low) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return top + plot_h - (v - low) / span * plot_h

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" id={quoteattr(chart_id)} role="img" aria-labelledby="{title_id} {desc_id}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(description)}</desc>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{AXIS}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{AXIS}"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<text class="chart-label" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(value_format(tick))}</text>"
        )
    every = max(1, len(points) // 8)
    for i, p in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text class="chart-label" x="{x(i):.1f}" y="{height - 10}" text-anchor="middle">'
                f"{escape(p.label)}</text>"
            )
    if target is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(target):.1f}" x2="{width - right}" y2="{y(target):.1f}" '
            f'stroke="{TARGET}" stroke-dasharray="6 4" stroke-width="1.5"/>'
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, p in enumerate(points):
        if p.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(p.value):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for i, p in enumerate(points):
        if p.value is not None:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3" fill="{LINE}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every interpolated text is escaped above
