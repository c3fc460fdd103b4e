"""Every message of the casework pages and labels has a Finnish and a Swedish translation (the casework
catalogue or the application's shared one), and the placeholders survive translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from alue.casework import (  # noqa: F401  (every module that defines a domain error is imported)
    assignments,
    deadlines,
    early_identification,
    entrepreneurship,
    i18n,
    journey,
    referrals,
)
from alue.casework.authority import NoDelegationError
from alue.casework.errors import TASK_LABELS, CaseworkError
from alue.staff.models import DelegatedTask

ROOT = Path(i18n.__file__).parent
CALLS = re.compile(r"""(?:\b_|gettext)\(\s*(["'])((?:\\.|(?!\1).)*)\1""")
TITLES = re.compile(r'set page_title = "([^"]+)"')
MARKED = re.compile(r'\bN_\(\s*"((?:\\.|[^"])*)"')
DIRECT = re.compile(r'cw_gettext\(\s*lang,\s*"((?:\\.|[^"])*)"', re.S)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def message_ids() -> set[str]:
    ids: set[str] = set()
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        ids |= {m.group(2) for m in CALLS.finditer(text)} | set(TITLES.findall(text))
    for module in ROOT.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        ids |= set(MARKED.findall(text)) | set(DIRECT.findall(text)) | error_messages(text)
    return ids


def error_messages(source: str) -> set[str]:
    """The message ids of ``raise SomeError("...", **variables)`` for the domain's translatable errors."""
    names = {cls.__name__ for cls in _subclasses(CaseworkError)}
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in names:
            first = node.exc.args[0] if node.exc.args else None
            where = f"{name} at line {node.lineno} must be raised with a constant message and variables"
            assert isinstance(first, ast.Constant), where
            assert isinstance(first.value, str), where
            found.add(first.value)
    return found


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _subclasses(sub)
    return out


def test_domain_errors_are_extracted_and_translated() -> None:
    ids = message_ids()
    assert "no person with id %(id)s" in ids
    assert "%(name)s holds no delegation of authority for %(task)s on %(on)s (R-C5)" in ids
    error = NoDelegationError(
        "%(name)s holds no delegation of authority for %(task)s on %(on)s (R-C5)",
        name="Maija",
        task=TASK_LABELS[DelegatedTask.STARTUP_GRANT_DECISION],
        on="2.3.2026",
    )
    assert (
        str(error) == "Maija holds no delegation of authority for start-up grant decisions on 2.3.2026 (R-C5)"
    )
    assert error.translated(i18n.translations("fi")) == (
        "henkilöllä Maija ei ole toimivallan siirtoa tehtävään starttirahapäätökset 2.3.2026 (R-C5)"
    )
    assert error.translated(i18n.translations("sv")) == (
        "Maija har ingen delegering av befogenheter för beslut om startpeng 2.3.2026 (R-C5)"
    )


def test_the_extraction_finds_the_messages() -> None:
    ids = message_ids()
    assert len(ids) > 300
    assert {"Customer journey", "Initial interview due", "Early identification: model card"} <= ids


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_message_is_translated(lang: str) -> None:
    catalogue = i18n.translations(lang)
    missing = sorted(m for m in message_ids() if catalogue.gettext(m) == m and m not in NOT_TRANSLATED)
    assert not missing, f"{lang}: {missing}"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_placeholders_are_kept(lang: str) -> None:
    catalogue = i18n.translations(lang)
    for message in message_ids():
        assert set(PLACEHOLDER.findall(catalogue.gettext(message))) == set(PLACEHOLDER.findall(message)), (
            message
        )


#: identical in every language
NOT_TRANSLATED = {"Version %(n)s", "version %(n)s", "Team", "Status"}
