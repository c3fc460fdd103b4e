"""``alue match``: the command line on the demo database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.matching.match_cli import register
from alue.settings import get_settings
from alue.shared.db import get_engine


@pytest.fixture
def cli(demo_engine, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Iterator[typer.Typer]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ALUE_DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ALUE_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    get_engine.cache_clear()
    app = typer.Typer()
    register(app)
    yield app
    get_settings.cache_clear()
    get_engine.cache_clear()


def _active_person(demo_engine) -> int:  # type: ignore[no-untyped-def]
    from alue.people.models import JobseekingSpell

    with Session(demo_engine) as s:
        return s.scalars(
            select(JobseekingSpell.person_id).where(JobseekingSpell.end_date.is_(None)).limit(1)
        ).one()


def test_match_jobseeker_and_vacancy_json(cli: typer.Typer, demo_engine) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    person = _active_person(demo_engine)
    result = runner.invoke(
        cli, ["match", "--jobseeker", str(person), "--top", "5", "--on", "2026-11-23", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["jobseeker"] == person
    assert 0 < len(data["results"]) <= 5
    first = data["results"][0]
    assert {p["key"] for p in first["parts"]} >= {"occupation", "commute"}
    assert all(set(p["explanation"]) == {"fi", "sv", "en"} for p in first["parts"])
    result = runner.invoke(
        cli, ["match", "--vacancy", str(first["vacancy_id"]), "--top", "3", "--on", "2026-11-23", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["vacancy"] == first["vacancy_id"]
    assert 0 < len(data["results"]) <= 3
    # reading a person's matches writes an audit row; a vacancy's candidates are one row listing them
    from alue.shared.audit import AuditEvent, AuditSubject

    with Session(demo_engine) as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.person_id == person)).all()
        assert any(r.object_type == "person" for r in rows)
        listing = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "vacancy", AuditEvent.object_id == str(first["vacancy_id"]))
            .order_by(AuditEvent.id.desc())
        ).first()
        assert listing is not None
        candidates = [r["person_id"] for r in data["results"]]
        assert sorted(json.loads(listing.details)["person_ids"]) == sorted(candidates)
        indexed = s.scalars(select(AuditSubject.person_id).where(AuditSubject.event_id == listing.id)).all()
        assert sorted(indexed) == sorted(candidates)


def test_match_errors(cli: typer.Typer) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["match"])
    assert result.exit_code != 0
    assert "exactly one of --jobseeker" in result.output
    result = runner.invoke(cli, ["match", "--jobseeker", "1", "--vacancy", "2"])
    assert result.exit_code != 0
    result = runner.invoke(cli, ["match", "--jobseeker", "999999999", "--on", "2026-11-23"])
    assert result.exit_code == 2
    assert "no person with id 999999999" in result.output


def test_match_batch_json(cli: typer.Typer, demo_engine) -> None:  # type: ignore[no-untyped-def]
    from alue.matching.models import MatchRecommendation, MatchRun

    runner = CliRunner()
    result = runner.invoke(cli, ["match", "batch", "--top", "3", "--on", "2026-11-23", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    try:
        assert data["mode"] == "plain"
        assert data["recommendations"] > 0
        with Session(demo_engine) as s:
            run = s.get(MatchRun, data["run_id"])
            assert run is not None
            assert run.recommendations == data["recommendations"]
    finally:
        with Session(demo_engine) as s:
            s.execute(delete(MatchRecommendation).where(MatchRecommendation.run_id == data["run_id"]))
            s.execute(delete(MatchRun).where(MatchRun.id == data["run_id"]))
            s.commit()
