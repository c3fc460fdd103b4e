"""Helpers for survey tests: issue links and answer them as respondents would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from alue.shared.time import HELSINKI
from alue.surveys.service import Dimensions, issue, submit

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=HELSINKI)


def answer_many(
    session: Session,
    kind: str,
    forms: Iterable[Mapping[str, str]],
    *,
    month: str = "2026-03",
    municipality: str | None = "609",
    service_line: str | None = "job_brokerage",
    extra_unanswered: int = 0,
) -> None:
    """Issue one link per form and answer it; ``extra_unanswered`` links are issued and left unanswered."""
    dims = Dimensions(month, municipality, service_line)
    for form in forms:
        link = issue(session=session, kind=kind, dimensions=dims, now=NOW)
        submit(session=session, token=link.token, form=form, now=NOW)
    for _ in range(extra_unanswered):
        issue(session=session, kind=kind, dimensions=dims, now=NOW)
