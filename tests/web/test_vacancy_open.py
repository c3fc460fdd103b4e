"""``Vacancy.open_on``, the SQL that open-vacancy counts and matching use, agrees with ``is_open_on``."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.employers.models import Vacancy
from tests.web.factories import make_employer, make_vacancy

D = dt.date(2026, 3, 10)


@pytest.mark.db
@pytest.mark.parametrize(
    ("closes_on", "filled_on"),
    [(None, None), (D, None), (None, D), (D + dt.timedelta(days=3), D + dt.timedelta(days=1))],
)
def test_sql_condition_equals_the_model_rule(
    session: Session, closes_on: dt.date | None, filled_on: dt.date | None
) -> None:
    vacancy = make_vacancy(session, employer=make_employer(session))
    vacancy.published_on = D - dt.timedelta(days=2)
    vacancy.closes_on, vacancy.filled_on = closes_on, filled_on
    session.flush()
    for offset in range(-4, 6):
        day = D + dt.timedelta(days=offset)
        in_sql = session.scalar(select(Vacancy.id).where(Vacancy.id == vacancy.id, Vacancy.open_on(day)))
        assert (in_sql is not None) == vacancy.is_open_on(day), day
