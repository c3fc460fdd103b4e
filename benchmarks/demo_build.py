"""Time the demo builds: the Satakunta area, and the national scale (or a shorter national window).

    .venv/bin/python benchmarks/demo_build.py                       # area, SQLite in a temporary dir
    .venv/bin/python benchmarks/demo_build.py --national            # + the full national build
    .venv/bin/python benchmarks/demo_build.py --national-months 6   # + 6 national months, extrapolated
    .venv/bin/python benchmarks/demo_build.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Each build runs in a child process, so the peak memory printed is that build's own (max RSS).
Prints rows, seconds per phase, rows/s and peak memory. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import tempfile
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 11, 23)


def _run(queue: Any, url: str, scale: str, start: str | None, until: str | None, seed: int) -> None:
    from alue.area.config import load_area
    from alue.demo.build import build_demo
    from alue.shared.db import make_engine

    engine = make_engine(url)
    summary = build_demo(
        engine=engine,
        area=load_area("satakunta"),
        seed=seed,
        scale=scale,
        start=start,
        until=until,
        today=TODAY,
    )
    queue.put(
        {
            "rows": summary.rows,
            "seconds": summary.seconds,
            "misses": (summary.calibration_misses, summary.vacancy_misses),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def build(
    url: str, scale: str, start: str | None = None, until: str | None = None, seed: int = 2025
) -> dict[str, Any]:
    queue: Any = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_run, args=(queue, url, scale, start, until, seed))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


EVENT_TABLES = (
    "status_period",
    "participation",
    "meeting",
    "employment_plan",
    "service_need_assessment",
    "referral",
    "employment_episode",
    "case_assignment",
    "employer_service_event",
)


def show(title: str, result: dict[str, Any], factor: float = 1.0) -> None:
    rows = result["rows"]
    secs = result["seconds"]
    total_rows = sum(rows.values())
    label = "" if factor == 1.0 else f"  [EXTRAPOLATED ×{factor:.1f} from a shorter window]"
    print(f"\n== {title}{label}")
    for name, n in sorted(rows.items(), key=lambda kv: -kv[1]):
        print(f"  {name:28s} {n * factor:>14,.0f}")
    persons = rows.get("person", 0) * factor  # linear: overstates a little (the first month's stock is fixed)
    events = sum(rows.get(t, 0) for t in EVENT_TABLES) * factor
    print(f"  {'total rows':28s} {total_rows * factor:>14,.0f}")
    print(f"  persons ≈ {persons:,.0f}; status and service events ≈ {events:,.0f}")
    phases = ", ".join(f"{k} {v * factor:.1f}" for k, v in secs.items() if k != "total")
    print(f"  seconds: {phases}; total {secs['total'] * factor:.1f}")
    print(
        f"  rows/s (whole build): {total_rows / secs['total']:,.0f}; rows/s (writing): "
        f"{total_rows / max(secs['write'], 1e-9):,.0f}"
    )
    print(
        f"  peak memory: {result['peak_mb']:,.0f} MB; "
        f"calibration misses (unemployed, vacancies): {result['misses']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="build here instead of a temporary SQLite file")
    parser.add_argument("--national", action="store_true", help="also run the full national build")
    parser.add_argument(
        "--national-months", type=int, help="national build of this many months, extrapolated"
    )
    parser.add_argument("--skip-area", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:

        def url(name: str) -> str:
            return args.database_url or f"sqlite:///{Path(tmp) / name}"

        if not args.skip_area:
            show("Satakunta area 2019-01 … 2026-11-23", build(url("area.db"), "area"))
        if args.national:
            show("national 2023-01 … 2026-11-23", build(url("national.db"), "national"))
        elif args.national_months:
            months = args.national_months
            start = dt.date(2023, 1, 1)
            end_index = start.year * 12 + months - 1
            until = f"{end_index // 12:04d}-{end_index % 12 + 1:02d}"
            full_months = (TODAY.year - 2023) * 12 + TODAY.month
            result = build(url("national.db"), "national", start="2023-01", until=until)
            show(f"national 2023-01 … {until}", result, factor=full_months / months)


if __name__ == "__main__":
    main()
