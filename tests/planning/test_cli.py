"""``alue plan …`` on the (empty) test database: every command runs and prints JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from alue.cli import app
from alue.settings import get_settings
from alue.shared.db import get_engine


@pytest.fixture
def runner(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> Iterator[CliRunner]:
    monkeypatch.setenv("ALUE_DATABASE_URL", db_url)
    monkeypatch.setenv("ALUE_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    get_engine.cache_clear()


def _json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["plan", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_staffing(runner: CliRunner) -> None:
    data = _json(runner, "staffing", "--as-of", "2026-03-31")
    assert data["need"]["year"] == 2026
    assert len(data["service_points"]) == 11


def test_financing(runner: CliRunner) -> None:
    data = _json(runner, "financing", "--municipality", "609", "--year", "2026", "--as-of", "2026-03-31")
    assert data["municipality"] == "609"
    assert len(data["months"]) == 12
    assert "benefit_financing.municipal_share_steps" in data["unverified_rules"]


def test_cost_sharing(runner: CliRunner) -> None:
    data = _json(runner, "cost-sharing", "--year", "2026", "--key", "population")
    assert data["method"] == "population"
    assert sum(float(m["total"]) for m in data["municipalities"]) == pytest.approx(float(data["grand_total"]))


def test_scenario_with_export(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    data = _json(
        runner,
        "scenario",
        "src/alue/planning/scenarios/harjavalta-metal-layoff.yaml",
        "--no-baseline",
        "--as-of",
        "2026-08-31",
        "--export",
        str(target),
    )
    assert data["result"]["event"]["people"] == 400
    assert target.read_bytes().startswith(b"%PDF")


def test_errors_are_reported(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "financing", "--municipality", "091"])
    assert result.exit_code == 1
    assert "not in the area" in result.output
    result = runner.invoke(app, ["plan", "cost-sharing", "--year", "2031"])
    assert result.exit_code == 1
    assert "not found" in result.output
