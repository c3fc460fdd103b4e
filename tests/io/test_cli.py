"""``alue import`` and ``alue export`` through Typer's CliRunner, in the test's rolled-back session."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from .factories import cli_in_session, counts, unique_hetu

runner = CliRunner()


@pytest.fixture
def app(session: Session, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    return cli_in_session(session, monkeypatch)


def persons_csv(path: Path, *hetus: str) -> Path:
    lines = ["hetu;etunimi;sukunimi;kotikunta;aidinkieli;asiointikieli"]
    lines += [f"{h};Aino;Virtanen;Pori;fi;fi" for h in hetus]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_import_then_export(app: typer.Typer, session: Session, tmp_path: Path) -> None:
    hetus = [unique_hetu(), unique_hetu()]
    before = counts(session)["person"]
    result = runner.invoke(app, ["import", "persons", str(persons_csv(tmp_path / "p.csv", *hetus))])
    assert result.exit_code == 0, result.output
    assert "inserted" in result.output
    assert "Imported" in result.output
    assert counts(session)["person"] == before + 2

    out = tmp_path / "out.xlsx"
    result = runner.invoke(
        app, ["export", "persons", "--format", "xlsx", "--output", str(out), "--purpose", "test"]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0

    result = runner.invoke(app, ["export", "persons", "--output", "-"])
    assert result.exit_code == 0
    assert all(h in result.output for h in hetus)


def test_bad_file_exits_1_and_names_the_row(app: typer.Typer, session: Session, tmp_path: Path) -> None:
    path = persons_csv(tmp_path / "p.csv", unique_hetu(), "010190-9010")
    before = counts(session)
    result = runner.invoke(app, ["import", "persons", str(path)])
    assert result.exit_code == 1
    assert "check character" in result.output
    assert "Nothing was written" in result.output
    assert counts(session) == before


def test_skip_invalid_writes_a_default_rejects_file(
    app: typer.Typer, session: Session, tmp_path: Path
) -> None:
    path = persons_csv(tmp_path / "p.csv", unique_hetu(), "010190-9010")
    result = runner.invoke(app, ["import", "persons", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    rejects = tmp_path / "p.rejects.csv"
    assert rejects.exists()
    assert "010190-9010" in rejects.read_text(encoding="utf-8-sig")


def test_dry_run_and_unknown_kind(app: typer.Typer, session: Session, tmp_path: Path) -> None:
    before = counts(session)
    result = runner.invoke(
        app, ["import", "persons", str(persons_csv(tmp_path / "p.csv", unique_hetu())), "--dry-run"]
    )
    assert result.exit_code == 0
    assert "Dry run" in result.output
    assert counts(session) == before
    assert runner.invoke(app, ["import", "people", str(tmp_path / "p.csv")]).exit_code == 2


def test_brackets_in_the_file_are_printed_as_text(app: typer.Typer, session: Session, tmp_path: Path) -> None:
    """A file's headers and cells reach the report quoted: ``[/x]`` must not stop it, ``[b]`` not vanish."""
    path = tmp_path / "[b]henkilot.csv"
    path.write_text(
        "hetu;etunimi;sukunimi;kotikunta;aidinkieli;asiointikieli;[/muistiinpanot]\n"
        f"{unique_hetu()};Aino;Virtanen;Atlantis [/b];fi;fi;x\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "persons", str(path)], terminal_width=200)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "'[/muistiinpanot]' is not used" in result.output
    assert "unknown municipality 'Atlantis [/b]'" in result.output
    assert "[b]henkilot.csv" in result.output
