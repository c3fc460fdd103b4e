"""The month-by-month stock-flow walk that generates jobseekers' life courses, calibrated to the targets.

State: every open jobseeking spell (työnhakujakso) has a current status. Each month, between the
previous count day and this one:

1. every open spell may change status or end, by competing monthly hazards that depend on the status,
   the person (:mod:`alue.demo.truth`), the unemployment duration and the services taken; services end
   on their scheduled day; some people move to another municipality;
2. the generator counts who would be unemployed (``unemployed`` or ``laid_off_full``) on the count day
   in each municipality of residence; where that is **more** than the official figure it draws extra
   exits, with probability proportional to each person's exit hazards;
3. where it is **less**, it registers just enough new spells (re-registrations of earlier customers and
   new people) to hit the figure exactly; spells in statuses that are not counted (employed jobseekers,
   part-time workers, students), and short spells that end between two count days, are added on top.

Everything is NumPy arrays (:class:`alue.demo.columns.Columns`); the tables are written in bulk later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alue.demo import params, truth
from alue.demo.columns import (
    NO_DAY,
    Columns,
    IntArray,
    build_csr,
    choice_rows,
    rank_in_group,
    sample_csr,
    uniform_day,
    weighted_pick_per_group,
)
from alue.demo.occupations import OccupationModel
from alue.demo.population import FOREIGN_FROM, GROUP_BITS, MunicipalityFacts, age_score, draw_people
from alue.people.models import SpellEndReason, Status

STATUSES = list(Status)
U, L, SW, SV, EM, PT, OL = (
    STATUSES.index(s)
    for s in (
        Status.UNEMPLOYED,
        Status.LAID_OFF_FULL,
        Status.SHORTENED_WEEK,
        Status.IN_SERVICE,
        Status.EMPLOYED,
        Status.PART_TIME,
        Status.OUTSIDE_LABOUR_FORCE,
    )
)
STATUS_INDEX = {s.value: i for i, s in enumerate(STATUSES)}

OUTCOMES = [
    "stay",
    "exit_job",
    "exit_entrepreneur",
    "exit_education",
    "exit_outside",
    "exit_away",
    "exit_not_renewed",
    "to_unemployed",
    "to_part_time",
    "to_service",
    "to_employed",
    "to_outside",
    "to_laid_off_full",
    "to_shortened_week",
]
K = len(OUTCOMES)
(
    STAY,
    EXIT_JOB,
    EXIT_ENTRE,
    EXIT_EDU,
    EXIT_OUTSIDE,
    EXIT_AWAY,
    EXIT_NOTRENEW,
    TO_UNEMP,
    TO_PART,
    TO_SERVICE,
    TO_EMPLOYED,
    TO_OUTSIDE,
    TO_LAID,
    TO_SHORT,
) = range(K)
SERVICE_END = K  # scheduled end of a service (resolved into one of the above or SERVICE_NEXT)
SERVICE_NEXT = K + 1  # a new service starts at once (service to service)
NOT_COUNTING = (TO_PART, TO_SERVICE, TO_EMPLOYED, TO_OUTSIDE, TO_SHORT)

REASONS = list(SpellEndReason)
REASON_OF_EXIT = {
    EXIT_JOB: REASONS.index(SpellEndReason.EMPLOYED_OPEN_MARKET),
    EXIT_ENTRE: REASONS.index(SpellEndReason.ENTREPRENEUR),
    EXIT_EDU: REASONS.index(SpellEndReason.EDUCATION),
    EXIT_OUTSIDE: REASONS.index(SpellEndReason.OUTSIDE_LABOUR_FORCE),
    EXIT_AWAY: REASONS.index(SpellEndReason.MOVED_AWAY),
    EXIT_NOTRENEW: REASONS.index(SpellEndReason.NOT_RENEWED),
}
REASON_SUBSIDISED = REASONS.index(SpellEndReason.EMPLOYED_SUBSIDISED)
STATUS_AFTER = {
    TO_UNEMP: U,
    TO_PART: PT,
    TO_SERVICE: SV,
    TO_EMPLOYED: EM,
    TO_OUTSIDE: OL,
    TO_LAID: L,
    TO_SHORT: SW,
}

#: employment kinds (index into EmploymentKind order used by the writer)
KIND_OPEN, KIND_SUBSIDISED, KIND_APPRENTICESHIP, KIND_SELF = range(4)
#: working time (index into WorkingTime order: full_time, part_time, any)
WT_FULL, WT_PART, WT_ANY = range(3)
#: participation outcome (ongoing, completed, interrupted)
P_ONGOING, P_COMPLETED, P_INTERRUPTED = range(3)

DAYS_PER_MONTH = 30.44
SERVICES = truth.SERVICES
SERVICE_INDEX = {s.code: i for i, s in enumerate(SERVICES)}
REFERRABLE = np.array([i for i, s in enumerate(SERVICES) if not s.ends_spell])
STARTUP = SERVICE_INDEX["STARTTIRAHA"]
WAGE_SUBSIDY = SERVICE_INDEX["PALKKATUKI"]
EFFECT = np.array([s.effect for s in SERVICES])
SELECTION_FEATURES = [
    "base",
    "education_vocational",
    "education_basic",
    "education_tertiary",
    "education_general_upper_secondary",
    "age_25_49",
    "age_under_30",
    "age_50_plus",
    "male",
    "female",
    "foreign_language",
    "long_term",
    "short_spell",
    "weak",
    "partial_work_ability",
    "substance_mental_health",
    "life_management",
]
SELECTION = np.array([[SERVICES[s].selection.get(f, 0.0) for s in REFERRABLE] for f in SELECTION_FEATURES])
#: share of wage-subsidised jobs where the person leaves the register while working (spell ends)
SUBSIDISED_DEREGISTER_SHARE = 0.3


def _base_hazards() -> np.ndarray:
    base = np.zeros((len(STATUSES), K))
    for status, outcomes in params.HAZARDS.items():
        for name, value in outcomes.items():
            base[STATUS_INDEX[status], OUTCOMES.index(name)] = value
    return base


BASE = _base_hazards()


def _step_factor(table: tuple[tuple[float, float], ...], x: np.ndarray) -> np.ndarray:
    bounds = np.array([b for b, _ in table])
    values = np.array([v for _, v in table])
    return values[np.searchsorted(bounds, x, side="right") - 1]


@dataclass
class Employers:
    """Employer customers as arrays (generated before the walk; firms founded by jobseekers are appended)."""

    table: Columns
    industries: list[str]
    #: hiring CSR keyed by municipality × industry, and by municipality alone
    by_key: tuple[IntArray, IntArray, np.ndarray] = field(init=False)
    by_muni: tuple[IntArray, IntArray, np.ndarray] = field(init=False)

    def index(self, n_munis: int) -> None:
        t = self.table
        weights = np.array([params.SIZE_CLASSES[s][1] for s in params.SIZE_CLASSES])[t["size"]]
        key = t["muni"] * len(self.industries) + t["industry"]
        self.by_key = build_csr(key, weights, n_munis * len(self.industries))
        self.by_muni = build_csr(t["muni"].astype(np.int64), weights, n_munis)


class World:
    """The generator's state and the monthly step."""

    def __init__(
        self,
        *,
        rng: np.random.Generator,
        facts: MunicipalityFacts,
        occ: OccupationModel,
        employers: Employers,
        distances: np.ndarray,
        labour_force: np.ndarray,
        outside_codes: list[str],
    ) -> None:
        self.rng = rng
        self.facts = facts
        self.occ = occ
        self.employers = employers
        self.n_munis = len(facts.codes)
        self.codes = list(facts.codes)
        #: residence municipalities: the municipalities in scope, then destinations outside the scope
        self.all_codes = self.codes + [c for c in outside_codes if c not in self.codes]
        self.distances = distances
        self.P = Columns(
            "person",
            {
                "birth": np.int32,
                "female": np.bool_,
                "tongue": np.int16,
                "edu": np.int8,
                "groups": np.int16,
                "licence": np.bool_,
                "reach": np.int16,
                "wtpref": np.int8,
                "frailty": np.float32,
                "muni": np.int32,
                "isco": np.int32,
                "occ": np.int32,
                "static": np.float32,
                "spell": np.int32,
                "avail": np.int32,
                "retw": np.float32,
                "post_svc": np.int16,
                "post_end": np.int32,
                "ee_last": np.int32,
                "res": np.int32,
                "first_reg": np.int32,
                "moved_out": np.bool_,
            },
            capacity=1 << 16,
        )
        self.S = Columns(
            "spell",
            {
                "person": np.int32,
                "start": np.int32,
                "end": np.int32,
                "muni": np.int32,
                "reason": np.int8,
                "status": np.int8,
                "status_start": np.int32,
                "unemp_since": np.int32,
                "part": np.int32,
                "ee": np.int32,
            },
            capacity=1 << 16,
        )
        self.SP = Columns(
            "status_period",
            {
                "spell": np.int32,
                "person": np.int32,
                "status": np.int8,
                "start": np.int32,
                "end": np.int32,
            },
            capacity=1 << 17,
        )
        self.PA = Columns(
            "participation",
            {
                "person": np.int32,
                "service": np.int16,
                "spell": np.int32,
                "referred": np.int32,
                "start": np.int32,
                "end": np.int32,
                "outcome": np.int8,
                "cost": np.float64,
                "employer": np.int32,
                "ee": np.int32,
            },
            capacity=1 << 15,
        )
        self.EE = Columns(
            "employment",
            {
                "person": np.int32,
                "employer": np.int32,
                "isco": np.int32,
                "occ": np.int32,
                "kind": np.int8,
                "wt": np.int8,
                "muni": np.int32,
                "start": np.int32,
                "end": np.int32,
                "match": np.bool_,
                "fixed": np.bool_,
            },
            capacity=1 << 16,
        )
        self.R = Columns(
            "residence",
            {"person": np.int32, "muni": np.int32, "start": np.int32, "end": np.int32},
            capacity=1 << 16,
        )
        self.act: IntArray = np.empty(0, dtype=np.int64)
        #: per month: generated unemployed count per municipality (for the build's own tally)
        self.tally: list[np.ndarray] = []
        #: calibration misses: (month index, municipality index, generated − target)
        self.misses: list[tuple[int, int, int]] = []

        lf = np.asarray(labour_force, dtype=float)
        near = (distances > 0) & (distances <= 80)
        rows, cols = np.nonzero(near)
        w = lf[cols] * np.exp(-distances[rows, cols] / 25.0)
        off, order, cum = build_csr(rows.astype(np.int64), w, self.n_munis)
        self.neighbours = (off, cols[order].astype(np.int64), cum)
        ind = {letter: i for i, letter in enumerate(employers.industries)}
        lists = []
        for g in occ.groups:
            letters = params.ISCO2_INDUSTRIES.get(g[:2]) or params.ISCO2_INDUSTRIES.get(g[:1], "G")
            lists.append([ind[c] for c in letters if c in ind] or [ind["G"]])
        self.ind_len = np.array([len(x) for x in lists], dtype=np.int64)
        self.ind_off = np.r_[0, np.cumsum(self.ind_len)[:-1]].astype(np.int64)
        self.ind_members = np.array([i for x in lists for i in x], dtype=np.int64)

    def industry_of(self, groups: IntArray) -> IntArray:
        """A TOL industry section (index) where jobs of each ISCO group are found."""
        pick = np.floor(self.rng.random(len(groups)) * self.ind_len[groups]).astype(np.int64)
        return self.ind_members[self.ind_off[groups] + pick]

    # ------------------------------------------------------------------------------------ people

    def _add_people(self, munis: IntArray, on_day: IntArray) -> IntArray:
        rng = self.rng
        drawn = draw_people(rng, self.occ, self.facts, munis, on_day, max_age=params.MAX_ENTRY_AGE)
        return self._append_people(drawn, on_day)

    def _append_people(self, drawn: dict[str, np.ndarray], on_day: IntArray) -> IntArray:
        rng = self.rng
        n = len(on_day)
        idx = self.P.add(
            n,
            birth=drawn["birth"],
            female=drawn["female"],
            tongue=drawn["tongue"],
            edu=drawn["edu"],
            groups=drawn["groups"],
            licence=drawn["licence"],
            reach=drawn["reach"],
            wtpref=drawn["wtpref"],
            frailty=drawn["frailty"],
            muni=drawn["muni"],
            isco=drawn["isco"],
            occ=drawn["occ"],
            static=drawn["static_score"],
            spell=-1,
            avail=NO_DAY,
            retw=1.0,
            post_svc=-1,
            post_end=-1,
            ee_last=-1,
            first_reg=on_day,
            moved_out=False,
        )
        # residence: since some years before the first registration (never before birth)
        years_here = rng.exponential(8.0, n)
        start = np.maximum(on_day - np.floor(years_here * 365.25).astype(np.int64), drawn["birth"])
        start = np.minimum(start, on_day)
        res = self.R.add(n, person=idx, muni=drawn["muni"], start=start, end=NO_DAY)
        self.P["res"][idx] = res
        return idx

    def _age(self, persons: IntArray, on_day: np.ndarray | int) -> np.ndarray:
        return (np.asarray(on_day) - self.P["birth"][persons]) / 365.25

    def _job_hazard(self, spells: IntArray, persons: IntArray, ref_day: int) -> tuple[np.ndarray, np.ndarray]:
        """Monthly open-market job hazard without and the multiplier of the post-service effect."""
        P = self.P
        age = self._age(persons, ref_day)
        duration = (ref_day - self.S["unemp_since"][spells]) / DAYS_PER_MONTH
        lin = P["static"][persons] + age_score(age)
        h = (
            truth.BASE_JOB_HAZARD
            * np.exp(lin)
            * P["frailty"][persons]
            * _step_factor(truth.DURATION_FACTORS, np.maximum(duration, 0))
        )
        post = P["post_svc"][persons]
        active = (post >= 0) & (ref_day - P["post_end"][persons] <= truth.EFFECT_MONTHS * DAYS_PER_MONTH)
        mult = np.where(active, np.exp(EFFECT[np.maximum(post, 0)]), 1.0)
        return h, mult

    def _selection_features(self, persons: IntArray, spells: IntArray, on_day: int) -> np.ndarray:
        P = self.P
        edu = P["edu"][persons]
        age = self._age(persons, on_day)
        duration = (on_day - self.S["unemp_since"][spells]) / DAYS_PER_MONTH
        groups = P["groups"][persons]
        lin = P["static"][persons] + age_score(age)
        f = np.zeros((len(persons), len(SELECTION_FEATURES)))
        cols = {name: i for i, name in enumerate(SELECTION_FEATURES)}
        f[:, cols["base"]] = 1
        f[:, cols["education_vocational"]] = edu == 2
        f[:, cols["education_basic"]] = edu == 0
        f[:, cols["education_tertiary"]] = np.isin(edu, (4, 5, 6))
        f[:, cols["education_general_upper_secondary"]] = edu == 1
        f[:, cols["age_25_49"]] = (age >= 25) & (age < 50)
        f[:, cols["age_under_30"]] = age < 30
        f[:, cols["age_50_plus"]] = age >= 50
        f[:, cols["male"]] = ~P["female"][persons]
        f[:, cols["female"]] = P["female"][persons]
        f[:, cols["foreign_language"]] = P["tongue"][persons] >= FOREIGN_FROM
        f[:, cols["long_term"]] = duration >= 12
        f[:, cols["short_spell"]] = duration < 3
        f[:, cols["weak"]] = lin < -0.5
        for name in ("partial_work_ability", "substance_mental_health", "life_management"):
            f[:, cols[name]] = (groups & GROUP_BITS[name]) > 0
        return f

    def choose_services(self, persons: IntArray, spells: IntArray, on_day: int) -> IntArray:
        """Which service each person starts: the selection model of truth.py (observables only)."""
        scores = self._selection_features(persons, spells, on_day) @ SELECTION
        return REFERRABLE[choice_rows(self.rng, np.exp(scores))]

    # ----------------------------------------------------------------------------------- employment

    def _pick_employer(self, munis: IntArray, groups: IntArray) -> IntArray:
        rng = self.rng
        n_ind = len(self.employers.industries)
        industry = self.industry_of(groups)
        off, members, cum = self.employers.by_key
        pick = sample_csr(rng, off, cum, munis * n_ind + industry)
        result = np.where(pick >= 0, members[np.maximum(pick, 0)], -1)
        missing = np.flatnonzero(result < 0)
        if len(missing):
            off2, members2, cum2 = self.employers.by_muni
            pick2 = sample_csr(rng, off2, cum2, munis[missing])
            result[missing] = members2[np.maximum(pick2, 0)]
        return result

    def _job_municipality(self, persons: IntArray) -> IntArray:
        rng = self.rng
        home = self.P["muni"][persons].astype(np.int64)
        result = home.copy()
        away = (rng.random(len(persons)) > params.LOCAL_JOB_SHARE) & (self.P["reach"][persons] >= 15)
        sel = np.flatnonzero(away)
        if len(sel):
            off, members, cum = self.neighbours
            pick = sample_csr(rng, off, cum, home[sel])
            ok = pick >= 0
            result[sel[ok]] = members[pick[ok]]
        return result

    def hire(
        self,
        persons: IntArray,
        days: IntArray,
        kind: int,
        *,
        working_time: np.ndarray | None = None,
        employer: IntArray | None = None,
        match: bool = False,
        same_occupation: bool = False,
    ) -> IntArray:
        """New employment episodes starting on ``days``; returns their indices."""
        rng = self.rng
        n = len(persons)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        own = self.P["isco"][persons].astype(np.int64)
        groups = own if same_occupation else self.occ.nearby_group(rng, own, params.JOB_OCCUPATION_MIX)
        occ = np.where(groups == own, self.P["occ"][persons], self.occ.pick_occupation(rng, groups))
        if employer is None:
            munis = self._job_municipality(persons)
            employer = self._pick_employer(munis, groups)
        emp_muni = self.employers.table["muni"][employer]
        if working_time is None:
            working_time = np.where(rng.random(n) < params.PART_TIME_JOB_SHARE, WT_PART, WT_FULL)
        fixed = rng.random(n) < params.FIXED_TERM_SHARE
        length = np.ceil(params.FIXED_TERM_MEDIAN_MONTHS * DAYS_PER_MONTH * np.exp(rng.normal(0, 0.7, n)))
        end = np.where(fixed, days + np.maximum(length, 14).astype(np.int64), NO_DAY)
        if kind == KIND_SELF:
            fixed[:] = False
            end[:] = NO_DAY
        is_match = (rng.random(n) < params.VACANCY_MATCH_SHARE) if match else np.zeros(n, dtype=bool)
        ee = self.EE.add(
            n,
            person=persons,
            employer=employer,
            isco=groups,
            occ=occ,
            kind=kind,
            wt=working_time,
            muni=emp_muni,
            start=days,
            end=end,
            match=is_match,
            fixed=fixed,
        )
        return ee

    def _layoff_job(self, persons: IntArray, start_days: IntArray) -> IntArray:
        """The job someone is laid off from: an employment that began years before the layoff."""
        rng = self.rng
        began = start_days - rng.integers(180, 3650, len(persons))
        began = np.maximum(began, self.P["birth"][persons] + 16 * 365)
        began = np.minimum(began, start_days - 1)
        ee = self.hire(
            persons, began, KIND_OPEN, working_time=np.full(len(persons), WT_FULL), same_occupation=True
        )
        self.EE["end"][ee] = NO_DAY
        self.EE["fixed"][ee] = False
        return ee

    def _end_job(self, ee: IntArray, last_day: IntArray) -> None:
        ok = ee >= 0
        ee, last_day = ee[ok], last_day[ok]
        if len(ee):
            current = self.EE["end"][ee]
            new_end = np.maximum(np.minimum(current, last_day), self.EE["start"][ee])
            self.EE["end"][ee] = new_end

    # -------------------------------------------------------------------------------------- services

    def _start_services(self, spells: IntArray, x: IntArray, services: IntArray) -> IntArray:
        """Participations starting on ``x`` (duration, interruption and cost drawn now)."""
        rng = self.rng
        n = len(spells)
        persons = self.S["person"][spells]
        dur = np.array([s.duration_days for s in SERVICES])[services]
        planned = np.maximum(np.rint(dur * np.exp(rng.normal(0, 0.25, n))), 20).astype(np.int64)
        interrupted = rng.random(n) < np.array([s.interruption_rate for s in SERVICES])[services]
        actual = np.where(interrupted, np.maximum(np.rint(planned * rng.uniform(0.15, 0.85, n)), 5), planned)
        end = x + actual.astype(np.int64) - 1
        unit = np.array([s.unit_cost for s in SERVICES])[services]
        purchased = np.array([s.production == "purchased" for s in SERVICES])[services]
        cost = unit * np.where(purchased, rng.uniform(0.9, 1.1, n), 1.0)
        cost = np.where(interrupted, cost * np.maximum(actual / planned, 0.3), cost)
        referred = np.maximum(x - rng.integers(3, 35, n), self.S["start"][spells])
        referred = np.minimum(referred, x)
        pa = self.PA.add(
            n,
            person=persons,
            service=services,
            spell=spells,
            referred=referred,
            start=x,
            end=end,
            outcome=np.where(interrupted, P_INTERRUPTED, P_COMPLETED),
            cost=np.round(cost, 2),
            employer=-1,
            ee=-1,
        )
        wage = np.flatnonzero(services == WAGE_SUBSIDY)
        if len(wage):
            ee = self.hire(persons[wage], x[wage], KIND_SUBSIDISED, same_occupation=True)
            self.EE["end"][ee] = end[wage]
            self.EE["fixed"][ee] = True
            self.PA["employer"][pa[wage]] = self.EE["employer"][ee]
            self.PA["ee"][pa[wage]] = ee
        return pa

    def _set_service_end(self, pa: IntArray, end: IntArray) -> None:
        """Move the end of participations (and of the subsidised job that goes with a wage subsidy)."""
        self.PA["end"][pa] = end
        ee = self.PA["ee"][pa]
        ok = ee >= 0
        self.EE["end"][ee[ok]] = end[ok]

    # ------------------------------------------------------------------------------------- the walk

    def initialise(self, d0: int, d_before: int, target: np.ndarray, month: int) -> None:
        """The stock on the first count day: exactly ``target`` unemployed per municipality, plus others."""
        rng = self.rng
        M = self.n_munis
        # candidates: inflow-like people; the stock over-represents those with low exit hazards
        n_cand = np.maximum(3 * target, 5)
        munis = np.repeat(np.arange(M), n_cand)
        drawn = draw_people(rng, self.occ, self.facts, munis, np.full(len(munis), d0), max_age=64.5)
        lin = drawn["static_score"] + age_score((d0 - drawn["birth"]) / 365.25)
        h = truth.BASE_JOB_HAZARD * np.exp(lin) * drawn["frailty"] + 0.03
        chosen = weighted_pick_per_group(rng, munis, 1.0 / h, target)
        rest = np.setdiff1d(np.arange(len(munis)), chosen)
        laid = rng.random(len(chosen)) < params.LAID_OFF_SHARE[month % 12] * 0.6
        elapsed_months = rng.exponential(1.0 / (h[chosen] * 1.2 + 0.02))
        elapsed_months = np.where(laid, rng.exponential(1.5, len(chosen)), elapsed_months)
        elapsed = np.clip(np.rint(elapsed_months * DAYS_PER_MONTH), 1, 10 * 365).astype(np.int64)
        min_start = drawn["birth"][chosen] + int(17 * 365.25)
        start = np.maximum(d0 - elapsed, np.minimum(min_start, d0 - 1))
        self._initial_spells(drawn, chosen, start, np.where(laid, L, U), d0)

        # the other statuses, from the people not chosen
        rng.shuffle(rest)
        pos = 0
        for status_name, share in params.INITIAL_OTHER.items():
            status = STATUS_INDEX[status_name]
            quota = np.rint(target * share).astype(np.int64)
            pool = rest[pos:]
            pick = weighted_pick_per_group(rng, munis[pool], np.ones(len(pool)), quota)
            sel = pool[pick]
            pos_mask = np.ones(len(pool), dtype=bool)
            pos_mask[pick] = False
            rest = np.r_[rest[:pos], pool[pos_mask]]
            months = {"in_service": 9.0, "employed": 4.0, "part_time": 6.0}.get(status_name, 3.0)
            el = np.clip(np.rint(rng.exponential(months, len(sel)) * DAYS_PER_MONTH), 20, 6 * 365).astype(
                np.int64
            )
            min_start = drawn["birth"][sel] + int(17 * 365.25)
            st_start = np.maximum(d0 - el, np.minimum(min_start, d0 - 1))
            self._initial_spells(drawn, sel, st_start, np.full(len(sel), status), d0)
        self._record(d0, target, 0)
        del d_before

    def _initial_spells(
        self, drawn: dict[str, np.ndarray], rows: IntArray, start: IntArray, status: IntArray, d0: int
    ) -> None:
        rng = self.rng
        if len(rows) == 0:
            return
        sub = {k: v[rows] for k, v in drawn.items()}
        persons = self._append_people(sub, start)
        n = len(persons)
        spells = self.S.add(
            n,
            person=persons,
            start=start,
            end=NO_DAY,
            muni=sub["muni"],
            reason=-1,
            status=status,
            status_start=start,
            unemp_since=start,
            part=-1,
            ee=-1,
        )
        self.P["spell"][persons] = spells
        # jobs of the employed, part-time and laid-off
        for st, kind_wt in ((EM, WT_FULL), (PT, WT_PART)):
            sel = np.flatnonzero(status == st)
            if len(sel):
                began = np.minimum(start[sel] - rng.integers(0, 400, len(sel)), start[sel])
                began = np.maximum(began, self.P["birth"][persons[sel]] + 16 * 365)
                ee = self.hire(persons[sel], began, KIND_OPEN, working_time=np.full(len(sel), kind_wt))
                self.EE["end"][ee] = NO_DAY
                self.S["ee"][spells[sel]] = ee
        sel = np.flatnonzero((status == L) | (status == SW))
        if len(sel):
            self.S["ee"][spells[sel]] = self._layoff_job(persons[sel], start[sel])
        # services in progress: an unemployed period, then the service that is still running on day d0
        sel = np.flatnonzero(status == SV)
        if len(sel):
            sp = spells[sel]
            services = self.choose_services(persons[sel], sp, d0)
            dur = np.array([s.duration_days for s in SERVICES])[services]
            svc_start = d0 - np.floor(rng.random(len(sel)) * np.minimum(dur, d0 - start[sel])).astype(
                np.int64
            )
            svc_start = np.clip(svc_start, start[sel], d0)
            had_unemployment = svc_start > start[sel]
            u = np.flatnonzero(had_unemployment)
            self.SP.add(
                len(u),
                spell=sp[u],
                person=persons[sel][u],
                status=U,
                start=start[sel][u],
                end=svc_start[u] - 1,
            )
            self.S["status_start"][sp] = svc_start
            pa = self._start_services(sp, svc_start, services)
            # it must still run on the count day
            self._set_service_end(pa, np.maximum(self.PA["end"][pa], d0 + rng.integers(1, 60, len(pa))))
            self.S["part"][sp] = pa
        self.act = np.r_[self.act, spells]

    def step(
        self, month: int, t: int, d_prev: int, d_now: int, target: np.ndarray, scale: float = 1.0
    ) -> None:
        """One month (or the part of a month up to today when ``scale`` < 1)."""
        rng = self.rng
        S, P = self.S, self.P
        act = self._compact()
        n = len(act)
        st = S["status"][act].astype(np.int64)
        pers = S["person"][act].astype(np.int64)
        age = self._age(pers, d_now)
        h_job, post_mult = self._job_hazard(act, pers, d_prev)

        H = BASE[st] * scale
        unemployed = st == U
        job = h_job * post_mult * scale
        H[unemployed, EXIT_JOB] = job[unemployed] * (1 - params.EMPLOYED_JOBSEEKER_SHARE)
        H[unemployed, TO_EMPLOYED] = job[unemployed] * params.EMPLOYED_JOBSEEKER_SHARE
        duration = (d_prev - S["unemp_since"][act]) / DAYS_PER_MONTH
        H[unemployed, TO_SERVICE] *= _step_factor(
            params.SERVICE_TAKEUP_BY_DURATION, np.maximum(duration[unemployed], 0)
        )
        # churn between part-time work, dropping out and unemployment varies with the person too
        activity = np.sqrt(P["frailty"][pers])
        for o in (TO_PART, EXIT_NOTRENEW, EXIT_EDU):
            H[unemployed, o] *= activity[unemployed]
        H[:, EXIT_OUTSIDE] *= _step_factor(params.OUTSIDE_BY_AGE, age)
        H[:, EXIT_EDU] *= _step_factor(params.EDUCATION_BY_AGE, age)
        # the young with weak employability move to services sooner (R-D7), the old almost never
        H[:, TO_SERVICE] *= np.where(age >= 60, 0.4, 1.0)

        part = S["part"][act]
        in_service = st == SV
        svc_end = np.where(in_service, self.PA["end"][np.maximum(part, 0)], NO_DAY)
        ending = in_service & (svc_end < d_now)
        H[ending] = 0.0

        total = H.sum(axis=1)
        event = rng.random(n) < 1 - np.exp(-total)
        outcome = np.zeros(n, dtype=np.int64)
        ev = np.flatnonzero(event)
        if len(ev):
            outcome[ev] = choice_rows(rng, H[ev])
        outcome[ending] = SERVICE_END
        retire = age >= params.RETIREMENT_AGE
        outcome[retire] = EXIT_OUTSIDE
        lo = np.maximum(d_prev, S["status_start"][act])
        x = uniform_day(rng, lo, d_now)
        x[ending & ~retire] = svc_end[ending & ~retire] + 1

        # scheduled service ends: direct job, a next service, or back to unemployment
        se = np.flatnonzero(outcome == SERVICE_END)
        if len(se):
            pa = part[se]
            completed = self.PA["outcome"][pa] == P_COMPLETED
            svc = self.PA["service"][pa]
            mult = np.where(completed, np.exp(EFFECT[svc]), 1.0)
            p_direct = 1 - np.exp(-params.DIRECT_EXIT_MONTHS * h_job[se] * mult)
            u = rng.random(len(se))
            outcome[se] = np.where(
                u < p_direct,
                EXIT_JOB,
                np.where(u < p_direct + params.SERVICE_TO_SERVICE, SERVICE_NEXT, TO_UNEMP),
            )
            self._service_ended(pa, completed)

        # moves between municipalities in scope (residence changes; the status is unchanged)
        movers = np.flatnonzero(rng.random(n) < params.MOVE_RATE * scale)
        if len(movers):
            off, members, cum = self.neighbours
            pick = sample_csr(rng, off, cum, P["muni"][pers[movers]].astype(np.int64))
            ok = pick >= 0
            movers = movers[ok]
            self._move(pers[movers], members[pick[ok]], uniform_day(rng, np.full(len(movers), d_prev), d_now))

        # calibration: too many unemployed survivors → extra exits in proportion to the hazards
        new_status = st.copy()
        for o, s_after in STATUS_AFTER.items():
            new_status[outcome == o] = s_after
        new_status[(outcome >= EXIT_JOB) & (outcome <= EXIT_NOTRENEW)] = -1
        new_status[outcome == SERVICE_NEXT] = SV
        counted = (new_status == U) | (new_status == L)
        muni_now = P["muni"][pers].astype(np.int64)
        counts = np.bincount(muni_now[counted], minlength=self.n_munis)
        excess = np.maximum(counts - target, 0)
        if excess.any():
            # survivors, and those about to return to unemployment this month
            movable = (outcome == STAY) | (outcome == TO_UNEMP) | (outcome == TO_LAID)
            cand = np.flatnonzero(counted & movable & (S["status_start"][act] < d_now))
            Hx = H[cand].copy()
            Hx[:, [STAY, TO_UNEMP, TO_LAID]] = 0.0
            weight = Hx.sum(axis=1)
            chosen_local = weighted_pick_per_group(rng, muni_now[cand], weight, excess)
            chosen = cand[chosen_local]
            rows = Hx[chosen_local]
            empty = rows.sum(axis=1) <= 0
            rows[empty, EXIT_JOB] = 1.0
            outcome[chosen] = choice_rows(rng, rows)
            # a service that ended on schedule keeps its end: the person leaves the day after it
            redraw = chosen[~ending[chosen]]
            x[redraw] = uniform_day(rng, lo[redraw], d_now)

        self._apply(act, outcome, x, d_now)

        # inflow: just enough new unemployed to reach the target, plus registrations the count does not see
        deficit = np.maximum(target - self._count(d_now), 0)
        extra = rng.poisson(params.NONCOUNTED_INFLOW * target * scale)
        short = rng.poisson(params.SHORT_SPELL_INFLOW * target * scale) if d_now - d_prev >= 3 else 0 * extra
        self._inflow((deficit, extra, short), d_prev, d_now, month)
        self._record(d_now, target, t)

    def _record(self, d_now: int, target: np.ndarray, t: int) -> None:
        counts = self._count(d_now)
        self.tally.append(counts)
        for m in np.flatnonzero(counts != target):
            self.misses.append((t, int(m), int(counts[m] - target[m])))

    def _compact(self) -> IntArray:
        """Drop ended spells from the active list."""
        self.act = self.act[self.S["end"][self.act] == NO_DAY]
        return self.act

    def _count(self, on_day: int) -> np.ndarray:
        S = self.S
        act = self._compact()
        st = S["status"][act]
        ok = ((st == U) | (st == L)) & (S["status_start"][act] <= on_day)
        munis = self.P["muni"][S["person"][act[ok]]].astype(np.int64)
        return np.bincount(munis, minlength=self.n_munis)

    def _service_ended(self, pa: IntArray, completed: np.ndarray) -> None:
        persons = self.PA["person"][pa]
        done = pa[completed]
        self.P["post_svc"][persons[completed]] = self.PA["service"][done]
        self.P["post_end"][persons[completed]] = self.PA["end"][done]

    def _move(self, persons: IntArray, new_muni: IntArray, days: IntArray) -> None:
        P, R = self.P, self.R
        res = P["res"][persons]
        ok = (R["start"][res] < days) & (R["muni"][res] != new_muni)
        persons, new_muni, days, res = persons[ok], new_muni[ok], days[ok], res[ok]
        if len(persons) == 0:
            return
        R["end"][res] = days - 1
        new = R.add(len(persons), person=persons, muni=new_muni, start=days, end=NO_DAY)
        P["res"][persons] = new
        in_scope = new_muni < self.n_munis
        P["muni"][persons[in_scope]] = new_muni[in_scope]
        P["moved_out"][persons[~in_scope]] = True

    def _close_periods(self, spells: IntArray, last_day: IntArray) -> None:
        S = self.S
        self.SP.add(
            len(spells),
            spell=spells,
            person=S["person"][spells],
            status=S["status"][spells],
            start=S["status_start"][spells],
            end=last_day,
        )

    def _apply(self, act: IntArray, outcome: IntArray, x: IntArray, d_now: int) -> None:
        S = self.S
        changing = outcome != STAY
        idx = np.flatnonzero(changing & (outcome != SERVICE_NEXT))
        spells = act[idx]
        out = outcome[idx]
        xx = x[idx]
        prev = S["status"][spells].astype(np.int64)
        persons = S["person"][spells].astype(np.int64)

        # interruptions of a running service (job or dropping out); scheduled ends were handled before
        in_svc = prev == SV
        running = in_svc & (self.PA["end"][np.maximum(S["part"][spells], 0)] >= xx)
        if running.any():
            pa = S["part"][spells[running]]
            self._set_service_end(pa, xx[running] - 1)
            self.PA["outcome"][pa] = P_INTERRUPTED

        self._close_periods(spells, xx - 1)

        # ---- exits
        exits = (out >= EXIT_JOB) & (out <= EXIT_NOTRENEW)
        ex = np.flatnonzero(exits)
        if len(ex):
            self._exit(spells[ex], persons[ex], out[ex], xx[ex], prev[ex])

        # ---- status changes
        ch = np.flatnonzero(~exits)
        if len(ch):
            sp, pe, oc, xc, pv = spells[ch], persons[ch], out[ch], xx[ch], prev[ch]
            new_status = np.array([STATUS_AFTER[o] for o in oc], dtype=np.int64)
            # back to unemployment: a job still attached to the spell ends
            ends_job = (new_status == U) & (S["ee"][sp] >= 0)
            if ends_job.any():
                self._end_job(S["ee"][sp[ends_job]], xc[ends_job] - 1)
                S["ee"][sp[ends_job]] = -1
            S["status"][sp] = new_status
            S["status_start"][sp] = xc
            back = new_status == U
            S["unemp_since"][sp[back]] = xc[back]
            for st, wt in ((PT, WT_PART), (EM, WT_FULL)):
                sel = np.flatnonzero((new_status == st) & ~np.isin(pv, (EM, PT)))
                if len(sel):
                    wts = np.full(len(sel), wt) if st == PT else None
                    S["ee"][sp[sel]] = self.hire(
                        pe[sel], xc[sel], KIND_OPEN, working_time=wts, match=st == EM
                    )
            svc = np.flatnonzero(new_status == SV)
            if len(svc):
                self._to_service(sp[svc], pe[svc], xc[svc], d_now)

        # ---- service to service: the status stays in_service, a new participation begins
        nxt = np.flatnonzero(outcome == SERVICE_NEXT)
        if len(nxt):
            sp = act[nxt]
            start = x[nxt]
            services = self.choose_services(S["person"][sp].astype(np.int64), sp, int(start.min()))
            pa = self._start_services(sp, start, services)
            self._set_service_end(pa, np.maximum(self.PA["end"][pa], d_now))
            S["part"][sp] = pa

    def _to_service(self, spells: IntArray, persons: IntArray, x: IntArray, d_now: int) -> None:
        rng = self.rng
        S = self.S
        services = self.choose_services(persons, spells, d_now)
        # some wage-subsidised workers leave the register while they work (the spell ends)
        dereg = (services == WAGE_SUBSIDY) & (rng.random(len(spells)) < SUBSIDISED_DEREGISTER_SHARE)
        pa = self._start_services(spells, x, services)
        S["part"][spells] = pa
        if dereg.any():
            d = np.flatnonzero(dereg)
            # the in_service status began on x; undo it: the spell ends the day before the job
            sp = spells[d]
            self._finish_spells(sp, persons[d], x[d], np.full(len(d), REASON_SUBSIDISED))
            self.P["avail"][persons[d]] = self.PA["end"][pa[d]] + 14
            self.P["retw"][persons[d]] = params.RETURN_WEIGHTS["employed_subsidised"]
        # a service that began this month runs at least to the count day (one change per month)
        stay = np.flatnonzero(~dereg)
        self._set_service_end(pa[stay], np.maximum(self.PA["end"][pa[stay]], d_now))

    def _finish_spells(self, spells: IntArray, persons: IntArray, x: IntArray, reasons: IntArray) -> None:
        S, P = self.S, self.P
        S["end"][spells] = x - 1
        S["reason"][spells] = reasons
        P["spell"][persons] = -1  # self.act is compacted lazily (see _compact)

    def _exit(self, spells: IntArray, persons: IntArray, out: IntArray, x: IntArray, prev: IntArray) -> None:
        rng = self.rng
        P = self.P
        n = len(spells)
        reasons = np.array([REASON_OF_EXIT[o] for o in out], dtype=np.int64)
        self._finish_spells(spells, persons, x, reasons)
        avail = np.full(n, NO_DAY, dtype=np.int64)
        retw = np.ones(n)

        job = np.flatnonzero(out == EXIT_JOB)
        if len(job):
            keeps = np.isin(prev[job], (EM, L, SW))  # the job they already had continues
            new = job[~keeps]
            part_time = new[prev[new] == PT]
            self._end_job(self.S["ee"][spells[part_time]], x[part_time] - 1)
            employer = None
            ee = self.hire(persons[new], x[new], KIND_OPEN, match=True, employer=employer)
            # after wage-subsidised work many stay with the same employer
            from_subsidy = (prev[new] == SV) & (
                self.PA["service"][np.maximum(self.S["part"][spells[new]], 0)] == WAGE_SUBSIDY
            )
            same = np.flatnonzero(from_subsidy & (rng.random(len(new)) < 0.7))
            if len(same):
                emp = self.PA["employer"][self.S["part"][spells[new[same]]]]
                ok = emp >= 0
                self.EE["employer"][ee[same[ok]]] = emp[ok]
                self.EE["muni"][ee[same[ok]]] = self.employers.table["muni"][emp[ok]]
                self.EE["match"][ee[same[ok]]] = False
            P["ee_last"][persons[new]] = ee
            kept = job[keeps]
            P["ee_last"][persons[kept]] = self.S["ee"][spells[kept]]
            ee_all = P["ee_last"][persons[job]]
            ee_end = np.where(ee_all >= 0, self.EE["end"][np.maximum(ee_all, 0)], NO_DAY)
            permanent = ee_end == NO_DAY
            avail[job] = np.where(permanent, x[job] + 90, np.maximum(ee_end + 1, x[job] + 14))
            retw[job] = np.where(permanent, 0.25, 1.0) * params.RETURN_WEIGHTS["employed_open_market"]

        ent = np.flatnonzero(out == EXIT_ENTRE)
        if len(ent):
            self._entrepreneurs(spells[ent], persons[ent], x[ent])
            avail[ent] = x[ent] + rng.integers(180, 1500, len(ent))
            retw[ent] = params.RETURN_WEIGHTS["entrepreneur"]
        edu = np.flatnonzero(out == EXIT_EDU)
        avail[edu] = x[edu] + rng.integers(90, 900, len(edu))
        retw[edu] = params.RETURN_WEIGHTS["education"]
        outside = np.flatnonzero(out == EXIT_OUTSIDE)
        old = self._age(persons[outside], x[outside]) >= 58
        avail[outside] = np.where(old, NO_DAY, x[outside] + rng.integers(30, 720, len(outside)))
        retw[outside] = params.RETURN_WEIGHTS["outside_labour_force"]
        nr = np.flatnonzero(out == EXIT_NOTRENEW)
        avail[nr] = x[nr] + rng.integers(14, 180, len(nr))
        retw[nr] = params.RETURN_WEIGHTS["not_renewed"]
        away = np.flatnonzero(out == EXIT_AWAY)
        if len(away):
            outside_codes = len(self.all_codes) - self.n_munis
            if outside_codes > 0:
                dest = self.n_munis + rng.integers(0, outside_codes, len(away))
            else:  # national scale: a move elsewhere in the country
                dest = rng.integers(0, self.n_munis, len(away))
            self._move(persons[away], dest, x[away])
            avail[away] = NO_DAY if outside_codes > 0 else x[away] + 60
        # a laid-off person who is dismissed keeps nothing; jobs of part-timers leaving otherwise end
        other = np.flatnonzero((out != EXIT_JOB) & np.isin(prev, (PT, L, SW, EM)))
        self._end_job(self.S["ee"][spells[other]], x[other] - 1)
        P["avail"][persons] = avail
        P["retw"][persons] = retw

    def _entrepreneurs(self, spells: IntArray, persons: IntArray, x: IntArray) -> None:
        """Firms founded by jobseekers (R-A5): an employer, self-employment and usually a start-up grant."""
        rng = self.rng
        n = len(spells)
        E = self.employers.table
        industries = self.industry_of(self.P["isco"][persons].astype(np.int64))
        emp = E.add(n, muni=self.P["muni"][persons], industry=industries, size=0, founded=x, founder=persons)
        ee = self.hire(
            persons, x, KIND_SELF, employer=emp, same_occupation=True, working_time=np.full(n, WT_FULL)
        )
        self.P["ee_last"][persons] = ee
        grant = np.flatnonzero(rng.random(n) < 0.8)
        if len(grant):
            services = np.full(len(grant), STARTUP)
            pa = self._start_services(spells[grant], x[grant], services)
            self.PA["referred"][pa] = np.maximum(
                x[grant] - rng.integers(14, 45, len(grant)), self.S["start"][spells[grant]]
            )

    def _pool(self, d_prev: int, d_now: int) -> IntArray:
        P = self.P
        ok = (P["spell"] < 0) & (P["avail"] <= d_prev) & ~P["moved_out"]
        ok &= (d_now - P["birth"]) / 365.25 < params.MAX_ENTRY_AGE
        return np.flatnonzero(ok)

    def _inflow(
        self, quotas: tuple[np.ndarray, np.ndarray, np.ndarray], d_prev: int, d_now: int, month: int
    ) -> None:
        """New spells per municipality: counted unemployed, uncounted statuses, short spells.

        Re-registrations of earlier customers come first (when available), new people fill the rest.
        """
        rng = self.rng
        P = self.P
        total = quotas[0] + quotas[1] + quotas[2]
        if total.sum() == 0:
            return
        pool = self._pool(d_prev, d_now)
        want_returners = rng.binomial(total, params.RETURNER_SHARE)
        recency = np.exp(-(d_now - P["avail"][pool]) / 720.0)
        pick = weighted_pick_per_group(
            rng, P["muni"][pool].astype(np.int64), P["retw"][pool] * recency, want_returners
        )
        returners = pool[pick]
        got = np.bincount(P["muni"][returners].astype(np.int64), minlength=self.n_munis)
        munis_new = np.repeat(np.arange(self.n_munis), total - got)
        start_new = uniform_day(rng, np.full(len(munis_new), d_prev), d_now)
        newcomers = self._add_people(munis_new, start_new)
        persons = np.r_[returners, newcomers].astype(np.int64)
        munis = P["muni"][persons].astype(np.int64)
        # split each municipality's people between the three kinds in random order
        order, rank = rank_in_group(munis, rng.random(len(persons)))
        persons, munis = persons[order], munis[order]
        kind = np.where(rank < quotas[0][munis], 0, np.where(rank < (quotas[0] + quotas[1])[munis], 1, 2))
        for k in (0, 1, 2):
            sel = persons[kind == k]
            if len(sel) == 0:
                continue
            upper = d_now - 2 if k == 2 else d_now
            start = uniform_day(rng, np.full(len(sel), d_prev), upper)
            if k == 1:
                names = [s for s, _ in params.NONCOUNTED_STATUSES]
                shares = np.array([w for _, w in params.NONCOUNTED_STATUSES])
                status = np.array([STATUS_INDEX[s] for s in names])[
                    rng.choice(len(names), size=len(sel), p=shares / shares.sum())
                ]
            else:
                status = np.where(rng.random(len(sel)) < params.LAID_OFF_SHARE[month % 12], L, U)
            spells = self._register(sel, start, status)
            if k == 2:  # short spells end before the count day
                x = uniform_day(rng, start, d_now)
                out = np.where(rng.random(len(sel)) < 0.7, EXIT_JOB, EXIT_NOTRENEW).astype(np.int64)
                self._apply(spells, out, x, d_now)

    def _register(self, persons: IntArray, start: IntArray, status: IntArray) -> IntArray:
        """Open new spells for ``persons`` on ``start`` in ``status``."""
        P, S = self.P, self.S
        n = len(persons)
        # jobs that returners still held end now, unless they come back laid off from them
        ee = P["ee_last"][persons]
        has_job = (ee >= 0) & (np.where(ee >= 0, self.EE["end"][np.maximum(ee, 0)], -1) >= start)
        layoff = (status == L) | (status == SW)
        keep_job = has_job & layoff & (self.EE["kind"][np.maximum(ee, 0)] == KIND_OPEN)
        self._end_job(np.where(has_job & ~keep_job, ee, -1), start - 1)
        spells = S.add(
            n,
            person=persons,
            start=start,
            end=NO_DAY,
            muni=P["muni"][persons],
            reason=-1,
            status=status,
            status_start=start,
            unemp_since=start,
            part=-1,
            ee=-1,
        )
        P["spell"][persons] = spells
        S["ee"][spells[keep_job]] = ee[keep_job]
        need_layoff_job = np.flatnonzero(layoff & ~keep_job)
        if len(need_layoff_job):
            S["ee"][spells[need_layoff_job]] = self._layoff_job(
                persons[need_layoff_job], start[need_layoff_job]
            )
        for st, wt in ((EM, WT_FULL), (PT, WT_PART)):
            sel = np.flatnonzero(status == st)
            if len(sel):
                S["ee"][spells[sel]] = self.hire(
                    persons[sel], start[sel], KIND_OPEN, working_time=np.full(len(sel), wt)
                )
        self.act = np.r_[self.act, spells]
        return spells

    def finish(self, final_day: int) -> None:
        """Close the books on ``final_day``: open periods stay open, nothing is dated later."""
        S = self.S
        act = self._compact()
        self.SP.add(
            len(act),
            spell=act,
            person=S["person"][act],
            status=S["status"][act],
            start=S["status_start"][act],
            end=NO_DAY,
        )
        PA = self.PA
        ongoing = PA["end"] > final_day
        PA["outcome"][ongoing] = P_ONGOING
        PA["end"][ongoing] = NO_DAY
        EE = self.EE
        EE["end"][(EE["end"] > final_day) & (EE["end"] != NO_DAY)] = NO_DAY
