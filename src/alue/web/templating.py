"""Jinja2 templates: one environment per application, translations and formatting per request.

``render(request, "page.html", {...})`` adds what every page needs: the language and its ``gettext``, the
signed-in user, the navigation the user may see, the CSRF token and the formatting filters. Templates are
autoescaped; nothing user-supplied is ever marked safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alue.shared import i18n
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import Role
from alue.shared.suppression import Cell
from alue.staff.models import DelegatedTask
from alue.web.labels import label_for, label_of
from alue.web.security import LANG_COOKIE, csrf_token, remember_new_csrf_seed

TEMPLATE_DIR = Path(__file__).with_name("templates")


def make_environment(extra_dirs: list[Path]) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(str(TEMPLATE_DIR)), *(FileSystemLoader(str(d)) for d in extra_dirs)]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # per-request callables are passed in the render context; these defaults only satisfy the extension
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


class Formatter:
    """Locale-aware formatting helpers bound to one language (``fmt.date(d)`` in templates)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def date(self, value: Any, fmt: str = "medium") -> str:
        return i18n.format_date(value, self.lang, fmt)

    def datetime(self, value: Any, fmt: str = "medium") -> str:
        return i18n.format_datetime(value, self.lang, fmt)

    def number(self, value: Any, digits: int | None = None) -> str:
        return i18n.format_number(value, self.lang, digits)

    def percent(self, value: Any, digits: int = 1) -> str:
        return i18n.format_percent(value, self.lang, digits)

    def cell(self, cell: Cell, digits: int | None = None, percent: bool = False) -> str:
        if cell.suppressed:
            return "<5" if not percent else "–"
        if cell.value is None:
            return "–"
        return self.percent(cell.value, digits or 1) if percent else self.number(cell.value, digits)

    def label(self, value: StrEnum | str | None) -> str:
        if value is None:
            return ""
        return i18n.gettext(self.lang, label_of(value))

    def _stored(self, enum_cls: type[StrEnum], value: str) -> str:
        return i18n.gettext(self.lang, label_for(enum_cls, value))

    def task(self, value: str) -> str:
        return self._stored(DelegatedTask, value)

    def action(self, value: str) -> str:
        return self._stored(AuditAction, value)

    def purpose(self, value: str) -> str:
        return self._stored(AuditPurpose, value)

    def role(self, value: str) -> str:
        return self._stored(Role, value)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    app = request.app
    lang = getattr(request.state, "lang", None) or i18n.negotiate(
        request.cookies.get(LANG_COOKIE), app.state.settings.default_locale
    )
    principal = getattr(request.state, "principal", None)
    translations = i18n.translations(lang)

    def gettext(message: str, **variables: Any) -> str:
        text = translations.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        text = translations.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    registry = app.state.web_registry
    ctx: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "language_names": i18n.LANGUAGE_NAMES,
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "fmt": Formatter(lang),
        "principal": principal,
        "nav_main": registry.nav_for(principal, "main"),
        "nav_admin": registry.nav_for(principal, "admin"),
        "nav_label": lambda item: registry.label(item, lang),
        "csrf_token": csrf_token(request, app.state.secret),
        "area_name": app.state.area.name(lang) if app.state.area is not None else "alue",
        "current_path": request.url.path,
        "oidc_enabled": app.state.oidc_settings.enabled,
    }
    if context:
        ctx.update(context)
    html = app.state.templates.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    remember_new_csrf_seed(request, response, app.state.web_settings)
    return response
