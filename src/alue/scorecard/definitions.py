"""Indicator definitions as data: one YAML file per area in ``alue/scorecard/indicators/``.

The area configuration owns the strategy (names, units, scales, priorities, targets); the definition file
says how each indicator is computed. :func:`load_definitions` joins the two and refuses a file that leaves
an indicator of the strategy undefined or defines one the strategy does not have.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alue.area.config import Area, IndicatorConfig, Target, Text
from alue.people.models import CustomerGroup

DEFINITIONS_DIR = Path(__file__).with_name("indicators")

Source = Literal["computed", "official", "survey"]
ValueKind = Literal["percent", "ratio", "mean", "count"]
Computation = Literal[
    "inflow_over_months",
    "staying_employed",
    "cost_per_employed",
    "special_groups_employment",
    "shortage_occupation_share",
    "employer_event_count",
    "employer_usage_rate",
    "partnership_rate",
    "survey_mean",
]


class DefinitionError(ValueError):
    """The definition file is missing, invalid or does not match the area's strategy."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Strict):
    fi: str
    en: str
    sv: str | None = None

    def get(self, lang: str) -> str:
        return {"en": self.en, "sv": self.sv or self.fi}.get(lang, self.fi)


class DisclosureConfig(_Strict):
    min_persons: int = Field(default=5, ge=2, le=50)
    protect_outcomes: bool = True


class TargetStatusConfig(_Strict):
    close_share: float = Field(default=0.10, ge=0, le=1)


class IndicatorSpec(_Strict):
    source: Source
    computation: Computation
    value_kind: ValueKind
    params: dict[str, Any] = {}
    variants: dict[str, dict[str, Any]] = {}
    definition: LocalText


class DefinitionFile(_Strict):
    definitions_version: str
    area: str
    customer_groups: list[CustomerGroup]
    disclosure: DisclosureConfig = DisclosureConfig()
    target_status: TargetStatusConfig = TargetStatusConfig()
    indicators: dict[str, IndicatorSpec]


@dataclass(frozen=True)
class Indicator:
    """One indicator of the strategy: what the area says about it plus how alue computes it."""

    id: str
    config: IndicatorConfig
    spec: IndicatorSpec

    @property
    def unit(self) -> str:
        return self.config.unit

    @property
    def priorities(self) -> list[int]:
        return self.config.priorities

    @property
    def variants(self) -> list[str]:
        """Variant keys; ``[""]`` when the indicator has a single figure."""
        return list(self.spec.variants) or [""]

    def params(self, variant: str = "") -> dict[str, Any]:
        merged = dict(self.spec.params)
        merged.update(self.spec.variants.get(variant, {}))
        return merged

    def name(self, lang: str = "fi") -> str:
        return self.config.name.get(lang)

    def definition(self, lang: str = "fi") -> str:
        return self.spec.definition.get(lang)

    def target(self, variant: str = "") -> Target | None:
        """The strategy's target for the variant (a target without a variant applies to every variant)."""
        exact = [t for t in self.config.targets if t.variant == (variant or None)]
        general = [t for t in self.config.targets if t.variant is None]
        found = exact or general
        return found[0] if found else None


@dataclass(frozen=True)
class Definitions:
    area: Area
    file: DefinitionFile
    indicators: dict[str, Indicator]  # in the strategy's order
    path: Path

    @property
    def customer_groups(self) -> list[str]:
        return [g.value for g in self.file.customer_groups]

    @property
    def disclosure(self) -> DisclosureConfig:
        return self.file.disclosure

    @property
    def close_share(self) -> float:
        return self.file.target_status.close_share

    @property
    def vision(self) -> Text | None:
        return self.area.file.strategy.vision if self.area.file.strategy else None

    def fingerprint(self) -> str:
        """Changes whenever a definition or the area's strategy changes (forces a full rebuild)."""
        payload = json.dumps(
            {
                "definitions": self.file.model_dump(mode="json"),
                "youth_age_limit": self.area.file.youth_age_limit,
                "municipalities": sorted(self.area.codes),
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


def definitions_path(area: Area) -> Path:
    return DEFINITIONS_DIR / f"{area.key}.yaml"


def load_definitions(area: Area, path: Path | None = None) -> Definitions:
    path = path or definitions_path(area)
    return _join(area, _read(path), path)


@lru_cache(maxsize=8)
def _read(path: Path) -> DefinitionFile:
    if not path.exists():
        raise DefinitionError(f"indicator definitions not found: {path}")
    try:
        file = DefinitionFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise DefinitionError(f"{path}: {problems}") from exc
    return file


def _join(area: Area, file: DefinitionFile, path: Path) -> Definitions:
    if file.area != area.key:
        raise DefinitionError(f"{path}: written for area {file.area!r}, not {area.key!r}")
    strategy = area.file.strategy
    if strategy is None:
        raise DefinitionError(f"area {area.key!r} has no strategy (indicator table) in its configuration")
    configured = [i.id for i in strategy.indicators]
    missing = [i for i in configured if i not in file.indicators]
    unknown = [i for i in file.indicators if i not in configured]
    if missing or unknown:
        raise DefinitionError(
            f"{path}: definitions do not match the strategy's indicators"
            + (f"; not defined: {', '.join(missing)}" if missing else "")
            + (f"; not in the strategy: {', '.join(unknown)}" if unknown else "")
        )
    indicators: dict[str, Indicator] = {}
    for config in strategy.indicators:
        spec = file.indicators[config.id]
        variants = set(spec.variants)
        for target in config.targets:
            if target.variant is not None and target.variant not in variants:
                raise DefinitionError(
                    f"{path}: {config.id}: the strategy's target variant {target.variant!r} is not a variant"
                )
        if spec.source == "survey" and config.scale is None:
            raise DefinitionError(f"{path}: {config.id}: a survey indicator needs a scale in the strategy")
        indicators[config.id] = Indicator(id=config.id, config=config, spec=spec)
    return Definitions(area=area, file=file, indicators=indicators, path=path)
