"""Matching jobseekers and vacancies: quality on the demo area, speed on the demo and at national scale.

    python benchmarks/matching.py                       # builds the Satakunta demo in a temporary SQLite
    python benchmarks/matching.py --database-url URL    # an existing demo database
    python benchmarks/matching.py --skip-national       # only the demo parts

Prints, in one run:

(a) recall@20 of the vacancy each demo hire actually took, engine vs an occupation-only baseline;
(b) top-20 for every active jobseeker of the demo against all open vacancies: the pruned, blocked engine
    next to a brute-force baseline (the same formula on every pair, argpartition), and whether they agree;
(c) national scale with synthetic arrays (300,000 jobseekers × 50,000 vacancies; ISCO-4 groups drawn from
    the national jobseeker and vacancy counts of the employment service statistics, municipalities of
    all Finland weighted by population): time and peak memory, next to the brute-force baseline on a
    subsample, extrapolated;
(d) the congestion-aware batch against the plain one: coverage and concentration.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from alue.matching.batch import concentration, congestion_top, run_batch
from alue.matching.engine import Scorer, top_k, top_k_dense
from alue.matching.evaluation import recall_at_k
from alue.matching.features import (
    Jobseekers,
    Vacancies,
    active_person_ids,
    experience_value,
    language_code,
    load_jobseekers,
    load_vacancies,
    load_weights,
    occupation_space,
)
from alue.matching.features import (
    geo as load_geo,
)
from alue.settings import get_settings
from alue.shared.db import make_engine

TODAY = dt.date(2026, 11, 23)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def agreement(a, b) -> tuple[bool, float]:  # type: ignore[no-untyped-def]
    """Same persons and scores in the same order; share of identical vacancies (ties may differ)."""
    same = (
        np.array_equal(a.person, b.person)
        and len(a.score) == len(b.score)
        and bool(np.allclose(a.score, b.score, atol=1e-6))
    )
    share = float((a.vacancy == b.vacancy).mean()) if same and len(a.vacancy) else 0.0
    return same, share


def demo_parts(engine, data_dir: Path, hires: int | None) -> None:  # type: ignore[no-untyped-def]
    space, geo = occupation_space(data_dir), load_geo(data_dir)
    with Session(engine) as session:
        print("## (a) recall@20 of the taken vacancy (demo area)")
        t = time.perf_counter()
        r = recall_at_k(session, k=20, limit=hires, seed=0, data_dir=data_dir)
        secs = time.perf_counter() - t
        n = r.hires
        se = np.sqrt(r.engine_recall * (1 - r.engine_recall) / max(n, 1))
        print(f"hires evaluated: {n:,} (open vacancies on a decision day: {r.mean_open:.0f} on average)")
        for name, ranks, rec in (
            ("engine", r.engine_ranks, r.engine_recall),
            ("baseline (occupation only)", r.baseline_ranks, r.baseline_recall),
        ):
            finite = ranks[np.isfinite(ranks)]
            print(
                f"  {name:28s} recall@20 {100 * rec:5.1f} %  recall@5 {100 * (ranks <= 5).mean():5.1f} %  "
                f"median rank {np.median(ranks):6.1f}  "
                f"not ranked (hard fail) {100 * (1 - len(finite) / n):4.1f} %"
            )
        print(f"  standard error of the engine's recall ±{100 * se:.1f} points; {secs:.1f} s")

        print("\n## (b) top-20 for every active jobseeker of the demo")
        t = time.perf_counter()
        js = load_jobseekers(session, active_person_ids(session, TODAY), space, geo, TODAY)
        vac = load_vacancies(session, space, geo, on=TODAY)
        load_s = time.perf_counter() - t
        scorer = Scorer(space, geo, js, vac)
        top_k(scorer, 20)  # warm-up (first-touch of tables)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fast = top_k(scorer, 20)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        dense = top_k_dense(scorer, 20)
        dense_s = time.perf_counter() - t
        same, share = agreement(fast, dense)
        print(
            f"jobseekers {js.n:,} ({len(js.row_person):,} occupation rows) × open vacancies {vac.n:,}; "
            f"loading from the database {load_s:.2f} s"
        )
        print(
            f"  engine (pruned, blocked): {min(times):.3f} s "
            f"(best of 3; {', '.join(f'{x:.3f}' for x in times)})"
        )
        print(f"  brute force (all pairs):  {dense_s:.3f} s")
        print(
            f"  same persons and scores: {same}; same vacancy at each place: {100 * share:.2f} % (rest: ties)"
        )

        print("\n## (d) congestion-aware vs plain batch (demo, top 20, not written)")
        config = load_weights()
        t = time.perf_counter()
        result = run_batch(session, on=TODAY, top=20, congestion=True, write=False, data_dir=data_dir)
        secs = time.perf_counter() - t
        print_figures(result.plain_figures or {}, result.figures)
        print(
            f"  ({secs:.1f} s with loading; slack {config['batch']['congestion_slack']}, "
            f"ε {config['batch']['congestion_epsilon']})"
        )


def print_figures(plain: dict, cong: dict) -> None:
    labels = {
        "vacancy_coverage": "vacancies recommended to anyone",
        "jobseeker_good_match": "jobseekers with ≥ 1 good match (score ≥ 0.70)",
        "jobseeker_any_match": "jobseekers with ≥ 1 recommendation",
        "gini": "Gini of recommendations per vacancy",
        "top1pct_share": "share of recommendations to the top 1 % vacancies",
        "max_per_vacancy": "most lists one vacancy is on",
        "mean_score": "mean score of recommendations",
    }
    print(f"  {'figure':52s} {'plain':>10s} {'congestion':>11s}")
    for key, label in labels.items():
        a, b = plain.get(key, 0), cong.get(key, 0)
        fmt = (lambda x: f"{x:,.0f}") if key == "max_per_vacancy" else (lambda x: f"{x:.3f}")
        print(f"  {label:52s} {fmt(a):>10s} {fmt(b):>11s}")


# ----------------------------------------------------------------------------------------------------------
# national scale


def national_distributions(data_dir: Path, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Jobseeker and vacancy weights per ISCO-4 index, from the latest national month of the statistics."""
    path = data_dir / "stats" / "tyonvalitys_occupations_monthly.csv.gz"
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["area"] == "SSS" and row["occupation_group"] != "SSS":
                rows.append(row)
    last = max(r["month"] for r in rows)
    index = {c: i for i, c in enumerate(codes)}
    unemployed = np.zeros(len(codes))
    vacancies = np.zeros(len(codes))
    for r in rows:
        if r["month"] == last and r["occupation_group"] in index:
            unemployed[index[r["occupation_group"]]] += float(r["unemployed_month_end"] or 0)
            vacancies[index[r["occupation_group"]]] += float(r["open_vacancies_month_end"] or 0)
    print(f"ISCO-4 weights from the national statistics of {last}: {int(unemployed.sum()):,} unemployed, "
          f"{int(vacancies.sum()):,} open vacancies in {int((unemployed > 0).sum())} groups")  # fmt: skip
    return unemployed / unemployed.sum(), vacancies / vacancies.sum()


def synthetic(space, geo, data_dir: Path, n_people: int, n_vac: int, seed: int = 7):  # type: ignore[no-untyped-def]
    from alue.area.config import load_municipalities

    rng = np.random.default_rng(seed)
    munis = load_municipalities(data_dir)
    pop = np.array([munis[c].population if munis[c].lat is not None else 0 for c in geo.codes], dtype=float)
    pop /= pop.sum()
    w_people, w_vac = national_distributions(data_dir, space.isco_codes)
    esco_by_group = [np.flatnonzero(space.esco_group == g) for g in range(len(space.isco_codes))]

    def esco_for(groups: np.ndarray) -> np.ndarray:
        out = np.full(len(groups), -1, dtype=np.int32)
        u = rng.random(len(groups))
        for g in np.unique(groups):
            members = esco_by_group[g]
            if len(members):
                sel = groups == g
                out[sel] = members[(u[sel] * len(members)).astype(int)]
        return out

    config = load_weights()
    n_rows_per = rng.choice([1, 2, 3], size=n_people, p=[0.45, 0.35, 0.2])
    row_person = np.repeat(np.arange(n_people), n_rows_per).astype(np.int32)
    first = rng.choice(len(w_people), size=n_people, p=w_people)
    row_isco = first[row_person]
    # further occupations: half in the same group (another ESCO occupation), half drawn anew
    is_first = np.r_[True, row_person[1:] != row_person[:-1]]
    redraw = ~is_first & (rng.random(len(row_person)) < 0.5)
    row_isco = np.where(redraw, rng.choice(len(w_people), size=len(row_person), p=w_people), row_isco)
    row_isco = row_isco.astype(np.int32)  # the other half keeps the group, with its own ESCO occupation
    months = rng.integers(0, 120, len(row_person)).astype(np.float32)
    last = rng.integers(2005, 2027, len(row_person)).astype(np.int32)
    target = rng.random(len(row_person)) < 0.4
    lang_choices = [
        {"fi": "native"},
        {"sv": "native", "fi": "good"},
        {"fi": "native", "en": "good"},
        {"ru": "native", "fi": "fair", "en": "basic"},
        {"ar": "native", "en": "good"},
    ]
    lang_codes = np.array([language_code(x) for x in lang_choices], dtype=np.int16)
    js = Jobseekers(
        person_id=np.arange(1, n_people + 1, dtype=np.int64),
        muni=rng.choice(len(geo.codes), size=n_people, p=pop).astype(np.int32),
        reach=np.exp(rng.normal(np.log(30), 0.6, n_people)).astype(np.float32),
        lang_code=lang_codes[rng.choice(5, size=n_people, p=[0.62, 0.05, 0.2, 0.08, 0.05])],
        edu=rng.integers(-1, 7, n_people).astype(np.int8),
        wt=rng.choice(3, size=n_people, p=[0.5, 0.1, 0.4]).astype(np.int8),
        licence=rng.random(n_people) < 0.75,
        row_person=row_person,
        row_isco=row_isco,
        row_esco=esco_for(row_isco),
        row_exp=experience_value(months, last, target, 2026, config),
        row_months=months.astype(np.int32),
        row_last_year=last,
        row_target=target,
    )
    v_isco = rng.choice(len(w_vac), size=n_vac, p=w_vac).astype(np.int32)
    vac = Vacancies(
        vacancy_id=np.arange(1, n_vac + 1, dtype=np.int64),
        muni=rng.choice(len(geo.codes), size=n_vac, p=pop).astype(np.int32),
        isco=v_isco,
        esco=esco_for(v_isco),
        lang_req=rng.choice([1, 5, 4, 3], size=n_vac, p=[0.86, 0.09, 0.03, 0.02]).astype(np.int8),
        min_edu=rng.choice([-1, 2, 3, 4], size=n_vac, p=[0.4, 0.35, 0.1, 0.15]).astype(np.int8),
        wt=rng.choice(3, size=n_vac, p=[0.72, 0.22, 0.06]).astype(np.int8),
        licence=rng.random(n_vac) < 0.3,
        remote=rng.random(n_vac) < 0.05,
        positions=rng.choice([1, 2, 3, 5], size=n_vac, p=[0.8, 0.12, 0.05, 0.03]).astype(np.int32),
    )
    return js, vac


def national_part(data_dir: Path, n_people: int, n_vac: int, sample: int) -> None:
    print(f"\n## (c) national scale: {n_people:,} jobseekers × {n_vac:,} vacancies (synthetic arrays)")
    space, geo = occupation_space(data_dir), load_geo(data_dir)
    t = time.perf_counter()
    js, vac = synthetic(space, geo, data_dir, n_people, n_vac)
    print(f"generated in {time.perf_counter() - t:.1f} s; {len(js.row_person):,} occupation rows; "
          f"{len(geo.codes)} municipalities")  # fmt: skip
    scorer = Scorer(space, geo, js, vac)
    rss_before = rss_mb()
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    fast = top_k(scorer, 20)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n_persons = len(np.unique(fast.person))
    print(f"  engine: {wall:.1f} s wall, {cpu:.1f} s CPU; {len(fast.person):,} recommendations "
          f"for {n_persons:,} jobseekers")  # fmt: skip
    print(f"  peak memory allocated during the run {peak / 2**20:.0f} MiB (tracemalloc); process peak RSS "
          f"{rss_mb():.0f} MiB (before the run {rss_before:.0f} MiB)")  # fmt: skip
    # brute force on a subsample of jobseekers, extrapolated
    rng = np.random.default_rng(11)
    persons = np.sort(rng.choice(js.n, size=sample, replace=False))
    t = time.perf_counter()
    dense = top_k_dense(scorer, 20, persons=persons)
    dense_s = time.perf_counter() - t
    rows = np.flatnonzero(np.isin(js.row_person, persons))
    print(f"  brute force on {sample:,} jobseekers ({len(rows):,} rows × {vac.n:,} vacancies = "
          f"{len(rows) * vac.n / 1e6:.0f} M pairs): {dense_s:.1f} s → extrapolated to all "
          f"{n_people:,}: {dense_s * n_people / sample:.0f} s")  # fmt: skip
    keep = np.isin(fast.person, persons)
    sub = type(fast)(fast.person[keep], fast.vacancy[keep], fast.row[keep], fast.score[keep])
    same, share = agreement(sub, dense)
    print(
        f"  on the subsample: same persons and scores {same}; same vacancy at each place {100 * share:.2f} %"
    )
    if n_people > 100_000:
        print("  (congestion mode at this scale not run; see the 100,000-jobseeker run in the docs)")
        return
    t = time.perf_counter()
    pool = top_k(scorer, 60)
    cong, _ = congestion_top(scorer, 20, load_weights(), pool)
    secs = time.perf_counter() - t
    good = float(load_weights()["batch"]["good_score"])
    print(f"  congestion-aware top 20 (pool of 60 + Sinkhorn): {secs:.1f} s")
    print_figures(concentration(fast, js.n, vac.n, good), concentration(cong, js.n, vac.n, good))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an existing demo database (default: build one)")
    parser.add_argument("--hires", type=int, default=3000, help="hires to evaluate in (a), 0 for all")
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--vacancies", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=3000, help="jobseekers for the brute-force subsample")
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    data_dir = Path(get_settings().data_dir).resolve()
    print(f"cores available: {os.cpu_count()}; python {sys.version.split()[0]}; numpy {np.__version__}")
    t = time.perf_counter()
    occupation_space(data_dir)
    load_geo(data_dir)
    print(f"occupation similarity tables and distances built in {time.perf_counter() - t:.1f} s\n")
    if not args.skip_demo:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url
            if url is None:
                from alue.area.config import load_area
                from alue.demo import build_demo

                url = f"sqlite:///{Path(tmp) / 'demo.db'}"
                t = time.perf_counter()
                build_demo(
                    engine=make_engine(url),
                    area=load_area("satakunta", data_dir=data_dir),
                    seed=2025,
                    today=TODAY,
                )
                print(f"demo built in {time.perf_counter() - t:.0f} s\n")
            engine = make_engine(url)
            demo_parts(engine, data_dir, args.hires or None)
            engine.dispose()
    if not args.skip_national:
        national_part(data_dir, args.people, args.vacancies, args.sample)


if __name__ == "__main__":
    main()
