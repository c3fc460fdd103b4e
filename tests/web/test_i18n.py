"""Translations: complete catalogues, same placeholders, a label for every enum value, per-locale formats."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from alue.shared import i18n
from alue.shared.auth import Permission, Role
from alue.web.labels import LABELS
from alue.web.nav import NavItem, WebRegistry

SRC = Path(i18n.__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": (2,), "ngettext": (1, 2), "N_": None}


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    with i18n.po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def extracted() -> set[str]:
    found: set[str] = set()
    for folder in ("web", "shared"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            SRC / folder,
            METHOD_MAP,
            keywords=KEYWORDS,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    untranslated, broken = [], []
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(ids[0])
        if any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(ids[0])) for s in strings if s):
            broken.append(ids[0])
    assert not untranslated, untranslated
    assert not broken, broken


def test_every_message_in_the_code_is_in_the_catalogues() -> None:
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue("fi") if m.id}
    missing = sorted(extracted() - known)
    assert not missing, f"run pybabel extract/update (docs/web.md) and translate: {missing}"


def test_every_enum_value_has_a_label() -> None:
    classes = {type(member) for member in LABELS}
    missing = [f"{cls.__name__}.{m.name}" for cls in classes for m in cls if m not in LABELS]
    assert not missing, missing


def test_formats_follow_the_language() -> None:
    day = dt.date(2026, 3, 1)
    assert i18n.format_date(day, "fi", "short") == "1.3.2026"
    assert i18n.format_date(day, "en", "short") == "01/03/2026"
    assert i18n.format_number(12345.5, "fi", 1) == "12\xa0345,5"
    assert i18n.format_number(12345.5, "en", 1) == "12,345.5"
    assert i18n.format_percent(12.5, "sv") == "12,5\xa0%"
    moment = dt.datetime(2026, 6, 1, 21, 30, tzinfo=dt.UTC)  # shown in Helsinki time (UTC+3 in summer)
    assert "0.30" in i18n.format_datetime(moment, "fi", "short") or "00.30" in i18n.format_datetime(
        moment, "fi", "short"
    )


def test_finnish_is_the_default_and_the_choice_is_remembered(app, clients: dict[Role, TestClient]) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        page = client.get("/login")
        assert '<html lang="fi">' in page.text
        assert "Kirjaudu sisään" in page.text
        switched = client.get("/language/sv", params={"next": "/login"}, follow_redirects=False)
        assert switched.status_code == 303
        assert "alue_lang=sv" in switched.headers["set-cookie"]
        assert "max-age=31536000" in switched.headers["set-cookie"].lower()
        page = client.get("/login")
        assert '<html lang="sv">' in page.text
        assert "Logga in" in page.text
        client.get("/language/en")
        assert '<html lang="en">' in client.get("/login").text
        client.get("/language/xx")  # unknown: the choice stays
        assert '<html lang="en">' in client.get("/login").text


@pytest.mark.parametrize(
    ("lang", "heading"), [("fi", "Työpaikat"), ("sv", "Lediga jobb"), ("en", "Vacancies")]
)
def test_pages_in_each_language(clients: dict[Role, TestClient], lang: str, heading: str) -> None:
    client = clients[Role.EMPLOYER_SERVICES]
    client.get(f"/language/{lang}")
    page = client.get("/vacancies")
    assert f'<html lang="{lang}">' in page.text
    assert f"<h1>{heading}</h1>" in page.text
    client.get("/language/fi")


def untranslated_nav_labels(registry: WebRegistry, langs: tuple[str, ...] = ("fi", "sv")) -> list[str]:
    return [
        f"{lang}: {item.key} {item.label!r}"
        for item in registry.nav.values()
        for lang in langs
        if registry.label(item, lang) == item.label
    ]


def test_every_navigation_label_is_translated(app) -> None:  # type: ignore[no-untyped-def]
    """Every nav entry of every domain, in Finnish and Swedish (from the web or the domain's catalogue)."""
    registry = app.state.web_registry
    assert len(registry.nav) >= 10  # the domains' entries are there, not only the core ones
    missing = untranslated_nav_labels(registry)
    assert not missing, f"translate these navigation labels (docs/web.md, Translations): {missing}"


def test_an_untranslated_navigation_label_is_caught() -> None:
    registry = WebRegistry()
    registry.registering = "alue.casework"
    registry.add_nav(NavItem("worklist", "Worklist", "/casework/worklist", Permission.READ_PERSON))
    registry.registering = "alue.web"
    registry.add_nav(NavItem("new", "A brand-new page", "/new", Permission.VIEW_AREA))
    assert registry.label(registry.nav["worklist"], "sv") == "Arbetslista"  # the domain's own catalogue
    assert untranslated_nav_labels(registry) == ["fi: new 'A brand-new page'", "sv: new 'A brand-new page'"]


@pytest.mark.parametrize(
    ("lang", "labels"),
    [("fi", ["Työjono", "Tuloskortti", "Työnhakijat"]), ("sv", ["Arbetslista", "Styrkort", "Arbetssökande"])],
)
def test_domain_navigation_is_translated_on_core_pages(
    clients: dict[Role, TestClient], lang: str, labels: list[str]
) -> None:
    client = clients[Role.TEAM_LEAD]
    client.get(f"/language/{lang}")
    page = client.get("/")
    client.get("/language/fi")
    nav = page.text.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for label in labels:
        assert f">{label}</a>" in nav
