"""Cost-effectiveness of services (R-D2, R-S5): what each service and provider costs and what follows.

**Descriptive figures** per service and per provider — cost, participants, completion, employed in the
open labour market 3 and 6 months after the end, € per employed, employed per 10 000 € (input/output),
the length of the participants' jobseeking spells — with Wilson intervals for shares and bootstrap
intervals for € per employed.

**Comparison with similar customers who did not take the service.** *This is not a randomised
experiment*: it compares people who completed the service with people who looked the same on what the
registers record, and anything not recorded (motivation, health not reported, networks) can still
differ. The design:

* every **completed** participation gives a *treated* person at the day after the service ends, if
  they are then unemployed (people who moved straight into a job at the end are counted separately);
* **controls** are people unemployed on that same day who took no service that ended in the previous 12
  months, in the same *cell*: municipality, age band, education, mother tongue (domestic / foreign),
  recorded customer groups, and the length of the current unemployment (0, 1, 2, 3–5, 6–11, 12–23,
  24+ months) — exact matching on coarsened characteristics, with up to ``controls_per_treated``
  controls drawn at random from the cell; the same calendar day takes care of the season and the
  local labour market;
* both are followed for ``follow_up_months`` (6) from that day, until they leave unemployment or the
  follow-up ends. **Effect** = the hazard ratio of leaving for open-market employment (treated against
  matched controls, Mantel–Haenszel over the matched sets), with a bootstrap interval over the sets;
  also the difference in the share employed in the open labour market 3 and 6 months later.

A **naive comparison** (the same treated against every unemployed person in the period, unmatched) is
shown next to it so that a reader sees how much the matching changes the picture.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.people.models import (
    CustomerGroup,
    CustomerGroupMembership,
    EducationLevel,
    EmploymentEpisode,
    EmploymentKind,
    JobseekingSpell,
    Person,
    Residence,
    SpellEndReason,
    Status,
    StatusPeriod,
)
from alue.planning.stats import bootstrap_ci, mantel_haenszel_rate_ratio, wilson
from alue.services.models import Participation, ParticipationOutcome, Partner, Service
from alue.shared.time import add_months, today

EPOCH = dt.date(1970, 1, 1)
DAYS_PER_MONTH = 365.25 / 12
METHOD_NOTE = (
    "Not a randomised estimate: people who completed the service are compared with unemployed people "
    "who looked the same in the registers on the same day (municipality, age band, education, mother "
    "tongue, customer groups, length of unemployment). Differences that the registers do not record can "
    "remain."
)
DURATION_BANDS_MONTHS = (0, 1, 2, 3, 6, 12, 24)
#: months unemployed in the two years before the current unemployment began
PRIOR_BANDS_MONTHS = (0, 1, 3, 6, 12, 18)
PRIOR_WINDOW_DAYS = 730
AGE_BANDS = (0, 25, 30, 40, 50, 60)
EDUCATION_GROUPS = {
    EducationLevel.BASIC: 0,
    EducationLevel.GENERAL_UPPER_SECONDARY: 1,
    EducationLevel.VOCATIONAL: 2,
    EducationLevel.SHORT_TERTIARY: 3,
    EducationLevel.BACHELOR: 4,
    EducationLevel.MASTER: 4,
    EducationLevel.DOCTORAL: 4,
    EducationLevel.UNKNOWN: 5,
}
#: Recorded customer groups used in the matching cell (a bit each).
MATCH_GROUPS = (
    CustomerGroup.PARTIAL_WORK_ABILITY,
    CustomerGroup.LIFE_MANAGEMENT,
    CustomerGroup.SUBSTANCE_MENTAL_HEALTH,
    CustomerGroup.NEUROPSYCHIATRIC,
    CustomerGroup.DISABILITY,
)
DOMESTIC_TONGUES = ("fi", "sv")


#: day numbers fit well below this; person index × KEY + day is a sortable key
KEY = np.int64(1 << 22)


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Interval(_Model):
    low: float
    high: float


class Effect(_Model):
    """The matched comparison of one service (or provider)."""

    treated: int  # completed participations followed from unemployment
    direct_to_work: int  # moved straight into open-market work at the end (not in ``treated``)
    matched: int  # treated with at least one control
    controls: int
    treated_events: int
    control_events: float
    hazard_ratio: float | None
    hazard_ratio_ci: Interval | None
    log_hazard_ratio: float | None
    log_hazard_ratio_ci: Interval | None
    employed_3m_difference: float | None
    employed_6m_difference: float | None
    employed_6m_difference_ci: Interval | None
    #: additional people employed at 6 months thanks to the service (difference × completers)
    additional_employed: float | None
    cost_per_additional_employed: float | None
    naive_hazard_ratio: float | None
    naive_log_hazard_ratio: float | None


class ServiceFigures(_Model):
    key: str  # service code or provider id
    name: str
    provider: str | None
    production: str | None
    participations: int
    participants: int
    total_cost: float
    mean_cost: float
    ended: int
    completed: int
    completion_rate: float | None
    completion_ci: Interval | None
    followed_3m: int
    employed_3m: int
    employed_3m_rate: float | None
    employed_3m_ci: Interval | None
    followed_6m: int
    employed_6m: int
    employed_6m_rate: float | None
    employed_6m_ci: Interval | None
    cost_per_employed_6m: float | None
    cost_per_employed_6m_ci: Interval | None
    employed_per_10k_eur: float | None
    median_spell_days: float | None
    naive_before_after_6m: float | None
    effect: Effect | None


class EffectivenessReport(_Model):
    as_of: dt.date
    window_start: dt.date
    window_end: dt.date
    follow_up_months: int
    controls_per_treated: int
    method_note: str
    services: list[ServiceFigures]
    providers: list[ServiceFigures]


# ------------------------------------------------------------------------------------------ the data


class _Data:
    """The registers as arrays (day numbers since 1970), read once."""

    def __init__(self, session: Session, as_of: dt.date) -> None:
        self.as_of = _day(as_of)
        people = session.execute(
            select(Person.id, Person.birth_date, Person.education_level, Person.mother_tongue,
                   Person.home_municipality_code)
        ).all()
        self.pid = np.array([p.id for p in people], dtype=np.int64)
        index = {p: i for i, p in enumerate(self.pid.tolist())}
        self.index = index
        self.birth = np.array([_day(p.birth_date) for p in people], dtype=np.int64)
        self.education = np.array([EDUCATION_GROUPS[EducationLevel(p.education_level)] for p in people])
        self.foreign = np.array([p.mother_tongue not in DOMESTIC_TONGUES for p in people])
        codes: dict[str, int] = {}
        self.home = np.array([codes.setdefault(p.home_municipality_code, len(codes)) for p in people])
        self.groups = np.zeros(len(people), dtype=np.int64)
        group_since: dict[tuple[int, int], int] = {}
        for m in session.execute(
            select(CustomerGroupMembership.person_id, CustomerGroupMembership.group, CustomerGroupMembership.start_date)
        ):
            g = CustomerGroup(m.group)
            if g in MATCH_GROUPS and m.person_id in index:
                bit = MATCH_GROUPS.index(g)
                key = (index[m.person_id], bit)
                group_since[key] = min(group_since.get(key, 10**9), _day(m.start_date))
        self.group_rows = np.array([(i, b, s) for (i, b), s in group_since.items()], dtype=np.int64).reshape(-1, 3)
        res = session.execute(
            select(Residence.person_id, Residence.start_date, Residence.end_date, Residence.municipality_code)
        ).all()
        self.res_person = np.array([index.get(r.person_id, -1) for r in res], dtype=np.int64)
        self.res_start = np.array([_day(r.start_date) for r in res], dtype=np.int64)
        self.res_end = np.array([_day(r.end_date) if r.end_date else 10**7 for r in res], dtype=np.int64)
        self.res_code = np.array([codes.setdefault(r.municipality_code, len(codes)) for r in res], dtype=np.int64)
        self.codes = list(codes)
        valid = self.res_person >= 0
        order = np.lexsort((self.res_start[valid], self.res_person[valid]))
        self._res_sorted_person = self.res_person[valid][order]
        self._res_keys = self._res_sorted_person * KEY + self.res_start[valid][order]
        self._res_sorted_end = self.res_end[valid][order]
        self._res_sorted_code = self.res_code[valid][order]

        spells = session.execute(
            select(JobseekingSpell.id, JobseekingSpell.person_id, JobseekingSpell.start_date,
                   JobseekingSpell.end_date, JobseekingSpell.end_reason)
        ).all()
        self.spell_end = {s.id: (_day(s.end_date) if s.end_date else None) for s in spells}
        self.spell_start = {s.id: _day(s.start_date) for s in spells}
        self.spell_reason = {s.id: s.end_reason for s in spells}
        periods = session.execute(
            select(StatusPeriod.person_id, StatusPeriod.spell_id, StatusPeriod.status, StatusPeriod.start_date,
                   StatusPeriod.end_date)
        ).all()
        self._runs(periods)
        self.employment: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for e in session.execute(
            select(EmploymentEpisode.person_id, EmploymentEpisode.kind, EmploymentEpisode.start_date,
                   EmploymentEpisode.end_date)
        ):
            if EmploymentKind(e.kind) is EmploymentKind.OPEN_MARKET and e.person_id in index:
                self.employment[index[e.person_id]].append(
                    (_day(e.start_date), _day(e.end_date) if e.end_date else 10**7)
                )

    def _runs(self, periods: Sequence[Any]) -> None:
        """Unemployment runs (unemployed or fully laid off, adjacent periods merged) and how they end."""
        rows = sorted(
            (
                (self.index[p.person_id], _day(p.start_date), _day(p.end_date) if p.end_date else None,
                 Status(p.status), p.spell_id)
                for p in periods
                if p.person_id in self.index
            ),
            key=lambda r: (r[0], r[1]),
        )
        run_person, run_start, run_end, run_job = [], [], [], []
        employed_spells: dict[int, list[int]] = defaultdict(list)
        i = 0
        while i < len(rows):
            person, start, end, status, spell = rows[i]
            if status is Status.EMPLOYED:
                employed_spells[person].append(start)
            if not status.counts_as_unemployed:
                i += 1
                continue
            j = i
            while (
                j + 1 < len(rows)
                and rows[j + 1][0] == person
                and rows[j + 1][3].counts_as_unemployed
                and rows[j][2] is not None
                and rows[j + 1][1] == rows[j][2] + 1
            ):
                j += 1
            stop = rows[j][2]
            job = False
            if stop is not None:
                nxt = rows[j + 1] if j + 1 < len(rows) and rows[j + 1][0] == person else None
                if nxt is not None and nxt[1] == stop + 1 and nxt[4] == rows[j][4]:
                    job = nxt[3] is Status.EMPLOYED
                else:
                    spell_end = self.spell_end.get(rows[j][4])
                    job = spell_end == stop and self.spell_reason.get(rows[j][4]) == SpellEndReason.EMPLOYED_OPEN_MARKET
            run_person.append(person)
            run_start.append(start)
            run_end.append(stop if stop is not None else 10**7)
            run_job.append(job)
            i = j + 1
        self.run_person = np.array(run_person, dtype=np.int64)
        self.run_start = np.array(run_start, dtype=np.int64)
        self.run_end = np.array(run_end, dtype=np.int64)
        self.run_job = np.array(run_job, dtype=bool)
        # Days unemployed in the two years before each run (runs are in person and date order): people
        # with much earlier unemployment differ from new registrants in ways the registers do not show.
        self.runs_of: dict[int, list[int]] = defaultdict(list)
        prior = np.zeros(self.run_person.size)
        for r, person in enumerate(run_person):
            start = run_start[r]
            total = 0
            for q in self.runs_of[person]:
                lo = max(run_start[q], start - PRIOR_WINDOW_DAYS)
                hi = min(run_end[q] if run_end[q] is not None else start - 1, start - 1)
                if hi >= lo:
                    total += hi - lo + 1
            prior[r] = total
            self.runs_of[person].append(r)
        self.run_prior = prior

    # ---------------------------------------------------------------- characteristics on a day
    def municipality_on(self, persons: np.ndarray, day: int) -> np.ndarray:
        """Residence on ``day`` (the row covering it that started last), else the home municipality."""
        result = self.home[persons].copy()
        if self._res_keys.size:
            keys = persons.astype(np.int64) * KEY + day
            pos = np.searchsorted(self._res_keys, keys, side="right") - 1
            ok = pos >= 0
            ok[ok] &= (self._res_sorted_person[pos[ok]] == persons[ok]) & (self._res_sorted_end[pos[ok]] >= day)
            result[ok] = self._res_sorted_code[pos[ok]]
        return result

    def groups_on(self, persons: np.ndarray, day: int) -> np.ndarray:
        bits = np.zeros(persons.size, dtype=np.int64)
        if self.group_rows.size:
            rows = self.group_rows[self.group_rows[:, 2] <= day]
            flags = np.zeros(len(self.pid), dtype=np.int64)
            np.bitwise_or.at(flags, rows[:, 0], 1 << rows[:, 1])
            bits = flags[persons]
        return bits

    def cells(self, runs: np.ndarray, day: int, *, prior: np.ndarray | None = None) -> np.ndarray:
        persons = self.run_person[runs]
        run_start = self.run_start[runs]
        prior_days = self.run_prior[runs] if prior is None else prior
        prior_band = np.searchsorted(PRIOR_BANDS_MONTHS, prior_days / DAYS_PER_MONTH, side="right")
        age = (day - self.birth[persons]) / 365.25
        age_band = np.searchsorted(AGE_BANDS, age, side="right")
        months = (day - run_start) / DAYS_PER_MONTH
        duration = np.searchsorted(DURATION_BANDS_MONTHS, months, side="right")
        muni = self.municipality_on(persons, day)
        cell = muni.astype(np.int64)
        for value, size in (
            (age_band, 8), (self.education[persons], 8), (self.foreign[persons].astype(np.int64), 2),
            (self.groups_on(persons, day), 1 << len(MATCH_GROUPS)), (duration, 8), (prior_band, 8),
        ):
            cell = cell * size + value
        return cell

    def employed_on(self, person: int, day: int) -> bool:
        return any(s <= day <= e for s, e in self.employment.get(person, ()))


# ------------------------------------------------------------------------------------------ matching


class _Unit(_Model):
    participation: int
    group: str  # service code
    provider: str | None
    person: int
    index_day: int
    cost: float


def _outcome(data: _Data, persons: np.ndarray, runs: np.ndarray, day: int, follow: int) -> tuple[np.ndarray, np.ndarray]:
    """(exposure in months, event) from ``day`` to the end of the unemployment run or the follow-up."""
    end = np.minimum(data.run_end[runs], min(day + follow, data.as_of))
    exposure = np.maximum(end - day + 1, 0) / DAYS_PER_MONTH
    event = data.run_job[runs] & (data.run_end[runs] < day + follow) & (data.run_end[runs] <= data.as_of)
    return exposure, event.astype(float)


def _employed_at(data: _Data, persons: Sequence[int], day: int) -> np.ndarray:
    return np.array([data.employed_on(p, day) for p in persons], dtype=float)


def effectiveness_report(
    *,
    session: Session,
    area: Area,
    as_of: dt.date | None = None,
    window_months: int = 60,
    follow_up_months: int = 6,
    controls_per_treated: int = 5,
    seed: int = 20240101,
    min_treated: int = 10,
) -> EffectivenessReport:
    """Figures per service and per provider, with the matched comparison (module docstring)."""
    del area  # the area's municipalities are those in the data; kept for a uniform signature
    from alue.planning.financing_report import data_end

    end = as_of or data_end(session) or today()
    rng = np.random.default_rng(seed)
    data = _Data(session, end)
    follow = int(round(follow_up_months * DAYS_PER_MONTH))
    window_end = add_months(end, -follow_up_months)
    window_start = add_months(end, -window_months)

    services = {s.id: s for s in session.scalars(select(Service))}
    partners = {p.id: p.name for p in session.scalars(select(Partner))}
    rows = session.execute(
        select(Participation.id, Participation.person_id, Participation.service_id, Participation.start_date,
               Participation.end_date, Participation.cost, Participation.outcome)
        .where(Participation.start_date <= window_end)
        .where(Participation.start_date >= window_start)
    ).all()

    # ---- descriptive figures
    by_service: dict[str, list[Any]] = defaultdict(list)
    by_provider: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        service = services[r.service_id]
        by_service[service.code].append(r)
        provider = partners.get(service.provider_id) if service.provider_id else None
        by_provider[provider or "own"].append(r)

    # ---- the matched comparison: treated units at the day after a completed service
    completed_ends: list[tuple[int, int]] = []  # (person index, end day) of every completed participation
    for r in session.execute(
        select(Participation.person_id, Participation.end_date).where(
            Participation.outcome == ParticipationOutcome.COMPLETED.value, Participation.end_date.is_not(None)
        )
    ):
        if r.person_id in data.index:
            completed_ends.append((data.index[r.person_id], _day(r.end_date)))
    ce = np.array(completed_ends, dtype=np.int64).reshape(-1, 2)

    units: list[_Unit] = []
    direct: dict[str, int] = defaultdict(int)
    direct_provider: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.outcome != ParticipationOutcome.COMPLETED.value or r.end_date is None:
            continue
        if r.end_date > window_end:
            continue
        service = services[r.service_id]
        provider = partners.get(service.provider_id) if service.provider_id else None
        unit = _Unit(participation=r.id, group=service.code, provider=provider or "own",
                     person=data.index[r.person_id], index_day=_day(r.end_date) + 1, cost=float(r.cost))
        units.append(unit)

    # Runs covering each index day, and the treated's own run starting there.
    by_day: dict[int, list[int]] = defaultdict(list)
    for k, u in enumerate(units):
        by_day[u.index_day].append(k)
    unit_run = np.full(len(units), -1)
    matched_sets: list[tuple[int, np.ndarray]] = []  # (unit, control runs)
    naive_pool: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for day, ks in by_day.items():
        covering = np.flatnonzero((data.run_start <= day) & (data.run_end >= day))
        persons = data.run_person[covering]
        treated_persons = np.array([units[k].person for k in ks])
        own = {p: r for p, r in zip(persons.tolist(), covering.tolist(), strict=True) if p in set(treated_persons.tolist())}
        # controls: no completed service ended within 12 months before the day (the washout)
        if ce.size:
            recent = ce[(ce[:, 1] < day) & (ce[:, 1] >= day - 365)][:, 0]
            ok = ~np.isin(persons, recent)
        else:
            ok = np.ones(persons.size, dtype=bool)
        ok &= ~np.isin(persons, treated_persons)
        pool_runs = covering[ok]
        pool_cells = data.cells(pool_runs, day)
        exposure, event = _outcome(data, data.run_person[pool_runs], pool_runs, day, follow)
        naive_pool[day] = (exposure, event)
        cells: dict[int, np.ndarray] = defaultdict(lambda: np.array([], dtype=np.int64))
        order = np.argsort(pool_cells, kind="stable")
        sorted_cells = pool_cells[order]
        uniq, first = np.unique(sorted_cells, return_index=True)
        bounds = dict(zip(uniq.tolist(), zip(first.tolist(), [*first[1:].tolist(), sorted_cells.size], strict=True), strict=True))
        for k in ks:
            u = units[k]
            run = own.get(u.person)
            if run is None or data.run_start[run] != day:
                # not unemployed at the day after the service: straight to work, or elsewhere
                if any(s <= day <= e for s, e in data.employment.get(u.person, ())):
                    direct[u.group] += 1
                    direct_provider[u.provider or "own"] += 1
                continue
            unit_run[k] = run
            cell = int(data.cells(np.array([run]), day)[0])
            span = bounds.get(cell)
            if span is None:
                matched_sets.append((k, np.array([], dtype=np.int64)))
                continue
            candidates = pool_runs[order[span[0]:span[1]]]
            take = min(controls_per_treated, candidates.size)
            matched_sets.append((k, rng.choice(candidates, size=take, replace=False)))
        del cells

    def effect_for(keys: set[str], attr: str, cost: float, completers: int) -> Effect | None:
        sets = [(k, c) for k, c in matched_sets if getattr(units[k], attr) in keys]
        treated = len(sets)
        n_direct = sum((direct if attr == "group" else direct_provider).get(x, 0) for x in keys)
        if treated < min_treated:
            return None
        with_controls = [(k, c) for k, c in sets if c.size]
        a = np.zeros(len(with_controls))
        t1 = np.zeros(len(with_controls))
        b = np.zeros(len(with_controls))
        t0 = np.zeros(len(with_controls))
        e6_t = np.zeros(len(with_controls))
        e6_c = np.zeros(len(with_controls))
        e3_t = np.zeros(len(with_controls))
        e3_c = np.zeros(len(with_controls))
        n_controls = 0
        naive_num = naive_den = 0.0
        for i, (k, controls) in enumerate(with_controls):
            u = units[k]
            day = u.index_day
            exp_t, ev_t = _outcome(data, np.array([u.person]), np.array([unit_run[k]]), day, follow)
            exp_c, ev_c = _outcome(data, data.run_person[controls], controls, day, follow)
            a[i], t1[i], b[i], t0[i] = ev_t[0], exp_t[0], ev_c.sum(), exp_c.sum()
            n_controls += controls.size
            cp = data.run_person[controls].tolist()
            e3_t[i] = data.employed_on(u.person, day + int(3 * DAYS_PER_MONTH))
            e6_t[i] = data.employed_on(u.person, day + follow)
            e3_c[i] = _employed_at(data, cp, day + int(3 * DAYS_PER_MONTH)).mean()
            e6_c[i] = _employed_at(data, cp, day + follow).mean()
            pool_exp, pool_ev = naive_pool[day]
            naive_num += ev_t[0]
            naive_den += exp_t[0] * (pool_ev.sum() / max(pool_exp.sum(), 1e-9))
        if len(with_controls) < min_treated:
            return None
        hr = mantel_haenszel_rate_ratio(a, t1, b, t0)

        def boot_hr(idx: np.ndarray) -> float:
            return math.log(mantel_haenszel_rate_ratio(a[idx], t1[idx], b[idx], t0[idx]))

        ci = bootstrap_ci(boot_hr, len(with_controls), rng=rng)
        diff6 = float((e6_t - e6_c).mean())
        ci6 = bootstrap_ci(lambda idx: float((e6_t[idx] - e6_c[idx]).mean()), len(with_controls), rng=rng)
        additional = diff6 * completers
        naive_hr = naive_num / naive_den if naive_den > 0 else None
        return Effect(
            treated=treated,
            direct_to_work=n_direct,
            matched=len(with_controls),
            controls=n_controls,
            treated_events=int(a.sum()),
            control_events=float(b.sum()),
            hazard_ratio=hr if math.isfinite(hr) else None,
            hazard_ratio_ci=Interval(low=math.exp(ci[0]), high=math.exp(ci[1])) if ci else None,
            log_hazard_ratio=math.log(hr) if hr and math.isfinite(hr) and hr > 0 else None,
            log_hazard_ratio_ci=Interval(low=ci[0], high=ci[1]) if ci else None,
            employed_3m_difference=float((e3_t - e3_c).mean()),
            employed_6m_difference=diff6,
            employed_6m_difference_ci=Interval(low=ci6[0], high=ci6[1]) if ci6 else None,
            additional_employed=additional,
            cost_per_additional_employed=cost / additional if additional > 0 else None,
            naive_hazard_ratio=naive_hr,
            naive_log_hazard_ratio=math.log(naive_hr) if naive_hr else None,
        )

    def figures(key: str, name: str, provider: str | None, production: str | None, parts: list[Any],
                attr: str, keys: set[str]) -> ServiceFigures:
        cost = float(sum(float(p.cost) for p in parts))
        ended = [p for p in parts if p.outcome != ParticipationOutcome.ONGOING.value and p.end_date is not None]
        completed = [p for p in ended if p.outcome == ParticipationOutcome.COMPLETED.value]
        three = int(3 * DAYS_PER_MONTH)
        f3 = [p for p in ended if _day(p.end_date) + three <= data.as_of]
        f6 = [p for p in ended if _day(p.end_date) + follow <= data.as_of]
        emp3 = sum(data.employed_on(data.index[p.person_id], _day(p.end_date) + three) for p in f3)
        emp6_flags = np.array([data.employed_on(data.index[p.person_id], _day(p.end_date) + follow) for p in f6], dtype=float)
        cost6 = np.array([float(p.cost) for p in f6])
        emp6 = int(emp6_flags.sum())
        before = sum(data.employed_on(data.index[p.person_id], _day(p.start_date) - follow) for p in f6)
        cpe = float(cost6.sum() / emp6) if emp6 else None
        cpe_ci = bootstrap_ci(
            lambda idx: float(cost6[idx].sum() / emp6_flags[idx].sum()) if emp6_flags[idx].sum() else math.inf,
            len(f6), rng=rng,
        ) if emp6 else None
        spells = {p.person_id: None for p in parts}
        del spells
        durations = []
        for p in parts:
            person = data.index[p.person_id]
            covering = np.array(data.runs_of.get(person, []), dtype=np.int64)
            if covering.size:
                durations.append(float(np.max(np.minimum(data.run_end[covering], data.as_of) - data.run_start[covering])))
        c_rate = len(completed) / len(ended) if ended else None
        ci = wilson(len(completed), len(ended))
        ci3, ci6 = wilson(emp3, len(f3)), wilson(emp6, len(f6))
        return ServiceFigures(
            key=key, name=name, provider=provider, production=production,
            participations=len(parts), participants=len({p.person_id for p in parts}),
            total_cost=cost, mean_cost=cost / len(parts) if parts else 0.0,
            ended=len(ended), completed=len(completed), completion_rate=c_rate,
            completion_ci=Interval(low=ci[0], high=ci[1]) if ci else None,
            followed_3m=len(f3), employed_3m=int(emp3), employed_3m_rate=emp3 / len(f3) if f3 else None,
            employed_3m_ci=Interval(low=ci3[0], high=ci3[1]) if ci3 else None,
            followed_6m=len(f6), employed_6m=emp6, employed_6m_rate=emp6 / len(f6) if f6 else None,
            employed_6m_ci=Interval(low=ci6[0], high=ci6[1]) if ci6 else None,
            cost_per_employed_6m=cpe,
            cost_per_employed_6m_ci=Interval(low=cpe_ci[0], high=cpe_ci[1]) if cpe_ci else None,
            employed_per_10k_eur=emp6 / float(cost6.sum()) * 10_000 if cost6.sum() > 0 else None,
            median_spell_days=float(np.median(durations)) if durations else None,
            naive_before_after_6m=(emp6 - before) / len(f6) if f6 else None,
            effect=effect_for(keys, attr, float(sum(float(p.cost) for p in completed)), len(completed)),
        )

    service_rows = []
    for code, parts in sorted(by_service.items()):
        s = next(x for x in services.values() if x.code == code)
        provider = partners.get(s.provider_id) if s.provider_id else None
        service_rows.append(figures(code, s.name("fi"), provider, str(s.production), parts, "group", {code}))
    provider_rows = [
        figures(name, name, name, None, parts, "provider", {name}) for name, parts in sorted(by_provider.items())
    ]
    return EffectivenessReport(
        as_of=end, window_start=window_start, window_end=window_end, follow_up_months=follow_up_months,
        controls_per_treated=controls_per_treated, method_note=METHOD_NOTE, services=service_rows,
        providers=provider_rows,
    )
