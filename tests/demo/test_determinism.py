"""Same seed → the same data; another seed → other data."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
from sqlalchemy import text

from alue.area.config import Area
from alue.demo import build_demo
from alue.demo.generate import generate
from alue.shared.db import make_engine

TODAY = dt.date(2026, 11, 23)


def _digest(area: Area, seed: int) -> str:
    g = generate(area=area, seed=seed, start="2023-01", until="2023-04", today=TODAY)
    h = hashlib.sha256()
    for table in (g.world.P, g.world.S, g.world.SP, g.world.PA, g.world.EE, g.vacancies.V):
        for name in sorted(table.dtypes):
            h.update(np.ascontiguousarray(table[name]).tobytes())
    return h.hexdigest()


def test_generation_is_deterministic(area: Area) -> None:
    assert _digest(area, 7) == _digest(area, 7)
    assert _digest(area, 7) != _digest(area, 8)


TABLES = (
    "person",
    "jobseeking_spell",
    "status_period",
    "participation",
    "employment_episode",
    "vacancy",
    "meeting",
    "employment_plan",
    "area_statistic",
    "staff_member",
    "employer_service_event",
)


def _database_digest(path: Path, area: Area, seed: int) -> dict[str, str]:
    engine = make_engine(f"sqlite:///{path}")
    build_demo(engine=engine, area=area, seed=seed, start="2023-08", until="2023-10", today=TODAY)
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            columns = list(conn.execute(text(f'SELECT * FROM "{table}" LIMIT 0')).keys())
            cols = [c for c in columns if c != "id"] if table == "area_statistic" else ["*"]
            rows = conn.execute(text(f'SELECT {", ".join(cols)} FROM "{table}" ORDER BY 1, 2, 3')).all()
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    engine.dispose()
    return out


def test_database_contents_are_identical_for_the_same_seed(tmp_path: Path, area: Area) -> None:
    first = _database_digest(tmp_path / "a.db", area, 11)
    second = _database_digest(tmp_path / "b.db", area, 11)
    assert first == second
