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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter

from alue.shared.auth import Permission, Principal


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

    def add_router(self, router: APIRouter) -> None:
        self.routers.append(router)

    def add_nav(self, item: NavItem) -> None:
        if item.key in self.nav:
            raise ValueError(f"navigation key {item.key!r} is registered twice")
        self.nav[item.key] = item

    def add_templates(self, directory: Path) -> None:
        self.template_dirs.append(directory)

    def nav_for(self, principal: Principal | None, section: str = "main") -> list[NavItem]:
        if principal is None:
            return []
        items = [i for i in self.nav.values() if i.section == section and principal.has(i.permission)]
        return sorted(items, key=lambda i: (i.order, i.key))
