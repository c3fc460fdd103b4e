from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.shared.time import today
from alue.surveys import cli
from alue.surveys.service import open_token, submit

runner = CliRunner()


@pytest.fixture
def app(session: Session, monkeypatch: pytest.MonkeyPatch):
    @contextmanager
    def scope(engine: object = None) -> Iterator[Session]:
        yield session
        session.flush()

    monkeypatch.setattr(cli, "session_scope", scope)
    import typer

    root = typer.Typer()
    cli.register(root)
    return root


def test_issue_prints_a_fresh_one_time_link(app, session: Session, tmp_path: Path) -> None:
    first = runner.invoke(app, ["survey", "issue", "customer", "--municipality", "609", "--json"])
    second = runner.invoke(app, ["survey", "issue", "customer", "--json", "--qr", str(tmp_path / "qr.svg")])
    assert first.exit_code == 0, first.output
    a, b = json.loads(first.output), json.loads(second.output)
    assert a["token"] != b["token"]
    assert a["url"].endswith(a["token"])
    assert a["kind"] == "customer"
    assert (tmp_path / "qr.svg").read_text().startswith("<svg")
    row = open_token(session=session, token=a["token"])
    assert row.municipality_code == "609"
    assert row.distribution == "kiosk"


def test_results_json(app, session: Session) -> None:
    for _ in range(5):
        out = runner.invoke(app, ["survey", "issue", "partnership", "--json"])
        submit(session=session, token=json.loads(out.output)["token"], form={"active_partnership": "1"})
    year = str(today().year)
    result = runner.invoke(app, ["survey", "results", "--period", year, "--by", "municipality", "--json"])
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.output) if r["indicator_id"] == "partnership_rate"]
    assert [(r["value"], r["n"]) for r in rows if r["n"]] == [(100.0, 5)]
    bad = runner.invoke(app, ["survey", "results", "--period", "ensi vuonna"])
    assert bad.exit_code == 2
