"""Structural-change scenarios (R-I1): a large layoff or a new plant, and what it means for the area.

An **event** — employer, municipality, number of people, occupation mix (ISCO-08 groups or ESCO
occupations), date — is read from a YAML or JSON file. The projection gives, month by month:

* **inflow** — the people becoming unemployed (a layoff) or hired (a new plant), spread over the
  event's phasing and over the municipalities where they live (a gravity model around the workplace);
* **stock** — how many of them are still unemployed, with a monthly exit rate measured from the area's
  own spells (laid-off people first) or the default;
* **added FTE need** — the staffing model's hours per customer and per new spell, by the path mix;
* **benefit cost** — the municipal share of unemployment benefits of those still unemployed, with the
  rules in force in each month (the same engine as the financing estimate) — by municipality;
* **where they could go** — open vacancies within commuting distance in the same, a neighbouring or a
  related ISCO-08 group, shortage occupations, the **reskilling need** (the people who cannot be placed
  at the same or a neighbouring level) and the catalogue's trainings aimed at shortage occupations.

No vacancy–jobseeker ranker is used: the occupation groups of ISCO-08 decide proximity (the plan's
"matching engine where present, occupation groups otherwise"). ``docs/planning.md`` explains the model.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alue.area.config import Area, haversine_km, load_municipalities
from alue.area.rules import RuleBook
from alue.casework.models import ServicePath
from alue.employers.models import Employer, Vacancy
from alue.people.models import Person, PersonOccupation, Status, StatusPeriod
from alue.planning.assumptions import planning_rules
from alue.planning.financing import FinancingEngine, PersonHistory, Spell
from alue.planning.norms import StaffingNorms, load_norms
from alue.planning.staffing import contact_frequencies, path_need
from alue.services.models import Service
from alue.shared.time import add_months, month_end

DEFAULTS_FILE = Path(__file__).with_name("scenario_defaults.yaml")
EXAMPLES_DIR = Path(__file__).with_name("scenarios")
PAID_DAYS_PER_MONTH = 5 * 52.1775 / 12


class ScenarioError(ValueError):
    """The scenario file is missing or invalid; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


# ------------------------------------------------------------------------------------------- inputs


class ScenarioAssumptions(_Strict):
    horizon_months: int = Field(ge=1, le=60)
    own_municipality_share: float = Field(ge=0, le=1)
    max_commute_km: float = Field(gt=0)
    gravity_km: float = Field(gt=0)
    monthly_exit_rate: float = Field(gt=0, lt=1)
    min_spells_for_data: int = Field(ge=1)
    path_mix: dict[Literal["layoff", "new_plant"], dict[ServicePath, float]]
    allowance_eligible_share: float = Field(ge=0, le=1)
    match_levels: dict[Literal["same", "neighbouring", "related"], float]
    shortage_ratio: float = Field(gt=0)
    training_take_up: float = Field(ge=0, le=1)
    default_training_cost_eur: float = Field(ge=0)
    local_hire_share: float = Field(ge=0, le=1)
    employer_hours_per_hire: float = Field(ge=0)
    source: str = ""


@lru_cache(maxsize=2)
def _defaults(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load_assumptions(
    overrides: dict[str, Any] | None = None, path: Path | None = None
) -> ScenarioAssumptions:
    raw = dict(_defaults(path or DEFAULTS_FILE))
    raw.update(overrides or {})
    return ScenarioAssumptions.model_validate(raw)


class OccupationShare(_Strict):
    """One occupation of the people: an ISCO-08 unit group or an ESCO occupation URI, with a share."""

    isco: str | None = Field(default=None, pattern=r"^\d{4}$")
    esco: str | None = None
    share: float = Field(gt=0, le=1)
    label: str | None = None

    @model_validator(mode="after")
    def _one_code(self) -> OccupationShare:
        if (self.isco is None) == (self.esco is None):
            raise ValueError("give either isco (4 digits) or esco (an occupation URI)")
        return self


class Phase(_Strict):
    month: int = Field(ge=0, le=24)
    share: float = Field(gt=0, le=1)


class ScenarioEvent(_Strict):
    name: str
    kind: Literal["layoff", "new_plant"]
    employer: str
    business_id: str | None = None
    municipality: str
    people: int = Field(gt=0, le=100_000)
    date: dt.date
    occupations: list[OccupationShare] = Field(min_length=1)
    phasing: list[Phase] = [Phase(month=0, share=1.0)]
    residence: dict[str, float] | None = None
    description: str = ""
    assumptions: dict[str, Any] = {}

    @model_validator(mode="after")
    def _shares(self) -> ScenarioEvent:
        for name, total in (
            ("occupations", sum(o.share for o in self.occupations)),
            ("phasing", sum(p.share for p in self.phasing)),
        ):
            if not math.isclose(total, 1.0, abs_tol=1e-6):
                raise ValueError(f"{name} shares must sum to 1, not {total:.4f}")
        if self.residence is not None and not math.isclose(sum(self.residence.values()), 1.0, abs_tol=1e-6):
            raise ValueError("residence shares must sum to 1")
        return self


def load_event(path: Path) -> ScenarioEvent:
    """Read a scenario event from a YAML or JSON file."""
    if not path.exists():
        raise ScenarioError(f"scenario file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        return ScenarioEvent.model_validate(raw)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid YAML/JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ScenarioError(f"{path}: {problems}") from exc


# ----------------------------------------------------------------------------------------- outputs


class MonthFigure(_Model):
    month: str
    inflow: float
    stock: float
    fte: float
    municipal_cost: float


class MunicipalityEffect(_Model):
    code: str
    name: str
    residence_share: float
    people: float
    peak_stock: float
    peak_fte: float
    fte_first_12_months: float
    municipal_cost_first_12_months: float
    municipal_cost_horizon: float
    serving_office: str
    distance_to_office_km: float


class OccupationGroup(_Model):
    isco: str
    label: str
    people: float
    same_positions: int
    neighbouring_positions: int
    related_positions: int
    competing_jobseekers: int
    placeable: float
    reskilling_need: float


class VacancyMatch(_Model):
    vacancy_id: int
    title: str
    employer: str
    isco: str
    label: str
    municipality: str
    distance_km: float
    positions: int
    level: str
    for_isco: str
    shortage: bool
    score: float


class TargetOccupation(_Model):
    isco: str
    label: str
    positions: int
    jobseekers: int
    shortage: bool
    level: str
    trainings: list[str]


class ScenarioResult(_Model):
    event: ScenarioEvent
    assumptions: ScenarioAssumptions
    as_of: dt.date
    exit_rate: float
    exit_rate_source: str
    months: list[MonthFigure]
    municipalities: list[MunicipalityEffect]
    occupations: list[OccupationGroup]
    top_vacancies: list[VacancyMatch]
    target_occupations: list[TargetOccupation]
    total_people: int
    peak_stock: float
    peak_fte: float
    fte_first_12_months: float
    municipal_cost_first_12_months: float
    municipal_cost_horizon: float
    placeable: float
    reskilling_need: float
    training_starts: float
    training_cost: float
    #: new plant: local jobseekers who could fill the jobs
    local_candidates: int
    vacancies_open_on: dt.date
    matching_method: str
    notes: list[str]


# ------------------------------------------------------------------------------------------ pieces


def residence_shares(event: ScenarioEvent, area: Area, a: ScenarioAssumptions) -> dict[str, float]:
    """Where the people live: the event's own split, or the gravity model around the workplace."""
    if event.residence is not None:
        return dict(event.residence)
    home = event.municipality
    weights: dict[str, float] = {}
    for code, info in area.municipalities.items():
        if code == home:
            continue
        distance = area.distance_km(home, code)
        if distance <= a.max_commute_km:
            weights[code] = info.population * math.exp(-distance / a.gravity_km)
    total = sum(weights.values())
    if total <= 0:
        return {home: 1.0}
    shares = {home: a.own_municipality_share}
    for code, w in weights.items():
        shares[code] = (1 - a.own_municipality_share) * w / total
    return shares


def survival(rate: float, months: int) -> np.ndarray:
    """Share still unemployed at the start of each month after the inflow: (1 − rate)^k."""
    return (1 - rate) ** np.arange(months + 1)


def measured_exit_rate(*, session: Session, on: dt.date, a: ScenarioAssumptions) -> tuple[float, str]:
    """Monthly exit rate from unemployment: 1 − S(6)^(1/6) of spells starting 6–30 months before ``on``.

    The spells that start with unemployment (not with a temporary lay-off, lomautus, from which people
    mostly return to their employer) are measured; with too few of them, the default is used.
    """
    lo, hi = add_months(on, -30), add_months(on, -6)
    rows = session.execute(
        select(StatusPeriod.spell_id, StatusPeriod.status, StatusPeriod.start_date, StatusPeriod.end_date)
        .where(StatusPeriod.start_date <= on)
        .where(or_(StatusPeriod.end_date.is_(None), StatusPeriod.end_date >= lo))
    ).all()
    by_spell: dict[int, list[tuple[Status, dt.date, dt.date | None]]] = defaultdict(list)
    for r in rows:
        by_spell[r.spell_id].append((Status(r.status), r.start_date, r.end_date))
    cohorts: dict[str, list[bool]] = {"unemployed": []}
    for periods in by_spell.values():
        periods.sort(key=lambda p: p[1])
        first_status, start, _ = periods[0]
        if not (lo <= start <= hi) or first_status is not Status.UNEMPLOYED:
            continue
        six = add_months(start, 6)
        status = next((s for s, b, e in periods if b <= six and (e is None or e >= six)), None)
        cohorts["unemployed"].append(status is not None and status.counts_as_unemployed)
    for name in ("unemployed",):
        values = cohorts[name]
        if len(values) >= a.min_spells_for_data:
            s6 = max(sum(values) / len(values), 1e-3)
            rate = 1 - s6 ** (1 / 6)
            return min(max(rate, 0.01), 0.9), f"measured: {len(values)} spells ({name}), S(6) = {s6:.2f}"
    return a.monthly_exit_rate, "default (too few spells in the data)"


def cost_profile(start: dt.date, months: int, *, book: RuleBook, eligible_share: float) -> np.ndarray:
    """Municipal cost in each month of a person continuously unemployed from ``start`` (the engine)."""
    end = month_end(add_months(start, months - 1).year, add_months(start, months - 1).month)
    engine = FinancingEngine(book, until=end)
    spell = Spell(start=start, end=None, periods=((Status.UNEMPLOYED, start, None),))
    profile = np.zeros(months)
    first = np.datetime64(f"{start.year:04d}-{start.month:02d}", "M")
    for eligible, weight in ((True, eligible_share), (False, 1 - eligible_share)):
        if weight <= 0:
            continue
        employment = ((add_months(start, -48), start - dt.timedelta(days=1)),) if eligible else ()
        person = PersonHistory(key=0, home="000", spells=(spell,), employment=employment)
        days = engine.person(person)
        if days is None:
            continue
        index = (days.days.astype("datetime64[M]") - first).astype(int)
        ok = (index >= 0) & (index < months)
        profile += weight * np.bincount(index[ok], weights=days.municipal_cost[ok], minlength=months)[:months]
    return profile


def _per_customer_fte(
    norms: StaffingNorms, year: int, book: RuleBook, mix: dict[ServicePath, float]
) -> tuple[float, float]:
    """(FTE a year per customer, FTE a year per new spell a year) for the path mix."""
    freq = contact_frequencies(
        year, share_unemployed_at_6_months=norms.customer_counts.share_unemployed_at_6_months, rules=book
    )
    per_customer = per_spell = 0.0
    for path, share in mix.items():
        need = path_need(
            path, customers=1.0, contact_customers=1.0, inflow=0.0, frequencies=freq, norms=norms
        )
        per_customer += share * need.fte
        new = path_need(path, customers=0.0, contact_customers=0.0, inflow=1.0, frequencies=freq, norms=norms)
        per_spell += share * new.fte
    return per_customer, per_spell


# ---------------------------------------------------------------------------------------- matching


def _level(a: str, b: str) -> str | None:
    if a == b:
        return "same"
    if a[:3] == b[:3]:
        return "neighbouring"
    if a[:2] == b[:2]:
        return "related"
    return None


class OccupationSimilarity:
    """How near two ISCO-08 unit groups are for a person moving from one to the other.

    With the matching engine (``alue.matching``) installed, its occupation similarity decides: the ISCO-08
    hierarchy plus the similarity of the ESCO occupations' labels, which also links groups outside the same
    sub-major group (a sheet-metal worker and a welder, a warehouse worker and a driver). Without it, or
    without the ESCO data, the ISCO-08 groups alone: the same unit group, the same minor group
    (neighbouring), the same sub-major group (related).
    """

    def __init__(self, data_dir: Path | None) -> None:
        self.space: Any = None
        self.neighbouring = self.related = 0.0
        self.method = "ISCO-08 groups"
        try:
            from alue.matching.features import occupation_space
        except ImportError:  # the matching engine is a separate part of the platform
            return
        if data_dir is None:
            return
        try:
            self.space = occupation_space(Path(data_dir).resolve())
        except (OSError, LookupError, ValueError):  # no ESCO data in the data directory
            self.space = None
            return
        levels = self.space.levels
        self.neighbouring = float(levels.get("same_isco3", 0.55))
        self.related = min(
            float(levels.get("same_isco2", 0.30)),
            float(levels.get("text_factor", 0.6)) * float(levels.get("min_text", 0.30)),
        )
        self.method = "the matching engine's occupation similarity (ISCO-08 and ESCO labels)"

    def similarity(self, a: str, b: str) -> float | None:
        """The engine's similarity of two groups (1 for the same group); None without the engine."""
        if self.space is None:
            return None
        if a == b:
            return 1.0
        i, j = self.space.isco(a), self.space.isco(b)
        if i < 0 or j < 0:
            return None
        return float(self.space.group_sim[i, j])

    def level(self, a: str, b: str) -> str | None:
        """same, neighbouring, related or None (not a move a person could make without reskilling)."""
        value = self.similarity(a, b)
        if value is None:
            return _level(a, b)
        if a == b:
            return "same"
        if value >= self.neighbouring:
            return "neighbouring"
        if value >= self.related:
            return "related"
        return None


def _labels(area: Area) -> dict[str, str]:
    try:
        from alue.matching.taxonomy import load_taxonomy

        taxonomy = load_taxonomy(area.data_dir)
    except Exception:  # the taxonomy is optional for a projection
        return {}
    return {
        code: g.labels.get("fi") or g.labels.get("en") or code for code, g in taxonomy.isco_groups.items()
    }


def _esco_to_isco(area: Area, uri: str) -> str:
    from alue.matching.taxonomy import load_taxonomy

    occupation = load_taxonomy(area.data_dir).occupations.get(uri)
    if occupation is None:
        raise ScenarioError(f"unknown ESCO occupation {uri}")
    return occupation.isco4


def shortage_groups(
    session: Session, on: dt.date, positions: dict[str, int], seekers: dict[str, int], ratio: float
) -> tuple[set[str], str]:
    """ISCO groups in shortage on ``on``: the scorecard's list when loaded, else positions per jobseeker."""
    try:
        from alue.scorecard.models import ShortageOccupation

        listed = set(
            session.scalars(
                select(ShortageOccupation.isco4).where(
                    ShortageOccupation.valid_from <= on, ShortageOccupation.valid_to >= on
                )
            )
        )
    except Exception:  # the scorecard's table may be missing in a partial installation
        listed = set()
    if listed:
        return listed, "shortage list (scorecard)"
    derived = {g for g, n in positions.items() if n / max(seekers.get(g, 0), 1) >= ratio and n >= 2}
    return derived, f"open positions per jobseeker ≥ {ratio:g}"


# -------------------------------------------------------------------------------------- projection


def project(
    event: ScenarioEvent,
    *,
    session: Session,
    area: Area,
    as_of: dt.date,
    norms: StaffingNorms | None = None,
    rules: RuleBook | None = None,
    serving_office: dict[str, str] | None = None,
) -> ScenarioResult:
    """Project the event (module docstring). ``as_of`` is the last day the data knows of."""
    if event.municipality not in area.municipalities:
        raise ScenarioError(f"municipality {event.municipality!r} is not in the area")
    a = load_assumptions(event.assumptions)
    norms = norms or load_norms()
    book = rules or planning_rules(area.key)
    notes: list[str] = []
    labels = _labels(area)
    horizon = a.horizon_months
    months = [add_months(dt.date(event.date.year, event.date.month, 1), k) for k in range(horizon)]
    month_keys = [f"{m.year:04d}-{m.month:02d}" for m in months]

    residence = residence_shares(event, area, a)
    inflow = np.zeros(horizon)
    for phase in event.phasing:
        if phase.month < horizon:
            inflow[phase.month] += event.people * phase.share

    rate, rate_source = measured_exit_rate(session=session, on=as_of, a=a)
    surv = survival(rate, horizon)
    # People from each month's inflow still unemployed during month k: the mean of the start and the end.
    during = (surv[:-1] + surv[1:]) / 2
    stock = np.zeros(horizon)
    for c in range(horizon):
        if inflow[c]:
            stock[c:] += inflow[c] * during[: horizon - c]

    offices = serving_office or _nearest_offices(area)
    mix = a.path_mix[event.kind]
    per_customer, per_spell = _per_customer_fte(norms, event.date.year, book, mix)

    if event.kind == "layoff":
        fte = stock * per_customer + inflow * 12 * per_spell
        profiles = [
            cost_profile(m, horizon, book=book, eligible_share=a.allowance_eligible_share) for m in months
        ]
        cost = np.zeros(horizon)
        for c in range(horizon):
            if inflow[c]:
                # the profile is per person continuously unemployed; weight by the share still unemployed
                cost[c:] += inflow[c] * during[: horizon - c] * profiles[c][: horizon - c]
    else:
        hours = a.employer_hours_per_hire / norms.working_time.customer_hours_per_fte
        fte = inflow * 12 * hours
        cost = np.zeros(horizon)

    match = _match(event, session=session, area=area, as_of=as_of, a=a, labels=labels)
    if event.kind == "new_plant":
        local = min(match["local_candidates"], event.people * a.local_hire_share)
        saving = _new_plant_saving(local, horizon, surv, as_of=as_of, book=book, a=a)
        cost = -saving * np.cumsum(inflow) / event.people
        stock = -local * np.cumsum(inflow) / event.people * 1.0
        notes.append(
            f"{local:.0f} of the {event.people} jobs filled from the area's unemployed jobseekers "
            f"(local hire share {a.local_hire_share:.0%}, limited by {match['local_candidates']} candidates)."
        )

    effects = []
    for code, share in sorted(residence.items(), key=lambda kv: -kv[1]):
        office = offices.get(code, code)
        effects.append(
            MunicipalityEffect(
                code=code,
                name=area.municipalities[code].name_fi if code in area.municipalities else code,
                residence_share=share,
                people=event.people * share,
                peak_stock=float((stock * share).max() if event.kind == "layoff" else (stock * share).min()),
                peak_fte=float((fte * share).max()),
                fte_first_12_months=float((fte * share)[:12].mean()),
                municipal_cost_first_12_months=float((cost * share)[:12].sum()),
                municipal_cost_horizon=float((cost * share).sum()),
                serving_office=office,
                distance_to_office_km=area.distance_km(code, office) if code in area.municipalities else 0.0,
            )
        )
    month_rows = [
        MonthFigure(
            month=month_keys[k],
            inflow=float(inflow[k]),
            stock=float(stock[k]),
            fte=float(fte[k]),
            municipal_cost=float(cost[k]),
        )
        for k in range(horizon)
    ]
    placeable = sum(g.placeable for g in match["groups"])
    reskilling = sum(g.reskilling_need for g in match["groups"])
    trainings = [t for occ in match["targets"] for t in occ.trainings]
    training_cost_each = match["training_cost"] or a.default_training_cost_eur
    if event.kind == "layoff" and not trainings:
        notes.append(
            "No training in the catalogue is aimed at the shortage occupations found; "
            f"the default cost {a.default_training_cost_eur:,.0f} € per person is used."
        )
    starts = reskilling * a.training_take_up if event.kind == "layoff" else 0.0
    notes.append(f"Exit rate from unemployment {rate:.1%} a month ({rate_source}).")
    return ScenarioResult(
        event=event,
        assumptions=a,
        as_of=as_of,
        exit_rate=rate,
        exit_rate_source=rate_source,
        months=month_rows,
        municipalities=effects,
        occupations=match["groups"],
        top_vacancies=match["vacancies"],
        target_occupations=match["targets"],
        total_people=event.people,
        peak_stock=float(stock.max() if event.kind == "layoff" else stock.min()),
        peak_fte=float(fte.max()),
        fte_first_12_months=float(fte[:12].mean()),
        municipal_cost_first_12_months=float(cost[:12].sum()),
        municipal_cost_horizon=float(cost.sum()),
        placeable=placeable,
        reskilling_need=reskilling,
        training_starts=starts,
        training_cost=starts * training_cost_each,
        local_candidates=match["local_candidates"],
        vacancies_open_on=match["open_on"],
        matching_method=match["method"],
        notes=notes,
    )


def _nearest_offices(area: Area) -> dict[str, str]:
    offices = [sp.municipality for sp in area.file.service_points if sp.kind == "office"] or [
        area.file.responsible_municipality
    ]
    return {code: min(offices, key=lambda o: (area.distance_km(code, o), o)) for code in area.municipalities}


def _new_plant_saving(
    local: float, horizon: int, surv: np.ndarray, *, as_of: dt.date, book: RuleBook, a: ScenarioAssumptions
) -> np.ndarray:
    """Cumulative municipal cost avoided by hiring ``local`` unemployed people (per month of the horizon).

    A hired person would otherwise have stayed unemployed with the exit rate's survival; their cost is
    that of somebody a year into unemployment (a typical candidate, valued with today's rules).
    """
    profile = cost_profile(
        add_months(as_of, -12), horizon + 12, book=book, eligible_share=a.allowance_eligible_share
    )
    monthly = profile[12:]
    expected = local * monthly * (surv[:-1] + surv[1:]) / 2
    return np.asarray(expected)


def _match(
    event: ScenarioEvent,
    *,
    session: Session,
    area: Area,
    as_of: dt.date,
    a: ScenarioAssumptions,
    labels: dict[str, str],
) -> dict[str, Any]:
    every = load_municipalities(area.data_dir)
    home = every[event.municipality]
    similar = OccupationSimilarity(area.data_dir)

    def distance(code: str) -> float:
        info = every.get(code)
        try:
            return haversine_km(home, info) if info is not None else 1e9
        except ValueError:
            return 1e9

    groups: dict[str, float] = defaultdict(float)
    for occ in event.occupations:
        isco = occ.isco or _esco_to_isco(area, occ.esco or "")
        groups[isco] += occ.share * event.people
    open_on = max(event.date, as_of) if event.date <= as_of else as_of

    vacancies = session.execute(
        select(Vacancy, Employer.name)
        .join(Employer, Employer.id == Vacancy.employer_id)
        .where(Vacancy.open_on(open_on))
    ).all()
    reachable = [(v, name, distance(v.municipality_code)) for v, name in vacancies]
    reachable = [(v, name, d) for v, name, d in reachable if d <= a.max_commute_km]

    # Jobseekers now unemployed in the area, by sought occupation and by residence within reach.
    seekers_rows = session.execute(
        select(PersonOccupation.isco4, Person.home_municipality_code, PersonOccupation.person_id)
        .join(Person, Person.id == PersonOccupation.person_id)
        .join(StatusPeriod, StatusPeriod.person_id == Person.id)
        .where(PersonOccupation.is_target.is_(True))
        .where(StatusPeriod.status.in_([s.value for s in Status if s.counts_as_unemployed]))
        .where(StatusPeriod.start_date <= open_on)
        .where(or_(StatusPeriod.end_date.is_(None), StatusPeriod.end_date >= open_on))
    ).all()
    seekers_area: dict[str, set[int]] = defaultdict(set)
    seekers_near: dict[str, set[int]] = defaultdict(set)
    for isco, code, pid in seekers_rows:
        if code in area.municipalities:
            seekers_area[isco].add(pid)
        if distance(code) <= a.max_commute_km:
            seekers_near[isco].add(pid)

    positions: dict[str, int] = defaultdict(int)
    for v, _, _ in reachable:
        positions[v.isco4] += v.positions
    shortage, shortage_basis = shortage_groups(
        session, open_on, positions, {g: len(s) for g, s in seekers_area.items()}, a.shortage_ratio
    )

    result_groups: list[OccupationGroup] = []
    matches: list[VacancyMatch] = []
    for isco, people in sorted(groups.items(), key=lambda kv: -kv[1]):
        same = neighbouring = related = 0
        for v, employer_name, d in reachable:
            level = similar.level(isco, v.isco4)
            if level is None:
                continue
            if level == "same":
                same += v.positions
            elif level == "neighbouring":
                neighbouring += v.positions
            else:
                related += v.positions
            is_short = v.isco4 in shortage
            weight = a.match_levels[level]  # type: ignore[index]
            matches.append(
                VacancyMatch(
                    vacancy_id=v.id,
                    title=v.title,
                    employer=employer_name,
                    isco=v.isco4,
                    label=labels.get(v.isco4, v.isco4),
                    municipality=v.municipality_code,
                    distance_km=d,
                    positions=v.positions,
                    level=level,
                    for_isco=isco,
                    shortage=is_short,
                    score=weight * (1.25 if is_short else 1.0) * v.positions / (1 + d / a.max_commute_km),
                )
            )
        competitors = sum(
            len(seekers_near.get(g, ()))
            for g in {isco} | {g for g in seekers_near if similar.level(isco, g) in ("same", "neighbouring")}
        )
        direct = same + neighbouring
        # The event's people compete with the jobseekers already looking for the same work.
        placeable = min(people, direct * people / (people + competitors)) if direct else 0.0
        result_groups.append(
            OccupationGroup(
                isco=isco,
                label=labels.get(isco, isco),
                people=people,
                same_positions=same,
                neighbouring_positions=neighbouring,
                related_positions=related,
                competing_jobseekers=competitors,
                placeable=placeable,
                reskilling_need=people - placeable,
            )
        )
    matches.sort(key=lambda m: (-m.score, m.distance_km, m.vacancy_id))
    seen: set[int] = set()
    top: list[VacancyMatch] = []
    for m in matches:
        if m.vacancy_id in seen:
            continue
        seen.add(m.vacancy_id)
        top.append(m)
        if len(top) == 20:
            break

    # Target occupations: the reachable groups by positions, shortage first; trainings aimed at them.
    services = session.scalars(select(Service).where(Service.active.is_(True))).all()
    training_for: dict[str, list[Service]] = defaultdict(list)
    for s in services:
        for g in s.target_isco or []:
            training_for[str(g)].append(s)
    targets: list[TargetOccupation] = []
    order = ["same", "neighbouring", "related", "reskilling"]

    def level_of(isco: str) -> str:
        levels = [lv for g in groups if (lv := similar.level(g, isco)) is not None]
        return min(levels, key=order.index) if levels else "reskilling"

    def surplus(isco: str) -> int:
        return positions[isco] - len(seekers_area.get(isco, ()))

    # Retraining stays within reach of a short training: from manual and clerical work (ISCO major groups
    # 4–9) to groups 4–9, from technicians (3) to 3–9; experts and managers (1–2) to any group.
    lowest = min(int(g[0]) for g in groups)
    reachable_major = (
        set("123456789")
        if lowest <= 2
        else {str(m) for m in range(lowest, 10)} | (set() if lowest > 3 else {"3"})
    )
    # Nearest groups first (a short training suffices), shortage before balance, then most unfilled
    # positions.
    for isco in sorted(
        positions, key=lambda g: (order.index(level_of(g)), g not in shortage, -surplus(g), g)
    ):
        n = positions[isco]
        level = level_of(isco)
        if level == "same" or isco[0] not in reachable_major:
            continue
        if isco not in shortage and (level == "reskilling" or surplus(isco) <= 0):
            continue
        targets.append(
            TargetOccupation(
                isco=isco,
                label=labels.get(isco, isco),
                positions=n,
                jobseekers=len(seekers_area.get(isco, ())),
                shortage=isco in shortage,
                level=level,
                trainings=[s.code for s in training_for.get(isco, [])],
            )
        )
        if len(targets) == 12:
            break
    costs = [float(s.unit_cost) for t in targets for s in services if s.code in t.trainings]

    local = 0
    if event.kind == "new_plant":
        wanted = set(groups)
        local_people: set[int] = set()
        for isco, ids in seekers_near.items():
            if any(similar.level(g, isco) in ("same", "neighbouring") for g in wanted):
                local_people |= ids
        local = len(local_people)
    return {
        "groups": result_groups,
        "vacancies": top,
        "targets": targets,
        "open_on": open_on,
        "training_cost": sum(costs) / len(costs) if costs else None,
        "local_candidates": local,
        "method": f"{similar.method} within {a.max_commute_km:g} km; shortage: {shortage_basis}",
    }


# ------------------------------------------------------------------------------------------- compare


class BaselineRow(_Model):
    code: str
    name: str
    baseline_need_fte: float
    scenario_need_fte: float
    baseline_kind: str
    scenario_kind: str
    baseline_cost_12_months: float
    scenario_cost_12_months: float


def compare_with_baseline(
    result: ScenarioResult, *, need_fte: dict[str, float], cost_12_months: dict[str, float], threshold: float
) -> list[BaselineRow]:
    """Side by side: the baseline need and benefit cost against the baseline plus the event's peak."""
    added_fte = {m.code: m.peak_fte for m in result.municipalities}
    added_cost = {m.code: m.municipal_cost_first_12_months for m in result.municipalities}
    rows = []
    for code in sorted(need_fte, key=lambda c: -need_fte[c]):
        base = need_fte[code]
        scen = base + added_fte.get(code, 0.0)
        rows.append(
            BaselineRow(
                code=code,
                name=next((m.name for m in result.municipalities if m.code == code), code),
                baseline_need_fte=base,
                scenario_need_fte=scen,
                baseline_kind="office" if base >= threshold else "service_point",
                scenario_kind="office" if scen >= threshold else "service_point",
                baseline_cost_12_months=cost_12_months.get(code, 0.0),
                scenario_cost_12_months=cost_12_months.get(code, 0.0) + added_cost.get(code, 0.0),
            )
        )
    return rows


def example_path(name: str = "harjavalta-metal-layoff") -> Path:
    return EXAMPLES_DIR / f"{name}.yaml"


def summary_lines(result: ScenarioResult) -> Sequence[str]:
    e = result.event
    return [
        f"{e.name}: {e.people} people, {e.kind}, {e.municipality}, {e.date.isoformat()}",
        f"peak unemployed {result.peak_stock:.0f}, peak added FTE {result.peak_fte:.1f}",
        f"municipal benefit cost first 12 months {result.municipal_cost_first_12_months:,.0f} €",
        f"placeable at the same/neighbouring level {result.placeable:.0f}, "
        f"reskilling need {result.reskilling_need:.0f}",
    ]
