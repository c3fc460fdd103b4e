"""Languages of the user interface: Finnish (default), Swedish and English (R-A4).

Messages are gettext catalogues in ``alue/locale/<lang>/LC_MESSAGES/messages.po``; the message ids are
English. The ``.po`` files are compiled in memory the first time a language is used (``*.mo`` files are not
kept in the repository). Dates, times and numbers are formatted with Babel in the user's language, and
times are shown in Helsinki time.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _format_decimal
from babel.support import NullTranslations, Translations

from alue.shared.time import HELSINKI

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
#: each language's name in itself, for the language switch
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
_BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def negotiate(value: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A supported language code from a cookie or query value, else the default."""
    code = (value or "").strip().lower()[:2]
    return code if code in LANGUAGES else (default if default in LANGUAGES else DEFAULT_LANGUAGE)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def compile_po(path: Path, lang: str) -> Translations:
    """A ``.po`` file compiled in memory (fuzzy entries left out)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of a language (English falls back to the message ids)."""
    path = po_path(lang)
    if not path.exists():
        return NullTranslations()
    return compile_po(path, lang)


class DomainCatalogue:
    """A domain's own catalogue ``<package>/locale/<lang>/LC_MESSAGES/<domain>.po`` with the application's
    shared catalogue as its fallback, so a domain's pages use both their own messages and the common ones
    (navigation, buttons, enum labels)."""

    def __init__(self, locale_dir: Path, domain: str) -> None:
        self.locale_dir = locale_dir
        self.domain = domain
        self.translations = lru_cache(maxsize=8)(self._translations)

    def po_path(self, lang: str) -> Path:
        return self.locale_dir / lang / "LC_MESSAGES" / f"{self.domain}.po"

    def _translations(self, lang: str) -> NullTranslations:
        shared = translations(lang)
        path = self.po_path(lang)
        if not path.exists():
            return shared
        own = compile_po(path, lang)
        own.add_fallback(shared)
        return own

    def gettext(self, lang: str, message: str, **variables: Any) -> str:
        text = self.translations(lang).gettext(message)
        return text % variables if variables else text

    def template_context(self, lang: str) -> dict[str, Any]:
        """``_``, ``gettext`` and ``ngettext`` for a template, overriding the shared ones of ``render``."""
        catalogue = self.translations(lang)

        def _gettext(message: str, **variables: Any) -> str:
            text = catalogue.gettext(message)
            return text % variables if variables else text

        def _ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
            return catalogue.ngettext(singular, plural, n) % {"num": n, **variables}

        return {"_": _gettext, "gettext": _gettext, "ngettext": _ngettext}


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def babel_locale(lang: str) -> Locale:
    return Locale.parse(_BABEL_LOCALES.get(lang, _BABEL_LOCALES[DEFAULT_LANGUAGE]))


def format_date(value: dt.date | None, lang: str, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(HELSINKI).date() if value.tzinfo else value.date()
    return _format_date(value, format=fmt, locale=babel_locale(lang))


def format_datetime(value: dt.datetime | None, lang: str, fmt: str = "medium") -> str:
    if value is None:
        return ""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return _format_datetime(aware, format=fmt, tzinfo=HELSINKI, locale=babel_locale(lang))


def format_number(value: int | float | Decimal | None, lang: str, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return _format_decimal(value, format=pattern, locale=babel_locale(lang))
    return _format_decimal(value, locale=babel_locale(lang))


def format_percent(value: float | None, lang: str, digits: int = 1) -> str:
    """A percentage given on the 0–100 scale, e.g. ``format_percent(12.5, "fi") == "12,5 %"``."""
    if value is None:
        return ""
    number = format_number(value, lang, digits)
    return f"{number}\N{NO-BREAK SPACE}%" if lang in ("fi", "sv") else f"{number}%"
