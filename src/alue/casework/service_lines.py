"""Service lines (palvelulinjat, R-D5 … R-D8): which customers belong to which line, the flags each line's
worklist shows, and the caseload norms (``caseload_norms.yaml``).

A customer belongs to a line when the responsible worker's assignment is in that line, or when the case
itself says so:

* **youth** (R-D7) — under the area's youth age limit (``youth_age_limit`` of the area file, < 30 in
  Satakunta); flags: under the compulsory-education age (oppivelvollinen, < 18) and no vocational degree;
* **immigrants** (R-D8) — the immigrant customer group is recorded, or an integration plan exists; flags:
  integration plan missing, Finnish/Swedish level, recognition of a qualification pending;
* **multi-sector** (R-D6, TYP) — the assessment chose multi-sector support, or a multi-sector plan exists;
  flags: no consent in force for the wellbeing services county or for Kela, no multi-sector plan;
* **skills** (R-D5) — the assessment chose skills development; flag: no vocational education;
* **entrepreneurship** (R-A5) — the assessment chose entrepreneurship, or a start-up grant was applied for;
  flag: the application's status;
* **job brokerage** — the assessment chose direct brokerage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alue.casework.journey_models import N_, JourneyStatus, StartupGrantStatus
from alue.casework.models import PlanKind, ServicePath
from alue.people.models import CustomerGroup, EducationLevel
from alue.services.models import PartnerKind
from alue.staff.models import ServiceLine

NORMS_FILE = Path(__file__).with_name("caseload_norms.yaml")


# ----------------------------------------------------------------------------------------- settings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    value: Any
    source: str = Field(min_length=3)
    confidence: Literal["V", "P", "U"]

    @property
    def unverified(self) -> bool:
        return self.confidence == "U"


class WorklistSettings(_Strict):
    goal_warning_days: Sourced
    goal_overdue_days: Sourced
    handover_confirmation_working_days: Sourced


class MultisectorPartners(_Strict):
    kela_business_id: Sourced


class LineSettings(_Strict):
    customers_per_fte: dict[ServiceLine, Sourced]
    compulsory_education_age_limit: Sourced
    worklist: WorklistSettings
    multisector_partners: MultisectorPartners

    def norm(self, line: ServiceLine) -> int:
        entry = self.customers_per_fte.get(line)
        return int(entry.value) if entry is not None else 0


class NormsFileError(ValueError):
    """The norms file is malformed; the message names the file and the field."""


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict) and "value" not in value:
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


@lru_cache(maxsize=8)
def load_line_settings(area_key: str = "satakunta", path: Path = NORMS_FILE) -> LineSettings:
    """The default settings with the area's overrides applied, validated."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NormsFileError(f"{path}: {exc}") from exc
    merged = _merge(raw.get("default") or {}, (raw.get("areas") or {}).get(area_key) or {})
    try:
        return LineSettings.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise NormsFileError(f"{path} (area {area_key}): {problems}") from exc


def default_youth_age_limit() -> int:
    from alue.area.config import load_area

    return load_area().file.youth_age_limit


# --------------------------------------------------------------------------------------- case context


@dataclass
class CaseRow:
    """What the worklists know of one open case (a person in an open jobseeking spell)."""

    person_id: int
    customer_number: str
    name: str
    birth_date: dt.date
    education_level: EducationLevel
    languages: dict[str, str]
    spell_id: int
    spell_start: dt.date
    municipality_code: str
    staff_id: int | None = None
    assignment_line: ServiceLine | None = None
    journey_status: JourneyStatus | None = None
    goal_checked_on: dt.date | None = None
    path: ServicePath | None = None
    groups: set[CustomerGroup] = field(default_factory=set)
    plan_kinds: set[PlanKind] = field(default_factory=set)
    consent_partner_kinds: set[PartnerKind] = field(default_factory=set)
    consent_kela: bool = False
    recognitions_pending: int = 0
    startup_grant: StartupGrantStatus | None = None

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass(frozen=True, slots=True)
class Flag:
    """A fact a line's worklist shows next to the customer; ``attention`` marks something to act on."""

    code: str
    label: str  # English msgid
    value: str = ""
    attention: bool = False


@dataclass(frozen=True, slots=True)
class LineContext:
    on: dt.date
    youth_age_limit: int
    settings: LineSettings


def _youth(case: CaseRow, ctx: LineContext) -> bool:
    return case.assignment_line is ServiceLine.YOUTH or case.age_on(ctx.on) < ctx.youth_age_limit


def _immigrants(case: CaseRow, ctx: LineContext) -> bool:
    return (
        case.assignment_line is ServiceLine.IMMIGRANTS
        or CustomerGroup.IMMIGRANT in case.groups
        or PlanKind.INTEGRATION in case.plan_kinds
    )


def _multisector(case: CaseRow, ctx: LineContext) -> bool:
    return (
        case.assignment_line is ServiceLine.MULTISECTOR
        or case.path is ServicePath.MULTISECTOR
        or PlanKind.MULTISECTOR in case.plan_kinds
    )


def _skills(case: CaseRow, ctx: LineContext) -> bool:
    return case.assignment_line is ServiceLine.SKILLS or case.path is ServicePath.SKILLS_DEVELOPMENT


def _entrepreneurship(case: CaseRow, ctx: LineContext) -> bool:
    return (
        case.assignment_line is ServiceLine.ENTREPRENEURSHIP
        or case.path is ServicePath.ENTREPRENEURSHIP
        or case.startup_grant is not None
    )


def _brokerage(case: CaseRow, ctx: LineContext) -> bool:
    return case.assignment_line is ServiceLine.JOB_BROKERAGE or case.path is ServicePath.DIRECT_BROKERAGE


#: Each line's worklist filter.
LINE_FILTERS: dict[ServiceLine, Callable[[CaseRow, LineContext], bool]] = {
    ServiceLine.JOB_BROKERAGE: _brokerage,
    ServiceLine.SKILLS: _skills,
    ServiceLine.MULTISECTOR: _multisector,
    ServiceLine.YOUTH: _youth,
    ServiceLine.IMMIGRANTS: _immigrants,
    ServiceLine.ENTREPRENEURSHIP: _entrepreneurship,
}

PERSON_LINES = tuple(LINE_FILTERS)


def in_line(case: CaseRow, line: ServiceLine, ctx: LineContext) -> bool:
    check = LINE_FILTERS.get(line)
    return check is not None and check(case, ctx)


def lines_of(case: CaseRow, ctx: LineContext) -> list[ServiceLine]:
    return [line for line in PERSON_LINES if in_line(case, line, ctx)]


def flags(case: CaseRow, ctx: LineContext) -> list[Flag]:
    """The flags of every line the case belongs to."""
    result: list[Flag] = []
    if _youth(case, ctx):
        if case.age_on(ctx.on) < int(ctx.settings.compulsory_education_age_limit.value):
            result.append(Flag("compulsory_education_age", N_("Compulsory-education age"), attention=True))
        if not case.education_level.vocational:
            result.append(Flag("no_degree", N_("No vocational degree"), attention=True))
    if _immigrants(case, ctx):
        if PlanKind.INTEGRATION not in case.plan_kinds:
            result.append(Flag("integration_plan_missing", N_("No integration plan"), attention=True))
        level = case.languages.get("fi") or case.languages.get("sv") or ""
        result.append(
            Flag("language_level", N_("Finnish or Swedish"), value=level or "–", attention=not level)
        )
        if case.recognitions_pending:
            result.append(
                Flag(
                    "recognition_pending",
                    N_("Recognition of qualifications pending"),
                    str(case.recognitions_pending),
                )
            )
    if _multisector(case, ctx):
        if PartnerKind.WELLBEING_SERVICES_COUNTY not in case.consent_partner_kinds:
            result.append(
                Flag(
                    "consent_county_missing",
                    N_("No consent for the wellbeing services county"),
                    attention=True,
                )
            )
        if not case.consent_kela:
            result.append(Flag("consent_kela_missing", N_("No consent for Kela"), attention=True))
        if PlanKind.MULTISECTOR not in case.plan_kinds:
            result.append(Flag("multisector_plan_missing", N_("No multi-sector plan"), attention=True))
    if _skills(case, ctx) and not case.education_level.vocational and not _youth(case, ctx):
        result.append(Flag("no_vocational_education", N_("No vocational education")))
    if case.startup_grant is not None:
        result.append(
            Flag(
                "startup_grant",
                N_("Start-up grant"),
                case.startup_grant.value,
                attention=case.startup_grant is StartupGrantStatus.SUBMITTED,
            )
        )
    return result
