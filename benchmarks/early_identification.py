"""Train the early-identification model and print its model card figures.

    python benchmarks/early_identification.py                      # synthetic history, temporary database
    python benchmarks/early_identification.py --database-url URL   # an existing database (e.g. the demo area)

Prints AUC, Brier score and calibration error of the model and of the baseline for each horizon, the
reliability bins and the error rates by group, and writes the model card as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.area.config import load_area
from alue.area.service import sync_area
from alue.casework import early_identification as ei
from alue.casework.synthetic import generate_history
from alue.people.models import JobseekingSpell
from alue.shared import migrate
from alue.shared.db import make_engine
from alue.shared.time import add_months


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="train on this database instead of a synthetic history")
    parser.add_argument("--people", type=int, default=3000, help="synthetic people (default 3000)")
    parser.add_argument("--cutoff", help="cut-off day (default: 15 months before the end of the data)")
    parser.add_argument("--until", help="end of the data (default: the latest spell date)")
    parser.add_argument("--out", type=Path, default=Path("early-identification-card.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'synthetic.db'}"
        engine = make_engine(url)
        with Session(engine) as session:
            if args.database_url is None:
                migrate.upgrade(engine)
                sync_area(session=session, area=load_area())
                started = time.perf_counter()
                spells = generate_history(session, n_people=args.people, seed=7)
                session.commit()
                print(
                    f"synthetic history: {args.people} people, {spells} spells "
                    f"in {time.perf_counter() - started:.1f} s"
                )
            latest = max(
                d
                for d in (
                    session.scalar(select(func.max(JobseekingSpell.start_date))),
                    session.scalar(select(func.max(JobseekingSpell.end_date))),
                )
                if d is not None
            )
            until = dt.date.fromisoformat(args.until) if args.until else min(latest, dt.date.today())  # noqa: DTZ011
            cutoff = dt.date.fromisoformat(args.cutoff) if args.cutoff else add_months(until, -15)
            started = time.perf_counter()
            run = ei.train(session=session, cutoff=cutoff, data_until=until, created_by="benchmark")
            seconds = time.perf_counter() - started
            card = run.metrics
            session.rollback()  # the benchmark stores nothing
        engine.dispose()

    print(f"training and evaluation: {seconds:.1f} s; cut-off {cutoff}, data until {until}")
    for horizon, entry in card["horizons"].items():
        print(f"\n== spell lasts over {horizon} months: {entry.get('status')}")
        if entry.get("status") != "trained":
            continue
        print(
            f"   train {entry['n_train']} examples, test {entry['n_test']}, "
            f"threshold {entry['threshold']:.3f}"
        )
        for name in ("model", "baseline", "model_new_spells", "baseline_new_spells"):
            m = entry[name]
            print(
                f"   {name:22s} AUC {m.get('auc')}  Brier {m.get('brier')}"
                f"  ECE {m.get('expected_calibration_error')}"
                f"  observed {m.get('prevalence')}  mean estimate {m.get('mean_predicted')}"
            )
        print("   AUC among spells of the same age (days since registration when scored):")
        for landmark, m in entry["by_landmark"].items():
            print(
                f"     day {landmark:>3s}  n={m['n']:6d}  observed {m['prevalence']}"
                f"  model {m['model_auc']}  baseline {m['baseline_auc']}"
            )
        print("   reliability bins (estimate → observed):")
        for b in entry["model"]["calibration_bins"]:
            print(
                f"     {b['lower']:.1f}–{b['upper']:.1f}  n={b['n']:5d}  "
                f"{b['mean_predicted']:.3f} → {b['observed']:.3f}"
            )
        for attribute, groups in entry["fairness"].items():
            print(f"   error rates by {attribute}:")
            for value, m in groups.items():
                if m.get("suppressed"):
                    print(f"     {value:12s} n={m['n']} (too few)")
                else:
                    print(
                        f"     {value:12s} n={m['n']:5d}  FPR {m['false_positive_rate']}"
                        f"  FNR {m['false_negative_rate']}  AUC {m['auc']}"
                        f"  observed {m['prevalence']}  mean estimate {m['mean_predicted']}"
                    )
    args.out.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nmodel card written to {args.out}")


if __name__ == "__main__":
    main()
