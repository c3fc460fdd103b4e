"""Cost-effectiveness of services (R-D2, R-S5): what each service and provider costs and what follows.

**Descriptive figures** per service and per provider — cost, participants, completion, employed in the
open labour market 3 and 6 months after the end, € per employed, employed per 10 000 € (input/output),
the length of the participants' jobseeking spells — with Wilson intervals for shares and bootstrap
intervals for € per employed.

**Comparisons with similar customers.** *These are not randomised experiments*: they compare people who
completed the service with people who looked the same on what the registers record, and anything not
recorded (motivation, health not reported, networks) can still differ. Every **completed** participation
gives a *treated* person on the day after the service ends, if they are then unemployed (people who moved
straight into a job at the end are counted separately). Two comparison groups:

* **not in a service** (:func:`non_participant_strata`, ``ServiceFigures.non_participant_effect``): people
  unemployed on that same day, not returning from a service, with no completed service in the previous 12
  months — never- or not-yet participants — in the same cell of municipality, age band, education, mother
  tongue (domestic / foreign), recorded customer groups and the elapsed unemployment (months unemployed in
  the two years before the day), up to ``controls_per_treated`` drawn at random;
* **early leavers** (``ServiceFigures.effect``): people unemployed on the day after leaving a service
  early (no completed service in the 12 months before), in the same cell without the elapsed unemployment.

Both are followed for ``follow_up_months`` (6) from that day, until they leave unemployment or the
follow-up ends. **Effect** = the hazard ratio of leaving for open-market employment (treated against
matched controls, Mantel–Haenszel over the matched strata), with a bootstrap interval over the strata;
also the difference in the share employed in the open labour market 6 (and, for early leavers, 3) months
later.

A **naive comparison** (the same treated against every unemployed person in the period, unmatched) and a
naive before/after share are shown next to them so that a reader sees how much the matching changes the
picture.
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
from alue.shared.suppression import Cell, count_cell, share_cell
from alue.shared.time import add_months, today

EPOCH = dt.date(1970, 1, 1)
DAYS_PER_MONTH = 365.25 / 12
METHOD_NOTE = (
    "Not a randomised estimate: people who completed the service are compared with people who looked the "
    "same in the registers on the same day (municipality, age band, education, mother tongue, customer "
    "groups; for the comparison with people not in a service also the months unemployed in the last two "
    "years) — once with people who were not in a service, once with people who left a service early. "
    "Differences that the registers do not record can remain."
)
DURATION_BANDS_MONTHS = (0, 1, 2, 3, 6, 12, 24)
#: months unemployed in the two years before the current unemployment began
PRIOR_BANDS_MONTHS = (0, 3, 12)
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
    #: completers against early leavers of a service (the same selection into a service)
    effect: Effect | None
    #: completers against similar unemployed people who were not in a service (``non_participant_effect``)
    non_participant_effect: Effect | None = None


def published_cells(f: ServiceFigures) -> dict[str, Cell]:
    """A service's person figures as they may leave alue (page and command line): a count of 1–4
    persons, and a share whose count or base is that small, hidden (``alue.shared.suppression``)."""
    return {
        "participants": count_cell(f.participants),
        "completion": share_cell(f.completed, f.ended),
        "employed_3m": share_cell(f.employed_3m, f.followed_3m),
        "employed_6m": share_cell(f.employed_6m, f.followed_6m),
    }


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
            select(
                Person.id,
                Person.birth_date,
                Person.education_level,
                Person.mother_tongue,
                Person.home_municipality_code,
            )
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
            select(
                CustomerGroupMembership.person_id,
                CustomerGroupMembership.group,
                CustomerGroupMembership.start_date,
            )
        ):
            g = CustomerGroup(m.group)
            if g in MATCH_GROUPS and m.person_id in index:
                bit = MATCH_GROUPS.index(g)
                key = (index[m.person_id], bit)
                group_since[key] = min(group_since.get(key, 10**9), _day(m.start_date))
        self.group_rows = np.array([(i, b, s) for (i, b), s in group_since.items()], dtype=np.int64).reshape(
            -1, 3
        )
        res = session.execute(
            select(Residence.person_id, Residence.start_date, Residence.end_date, Residence.municipality_code)
        ).all()
        self.res_person = np.array([index.get(r.person_id, -1) for r in res], dtype=np.int64)
        self.res_start = np.array([_day(r.start_date) for r in res], dtype=np.int64)
        self.res_end = np.array([_day(r.end_date) if r.end_date else 10**7 for r in res], dtype=np.int64)
        self.res_code = np.array(
            [codes.setdefault(r.municipality_code, len(codes)) for r in res], dtype=np.int64
        )
        self.codes = list(codes)
        valid = self.res_person >= 0
        order = np.lexsort((self.res_start[valid], self.res_person[valid]))
        self._res_sorted_person = self.res_person[valid][order]
        self._res_keys = self._res_sorted_person * KEY + self.res_start[valid][order]
        self._res_sorted_end = self.res_end[valid][order]
        self._res_sorted_code = self.res_code[valid][order]

        spells = session.execute(
            select(
                JobseekingSpell.id,
                JobseekingSpell.person_id,
                JobseekingSpell.start_date,
                JobseekingSpell.end_date,
                JobseekingSpell.end_reason,
            )
        ).all()
        self.spell_end = {s.id: (_day(s.end_date) if s.end_date else None) for s in spells}
        self.spell_start = {s.id: _day(s.start_date) for s in spells}
        self.spell_reason = {s.id: s.end_reason for s in spells}
        periods = session.execute(
            select(
                StatusPeriod.person_id,
                StatusPeriod.spell_id,
                StatusPeriod.status,
                StatusPeriod.start_date,
                StatusPeriod.end_date,
            )
        ).all()
        self._runs(periods)
        self.employment: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for e in session.execute(
            select(
                EmploymentEpisode.person_id,
                EmploymentEpisode.kind,
                EmploymentEpisode.start_date,
                EmploymentEpisode.end_date,
            )
        ):
            if EmploymentKind(e.kind) is EmploymentKind.OPEN_MARKET and e.person_id in index:
                self.employment[index[e.person_id]].append(
                    (_day(e.start_date), _day(e.end_date) if e.end_date else 10**7)
                )

    def _runs(self, periods: Sequence[Any]) -> None:
        """Unemployment runs (unemployed or fully laid off, adjacent periods merged) and how they end."""
        rows = sorted(
            (
                (
                    self.index[p.person_id],
                    _day(p.start_date),
                    _day(p.end_date) if p.end_date else None,
                    Status(p.status),
                    p.spell_id,
                )
                for p in periods
                if p.person_id in self.index
            ),
            key=lambda r: (r[0], r[1]),
        )
        run_person, run_start, run_end, run_job = [], [], [], []
        i = 0
        while i < len(rows):
            person, start, _end, status, _spell = rows[i]
            if status is not Status.UNEMPLOYED:
                i += 1
                continue
            j = i
            while (
                j + 1 < len(rows)
                and rows[j + 1][0] == person
                and rows[j + 1][3] is Status.UNEMPLOYED
                and (previous_end := rows[j][2]) is not None
                and rows[j + 1][1] == previous_end + 1
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
                    job = (
                        spell_end == stop
                        and self.spell_reason.get(rows[j][4]) == SpellEndReason.EMPLOYED_OPEN_MARKET
                    )
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
            ok[ok] &= (self._res_sorted_person[pos[ok]] == persons[ok]) & (
                self._res_sorted_end[pos[ok]] >= day
            )
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

    def cells(
        self, runs: np.ndarray, day: int, *, prior: np.ndarray | None = None, duration: bool = True
    ) -> np.ndarray:
        """The matching cell of each run on ``day``. ``prior`` replaces the run's earlier unemployment
        (days); without ``duration`` the length of the current run is left out of the cell."""
        persons = self.run_person[runs]
        run_start = self.run_start[runs]
        prior_days = self.run_prior[runs] if prior is None else prior
        prior_band = np.searchsorted(PRIOR_BANDS_MONTHS, prior_days / DAYS_PER_MONTH, side="right")
        age = (day - self.birth[persons]) / 365.25
        age_band = np.searchsorted(AGE_BANDS, age, side="right")
        months = (day - run_start) / DAYS_PER_MONTH
        duration_band = np.searchsorted(DURATION_BANDS_MONTHS, months, side="right")
        if not duration:
            duration_band = np.zeros_like(duration_band)
        muni = self.municipality_on(persons, day)
        cell = muni.astype(np.int64)
        for value, size in (
            (age_band, 8),
            (self.education[persons], 8),
            (self.foreign[persons].astype(np.int64), 2),
            (self.groups_on(persons, day), 1 << len(MATCH_GROUPS)),
            (duration_band, 8),
            (prior_band, 8),
        ):
            cell = cell * size + value
        return cell

    def employed_on(self, person: int, day: int) -> bool:
        return any(s <= day <= e for s, e in self.employment.get(person, ()))


# ------------------------------------------------------------------------------------------ matching


def _outcome(data: _Data, runs: np.ndarray, day: int, follow: int) -> tuple[np.ndarray, np.ndarray]:
    """(exposure in months, event) from ``day`` to the end of the unemployment run or of the follow-up.

    The event is leaving for open-market employment (an ``employed`` status or a spell that ends with
    open-market employment) within the follow-up.
    """
    end = np.minimum(data.run_end[runs], min(day + follow - 1, data.as_of))
    exposure = np.maximum(end - day + 1, 0) / DAYS_PER_MONTH
    event = data.run_job[runs] & (data.run_end[runs] < day + follow) & (data.run_end[runs] <= data.as_of)
    return exposure, event.astype(float)


def _employed_at(data: _Data, persons: Sequence[int], day: int) -> np.ndarray:
    return np.array([data.employed_on(p, day) for p in persons], dtype=float)


class _Strata:
    """Matched sets pooled into strata: per stratum, the treated's and the controls' events and exposure."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, int], int] = {}
        self.rows: list[list[float]] = []  # events1, exposure1, n1, events0, exposure0, n0, emp6_1, emp6_0

    def add(
        self, key: tuple[str, int], treated: tuple[float, float, float], controls: tuple[np.ndarray, ...]
    ) -> None:
        k = self.index.setdefault(key, len(self.rows))
        if k == len(self.rows):
            self.rows.append([0.0] * 8)
        row = self.rows[k]
        exposure, event, employed = controls
        row[0] += treated[1]
        row[1] += treated[0]
        row[2] += 1
        row[3] += float(event.sum())
        row[4] += float(exposure.sum())
        row[5] += float(event.size)
        row[6] += treated[2]
        row[7] += float(employed.mean())


def non_participant_strata(
    data: _Data,
    treated: Sequence[tuple[int, int, tuple[str, ...]]],
    completed_ends: dict[int, list[int]],
    *,
    follow: int,
    controls_per_treated: int,
    rng: np.random.Generator,
) -> dict[str, _Strata]:
    """Match each treated (day, run, labels) with unemployed people who were not in a service that day.

    Treated: a person back in unemployment on ``day``, the day after completing a service (their run starts
    then). Controls: people unemployed on ``day`` whose unemployment began before it (so not returning from
    a service that day) and who completed no service in the 12 months before (no service effect lingers);
    they may start a service later (*not yet* participants: the follow-up then ends without an event). The
    cell: municipality, age band, education, domestic or foreign mother tongue, recorded customer groups and
    the **elapsed unemployment** — months unemployed in the two years before the day (for the treated the
    unemployment before the service; for a control the earlier unemployment and the current run). That is
    the dynamic selection the registers show: people who have stayed unemployed longer are, on average,
    those who find work less easily. Up to ``controls_per_treated`` controls are drawn from the cell;
    each matched set joins the stratum of its cell and calendar quarter.
    """
    ends = sorted(
        np.int64(person) * KEY + np.int64(day) for person, days in completed_ends.items() for day in days
    )
    end_keys = np.array(ends, dtype=np.int64)
    order = np.argsort(data.run_start, kind="stable")
    starts, stops = data.run_start[order], data.run_end[order]
    by_day: dict[int, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for day, run, labels in treated:
        by_day[day].append((run, labels))
    strata: dict[str, _Strata] = defaultdict(_Strata)
    window = PRIOR_WINDOW_DAYS
    for day, items in sorted(by_day.items()):
        n = int(np.searchsorted(starts, day, side="left"))  # runs that began before the day
        cand = order[:n][stops[:n] >= day]
        if cand.size:
            persons = data.run_person[cand].astype(np.int64)
            lo = np.searchsorted(end_keys, persons * KEY + (day - 366), side="left")
            hi = np.searchsorted(end_keys, persons * KEY + (day - 1), side="right")
            cand = cand[hi == lo]
        if not cand.size:
            continue
        cand_prior = np.minimum(data.run_prior[cand] + (day - data.run_start[cand]), window)
        cand_cells = data.cells(cand, day, prior=cand_prior, duration=False)
        pools: dict[int, np.ndarray] = {}
        for cell_value in np.unique(cand_cells):
            pools[int(cell_value)] = cand[cand_cells == cell_value]
        runs = np.array([r for r, _ in items], dtype=np.int64)
        cells = data.cells(runs, day, prior=np.minimum(data.run_prior[runs], window), duration=False)
        when = _date(day)
        quarter = when.year * 4 + (when.month - 1) // 3
        for (run, labels), cell_value in zip(items, cells.tolist(), strict=True):
            pool = pools.get(int(cell_value))
            if pool is None:
                continue
            picked = rng.choice(pool, size=min(controls_per_treated, pool.size), replace=False)
            e1, v1 = _outcome(data, np.array([run]), day, follow)
            e0, v0 = _outcome(data, picked, day, follow)
            employed1 = float(data.employed_on(int(data.run_person[run]), day + follow))
            employed0 = _employed_at(data, data.run_person[picked].tolist(), day + follow)
            for label in labels:
                strata[label].add((str(cell_value), quarter), (e1[0], v1[0], employed1), (e0, v0, employed0))
    return strata


def _strata_effect(
    strata: _Strata | None,
    *,
    rng: np.random.Generator,
    min_treated: int,
    cost: float,
    completers: int,
    direct: int,
    naive_hr: float | None,
) -> Effect | None:
    """Mantel–Haenszel hazard ratio over the strata, with a bootstrap interval over them."""
    if strata is None or len(strata.rows) < 2:
        return None
    m = np.array(strata.rows)
    a, t1, n1, b, t0, n0, emp1, emp0 = (m[:, i] for i in range(8))
    if n1.sum() < min_treated:
        return None
    hr = mantel_haenszel_rate_ratio(a, t1, b, t0)

    def boot_hr(idx: np.ndarray) -> float:
        value = mantel_haenszel_rate_ratio(a[idx], t1[idx], b[idx], t0[idx])
        return math.log(value) if value > 0 else math.nan

    ci = bootstrap_ci(boot_hr, len(a), rng=rng)
    # employed at 6 months: treated share minus the mean of their matched sets' control shares
    d6 = emp1 - emp0
    diff6 = float(d6.sum() / n1.sum())
    ci6 = bootstrap_ci(lambda idx: float(d6[idx].sum() / n1[idx].sum()), len(a), rng=rng)
    additional = diff6 * completers
    return Effect(
        treated=int(n1.sum()),
        direct_to_work=direct,
        matched=int(n1.sum()),
        controls=int(n0.sum()),
        treated_events=int(a.sum()),
        control_events=float(b.sum()),
        hazard_ratio=hr if math.isfinite(hr) else None,
        hazard_ratio_ci=Interval(low=math.exp(ci[0]), high=math.exp(ci[1])) if ci else None,
        log_hazard_ratio=math.log(hr) if math.isfinite(hr) and hr > 0 else None,
        log_hazard_ratio_ci=Interval(low=ci[0], high=ci[1]) if ci else None,
        employed_3m_difference=None,
        employed_6m_difference=diff6,
        employed_6m_difference_ci=Interval(low=ci6[0], high=ci6[1]) if ci6 else None,
        additional_employed=additional,
        cost_per_additional_employed=cost / additional if additional > 0 else None,
        naive_hazard_ratio=naive_hr,
        naive_log_hazard_ratio=math.log(naive_hr) if naive_hr else None,
    )


def effectiveness_report(
    *,
    session: Session,
    area: Area,
    as_of: dt.date | None = None,
    window_months: int = 96,
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
    follow = round(follow_up_months * DAYS_PER_MONTH)
    window_end = add_months(end, -follow_up_months)
    window_start = add_months(end, -window_months)

    services = {s.id: s for s in session.scalars(select(Service))}
    partners = {p.id: p.name for p in session.scalars(select(Partner))}
    rows = session.execute(
        select(
            Participation.id,
            Participation.person_id,
            Participation.service_id,
            Participation.start_date,
            Participation.end_date,
            Participation.cost,
            Participation.outcome,
        )
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

    # ---- the matched comparison: people back in unemployment the day after a service ended
    completed_ends: dict[int, list[int]] = defaultdict(list)
    service_ends = session.execute(
        select(
            Participation.id,
            Participation.person_id,
            Participation.service_id,
            Participation.end_date,
            Participation.outcome,
            Participation.cost,
        ).where(Participation.end_date.is_not(None))
    ).all()
    for ended in service_ends:
        if ended.outcome == ParticipationOutcome.COMPLETED.value and ended.person_id in data.index:
            completed_ends[data.index[ended.person_id]].append(_day(ended.end_date))
    run_at = {
        (p, s): k
        for k, (p, s) in enumerate(zip(data.run_person.tolist(), data.run_start.tolist(), strict=True))
    }
    last_index = data.as_of - follow
    first_index = _day(window_start)
    u_group: list[str] = []
    u_provider: list[str] = []
    u_treated: list[bool] = []
    u_run: list[int] = []
    u_day: list[int] = []
    direct: dict[str, int] = defaultdict(int)
    direct_provider: dict[str, int] = defaultdict(int)
    for ended in service_ends:
        if ended.person_id not in data.index:
            continue
        day = _day(ended.end_date) + 1
        if not first_index <= day <= last_index:
            continue
        person = data.index[ended.person_id]
        service = services[ended.service_id]
        provider = (partners.get(service.provider_id) if service.provider_id else None) or "own"
        completed = ended.outcome == ParticipationOutcome.COMPLETED.value
        run = run_at.get((person, day))
        if run is None:
            if completed and data.employed_on(person, day):
                direct[service.code] += 1
                direct_provider[provider] += 1
            continue
        # an early leaver is a comparison person only without the effect of an earlier completed service
        if not completed and any(day - 366 <= e < day - 1 for e in completed_ends.get(person, ())):
            continue
        u_group.append(service.code)
        u_provider.append(provider)
        u_treated.append(completed)
        u_run.append(run)
        u_day.append(day)
    runs = np.array(u_run, dtype=np.int64)
    days = np.array(u_day, dtype=np.int64)
    treated_flag = np.array(u_treated, dtype=bool)
    groups_arr = np.array(u_group, dtype=object)
    providers_arr = np.array(u_provider, dtype=object)
    cell = np.zeros(runs.size, dtype=np.int64)
    exposure = np.zeros(runs.size)
    event = np.zeros(runs.size)
    employed3 = np.zeros(runs.size)
    employed6 = np.zeros(runs.size)
    three = round(3 * DAYS_PER_MONTH)
    for i, (run, day) in enumerate(zip(runs.tolist(), days.tolist(), strict=True)):
        # the cell: the characteristics of the day, and the calendar quarter
        when = _date(day)
        quarter = when.year * 4 + (when.month - 1) // 3
        cell[i] = int(data.cells(np.array([run]), day, prior=np.zeros(1))[0]) * 100_000 + quarter
        e, v = _outcome(data, np.array([run]), day, follow)
        exposure[i], event[i] = e[0], v[0]
        person = int(data.run_person[run])
        employed3[i] = data.employed_on(person, day + three)
        employed6[i] = data.employed_on(person, day + follow)
    controls = ~treated_flag
    control_cells: dict[int, np.ndarray] = {}
    for c in np.unique(cell[controls]):
        control_cells[int(c)] = np.flatnonzero(controls & (cell == c))
    # naive reference: the exit rate of every unemployed jobseeker in the window, unmatched
    lo_day, hi_day = first_index, min(last_index + follow, data.as_of)
    overlap = np.minimum(data.run_end, hi_day) - np.maximum(data.run_start, lo_day) + 1
    exits = data.run_job & (data.run_end >= lo_day) & (data.run_end <= hi_day)
    naive_rate = exits.sum() / max(np.clip(overlap, 0, None).sum() / DAYS_PER_MONTH, 1e-9)

    # the comparison with similar people who were not in a service (not-yet participants)
    np_strata = non_participant_strata(
        data,
        [
            (int(d), int(r), (f"service:{g}", f"provider:{p}"))
            for d, r, g, p, t in zip(days, runs, groups_arr, providers_arr, treated_flag, strict=True)
            if t
        ],
        completed_ends,
        follow=follow,
        controls_per_treated=controls_per_treated,
        rng=rng,
    )

    def non_participant_effect(keys: set[str], attr: str, cost: float, completers: int) -> Effect | None:
        prefix = "service" if attr == "group" else "provider"
        labels = groups_arr if attr == "group" else providers_arr
        mine = treated_flag & np.isin(labels, list(keys))
        rate = event[mine].sum() / max(exposure[mine].sum(), 1e-9)
        naive_hr = rate / naive_rate if naive_rate > 0 and rate > 0 else None
        key = next(iter(keys))
        return _strata_effect(
            np_strata.get(f"{prefix}:{key}"),
            rng=rng,
            min_treated=min_treated,
            cost=cost,
            completers=completers,
            direct=sum((direct if attr == "group" else direct_provider).get(x, 0) for x in keys),
            naive_hr=naive_hr,
        )

    def effect_for(keys: set[str], attr: str, cost: float, completers: int) -> Effect | None:
        labels = groups_arr if attr == "group" else providers_arr
        mine = treated_flag & np.isin(labels, list(keys))
        n_direct = sum((direct if attr == "group" else direct_provider).get(x, 0) for x in keys)
        treated = int(mine.sum())
        if treated < min_treated:
            return None
        strata = [c for c in np.unique(cell[mine]) if int(c) in control_cells]
        if len(strata) < 2:
            return None
        a = np.array([event[mine & (cell == c)].sum() for c in strata])
        t1 = np.array([exposure[mine & (cell == c)].sum() for c in strata])
        n1 = np.array([(mine & (cell == c)).sum() for c in strata], dtype=float)
        b = np.array([event[control_cells[int(c)]].sum() for c in strata])
        t0 = np.array([exposure[control_cells[int(c)]].sum() for c in strata])
        d6 = np.array(
            [employed6[mine & (cell == c)].mean() - employed6[control_cells[int(c)]].mean() for c in strata]
        )
        d3 = np.array(
            [employed3[mine & (cell == c)].mean() - employed3[control_cells[int(c)]].mean() for c in strata]
        )
        matched = int(n1.sum())
        n_controls = int(sum(control_cells[int(c)].size for c in strata))
        hr = mantel_haenszel_rate_ratio(a, t1, b, t0)

        def boot_hr(idx: np.ndarray) -> float:
            value = mantel_haenszel_rate_ratio(a[idx], t1[idx], b[idx], t0[idx])
            return math.log(value) if value > 0 else math.nan

        ci = bootstrap_ci(boot_hr, len(strata), rng=rng)
        diff6 = float(np.sum(d6 * n1) / n1.sum())
        ci6 = bootstrap_ci(lambda idx: float(np.sum(d6[idx] * n1[idx]) / n1[idx].sum()), len(strata), rng=rng)
        additional = diff6 * completers
        treated_rate = event[mine].sum() / max(exposure[mine].sum(), 1e-9)
        naive_hr = treated_rate / naive_rate if naive_rate > 0 and treated_rate > 0 else None
        return Effect(
            treated=treated,
            direct_to_work=n_direct,
            matched=matched,
            controls=n_controls,
            treated_events=int(a.sum()),
            control_events=float(b.sum()),
            hazard_ratio=hr if math.isfinite(hr) else None,
            hazard_ratio_ci=Interval(low=math.exp(ci[0]), high=math.exp(ci[1])) if ci else None,
            log_hazard_ratio=math.log(hr) if math.isfinite(hr) and hr > 0 else None,
            log_hazard_ratio_ci=Interval(low=ci[0], high=ci[1]) if ci else None,
            employed_3m_difference=float(np.sum(d3 * n1) / n1.sum()),
            employed_6m_difference=diff6,
            employed_6m_difference_ci=Interval(low=ci6[0], high=ci6[1]) if ci6 else None,
            additional_employed=additional,
            cost_per_additional_employed=cost / additional if additional > 0 else None,
            naive_hazard_ratio=naive_hr,
            naive_log_hazard_ratio=math.log(naive_hr) if naive_hr else None,
        )

    def figures(
        key: str,
        name: str,
        provider: str | None,
        production: str | None,
        parts: list[Any],
        attr: str,
        keys: set[str],
    ) -> ServiceFigures:
        cost = float(sum(float(p.cost) for p in parts))
        ended = [
            p for p in parts if p.outcome != ParticipationOutcome.ONGOING.value and p.end_date is not None
        ]
        completed = [p for p in ended if p.outcome == ParticipationOutcome.COMPLETED.value]
        three = int(3 * DAYS_PER_MONTH)
        f3 = [p for p in ended if _day(p.end_date) + three <= data.as_of]
        f6 = [p for p in ended if _day(p.end_date) + follow <= data.as_of]
        emp3 = sum(data.employed_on(data.index[p.person_id], _day(p.end_date) + three) for p in f3)
        emp6_flags = np.array(
            [data.employed_on(data.index[p.person_id], _day(p.end_date) + follow) for p in f6], dtype=float
        )
        cost6 = np.array([float(p.cost) for p in f6])
        emp6 = int(emp6_flags.sum())
        before = sum(data.employed_on(data.index[p.person_id], _day(p.start_date) - follow) for p in f6)
        cpe = float(cost6.sum() / emp6) if emp6 else None
        cpe_ci = (
            bootstrap_ci(
                lambda idx: (
                    float(cost6[idx].sum() / emp6_flags[idx].sum()) if emp6_flags[idx].sum() else math.inf
                ),
                len(f6),
                rng=rng,
            )
            if emp6
            else None
        )
        spells = {p.person_id: None for p in parts}
        del spells
        durations = []
        for p in parts:
            person = data.index[p.person_id]
            covering = np.array(data.runs_of.get(person, []), dtype=np.int64)
            if covering.size:
                durations.append(
                    float(np.max(np.minimum(data.run_end[covering], data.as_of) - data.run_start[covering]))
                )
        c_rate = len(completed) / len(ended) if ended else None
        completed_cost = float(sum(float(p.cost) for p in completed))
        ci = wilson(len(completed), len(ended))
        ci3, ci6 = wilson(emp3, len(f3)), wilson(emp6, len(f6))
        return ServiceFigures(
            key=key,
            name=name,
            provider=provider,
            production=production,
            participations=len(parts),
            participants=len({p.person_id for p in parts}),
            total_cost=cost,
            mean_cost=cost / len(parts) if parts else 0.0,
            ended=len(ended),
            completed=len(completed),
            completion_rate=c_rate,
            completion_ci=Interval(low=ci[0], high=ci[1]) if ci else None,
            followed_3m=len(f3),
            employed_3m=int(emp3),
            employed_3m_rate=emp3 / len(f3) if f3 else None,
            employed_3m_ci=Interval(low=ci3[0], high=ci3[1]) if ci3 else None,
            followed_6m=len(f6),
            employed_6m=emp6,
            employed_6m_rate=emp6 / len(f6) if f6 else None,
            employed_6m_ci=Interval(low=ci6[0], high=ci6[1]) if ci6 else None,
            cost_per_employed_6m=cpe,
            cost_per_employed_6m_ci=Interval(low=cpe_ci[0], high=cpe_ci[1]) if cpe_ci else None,
            employed_per_10k_eur=emp6 / float(cost6.sum()) * 10_000 if cost6.sum() > 0 else None,
            median_spell_days=float(np.median(durations)) if durations else None,
            naive_before_after_6m=(emp6 - before) / len(f6) if f6 else None,
            effect=effect_for(keys, attr, completed_cost, len(completed)),
            non_participant_effect=non_participant_effect(keys, attr, completed_cost, len(completed)),
        )

    service_rows = []
    for code, parts in sorted(by_service.items()):
        s = next(x for x in services.values() if x.code == code)
        provider = partners.get(s.provider_id) if s.provider_id else None
        service_rows.append(figures(code, s.name("fi"), provider, str(s.production), parts, "group", {code}))
    provider_rows = [
        figures(name, name, name, None, parts, "provider", {name})
        for name, parts in sorted(by_provider.items())
    ]
    return EffectivenessReport(
        as_of=end,
        window_start=window_start,
        window_end=window_end,
        follow_up_months=follow_up_months,
        controls_per_treated=controls_per_treated,
        method_note=METHOD_NOTE,
        services=service_rows,
        providers=provider_rows,
    )
