"""Command line for matching: ``alue code-occupation`` codes job titles into ESCO/ISCO-08."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from typing import Annotated, TextIO

import typer

#: Most lines coded in one call; the coder splits a call into batches of 256 that share a sparse
#: matrix product and codes them on its threads (up to 4).
_BATCH = 1024


def _stdin_batches(stream: TextIO) -> Iterator[list[str]]:
    """Lines of ``stream`` in batches (:func:`_line_batches`), a UTF-8 byte-order mark at the start dropped.

    Files saved by Windows programs often start with one; it is no part of the first title.
    """
    first = True
    for batch in _line_batches(stream):
        if first and batch:
            batch[0] = batch[0].removeprefix("\ufeff")
            first = False
        yield batch


def _line_batches(stream: TextIO) -> Iterator[list[str]]:
    """Lines of ``stream`` in batches: whatever is available now, without waiting for more.

    With a real file descriptor (a pipe or a file) lines are read as they arrive, so a caller that
    writes one title and waits for its answer gets it at once, while a piped file is coded in large
    batches. Other streams (tests) are read line by line.
    """
    try:
        fd = stream.fileno()
    except (AttributeError, io.UnsupportedOperation, ValueError):
        fd = -1
    if fd < 0:
        batch: list[str] = []
        for line in stream:
            batch.append(line.rstrip("\r\n"))
            if len(batch) >= _BATCH:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for start in range(0, len(complete), _BATCH):
            yield [
                raw.decode("utf-8", errors="replace").rstrip("\r") for raw in complete[start : start + _BATCH]
            ]
    if pending:
        yield [pending.decode("utf-8", errors="replace").rstrip("\r")]


def code_occupation(
    top: Annotated[int, typer.Option("--top", min=1, max=50, help="Candidates per title.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per input line (for programs).")
    ] = False,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the returned labels: fi, sv or en.")
    ] = "fi",
    confirmed: Annotated[
        bool,
        typer.Option(
            "--confirmed/--no-confirmed",
            help="Also use the job titles the area's staff have confirmed (from the configured database, "
            "when there is one).",
        ),
    ] = True,
) -> None:
    """Code job titles (one per line on standard input) into ESCO occupations and ISCO-08 groups.

    Each candidate has a score: the calibrated probability that its ISCO-08 unit group is right.
    Example: echo "hitsaaja-levyseppä" | alue code-occupation --top 3
    """
    from alue.matching.coder import load_coder

    local_titles: list[tuple[str, str]] = []
    if confirmed:
        from alue.matching.confirmed import read_confirmed_titles
        from alue.settings import get_settings

        local_titles = read_confirmed_titles(get_settings().database_url)
    coder = load_coder(local_titles=local_titles)
    out = sys.stdout
    if as_json:
        for batch in _stdin_batches(sys.stdin):
            for query, candidates in zip(batch, coder.code_many(batch, top=top, lang=lang), strict=True):
                record = {"query": query, "candidates": [c.as_dict() for c in candidates]}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        return

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    for batch in _stdin_batches(sys.stdin):
        for query, candidates in zip(batch, coder.code_many(batch, top=top, lang=lang), strict=True):
            # the title as it was written (``[…]`` in it is text, not console markup)
            table = Table(title=escape(query) if query else "(empty line)", title_justify="left")
            table.add_column("#", justify="right")
            table.add_column("ISCO-08")
            table.add_column("ESCO occupation")
            table.add_column("score", justify="right")
            for rank, candidate in enumerate(candidates, start=1):
                table.add_row(str(rank), candidate.isco, escape(candidate.label), f"{candidate.score:.2f}")
            console.print(table)


def register(app: typer.Typer) -> None:
    """Add the matching commands to the root ``alue`` app."""
    app.command("code-occupation")(code_occupation)
