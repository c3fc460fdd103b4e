"""The audit log's cost of listing persons (``audit_subject``): appends, verification, access reports.

Side by side in the same run, on a fresh database:

- append: a row about one person (the baseline) against a row listing 20 persons (a name search, a
  worklist), milliseconds per append with its commit;
- verify: rows per second over a log of single-person rows only (the baseline) against the same number of
  rows of which a quarter list 20 persons (the index is checked against the hashed details);
- access report of one person: the query by ``person_id`` alone (the baseline, what the report read
  before) against the report that also finds the lists the person is in.

Run: ``.venv/bin/python benchmarks/audit_log.py [--rows 20000] [--url postgresql+psycopg://…/db]``.
A PostgreSQL URL must name a database that can be emptied (its tables are dropped and migrated again).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.shared import audit, migrate
from alue.shared.audit import Actor, AuditAction, AuditEvent, AuditPurpose, AuditSubject
from alue.shared.db import make_engine

ACTOR = Actor(user_id=1, username="bench", role="case_worker")
PERSONS = 50_000
LISTED = 20


def fresh(url: str | None, name: str) -> Engine:
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / f'{name}.db'}"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(engine, "heads")
    return engine


def append(session: Session, rng: random.Random, *, listed: bool) -> None:
    if listed:
        audit.append(
            session,
            actor=ACTOR,
            action=AuditAction.SEARCH,
            object_type="person",
            person_ids=rng.sample(range(1, PERSONS), LISTED),
            purpose=AuditPurpose.CASEWORK,
            details={"by": "name"},
        )
    else:
        person = rng.randrange(1, PERSONS)
        audit.append(
            session,
            actor=ACTOR,
            action=AuditAction.READ,
            object_type="person",
            object_id=person,
            person_id=person,
            purpose=AuditPurpose.CASEWORK,
        )
    session.commit()


def fill(engine: Engine, rows: int, list_share: float, seed: int) -> tuple[float, float]:
    """Append ``rows`` rows; (ms per single-person append, ms per list append)."""
    rng = random.Random(seed)
    single: list[float] = []
    lists: list[float] = []
    with Session(engine) as session:
        for _ in range(rows):
            listed = rng.random() < list_share
            start = time.perf_counter()
            append(session, rng, listed=listed)
            (lists if listed else single).append((time.perf_counter() - start) * 1000)
    return (
        statistics.median(single) if single else float("nan"),
        statistics.median(lists) if lists else float("nan"),
    )


def verify_rate(engine: Engine) -> tuple[float, int]:
    with Session(engine) as session:
        start = time.perf_counter()
        result = audit.verify(session)
        elapsed = time.perf_counter() - start
    assert result.ok, result
    return result.rows_checked / elapsed, result.rows_checked


def report_ms(engine: Engine, persons: list[int]) -> tuple[float, float, float, float]:
    """Median ms of the person_id-only query, of the access report and of the report written as an OR
    (not used); mean rows found by the report."""
    plain: list[float] = []
    full: list[float] = []
    ored: list[float] = []
    found: list[int] = []
    with Session(engine) as session:
        for person in persons:
            listed = select(AuditSubject.event_id).where(AuditSubject.person_id == person)
            start = time.perf_counter()
            session.scalars(
                select(AuditEvent)
                .where(or_(AuditEvent.person_id == person, AuditEvent.id.in_(listed)))
                .order_by(AuditEvent.id.desc())
                .limit(1000)
            ).all()
            ored.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.person_id == person)
                .order_by(AuditEvent.id.desc())
                .limit(1000)
            ).all()
            plain.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            rows = audit.access_report(session, person_id=person)
            full.append((time.perf_counter() - start) * 1000)
            found.append(len(rows))
    return statistics.median(plain), statistics.median(full), statistics.median(ored), statistics.fmean(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--url", default=None, help="PostgreSQL URL of a database that may be emptied")
    args = parser.parse_args()
    base = fresh(args.url, "single")
    single_ms, _ = fill(base, args.rows, 0.0, seed=1)
    base_rate, base_rows = verify_rate(base)
    base.dispose()
    mixed = fresh(args.url, "mixed")
    mixed_single_ms, list_ms = fill(mixed, args.rows, 0.25, seed=1)
    if mixed.dialect.name == "postgresql":
        with mixed.begin() as conn:  # what autovacuum does after a bulk load
            conn.execute(text("ANALYZE"))
    mixed_rate, mixed_rows = verify_rate(mixed)
    persons = random.Random(7).sample(range(1, PERSONS), 200)
    plain_ms, report_full_ms, or_ms, found = report_ms(mixed, persons)
    indexed = 0
    with mixed.connect() as conn:
        indexed = conn.execute(text("SELECT count(*) FROM audit_subject")).scalar_one()
    mixed.dispose()
    print(f"database: {base.dialect.name}; {args.rows:,} audit rows per log")
    print(
        f"append, one person (baseline): {single_ms:.2f} ms median; in the mixed log {mixed_single_ms:.2f} ms"
    )
    print(f"append, a list of {LISTED} persons: {list_ms:.2f} ms median")
    print(f"verify, single-person rows only (baseline): {base_rate:,.0f} rows/s over {base_rows:,} rows")
    print(
        f"verify, a quarter listing {LISTED} persons: {mixed_rate:,.0f} rows/s over {mixed_rows:,} rows "
        f"({indexed:,} index rows)"
    )
    print(
        f"access report of one person: person_id only (baseline) {plain_ms:.2f} ms, with the lists "
        f"{report_full_ms:.2f} ms median ({or_ms:.2f} ms written as an OR, not used); "
        f"{found:.1f} rows found on average"
    )


if __name__ == "__main__":
    main()
