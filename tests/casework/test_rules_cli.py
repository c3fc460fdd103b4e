"""``alue rules …`` through Typer's CliRunner on a root app of its own."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from alue.casework.cli import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


runner = CliRunner()


def _json(app: typer.Typer, *args: str) -> dict:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_show_json_lists_the_rules_in_force(app: typer.Typer) -> None:
    data = _json(app, "rules", "show", "--on", "2026-01-02", "--area", "satakunta", "--json")
    assert data["on"] == "2026-01-02"
    by_id = {r["id"]: r for r in data["rules"]}
    interview = by_id["initial_interview.deadline_working_days"]
    assert interview["value"] == 10
    assert interview["unit"] == "working_days"
    assert interview["effective_from"] == "2026-01-01"
    assert interview["confidence"] == "V"
    assert "HE 108/2025" in interview["source"]
    assert by_id["sanction.first_omission"]["value"] == {"kind": "reminder", "benefit_free_days": None}
    assert by_id["benefit_financing.municipal_share_steps"]["unverified"] is True
    assert by_id["young.service_line_age_limit"]["value"] == 30


def test_show_accepts_finnish_dates(app: typer.Typer) -> None:
    data = _json(app, "rules", "show", "--on", "1.3.2026", "--area", "satakunta", "--json")
    by_id = {r["id"]: r for r in data["rules"]}
    assert by_id["sanction.first_omission"]["value"]["benefit_free_days"] == 7


def test_show_table(app: typer.Typer) -> None:
    result = runner.invoke(app, ["rules", "show", "--on", "31.12.2025", "--area", "satakunta"])
    assert result.exit_code == 0, result.output
    assert "31.12.2025" in result.output
    assert "unverified" in result.output


def test_initial_interview_json_carries_the_rule_used(app: typer.Typer) -> None:
    # Registration Tue 30.12.2025 -> the 5-day rule of 2025 -> Thu 8.1.2026 (see test_deadlines.py).
    data = _json(app, "rules", "deadline", "initial-interview", "--registered", "2025-12-30", "--json")
    assert data["due"] == "2026-01-08"
    assert data["rules"][0]["rule_id"] == "initial_interview.deadline_working_days"
    assert data["rules"][0]["effective_from"] == "2025-01-01"


def test_job_search_discussion_text(app: typer.Typer) -> None:
    result = runner.invoke(app, ["rules", "deadline", "job-search-discussion", "--last", "6.1.2026"])
    assert result.exit_code == 0, result.output
    # 6.4.2026 is Easter Monday -> Thu 2.4.2026.
    assert result.output.startswith("Due 2.4.2026")


def test_goal_and_supplementary_json(app: typer.Typer) -> None:
    goal = _json(
        app, "rules", "deadline", "goal", "--spell-start", "15.1.2025", "--area", "satakunta", "--json"
    )
    assert goal["due"] == "2025-04-15"
    schedule = _json(app, "rules", "deadline", "supplementary", "--spell-start", "2026-01-01", "--json")
    assert schedule["mode"] == "by_service_need"
    assert schedule["discussions"] == []


def test_changes_json(app: typer.Typer) -> None:
    data = _json(app, "rules", "changes", "--area", "satakunta", "--json")
    dates = [c["date"] for c in data["changes"]]
    assert dates == sorted(dates)
    by_date = {c["date"]: c["rules"] for c in data["changes"]}
    assert by_date["2026-03-01"] == ["sanction.first_omission"]
    assert "initial_interview.deadline_working_days" in by_date["2026-01-01"]


@pytest.mark.parametrize("bad", ["2026-13-01", "31.2.2026", "tomorrow", "2.1.26"])
def test_bad_dates_are_refused_clearly(app: typer.Typer, bad: str) -> None:
    result = runner.invoke(app, ["rules", "show", "--on", bad, "--json"])
    assert result.exit_code == 2
    assert "--on" in result.output


def test_date_without_a_rule_in_force_is_an_error(app: typer.Typer) -> None:
    result = runner.invoke(app, ["rules", "deadline", "initial-interview", "--registered", "1.1.2020"])
    assert result.exit_code == 1
    assert (
        "no version of rule 'initial_interview.deadline_working_days' is in force on 1.1.2020"
        in result.output
    )
