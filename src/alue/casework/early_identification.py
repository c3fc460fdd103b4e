"""Early identification (ennakoiva tunnistaminen, strategy priority 3): the estimated risk that a jobseeking
spell lasts over 3 and over 12 months, learnt from the area's own history.

Principles (see ``docs/early-identification.md``):

* **Transparent** — a logistic regression on documented features (``FEATURES``); every score comes with
  its main reasons, the per-feature contributions to the log-odds relative to the average training case.
* **Calibrated** — ``CalibratedClassifierCV(method="sigmoid", ensemble=False)``: one readable model, its
  scores mapped to probabilities with cross-validated calibration; each run reports AUC, the Brier score
  and the reliability bins.
* **Honest evaluation** — a temporal split: trained on spells whose outcome was known on the cut-off day,
  evaluated on spells registered on or after it; compared in the same run with a **baseline** using only
  the spell's age and the customer groups.
* **Protected characteristics** (mother tongue, gender, citizenship and the immigrant group as their proxy)
  are not inputs unless an administrator turns them on for a run; the setting is stored with the run. The
  fairness report always measures error rates by gender, age band, language group and municipality.
* **The case worker decides** — a score is stored with its reasons; the worker records agreement or
  disagreement, and the jobseeker's own assessment can be recorded beside it.

Labels: the spell *lasts over N months* when on the day N months after registration the person is still in
the same spell with an unemployed status (unemployed or fully laid off; optionally also in a service). A
spell contributes one example per landmark (days since registration, default 0, 30, 60) at which the person
is still unemployed, so that scores of ageing spells are conditional on having lasted so far.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
import sklearn
import yaml
from pydantic import BaseModel, ConfigDict, Field
from scipy.stats import rankdata
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.casework.errors import CaseworkError
from alue.casework.journey_models import N_, JobseekerView, RiskModelRun, RiskScore, WorkerView
from alue.casework.journey_models import utcnow as now
from alue.people.models import (
    CustomerGroup,
    CustomerGroupMembership,
    EducationLevel,
    Gender,
    JobseekingSpell,
    Person,
    PersonOccupation,
    SpellEndReason,
    Status,
    StatusPeriod,
)
from alue.shared.threads import one_library_thread
from alue.shared.time import add_months

SETTINGS_FILE = Path(__file__).with_name("early_identification.yaml")
ONE_DAY = dt.timedelta(days=1)


# ----------------------------------------------------------------------------------------- settings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSettings(_Strict):
    regularisation_c: float = Field(gt=0)
    calibration_method: Literal["sigmoid", "isotonic"]
    calibration_folds: int = Field(ge=2, le=20)
    min_category_count: int = Field(ge=1)


class EvaluationSettings(_Strict):
    calibration_bins: int = Field(ge=2, le=50)
    min_group_size: int = Field(ge=1)
    fairness_groups: list[Literal["gender", "age_band", "language_group", "municipality"]]
    min_train_examples: int = Field(ge=10)
    min_test_examples: int = Field(ge=5)


class EISettings(_Strict):
    horizons_months: list[int] = Field(min_length=1)
    services_continue_spell: bool
    landmarks_days: list[int] = Field(min_length=1)
    history_years: int = Field(ge=1, le=10)
    protected_features: bool
    model: ModelSettings
    evaluation: EvaluationSettings
    model_dir: str = ""


@lru_cache(maxsize=4)
def load_settings(path: Path = SETTINGS_FILE) -> EISettings:
    return EISettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# ----------------------------------------------------------------------------------------- features


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    name: str
    kind: Literal["category", "count", "flag"]
    label: str  # English msgid, short
    description: str
    baseline: bool = False
    protected: bool = False


GROUP_FLAGS = (
    CustomerGroup.PARTIAL_WORK_ABILITY,
    CustomerGroup.LIFE_MANAGEMENT,
    CustomerGroup.SUBSTANCE_MENTAL_HEALTH,
    CustomerGroup.NEUROPSYCHIATRIC,
    CustomerGroup.DISABILITY,
)

#: Every feature the model may use, documented. ``baseline`` features feed the baseline model;
#: ``protected`` ones are inputs only when an administrator has turned them on for the run.
FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "spell_age_days",
        "count",
        N_("Time since registration"),
        "Days since registration at the moment of scoring (0 for a new registration).",
        baseline=True,
    ),
    FeatureSpec(
        "age_band",
        "category",
        N_("Age band"),
        "Age band on the scoring day: under 20, 20–24, 25–29, 30–39, 40–49, 50–54, 55–59, 60 or over.",
    ),
    FeatureSpec("education", "category", N_("Education"), "Highest completed education level."),
    FeatureSpec(
        "start_status",
        "category",
        N_("Status at registration"),
        "Labour-market status at registration (unemployed, fully laid off, shortened week …).",
    ),
    FeatureSpec(
        "prior_spells",
        "count",
        N_("Earlier jobseeking spells"),
        "Jobseeking spells that started in the history window (default 3 years) before this one.",
    ),
    FeatureSpec(
        "prior_unemployed_days",
        "count",
        N_("Earlier unemployment"),
        "Days unemployed or fully laid off in the history window before this spell.",
    ),
    FeatureSpec(
        "prior_service_days",
        "count",
        N_("Earlier services"),
        "Days in employment services in the history window before this spell.",
    ),
    FeatureSpec(
        "occupation_group",
        "category",
        N_("Occupation group"),
        "ISCO-08 major group of the first sought occupation ('none' when not recorded).",
    ),
    FeatureSpec(
        "experience_years",
        "count",
        N_("Work experience"),
        "Years of recorded work experience, summed over occupations, capped at 40.",
    ),
    FeatureSpec("municipality", "category", N_("Municipality"), "Municipality of residence at registration."),
    FeatureSpec("season", "category", N_("Season"), "Quarter of the year of the registration (Q1–Q4)."),
    FeatureSpec("driving_licence", "flag", N_("Driving licence"), "Holds a driving licence."),
    FeatureSpec(
        "young", "flag", N_("Young"), "Customer group: under the area's youth age limit.", baseline=True
    ),
    FeatureSpec(
        "no_vocational_education",
        "flag",
        N_("No vocational education"),
        "Customer group: no vocational or higher qualification.",
        baseline=True,
    ),
    FeatureSpec(
        "laid_off",
        "flag",
        N_("Laid off"),
        "Customer group: registered as fully or partly laid off.",
        baseline=True,
    ),
    *(
        FeatureSpec(
            g.value,
            "flag",
            label,
            f"Customer group recorded on the scoring day: {g.value.replace('_', ' ')}.",
            baseline=True,
        )
        for g, label in zip(
            GROUP_FLAGS,
            (
                N_("Partial work ability"),
                N_("Life-management challenges"),
                N_("Substance or mental-health challenges"),
                N_("Neuropsychiatric challenges"),
                N_("Disability"),
            ),
            strict=True,
        )
    ),
    FeatureSpec(
        "immigrant",
        "flag",
        N_("Immigrant"),
        "Customer group recorded: immigrant. A proxy for origin, so treated as protected.",
        baseline=True,
        protected=True,
    ),
    FeatureSpec("gender", "category", N_("Gender"), "Gender.", protected=True),
    FeatureSpec(
        "language_group",
        "category",
        N_("Language group"),
        "Mother tongue: Finnish, Swedish or other.",
        protected=True,
    ),
    FeatureSpec(
        "citizenship_group", "category", N_("Citizenship"), "Citizenship: Finnish or other.", protected=True
    ),
)
FEATURE_BY_NAME = {f.name: f for f in FEATURES}
AGE_BANDS = (
    (20, "under_20"),
    (25, "20-24"),
    (30, "25-29"),
    (40, "30-39"),
    (50, "40-49"),
    (55, "50-54"),
    (60, "55-59"),
)


def age_band(age: int) -> str:
    for limit, name in AGE_BANDS:
        if age < limit:
            return name
    return "60_plus"


def used_features(*, protected: bool, baseline: bool = False) -> list[FeatureSpec]:
    return [f for f in FEATURES if (protected or not f.protected) and (f.baseline or not baseline)]


# --------------------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    status: Status
    start: dt.date
    end: dt.date | None


@dataclass
class SpellFacts:
    id: int
    start: dt.date
    end: dt.date | None
    end_reason: SpellEndReason | None
    municipality: str
    periods: list[PeriodFacts] = field(default_factory=list)

    def status_on(self, day: dt.date) -> Status | None:
        if day < self.start or (self.end is not None and day > self.end):
            return None
        for p in self.periods:
            if p.start <= day and (p.end is None or day <= p.end):
                return p.status
        return None if self.periods else Status.UNEMPLOYED

    def unemployed_on(self, day: dt.date, *, services_continue: bool) -> bool:
        status = self.status_on(day)
        if status is None:
            return False
        return status.counts_as_unemployed or (services_continue and status is Status.IN_SERVICE)


@dataclass
class PersonFacts:
    id: int
    birth_date: dt.date
    gender: Gender
    mother_tongue: str
    citizenship: str
    education: EducationLevel
    driving_licence: bool
    isco_major: str
    experience_months: int
    groups: list[tuple[CustomerGroup, dt.date, dt.date | None]] = field(default_factory=list)
    spells: list[SpellFacts] = field(default_factory=list)

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def groups_on(self, day: dt.date) -> set[CustomerGroup]:
        return {g for g, start, end in self.groups if start <= day and (end is None or day <= end)}


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_people(
    session: Session, *, until: dt.date, person_ids: Iterable[int] | None = None
) -> list[PersonFacts]:
    """Everything the features need, for people with a spell registered by ``until`` (five queries)."""
    spell_filter = JobseekingSpell.start_date <= until
    stmt = select(JobseekingSpell).where(spell_filter)
    if person_ids is not None:
        stmt = stmt.where(JobseekingSpell.person_id.in_(list(person_ids)))
    spells_by_person: dict[int, list[SpellFacts]] = defaultdict(list)
    spell_index: dict[int, SpellFacts] = {}
    for row in session.execute(
        stmt.with_only_columns(
            JobseekingSpell.id,
            JobseekingSpell.person_id,
            JobseekingSpell.start_date,
            JobseekingSpell.end_date,
            JobseekingSpell.end_reason,
            JobseekingSpell.municipality_code,
        )
    ):
        spell = SpellFacts(row[0], row[2], row[3], SpellEndReason(row[4]) if row[4] else None, row[5])
        spells_by_person[row[1]].append(spell)
        spell_index[spell.id] = spell
    ids = sorted(spells_by_person)
    people: dict[int, PersonFacts] = {}
    for chunk in _chunks(ids):
        for p in session.execute(
            select(
                Person.id,
                Person.birth_date,
                Person.gender,
                Person.mother_tongue,
                Person.citizenship,
                Person.education_level,
                Person.driving_licence,
            ).where(Person.id.in_(chunk))
        ):
            people[p[0]] = PersonFacts(
                id=p[0],
                birth_date=p[1],
                gender=Gender(p[2]),
                mother_tongue=p[3] or "",
                citizenship=p[4] or "",
                education=EducationLevel(p[5]),
                driving_licence=bool(p[6]),
                isco_major="none",
                experience_months=0,
            )
        for spell_id, status, start, end in session.execute(
            select(StatusPeriod.spell_id, StatusPeriod.status, StatusPeriod.start_date, StatusPeriod.end_date)
            .where(StatusPeriod.person_id.in_(chunk))
            .order_by(StatusPeriod.start_date)
        ):
            if spell_id in spell_index:
                spell_index[spell_id].periods.append(PeriodFacts(Status(status), start, end))
        for person_id, group, start, end in session.execute(
            select(
                CustomerGroupMembership.person_id,
                CustomerGroupMembership.group,
                CustomerGroupMembership.start_date,
                CustomerGroupMembership.end_date,
            ).where(CustomerGroupMembership.person_id.in_(chunk))
        ):
            people[person_id].groups.append((CustomerGroup(group), start, end))
        for person_id, isco4, months, target in session.execute(
            select(
                PersonOccupation.person_id,
                PersonOccupation.isco4,
                PersonOccupation.experience_months,
                PersonOccupation.is_target,
            )
            .where(PersonOccupation.person_id.in_(chunk))
            .order_by(PersonOccupation.id)
        ):
            person = people[person_id]
            person.experience_months += int(months or 0)
            if target and person.isco_major == "none" and isco4:
                person.isco_major = isco4[0]
    for person_id, spells in spells_by_person.items():
        people[person_id].spells = sorted(spells, key=lambda s: s.start)
    return [people[i] for i in ids]


def _overlap_days(start: dt.date, end: dt.date | None, lo: dt.date, hi: dt.date) -> int:
    a, b = max(start, lo), min(end or hi, hi)
    return max(0, (b - a).days + 1)


def feature_values(
    person: PersonFacts, spell: SpellFacts, on: dt.date, *, youth_age_limit: int, history_years: int
) -> dict[str, Any]:
    """The feature values of ``spell`` scored on ``on`` (nothing after ``on`` is looked at)."""
    age = person.age_on(on)
    window_start = add_months(spell.start, -12 * history_years)
    before = spell.start - ONE_DAY
    prior = [s for s in person.spells if s.start < spell.start]
    unemployed_days = service_days = 0
    for s in prior:
        for p in s.periods:
            days = _overlap_days(p.start, p.end, window_start, before)
            if p.status.counts_as_unemployed:
                unemployed_days += days
            elif p.status is Status.IN_SERVICE:
                service_days += days
    start_status = spell.periods[0].status if spell.periods else Status.UNEMPLOYED
    groups = person.groups_on(on)
    values: dict[str, Any] = {
        "spell_age_days": max(0, (on - spell.start).days),
        "age_band": age_band(age),
        "education": person.education.value,
        "start_status": start_status.value,
        "prior_spells": sum(1 for s in prior if s.start >= window_start),
        "prior_unemployed_days": unemployed_days,
        "prior_service_days": service_days,
        "occupation_group": person.isco_major,
        "experience_years": min(40, person.experience_months // 12),
        "municipality": spell.municipality,
        "season": f"Q{(spell.start.month - 1) // 3 + 1}",
        "driving_licence": person.driving_licence,
        "young": age < youth_age_limit,
        "no_vocational_education": not person.education.vocational,
        "laid_off": start_status in (Status.LAID_OFF_FULL, Status.SHORTENED_WEEK),
        "immigrant": CustomerGroup.IMMIGRANT in groups,
        "gender": person.gender.value,
        "language_group": language_group(person.mother_tongue),
        "citizenship_group": "finnish" if person.citizenship in ("FIN", "FI") else "other",
    }
    for group in GROUP_FLAGS:
        values[group.value] = group in groups
    return values


def language_group(mother_tongue: str) -> str:
    return {"fi": "finnish", "sv": "swedish"}.get(mother_tongue, "other")


def fairness_attributes(values: dict[str, Any]) -> dict[str, str]:
    """The groups the fairness report compares (always computed, whether or not they are inputs)."""
    return {
        "gender": str(values["gender"]),
        "age_band": str(values["age_band"]),
        "language_group": str(values["language_group"]),
        "municipality": str(values["municipality"]),
    }


@dataclass
class Example:
    person_id: int
    spell_id: int
    start: dt.date
    landmark: int
    values: dict[str, Any]
    #: horizon → still unemployed then; None when not yet observable on the data day
    outcome: dict[int, bool | None]


def build_examples(
    people: Sequence[PersonFacts], *, settings: EISettings, data_until: dt.date, youth_age_limit: int
) -> list[Example]:
    examples = []
    for person in people:
        for spell in person.spells:
            for landmark in settings.landmarks_days:
                obs = spell.start + dt.timedelta(days=landmark)
                if obs > data_until or not spell.unemployed_on(
                    obs, services_continue=settings.services_continue_spell
                ):
                    continue
                outcome: dict[int, bool | None] = {}
                for horizon in settings.horizons_months:
                    day = add_months(spell.start, horizon)
                    if obs >= day or day > data_until:
                        outcome[horizon] = None
                    else:
                        outcome[horizon] = spell.unemployed_on(
                            day, services_continue=settings.services_continue_spell
                        )
                values = feature_values(
                    person, spell, obs, youth_age_limit=youth_age_limit, history_years=settings.history_years
                )
                examples.append(Example(person.id, spell.id, spell.start, landmark, values, outcome))
    return examples


# -------------------------------------------------------------------------------------- design matrix


class Design:
    """Turns feature dicts into a numeric matrix: one-hot categories (rare ones pooled as 'other'),
    standardised log(1 + count) for counts, 0/1 flags. Remembers which column came from which feature."""

    def __init__(self, specs: Sequence[FeatureSpec], *, min_category_count: int) -> None:
        self.specs = list(specs)
        self.min_category_count = min_category_count
        self.levels: dict[str, list[str]] = {}
        self.count_stats: dict[str, tuple[float, float]] = {}
        self.columns: list[str] = []
        self.column_feature: list[str] = []
        self.means: np.ndarray = np.zeros(0)

    def fit(self, rows: Sequence[dict[str, Any]]) -> Design:
        for spec in self.specs:
            if spec.kind == "category":
                counts: dict[str, int] = defaultdict(int)
                for row in rows:
                    counts[str(row[spec.name])] += 1
                kept = sorted(level for level, n in counts.items() if n >= self.min_category_count)
                self.levels[spec.name] = [*kept, "other"]
                for level in self.levels[spec.name]:
                    self.columns.append(f"{spec.name}={level}")
                    self.column_feature.append(spec.name)
            elif spec.kind == "count":
                logs = np.log1p(np.array([float(row[spec.name]) for row in rows]))
                std = float(logs.std()) or 1.0
                self.count_stats[spec.name] = (float(logs.mean()), std)
                self.columns.append(spec.name)
                self.column_feature.append(spec.name)
            else:
                self.columns.append(spec.name)
                self.column_feature.append(spec.name)
        self.means = self.transform(rows).mean(axis=0) if rows else np.zeros(len(self.columns))
        return self

    def transform(self, rows: Sequence[dict[str, Any]]) -> np.ndarray:
        n = len(rows)
        matrix = np.zeros((n, len(self.columns)))
        j = 0
        for spec in self.specs:
            values = [row[spec.name] for row in rows]
            if spec.kind == "category":
                levels = self.levels[spec.name]
                index = {level: i for i, level in enumerate(levels[:-1])}
                other = len(levels) - 1
                positions = np.fromiter((index.get(str(v), other) for v in values), dtype=int, count=n)
                matrix[np.arange(n), j + positions] = 1.0
                j += len(levels)
            elif spec.kind == "count":
                mean, std = self.count_stats[spec.name]
                matrix[:, j] = (np.log1p(np.array(values, dtype=float)) - mean) / std
                j += 1
            else:
                matrix[:, j] = np.array([1.0 if v else 0.0 for v in values])
                j += 1
        return matrix


@dataclass
class HorizonModel:
    horizon: int
    design: Design
    model: CalibratedClassifierCV
    baseline_design: Design
    baseline: CalibratedClassifierCV
    #: flag threshold: the training prevalence ("above the average risk")
    threshold: float

    def predict(self, rows: Sequence[dict[str, Any]]) -> np.ndarray:
        return self.model.predict_proba(self.design.transform(rows))[:, 1]

    def predict_baseline(self, rows: Sequence[dict[str, Any]]) -> np.ndarray:
        return self.baseline.predict_proba(self.baseline_design.transform(rows))[:, 1]

    def contributions(self, row: dict[str, Any]) -> list[tuple[str, float]]:
        """Per feature, its contribution to the calibrated log-odds relative to the average training case."""
        fitted = self.model.calibrated_classifiers_[0]
        coef = fitted.estimator.coef_[0]
        slope = -float(getattr(fitted.calibrators[0], "a_", -1.0)) if self.model.method == "sigmoid" else 1.0
        x = self.design.transform([row])[0]
        per_column = slope * coef * (x - self.design.means)
        totals: dict[str, float] = defaultdict(float)
        for feature, value in zip(self.design.column_feature, per_column, strict=True):
            totals[feature] += float(value)
        return sorted(totals.items(), key=lambda kv: -abs(kv[1]))

    def coefficients(self) -> list[dict[str, Any]]:
        coef = self.model.calibrated_classifiers_[0].estimator.coef_[0]
        return [
            {"column": c, "feature": f, "coefficient": round(float(v), 4)}
            for c, f, v in zip(self.design.columns, self.design.column_feature, coef, strict=True)
        ]


@dataclass
class TrainedModel:
    horizons: dict[int, HorizonModel]
    features: list[str]
    youth_age_limit: int
    history_years: int
    services_continue_spell: bool


def _fit(
    specs: Sequence[FeatureSpec], rows: list[dict[str, Any]], y: np.ndarray, s: EISettings
) -> tuple[Design, CalibratedClassifierCV]:
    design = Design(specs, min_category_count=s.model.min_category_count).fit(rows)
    model = CalibratedClassifierCV(
        LogisticRegression(C=s.model.regularisation_c, max_iter=2000),
        method=s.model.calibration_method,
        cv=s.model.calibration_folds,
        ensemble=False,
    )
    model.fit(design.transform(rows), y)
    return design, model


# ------------------------------------------------------------------------------------------- metrics


def evaluate(y: np.ndarray, p: np.ndarray, *, threshold: float, bins: int) -> dict[str, Any]:
    """AUC, Brier score, log loss, reliability bins and the error rates at the flag threshold."""
    n = len(y)
    result: dict[str, Any] = {"n": n}
    if n == 0:
        return result
    positives = int(y.sum())
    flagged = p >= threshold
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    result.update(
        prevalence=round(positives / n, 4),
        mean_predicted=round(float(p.mean()), 4),
        brier=round(float(np.mean((p - y) ** 2)), 4),
        log_loss=round(float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped))), 4),
        auc=round(auc(y, p), 4) if 0 < positives < n else None,
        flagged_rate=round(float(flagged.mean()), 4),
        false_positive_rate=_rate(flagged & (y == 0), y == 0),
        false_negative_rate=_rate(~flagged & (y == 1), y == 1),
        precision=_rate(flagged & (y == 1), flagged),
    )
    edges = np.linspace(0.0, 1.0, bins + 1)
    table = []
    weighted_gap = 0.0
    for k in range(bins):
        inside = (p >= edges[k]) & ((p < edges[k + 1]) if k < bins - 1 else (p <= edges[k + 1]))
        count = int(inside.sum())
        if count == 0:
            continue
        mean_p, observed = float(p[inside].mean()), float(y[inside].mean())
        weighted_gap += count * abs(mean_p - observed)
        table.append(
            {
                "lower": round(float(edges[k]), 2),
                "upper": round(float(edges[k + 1]), 2),
                "n": count,
                "mean_predicted": round(mean_p, 4),
                "observed": round(observed, 4),
            }
        )
    result["calibration_bins"] = table
    result["expected_calibration_error"] = round(weighted_gap / n, 4)
    return result


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve as the Mann–Whitney statistic (ties count half)."""
    ranks = rankdata(p)
    positives = int(y.sum())
    negatives = len(y) - positives
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _rate(hits: np.ndarray, base: np.ndarray) -> float | None:
    total = int(base.sum())
    return round(float(hits.sum()) / total, 4) if total else None


def by_group(
    y: np.ndarray, p: np.ndarray, groups: Sequence[str], *, threshold: float, min_size: int
) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    labels = np.array(groups)
    for value in sorted(set(groups)):
        mask = labels == value
        n = int(mask.sum())
        if n < min_size:
            result[value] = {"n": n, "suppressed": True}
            continue
        metrics = evaluate(y[mask], p[mask], threshold=threshold, bins=5)
        metrics.pop("calibration_bins", None)
        result[value] = metrics
    return result


def _by_landmark(
    rows: Sequence[Example], y: np.ndarray, p_model: np.ndarray, p_base: np.ndarray
) -> dict[str, dict[str, Any]]:
    """AUC of the model and the baseline among spells of the same age (one landmark at a time).

    The pooled AUC mixes spells scored at different ages, and the age alone ranks them well (a spell that has
    lasted 60 days has a shorter way to go); within one landmark only the other inputs can rank, so this is
    where the model has to beat the baseline.
    """
    landmarks = np.array([e.landmark for e in rows])
    result: dict[str, dict[str, Any]] = {}
    for landmark in sorted(set(landmarks.tolist())):
        mask = landmarks == landmark
        n, positives = int(mask.sum()), int(y[mask].sum())
        both = 0 < positives < n
        result[str(landmark)] = {
            "n": n,
            "prevalence": round(positives / n, 4),
            "model_auc": round(auc(y[mask], p_model[mask]), 4) if both else None,
            "baseline_auc": round(auc(y[mask], p_base[mask]), 4) if both else None,
        }
    return result


# -------------------------------------------------------------------------------------------- train


class TrainingError(ValueError):
    """The run cannot be made as asked (bad dates, protected features without an administrator …)."""


def label_definition(settings: EISettings) -> str:
    also = " or in an employment service" if settings.services_continue_spell else ""
    return (
        "The spell lasts over N months when, on the day N months after registration, the person is still in "
        f"the same jobseeking spell and unemployed or fully laid off{also}."
    )


def train(
    *,
    session: Session,
    cutoff: dt.date,
    data_until: dt.date,
    created_by: str,
    include_protected: bool | None = None,
    allowed_by: str = "",
    settings: EISettings | None = None,
    youth_age_limit: int | None = None,
    model_dir: Path | None = None,
) -> RiskModelRun:
    """Train, evaluate and store one run (model card in ``metrics``, the model as joblib bytes).

    The numeric libraries run single-threaded here: the models are small, and on a shared server threads
    only compete with the web application.
    """
    with one_library_thread():
        return _train(
            session=session,
            cutoff=cutoff,
            data_until=data_until,
            created_by=created_by,
            include_protected=include_protected,
            allowed_by=allowed_by,
            settings=settings,
            youth_age_limit=youth_age_limit,
            model_dir=model_dir,
        )


def _train(
    *,
    session: Session,
    cutoff: dt.date,
    data_until: dt.date,
    created_by: str,
    include_protected: bool | None,
    allowed_by: str,
    settings: EISettings | None,
    youth_age_limit: int | None,
    model_dir: Path | None,
) -> RiskModelRun:
    s = settings or load_settings()
    if cutoff >= data_until:
        raise TrainingError("the cut-off must be before the end of the data (evaluation uses later spells)")
    protected = s.protected_features if include_protected is None else include_protected
    source = "settings file" if include_protected is None else "command"
    if protected and include_protected and not allowed_by.strip():
        raise TrainingError(
            "protected characteristics are inputs only when an administrator turns them on: name them"
        )
    if youth_age_limit is None:
        from alue.casework.service_lines import default_youth_age_limit

        youth_age_limit = default_youth_age_limit()
    people = load_people(session, until=data_until)
    examples = build_examples(people, settings=s, data_until=data_until, youth_age_limit=youth_age_limit)
    specs = used_features(protected=protected)
    baseline_specs = used_features(protected=protected, baseline=True)
    card: dict[str, Any] = {
        "purpose": (
            "Estimate, at registration and as a spell ages, the risk that a jobseeking spell lasts over 3 "
            "and over 12 months, so that case workers can offer support early. The estimate informs; the "
            "case worker decides."
        ),
        "label_definition": label_definition(s),
        "temporal_split": {
            "cutoff": cutoff.isoformat(),
            "data_until": data_until.isoformat(),
            "train": "spells registered before the cut-off whose outcome was known on the cut-off day",
            "test": "spells registered on or after the cut-off whose outcome was known by the data's end",
        },
        "features": [
            {
                "name": f.name,
                "kind": f.kind,
                "label": f.label,
                "description": f.description,
                "baseline": f.baseline,
                "protected": f.protected,
                "used": f in specs,
            }
            for f in FEATURES
        ],
        "protected_features": {
            "enabled": protected,
            "source": source,
            "allowed_by": allowed_by.strip() or None,
        },
        "baseline": (
            "logistic regression on the spell's age and the customer groups only, calibrated the same way"
        ),
        "threshold_rule": "a case is flagged when its estimate is at least the training prevalence",
        "limitations": [
            "Learnt from registered history only: changes in law, services or the economy after the "
            "cut-off are "
            "not in the data.",
            "Fairness figures describe error rates by group; equal rates are not guaranteed and small groups "
            "are suppressed.",
            "Not for decisions on benefits or obligations; a support for the case worker's own assessment.",
        ],
        "horizons": {},
    }
    horizons: dict[int, HorizonModel] = {}
    n_train = n_test = 0
    for horizon in s.horizons_months:
        train_rows = [
            e for e in examples if e.outcome[horizon] is not None and add_months(e.start, horizon) <= cutoff
        ]
        test_rows = [e for e in examples if e.outcome[horizon] is not None and e.start >= cutoff]
        entry: dict[str, Any] = {"n_train": len(train_rows), "n_test": len(test_rows)}
        y_train = np.array([int(bool(e.outcome[horizon])) for e in train_rows])
        y_test = np.array([int(bool(e.outcome[horizon])) for e in test_rows])
        if len(train_rows) < s.evaluation.min_train_examples or len(set(y_train.tolist())) < 2:
            entry["status"] = (
                f"not trained: {len(train_rows)} training examples "
                f"(minimum {s.evaluation.min_train_examples}, both outcomes)"
            )
            card["horizons"][str(horizon)] = entry
            continue
        if len(test_rows) < s.evaluation.min_test_examples:
            entry["status"] = (
                f"not trained: {len(test_rows)} evaluation examples "
                f"(minimum {s.evaluation.min_test_examples})"
            )
            card["horizons"][str(horizon)] = entry
            continue
        rows = [e.values for e in train_rows]
        design, model = _fit(specs, rows, y_train, s)
        base_design, base_model = _fit(baseline_specs, rows, y_train, s)
        threshold = float(y_train.mean())
        hm = HorizonModel(horizon, design, model, base_design, base_model, threshold)
        horizons[horizon] = hm
        test_values = [e.values for e in test_rows]
        p_model, p_base = hm.predict(test_values), hm.predict_baseline(test_values)
        bins = s.evaluation.calibration_bins
        new = np.array([e.landmark == 0 for e in test_rows])
        entry.update(
            status="trained",
            prevalence_train=round(threshold, 4),
            threshold=round(threshold, 4),
            model=evaluate(y_test, p_model, threshold=threshold, bins=bins),
            baseline=evaluate(y_test, p_base, threshold=threshold, bins=bins),
            model_new_spells=evaluate(y_test[new], p_model[new], threshold=threshold, bins=bins),
            baseline_new_spells=evaluate(y_test[new], p_base[new], threshold=threshold, bins=bins),
            by_landmark=_by_landmark(test_rows, y_test, p_model, p_base),
            fairness={
                attribute: by_group(
                    y_test,
                    p_model,
                    [fairness_attributes(e.values)[attribute] for e in test_rows],
                    threshold=threshold,
                    min_size=s.evaluation.min_group_size,
                )
                for attribute in s.evaluation.fairness_groups
            },
            baseline_fairness={
                attribute: by_group(
                    y_test,
                    p_base,
                    [fairness_attributes(e.values)[attribute] for e in test_rows],
                    threshold=threshold,
                    min_size=s.evaluation.min_group_size,
                )
                for attribute in s.evaluation.fairness_groups
            },
            coefficients=hm.coefficients(),
        )
        card["horizons"][str(horizon)] = entry
        n_train, n_test = max(n_train, len(train_rows)), max(n_test, len(test_rows))
    trained = TrainedModel(
        horizons=horizons,
        features=[f.name for f in specs],
        youth_age_limit=youth_age_limit,
        history_years=s.history_years,
        services_continue_spell=s.services_continue_spell,
    )
    buffer = io.BytesIO()
    joblib.dump(trained, buffer)
    blob = buffer.getvalue()
    digest = hashlib.sha256(blob).hexdigest()
    path: str | None = None
    directory = model_dir or (Path(s.model_dir) if s.model_dir else None)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"risk-model-{now():%Y%m%dT%H%M%S}-{digest[:12]}.joblib"
        target.write_bytes(blob)
        path = str(target)
    settings_record = s.model_dump(mode="json")
    settings_record["protected_features"] = card["protected_features"]
    settings_record["youth_age_limit"] = youth_age_limit
    settings_record["library_versions"] = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}
    run = RiskModelRun(
        created_at=now(),
        created_by=created_by,
        cutoff=cutoff,
        data_until=data_until,
        settings=settings_record,
        metrics=card,
        n_train=n_train,
        n_test=n_test,
        model_blob=None if path else blob,
        model_path=path,
        model_sha256=digest,
        active=bool(horizons),
    )
    if horizons:
        for older in session.scalars(select(RiskModelRun).where(RiskModelRun.active.is_(True))):
            older.active = False
    session.add(run)
    session.flush()
    return run


# ------------------------------------------------------------------------------------------ scoring


class ReviewError(CaseworkError, ValueError):
    """A worker's review of an estimate that cannot be recorded as given."""


class ModelUnavailableError(CaseworkError, LookupError):
    def __str__(self) -> str:
        return str(self.args[0])


def active_run(session: Session) -> RiskModelRun | None:
    return session.scalar(
        select(RiskModelRun).where(RiskModelRun.active.is_(True)).order_by(RiskModelRun.id.desc()).limit(1)
    )


def latest_run(session: Session) -> RiskModelRun | None:
    return session.scalar(select(RiskModelRun).order_by(RiskModelRun.id.desc()).limit(1))


_MODELS: dict[tuple[int, str], TrainedModel] = {}


def load_model(run: RiskModelRun) -> TrainedModel:
    """The run's model, after checking that its bytes still have the recorded SHA-256."""
    key = (run.id, run.model_sha256)
    if key in _MODELS:
        return _MODELS[key]
    blob = run.model_blob if run.model_blob is not None else Path(run.model_path or "").read_bytes()
    if hashlib.sha256(blob).hexdigest() != run.model_sha256:
        raise ModelUnavailableError(
            "the model of run %(run)s does not match its recorded checksum", run=run.id
        )
    model: TrainedModel = joblib.load(io.BytesIO(blob))
    _MODELS[key] = model
    return model


def _reasons(hm: HorizonModel, values: dict[str, Any], top: int = 3) -> list[dict[str, Any]]:
    parts = hm.contributions(values)
    up = [(f, c) for f, c in parts if c > 0][:top]
    down = [(f, c) for f, c in parts if c < 0][:top]
    return [
        {
            "feature": f,
            "label": FEATURE_BY_NAME[f].label,
            "value": _display(values[f]),
            "contribution": round(c, 3),
        }
        for f, c in up + down
    ]


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def score_spell(
    *, session: Session, spell_id: int, on: dt.date, run: RiskModelRun | None = None
) -> RiskScore:
    """Score the spell as it stands on ``on`` (stored once per run, spell and day)."""
    run = run or active_run(session)
    if run is None:
        raise ModelUnavailableError("no trained early-identification model: run `alue model train`")
    existing = session.scalar(
        select(RiskScore).where(
            RiskScore.run_id == run.id, RiskScore.spell_id == spell_id, RiskScore.scored_on == on
        )
    )
    if existing is not None:
        return existing
    spell_row = session.get(JobseekingSpell, spell_id)
    if spell_row is None:
        raise ModelUnavailableError("no jobseeking spell with id %(id)s", id=spell_id)
    model = load_model(run)
    person = load_people(session, until=on, person_ids=[spell_row.person_id])[0]
    spell = next(s for s in person.spells if s.id == spell_id)
    values = feature_values(
        person, spell, on, youth_age_limit=model.youth_age_limit, history_years=model.history_years
    )
    risks: dict[int, float | None] = {}
    reasons: dict[str, Any] = {}
    for horizon, hm in model.horizons.items():
        if on >= add_months(spell.start, horizon):
            risks[horizon] = None  # the spell has already lasted that long
            continue
        risks[horizon] = round(float(hm.predict([values])[0]), 4)
        reasons[str(horizon)] = _reasons(hm, values)
    score = RiskScore(
        run_id=run.id,
        person_id=spell_row.person_id,
        spell_id=spell_id,
        scored_on=on,
        spell_age_days=int(values["spell_age_days"]),
        risk_3m=risks.get(3),
        risk_12m=risks.get(12),
        reasons=reasons,
        created_at=now(),
    )
    session.add(score)
    session.flush()
    return score


def review_score(
    *, session: Session, score_id: int, staff_id: int, view: WorkerView, reason: str = ""
) -> RiskScore:
    """The case worker's view of the estimate. Disagreement needs a reason (it is the worker who decides)."""
    score = session.get(RiskScore, score_id)
    if score is None:
        raise ModelUnavailableError("no risk score with id %(id)s", id=score_id)
    if view is WorkerView.DISAGREE and not reason.strip():
        raise ReviewError("say why you disagree with the estimate")
    score.worker_view = view
    score.worker_reason = reason.strip()
    score.reviewed_by_staff_id = staff_id
    score.reviewed_at = now()
    session.flush()
    return score


def record_jobseeker_view(
    *, session: Session, score_id: int, view: JobseekerView, note: str = ""
) -> RiskScore:
    score = session.get(RiskScore, score_id)
    if score is None:
        raise ModelUnavailableError("no risk score with id %(id)s", id=score_id)
    score.jobseeker_view = view
    score.jobseeker_note = note.strip()
    score.jobseeker_recorded_at = now()
    session.flush()
    return score


def latest_score(*, session: Session, spell_id: int) -> RiskScore | None:
    return session.scalar(
        select(RiskScore)
        .where(RiskScore.spell_id == spell_id)
        .order_by(RiskScore.scored_on.desc(), RiskScore.id.desc())
        .limit(1)
    )
