"""The early-identification model: labels and features on hand-made histories, metrics, the protected-feature
switch, a full run on a synthetic history (temporal split, baseline, model card, fairness report), scoring
with reasons, the case worker's and the jobseeker's views, and the command line."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import typer
from rich.console import Console
from sklearn.metrics import roc_auc_score
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.casework import early_identification as ei
from alue.casework.journey_models import JobseekerView, RiskModelRun, WorkerView
from alue.casework.synthetic import generate_history
from alue.people.models import (
    CustomerGroup,
    EducationLevel,
    Gender,
    JobseekingSpell,
    SpellEndReason,
    Status,
)
from alue.shared.audit import AuditEvent

D = dt.date
U, L, S = Status.UNEMPLOYED, Status.LAID_OFF_FULL, Status.IN_SERVICE


def _person(spells: list[ei.SpellFacts], **kw: object) -> ei.PersonFacts:
    base = {
        "id": 1,
        "birth_date": D(1970, 6, 15),
        "gender": Gender.FEMALE,
        "mother_tongue": "ar",
        "citizenship": "SYR",
        "education": EducationLevel.BASIC,
        "driving_licence": False,
        "isco_major": "7",
        "experience_months": 130,
    }
    base.update(kw)
    person = ei.PersonFacts(**base)  # type: ignore[arg-type]
    person.spells = spells
    return person


def _spell(
    id: int, start: dt.date, end: dt.date | None, *periods: tuple[Status, dt.date, dt.date | None]
) -> ei.SpellFacts:
    return ei.SpellFacts(
        id,
        start,
        end,
        SpellEndReason.EMPLOYED_OPEN_MARKET if end else None,
        "609",
        [ei.PeriodFacts(*p) for p in periods],
    )


def test_auc_matches_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    p = np.round(rng.random(500), 1)  # many ties
    assert ei.auc(y, p) == pytest.approx(roc_auc_score(y, p))


def test_evaluate_perfect_and_calibration_bins() -> None:
    y = np.array([0, 0, 1, 1, 1])
    perfect = ei.evaluate(y, y.astype(float), threshold=0.5, bins=10)
    assert perfect["auc"] == 1.0
    assert perfect["brier"] == 0.0
    assert perfect["false_positive_rate"] == 0.0
    assert perfect["false_negative_rate"] == 0.0
    p = np.array([0.1, 0.15, 0.8, 0.85, 0.35])
    result = ei.evaluate(y, p, threshold=0.5, bins=10)
    assert sum(b["n"] for b in result["calibration_bins"]) == 5
    assert result["false_negative_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert result["brier"] == pytest.approx(np.mean((p - y) ** 2), abs=1e-4)


def test_labels_landmarks_and_observability() -> None:
    settings = ei.load_settings()
    long = _spell(1, D(2025, 1, 1), D(2025, 4, 10), (U, D(2025, 1, 1), D(2025, 4, 10)))  # unemployed on 1.4.
    short = _spell(
        2, D(2025, 5, 2), D(2025, 8, 1), (U, D(2025, 5, 2), D(2025, 8, 1))
    )  # ends on 1.8. (included)
    service = _spell(3, D(2025, 9, 1), None, (U, D(2025, 9, 1), D(2025, 10, 15)), (S, D(2025, 10, 16), None))
    examples = ei.build_examples(
        [_person([long, short, service])], settings=settings, data_until=D(2025, 12, 31), youth_age_limit=30
    )
    by_key = {(e.spell_id, e.landmark): e for e in examples}
    assert by_key[(1, 0)].outcome == {3: True, 12: None}  # 12-month day 1.1.2026 is after the data
    assert by_key[(2, 0)].outcome[3] is False  # the 3-month day is 2.8.; the spell ended on 1.8.
    boundary = _spell(4, D(2025, 5, 2), D(2025, 8, 2), (U, D(2025, 5, 2), D(2025, 8, 2)))
    (example, *_) = ei.build_examples(
        [_person([boundary])], settings=settings, data_until=D(2025, 12, 31), youth_age_limit=30
    )
    assert example.outcome[3] is True  # an inclusive end: still unemployed on 2.8.
    assert by_key[(3, 30)].outcome[3] is False  # in a service on 1.12.2025 does not continue the spell
    assert (3, 60) not in by_key  # not unemployed on day 60 (in a service): no example
    with_services = settings.model_copy(update={"services_continue_spell": True})
    examples = ei.build_examples(
        [_person([service])], settings=with_services, data_until=D(2025, 12, 31), youth_age_limit=30
    )
    assert {e.landmark: e.outcome[3] for e in examples} == {0: True, 30: True, 60: True}


def test_features_use_only_the_past() -> None:
    earlier = _spell(
        1,
        D(2023, 1, 1),
        D(2023, 3, 31),
        (U, D(2023, 1, 1), D(2023, 2, 28)),
        (S, D(2023, 3, 1), D(2023, 3, 31)),
    )
    older = _spell(2, D(2020, 1, 1), D(2020, 12, 31), (U, D(2020, 1, 1), D(2020, 12, 31)))  # outside 3 years
    current = _spell(3, D(2025, 2, 10), None, (L, D(2025, 2, 10), None))
    person = _person([older, earlier, current])
    person.groups = [
        (CustomerGroup.PARTIAL_WORK_ABILITY, D(2024, 1, 1), None),
        (CustomerGroup.IMMIGRANT, D(2025, 3, 1), None),
    ]
    values = ei.feature_values(person, current, D(2025, 2, 10), youth_age_limit=30, history_years=3)
    assert values["prior_spells"] == 1
    assert values["prior_unemployed_days"] == 59  # 1.1.–28.2.2023
    assert values["prior_service_days"] == 31
    assert values["age_band"] == "50-54"
    assert values["season"] == "Q1"
    assert values["laid_off"]
    assert values["partial_work_ability"]
    assert not values["immigrant"]
    assert values["language_group"] == "other"
    assert values["citizenship_group"] == "other"
    later = ei.feature_values(person, current, D(2025, 3, 12), youth_age_limit=30, history_years=3)
    assert later["immigrant"]
    assert later["spell_age_days"] == 30


def test_protected_features_are_off_unless_an_administrator_turns_them_on() -> None:
    off = {f.name for f in ei.used_features(protected=False)}
    assert not off & {"gender", "language_group", "citizenship_group", "immigrant"}
    assert {"gender", "language_group", "citizenship_group", "immigrant"} <= {
        f.name for f in ei.used_features(protected=True)
    }
    baseline = {f.name for f in ei.used_features(protected=False, baseline=True)}
    assert baseline == {
        "spell_age_days",
        "young",
        "no_vocational_education",
        "laid_off",
        "partial_work_ability",
        "life_management",
        "substance_mental_health",
        "neuropsychiatric",
        "disability",
    }


@pytest.fixture
def history(session: Session) -> Session:
    generate_history(session, n_people=1200, seed=11)
    return session


def test_training_run_model_card_and_scoring(history: Session) -> None:
    session = history
    with pytest.raises(ei.TrainingError, match="administrator"):
        ei.train(
            session=session,
            cutoff=D(2024, 10, 1),
            data_until=D(2025, 12, 31),
            created_by="t",
            include_protected=True,
            youth_age_limit=30,
        )
    run = ei.train(
        session=session,
        cutoff=D(2024, 10, 1),
        data_until=D(2025, 12, 31),
        created_by="tester",
        youth_age_limit=30,
    )
    card = run.metrics
    assert run.active
    assert run.model_blob
    assert len(run.model_sha256) == 64
    assert card["protected_features"] == {"enabled": False, "source": "settings file", "allowed_by": None}
    assert run.settings["protected_features"]["enabled"] is False
    for horizon in ("3", "12"):
        entry = card["horizons"][horizon]
        assert entry["status"] == "trained", entry
        model, baseline = entry["model"], entry["baseline"]
        assert 0.6 < model["auc"] < 0.9, model["auc"]
        assert model["auc"] > baseline["auc"]  # the baseline sees only spell age and customer groups
        assert model["expected_calibration_error"] < 0.08
        assert sum(b["n"] for b in model["calibration_bins"]) == entry["n_test"]
        # AUC among spells of the same age: the synthetic history plants effects of the other inputs, so
        # the model must beat the baseline where spell age cannot rank (new registrations).
        by_landmark = entry["by_landmark"]
        assert set(by_landmark) == {"0", "30", "60"}
        assert sum(m["n"] for m in by_landmark.values()) == entry["n_test"]
        assert by_landmark["0"]["n"] == entry["model_new_spells"]["n"]
        assert by_landmark["0"]["model_auc"] == entry["model_new_spells"]["auc"]
        assert by_landmark["0"]["model_auc"] > by_landmark["0"]["baseline_auc"]
        assert set(entry["fairness"]) == {"gender", "age_band", "language_group", "municipality"}
        assert {"female", "male"} == set(entry["fairness"]["gender"])
        assert "false_negative_rate" in entry["fairness"]["gender"]["female"]
        assert any(g.get("suppressed") for g in entry["fairness"]["municipality"].values())
        assert not {c["feature"] for c in entry["coefficients"]} & {"gender", "language_group", "immigrant"}
    # temporal split: every training outcome was known on the cut-off day, evaluation uses later spells
    assert card["temporal_split"]["cutoff"] == "2024-10-01"

    # scoring a spell: estimates, main reasons, the worker's and the jobseeker's views
    from sqlalchemy import select

    from alue.people.models import JobseekingSpell

    spell = session.scalar(
        select(JobseekingSpell)
        .where(JobseekingSpell.start_date >= D(2025, 11, 1))
        .order_by(JobseekingSpell.id)
    )
    score = ei.score_spell(session=session, spell_id=spell.id, on=spell.start_date)
    assert 0 < score.risk_3m < 1
    assert 0 < score.risk_12m < 1
    reasons = score.reasons["3"]
    assert reasons
    assert all({"feature", "label", "value", "contribution"} <= set(r) for r in reasons)
    assert ei.score_spell(session=session, spell_id=spell.id, on=spell.start_date).id == score.id
    with pytest.raises(ValueError, match="why you disagree"):
        ei.review_score(session=session, score_id=score.id, staff_id=None, view=WorkerView.DISAGREE)  # type: ignore[arg-type]
    ei.review_score(
        session=session,
        score_id=score.id,
        staff_id=None,
        view=WorkerView.DISAGREE,  # type: ignore[arg-type]
        reason="has a job offer starting next month",
    )
    ei.record_jobseeker_view(
        session=session, score_id=score.id, view=JobseekerView.EXPECTS_WORK_SOON, note="job offer"
    )
    assert (score.worker_view, score.jobseeker_view) == (WorkerView.DISAGREE, JobseekerView.EXPECTS_WORK_SOON)
    # a spell older than the horizon has no estimate for it
    old = ei.score_spell(session=session, spell_id=spell.id, on=spell.start_date + dt.timedelta(days=100))
    assert old.risk_3m is None
    assert old.risk_12m is not None

    # contributions add up: the calibrated log-odds minus the average case's equal the sum of contributions
    model = ei.load_model(run)
    hm = model.horizons[3]
    person = ei.load_people(session, until=spell.start_date, person_ids=[spell.person_id])[0]
    values = ei.feature_values(
        person,
        next(s for s in person.spells if s.id == spell.id),
        spell.start_date,
        youth_age_limit=30,
        history_years=3,
    )
    p = hm.predict([values])[0]
    fitted = hm.model.calibrated_classifiers_[0]
    mean_logit = -(
        fitted.calibrators[0].a_ * fitted.estimator.decision_function(hm.design.means[None, :])[0]
        + fitted.calibrators[0].b_
    )
    assert np.log(p / (1 - p)) - mean_logit == pytest.approx(
        sum(c for _, c in hm.contributions(values)), abs=1e-6
    )

    # the model's bytes are checked before use
    tampered = RiskModelRun(
        **{
            c: getattr(run, c)
            for c in (
                "created_at",
                "created_by",
                "cutoff",
                "data_until",
                "settings",
                "metrics",
                "n_train",
                "n_test",
            )
        },
        model_blob=run.model_blob + b"x",
        model_sha256=run.model_sha256,
        active=False,
    )
    session.add(tampered)
    session.flush()
    with pytest.raises(ei.ModelUnavailableError, match="checksum"):
        ei.load_model(tampered)


def test_protected_run_records_who_allowed_it(history: Session, tmp_path) -> None:
    run = ei.train(
        session=history,
        cutoff=D(2024, 10, 1),
        data_until=D(2025, 12, 31),
        created_by="tester",
        include_protected=True,
        allowed_by="Pääkäyttäjä Paula",
        youth_age_limit=30,
        model_dir=tmp_path,
    )
    assert run.metrics["protected_features"] == {
        "enabled": True,
        "source": "command",
        "allowed_by": "Pääkäyttäjä Paula",
    }
    assert {c["feature"] for c in run.metrics["horizons"]["3"]["coefficients"]} >= {
        "gender",
        "language_group",
    }
    assert run.model_blob is None
    assert run.model_path.startswith(str(tmp_path))
    assert ei.load_model(run).horizons


def test_cli_train_and_report(tmp_path, monkeypatch, area) -> None:
    from alue.area.service import sync_area
    from alue.casework.journey_cli import register
    from alue.settings import get_settings
    from alue.shared import migrate
    from alue.shared.db import get_engine, make_engine

    url = f"sqlite:///{tmp_path / 'model.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        sync_area(session=session, area=area)
        generate_history(session, n_people=900, seed=5)
        session.commit()
    engine.dispose()
    monkeypatch.setenv("ALUE_DATABASE_URL", url)
    monkeypatch.setattr("alue.casework.journey_cli.console", Console(width=200))
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        app = typer.Typer()
        register(app)
        runner = CliRunner()
        trained = runner.invoke(
            app, ["model", "train", "--cutoff", "2024-10-01", "--until", "2025-12-31", "--by", "cli"]
        )
        assert trained.exit_code == 0, trained.output
        assert "AUC" in trained.output
        assert "baseline" in trained.output
        assert "Calibration" in trained.output
        assert "Error rates by gender" in trained.output
        assert "Error rates by language group" in trained.output
        report = runner.invoke(app, ["model", "report", "--json"])
        assert report.exit_code == 0, report.output
        data = json.loads(report.stdout)
        assert data["created_by"] == "cli"
        assert data["model_card"]["horizons"]["3"]["model"]["auc"] > 0.5
        assert data["model_card"]["horizons"]["3"]["baseline"]["auc"] is not None
        # scoring a person shows (and stores) their risk: audited like the casework page
        with Session(make_engine(url)) as session:
            started = JobseekingSpell.start_date <= dt.date(2025, 12, 1)
            person_id = session.scalar(select(JobseekingSpell.person_id).where(started).limit(1))
        scored = runner.invoke(app, ["model", "score", str(person_id), "--on", "2025-12-31", "--json"])
        assert scored.exit_code == 0, scored.output
        with Session(make_engine(url)) as session:
            row = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
            assert row is not None
            assert (row.action, row.object_type, row.person_id) == ("create", "risk_score", person_id)
            assert row.actor_username.startswith("cli:")
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
