"""Staffing norms (R-C2, R-C3): the area's planning assumptions, loaded from a YAML file and validated.

The shipped file is ``staffing_norms.yaml`` next to this module; a deployment may point to its own copy.
The statutory contacts are not norms: the staffing model reads them from the rules in force.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from alue.casework.models import ServicePath
from alue.people.models import Status
from alue.staff.models import ServiceLine

NORMS_FILE = Path(__file__).with_name("staffing_norms.yaml")


class NormsError(ValueError):
    """The norms file is missing or invalid; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkingTime(_Strict):
    annual_hours_per_fte: float = Field(gt=0)
    customer_time_share: float = Field(gt=0, le=1)
    working_weeks_per_year: float = Field(gt=0, le=52)
    source: str

    @property
    def customer_hours_per_fte(self) -> float:
        """Hours of customer work one FTE gives in a year."""
        return self.annual_hours_per_fte * self.customer_time_share


class CustomerCounts(_Strict):
    average_months: int = Field(ge=1, le=36)
    statutory_contact_statuses: list[Status]
    status_weights: dict[Status, float]
    unassessed_path: ServicePath
    share_unemployed_at_6_months: float = Field(ge=0, le=1)
    min_spells_for_data: int = Field(ge=1)
    source: str

    @field_validator("status_weights")
    @classmethod
    def _weights(cls, value: dict[Status, float]) -> dict[Status, float]:
        missing = [s.value for s in Status if s not in value]
        if missing:
            raise ValueError(f"status_weights needs a weight for {', '.join(missing)}")
        if any(w < 0 for w in value.values()):
            raise ValueError("status weights must be non-negative")
        return value


class PathNorm(_Strict):
    service_line: ServiceLine
    split_line: ServiceLine
    casework_hours_per_customer_year: float = Field(ge=0)
    max_caseload: float = Field(gt=0)
    supplementary_by_need_per_customer_year: float = Field(ge=0)


class Contacts(_Strict):
    initial_interview_minutes: float = Field(ge=0)
    job_search_discussion_minutes: float = Field(ge=0)
    supplementary_discussion_minutes: float = Field(ge=0)
    source: str


class EmployerServices(_Strict):
    active_window_months: int = Field(ge=1, le=36)
    active_employers_per_fte: float = Field(gt=0)
    source: str


class Administration(_Strict):
    share_of_service_fte: float = Field(ge=0, le=1)
    placement: str = "responsible_municipality"
    source: str


class ServicePointNorms(_Strict):
    in_person_share: float = Field(ge=0, le=1)
    hours_per_visit: float = Field(gt=0)
    visit_intervals_days: list[int]
    max_days_per_week: int = Field(ge=1, le=5)
    min_customers: float = Field(ge=0)
    source: str

    @field_validator("visit_intervals_days")
    @classmethod
    def _intervals(cls, value: list[int]) -> list[int]:
        if not value or any(v < 1 for v in value):
            raise ValueError("visit_intervals_days needs positive intervals")
        return sorted(set(value))


class StaffingNorms(_Strict):
    version: str
    source: str
    working_time: WorkingTime
    customer_counts: CustomerCounts
    paths: dict[ServicePath, PathNorm]
    paths_source: str
    contacts: Contacts
    employer_services: EmployerServices
    administration: Administration
    service_points: ServicePointNorms

    @model_validator(mode="after")
    def _every_path(self) -> StaffingNorms:
        missing = [p.value for p in ServicePath if p not in self.paths]
        if missing:
            raise ValueError(f"paths needs norms for {', '.join(missing)}")
        return self


def load_norms(path: Path | None = None) -> StaffingNorms:
    """Read and validate a norms file (default: the shipped ``staffing_norms.yaml``)."""
    return _load(path or NORMS_FILE)


@lru_cache(maxsize=4)
def _load(path: Path) -> StaffingNorms:
    if not path.exists():
        raise NormsError(f"norms file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return StaffingNorms.model_validate(raw)
    except yaml.YAMLError as exc:
        raise NormsError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise NormsError(f"{path}: {problems}") from exc
