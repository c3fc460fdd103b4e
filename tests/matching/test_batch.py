"""The weekly batch: stored runs, congestion-aware spreading, coverage and concentration figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alue.matching.batch import gini, run_batch, sinkhorn_prices
from alue.matching.models import MatchRecommendation, MatchRun

DAY = dt.date(2026, 11, 23)


def test_gini() -> None:
    assert gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)
    assert gini(np.array([])) == 0.0


def test_sinkhorn_respects_capacity() -> None:
    # three people all prefer vacancy 0; it can take one unit
    person = np.array([0, 0, 1, 1, 2, 2])
    vacancy = np.array([0, 1, 0, 1, 0, 1])
    score = np.array([0.9, 0.7, 0.9, 0.7, 0.9, 0.7])
    log_v = sinkhorn_prices(
        person, vacancy, score, np.ones(3), np.array([1.0, 3.0]), epsilon=0.05, iterations=300
    )
    assert log_v[0] < np.log(0.5)
    assert log_v[1] == pytest.approx(0.0)
    kernel = np.exp((score - score.max()) / 0.05) * np.exp(log_v)[vacancy]
    plan = kernel / np.bincount(person, weights=kernel)[person]
    assert np.bincount(vacancy, weights=plan)[0] == pytest.approx(1.0, rel=0.05)


@pytest.fixture
def demo_tx(demo_engine):  # type: ignore[no-untyped-def]
    connection = demo_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


def test_batch_plain_and_congestion(demo_tx: Session, data_dir: Path) -> None:
    plain = run_batch(demo_tx, on=DAY, top=10, data_dir=data_dir)
    assert plain.jobseekers > 5000
    assert plain.vacancies > 100
    run = demo_tx.get(MatchRun, plain.run_id)
    assert run.mode == "plain"
    assert run.run_on == DAY
    assert run.recommendations == plain.recommendations
    n = demo_tx.scalar(
        select(func.count()).select_from(MatchRecommendation).where(MatchRecommendation.run_id == run.id)
    )
    assert n == plain.recommendations
    per_person = demo_tx.execute(
        select(
            MatchRecommendation.person_id,
            func.count(),
            func.min(MatchRecommendation.rank),
            func.max(MatchRecommendation.rank),
        )
        .where(MatchRecommendation.run_id == run.id)
        .group_by(MatchRecommendation.person_id)
    ).all()
    assert all(c <= 10 and lo == 1 and hi == c for _, c, lo, hi in per_person)
    rec = demo_tx.scalars(
        select(MatchRecommendation).where(MatchRecommendation.run_id == run.id).limit(1)
    ).one()
    assert set(rec.parts) >= {"occupation", "commute", "language"}
    assert 0 < plain.figures["vacancy_coverage"] <= 1

    cong = run_batch(demo_tx, on=DAY, top=10, congestion=True, data_dir=data_dir)
    assert cong.plain_figures is not None
    assert cong.plain_figures["gini"] == pytest.approx(plain.figures["gini"], abs=0.02)
    # spreading lowers concentration and the largest number of lists any vacancy is on
    assert cong.figures["gini"] < cong.plain_figures["gini"]
    assert cong.figures["max_per_vacancy"] < cong.plain_figures["max_per_vacancy"]
    assert cong.figures["vacancy_coverage"] >= cong.plain_figures["vacancy_coverage"]
