"""Translations of the casework pages: the catalogue ``alue/casework/locale/<lang>/LC_MESSAGES/casework.po``
with the application's shared catalogue as its fallback, so that a casework page can use both its own
messages and the common ones (navigation, buttons, enum labels)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from alue.shared import i18n

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "casework"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    shared = i18n.translations(lang)
    path = po_path(lang)
    if not path.exists():
        return shared
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    own = Translations(fp=buffer)
    own.add_fallback(shared)
    return own


def gettext(lang: str, message: str, **variables: Any) -> str:
    text = translations(lang).gettext(message)
    return text % variables if variables else text


def template_context(lang: str) -> dict[str, Any]:
    """``_``, ``gettext`` and ``ngettext`` for a template, overriding the shared ones of ``render``."""
    catalogue = translations(lang)

    def _gettext(message: str, **variables: Any) -> str:
        text = catalogue.gettext(message)
        return text % variables if variables else text

    def _ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        return catalogue.ngettext(singular, plural, n) % {"num": n, **variables}

    return {"_": _gettext, "gettext": _gettext, "ngettext": _ngettext}
