"""Load test of the staff web application: jobseeker search and the jobseeker page.

Builds a throw-away PostgreSQL database (``alue_bench`` on 127.0.0.1:5432, user postgres, trust auth) with
100,000 synthetic persons, starts ``alue.web.app`` with uvicorn on loopback, and drives it with
``--users`` concurrent signed-in case workers (httpx, asyncio) for at most ``--requests`` requests or
``--seconds`` seconds, whichever comes first. Prints p50/p95/p99 latency per request kind. Stops by itself
and drops nothing but its own database.

    .venv/bin/python benchmarks/web_load.py                 # 100,000 persons, 50 users
    .venv/bin/python benchmarks/web_load.py --persons 20000 --users 20 --requests 2000
    .venv/bin/python benchmarks/web_load.py --build-only    # build the database and stop
    .venv/bin/python benchmarks/web_load.py --reuse --think 2            # reuse it; users pause 2 s
    .venv/bin/python benchmarks/web_load.py --reuse --in-process 200     # SQL and CPU ms per request

The load run also prints the server's CPU time per request (its process tree, from ``/proc``) and when
the requests over ``SLOW_MS`` finished, so that a stall of everything shows as such.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import served
from faker import Faker
from served import free_port, percentile, server_cpu_seconds
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.area.config import load_area
from alue.area.service import sync_area
from alue.casework.models import CaseAssignment
from alue.people.models import JobseekingSpell, Person, StatusPeriod
from alue.shared import auth, migrate
from alue.shared.auth import Role
from alue.shared.db import make_engine
from alue.shared.identifiers import make_hetu
from alue.staff.models import ServiceLine, StaffMember, StaffMunicipality, Team, TeamMembership
from alue.web.security import _mac

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "alue_bench"
SECRET = "benchmark-secret-key-0123456789-abcdefghij"  # noqa: S105 — a throw-away database
REPO = Path(__file__).resolve().parents[1]
#: the search form posts with htmx, which asks for the results fragment only
HTMX = {"HX-Request": "true"}
#: requests slower than this are listed with the second of the run they finished in
SLOW_MS = 500


def create_database() -> Engine:
    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    engine = make_engine(ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}")
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        sync_area(session=session, area=load_area())
        session.commit()
    return engine


def populate(engine: Engine, persons: int, seed: int = 1) -> dict[str, object]:
    """Bulk-insert persons, spells, periods, staff, teams and assignments; return what the load needs."""
    rng = random.Random(seed)
    fake = Faker("fi_FI")
    Faker.seed(seed)
    first_names = list({fake.first_name() for _ in range(600)})
    last_names = list({fake.last_name() for _ in range(900)})
    area = load_area()
    codes = list(area.municipalities)
    weights = [area.municipalities[c].population for c in codes]
    today = dt.datetime.now(tz=dt.UTC).date()
    seen: set[str] = set()
    started = time.monotonic()
    with engine.begin() as conn:
        batch: list[dict[str, object]] = []
        for n in range(1, persons + 1):
            while True:
                born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 17000))
                hetu = make_hetu(born, rng.randint(900, 999))
                if hetu not in seen:
                    seen.add(hetu)
                    break
            batch.append(
                {
                    "id": n,
                    "customer_number": f"AS{n:08d}",
                    "hetu": hetu,
                    "pseudo_key": f"{n:032x}",
                    "first_name": rng.choice(first_names),
                    "last_name": rng.choice(last_names),
                    "birth_date": born,
                    "gender": "female" if n % 2 else "male",
                    "home_municipality_code": rng.choices(codes, weights)[0],
                    "street_address": "",
                    "postcode": "28100",
                    "phone": "",
                    "email": "",
                    "mother_tongue": "fi",
                    "service_language": "fi",
                    "citizenship": "FIN",
                    "education_level": "vocational",
                    "languages": {},
                    "driving_licence": False,
                    "commute_reach_km": 30,
                    "working_time_preference": "any",
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(Person.__table__), batch)
                batch = []
        if batch:
            conn.execute(insert(Person.__table__), batch)
        spells, periods = [], []
        for n in range(1, persons + 1):
            start = today - dt.timedelta(days=rng.randrange(30, 900))
            spells.append(
                {"id": n, "person_id": n, "start_date": start, "end_date": None, "municipality_code": "609"}
            )
            middle = start + dt.timedelta(days=rng.randrange(1, 29))
            periods.append(
                {
                    "spell_id": n,
                    "person_id": n,
                    "status": "unemployed",
                    "start_date": start,
                    "end_date": middle,
                }
            )
            periods.append(
                {
                    "spell_id": n,
                    "person_id": n,
                    "status": rng.choice(["unemployed", "in_service", "part_time"]),
                    "start_date": middle + dt.timedelta(days=1),
                    "end_date": None,
                }
            )
            if len(periods) >= 20_000:
                conn.execute(insert(JobseekingSpell.__table__), spells)
                conn.execute(insert(StatusPeriod.__table__), periods)
                spells, periods = [], []
        if spells:
            conn.execute(insert(JobseekingSpell.__table__), spells)
            conn.execute(insert(StatusPeriod.__table__), periods)
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))")
        )
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('jobseeking_spell', 'id'), "
                "(SELECT max(id) FROM jobseeking_spell))"
            )
        )
    print(f"  {persons:,} persons with spells and status periods in {time.monotonic() - started:.0f} s")

    with Session(engine) as session:
        staff_ids: list[int] = []
        for n in range(180):  # the area's ~180 staff, about half in Pori
            code = "609" if n % 2 == 0 else rng.choice(codes)
            member = StaffMember(
                employee_number=f"B{n:04d}",
                first_name=rng.choice(first_names),
                last_name=rng.choice(last_names),
                email=f"bench{n}@alue.example",
                service_line=ServiceLine.JOB_BROKERAGE,
                base_municipality_code=code,
                fte=Decimal("1"),
                municipal_official=n % 3 != 0,
            )
            session.add(member)
            session.flush()
            session.add(StaffMunicipality(staff_id=member.id, municipality_code=code))
            staff_ids.append(member.id)
        teams = [
            Team(name=f"Tiimi {t}", service_line=ServiceLine.JOB_BROKERAGE, lead_staff_id=staff_ids[t])
            for t in range(15)
        ]
        session.add_all(teams)
        session.flush()
        for i, sid in enumerate(staff_ids):
            session.add(
                TeamMembership(
                    team_id=teams[i % 15].id, staff_id=sid, start_date=today - dt.timedelta(days=400)
                )
            )
        session.flush()
        assignments = [
            {
                "person_id": pid,
                "staff_id": rng.choice(staff_ids),
                "service_line": "job_brokerage",
                "start_date": today - dt.timedelta(days=100),
                "end_date": None,
                "assigned_by": "",
            }
            for pid in rng.sample(range(1, persons + 1), persons // 3)
        ]
        session.execute(insert(CaseAssignment.__table__), assignments)
        worker = staff_ids[0]  # a Pori case worker in team 0
        user = auth.create_user(
            session, username="bench-worker", role=Role.CASE_WORKER, staff_id=worker, check_policy=False
        )
        session.commit()
        principal = auth.Principal.of(user)
        from alue.shared.auth import person_scope

        visible = list(session.scalars(select(Person.id).where(person_scope(principal)).limit(20_000)))
        hetus = list(session.scalars(select(Person.hetu).where(Person.id.in_(visible[:2000]))))
        session.execute(text("ANALYZE"))
        session.commit()
        print(f"  the case worker sees {len(visible):,}+ persons (sampled)")
        return {"user_id": user.id, "visible": visible, "hetus": hetus, "last_names": last_names}


def existing(engine: Engine) -> dict[str, object]:
    """What ``populate`` returns, read back from a database built earlier."""
    from alue.shared.auth import person_scope

    with Session(engine) as session:
        user = session.scalar(select(auth.User).where(auth.User.username == "bench-worker"))
        assert user is not None, f"no bench-worker in {BENCH_DB}: run without --reuse first"
        visible = list(
            session.scalars(select(Person.id).where(person_scope(auth.Principal.of(user))).limit(20_000))
        )
        hetus = list(session.scalars(select(Person.hetu).where(Person.id.in_(visible[:2000]))))
        last_names = list(session.scalars(select(Person.last_name).distinct()))
        persons = session.scalar(select(func.count()).select_from(Person))
        return {
            "user_id": user.id,
            "visible": visible,
            "hetus": hetus,
            "last_names": last_names,
            "persons": persons,
        }


def make_sessions(engine: Engine, user_id: int, count: int) -> list[tuple[str, str]]:
    """(cookie token, CSRF token) per virtual user, made directly (50 sign-ins = 50 argon2 hashes)."""
    result = []
    with Session(engine) as session:
        user = session.get(auth.User, user_id)
        assert user is not None
        for _ in range(count):
            token = auth.start_session(session, user=user, lifetime=dt.timedelta(hours=2))
            result.append((token, _mac(SECRET, auth.token_digest(token))))
        session.commit()
    return result


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        "ALUE_DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}",
        "ALUE_SECRET_KEY": SECRET,
        "ALUE_ENVIRONMENT": "development",
        "ALUE_WEB_IDLE_MINUTES": "120",
    }
    return served.start_server(port, workers, env)


async def drive(
    base: str,
    sessions: list[tuple[str, str]],
    data: dict[str, object],
    max_requests: int,
    max_seconds: float,
    seed: int = 2,
    think: float = 0.0,
) -> dict[str, list[float]]:
    rng = random.Random(seed)
    latencies: dict[str, list[float]] = {
        "search by name": [],
        "search by HETU": [],
        "jobseeker page": [],
        "errors": [],
        "slow at": [],
    }
    visible: list[int] = data["visible"]  # type: ignore[assignment]
    hetus: list[str] = data["hetus"]  # type: ignore[assignment]
    last_names: list[str] = data["last_names"]  # type: ignore[assignment]
    done = 0
    began = time.monotonic()
    stop_at = began + max_seconds

    async def user(cookie: str, csrf: str) -> None:
        nonlocal done
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(
            base_url=base, cookies={"alue_session": cookie}, limits=limits, timeout=30
        ) as client:
            if think:  # users arrive spread over one pause, not all in the same millisecond
                await asyncio.sleep(rng.uniform(0, think))
            while done < max_requests and time.monotonic() < stop_at:
                roll = rng.random()
                if roll < 0.3:
                    kind, call = (
                        "search by name",
                        client.post(
                            "/persons/search",
                            data={"query": rng.choice(last_names)[:4], "csrf_token": csrf},
                            headers=HTMX,
                        ),
                    )
                elif roll < 0.5:
                    kind, call = (
                        "search by HETU",
                        client.post(
                            "/persons/search",
                            data={"query": rng.choice(hetus), "csrf_token": csrf},
                            headers=HTMX,
                        ),
                    )
                else:
                    kind, call = "jobseeker page", client.get(f"/persons/{rng.choice(visible)}")
                done += 1
                started = time.perf_counter()
                response = await call
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    latencies["errors"].append(elapsed)
                    print(f"  {kind}: HTTP {response.status_code}", file=sys.stderr)
                else:
                    latencies[kind].append(elapsed)
                if elapsed > SLOW_MS:  # when in the run (s), to tell a stall of everything from a slow kind
                    latencies["slow at"].append(round(time.monotonic() - began, 1))
                if think:  # a person reads the page before the next click (exponential pause)
                    await asyncio.sleep(rng.expovariate(1 / think))

    await asyncio.gather(*(user(cookie, csrf) for cookie, csrf in sessions))
    return latencies


def in_process(engine: Engine, data: dict[str, object], requests: int) -> None:
    """Call the routes in this process (TestClient) and print SQL statements and CPU ms per request.

    No network and no concurrency: this is the cost of one request in the application, the figure that
    decides how many requests a CPU can serve.
    """
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from alue.settings import Settings
    from alue.web.app import create_app

    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    os.environ.setdefault("ALUE_WEB_IDLE_MINUTES", "120")
    settings = Settings(database_url=url, secret_key=SECRET, environment="development")
    app_engine = make_engine(url)
    app = create_app(settings, app_engine)
    statements = 0

    @event.listens_for(app_engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    (cookie, csrf), *_ = make_sessions(engine, data["user_id"], 1)  # type: ignore[arg-type]
    rng = random.Random(4)
    visible: list[int] = data["visible"]  # type: ignore[assignment]
    hetus: list[str] = data["hetus"]  # type: ignore[assignment]
    last_names: list[str] = data["last_names"]  # type: ignore[assignment]
    htmx = HTMX
    calls = {
        "search by name": lambda c: c.post(
            "/persons/search", data={"query": rng.choice(last_names)[:4], "csrf_token": csrf}, headers=htmx
        ),
        "search by HETU": lambda c: c.post(
            "/persons/search", data={"query": rng.choice(hetus), "csrf_token": csrf}, headers=htmx
        ),
        "jobseeker page": lambda c: c.get(f"/persons/{rng.choice(visible)}"),
    }
    print(f"in process, {requests} requests of each kind (TestClient, no network, one at a time)")
    print(f"{'request':<18}{'SQL/request':>12}{'CPU ms':>9}{'wall ms':>9}")
    with TestClient(app, cookies={"alue_session": cookie}) as client:
        for kind, call in calls.items():
            for _ in range(20):  # warm-up: templates compiled, caches filled
                assert call(client).status_code == 200
            statements = 0
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(requests):
                response = call(client)
                assert response.status_code == 200, (kind, response.status_code)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"{kind:<18}{statements / requests:>12.1f}{cpu / requests * 1000:>9.1f}"
                f"{wall / requests * 1000:>9.1f}"
            )
    app_engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--requests", type=int, default=5000, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=120, help="stop after this long")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="uvicorn worker processes (default: one a CPU)",
    )
    parser.add_argument("--warmup", type=int, default=200, help="requests sent before measuring")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds between a user's requests (0: as fast as possible)",
    )
    parser.add_argument("--reuse", action="store_true", help=f"use the {BENCH_DB} built by an earlier run")
    parser.add_argument("--build-only", action="store_true", help=f"build {BENCH_DB} and stop")
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="N",
        default=0,
        help="instead of the load test, call each route N times in this process and print SQL and CPU",
    )
    args = parser.parse_args()

    if args.reuse:
        engine = make_engine(ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}")
        data = existing(engine)
        args.persons = int(data["persons"])  # type: ignore[call-overload]
    else:
        print(f"Building {BENCH_DB} with {args.persons:,} synthetic persons …")
        engine = create_database()
        data = populate(engine, args.persons)
        if args.build_only:
            engine.dispose()
            return
    if args.in_process:
        in_process(engine, data, args.in_process)
        engine.dispose()
        return
    sessions = make_sessions(engine, data["user_id"], args.users)  # type: ignore[arg-type]
    port = free_port()
    server = start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(drive(base, sessions[: min(10, len(sessions))], data, args.warmup, 60))
        started, cpu_before = time.monotonic(), server_cpu_seconds(server.pid)
        results = asyncio.run(
            drive(base, sessions, data, args.requests, args.seconds, seed=3, think=args.think)
        )
        wall = time.monotonic() - started
        server_cpu = server_cpu_seconds(server.pid) - cpu_before
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        engine.dispose()
    total = sum(len(v) for k, v in results.items() if k != "slow at")
    print(
        f"\n{total} requests by {args.users} concurrent users in {wall:.1f} s ({total / wall:.0f} req/s), "
        f"{args.persons:,} persons, {args.workers} uvicorn workers, {os.cpu_count()} CPUs, "
        f"think {args.think} s, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'request':<18}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for kind, values in results.items():
        if kind in ("errors", "slow at") or not values:
            continue
        print(
            f"{kind:<18}{len(values):>7}{percentile(values, 50):>9.0f}{percentile(values, 95):>9.0f}"
            f"{percentile(values, 99):>9.0f}{statistics.fmean(values):>9.0f}"
        )
    print(f"errors: {len(results['errors'])}")
    slow = results["slow at"]
    if slow:
        seconds = sorted({int(t) for t in slow})
        print(f"requests over {SLOW_MS} ms: {len(slow)}, finishing in second(s) {seconds[:40]} of the run")
    print(f"server CPU: {server_cpu:.1f} s, {server_cpu / max(total, 1) * 1000:.1f} ms per request")


if __name__ == "__main__":
    main()
