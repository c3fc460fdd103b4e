"""Municipal financing of unemployment benefits (R-S4): an estimate from the jobseeking spells.

The registers that would tell exactly which benefit Kela or a fund paid for which day do not reach the
platform, so the estimate infers them from the spells, step by step (``docs/planning.md``):

1. **Paid days** — every weekday (5 days a week, Monday–Friday) of a status period in which a benefit is
   paid: unemployed, fully laid off and in an employment-promoting service count fully, a shortened week
   and part-time work by a configured share; no benefit during wage-subsidised work or a start-up grant.
   The waiting period (omavastuuaika) at the start of each spell is not paid.
2. **Benefit type by history** — at the start of a spell, a person with enough employment (the work
   condition, työssäoloehto) in the review window starts a new benefit period: the unemployment
   allowance for at most 300 or 400 paid days (earnings-related for fund members, a configured share;
   basic otherwise), then the labour-market subsidy. Without enough employment: the labour-market
   subsidy. A person with no employment data at all is treated as eligible with a configured probability
   (both branches are computed and weighted).
3. **Municipal share** — the step table in force on each day (``benefit_financing.*`` in the national
   rules): until 31.12.2024 only the labour-market subsidy, by its accumulated days paid for
   unemployment (300 / 1 000 days); from 1.1.2025 all three benefits (the earnings-related one for its
   basic part) by the person's accumulated paid days (from 100 days, in steps). The accumulated days are
   counted in the benefit period and reset when a new one starts. The share of a day uses the days paid
   *before* it.
4. **Cost** — paid days × the daily amount in force × the share, charged to the home municipality on
   the day (Kela: the municipality of residence on the payment date).

Every assumption is a versioned value in ``assumptions.yaml`` (read through
:func:`alue.planning.assumptions.planning_rules`); the legal values come from ``national.yaml``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.financing_rules import (
    COVERED_BENEFITS,
    EARNINGS_RELATED_REDUCTION_STEPS,
    MUNICIPAL_SHARE_STEPS,
    Benefit,
)
from alue.area.rules import RuleBook, RuleNotInForceError, RuleRef, RuleVersion
from alue.people.models import (
    EmploymentEpisode,
    EmploymentKind,
    JobseekingSpell,
    Person,
    Residence,
    Status,
    StatusPeriod,
)
from alue.planning.assumptions import planning_rules
from alue.services.models import Participation, Service
from alue.shared.time import DateRange, add_months

#: Benefits are paid for five days a week, Monday to Friday (public holidays included).
WEEKMASK = "1111100"

LMS_DAILY = "benefit.labour_market_subsidy_daily_eur"
BASIC_DAILY = "benefit.basic_allowance_daily_eur"
SERVICES_CHARGED = "planning.financing.services_charged"
COUNT_BEFORE_2025 = "planning.financing.count_days_paid_before_2025"
WORK_CONDITION_WEEKS = "planning.benefit.work_condition_weeks"
REVIEW_WINDOW = "planning.benefit.review_window_months"
MAX_DAYS_SHORT = "planning.benefit.allowance_max_days_short_history"
MAX_DAYS_LONG = "planning.benefit.allowance_max_days_long_history"
LONG_HISTORY_WEEKS = "planning.benefit.long_history_weeks"
WAITING_DAYS = "planning.benefit.waiting_days"
FUND_MEMBER_SHARE = "planning.benefit.fund_member_share"
ELIGIBLE_WITHOUT_HISTORY = "planning.benefit.eligible_share_without_history"
EARNINGS_PART = "planning.benefit.earnings_part_daily_eur"
SHORTENED_WEEK_SHARE = "planning.benefit.shortened_week_paid_share"
PART_TIME_SHARE = "planning.benefit.part_time_paid_share"
NON_BENEFIT_SERVICES = "planning.benefit.non_benefit_service_kinds"

#: Rules whose versions together decide the municipal share of a day.
REGIME_RULES = (MUNICIPAL_SHARE_STEPS, COVERED_BENEFITS, SERVICES_CHARGED, COUNT_BEFORE_2025)
#: Employment that counts towards the work condition (wage-subsidised work does not, HE 13/2024 vp).
WORK_CONDITION_KINDS = (EmploymentKind.OPEN_MARKET, EmploymentKind.APPRENTICESHIP)

LMS, BASIC, EARNINGS = (
    Benefit.LABOUR_MARKET_SUBSIDY,
    Benefit.BASIC_UNEMPLOYMENT_ALLOWANCE,
    Benefit.EARNINGS_RELATED_ALLOWANCE,
)
OTHER_MUNICIPALITY = "other"


# ------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Spell:
    start: dt.date
    end: dt.date | None
    #: (status, start, end) of the status periods inside the spell
    periods: tuple[tuple[Status, dt.date, dt.date | None], ...]


@dataclass(frozen=True)
class PersonHistory:
    """What the estimate needs of one person (no names: a pseudonymous key at most)."""

    key: int
    home: str
    spells: tuple[Spell, ...]
    #: (start, end, municipality) residence rows; the home municipality fills the gaps
    residences: tuple[tuple[dt.date, dt.date | None, str], ...] = ()
    #: (start, end) of employment that counts towards the work condition
    employment: tuple[tuple[dt.date, dt.date | None], ...] = ()
    #: whether the data holds any employment episode for the person at all (else history is unknown)
    employment_known: bool = True
    #: (start, end) of participations in services without unemployment benefit (wage subsidy …)
    non_benefit_services: tuple[tuple[dt.date, dt.date | None], ...] = ()


# ------------------------------------------------------------------------------------ rule timeline


class _Timeline:
    """A rule's versions as segments over time, for looking up many days at once."""

    def __init__(self, book: RuleBook, rule_ids: Sequence[str]) -> None:
        bounds: set[dt.date] = set()
        for rule_id in rule_ids:
            for version in book.history(rule_id):
                bounds.add(version.effective_from)
                if version.effective_to is not None:
                    bounds.add(version.effective_to + dt.timedelta(days=1))
        self.bounds = sorted(bounds)
        self._np = np.array(self.bounds, dtype="datetime64[D]")
        self.rule_ids = tuple(rule_ids)
        self.book = book
        self._tables: dict[tuple[str, float], np.ndarray] = {}
        #: segment index → {rule id: version or None}; segment -1 is before every version
        self.segments: dict[int, dict[str, RuleVersion | None]] = {}
        for i in range(-1, len(self.bounds)):
            start = self.bounds[i] if i >= 0 else None
            self.segments[i] = {r: self._at(r, start) for r in rule_ids}

    def _at(self, rule_id: str, day: dt.date | None) -> RuleVersion | None:
        if day is None:
            return None
        try:
            return self.book.in_force(rule_id, day)
        except RuleNotInForceError:
            return None

    def index(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._np, days, side="right") - 1

    def at(self, day: dt.date) -> dict[str, RuleVersion | None]:
        return self.segments[int(self.index(np.array([day], dtype="datetime64[D]"))[0])]

    def start_of(self, segment: int) -> dt.date | None:
        return self.bounds[segment] if segment >= 0 else None

    def values(self, rule_id: str, days: np.ndarray, default: float = 0.0) -> np.ndarray:
        """Numeric value of a scalar rule on each day (``default`` where none is in force)."""
        key = (rule_id, default)
        table = self._tables.get(key)
        if table is None:
            table = np.array(
                [
                    float(version.value) if (version := self.segments[i][rule_id]) is not None else default
                    for i in range(-1, len(self.bounds))
                ]
            )
            self._tables[key] = table
        return table[self.index(days) + 1]


def _step_lookup(rows: Sequence[Any], counter: np.ndarray) -> np.ndarray:
    """Vectorised :func:`alue.area.rules.step_share`: the share of the last row with from_days ≤ counter."""
    from_days = np.array([r.from_days for r in rows], dtype=float)
    shares = np.array([float(r.share) for r in rows])
    pos = np.searchsorted(from_days, counter + 1e-9, side="right") - 1
    return shares[np.clip(pos, 0, None)]


# ------------------------------------------------------------------------------------ vector helpers


def _excl_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Exclusive running sum of ``values`` restarting where ``first`` is true (rows sorted by group)."""
    total = np.cumsum(values)
    before = total - values
    starts = np.flatnonzero(first)
    if starts.size == 0:
        return before
    segment = np.cumsum(first) - 1
    return before - before[starts][segment]


def _group_starts(groups: np.ndarray) -> np.ndarray:
    first = np.ones(groups.size, dtype=bool)
    if groups.size > 1:
        first[1:] = groups[1:] != groups[:-1]
    return first


def _covered(keys: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each key lies in some interval [lo, hi] (any order, overlaps allowed)."""
    if lo.size == 0 or keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], np.maximum.accumulate(hi[order])
    pos = np.searchsorted(lo, keys, side="right") - 1
    ok = pos >= 0
    result = np.zeros(keys.size, dtype=bool)
    result[ok] = keys[ok] <= hi[pos[ok]]
    return result


_DAY_BITS = np.int64(1 << 20)  # days since 1970 fit in 20 bits until the year 4840


def _key(person: np.ndarray, days: np.ndarray) -> np.ndarray:
    return person.astype(np.int64) * _DAY_BITS + days.astype("datetime64[D]").astype(np.int64)


# ------------------------------------------------------------------------------------------ the engine


@dataclass
class PersonDays:
    """Per-day detail of one person (weekdays with a paid benefit), for aggregation and tests."""

    days: np.ndarray  # datetime64[D]
    weight: np.ndarray  # full benefit days paid (0–1)
    in_service: np.ndarray  # bool
    spell_start: np.ndarray  # datetime64[D]: start of the jobseeking spell of the day
    municipality: np.ndarray  # object: home municipality on the day
    #: share of the day paid as each benefit (they sum to 1)
    lms: np.ndarray
    basic: np.ndarray
    earnings: np.ndarray
    #: the municipal share of the day under the rule in force on it, and the cost
    share: np.ndarray
    municipal_cost: np.ndarray
    total_cost: np.ndarray
    #: the same day under the rules in force on a reference date (like-for-like series)
    reference_cost: np.ndarray
    #: accumulated days paid before the day, under the rule in force on it
    counter: np.ndarray
    #: the day is at least 3 months after the start of its jobseeking spell
    after_3m: np.ndarray


@dataclass
class DayTable:
    """Every paid weekday of a group of people (one row per person, branch and day), sorted by branch."""

    person: np.ndarray  # index into the people given
    branch: np.ndarray  # one id per (person, eligibility branch)
    branch_weight: np.ndarray  # 1, or the probability of the branch for people with unknown history
    days: np.ndarray
    weight: np.ndarray
    in_service: np.ndarray
    spell_start: np.ndarray
    after_3m: np.ndarray
    municipality: np.ndarray  # index into ``codes``
    codes: list[str]
    lms: np.ndarray
    basic: np.ndarray
    earnings: np.ndarray
    share: np.ndarray
    counter: np.ndarray
    municipal_cost: np.ndarray
    total_cost: np.ndarray
    reference_cost: np.ndarray


_STATUS_CODE = {
    Status.UNEMPLOYED: 0,
    Status.LAID_OFF_FULL: 0,
    Status.IN_SERVICE: 1,
    Status.SHORTENED_WEEK: 2,
    Status.PART_TIME: 3,
}


class FinancingEngine:
    """Computes the paid days, benefit types, shares and costs of people, with the rules in ``book``.

    Vectorised over many people at once (:meth:`table`); :meth:`person` gives one person's days.
    """

    def __init__(self, book: RuleBook, *, until: dt.date, reference: dt.date | None = None) -> None:
        self.book = book
        self.until = until
        self.reference = reference or until
        self.regime = _Timeline(book, REGIME_RULES)
        self.scalars = _Timeline(
            book,
            (LMS_DAILY, BASIC_DAILY, FUND_MEMBER_SHARE, EARNINGS_PART, SHORTENED_WEEK_SHARE, PART_TIME_SHARE),
        )
        self.reduction = _Timeline(book, (EARNINGS_RELATED_REDUCTION_STEPS,))
        self._cache: dict[tuple[str, dt.date], Any] = {}

    # ------------------------------------------------------------------ rule helpers
    def _value(self, rule_id: str, on: dt.date, default: Any = None) -> Any:
        key = (rule_id, on)
        if key not in self._cache:
            try:
                self._cache[key] = self.book.value(rule_id, on)
            except RuleNotInForceError:
                self._cache[key] = default
        value = self._cache[key]
        return default if value is None else value

    def rule_refs(self, start: dt.date, end: dt.date) -> list[RuleRef]:
        """Every rule version in force at some point between ``start`` and ``end`` that the estimate uses."""
        ids = (
            *REGIME_RULES,
            LMS_DAILY,
            BASIC_DAILY,
            EARNINGS_RELATED_REDUCTION_STEPS,
            WORK_CONDITION_WEEKS,
            REVIEW_WINDOW,
            MAX_DAYS_SHORT,
            MAX_DAYS_LONG,
            LONG_HISTORY_WEEKS,
            WAITING_DAYS,
            FUND_MEMBER_SHARE,
            ELIGIBLE_WITHOUT_HISTORY,
            EARNINGS_PART,
            SHORTENED_WEEK_SHARE,
            PART_TIME_SHARE,
            NON_BENEFIT_SERVICES,
        )
        period = DateRange(start, end)
        refs: list[RuleRef] = []
        for rule_id in ids:
            if rule_id not in self.book:
                continue
            for version in self.book.history(rule_id):
                if version.period.overlaps(period):
                    refs.append(version.ref())
        return refs

    # ------------------------------------------------------------------ benefit periods
    @staticmethod
    def _weeks_worked(
        employment: Sequence[tuple[dt.date, dt.date | None]], lo: dt.date | None, before: dt.date
    ) -> float:
        days = 0
        for start, end in employment:
            a = max(start, lo) if lo is not None else start
            b = min(end or before, before - dt.timedelta(days=1))
            if b >= a:
                days += (b - a).days + 1
        return days / 7

    def _spell_rules(
        self, person: PersonHistory, branch: bool | None
    ) -> list[tuple[bool, bool, float, float]]:
        """Per spell: (starts a new benefit period, allowance-eligible, allowance max days, waiting days)."""
        rows = []
        for index, spell in enumerate(person.spells):
            waiting = float(self._value(WAITING_DAYS, spell.start, 0))
            if branch is not None:
                eligible = branch if index == 0 else False
                long_history = False
            else:
                window = int(self._value(REVIEW_WINDOW, spell.start, 28))
                needed = float(self._value(WORK_CONDITION_WEEKS, spell.start, 52))
                eligible = (
                    self._weeks_worked(person.employment, add_months(spell.start, -window), spell.start)
                    >= needed
                )
                long_weeks = float(self._value(LONG_HISTORY_WEEKS, spell.start, 156))
                long_history = self._weeks_worked(person.employment, None, spell.start) >= long_weeks
            max_days = float(self._value(MAX_DAYS_LONG if long_history else MAX_DAYS_SHORT, spell.start, 300))
            rows.append((eligible or index == 0, eligible, max_days, waiting))
        return rows

    # ------------------------------------------------------------------ the day table
    def table(self, people: Sequence[PersonHistory]) -> DayTable | None:
        """The day table of ``people`` (see :class:`DayTable`); None when nobody has a paid day."""
        # --- rows: one per status period of each spell of each branch of each person
        r_person: list[int] = []
        r_branch: list[int] = []
        r_spell: list[int] = []
        r_status: list[int] = []
        r_start: list[dt.date] = []
        r_stop: list[dt.date] = []
        s_start: list[dt.date] = []
        s_after3: list[dt.date] = []
        s_waiting: list[float] = []
        s_period: list[int] = []
        p_eligible: list[bool] = []
        p_max: list[float] = []
        b_weight: list[float] = []
        codes: dict[str, int] = {}
        homes: list[int] = []
        res_person: list[int] = []
        res_lo: list[dt.date] = []
        res_hi: list[dt.date] = []
        res_code: list[int] = []
        nb_person: list[int] = []
        nb_lo: list[dt.date] = []
        nb_hi: list[dt.date] = []
        branch_id = 0
        spell_id = 0
        period_id = -1
        far = dt.date(9999, 12, 31)
        for i, person in enumerate(people):
            homes.append(codes.setdefault(person.home, len(codes)))
            for r_lo, r_hi, r_code in sorted(person.residences, key=lambda r: r[0]):
                res_person.append(i)
                res_lo.append(r_lo)
                res_hi.append(r_hi or far)
                res_code.append(codes.setdefault(r_code, len(codes)))
            for r_lo, r_hi in person.non_benefit_services:
                nb_person.append(i)
                nb_lo.append(r_lo)
                nb_hi.append(r_hi or far)
            if person.employment_known:
                branches: list[tuple[bool | None, float]] = [(None, 1.0)]
            else:
                p = (
                    float(self._value(ELIGIBLE_WITHOUT_HISTORY, person.spells[0].start, 0.5))
                    if person.spells
                    else 0.5
                )
                branches = [(True, p), (False, 1.0 - p)]
            for branch_flag, branch_weight in branches:
                if branch_weight <= 0:
                    continue
                rules = self._spell_rules(person, branch_flag)
                for spell_, (new, eligible, max_days, waiting) in zip(person.spells, rules, strict=True):
                    if new:  # the first spell of every branch starts a period too
                        period_id += 1
                        p_eligible.append(eligible)
                        p_max.append(max_days)
                    s_start.append(spell_.start)
                    s_after3.append(add_months(spell_.start, 3))
                    s_waiting.append(waiting)
                    s_period.append(period_id)
                    for status_, start_, end_ in spell_.periods:
                        status_code = _STATUS_CODE.get(status_)
                        if status_code is None:
                            continue
                        stop_ = min(end_ or self.until, self.until)
                        if stop_ < start_:
                            continue
                        r_person.append(i)
                        r_branch.append(branch_id)
                        r_spell.append(spell_id)
                        r_status.append(status_code)
                        r_start.append(start_)
                        r_stop.append(stop_)
                    spell_id += 1
                b_weight.append(branch_weight)
                branch_id += 1
        if not r_start:
            return None
        # --- expand the rows into weekdays
        starts = np.array(r_start, dtype="datetime64[D]")
        stops = np.array(r_stop, dtype="datetime64[D]")
        first = np.busday_offset(starts, 0, roll="forward", weekmask=WEEKMASK)
        counts = np.maximum(np.busday_count(first, stops + 1, weekmask=WEEKMASK), 0)
        row = np.repeat(np.arange(len(r_start)), counts)
        offset = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
        days = np.busday_offset(first[row], offset, weekmask=WEEKMASK)
        person_ = np.array(r_person)[row]
        branch = np.array(r_branch)[row]
        spell = np.array(r_spell)[row]
        status = np.array(r_status)[row]
        order = np.lexsort((days, branch))
        days, person_, branch, spell, status = (
            days[order],
            person_[order],
            branch[order],
            spell[order],
            status[order],
        )

        weight = np.ones(days.size)
        short = status == 2
        if short.any():
            weight[short] = self.scalars.values(SHORTENED_WEEK_SHARE, days[short])
        part = status == 3
        if part.any():
            weight[part] = self.scalars.values(PART_TIME_SHARE, days[part])
        in_service = status == 1
        if nb_person and in_service.any():
            keys = _key(person_[in_service], days[in_service])
            lo = _key(np.array(nb_person), np.array(nb_lo, dtype="datetime64[D]"))
            hi = _key(np.array(nb_person), np.array(nb_hi, dtype="datetime64[D]"))
            blocked = _covered(keys, lo, hi)
            w = weight[in_service]
            w[blocked] = 0.0
            weight[in_service] = w
        # Waiting period: the first N paid days of each spell are not paid.
        spell_first = _group_starts(spell)
        before = _excl_cumsum(weight, spell_first)
        waiting = np.array(s_waiting)[spell]
        weight = np.where(before < waiting - 1e-9, np.maximum(0.0, before + weight - waiting), weight)

        # --- benefit type: the allowance while the period's allowance days last, then the subsidy
        period = np.array(s_period)[spell]
        period_first = _group_starts(period)
        allowance_before = _excl_cumsum(weight, period_first)
        eligible = np.array(p_eligible)[period]
        max_days = np.array(p_max)[period]
        allowance = np.where(
            eligible,
            np.clip((max_days - allowance_before) / np.where(weight > 0, weight, 1.0), 0.0, 1.0),
            0.0,
        )
        fund = self.scalars.values(FUND_MEMBER_SHARE, days)
        earnings = allowance * fund
        basic = allowance * (1 - fund)
        lms = 1 - allowance

        lms_daily = self.scalars.values(LMS_DAILY, days)
        basic_daily = self.scalars.values(BASIC_DAILY, days)
        earnings_part = self.scalars.values(EARNINGS_PART, days)
        reduction = np.zeros(days.size)
        red_idx = self.reduction.index(days)
        for seg in np.unique(red_idx):
            version = self.reduction.segments[int(seg)][EARNINGS_RELATED_REDUCTION_STEPS]
            if version is None:
                continue
            mask = red_idx == seg
            reduction[mask] = _step_lookup(version.value, allowance_before[mask])
        total = weight * (
            lms * lms_daily + basic * basic_daily + earnings * (basic_daily + earnings_part * (1 - reduction))
        )
        parts = (weight, in_service, period_first, lms, basic, earnings)
        share, municipal, counter = self._municipal(days, *parts, lms_daily, basic_daily, fixed=None)
        ref_lms = float(self._value(LMS_DAILY, self.reference, 0.0))
        ref_basic = float(self._value(BASIC_DAILY, self.reference, 0.0))
        _, reference_cost, _ = self._municipal(
            days, *parts, np.full(days.size, ref_lms), np.full(days.size, ref_basic), fixed=self.reference
        )

        # --- home municipality on the day (a residence row, else the home municipality)
        municipality = np.array(homes)[person_]
        if res_person:
            keys = _key(person_, days)
            lo = _key(np.array(res_person), np.array(res_lo, dtype="datetime64[D]"))
            hi = _key(np.array(res_person), np.array(res_hi, dtype="datetime64[D]"))
            order_r = np.argsort(lo, kind="stable")
            lo_s, hi_s, code_s = lo[order_r], hi[order_r], np.array(res_code)[order_r]
            pos = np.searchsorted(lo_s, keys, side="right") - 1
            ok = pos >= 0
            ok[ok] &= keys[ok] <= hi_s[pos[ok]]
            municipality[ok] = code_s[pos[ok]]
        s_start64 = np.array(s_start, dtype="datetime64[D]")
        s_after64 = np.array(s_after3, dtype="datetime64[D]")
        return DayTable(
            person=person_,
            branch=branch,
            branch_weight=np.array(b_weight)[branch],
            days=days,
            weight=weight,
            in_service=in_service,
            spell_start=s_start64[spell],
            after_3m=days >= s_after64[spell],
            municipality=municipality,
            codes=list(codes),
            lms=lms,
            basic=basic,
            earnings=earnings,
            share=share,
            counter=counter,
            municipal_cost=municipal,
            total_cost=total,
            reference_cost=reference_cost,
        )

    def _municipal(
        self,
        days: np.ndarray,
        weight: np.ndarray,
        in_service: np.ndarray,
        period_first: np.ndarray,
        lms: np.ndarray,
        basic: np.ndarray,
        earnings: np.ndarray,
        lms_daily: np.ndarray,
        basic_daily: np.ndarray,
        *,
        fixed: dt.date | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(share, municipal cost, counter) of each day, by the regime in force on it or on ``fixed``."""
        share = np.zeros(days.size)
        cost = np.zeros(days.size)
        counter_out = np.zeros(days.size)
        if fixed is not None:
            segments = {0: self.regime.at(fixed)}
            seg_of_day = np.zeros(days.size, dtype=int)
        else:
            seg_of_day = self.regime.index(days)
            segments = {int(s): self.regime.segments[int(s)] for s in np.unique(seg_of_day)}
        for seg, versions in segments.items():
            steps = versions[MUNICIPAL_SHARE_STEPS]
            covered_v = versions[COVERED_BENEFITS]
            if steps is None or covered_v is None:
                continue
            covered = set(covered_v.value)
            charged_v = versions[SERVICES_CHARGED]
            services = bool(charged_v.value) if charged_v is not None else False
            before_v = versions[COUNT_BEFORE_2025]
            count_before = bool(before_v.value) if before_v is not None else True
            benefit_weight = (
                lms * (LMS.value in covered)
                + basic * (BASIC.value in covered)
                + earnings * (EARNINGS.value in covered)
            )
            counted = weight * benefit_weight
            if not services:
                counted = np.where(in_service, 0.0, counted)
            if not count_before:
                counted = np.where(days < np.datetime64(steps.effective_from), 0.0, counted)
            counter = _excl_cumsum(counted, period_first)
            mask = seg_of_day == seg
            day_share = _step_lookup(steps.value, counter[mask])
            charged = np.ones(int(mask.sum())) if services else np.where(in_service[mask], 0.0, 1.0)
            amount = (
                lms[mask] * lms_daily[mask] * (LMS.value in covered)
                + (basic[mask] * (BASIC.value in covered) + earnings[mask] * (EARNINGS.value in covered))
                * basic_daily[mask]
            )
            share[mask] = day_share * (benefit_weight[mask] > 0) * charged
            cost[mask] = weight[mask] * charged * amount * day_share
            counter_out[mask] = counter[mask]
        return share, cost, counter_out

    # ------------------------------------------------------------------ one person
    def person(self, person: PersonHistory) -> PersonDays | None:
        """One person's paid days; with unknown history the two branches are folded by their weights."""
        table = self.table([person])
        if table is None:
            return None
        branches = np.unique(table.branch)
        base = table.branch == branches[0]

        def fold(values: np.ndarray) -> np.ndarray:
            if branches.size == 1:
                return values[base]
            return sum(  # type: ignore[return-value]
                values[table.branch == b] * table.branch_weight[table.branch == b][0] for b in branches
            )

        return PersonDays(
            days=table.days[base],
            weight=table.weight[base],
            in_service=table.in_service[base],
            spell_start=table.spell_start[base],
            municipality=np.array(table.codes, dtype=object)[table.municipality[base]],
            lms=fold(table.lms),
            basic=fold(table.basic),
            earnings=fold(table.earnings),
            share=fold(table.share),
            municipal_cost=fold(table.municipal_cost),
            total_cost=fold(table.total_cost),
            reference_cost=fold(table.reference_cost),
            counter=fold(table.counter),
            after_3m=table.after_3m[base],
        )


# ----------------------------------------------------------------------------------------- monthly


@dataclass
class MonthlyFigures:
    """Figures by municipality and month (``YYYY-MM``)."""

    months: list[str]
    paid_days: dict[str, dict[str, np.ndarray]] = field(
        default_factory=dict
    )  # municipality → benefit → month
    municipal_cost: dict[str, np.ndarray] = field(default_factory=dict)
    total_cost: dict[str, np.ndarray] = field(default_factory=dict)
    reference_cost: dict[str, np.ndarray] = field(default_factory=dict)
    #: reference-rule cost on days at least 3 months after the start of the person's jobseeking spell
    reference_cost_after_3m: dict[str, np.ndarray] = field(default_factory=dict)
    #: paid days with a municipal share above zero
    charged_days: dict[str, np.ndarray] = field(default_factory=dict)

    def add_table(self, table: DayTable, start: dt.date, end: dt.date) -> None:
        n = len(self.months)
        first_month = np.datetime64(f"{start.year:04d}-{start.month:02d}", "M")
        keep = (table.days >= np.datetime64(start)) & (table.days <= np.datetime64(end))
        if not keep.any():
            return
        month = (table.days[keep].astype("datetime64[M]") - first_month).astype(np.int64)
        muni = table.municipality[keep]
        w = table.branch_weight[keep]
        n_codes = len(table.codes)
        cell = muni * n + month

        def bins(values: np.ndarray) -> np.ndarray:
            return np.bincount(cell, weights=values[keep] * w, minlength=n_codes * n).reshape(n_codes, n)

        series = {
            "lms": bins(table.weight * table.lms),
            "basic": bins(table.weight * table.basic),
            "earnings": bins(table.weight * table.earnings),
            "municipal": bins(table.municipal_cost),
            "total": bins(table.total_cost),
            "reference": bins(table.reference_cost),
            "after3": bins(table.reference_cost * table.after_3m),
            "charged": bins(table.weight * (table.share > 0)),
        }
        self.merge(table.codes, series)

    def merge(self, codes: Sequence[str], series: dict[str, np.ndarray]) -> None:
        """Add per-municipality rows (``series[name][code index]``) to the figures."""
        n = len(self.months)
        for index, code in enumerate(codes):
            days = self.paid_days.setdefault(code, {b.value: np.zeros(n) for b in Benefit})
            days[LMS.value] += series["lms"][index]
            days[BASIC.value] += series["basic"][index]
            days[EARNINGS.value] += series["earnings"][index]
            for target, key in (
                (self.municipal_cost, "municipal"),
                (self.total_cost, "total"),
                (self.reference_cost, "reference"),
                (self.reference_cost_after_3m, "after3"),
                (self.charged_days, "charged"),
            ):
                target.setdefault(code, np.zeros(n))
                target[code] += series[key][index]


# ---------------------------------------------------------------------------------- segment engine


def _days_below(threshold: float, before: np.ndarray, rate: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Whole days (of ``length``) whose running counter, starting at ``before`` and growing by ``rate`` a
    day, is still below ``threshold`` before the day — the day engine's rule, counted in closed form."""
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.ceil((threshold - before) / rate - 1e-9)
    days = np.where(rate > 0, days, np.where(before < threshold - 1e-9, length, 0.0))
    return np.clip(days, 0.0, length)


def _split_by_steps(
    rows: Sequence[Any], before: np.ndarray, rate: np.ndarray, length: np.ndarray
) -> list[tuple[float, np.ndarray]]:
    """(share, whole days at that share) for each row of a step table over a run of days."""
    result = []
    bounds = [float(r.from_days) for r in rows] + [math.inf]
    for row, lo, hi in zip(rows, bounds[:-1], bounds[1:], strict=True):
        below_hi = length if hi == math.inf else _days_below(hi, before, rate, length)
        below_lo = _days_below(lo, before, rate, length) if lo > 0 else np.zeros_like(length)
        result.append((float(row.share), np.maximum(below_hi - below_lo, 0.0)))
    return result


class SegmentEngine(FinancingEngine):
    """The same model as :class:`FinancingEngine`, computed on runs of days instead of single days.

    A run is a part of a status period inside one calendar month, cut where the home municipality, a
    benefit-free service or the 3-month mark of the spell changes, and split once more where the
    allowance days run out. Within a run every day has the same weight, benefit and rules, so the days at
    each step of a step table follow in closed form (:func:`_days_below`). Rule versions are taken at the
    start of each run (every rule the estimate uses changes on the first day of a month). The day engine
    stays the readable reference; a test checks that both give the same monthly figures.
    """

    def figures(
        self, people: Sequence[PersonHistory], *, start: dt.date, end: dt.date, into: MonthlyFigures
    ) -> None:
        runs = self._runs(people)
        if runs is None:
            return
        self._aggregate(runs, start=start, end=end, into=into)

    # ------------------------------------------------------------------ runs of days
    def _runs(self, people: Sequence[PersonHistory]) -> dict[str, Any] | None:
        r_person: list[int] = []
        r_branch: list[int] = []
        r_spell: list[int] = []
        r_status: list[int] = []
        r_start: list[dt.date] = []
        r_stop: list[dt.date] = []
        s_waiting: list[float] = []
        s_period: list[int] = []
        s_after3: list[dt.date] = []
        p_eligible: list[bool] = []
        p_max: list[float] = []
        b_weight: list[float] = []
        codes: dict[str, int] = {}
        homes: list[int] = []
        cut_person: list[int] = []
        cut_day: list[dt.date] = []
        res_person: list[int] = []
        res_lo: list[dt.date] = []
        res_hi: list[dt.date] = []
        res_code: list[int] = []
        nb_person: list[int] = []
        nb_lo: list[dt.date] = []
        nb_hi: list[dt.date] = []
        far = dt.date(9999, 12, 31)
        branch_id = spell_id = 0
        period_id = -1
        one = dt.timedelta(days=1)
        for i, person in enumerate(people):
            homes.append(codes.setdefault(person.home, len(codes)))
            for r_lo, r_hi, r_code in person.residences:
                res_person.append(i)
                res_lo.append(r_lo)
                res_hi.append(r_hi or far)
                res_code.append(codes.setdefault(r_code, len(codes)))
                cut_person.append(i)
                cut_day.append(r_lo)
                if r_hi is not None:
                    cut_person.append(i)
                    cut_day.append(r_hi + one)
            for r_lo, r_hi in person.non_benefit_services:
                nb_person.append(i)
                nb_lo.append(r_lo)
                nb_hi.append(r_hi or far)
                cut_person.append(i)
                cut_day.append(r_lo)
                if r_hi is not None:
                    cut_person.append(i)
                    cut_day.append(r_hi + one)
            for spell_ in person.spells:
                cut_person.append(i)
                cut_day.append(add_months(spell_.start, 3))
            if person.employment_known:
                branches: list[tuple[bool | None, float]] = [(None, 1.0)]
            else:
                p = (
                    float(self._value(ELIGIBLE_WITHOUT_HISTORY, person.spells[0].start, 0.5))
                    if person.spells
                    else 0.5
                )
                branches = [(True, p), (False, 1.0 - p)]
            for branch_flag, branch_weight in branches:
                if branch_weight <= 0:
                    continue
                for spell_, (new, eligible, max_days, waiting) in zip(
                    person.spells, self._spell_rules(person, branch_flag), strict=True
                ):
                    if new:
                        period_id += 1
                        p_eligible.append(eligible)
                        p_max.append(max_days)
                    s_waiting.append(waiting)
                    s_period.append(period_id)
                    s_after3.append(add_months(spell_.start, 3))
                    for status_, start_, end_ in spell_.periods:
                        status_code = _STATUS_CODE.get(status_)
                        if status_code is None:
                            continue
                        stop_ = min(end_ or self.until, self.until)
                        if stop_ < start_:
                            continue
                        r_person.append(i)
                        r_branch.append(branch_id)
                        r_spell.append(spell_id)
                        r_status.append(status_code)
                        r_start.append(start_)
                        r_stop.append(stop_)
                    spell_id += 1
                b_weight.append(branch_weight)
                branch_id += 1
        if not r_start:
            return None
        starts = np.array(r_start, dtype="datetime64[D]")
        stops = np.array(r_stop, dtype="datetime64[D]")
        # --- cut at month boundaries
        m0 = starts.astype("datetime64[M]")
        m1 = stops.astype("datetime64[M]")
        k = (m1 - m0).astype(np.int64) + 1
        row = np.repeat(np.arange(starts.size), k)
        month = m0[row] + (np.arange(row.size) - np.repeat(np.cumsum(k) - k, k)).astype("timedelta64[M]")
        lo = np.maximum(starts[row], month.astype("datetime64[D]"))
        hi = np.minimum(stops[row], (month + 1).astype("datetime64[D]") - 1)
        person_ = np.array(r_person)[row]
        # --- cut where the municipality, a benefit-free service or the 3-month mark changes
        if cut_person:
            cuts = np.unique(_key(np.array(cut_person), np.array(cut_day, dtype="datetime64[D]")))
            a = np.searchsorted(cuts, _key(person_, lo), side="right")
            b = np.searchsorted(cuts, _key(person_, hi), side="right")
            n_cuts = b - a
            if n_cuts.any():
                piece = np.repeat(np.arange(lo.size), n_cuts + 1)
                j = np.arange(piece.size) - np.repeat(np.cumsum(n_cuts + 1) - (n_cuts + 1), n_cuts + 1)
                cut_days = (cuts % _DAY_BITS).astype("datetime64[D]")
                first_cut = a[piece] + j - 1  # the cut that starts this piece (j ≥ 1)
                new_lo = np.where(j == 0, lo[piece], cut_days[np.clip(first_cut, 0, cuts.size - 1)])
                next_cut = a[piece] + j
                last = j == n_cuts[piece]
                new_hi = np.where(last, hi[piece], cut_days[np.clip(next_cut, 0, cuts.size - 1)] - 1)
                row, lo, hi, person_ = row[piece], new_lo, new_hi, person_[piece]
        n = np.busday_count(lo, hi + 1, weekmask=WEEKMASK).astype(float)
        keep = n > 0
        row, lo, hi, person_, n = row[keep], lo[keep], hi[keep], person_[keep], n[keep]
        branch = np.array(r_branch)[row]
        order = np.lexsort((lo, branch))
        row, lo, person_, n, branch = row[order], lo[order], person_[order], n[order], branch[order]
        spell = np.array(r_spell)[row]
        status = np.array(r_status)[row]

        w = np.ones(n.size)
        for code, rule in ((2, SHORTENED_WEEK_SHARE), (3, PART_TIME_SHARE)):
            sel = status == code
            if sel.any():
                w[sel] = self.scalars.values(rule, lo[sel])
        in_service = status == 1
        if nb_person and in_service.any():
            keys = _key(person_[in_service], lo[in_service])
            blocked = _covered(
                keys,
                _key(np.array(nb_person), np.array(nb_lo, dtype="datetime64[D]")),
                _key(np.array(nb_person), np.array(nb_hi, dtype="datetime64[D]")),
            )
            ws = w[in_service]
            ws[blocked] = 0.0
            w[in_service] = ws
        paid = w * n
        # --- waiting period: the first N paid days of each spell
        before = _excl_cumsum(paid, _group_starts(spell))
        waiting = np.array(s_waiting)[spell]
        unpaid = np.clip(waiting - before, 0.0, paid)
        paid = paid - unpaid
        # --- allowance days of the benefit period, then the labour-market subsidy
        period = np.array(s_period)[spell]
        period_first = _group_starts(period)
        a0 = _excl_cumsum(paid, period_first)
        eligible = np.array(p_eligible)[period]
        max_days = np.array(p_max)[period]
        allow = np.where(eligible, np.clip(max_days - a0, 0.0, paid), 0.0)
        # two sub-runs per run: allowance first, then subsidy (empty ones are dropped)
        sub_paid = np.stack([allow, paid - allow], axis=1).ravel()
        sub_kind = np.tile(np.array([1, 0]), paid.size)  # 1 allowance, 0 subsidy
        idx = np.repeat(np.arange(paid.size), 2)
        keep = sub_paid > 1e-12
        idx, sub_paid, sub_kind = idx[keep], sub_paid[keep], sub_kind[keep]
        sub_a0 = np.where(sub_kind == 1, a0[idx], 0.0)
        municipality = np.array(homes)[person_[idx]]
        if res_person:
            keys = _key(person_[idx], lo[idx])
            rlo = _key(np.array(res_person), np.array(res_lo, dtype="datetime64[D]"))
            rhi = _key(np.array(res_person), np.array(res_hi, dtype="datetime64[D]"))
            order_r = np.argsort(rlo, kind="stable")
            rlo, rhi, rcode = rlo[order_r], rhi[order_r], np.array(res_code)[order_r]
            pos = np.searchsorted(rlo, keys, side="right") - 1
            ok = pos >= 0
            ok[ok] &= keys[ok] <= rhi[pos[ok]]
            municipality[ok] = rcode[pos[ok]]
        after3 = np.array(s_after3, dtype="datetime64[D]")
        return {
            "lo": lo[idx],
            "w": w[idx],
            "paid": sub_paid,
            "kind": sub_kind,
            "a0": sub_a0,
            "in_service": in_service[idx],
            "period_first": _group_starts(period[idx]),
            "municipality": municipality,
            "codes": list(codes),
            "branch_weight": np.array(b_weight)[branch[idx]],
            "after_3m": lo[idx] >= after3[spell[idx]],
        }

    # ------------------------------------------------------------------ money
    def _costs(self, runs: dict[str, Any], *, fixed: dt.date | None) -> tuple[np.ndarray, np.ndarray]:
        """(municipal cost, paid days with a share above zero) of each run, by regime."""
        lo, w, paid, kind = runs["lo"], runs["w"], runs["paid"], runs["kind"]
        fund = self.scalars.values(FUND_MEMBER_SHARE, lo)
        if fixed is None:
            lms_daily = self.scalars.values(LMS_DAILY, lo)
            basic_daily = self.scalars.values(BASIC_DAILY, lo)
            seg_of = self.regime.index(lo)
            segments = {int(s): self.regime.segments[int(s)] for s in np.unique(seg_of)}
        else:
            lms_daily = np.full(lo.size, float(self._value(LMS_DAILY, fixed, 0.0)))
            basic_daily = np.full(lo.size, float(self._value(BASIC_DAILY, fixed, 0.0)))
            seg_of = np.zeros(lo.size, dtype=int)
            segments = {0: self.regime.at(fixed)}
        cost = np.zeros(lo.size)
        charged_days = np.zeros(lo.size)
        for seg, versions in segments.items():
            steps, covered_v = versions[MUNICIPAL_SHARE_STEPS], versions[COVERED_BENEFITS]
            if steps is None or covered_v is None:
                continue
            covered = set(covered_v.value)
            charged_v = versions[SERVICES_CHARGED]
            services = bool(charged_v.value) if charged_v is not None else False
            before_v = versions[COUNT_BEFORE_2025]
            count_before = bool(before_v.value) if before_v is not None else True
            rate = np.where(
                kind == 1,
                fund * (EARNINGS.value in covered) + (1 - fund) * (BASIC.value in covered),
                float(LMS.value in covered),
            )
            counted = paid * rate
            if not services:
                counted = np.where(runs["in_service"], 0.0, counted)
            if not count_before:
                counted = np.where(lo < np.datetime64(steps.effective_from), 0.0, counted)
            c0 = _excl_cumsum(counted, runs["period_first"])
            mask = seg_of == seg
            if not services:
                mask &= ~runs["in_service"]
            day_rate = (w * rate)[mask]
            length = np.where(w[mask] > 0, paid[mask] / np.where(w[mask] > 0, w[mask], 1.0), 0.0)
            amount = np.where(kind[mask] == 1, basic_daily[mask], lms_daily[mask]) * rate[mask]
            for share, days in _split_by_steps(steps.value, c0[mask], day_rate, length):
                cost[mask] += share * days * w[mask] * amount
                if share > 0:
                    charged_days[mask] += days * w[mask] * (rate[mask] > 0)
        return cost, charged_days

    def _total(self, runs: dict[str, Any]) -> np.ndarray:
        lo, w, paid, kind, a0 = runs["lo"], runs["w"], runs["paid"], runs["kind"], runs["a0"]
        fund = self.scalars.values(FUND_MEMBER_SHARE, lo)
        lms_daily = self.scalars.values(LMS_DAILY, lo)
        basic_daily = self.scalars.values(BASIC_DAILY, lo)
        earnings_part = self.scalars.values(EARNINGS_PART, lo)
        total = np.where(kind == 1, paid * basic_daily, paid * lms_daily)
        # the earnings part of the fund members' allowance, reduced by the allowance days before
        seg_of = self.reduction.index(lo)
        allowance = kind == 1
        extra = np.where(allowance, paid * fund * earnings_part, 0.0)
        for seg in np.unique(seg_of[allowance]):
            version = self.reduction.segments[int(seg)][EARNINGS_RELATED_REDUCTION_STEPS]
            if version is None:
                continue
            mask = allowance & (seg_of == seg)
            length = paid[mask] / np.where(w[mask] > 0, w[mask], 1.0)
            for share, days in _split_by_steps(version.value, a0[mask], w[mask], length):
                extra[mask] -= share * days * w[mask] * fund[mask] * earnings_part[mask]
        return total + extra

    def _aggregate(self, runs: dict[str, Any], *, start: dt.date, end: dt.date, into: MonthlyFigures) -> None:
        municipal, charged = self._costs(runs, fixed=None)
        reference, _ = self._costs(runs, fixed=self.reference)
        total = self._total(runs)
        lo = runs["lo"]
        keep = (lo >= np.datetime64(start)) & (lo <= np.datetime64(end))
        if not keep.any():
            return
        n = len(into.months)
        first_month = np.datetime64(f"{start.year:04d}-{start.month:02d}", "M")
        month = (lo[keep].astype("datetime64[M]") - first_month).astype(np.int64)
        codes = runs["codes"]
        cell = runs["municipality"][keep] * n + month
        bw = runs["branch_weight"][keep]
        fund = self.scalars.values(FUND_MEMBER_SHARE, lo)
        kind, paid = runs["kind"], runs["paid"]

        def bins(values: np.ndarray) -> np.ndarray:
            return np.bincount(cell, weights=values[keep] * bw, minlength=len(codes) * n).reshape(
                len(codes), n
            )

        series = {
            "lms": bins(np.where(kind == 0, paid, 0.0)),
            "basic": bins(np.where(kind == 1, paid * (1 - fund), 0.0)),
            "earnings": bins(np.where(kind == 1, paid * fund, 0.0)),
            "municipal": bins(municipal),
            "total": bins(total),
            "reference": bins(reference),
            "after3": bins(reference * runs["after_3m"]),
            "charged": bins(charged),
        }
        into.merge(codes, series)


def month_keys(start: dt.date, end: dt.date) -> list[str]:
    keys = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys


#: People per batch of the day table (keeps the arrays to a few hundred megabytes at most).
BATCH_PEOPLE = 4000


def monthly_figures(
    people: Sequence[PersonHistory],
    *,
    start: dt.date,
    end: dt.date,
    book: RuleBook,
    reference: dt.date | None = None,
    method: Literal["runs", "days"] = "runs",
) -> MonthlyFigures:
    """Aggregate the people's paid days and costs by home municipality and month in [start, end].

    ``method="runs"`` (the default) computes on runs of days (:class:`SegmentEngine`); ``"days"`` on
    single days (:class:`FinancingEngine`), the slower reference used to check the fast one.
    """
    figures = MonthlyFigures(months=month_keys(start, end))
    people = list(people)
    if method == "runs":
        runs = SegmentEngine(book, until=end, reference=reference or end)
        for i in range(0, len(people), BATCH_PEOPLE * 4):
            runs.figures(people[i : i + BATCH_PEOPLE * 4], start=start, end=end, into=figures)
        return figures
    engine = FinancingEngine(book, until=end, reference=reference or end)
    for i in range(0, len(people), BATCH_PEOPLE):
        table = engine.table(people[i : i + BATCH_PEOPLE])
        if table is not None:
            figures.add_table(table, start, end)
    return figures


# ------------------------------------------------------------------------------------------ loading


def load_histories(*, session: Session, book: RuleBook, until: dt.date) -> list[PersonHistory]:
    """Every person with a jobseeking spell, as :class:`PersonHistory` (read in a few plain queries)."""
    homes = dict(session.execute(select(Person.id, Person.home_municipality_code)).all())
    spells: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for row in session.execute(
        select(
            JobseekingSpell.id,
            JobseekingSpell.person_id,
            JobseekingSpell.start_date,
            JobseekingSpell.end_date,
        ).where(JobseekingSpell.start_date <= until)
    ):
        spells[row.person_id].append((row.id, row.start_date, row.end_date))
    periods: dict[int, list[tuple[Status, dt.date, dt.date | None]]] = defaultdict(list)
    for period in session.execute(
        select(
            StatusPeriod.spell_id, StatusPeriod.status, StatusPeriod.start_date, StatusPeriod.end_date
        ).where(StatusPeriod.start_date <= until)
    ):
        periods[period.spell_id].append((Status(period.status), period.start_date, period.end_date))
    residences: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    for res in session.execute(
        select(Residence.person_id, Residence.start_date, Residence.end_date, Residence.municipality_code)
    ):
        residences[res.person_id].append((res.start_date, res.end_date, res.municipality_code))
    employment: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    any_employment: set[int] = set()
    for episode in session.execute(
        select(
            EmploymentEpisode.person_id,
            EmploymentEpisode.kind,
            EmploymentEpisode.start_date,
            EmploymentEpisode.end_date,
        )
    ):
        any_employment.add(episode.person_id)
        if EmploymentKind(episode.kind) in WORK_CONDITION_KINDS:
            employment[episode.person_id].append((episode.start_date, episode.end_date))
    try:
        kinds = set(book.value(NON_BENEFIT_SERVICES, until))
    except RuleNotInForceError:
        kinds = set()
    non_benefit: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    if kinds:
        for part in session.execute(
            select(
                Participation.person_id, Participation.start_date, Participation.end_date, Service.kind
            ).join(Service, Service.id == Participation.service_id)
        ):
            if str(part.kind) in kinds:
                non_benefit[part.person_id].append((part.start_date, part.end_date))
    result = []
    for person_id, rows in spells.items():
        rows.sort(key=lambda r: r[1])
        result.append(
            PersonHistory(
                key=person_id,
                home=homes[person_id],
                spells=tuple(
                    Spell(start=s, end=e, periods=tuple(sorted(periods.get(sid, []), key=lambda p: p[1])))
                    for sid, s, e in rows
                ),
                residences=tuple(residences.get(person_id, ())),
                employment=tuple(employment.get(person_id, ())),
                employment_known=person_id in any_employment,
                non_benefit_services=tuple(non_benefit.get(person_id, ())),
            )
        )
    return result


def default_book() -> RuleBook:
    return planning_rules()


def decimal_eur(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))
