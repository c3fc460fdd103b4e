"""The weekly matching run for the whole area, plain or congestion-aware, written into ``match_run`` and
``match_recommendation``.

**Congestion-aware mode.** Plain top-k lists send the most attractive vacancies to almost everyone.
The congestion mode treats the recommendations as a transport plan: every jobseeker sends ``top`` units
of attention; every vacancy may receive at most ``slack ×`` its fair share (its positions × all
attention / all positions). Entropic optimal transport (Sinkhorn scaling with an upper capacity on the
vacancies) over the candidate pairs gives each vacancy a price ``ε·log v_j ≤ 0``; each jobseeker's list is
then the best ``top`` vacancies by ``score + ε·log v_j``. Unpopular vacancies keep price 0, so a
jobseeker's list changes only where a vacancy is over-subscribed. The scores stored and shown are the
plain scores.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from alue.matching.engine import Scorer, TopK, top_k
from alue.matching.features import (
    PART_KEYS,
    active_person_ids,
    load_jobseekers,
    load_vacancies,
    load_weights,
    occupation_space,
)
from alue.matching.features import (
    geo as load_geo,
)


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of non-negative counts (0 equal, → 1 all on one)."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    cum = np.cumsum(x)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


def concentration(result: TopK, n_persons: int, n_vacancies: int, good_score: float) -> dict[str, float]:
    """Coverage and concentration of a set of recommendations."""
    per_vacancy = np.bincount(result.vacancy, minlength=n_vacancies)
    total = max(int(per_vacancy.sum()), 1)
    k1 = max(1, int(np.ceil(0.01 * n_vacancies)))
    top1 = float(np.sort(per_vacancy)[::-1][:k1].sum() / total) if n_vacancies else 0.0
    good = np.unique(result.person[result.score >= good_score])
    return {
        "vacancy_coverage": float((per_vacancy > 0).mean()) if n_vacancies else 0.0,
        "jobseeker_good_match": float(len(good) / n_persons) if n_persons else 0.0,
        "jobseeker_any_match": float(len(np.unique(result.person)) / n_persons) if n_persons else 0.0,
        "gini": gini(per_vacancy),
        "top1pct_share": top1,
        "max_per_vacancy": int(per_vacancy.max()) if n_vacancies else 0,
        "mean_score": float(result.score.mean()) if len(result.score) else 0.0,
    }


def sinkhorn_prices(
    person: np.ndarray,
    vacancy: np.ndarray,
    score: np.ndarray,
    demand: np.ndarray,
    capacity: np.ndarray,
    *,
    epsilon: float,
    iterations: int,
) -> np.ndarray:
    """log v_j of entropic transport on sparse candidate pairs: rows send ``demand``, columns receive at
    most ``capacity`` (Sinkhorn scaling with an inequality on the columns). Vectorised over pairs."""
    n_p, n_v = len(demand), len(capacity)
    # scores lie in 0..1, so exp((s − max)/ε) stays within e^(−1/ε) … 1: no log-domain needed for ε ≥ 0.02
    kernel = np.exp((score - score.max()) / epsilon)
    v = np.ones(n_v)
    for _ in range(iterations):
        row = np.bincount(person, weights=kernel * v[vacancy], minlength=n_p)
        u = np.where(row > 0, demand / np.where(row > 0, row, 1.0), 0.0)
        col = np.bincount(vacancy, weights=kernel * u[person], minlength=n_v)
        # capacity is an upper bound: scale down only over-subscribed vacancies
        v = np.minimum(1.0, capacity / np.maximum(col, 1e-300))
    log_v = np.log(np.maximum(v, 1e-300))
    return log_v


def congestion_top(
    scorer: Scorer, top: int, config: dict, pool: TopK | None = None
) -> tuple[TopK, np.ndarray]:
    """Congestion-aware lists and the vacancy prices (ε·log v_j)."""
    b = config["batch"]
    eps = float(b["congestion_epsilon"])
    if pool is None:
        pool = top_k(scorer, top * int(b["congestion_pool"]))
    n_p, _n_v = scorer.js.n, scorer.vac.n
    demand = np.bincount(pool.person, minlength=n_p).clip(max=top).astype(np.float64)
    positions = scorer.vac.positions.astype(np.float64)
    fair = demand.sum() / max(positions.sum(), 1.0)
    capacity = float(b["congestion_slack"]) * fair * positions
    log_v = sinkhorn_prices(
        pool.person, pool.vacancy, pool.score.astype(np.float64), demand, capacity,
        epsilon=eps, iterations=int(b["congestion_iterations"]),
    )  # fmt: skip
    price = eps * log_v
    adjusted = pool.score + price[pool.vacancy]
    order = np.lexsort((pool.vacancy, -adjusted, pool.person))
    person = pool.person[order]
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if len(person) else np.zeros(0, np.int64)
    rank = np.arange(len(person)) - np.repeat(starts, np.diff(np.r_[starts, len(person)]))
    keep = order[rank < top]
    return TopK(
        person=pool.person[keep], vacancy=pool.vacancy[keep], row=pool.row[keep], score=pool.score[keep]
    ), price


@dataclass
class BatchResult:
    run_id: int | None
    run_on: dt.date
    mode: str
    jobseekers: int
    vacancies: int
    recommendations: int
    figures: dict[str, float]
    plain_figures: dict[str, float] | None = None
    timings: dict[str, float] = field(default_factory=dict)


def run_batch(
    session: Session,
    *,
    on: dt.date | None = None,
    top: int = 20,
    congestion: bool = False,
    write: bool = True,
    data_dir: Path | None = None,
) -> BatchResult:
    """Recommend ``top`` open vacancies to every active jobseeker on ``on`` and record the run.

    With ``congestion`` the lists are spread (see the module docstring) and the plain mode's figures
    are computed in the same run for comparison. Everything is written in the caller's transaction.
    """
    from alue.matching.models import MatchRecommendation, MatchRun
    from alue.settings import get_settings
    from alue.shared.time import today

    started = time.perf_counter()
    on = on or today()
    d = Path(data_dir or get_settings().data_dir).resolve()
    config = load_weights()
    space, geo = occupation_space(d), load_geo(d)
    t0 = time.perf_counter()
    js = load_jobseekers(session, active_person_ids(session, on), space, geo, on, config)
    vac = load_vacancies(session, space, geo, on=on)
    t1 = time.perf_counter()
    scorer = Scorer(space, geo, js, vac, config)
    good = float(config["batch"]["good_score"])
    if congestion:
        pool = top_k(scorer, top * int(config["batch"]["congestion_pool"]))
        plain = _first_k(pool, top)
        result, _ = congestion_top(scorer, top, config, pool)
        plain_figures = concentration(plain, js.n, vac.n, good)
    else:
        result = top_k(scorer, top)
        plain_figures = None
    t2 = time.perf_counter()
    figures = concentration(result, js.n, vac.n, good)
    run_id = None
    if write:
        parameters = {
            "top": top,
            "congestion": congestion,
            "weights": scorer.weights,
            "batch": config["batch"],
            "plain_figures": plain_figures,
        }
        run = MatchRun(
            run_on=on,
            mode="congestion" if congestion else "plain",
            top=top,
            weights_version=str(config.get("version", "")),
            parameters=parameters,
            jobseekers=js.n,
            vacancies=vac.n,
            recommendations=len(result.person),
            figures=figures,
            duration_s=0.0,
        )
        session.add(run)
        session.flush()
        run_id = run.id
        rows = _recommendation_rows(scorer, result, run_id)
        for start in range(0, len(rows), 20_000):
            session.execute(insert(MatchRecommendation), rows[start : start + 20_000])
        run.duration_s = round(time.perf_counter() - started, 3)
        session.flush()
    t3 = time.perf_counter()
    return BatchResult(
        run_id=run_id,
        run_on=on,
        mode="congestion" if congestion else "plain",
        jobseekers=js.n,
        vacancies=vac.n,
        recommendations=len(result.person),
        figures=figures,
        plain_figures=plain_figures,
        timings={"load": t1 - t0, "score": t2 - t1, "write": t3 - t2, "total": t3 - started},
    )


def _first_k(pool: TopK, k: int) -> TopK:
    person = pool.person
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if len(person) else np.zeros(0, np.int64)
    rank = np.arange(len(person)) - np.repeat(starts, np.diff(np.r_[starts, len(person)]))
    keep = rank < k
    return TopK(
        person=pool.person[keep], vacancy=pool.vacancy[keep], row=pool.row[keep], score=pool.score[keep]
    )


def _recommendation_rows(scorer: Scorer, result: TopK, run_id: int) -> list[dict]:
    if len(result.person) == 0:
        return []
    parts = scorer.parts(result.row, result.vacancy)
    values = np.round(np.stack([parts[k] for k in PART_KEYS], axis=1).astype(np.float64), 4).tolist()
    person_ids = scorer.js.person_id[result.person].tolist()
    vacancy_ids = scorer.vac.vacancy_id[result.vacancy].tolist()
    person = result.person
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    rank = (np.arange(len(person)) - np.repeat(starts, np.diff(np.r_[starts, len(person)])) + 1).tolist()
    scores = np.round(result.score.astype(np.float64), 4).tolist()
    return [
        {
            "run_id": run_id,
            "person_id": person_ids[i],
            "vacancy_id": vacancy_ids[i],
            "rank": rank[i],
            "score": scores[i],
            "parts": dict(zip(PART_KEYS, values[i], strict=True)),
        }
        for i in range(len(person_ids))
    ]
