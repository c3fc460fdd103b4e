from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import typer
from typer.testing import CliRunner

from alue.matching.cli import _stdin_batches, register


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps Typer in multi-command mode, like the root app
        """Nothing."""

    return app


def test_json_lines_keep_alignment() -> None:
    result = CliRunner().invoke(
        _app(), ["code-occupation", "--top", "3", "--json"], input="hitsaaja\n\nwelder\nlastbilsförare"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    records = [json.loads(line) for line in lines]
    assert [r["query"] for r in records] == ["hitsaaja", "", "welder", "lastbilsförare"]
    assert records[1]["candidates"] == []
    for record in (records[0], records[2], records[3]):
        assert set(record) == {"query", "candidates"}
        assert 1 <= len(record["candidates"]) <= 3
        for candidate in record["candidates"]:
            assert set(candidate) == {"uri", "isco", "label", "score"}
            assert candidate["uri"].startswith("http://data.europa.eu/esco/occupation/")
            assert len(candidate["isco"]) == 4
            assert 0.0 <= candidate["score"] <= 1.0
    assert records[0]["candidates"][0]["isco"] == "7212"
    assert records[3]["candidates"][0]["isco"] == "8332"


def test_table_output() -> None:
    result = CliRunner().invoke(_app(), ["code-occupation", "--top", "2"], input="trukinkuljettaja\n")
    assert result.exit_code == 0, result.output
    assert "8344" in result.stdout
    assert "trukinkuljettaja" in result.stdout


def test_table_output_shows_brackets_in_a_title_as_text() -> None:
    result = CliRunner().invoke(
        _app(), ["code-occupation", "--top", "1"], input="Kokki [osa-aikainen]\nvarastotyöntekijä [/]\n"
    )
    assert result.exit_code == 0, result.output
    assert "Kokki [osa-aikainen]" in result.output
    assert "varastotyöntekijä [/]" in result.output


def test_batches_from_a_real_pipe() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"hitsaaja\r\n\nkokki")
    os.close(write_fd)
    with os.fdopen(read_fd, encoding="utf-8") as stream:
        lines = [line for batch in _stdin_batches(stream) for line in batch]
    assert lines == ["hitsaaja", "", "kokki"]


def test_a_byte_order_mark_is_not_part_of_the_first_title() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, "\ufeffhitsaaja\r\n\ufeffkokki\n".encode())
    os.close(write_fd)
    with os.fdopen(read_fd, encoding="utf-8") as stream:
        lines = [line for batch in _stdin_batches(stream) for line in batch]
    assert lines == ["hitsaaja", "\ufeffkokki"]  # only at the start of the input
    assert [line for batch in _stdin_batches(io.StringIO("\ufeffkokki\n")) for line in batch] == ["kokki"]


def test_root_app_loads_only_the_needed_domain() -> None:
    # In a fresh interpreter: running code-occupation must not import the other domains' modules.
    script = (
        "import sys, alue.cli as c; c.app.load_for(['code-occupation', '--json']); print(sorted(sys.modules))"
    )
    command = [sys.executable, "-c", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "'alue.matching.cli'" in out
    for heavy in ("'alue.web.cli'", "'alue.casework.cli'", "'alue.io.cli'", "'sklearn'"):
        assert heavy not in out


def test_root_app_lists_every_command() -> None:
    from alue.cli import DOMAIN_CLIS, app

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("code-occupation", "demo", "import", "serve", "plan", "scorecard", "db"):
        assert command in result.stdout
    assert "alue.matching.cli" in DOMAIN_CLIS
