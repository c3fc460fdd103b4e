"""Load test of the scorecard pages: p50/p95 latency with concurrent signed-in analysts.

Serves ``alue.web.app`` with uvicorn on loopback against a demo database whose scorecard facts are rebuilt,
and drives it with ``--users`` concurrent signed-in analysts (httpx, asyncio) for ``--requests`` requests
or ``--seconds`` seconds. Each user requests, in random order, the scorecard page (``/scorecard/``, a year,
a quarter or a municipality), an indicator page (municipality comparison and drill-down) and — as the plain
baselines measured in the same run — ``/health`` (no database) and the area home page ``/``. Prints p50, p95
and p99 per request kind and the server's CPU seconds.

    .venv/bin/python benchmarks/scorecard_page.py --db /tmp/demo.db     # a database built by `alue demo`
    .venv/bin/python benchmarks/scorecard_page.py                       # builds the demo first (~2 min)
    .venv/bin/python benchmarks/scorecard_page.py --database-url postgresql+psycopg://postgres@127.0.0.1/x

The target (issue 4): scorecard page p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import served  # noqa: E402
from served import free_port, percentile, server_cpu_seconds  # noqa: E402

from alue.area.config import load_area  # noqa: E402
from alue.scorecard.facts import rebuild  # noqa: E402
from alue.scorecard.models import FactIndicator  # noqa: E402
from alue.shared import auth  # noqa: E402
from alue.shared.auth import Role  # noqa: E402
from alue.shared.db import make_engine  # noqa: E402

SECRET = "scorecard-page-benchmark-0123456789-abcdefgh"  # noqa: S105 — a throw-away session key
USERNAME = "bench-analyst"
KINDS = ("scorecard page", "indicator page", "baseline /health", "baseline home /")


def prepare(engine: Engine) -> tuple[int, list[str], list[str]]:
    """Rebuild the facts when there are none; an analyst account; the periods and indicators to ask for."""
    with Session(engine) as session:
        if not session.scalar(select(func.count()).select_from(FactIndicator)):
            started = time.perf_counter()
            report = rebuild(session=session, full=True)
            session.commit()
            seconds = time.perf_counter() - started
            print(f"  facts rebuilt in {seconds:.1f} s ({report.indicator_rows:,} rows)")
        user = session.scalar(select(auth.User).where(auth.User.username == USERNAME))
        if user is None:
            user = auth.create_user(session, username=USERNAME, role=Role.ANALYST, check_policy=False)
            session.commit()
        years = sorted(
            set(
                session.scalars(
                    select(FactIndicator.period).where(FactIndicator.period_kind == "year").distinct()
                )
            )
        )
        pairs = session.execute(select(FactIndicator.indicator_id, FactIndicator.variant).distinct())
        indicators = sorted(f"id={i}&variant={v}" if v else f"id={i}" for i, v in pairs)
        return user.id, years[-2:], indicators


def make_sessions(engine: Engine, user_id: int, count: int) -> list[str]:
    """A session cookie per virtual user, made directly (no password hashing in the measurement)."""
    cookies = []
    with Session(engine) as session:
        user = session.get(auth.User, user_id)
        assert user is not None
        for _ in range(count):
            cookies.append(auth.start_session(session, user=user, lifetime=dt.timedelta(hours=2)))
        session.commit()
    return cookies


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        "ALUE_DATABASE_URL": url,
        "ALUE_SECRET_KEY": SECRET,
        "ALUE_ENVIRONMENT": "development",
        "ALUE_WEB_IDLE_MINUTES": "120",
        "ALUE_WEB_THROTTLE_PER_IP": "100000",
        "PYTHONPATH": str(REPO / "src"),
    }
    return served.start_server(port, workers, env)


async def drive(
    base: str,
    cookies: list[str],
    years: list[str],
    indicators: list[str],
    municipalities: list[str],
    max_requests: int,
    max_seconds: float,
    seed: int = 3,
) -> dict[str, list[float]]:
    rng = random.Random(seed)
    latencies: dict[str, list[float]] = {kind: [] for kind in (*KINDS, "errors")}
    done = 0
    stop_at = time.monotonic() + max_seconds

    def pick() -> tuple[str, str]:
        roll = rng.random()
        year = rng.choice(years)
        if roll < 0.45:
            variant = rng.random()
            if variant < 0.5:
                return "scorecard page", f"/scorecard/?period={year}"
            if variant < 0.75:
                return "scorecard page", f"/scorecard/?period={year}-Q{rng.randint(1, 4)}"
            return "scorecard page", f"/scorecard/?period={year}&municipality={rng.choice(municipalities)}"
        if roll < 0.7:
            return "indicator page", f"/scorecard/indicator?{rng.choice(indicators)}&period={year}"
        if roll < 0.85:
            return "baseline /health", "/health"
        return "baseline home /", "/"

    async def user(cookie: str) -> None:
        nonlocal done
        async with httpx.AsyncClient(
            base_url=base,
            cookies={"alue_session": cookie},
            limits=httpx.Limits(max_connections=1),
            timeout=60,
        ) as client:
            while done < max_requests and time.monotonic() < stop_at:
                kind, path = pick()
                done += 1
                started = time.perf_counter()
                response = await client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    latencies["errors"].append(elapsed)
                    print(f"  {path}: HTTP {response.status_code}", file=sys.stderr)
                else:
                    latencies[kind].append(elapsed)

    await asyncio.gather(*(user(cookie) for cookie in cookies))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, help="a SQLite demo database (built by `alue demo`)")
    parser.add_argument("--database-url", help="any database URL with the demo (PostgreSQL …)")
    parser.add_argument("--users", type=int, default=20, help="concurrent signed-in analysts")
    parser.add_argument("--requests", type=int, default=2000, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=120, help="stop after this long")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn workers")
    parser.add_argument("--warm-up", type=int, default=40, help="requests before measuring")
    args = parser.parse_args()

    area = load_area()
    tmp = None
    if args.database_url:
        url = args.database_url
    elif args.db:
        url = f"sqlite:///{args.db.resolve()}"
    else:
        from alue.demo.build import build_demo

        tmp = tempfile.TemporaryDirectory(prefix="scorecard-page-")
        url = f"sqlite:///{tmp.name}/demo.db"
        started = time.perf_counter()
        build_demo(engine=make_engine(url), area=area, seed=2025)
        print(f"demo built in {time.perf_counter() - started:.0f} s")
    engine = make_engine(url)
    user_id, years, indicators = prepare(engine)
    cookies = make_sessions(engine, user_id, args.users)
    engine.dispose()
    port = free_port()
    server = start_server(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        municipalities = list(area.codes)
        asyncio.run(drive(base, cookies[:2], years, indicators, municipalities, args.warm_up, 60))
        cpu_before = server_cpu_seconds(server.pid)
        started = time.perf_counter()
        latencies = asyncio.run(
            drive(base, cookies, years, indicators, municipalities, args.requests, args.seconds)
        )
        wall = time.perf_counter() - started
        cpu = server_cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    load = os.getloadavg()
    total = sum(len(v) for k, v in latencies.items() if k != "errors")
    print(
        f"scorecard pages — {args.users} users, {args.workers} uvicorn worker(s), {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f}; {total:,} requests in {wall:.1f} s ({total / wall:.1f}/s), "
        f"server CPU {cpu:.1f} s ({1000 * cpu / max(total, 1):.1f} ms a request), "
        f"{len(latencies['errors'])} errors"
    )
    print(f"{'':20}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind in KINDS:
        values = latencies[kind]
        if values:
            print(
                f"{kind:20}{len(values):7}{percentile(values, 50):9.1f}{percentile(values, 95):9.1f}"
                f"{percentile(values, 99):9.1f}"
            )


if __name__ == "__main__":
    main()
