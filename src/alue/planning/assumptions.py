"""The rule book the planning models use: the national and area rules plus the planning assumptions.

``assumptions.yaml`` next to this module holds, in the versioned rule format of :mod:`alue.area.rules`,
what the benefit-financing estimate needs beyond the legal rules (how paid days and benefit types are
inferred from jobseeking spells). Its rule ids all start with ``planning.`` so they never override a
legal rule; they are a separate layer named ``planning``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alue.area.rules import RuleBook, load_rule_file, load_rules

ASSUMPTIONS_FILE = Path(__file__).with_name("assumptions.yaml")


def planning_rules(area: str | None = None) -> RuleBook:
    """National rules, the area's rules and the planning assumptions, in that order of precedence."""
    base = load_rules(area)
    return _combined(base)


@lru_cache(maxsize=8)
def _combined(base: RuleBook) -> RuleBook:
    return RuleBook([*base.layers, load_rule_file(ASSUMPTIONS_FILE)], area=base.area)


def with_assumptions(base: RuleBook, path: Path | None = None) -> RuleBook:
    """``base`` plus an assumptions file (the shipped one by default) — for tests and other areas."""
    if path is None and "planning.benefit.waiting_days" in base:
        return base
    return RuleBook([*base.layers, load_rule_file(path or ASSUMPTIONS_FILE)], area=base.area)
