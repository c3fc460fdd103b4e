"""The format documentation matches the code, and every documented example is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from alue.io.docs import render_import_formats
from alue.io.fields import Lookups, normalise
from alue.io.kinds import KINDS, Kind

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"


def test_docs_are_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_import_formats(), (
        "regenerate with: python -m alue.io.docs > docs/import-formats.md"
    )


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_headers_and_aliases_are_unambiguous(kind: Kind) -> None:
    seen: dict[str, str] = {}
    for column in kind.columns:
        for key in column.keys:
            assert key not in seen, f"{key!r} names both {seen[key]} and {column.name}"
            assert key not in {"row", "errors"}
            seen[key] = column.name
    if "hetu" in seen:
        assert normalise("Henkilötunnus") in kind.column("hetu").keys


def test_every_example_parses(session: Session) -> None:
    lookups = Lookups.load(session)
    for kind in KINDS.values():
        for column in kind.columns:
            value = column.type.parse(column.example, lookups)
            assert value is not None, (kind.name, column.name)
