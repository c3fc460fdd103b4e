"""The ``alue`` command line: one command group per domain.

Each domain that has commands exposes ``register(app)`` in its ``cli`` module; this file only wires
them together so that domains stay independent of one another.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
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
    "alue.scorecard.cli",
    "alue.planning.cli",
    "alue.surveys.cli",
)


def _register_domains() -> None:
    for name in DOMAIN_CLIS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # the domain has no commands (yet)
                continue
            raise
        module.register(app)


_register_domains()

if __name__ == "__main__":
    app()
