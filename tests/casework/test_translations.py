"""Every message of the casework pages and labels has a Finnish and a Swedish translation (the casework
catalogue or the application's shared one), and the placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alue.casework import i18n

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
        ids |= set(MARKED.findall(text)) | set(DIRECT.findall(text))
    return ids


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
