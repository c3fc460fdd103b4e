"""The planted service effects and the selection on observables (for the planning issue's estimators)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Engine

from alue.demo import truth


def _d(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _participants(engine: Engine) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.code, p.person_id, p.start_date, p.end_date, p.outcome, per.education_level, "
                "js.start_date FROM participation p JOIN service s ON s.id = p.service_id "
                "JOIN person per ON per.id = p.person_id "
                "JOIN jobseeking_spell js ON js.id = p.spell_id"
            )
        ).all()
    by: dict[str, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for row in rows:
        by[row[0]].append(tuple(row[1:]))
    return by


def test_catalogue_matches_the_truth(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT code, unit_cost FROM service")).all())
    assert set(rows) == {s.code for s in truth.CATALOGUE}
    for spec in truth.CATALOGUE:
        assert float(rows[spec.code]) == spec.unit_cost
    training = [s for s in truth.CATALOGUE if s.kind == "labour_market_training"]
    assert all(s.unit_cost >= 3000 for s in training)  # labour-market training: several thousand €
    assert (
        truth.SERVICE_BY_CODE["KUNTOUTTAVA"].hazard_ratio
        < 1
        < truth.SERVICE_BY_CODE["PALKKATUKI"].hazard_ratio
    )


def test_selection_is_on_observables(demo_engine: Engine) -> None:
    by = _participants(demo_engine)
    with demo_engine.connect() as conn:
        levels = [r[0] for r in conn.execute(text("SELECT education_level FROM person")).all()]
    tertiary_all = np.mean([lv in ("bachelor", "master", "doctoral") for lv in levels])
    tertiary_it = np.mean([r[4] in ("bachelor", "master", "doctoral") for r in by["TVK-IT"]])
    assert tertiary_it > 2 * tertiary_all  # the better educated get the IT training

    def long_term_share(code: str) -> float:
        return float(np.mean([(_d(r[1]) - _d(r[5])).days >= 365 for r in by[code]]))

    assert long_term_share("KUNTOUTTAVA") > 1.4 * long_term_share("VALM-TYONHAKU")


def test_a_naive_comparison_is_biased(demo_engine: Engine) -> None:
    """Share employed on the open market within 6 months of completing: naive ratio vs the true ratio."""
    by = _participants(demo_engine)
    with demo_engine.connect() as conn:
        jobs = conn.execute(
            text("SELECT person_id, start_date FROM employment_episode WHERE kind = 'open_market'")
        ).all()
    starts: dict[int, list[dt.date]] = defaultdict(list)
    for person, start in jobs:
        starts[person].append(_d(start))
    last = dt.date(2026, 5, 1)

    def naive(code: str) -> float:
        hits = []
        for person, _start, end, outcome, _edu, _spell in by[code]:
            if outcome != "completed" or end is None or _d(end) > last:
                continue
            e = _d(end)
            hits.append(any(e < s <= e + dt.timedelta(days=180) for s in starts[person]))
        return float(np.mean(hits))

    ratio = naive("KUNTOUTTAVA") / naive("VALM-URA")
    true_ratio = math.exp(truth.true_effect("KUNTOUTTAVA") - truth.true_effect("VALM-URA"))
    assert ratio < true_ratio  # participants' weaker employability makes the service look worse than it is


def test_new_trainings_are_in_the_catalogue_without_participants(demo_engine: Engine) -> None:
    """The trainings new in the catalogue are registered with their target groups; nobody has taken part."""
    with demo_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.code, s.target_isco, count(p.id) FROM service s "
                "LEFT JOIN participation p ON p.service_id = s.id GROUP BY s.code, s.target_isco"
            )
        ).all()
    by_code = {code: (targets, n) for code, targets, n in rows}
    for spec in truth.NEW_TRAININGS:
        targets, n = by_code[spec.code]
        assert n == 0
        assert spec.target_isco
        assert all(group in str(targets) for group in spec.target_isco)
    assert all(by_code[spec.code][1] > 0 for spec in truth.SERVICES if not spec.ends_spell)
