"""QR codes for printed survey slips at the service points (SVG, no images, no network)."""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

import segno


def qr_svg(url: str, *, label: str = "") -> str:
    """An SVG QR code for ``url`` (error correction M), named by ``label`` for screen readers."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=5, border=4, xmldecl=False, svgns=True, nl=False)
    svg = out.getvalue().decode("utf-8")
    if label:
        svg = svg.replace("<svg ", f'<svg role="img" aria-label={quoteattr(label)} ', 1)
    return svg
