"""Translations of the casework pages: ``alue/casework/locale/<lang>/LC_MESSAGES/casework.po``, with the
application's shared catalogue as the fallback (navigation, buttons and common words come from there).
Message ids are English; Finnish and Swedish are complete."""

from __future__ import annotations

from pathlib import Path

from alue.shared import i18n

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "casework"

CATALOGUE = i18n.DomainCatalogue(LOCALE_DIR, DOMAIN)
po_path = CATALOGUE.po_path
translations = CATALOGUE.translations
gettext = CATALOGUE.gettext
template_context = CATALOGUE.template_context
