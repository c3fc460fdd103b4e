"""How domains add their pages to the staff application.

A domain that has pages puts them in ``alue/<domain>/views.py`` with a ``register(web)`` function::

    from alue.web.nav import NavItem, WebRegistry

    router = APIRouter(prefix="/scorecard", include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def scorecard(request: Request, user: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)], ...):
        return render(request, "scorecard/index.html", {...})

    def register(web: WebRegistry) -> None:
        web.add_router(router)
        web.add_nav(NavItem("scorecard", N_("Scorecard"), "/scorecard/", Permission.VIEW_AGGREGATES))
        web.add_templates(Path(__file__).with_name("templates"))

and is listed in ``alue.web.app.DOMAIN_VIEWS``. Templates extend ``base.html`` and may use the macros in
``components.html`` (tables, charts, suppressed cells). See ``docs/web.md``.

Navigation labels are shown on every page, whichever domain renders it, so they are translated here: from
the web catalogue (``alue/locale``) first, else from the catalogues of the domain that registered the item
(``alue/<domain>/locale/<lang>/LC_MESSAGES/*.po``). ``tests/web/test_i18n.py`` fails when a label is
untranslated in Finnish or Swedish.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from fastapi import APIRouter

from alue.shared import i18n
from alue.shared.auth import N_, Permission, Principal

#: labels of domains that keep no catalogue of their own: their translations live in the web catalogue
DOMAIN_NAV_LABELS = (N_("Scorecard"), N_("Surveys"))


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str  # English msgid, translated when shown
    path: str
    permission: Permission
    order: int = 100
    #: ``main`` (the top navigation) or ``admin`` (the administration menu)
    section: str = "main"


@dataclass
class WebRegistry:
    """What the domains contribute to one application instance."""

    routers: list[APIRouter] = field(default_factory=list)
    nav: dict[str, NavItem] = field(default_factory=dict)
    template_dirs: list[Path] = field(default_factory=list)
    #: the package (``alue.casework``) of the module registering now, and of each navigation item
    registering: str = ""
    nav_packages: dict[str, str] = field(default_factory=dict)
    #: called with the application when it starts serving (not when a test builds it without starting it)
    startup: list[Callable[[Any], None]] = field(default_factory=list)

    def add_router(self, router: APIRouter) -> None:
        self.routers.append(router)

    def add_nav(self, item: NavItem) -> None:
        if item.key in self.nav:
            raise ValueError(f"navigation key {item.key!r} is registered twice")
        self.nav[item.key] = item
        self.nav_packages[item.key] = self.registering

    def add_templates(self, directory: Path) -> None:
        self.template_dirs.append(directory)

    def add_startup(self, hook: Callable[[Any], None]) -> None:
        self.startup.append(hook)

    def nav_for(self, principal: Principal | None, section: str = "main") -> list[NavItem]:
        if principal is None:
            return []
        items = [i for i in self.nav.values() if i.section == section and principal.has(i.permission)]
        return sorted(items, key=lambda i: (i.order, i.key))

    def label(self, item: NavItem, lang: str) -> str:
        """The item's label in ``lang``: the web catalogue, else the registering domain's catalogues."""
        text = i18n.gettext(lang, item.label)
        if text != item.label:
            return text
        for catalogue in _package_catalogues(self.nav_packages.get(item.key, ""), lang):
            translated = catalogue.gettext(item.label)
            if translated != item.label:
                return translated
        return text


@lru_cache(maxsize=64)
def _package_catalogues(package: str, lang: str) -> tuple[NullTranslations, ...]:
    """The compiled ``locale/<lang>/LC_MESSAGES/*.po`` catalogues of a package (compiled in memory)."""
    if not package or package == "alue.web":
        return ()
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return ()
    if spec is None or not spec.submodule_search_locations:
        return ()
    found: list[NullTranslations] = []
    for folder in spec.submodule_search_locations:
        for path in sorted((Path(folder) / "locale" / lang / "LC_MESSAGES").glob("*.po")):
            found.append(i18n.compile_po(path, lang))
    return tuple(found)
