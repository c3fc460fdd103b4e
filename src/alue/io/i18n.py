"""Translations of the import problems (:mod:`alue.io.messages`): ``alue/io/locale/<lang>/LC_MESSAGES/io.po``,
with the application's shared catalogue as the fallback. Message ids are English; Finnish and Swedish are
complete (``tests/io/test_messages.py``)."""

from __future__ import annotations

from pathlib import Path

from alue.shared import i18n

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "io"

CATALOGUE = i18n.DomainCatalogue(LOCALE_DIR, DOMAIN)
po_path = CATALOGUE.po_path
translations = CATALOGUE.translations
gettext = CATALOGUE.gettext
