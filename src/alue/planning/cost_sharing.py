"""Cost sharing between the municipalities (R-B4, R-C6).

The area's **shared costs** (offices included: R-B4 "offices are shared costs of the area"), less any
income, are allocated to the member municipalities by a **key**:

* ``population`` — the municipality's population (the public municipality data);
* ``unemployed`` — the average number of unemployed jobseekers on the month-end count days of the year
  before the budget year (the statistics definition, :mod:`alue.people.statistics`);
* ``customers`` — the average number of customers (open jobseeking spells) on the same count days;
* ``mix`` — a weighted mix of the three, weights from the budget file.

Each municipality's **own service points** are kept apart and paid by that municipality alone (R-B4).
Amounts are in euros and cents; allocated cents are distributed by the largest remainder so that the
municipalities' shares add up exactly to the amount allocated.

The budget is a YAML file (``budgets/<area>-<year>.yaml`` is the shipped example) or a CSV file with the
columns ``kind`` (shared, income, own), ``item``, ``label``, ``municipality`` (own costs only) and
``amount``; the key then comes from the command line.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.people.models import Status
from alue.people.statistics import count_unemployed_by_municipality
from alue.shared.time import last_working_day_of_month

KEYS = ("population", "unemployed", "customers")
Method = Literal["population", "unemployed", "customers", "mix"]
BUDGETS_DIR = Path(__file__).with_name("budgets")
CENT = Decimal("0.01")


class BudgetError(ValueError):
    """The budget file is missing or invalid; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    fi: str
    sv: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.fi


class CostLine(_Strict):
    item: str
    label: Label
    amount: Decimal = Field(ge=0, decimal_places=2)
    municipality: str | None = None
    note: str = ""


class KeySpec(_Strict):
    method: Method = "population"
    mix: dict[Literal["population", "unemployed", "customers"], float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _mix(self) -> KeySpec:
        if self.method == "mix":
            if not self.mix:
                raise ValueError("key.mix needs weights for a mixed key")
            if not math.isclose(sum(self.mix.values()), 1.0, abs_tol=1e-9):
                raise ValueError(f"key.mix weights must sum to 1, not {sum(self.mix.values())}")
            if any(w < 0 for w in self.mix.values()):
                raise ValueError("key.mix weights must be non-negative")
        return self

    def weights(self) -> dict[str, float]:
        return {str(k): v for k, v in self.mix.items()} if self.method == "mix" else {str(self.method): 1.0}


class Budget(_Strict):
    area: str
    year: int = Field(ge=2000, le=2100)
    currency: Literal["EUR"] = "EUR"
    source: str = ""
    key: KeySpec = KeySpec()
    shared_costs: list[CostLine]
    income: list[CostLine] = []
    own_costs: list[CostLine] = []
    #: agreed key figures that replace the computed ones: key → municipality → value
    key_values: dict[Literal["population", "unemployed", "customers"], dict[str, float]] = {}

    @field_validator("own_costs")
    @classmethod
    def _own_have_municipality(cls, lines: list[CostLine]) -> list[CostLine]:
        for line in lines:
            if not line.municipality:
                raise ValueError(f"own cost {line.item!r} needs a municipality")
        return lines

    @property
    def shared_total(self) -> Decimal:
        return sum((c.amount for c in self.shared_costs), Decimal(0))

    @property
    def income_total(self) -> Decimal:
        return sum((c.amount for c in self.income), Decimal(0))

    @property
    def net_shared(self) -> Decimal:
        return self.shared_total - self.income_total


def load_budget(
    path: Path, *, method: Method | None = None, area: str | None = None, year: int | None = None
) -> Budget:
    """Read a YAML or CSV budget; ``method`` overrides the file's key (a CSV file has none)."""
    if not path.exists():
        raise BudgetError(f"budget file not found: {path}")
    try:
        if path.suffix.lower() == ".csv":
            raw = _csv_budget(path, area=area, year=year)
        else:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise BudgetError(f"{path}: a budget file is a mapping (area, year, shared_costs …)")
        if method is not None:
            given = raw.get("key")
            key: dict[str, object] = dict(given) if isinstance(given, dict) else {}
            key["method"] = method
            if method != "mix":
                key.pop("mix", None)
            raw["key"] = key
        budget = Budget.model_validate(raw)
    except yaml.YAMLError as exc:
        raise BudgetError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise BudgetError(f"{path}: {problems}") from exc
    return budget


def _csv_budget(path: Path, *, area: str | None, year: int | None) -> dict[str, object]:
    if area is None or year is None:
        raise BudgetError(f"{path}: a CSV budget needs the area and the year (options --area / --year)")
    raw: dict[str, object] = {"area": area, "year": year, "shared_costs": [], "income": [], "own_costs": []}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            kind = (row.get("kind") or "").strip()
            target = {"shared": "shared_costs", "income": "income", "own": "own_costs"}.get(kind)
            if target is None:
                raise BudgetError(f"{path}: row {number}: kind must be shared, income or own, not {kind!r}")
            line = {
                "item": (row.get("item") or "").strip(),
                "label": {"fi": (row.get("label") or row.get("item") or "").strip()},
                "amount": (row.get("amount") or "").strip().replace(" ", "").replace(",", "."),
            }
            if (row.get("municipality") or "").strip():
                line["municipality"] = row["municipality"].strip().zfill(3)
            raw[target].append(line)  # type: ignore[attr-defined]
    return raw


def default_budget_path(area: str, year: int) -> Path:
    return BUDGETS_DIR / f"{area}-{year}.yaml"


# ----------------------------------------------------------------------------------------- key figures


class KeyFigures(_Strict):
    """The key figures per municipality and how each was obtained."""

    values: dict[str, dict[str, float]]  # key → municipality → value
    sources: dict[str, str]
    count_days: list[dt.date]


def key_figures(*, session: Session, area: Area, budget: Budget, until: dt.date | None = None) -> KeyFigures:
    """Population, average unemployed and average customers of each member municipality.

    Averages use the last working day of each month of the year before the budget year, or — when the data
    ends earlier — the 12 months up to ``until``. Figures typed in the budget (``key_values``) win.
    """
    codes = list(area.municipalities)
    ref_year = budget.year - 1
    days = [last_working_day_of_month(ref_year, m) for m in range(1, 13)]
    if until is not None and days[-1] > until:
        days = []
        y, m = until.year, until.month
        while len(days) < 12:
            d = last_working_day_of_month(y, m)
            if d <= until:
                days.append(d)
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        days.sort()
    values: dict[str, dict[str, float]] = {
        "population": {c: float(area.municipalities[c].population) for c in codes},
        "unemployed": dict.fromkeys(codes, 0.0),
        "customers": dict.fromkeys(codes, 0.0),
    }
    for day in days:
        unemployed = count_unemployed_by_municipality(session=session, day=day)
        customers = count_unemployed_by_municipality(session=session, day=day, statuses=list(Status))
        for c in codes:
            values["unemployed"][c] += unemployed.get(c, 0) / len(days)
            values["customers"][c] += customers.get(c, 0) / len(days)
    sources = {
        "population": "Statistics Finland population (public municipality data)",
        "unemployed": f"average of {len(days)} month-end counts {days[0].isoformat()}–{days[-1].isoformat()}",
        "customers": f"average of {len(days)} month-end counts {days[0].isoformat()}–{days[-1].isoformat()}",
    }
    for key, typed in budget.key_values.items():
        for code, value in typed.items():
            values[key][code] = float(value)
        sources[key] = "agreed figures typed in the budget file"
    return KeyFigures(values=values, sources=sources, count_days=days)


# ------------------------------------------------------------------------------------------ allocation


def shares(figures: dict[str, dict[str, float]], weights: dict[str, float]) -> dict[str, float]:
    """Each municipality's share of the shared costs: Σ_key weight × (its figure / the area's total)."""
    codes = sorted({c for per in figures.values() for c in per})
    result = dict.fromkeys(codes, 0.0)
    for key, weight in weights.items():
        per = figures[key]
        total = sum(per.values())
        if total <= 0:
            raise ValueError(f"the key {key!r} has no figures (total 0)")
        for code in codes:
            result[code] += weight * per.get(code, 0.0) / total
    return result


def split_exactly(amount: Decimal, share: dict[str, float]) -> dict[str, Decimal]:
    """``amount`` split by ``share`` into cents that add up exactly (largest remainder)."""
    cents = int((amount / CENT).to_integral_value(rounding=ROUND_HALF_UP))
    raw = {code: cents * s for code, s in share.items()}
    floor = {code: math.floor(v) for code, v in raw.items()}
    left = cents - sum(floor.values())
    for code in sorted(raw, key=lambda c: (raw[c] - floor[c], c), reverse=True)[:left]:
        floor[code] += 1
    return {code: Decimal(v) * CENT for code, v in floor.items()}


class StatementLine(_Strict):
    item: str
    label: str
    amount: Decimal


class MunicipalityStatement(_Strict):
    code: str
    name: str
    key_figures: dict[str, float]
    share: float
    shared: list[StatementLine]
    income: list[StatementLine]
    shared_net: Decimal
    own: list[StatementLine]
    own_total: Decimal
    total: Decimal
    per_inhabitant: Decimal


class CostSharing(_Strict):
    area: str
    year: int
    method: str
    weights: dict[str, float]
    shared_total: Decimal
    income_total: Decimal
    net_shared: Decimal
    own_total: Decimal
    grand_total: Decimal
    key_sources: dict[str, str]
    municipalities: list[MunicipalityStatement]
    source: str


def allocate(budget: Budget, figures: KeyFigures, area: Area, *, lang: str = "fi") -> CostSharing:
    """The per-municipality statement: shared costs by the key, own service points kept apart."""
    codes = list(area.municipalities)
    unknown = [c.municipality for c in budget.own_costs if c.municipality not in area.municipalities]
    if unknown:
        raise BudgetError(f"own costs for municipalities outside the area: {', '.join(map(str, unknown))}")
    weights = budget.key.weights()
    share = shares({k: {c: figures.values[k][c] for c in codes} for k in weights}, weights)
    per_item = {line.item: split_exactly(line.amount, share) for line in budget.shared_costs}
    per_income = {line.item: split_exactly(line.amount, share) for line in budget.income}
    statements = []
    for code in codes:
        shared_lines = [
            StatementLine(item=line.item, label=line.label.get(lang), amount=per_item[line.item][code])
            for line in budget.shared_costs
        ]
        income_lines = [
            StatementLine(item=line.item, label=line.label.get(lang), amount=-per_income[line.item][code])
            for line in budget.income
        ]
        own_lines = [
            StatementLine(item=line.item, label=line.label.get(lang), amount=line.amount)
            for line in budget.own_costs
            if line.municipality == code
        ]
        shared_net = sum((x.amount for x in shared_lines + income_lines), Decimal(0))
        own_total = sum((x.amount for x in own_lines), Decimal(0))
        total = shared_net + own_total
        population = area.municipalities[code].population
        statements.append(
            MunicipalityStatement(
                code=code,
                name=area.municipalities[code].name(lang),
                key_figures={k: figures.values[k][code] for k in KEYS},
                share=share[code],
                shared=shared_lines,
                income=income_lines,
                shared_net=shared_net,
                own=own_lines,
                own_total=own_total,
                total=total,
                per_inhabitant=(total / population).quantize(CENT) if population else Decimal(0),
            )
        )
    own_total = sum((c.amount for c in budget.own_costs), Decimal(0))
    return CostSharing(
        area=budget.area,
        year=budget.year,
        method=budget.key.method,
        weights=weights,
        shared_total=budget.shared_total,
        income_total=budget.income_total,
        net_shared=budget.net_shared,
        own_total=own_total,
        grand_total=budget.net_shared + own_total,
        key_sources={k: figures.sources[k] for k in weights},
        municipalities=statements,
        source=budget.source,
    )
