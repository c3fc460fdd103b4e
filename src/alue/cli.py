"""The ``alue`` command line: one command group per domain.

Each domain that has commands exposes ``register(app)`` in its ``cli`` module; this file only wires
them together so that domains stay independent of one another. A domain module is imported only when
its commands are needed (see :class:`_LazyTyper`), so a single command starts fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

#: Domain modules whose ``register(app)`` adds commands. Order is the order in ``alue --help``.
DOMAIN_CLIS = (
    "alue.shared.cli",
    "alue.area.cli",
    "alue.demo.cli",
    "alue.io.cli",
    "alue.web.cli",
    "alue.casework.cli",
    "alue.casework.journey_cli",
    "alue.matching.cli",
    "alue.matching.match_cli",
    "alue.matching.reskilling_cli",
    "alue.scorecard.cli",
    "alue.planning.cli",
    "alue.surveys.cli",
)


class _LazyTyper(typer.Typer):
    """The root app; it imports the domain command modules only when they are needed.

    Importing every domain (the web app, scikit-learn, pandas, …) takes seconds, which a command such
    as ``alue code-occupation`` in a pipeline would pay on every start. When the app is run, the
    modules whose source names the requested command (its name as a string literal) are imported
    first; if that registers the command, nothing else is imported. Anything else — ``alue --help``,
    an unknown command, or a program that reads the app's commands (tests with ``CliRunner``) —
    imports every domain, in the order of :data:`DOMAIN_CLIS`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._loaded: set[str] = set()
        self._registering = False
        self._resolved = False
        super().__init__(*args, **kwargs)

    # Typer reads and appends to these lists; reading them from outside resolves the commands.
    @property
    def registered_commands(self) -> list[Any]:
        self._resolve_all()
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self._commands = value

    @property
    def registered_groups(self) -> list[Any]:
        self._resolve_all()
        return self._groups

    @registered_groups.setter
    def registered_groups(self, value: list[Any]) -> None:
        self._groups = value

    def _register(self, name: str) -> None:
        if name in self._loaded:
            return
        self._loaded.add(name)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # the domain has no commands (yet)
                return
            raise
        registering, self._registering = self._registering, True
        try:
            module.register(self)
        finally:
            self._registering = registering

    def _resolve_all(self) -> None:
        if self._resolved or self._registering or not hasattr(self, "_groups"):
            return
        self._resolved = True
        for name in DOMAIN_CLIS:
            self._register(name)

    def _names(self) -> set[str]:
        registering, self._registering = self._registering, True
        try:
            return {c.name or c.callback.__name__ for c in self._commands if c.callback} | {
                g.name for g in self._groups if g.name
            }
        finally:
            self._registering = registering

    def load_for(self, argv: Sequence[str]) -> None:
        """Register the commands needed to run ``argv`` (the arguments after ``alue``)."""
        if self._resolved:
            return
        command = next((arg for arg in argv if not arg.startswith("-")), None)
        if command is not None and not any(arg in {"--help", "-h"} for arg in argv[:1]):
            literal = re.compile(rf"[\"']{re.escape(command)}[\"']")
            for name in DOMAIN_CLIS:
                source = _module_source(name)
                if source is not None and literal.search(source):
                    self._register(name)
            if command in self._names():
                self._resolved = True
                return
        self._resolve_all()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args")
        self.load_for(list(argv if argv is not None else sys.argv[1:]))
        return super().__call__(*args, **kwargs)


def _module_source(name: str) -> str | None:
    """The source text of module ``name`` without importing it or its packages (None if not found).

    Only the top-level package is looked up (importing ``alue.io`` to find ``alue.io.cli`` would
    import what the lazy loading avoids).
    """
    top, _, rest = name.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location, *rest.split(".")).with_suffix(".py") if rest else None
        if path is not None and path.is_file():
            try:
                return path.read_text(encoding="utf-8")
            except OSError:
                return None
    return None


app = _LazyTyper(
    name="alue",
    help=(
        "alue runs a Finnish employment area (työllisyysalue): jobseekers and employers, service "
        "paths and statutory deadlines, job matching, the strategy scorecard and planning.\n\n"
        "Start with `alue demo` to build a demo area, then `alue serve` to open the web app at "
        "http://127.0.0.1:8000. Settings come from ALUE_* environment variables "
        "(ALUE_DATABASE_URL, ALUE_DATA_DIR, ALUE_AREA)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    # A root callback keeps the app a command group even when only one domain's commands are loaded.
    pass


if __name__ == "__main__":
    app()
