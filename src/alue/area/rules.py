"""Versioned rules: values set by law or by the area's strategy, each with its source and its dates.

A *rule* (for example ``initial_interview.deadline_working_days``) has a unit, a description in English
and Finnish, and one or more *versions*. Each version holds a value, the date it takes effect
(``effective_from``), optionally the last day it is in force (``effective_to``, inclusive), its source
(a law, a government proposal, a strategy document) and how well that source has been checked:

* ``V`` — verified in a source,
* ``P`` — partly verified,
* ``U`` — unverified: a configurable default that user interfaces must show as such.

The rules ship as YAML files in ``alue/area/rules/``: ``national.yaml`` holds the national rules, and an
employment area may add rules or override national ones in ``<area>.yaml`` (for Satakunta:
``satakunta.yaml``). When both files have a version in force on a date, the area's version wins.

Computations never use a bare literal for such a value: they ask the rule book what is in force on the
relevant date and carry the :class:`RuleRef` of every version they used, so that a page can show
"according to which rule" (R-D4 and the casework deadlines build on this). History is never edited: a
change is a new version with a new ``effective_from`` (see ``docs/rules.md``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import to_jsonable_python

from alue.shared.time import ONE_DAY, DateRange, parse_date

#: Directory of the rule files shipped with the package.
RULES_DIR = Path(__file__).with_name("rules")
#: Name of the national rule file (without ``.yaml``); it is always loaded first.
NATIONAL = "national"

_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_AREA_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# --------------------------------------------------------------------------------------------- errors


class RuleError(Exception):
    """Base class of every rule error."""


class RuleFileError(RuleError, ValueError):
    """A rule file is malformed; the message names the file and, where known, the rule."""

    def __init__(self, origin: str, message: str, rule_id: str | None = None) -> None:
        self.origin = origin
        self.rule_id = rule_id
        where = f"{origin}: rule {rule_id!r}" if rule_id else origin
        super().__init__(f"{where}: {message}")


class UnknownRuleError(RuleError, LookupError):
    """No rule file defines the rule id."""

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0])


class RuleNotInForceError(RuleError, LookupError):
    """The rule exists but none of its versions is in force on the date asked."""

    def __str__(self) -> str:
        return str(self.args[0])


# ------------------------------------------------------------------------------------------ confidence


class Confidence(StrEnum):
    """How well a rule version has been checked against its source."""

    VERIFIED = "V"
    PARTLY_VERIFIED = "P"
    UNVERIFIED = "U"

    @property
    def label(self) -> str:
        return {"V": "verified", "P": "partly verified", "U": "unverified"}[self.value]


class LocalText(BaseModel):
    """A short text in English and Finnish."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    en: str = Field(min_length=1)
    fi: str = Field(min_length=1)


# ------------------------------------------------------------------------------------------ value types

NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]
PositiveInt = Annotated[int, Field(ge=1, strict=True)]


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number is required, not true/false")
    return value


Share = Annotated[Decimal, BeforeValidator(_no_bool), Field(ge=0, le=1)]
Money = Annotated[Decimal, BeforeValidator(_no_bool), Field(ge=0, decimal_places=2)]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(_Row):
    """One row of a step table: ``share`` applies once the paid days reach ``from_days``."""

    from_days: NonNegativeInt
    share: Share


def _check_steps(rows: list[Step]) -> list[Step]:
    if not rows:
        raise ValueError("a step table needs at least one row")
    if rows[0].from_days != 0:
        raise ValueError("the first row of a step table must start from_days: 0")
    for before, after in itertools.pairwise(rows):
        if after.from_days <= before.from_days:
            raise ValueError(f"from_days must increase (row {after.from_days} after {before.from_days})")
    return rows


StepTable = Annotated[list[Step], AfterValidator(_check_steps)]


class ObligationStep(_Row):
    """From ``from_month`` full months in a status: ``applications`` per ``per_months`` months.

    ``applications: null`` means that no reduction applies and the general default obligation is used.
    """

    from_month: NonNegativeInt
    applications: NonNegativeInt | None
    per_months: PositiveInt = 1


def _check_obligation_steps(rows: list[ObligationStep]) -> list[ObligationStep]:
    if not rows or rows[0].from_month != 0:
        raise ValueError("obligation steps must start with a row from_month: 0")
    for before, after in itertools.pairwise(rows):
        if after.from_month <= before.from_month:
            raise ValueError("from_month must increase")
    return rows


ObligationSteps = Annotated[list[ObligationStep], AfterValidator(_check_obligation_steps)]


class SanctionKind(StrEnum):
    """What follows an omission of the job-search obligation."""

    #: muistutus — a reminder without effect on the benefit
    REMINDER = "reminder"
    #: korvaukseton määräaika — a period without unemployment benefit
    BENEFIT_FREE_PERIOD = "benefit_free_period"
    #: työssäolovelvoite — the benefit stops until the person has worked for a set time
    EMPLOYMENT_REQUIREMENT = "employment_requirement"


class Sanction(_Row):
    kind: SanctionKind
    benefit_free_days: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _days_fit_kind(self) -> Sanction:
        if self.kind is SanctionKind.BENEFIT_FREE_PERIOD and not self.benefit_free_days:
            raise ValueError("a benefit_free_period needs benefit_free_days > 0")
        if self.kind is not SanctionKind.BENEFIT_FREE_PERIOD and self.benefit_free_days:
            raise ValueError(f"a {self.kind.value} has no benefit_free_days")
        return self


class SanctionStep(Sanction):
    """The sanction for the ``omission``-th omission (and later ones, until the next row)."""

    omission: Annotated[int, Field(ge=2, strict=True)]


def _check_sanction_steps(rows: list[SanctionStep]) -> list[SanctionStep]:
    if not rows or rows[0].omission != 2:
        raise ValueError("sanction steps must start with the second omission (omission: 2)")
    for before, after in itertools.pairwise(rows):
        if after.omission <= before.omission:
            raise ValueError("omission numbers must increase")
    return rows


SanctionSteps = Annotated[list[SanctionStep], AfterValidator(_check_sanction_steps)]


class SchedulePhase(_Row):
    """Discussions every ``interval_weeks`` weeks from ``from_month`` until (before) ``until_month``.

    Months count from the start of the unemployment spell; ``count`` caps the number in the phase.
    """

    from_month: NonNegativeInt
    until_month: PositiveInt
    interval_weeks: PositiveInt
    count: PositiveInt | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SchedulePhase:
        if self.until_month <= self.from_month:
            raise ValueError("until_month must be after from_month")
        return self


class DiscussionSchedule(_Row):
    """``fixed``: the phases below; ``by_service_need``: no fixed schedule, set case by case."""

    mode: Literal["fixed", "by_service_need"]
    phases: list[SchedulePhase] = Field(default_factory=list)

    @model_validator(mode="after")
    def _phases_fit_mode(self) -> DiscussionSchedule:
        if self.mode == "fixed" and not self.phases:
            raise ValueError("a fixed schedule needs at least one phase")
        if self.mode == "by_service_need" and self.phases:
            raise ValueError("a by_service_need schedule has no phases")
        return self


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


@dataclass(frozen=True)
class Unit:
    name: str
    description: str
    adapter: TypeAdapter[Any]


def _unit(name: str, description: str, value_type: Any) -> tuple[str, Unit]:
    return name, Unit(name, description, TypeAdapter(value_type))


#: Every unit a rule may have, with the type its values must have.
UNITS: dict[str, Unit] = dict(
    [
        _unit("working_days", "Finnish working days (Mon–Fri, not public holidays)", NonNegativeInt),
        _unit("calendar_days", "calendar days", NonNegativeInt),
        _unit("paid_days", "paid benefit days", NonNegativeInt),
        _unit("weeks", "weeks", NonNegativeInt),
        _unit("months", "calendar months", NonNegativeInt),
        _unit("years", "years of age", NonNegativeInt),
        _unit("applications_per_month", "job applications per month", NonNegativeInt),
        _unit("count", "a number of things", NonNegativeInt),
        _unit("share", "a share between 0 and 1", Share),
        _unit("eur_per_day", "euros per day", Money),
        _unit("flag", "true or false", Annotated[bool, Field(strict=True)]),
        _unit("code", "a code word", Code),
        _unit("codes", "a list of code words", list[Code]),
        _unit("step_table", "rows {from_days, share}", StepTable),
        _unit("obligation_steps", "rows {from_month, applications, per_months}", ObligationSteps),
        _unit("sanction", "{kind, benefit_free_days}", Sanction),
        _unit("sanction_steps", "rows {omission, kind, benefit_free_days}", SanctionSteps),
        _unit("discussion_schedule", "{mode, phases}", DiscussionSchedule),
    ]
)


# ------------------------------------------------------------------------------------ file structure


def _to_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("a date is required, not a date and time")
    if isinstance(value, str):
        return parse_date(value)
    return value


RuleDate = Annotated[dt.date, BeforeValidator(_to_date)]


class _VersionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any
    effective_from: RuleDate
    effective_to: RuleDate | None = None
    source: str = Field(min_length=3)
    confidence: Confidence
    note: LocalText | None = None

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source must name a law, proposal or document")
        return value.strip()

    @model_validator(mode="before")
    @classmethod
    def _value_present(cls, data: Any) -> Any:
        if isinstance(data, dict) and "value" not in data:
            raise ValueError("value is missing")
        return data

    @model_validator(mode="after")
    def _dates_ordered(self) -> _VersionSpec:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                f"effective_to {self.effective_to} is before effective_from {self.effective_from}"
            )
        return self


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str
    description: LocalText
    versions: list[_VersionSpec] = Field(min_length=1)

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(sorted(UNITS))}")
        return unit


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layer: str | None = None
    description: str | None = None
    rules: dict[str, Any]


# -------------------------------------------------------------------------------------- runtime types


class RuleRef(BaseModel):
    """Which rule version a result used: enough for a page to say "according to which rule"."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    confidence: Confidence
    layer: str

    @property
    def unverified(self) -> bool:
        return self.confidence is Confidence.UNVERIFIED


@dataclass(frozen=True)
class RuleVersion:
    """One version of a rule, in force from ``effective_from`` to ``effective_to`` (inclusive)."""

    rule_id: str
    unit: str
    value: Any
    description: LocalText
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    confidence: Confidence
    note: LocalText | None
    #: which rule file the version came from: ``national`` or the area's name
    layer: str
    origin: str

    @property
    def period(self) -> DateRange:
        return DateRange(self.effective_from, self.effective_to)

    @property
    def unverified(self) -> bool:
        """True for ``U`` versions: a configurable default that pages must mark as unverified."""
        return self.confidence is Confidence.UNVERIFIED

    def in_force_on(self, day: dt.date) -> bool:
        return self.period.includes(day)

    def ref(self) -> RuleRef:
        return RuleRef(
            rule_id=self.rule_id,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            source=self.source,
            confidence=self.confidence,
            layer=self.layer,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (decimals as strings, dates in ISO form)."""
        return {
            "id": self.rule_id,
            "value": to_jsonable_python(self.value),
            "unit": self.unit,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": self.source,
            "confidence": self.confidence.value,
            "unverified": self.unverified,
            "description": {"en": self.description.en, "fi": self.description.fi},
            "note": {"en": self.note.en, "fi": self.note.fi} if self.note else None,
            "layer": self.layer,
        }


@dataclass(frozen=True)
class RuleLayer:
    """The rules of one file: ``national`` or an area's overrides and additions."""

    name: str
    origin: str
    #: rule id -> its versions sorted by ``effective_from``
    rules: dict[str, tuple[RuleVersion, ...]]


# ------------------------------------------------------------------------------------------- parsing


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys (a silently lost rule version is a real risk)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        # Count list positions from 1, as a person reading the file does: "version 2", "row 3".
        words: list[str] = []
        for part in item["loc"]:
            if isinstance(part, int):
                if words and words[-1] == "versions":
                    words[-1] = f"version {part + 1}"
                else:
                    words.append(f"row {part + 1}")
            else:
                words.append(str(part))
        where = ".".join(words)
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_rule_text(text: str, *, origin: str, layer: str | None = None) -> RuleLayer:
    """Parse and validate the YAML text of one rule file.

    ``origin`` names the file in error messages; ``layer`` defaults to the file's ``layer`` key, or to
    ``origin``'s stem.
    """
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RuleFileError(origin, f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleFileError(origin, "a rule file must be a mapping with a 'rules' key")
    try:
        spec = _FileSpec.model_validate(raw)
    except ValidationError as exc:
        raise RuleFileError(origin, _describe(exc)) from exc
    name = layer or spec.layer or Path(origin).stem
    rules: dict[str, tuple[RuleVersion, ...]] = {}
    for rule_id, body in spec.rules.items():
        rules[str(rule_id)] = _parse_rule(str(rule_id), body, origin=origin, layer=name)
    return RuleLayer(name=name, origin=origin, rules=rules)


def _parse_rule(rule_id: str, body: Any, *, origin: str, layer: str) -> tuple[RuleVersion, ...]:
    if not _RULE_ID.match(rule_id):
        raise RuleFileError(
            origin,
            "a rule id is dotted lower-case words, e.g. initial_interview.deadline_working_days",
            rule_id,
        )
    try:
        spec = _RuleSpec.model_validate(body)
    except ValidationError as exc:
        raise RuleFileError(origin, _describe(exc), rule_id) from exc
    unit = UNITS[spec.unit]
    versions = []
    for index, version in enumerate(spec.versions):
        try:
            value = unit.adapter.validate_python(version.value)
        except ValidationError as exc:
            raise RuleFileError(
                origin,
                f"version {index + 1} (from {version.effective_from}): value is not {unit.description}: "
                f"{_describe(exc)}",
                rule_id,
            ) from exc
        versions.append(
            RuleVersion(
                rule_id=rule_id,
                unit=spec.unit,
                value=value,
                description=spec.description,
                effective_from=version.effective_from,
                effective_to=version.effective_to,
                source=version.source,
                confidence=version.confidence,
                note=version.note,
                layer=layer,
                origin=origin,
            )
        )
    versions.sort(key=lambda v: v.effective_from)
    for before, after in itertools.pairwise(versions):
        if before.effective_to is None or before.effective_to >= after.effective_from:
            raise RuleFileError(
                origin,
                f"versions overlap: {before.period} and {after.period} "
                "(close the earlier one with effective_to the day before the new effective_from)",
                rule_id,
            )
    return tuple(versions)


def load_rule_file(path: Path, *, layer: str | None = None) -> RuleLayer:
    """Read and validate one rule file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(str(path), f"cannot read the file: {exc.strerror}") from exc
    return parse_rule_text(text, origin=path.name if path.parent == RULES_DIR else str(path), layer=layer)


# ----------------------------------------------------------------------------------------- rule book


class RuleBook:
    """Rule layers in precedence order: later layers (an area) win over earlier ones (national)."""

    def __init__(self, layers: Sequence[RuleLayer], *, area: str | None = None) -> None:
        self.layers: tuple[RuleLayer, ...] = tuple(layers)
        self.area = area
        units: dict[str, tuple[str, str]] = {}
        for layer in self.layers:
            for rule_id, versions in layer.rules.items():
                unit = versions[0].unit
                if rule_id in units and units[rule_id][0] != unit:
                    first_unit, first_origin = units[rule_id]
                    raise RuleFileError(
                        layer.origin,
                        f"unit {unit!r} differs from {first_unit!r} in {first_origin}; "
                        "an override must keep the unit (a new unit is a new rule id)",
                        rule_id,
                    )
                units.setdefault(rule_id, (unit, layer.origin))

    def rule_ids(self) -> list[str]:
        return sorted({rule_id for layer in self.layers for rule_id in layer.rules})

    def __contains__(self, rule_id: object) -> bool:
        return any(rule_id in layer.rules for layer in self.layers)

    def history(self, rule_id: str) -> list[RuleVersion]:
        """Every version of a rule in every layer, oldest first (national before area on ties)."""
        self._require(rule_id)
        versions = [v for layer in self.layers for v in layer.rules.get(rule_id, ())]
        return sorted(versions, key=lambda v: v.effective_from)

    def in_force(self, rule_id: str, on: dt.date) -> RuleVersion:
        """The version of ``rule_id`` in force on ``on``; an area's version wins over a national one."""
        self._require(rule_id)
        for layer in reversed(self.layers):
            for version in layer.rules.get(rule_id, ()):
                if version.in_force_on(on):
                    return version
        periods = ", ".join(f"{_fi(v.effective_from)}–{_fi(v.effective_to)}" for v in self.history(rule_id))
        raise RuleNotInForceError(
            f"no version of rule {rule_id!r} is in force on {_fi(on)} (versions: {periods})"
        )

    def value(self, rule_id: str, on: dt.date) -> Any:
        return self.in_force(rule_id, on).value

    def all_in_force(self, on: dt.date) -> list[RuleVersion]:
        """Every rule that has a version in force on ``on``, sorted by id."""
        result = []
        for rule_id in self.rule_ids():
            try:
                result.append(self.in_force(rule_id, on))
            except RuleNotInForceError:
                continue
        return result

    def change_dates(self) -> list[dt.date]:
        """Every date on which some rule starts or stops being in force, in order."""
        dates: set[dt.date] = set()
        for layer in self.layers:
            for versions in layer.rules.values():
                for version in versions:
                    dates.add(version.effective_from)
                    if version.effective_to is not None:
                        dates.add(version.effective_to + ONE_DAY)
        return sorted(dates)

    def changes_on(self, day: dt.date) -> list[RuleVersion]:
        """Versions that take effect on ``day``."""
        return [v for rule_id in self.rule_ids() for v in self.history(rule_id) if v.effective_from == day]

    def _require(self, rule_id: str) -> None:
        if rule_id not in self:
            close = difflib.get_close_matches(rule_id, self.rule_ids(), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownRuleError(f"unknown rule {rule_id!r}{hint}")


def _fi(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day}.{day.month}.{day.year}"


# ------------------------------------------------------------------------------------------- loading


def area_rule_file(area: str) -> Path | None:
    """The shipped override file of an area, or None when the area has no rules of its own.

    ``area`` is an area name (``satakunta``) or the path of an area file, whose stem is then used.
    """
    name = Path(area).stem if ("/" in area or area.endswith((".yaml", ".yml"))) else area
    if not _AREA_NAME.match(name):
        raise RuleFileError(area, "an area name is lower-case letters, digits, '-' and '_'")
    if name == NATIONAL:
        return None
    path = RULES_DIR / f"{name}.yaml"
    return path if path.is_file() else None


def load_rule_files(paths: Iterable[Path], *, area: str | None = None) -> RuleBook:
    """A rule book from the given files, in precedence order (the last wins)."""
    return RuleBook([load_rule_file(p) for p in paths], area=area)


def load_rules(area: str | None = None) -> RuleBook:
    """The national rules plus the area's own (``area`` defaults to the configured ``ALUE_AREA``).

    The result is cached per area: the files ship with the package and do not change at run time.
    """
    if area is None:
        from alue.settings import get_settings

        area = get_settings().area
    return _load_cached(area)


@lru_cache(maxsize=8)
def _load_cached(area: str) -> RuleBook:
    paths = [RULES_DIR / f"{NATIONAL}.yaml"]
    area_file = area_rule_file(area)
    if area_file is not None:
        paths.append(area_file)
    return load_rule_files(paths, area=area)


def clear_rule_cache() -> None:
    """Forget loaded rule books (for tests that change settings)."""
    _load_cached.cache_clear()


# ------------------------------------------------------------------------------------------- helpers


def step_share(table: Sequence[Step], days: int) -> Decimal:
    """The share of the last row whose ``from_days`` is at most ``days``."""
    if days < 0:
        raise ValueError("days must be non-negative")
    share = table[0].share
    for row in table:
        if row.from_days > days:
            break
        share = row.share
    return share


def format_value(value: Any) -> str:
    """A short human-readable form of a rule value (for tables)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and value and isinstance(value[0], Step):
        return ", ".join(f"{row.from_days}+: {_percent(row.share)}" for row in value)
    if isinstance(value, list) and value and isinstance(value[0], ObligationStep):
        parts = []
        for row in value:
            amount = "default" if row.applications is None else f"{row.applications}/{row.per_months} mo"
            parts.append(f"month {row.from_month}+: {amount}")
        return ", ".join(parts)
    if isinstance(value, list) and value and isinstance(value[0], SanctionStep):
        return ", ".join(f"#{row.omission}: {_format_sanction(row)}" for row in value)
    if isinstance(value, Sanction):
        return _format_sanction(value)
    if isinstance(value, DiscussionSchedule):
        if value.mode == "by_service_need":
            return "by service need"
        return "; ".join(
            f"months {p.from_month}–{p.until_month}: every {p.interval_weeks} wk"
            + (f", {p.count} in all" if p.count else "")
            for p in value.phases
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _format_sanction(sanction: Sanction) -> str:
    if sanction.kind is SanctionKind.BENEFIT_FREE_PERIOD:
        return f"{sanction.benefit_free_days}-day benefit-free period"
    return sanction.kind.value.replace("_", " ")
