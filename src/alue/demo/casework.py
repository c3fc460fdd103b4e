"""Casework records derived from the generated spells: service-need assessments, meetings, employment
plans, case assignments, consents and referrals; employer-service events.

* The initial interview (alkuhaastattelu) is held within the deadline of the rule in force on the day of
  registration (``initial_interview.deadline_working_days``; before the rule book's first version, the
  two-week practice of :data:`alue.demo.params.INTERVIEW_DAYS_BEFORE_RULES`), a few late.
* Job-search discussions follow every ``job_search_discussion.interval_months`` while the spell lasts;
  supplementary discussions are recorded in the Nordic-model period (2.5.2022–31.12.2025); the area's
  3-month goal check (R-D4) from the area's start.
* The employment plan is made at the initial interview and a new version at about half of the
  discussions; its job-search obligation comes from the rules in force.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from alue.area.config import Area
from alue.demo import params
from alue.demo.columns import NO_DAY, date_of, day, iso_dates, nullable_ids, timestamps
from alue.demo.generate import Generated
from alue.demo.organisation import Organisation
from alue.demo.population import GROUP_BITS
from alue.demo.simulate import EM, PT, SERVICES, SW, L
from alue.staff.models import ServiceLine

LINES = list(ServiceLine)
PATHS = ["direct_brokerage", "skills_development", "multisector", "entrepreneurship"]
PLAN_KINDS = ["employment", "activation", "multisector", "integration"]
MEETING_KINDS = [
    "initial_interview",
    "job_search_discussion",
    "supplementary_discussion",
    "three_month_check",
]
CHANNELS = ["in_person", "phone", "video", "chat"]
NORDIC_MODEL = (dt.date(2022, 5, 2), dt.date(2025, 12, 31))
WEAK_BITS = (
    GROUP_BITS["partial_work_ability"]
    | GROUP_BITS["life_management"]
    | GROUP_BITS["substance_mental_health"]
    | GROUP_BITS["neuropsychiatric"]
    | GROUP_BITS["disability"]
)

GOALS = {
    "direct_brokerage": "Työllistyminen avoimille työmarkkinoille omaan ammattiin",
    "skills_development": "Ammatillisen osaamisen vahvistaminen ja työllistyminen koulutuksen jälkeen",
    "multisector": "Työ- ja toimintakyvyn selvittäminen ja vahvistaminen monialaisesti",
    "entrepreneurship": "Yritystoiminnan aloittaminen",
}
REASONS = {
    "weak": "haasteita työ- tai toimintakyvyssä",
    "no_vocational": "ei ammatillista koulutusta",
    "young": "nuori (alle 30 v)",
    "immigrant": "maahanmuuttaja",
    "laid_off": "lomautettu",
    "ready": "työmarkkinavalmis",
}


class WorkingCalendar:
    """Vectorised working-day arithmetic (weekends and Finnish public holidays are not working days)."""

    def __init__(self, first: int, last: int) -> None:
        from alue.shared.time import is_working_day

        self.first = first
        days = np.arange(first, last + 1)
        self.working = np.array([is_working_day(date_of(int(d))) for d in days])
        self.cum = np.cumsum(self.working)

    def add(self, start: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The day ``n`` working days after ``start`` (``start`` itself not counted)."""
        i = np.clip(start - self.first, 0, len(self.cum) - 1)
        goal = self.cum[i] + n
        j = np.searchsorted(self.cum, goal, side="left")
        return self.first + np.clip(j, 0, len(self.cum) - 1)

    def next_working(self, d: np.ndarray) -> np.ndarray:
        return self.add(d - 1, np.ones(len(d), dtype=np.int64))


@dataclass
class Casework:
    assessments: dict[str, Any]
    meetings: dict[str, Any]
    plans: dict[str, Any]
    assignments: dict[str, Any]
    consents: dict[str, Any]
    referrals: dict[str, Any]
    employer_events: dict[str, Any]


def _rule_by_day(area: Area, rule_id: str, days: np.ndarray, fallback: Any) -> np.ndarray:
    try:
        from alue.area.rules import load_rules

        book = load_rules(area.key)
    except Exception:  # the rule book is optional for the demo
        book = None
    unique = np.unique(days)
    values = {}
    for d in unique.tolist():
        value = fallback
        if book is not None:
            try:
                value = book.value(rule_id, on=date_of(d))
            except Exception:
                value = fallback
        values[d] = value
    return np.array([values[d] for d in days.tolist()])


def build_casework(
    g: Generated,
    org: Organisation,
    area: Area,
    service_points: dict[str, list[int]],
    seed: int,
    *,
    timestamp_suffix: str = ".000000",
) -> Casework:
    """Derive the casework tables.

    ``timestamp_suffix``: ``.000000`` for SQLite's datetime text, ``""`` for PostgreSQL (whose session
    time zone is Helsinki during the load).
    """
    rng = np.random.default_rng(seed + 2002)
    suffix = timestamp_suffix
    w = g.world
    S, P, PA = w.S, w.P, w.PA
    final = g.final_day
    n_s = S.n
    person = S["person"].astype(np.int64)
    start = S["start"].astype(np.int64)
    end = np.where(S["end"] == NO_DAY, final, S["end"]).astype(np.int64)
    end = np.minimum(end, final)
    cal = WorkingCalendar(int(start.min()) - 10, final + 400)

    # ---- path and service line
    groups = P["groups"][person].astype(np.int64)
    age = (start - P["birth"][person]) / 365.25
    edu = P["edu"][person]
    weak = (groups & WEAK_BITS) > 0
    immigrant = (groups & GROUP_BITS["immigrant"]) > 0
    no_voc = np.isin(edu, (0, 1, 7))
    first_status = _first_status(g)
    path = np.zeros(n_s, dtype=np.int64)
    path[no_voc & (age < 50) & (rng.random(n_s) < 0.6)] = 1
    path[weak] = 2
    entre = (S["reason"] == 2) & (rng.random(n_s) < 0.7)  # spells that ended in entrepreneurship
    path[entre | (rng.random(n_s) < 0.01)] = 3
    youth_limit = area.file.youth_age_limit
    line = np.full(n_s, LINES.index(ServiceLine.JOB_BROKERAGE))
    line[path == 1] = LINES.index(ServiceLine.SKILLS)
    line[path == 2] = LINES.index(ServiceLine.MULTISECTOR)
    line[path == 3] = LINES.index(ServiceLine.ENTREPRENEURSHIP)
    line[immigrant & (path != 2)] = LINES.index(ServiceLine.IMMIGRANTS)
    line[(age < youth_limit) & (path != 3)] = LINES.index(ServiceLine.YOUTH)

    # ---- responsible staff for spells of the area's municipalities
    area_codes = list(area.municipalities)
    area_index = np.array([area_codes.index(c) if c in area_codes else -1 for c in g.codes])
    reg_muni = area_index[S["muni"].astype(np.int64)]
    in_area = reg_muni >= 0
    # full detail for the area's own customers; elsewhere (national scale) the statutory core only:
    # assessment, initial interview, job-search discussions and the first plan
    detail = in_area | (g.scale == "area")
    staff = np.full(n_s, -1, dtype=np.int64)
    M = len(area_codes)
    key = org.serve_line * M + org.serve_muni
    order = np.argsort(key, kind="stable")
    skey, sstaff = key[order], org.serve_staff[order]
    want = line * M + np.maximum(reg_muni, 0)
    lo = np.searchsorted(skey, want, side="left")
    hi = np.searchsorted(skey, want, side="right")
    has = (hi > lo) & in_area
    staff[has] = sstaff[lo[has] + np.floor(rng.random(int(has.sum())) * (hi - lo)[has]).astype(np.int64)]
    # no staff of that line serves the municipality: anyone of the job-brokerage line there
    missing = in_area & ~has
    if missing.any():
        want2 = LINES.index(ServiceLine.JOB_BROKERAGE) * M + reg_muni[missing]
        lo2 = np.searchsorted(skey, want2, side="left")
        hi2 = np.searchsorted(skey, want2, side="right")
        ok = hi2 > lo2
        pick = np.where(
            ok,
            sstaff[
                np.minimum(
                    lo2 + np.floor(rng.random(len(lo2)) * np.maximum(hi2 - lo2, 1)).astype(np.int64),
                    len(sstaff) - 1,
                )
            ],
            org.serve_staff[0],
        )
        staff[missing] = pick

    # ---- initial interview
    deadline = _rule_by_day(
        area, "initial_interview.deadline_working_days", start, params.INTERVIEW_DAYS_BEFORE_RULES
    ).astype(np.int64)
    late = rng.random(n_s) < params.INTERVIEW_LATE_SHARE
    wd = np.where(
        late,
        deadline + rng.integers(1, params.INTERVIEW_LATE_MAX + 1, n_s),
        1 + np.floor(rng.random(n_s) * deadline).astype(np.int64),
    )
    interview = cal.add(start, wd)
    has_interview = interview <= end

    # ---- assessments (palvelutarvearvio) at the interview
    a_idx = np.flatnonzero(has_interview)
    flags = (
        weak[a_idx].astype(np.int64)
        | no_voc[a_idx] << 1
        | (age[a_idx] < youth_limit) << 2
        | immigrant[a_idx] << 3
        | (first_status[a_idx] == L) << 4
    )
    reason_names = [REASONS[k] for k in ("weak", "no_vocational", "young", "immigrant", "laid_off")]
    reason_text = {}
    for combo in range(32):
        chosen = [reason_names[b] for b in range(5) if combo >> b & 1] or [REASONS["ready"]]
        reason_text[combo] = json.dumps(chosen, ensure_ascii=False)
    reasons = [reason_text[f] for f in flags.tolist()]
    assessments = {
        "id": np.arange(1, len(a_idx) + 1),
        "person_id": person[a_idx] + 1,
        "spell_id": a_idx + 1,
        "assessed_on": iso_dates(interview[a_idx]),
        "path": np.array(PATHS, dtype=object)[path[a_idx]],
        "reasons": reasons,
        "staff_id": _nullable(staff[a_idx]),
    }

    # ---- meetings
    kinds, m_spell, m_day = [np.full(len(a_idx), 0)], [a_idx], [interview[a_idx]]
    interval = _rule_by_day(
        area, "job_search_discussion.interval_months", start, params.JOB_SEARCH_INTERVAL_MONTHS_BEFORE_RULES
    ).astype(np.float64)
    span = end - interview
    n_disc = np.where(has_interview, np.floor(span / (interval * 30.44)), 0).astype(np.int64)
    rep = np.repeat(np.arange(n_s), n_disc)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n_disc) - n_disc, n_disc) + 1
    d_disc = (
        interview[rep] + np.rint(k * interval[rep] * 30.44).astype(np.int64) + rng.integers(-7, 8, len(rep))
    )
    d_disc = cal.next_working(np.minimum(d_disc, end[rep]))
    held = (
        (rng.random(len(rep)) < params.DISCUSSION_HELD_SHARE)
        & (d_disc <= end[rep])
        & (d_disc > interview[rep])
    )
    kinds.append(np.full(int(held.sum()), 1))
    m_spell.append(rep[held])
    m_day.append(d_disc[held])
    disc_spell, disc_day = rep[held], d_disc[held]

    nordic = (
        detail & has_interview & (interview >= day(NORDIC_MODEL[0])) & (interview <= day(NORDIC_MODEL[1]))
    )
    supp_spell, supp_day = [], []
    for k_week in range(1, 7):
        d = interview + 14 * k_week
        ok = nordic & (d <= np.minimum(end, start + 91))
        supp_spell.append(np.flatnonzero(ok))
        supp_day.append(d[ok])
    for extra in (190, 205):
        d = start + extra
        ok = nordic & (d <= end) & (d <= day(NORDIC_MODEL[1]))
        supp_spell.append(np.flatnonzero(ok))
        supp_day.append(d[ok])
    ss = np.concatenate(supp_spell)
    sd = cal.next_working(np.concatenate(supp_day))
    keep = (rng.random(len(ss)) < params.SUPPLEMENTARY_HELD_SHARE) & (sd <= end[ss])
    kinds.append(np.full(int(keep.sum()), 2))
    m_spell.append(ss[keep])
    m_day.append(sd[keep])

    check = start + 91
    ok = detail & has_interview & (check <= end) & (check >= day(area.file.started_on))
    cd = cal.next_working(check[ok])
    okk = cd <= end[ok]
    kinds.append(np.full(int(okk.sum()), 3))
    m_spell.append(np.flatnonzero(ok)[okk])
    m_day.append(cd[okk])

    mk = np.concatenate(kinds)
    ms = np.concatenate(m_spell).astype(np.int64)
    md = np.concatenate(m_day).astype(np.int64)
    order = np.lexsort((mk, md, ms))
    mk, ms, md = mk[order], ms[order], md[order]
    nm = len(ms)
    channel = rng.choice(len(CHANNELS), size=nm, p=np.array(params.CHANNELS))
    hour = rng.integers(8, 16, nm)
    minute = rng.choice([0, 15, 30, 45], size=nm)
    point_of_muni = np.array([(service_points.get(c) or [-1])[0] for c in g.codes], dtype=np.int64)
    sp_ids = np.where(channel == 0, point_of_muni[S["muni"][ms].astype(np.int64)], -1)
    meetings = {
        "id": np.arange(1, nm + 1),
        "person_id": person[ms] + 1,
        "spell_id": ms + 1,
        "staff_id": _nullable(staff[ms]),
        "held_at": timestamps(md, hour * 60 + minute, suffix),
        "kind": np.array(MEETING_KINDS, dtype=object)[mk],
        "channel": np.array(CHANNELS, dtype=object)[channel],
        "service_point_id": nullable_ids(sp_ids),
        "notes": [""] * nm,
    }

    # ---- employment plans: at the interview, and at about half of the job-search discussions
    upd = (rng.random(len(disc_spell)) < params.PLAN_UPDATE_SHARE) & detail[disc_spell]
    p_spell = np.r_[a_idx, disc_spell[upd]].astype(np.int64)
    p_day = np.r_[interview[a_idx], disc_day[upd]].astype(np.int64)
    order = np.lexsort((p_day, p_spell))
    p_spell, p_day = p_spell[order], p_day[order]
    starts_at = np.flatnonzero(np.r_[True, p_spell[1:] != p_spell[:-1]])
    version = np.arange(len(p_spell)) - np.repeat(starts_at, np.diff(np.r_[starts_at, len(p_spell)])) + 1
    default_obl = _rule_by_day(area, "job_search_obligation.default_applications_per_month", p_day, 0).astype(
        np.int64
    )
    obligation = default_obl.copy()
    obligation[(path[p_spell] == 2)] = np.minimum(default_obl[(path[p_spell] == 2)], 2)
    laid_early = np.isin(first_status[p_spell], (L, SW)) & (p_day - start[p_spell] < 91)
    obligation[laid_early] = 0
    obligation[np.isin(first_status[p_spell], (PT, EM))] = np.minimum(
        obligation[np.isin(first_status[p_spell], (PT, EM))], 1
    )
    duration = p_day - start[p_spell]
    kind = np.zeros(len(p_spell), dtype=np.int64)
    kind[duration >= 365] = 1
    kind[path[p_spell] == 2] = 2
    kind[immigrant[p_spell] & (path[p_spell] != 2)] = 3
    # agreed services: the spell's participations that start within half a year of the plan
    pa_key = PA["spell"].astype(np.int64) * 100_000 + PA["start"].astype(np.int64)
    pa_order = np.argsort(pa_key, kind="stable")
    pa_sorted = pa_key[pa_order]
    lo = np.searchsorted(pa_sorted, p_spell * 100_000 + p_day, side="left")
    hi = np.searchsorted(pa_sorted, p_spell * 100_000 + p_day + 183, side="right")
    codes = [s.code for s in SERVICES]
    agreed = ["[]"] * len(p_spell)
    for j in np.flatnonzero(hi > lo).tolist():
        agreed[j] = json.dumps([codes[int(PA["service"][pa_order[q]])] for q in range(lo[j], hi[j])])
    occ_labels = [o.label_fi for o in g.occ.occupations]
    goal_cache: dict[tuple[int, int], str] = {}
    goals = []
    p_path = path[p_spell]
    p_occ = P["occ"][person[p_spell]].astype(np.int64)
    for pp, oc in zip(p_path.tolist(), p_occ.tolist(), strict=True):
        key = (pp, oc if pp == 0 else -1)
        text = goal_cache.get(key)
        if text is None:
            goal = [GOALS[PATHS[pp]]] + ([f"Tavoiteammatti: {occ_labels[oc]}"] if pp == 0 else [])
            text = goal_cache[key] = json.dumps(goal, ensure_ascii=False)
        goals.append(text)
    due = iso_dates(p_day + 30)
    task_text = {
        k: json.dumps(
            f"Hae vähintään {k} työpaikkaa kuukaudessa" if k else "Pidä työnhakuprofiili ajan tasalla",
            ensure_ascii=False,
        )
        for k in range(0, 11)
    }
    extra_task = json.dumps("Osallistu työkyvyn arviointiin", ensure_ascii=False)
    tasks = [
        f'[{{"text": {task_text[int(ob)]}, "due": "{d}"}}'
        + (f', {{"text": {extra_task}, "due": "{d}"}}]' if pp == 2 else "]")
        for ob, d, pp in zip(obligation.tolist(), due, p_path.tolist(), strict=True)
    ]
    plans = {
        "id": np.arange(1, len(p_spell) + 1),
        "person_id": person[p_spell] + 1,
        "spell_id": p_spell + 1,
        "version": version,
        "kind": np.array(PLAN_KINDS, dtype=object)[kind],
        "made_on": iso_dates(p_day),
        "staff_id": _nullable(staff[p_spell]),
        "obligation_per_month": obligation,
        "goals": goals,
        "tasks": tasks,
        "agreed_services": agreed,
    }

    # ---- case assignments (one clearly responsible worker, R-E2), reassigned after a year for some
    ca = np.flatnonzero(in_area & (staff >= 0))
    ca_end = np.where(S["end"][ca] == NO_DAY, NO_DAY, S["end"][ca]).astype(np.int64)
    long = (end[ca] - start[ca] > 400) & (rng.random(len(ca)) < 0.3)
    second = ca[long]
    switch = start[second] + 365
    first_end = np.where(long, start[ca] + 364, ca_end)
    multi = org.serve_staff[org.serve_line == LINES.index(ServiceLine.MULTISECTOR)]
    second_staff = multi[rng.integers(0, len(multi), len(second))] if len(multi) else staff[second]
    assignments = {
        "id": np.arange(1, len(ca) + len(second) + 1),
        "person_id": np.r_[person[ca], person[second]] + 1,
        "staff_id": np.r_[staff[ca], second_staff],
        "service_line": np.array([v.value for v in LINES], dtype=object)[
            np.r_[line[ca], np.full(len(second), LINES.index(ServiceLine.MULTISECTOR))]
        ],
        "start_date": iso_dates(np.r_[start[ca], switch]),
        "end_date": iso_dates(np.r_[first_end, ca_end[long]]),
        "assigned_by": ["palvelutarvearvio"] * len(ca) + ["uudelleenarviointi 12 kk"] * len(second),
    }

    consents, referrals = _consents_and_referrals(
        rng, g, org, path, interview, has_interview & detail, staff, person, end, detail
    )
    events = _employer_events(rng, g, org, area)
    return Casework(assessments, meetings, plans, assignments, consents, referrals, events)


def _first_status(g: Generated) -> np.ndarray:
    SP = g.world.SP
    order = np.lexsort((SP["start"], SP["spell"]))
    spells = SP["spell"][order]
    first = np.r_[True, spells[1:] != spells[:-1]]
    result = np.full(g.world.S.n, -1, dtype=np.int64)
    result[spells[first]] = SP["status"][order][first]
    return result


def _nullable(ids: np.ndarray) -> list[int | None]:
    return nullable_ids(ids)


def _consents_and_referrals(
    rng: np.random.Generator,
    g: Generated,
    org: Organisation,
    path: np.ndarray,
    interview: np.ndarray,
    has_interview: np.ndarray,
    staff: np.ndarray,
    person: np.ndarray,
    end: np.ndarray,
    detail: np.ndarray,
) -> tuple[dict[str, Any], dict[str, Any]]:
    PA = g.world.PA
    final = g.final_day
    multi = np.flatnonzero((path == 2) & has_interview)
    hva, kela = org.partner_id["hyvinvointialue"], org.partner_id["kela"]
    c_person = np.r_[person[multi], person[multi]] + 1
    c_partner = np.r_[np.full(len(multi), hva), np.full(len(multi), kela)]
    given = np.r_[interview[multi], interview[multi]]
    valid = given + 730
    withdrawn = np.where(rng.random(len(given)) < 0.04, given + rng.integers(10, 300, len(given)), NO_DAY)
    withdrawn = np.where(withdrawn > final, NO_DAY, withdrawn)
    scope_hva = json.dumps(["contact", "plan", "work_ability"])
    scope_kela = json.dumps(["plan", "benefits"])
    n_c = len(given)
    consents = {
        "id": np.arange(1, n_c + 1),
        "person_id": c_person,
        "partner_id": c_partner,
        "scope": [scope_hva] * len(multi) + [scope_kela] * len(multi),
        "given_on": iso_dates(given),
        "valid_until": iso_dates(valid),
        "withdrawn_on": iso_dates(withdrawn),
        "recorded_by_staff_id": _nullable(np.r_[staff[multi], staff[multi]]),
    }
    # warm handovers to the wellbeing services county with the consent (R-E2)
    h_status = rng.choice(4, size=len(multi), p=[0.1, 0.8, 0.05, 0.05])
    h_conf = np.where(h_status == 1, interview[multi] + rng.integers(1, 15, len(multi)), NO_DAY)
    h_conf = np.where(h_conf > final, NO_DAY, h_conf)
    h_status = np.where((h_status == 1) & (h_conf == NO_DAY), 0, h_status)
    # referrals to purchased services (one per participation) and to half of the own ones
    purchased = np.array([s.production == "purchased" for s in SERVICES])
    pick = np.flatnonzero((purchased[PA["service"]] | (rng.random(PA.n) < 0.5)) & detail[PA["spell"]])
    r_day = PA["referred"][pick].astype(np.int64)
    r_conf = np.minimum(r_day + rng.integers(1, 10, len(pick)), PA["start"][pick])
    r_conf = np.where(r_conf > final, NO_DAY, r_conf)
    spell_staff = staff[PA["spell"][pick].astype(np.int64)]
    statuses = ["sent", "confirmed", "declined", "cancelled"]
    n_h = len(multi)
    referrals = {
        "id": np.arange(1, n_h + len(pick) + 1),
        "person_id": np.r_[person[multi], PA["person"][pick]] + 1,
        "service_id": [None] * n_h + (PA["service"][pick].astype(np.int64) + 1).tolist(),
        "partner_id": [hva] * n_h + [None] * len(pick),
        "consent_id": (np.arange(1, n_h + 1)).tolist() + [None] * len(pick),
        "referred_on": iso_dates(np.r_[interview[multi], r_day]),
        "responsible_staff_id": _nullable(np.r_[staff[multi], spell_staff]),
        "status": np.array(statuses, dtype=object)[np.r_[h_status, np.where(r_conf == NO_DAY, 0, 1)]],
        "confirmed_on": iso_dates(np.r_[h_conf, r_conf]),
        "notes": ["saattaen vaihto: TYP-arvio"] * n_h + [""] * len(pick),
    }
    del end
    return consents, referrals


def _employer_events(rng: np.random.Generator, g: Generated, org: Organisation, area: Area) -> dict[str, Any]:
    E = g.employers.table
    first = int(g.count_days[0]) - 25
    final = g.final_day
    years = (final - first) / 365.25
    sizes = ["micro", "small", "medium", "large"]
    rate = np.array([params.EMPLOYER_CONTACTS_PER_YEAR[s] for s in sizes])[E["size"]] * years
    n = rng.poisson(rate)
    emp = np.repeat(np.arange(E.n), n)
    lo = np.maximum(E["founded"][emp].astype(np.int64), first)
    ok = lo < final
    emp, lo = emp[ok], lo[ok]
    when = lo + np.floor(rng.random(len(emp)) * (final - lo)).astype(np.int64)
    kinds = [
        "contact",
        "recruitment",
        "wage_subsidy",
        "training_procurement",
        "recruitment_event",
        "layoff_support",
    ]
    kind = rng.choice(len(kinds), size=len(emp), p=[0.55, 0.2, 0.1, 0.03, 0.07, 0.05])
    # Work in Finland leads (R-F1): 60–90 a year for the area (scaled by the labour force elsewhere)
    lead_lo, lead_hi = params.WORK_IN_FINLAND_LEADS_PER_YEAR
    area_lf = sum(
        float(g.targets.labour_force[g.codes.index(c), -1]) for c in area.municipalities if c in g.codes
    )
    factor = float(g.targets.labour_force[:, -1].sum()) / max(area_lf, 1.0)
    leads_emp, leads_day = [], []
    for year in range(date_of(first).year, date_of(final).year + 1):
        y0, y1 = max(day(dt.date(year, 1, 1)), first), min(day(dt.date(year, 12, 31)), final)
        if y1 <= y0:
            continue
        share = (y1 - y0 + 1) / (366 if year % 4 == 0 else 365)
        count = round(int(rng.integers(lead_lo, lead_hi + 1)) * share * factor)
        big = np.flatnonzero(E["size"] >= 1)
        leads_emp.append(big[rng.integers(0, len(big), count)] if len(big) else rng.integers(0, E.n, count))
        leads_day.append(y0 + np.floor(rng.random(count) * (y1 - y0 + 1)).astype(np.int64))
    le = np.concatenate(leads_emp) if leads_emp else np.empty(0, dtype=np.int64)
    ld = np.concatenate(leads_day) if leads_day else np.empty(0, dtype=np.int64)
    all_emp = np.r_[emp, le].astype(np.int64)
    all_day = np.r_[when, ld].astype(np.int64)
    all_kind = np.r_[kind, np.full(len(le), len(kinds))]
    kinds.append("work_in_finland_lead")
    order = np.argsort(all_day, kind="stable")
    all_emp, all_day, all_kind = all_emp[order], all_day[order], all_kind[order]
    # staff: an employer-services person serving the employer's municipality (area only)
    area_codes = list(area.municipalities)
    es_line = LINES.index(ServiceLine.EMPLOYER_SERVICES)
    es: dict[str, list[int]] = {}
    for s, ln, m in zip(
        org.serve_staff.tolist(), org.serve_line.tolist(), org.serve_muni.tolist(), strict=True
    ):
        if ln == es_line:
            es.setdefault(area_codes[m], []).append(s)
    codes = np.array(g.codes, dtype=object)[E["muni"][all_emp]]
    staff_ids: list[int | None] = []
    for c in codes.tolist():
        pool = es.get(c)
        staff_ids.append(int(pool[rng.integers(len(pool))]) if pool else None)
    notes = {"work_in_finland_lead": "Work in Finland -liidi: kansainvälinen rekrytointitarve"}
    return {
        "id": np.arange(1, len(all_emp) + 1),
        "employer_id": all_emp + 1,
        "event_date": iso_dates(all_day),
        "kind": np.array(kinds, dtype=object)[all_kind],
        "staff_id": staff_ids,
        "municipality_code": codes,
        "notes": [notes.get(kinds[k], "") for k in all_kind.tolist()],
    }
