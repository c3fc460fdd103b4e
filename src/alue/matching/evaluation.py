"""Matching quality on a database with known hires: recall@k of the vacancy the person actually took.

The demo area records, for a share of open-market hires, the advert the person took
(``EmploymentEpisode.vacancy_id``). For each such hire the person is matched against every vacancy open
on the *decision day* — the day before the advert was filled (the demo fills an advert on or up to two
weeks before the start of the job) — and the rank of the taken advert is noted. Ties count as the
expected rank under random tie-breaking (1 + better + ties / 2).

The baseline ranks by occupation only: same ISCO-4 group, then same ISCO-3, ISCO-2, ISCO-1 (best of the
person's occupations), as a plain occupation filter would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.matching.engine import Scorer
from alue.matching.features import (
    geo as load_geo,
)
from alue.matching.features import (
    load_jobseekers,
    load_vacancies,
    load_weights,
    occupation_space,
)


@dataclass
class RecallResult:
    hires: int
    k: int
    engine_recall: float
    baseline_recall: float
    engine_ranks: np.ndarray
    baseline_ranks: np.ndarray
    mean_open: float  # vacancies open on a decision day, on average


def _expected_rank(scores: np.ndarray, valid: np.ndarray, target: int) -> float:
    if not valid[target]:
        return float("inf")
    s = scores[target]
    better = int(((scores > s) & valid).sum())
    ties = int(((scores == s) & valid).sum()) - 1
    return 1.0 + better + ties / 2.0


def recall_at_k(
    session: Session,
    *,
    k: int = 20,
    limit: int | None = None,
    seed: int = 0,
    data_dir: Path | None = None,
) -> RecallResult:
    """Recall@k of taken vacancies for the engine and the occupation-only baseline, in the same run."""
    from alue.employers.models import Vacancy
    from alue.people.models import EmploymentEpisode
    from alue.settings import get_settings

    d = Path(data_dir or get_settings().data_dir).resolve()
    config = load_weights()
    space, geo = occupation_space(d), load_geo(d)
    hires = session.execute(
        select(EmploymentEpisode.person_id, EmploymentEpisode.vacancy_id, EmploymentEpisode.start_date)
        .where(EmploymentEpisode.vacancy_id.is_not(None))
        .order_by(EmploymentEpisode.id)
    ).all()
    if limit is not None and len(hires) > limit:
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(len(hires), size=limit, replace=False))
        hires = [hires[i] for i in pick]
    dates = session.execute(
        select(Vacancy.id, Vacancy.published_on, Vacancy.closes_on, Vacancy.filled_on)
    ).all()
    vac = load_vacancies(session, space, geo)
    pos = {int(v): i for i, v in enumerate(vac.vacancy_id)}
    far = np.datetime64("9999-12-31")
    published = np.full(vac.n, far, dtype="datetime64[D]")
    closes = np.full(vac.n, far, dtype="datetime64[D]")
    filled = np.full(vac.n, far, dtype="datetime64[D]")
    for vid, pub, clo, fil in dates:
        i = pos.get(int(vid))
        if i is None:
            continue
        published[i] = np.datetime64(pub)
        closes[i] = np.datetime64(clo) if clo else far
        filled[i] = np.datetime64(fil) if fil else far
    # the person's data as of the latest hire year (recency is relative to the decision day's year below)
    year = max((h[2].year for h in hires), default=2000)
    js = load_jobseekers(session, {h[0] for h in hires}, space, geo, dt.date(year, 12, 31), config)
    person_pos = {int(p): i for i, p in enumerate(js.person_id)}
    row_start = np.searchsorted(js.row_person, np.arange(js.n + 1))
    scorer = Scorer(space, geo, js, vac, config)
    from alue.matching.features import experience_value

    engine_ranks, baseline_ranks, open_counts = [], [], []
    isco_num = space.isco_num
    for person_id, vacancy_id, start in hires:
        if vacancy_id is None:  # already excluded by the query
            continue
        p = person_pos.get(int(person_id))
        t = pos.get(int(vacancy_id))
        if p is None or t is None or row_start[p] == row_start[p + 1]:
            continue
        fill = filled[t] if filled[t] != far else np.datetime64(start)
        day = min(fill, np.datetime64(start)) - np.timedelta64(1, "D")
        is_open = (published <= day) & (closes >= day) & (filled >= day)
        is_open[t] = True  # the taken advert was open until it was filled
        cand = np.flatnonzero(is_open)
        tc = int(np.searchsorted(cand, t))
        rows = np.arange(row_start[p], row_start[p + 1])
        # recency relative to the decision day's year
        day_year = int(str(day)[:4])
        saved = js.row_exp[rows].copy()
        js.row_exp[rows] = experience_value(
            js.row_months[rows].astype(np.float32),
            js.row_last_year[rows],
            js.row_target[rows],
            day_year,
            config,
        )
        score, fail = scorer.score(rows[:, None], cand[None, :])
        js.row_exp[rows] = saved
        ok = fail == 0
        best = np.where(ok, score, -np.inf).max(axis=0)
        engine_ranks.append(_expected_rank(best, np.isfinite(best), tc))
        a = isco_num[js.row_isco[rows]][:, None]
        b = isco_num[vac.isco[cand]][None, :]
        level = np.select(
            [a == b, a // 10 == b // 10, a // 100 == b // 100, a // 1000 == b // 1000], [4, 3, 2, 1], 0
        )
        base = level.max(axis=0).astype(np.float64)
        baseline_ranks.append(_expected_rank(base, np.ones(len(cand), dtype=bool), tc))
        open_counts.append(len(cand))
    er = np.array(engine_ranks)
    br = np.array(baseline_ranks)
    n = len(er)
    return RecallResult(
        hires=n,
        k=k,
        engine_recall=float((er <= k).mean()) if n else 0.0,
        baseline_recall=float((br <= k).mean()) if n else 0.0,
        engine_ranks=er,
        baseline_ranks=br,
        mean_open=float(np.mean(open_counts)) if open_counts else 0.0,
    )
