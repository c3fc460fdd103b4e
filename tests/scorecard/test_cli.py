"""``alue scorecard …`` through Typer's CliRunner, in the test's rolled-back session: rebuild, show (JSON and
table), month-end, import and the board report (the PDF is rendered to images with pdftoppm when it is
installed; the workbook is opened with openpyxl)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.scorecard import cli as scorecard_cli

from .test_inflow import build

runner = CliRunner()


@pytest.fixture
def app(session: Session, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    @contextmanager
    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    monkeypatch.setattr(scorecard_cli, "open_session", test_session)
    root = typer.Typer()
    scorecard_cli.register(root)
    return root


def test_rebuild_show_and_report(app: typer.Typer, session: Session, tmp_path: Path) -> None:
    build(session)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "survey_kind,date,municipality,score\n"
        + "".join(f"accessibility,2025-05-0{i},609,{3 + i % 3}\n" for i in range(1, 8)),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scorecard", "import", "survey-responses", str(answers)])
    assert result.exit_code == 0, result.output
    assert "7 new" in result.output

    result = runner.invoke(app, ["scorecard", "rebuild", "--as-of", "2025-12-31", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mode"] == "full"

    result = runner.invoke(app, ["scorecard", "show", "--period", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    by_id = {(i["indicator_id"], i["variant"]): i for i in payload["indicators"]}
    assert len(by_id) == 14
    accessibility = by_id[("accessibility", "")]
    assert accessibility["value"] == pytest.approx((4 + 5 + 3 + 4 + 5 + 3 + 4) / 7)
    assert accessibility["persons"] == 7
    assert accessibility["status"] == "met"
    for key in ("value", "target", "status", "persons"):
        assert key in by_id[("inflow_over_3_months", "")]

    result = runner.invoke(app, ["scorecard", "show", "--period", "2025-Q1", "--lang", "sv"])
    assert result.exit_code == 0, result.output
    assert "Inflöde till arbetslöshet" in result.output

    result = runner.invoke(app, ["scorecard", "show", "--period", "2025-13"])
    assert result.exit_code != 0

    result = runner.invoke(app, ["scorecard", "month-end", "--month", "2025-03", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["municipality_code"] == "*"

    out = tmp_path / "report"
    result = runner.invoke(app, ["scorecard", "report", "--period", "2025-Q3", "--output", str(out)])
    assert result.exit_code == 0, result.output
    pdf, xlsx = out / "scorecard-2025-Q3-fi.pdf", out / "scorecard-2025-Q3-fi.xlsx"
    assert pdf.read_bytes().startswith(b"%PDF")
    book = load_workbook(xlsx)
    assert book.sheetnames[:2] == ["Mittari", "Kuntavertailu"]
    assert book.active["A1"].value.startswith("Satakunnan työllisyysalue")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(out / "page")], check=True)  # noqa: S603,S607
        assert len(list(out.glob("page-*.png"))) >= 3

    result = runner.invoke(
        app, ["scorecard", "report", "--period", "2025", "--lang", "sv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out / "scorecard-2025-sv.xlsx").sheetnames[0] == "Mätare"


def test_bad_survey_file_writes_nothing(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("survey_kind,date,score\naccessibility,2025-05-01,9\n", encoding="utf-8")
    result = runner.invoke(app, ["scorecard", "import", "survey-responses", str(bad)])
    assert result.exit_code == 1
    assert "nothing was written" in result.output


def test_board_report_pdf_pages_and_text(session: Session, area, tmp_path: Path) -> None:
    """The PDF has its fixed layout — the indicator tables (vision and priorities 1–2, then 3 and 5), two
    pages of trend charts (14 charts, 9 a page), the month-end table and one page of definitions — and its
    text names every indicator of the strategy; the workbook opens with openpyxl."""
    from pypdf import PdfReader

    from alue.scorecard.definitions import load_definitions
    from alue.scorecard.facts import rebuild
    from alue.scorecard.periods import Period
    from alue.scorecard.report import write_report

    build(session)
    rebuild(session=session, area=area, as_of=dt.date(2025, 12, 31))
    definitions = load_definitions(area)
    pdf, xlsx = write_report(
        session=session, definitions=definitions, period=Period.parse("2025-Q3"), lang="fi", output=tmp_path
    )
    reader = PdfReader(pdf)
    assert len(reader.pages) == 6
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for indicator in definitions.indicators.values():
        assert indicator.name("fi") in text, indicator.id
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Strateginen visiotavoite" in pages[0]
    assert pages[0].index("Strateginen visiotavoite") < pages[0].index("Painopiste 1")
    assert "Kehitys" in pages[2]
    assert "Määritelmät" in pages[5]
    book = load_workbook(xlsx)
    assert book.sheetnames[:2] == ["Mittari", "Kuntavertailu"]
