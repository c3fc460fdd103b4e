"""``rebuild``: the monthly benefit facts and the report snapshots the pages read."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.people.models import Status
from alue.planning.models import FtBenefitMonth
from alue.planning.service import financing_key, load_snapshot, rebuild

from ..people.factories import add_spell, make_person

D = dt.date


def test_rebuild_writes_facts_and_snapshots(session: Session, area: Area) -> None:
    person = make_person(session, municipality="079")
    add_spell(session, person, [(Status.UNEMPLOYED, D(2023, 1, 2), None)])
    summary = rebuild(session=session, area=area, as_of=D(2026, 3, 31))
    assert summary.data_end == D(2026, 3, 31)
    # 48 months of facts for Harjavalta, ending with March 2026
    rows = session.scalars(
        select(FtBenefitMonth).where(FtBenefitMonth.municipality_code == "079").order_by(FtBenefitMonth.month)
    ).all()
    assert [r.month for r in rows][-1] == "2026-03"
    assert len(rows) == 48
    january = next(r for r in rows if r.month == "2026-01")
    # January 2026: 22 weekdays of the labour-market subsidy at 50 % (over 500 paid days)
    assert january.lms_days == pytest.approx(22)
    assert january.municipal_cost == pytest.approx(22 * 37.21 * 0.5)
    assert {"financing/079-2026", "financing/area-2026", "staffing/current", "effectiveness/current"} <= set(
        summary.snapshots
    )
    snap = load_snapshot(session=session, kind="financing", key=financing_key("079", 2026))
    assert snap is not None
    assert snap.payload["months"][0]["municipal_cost"] == pytest.approx(january.municipal_cost)
    # Rebuilding again replaces, never duplicates
    rebuild(session=session, area=area, as_of=D(2026, 3, 31), include=("financing",))
    again = session.scalars(select(FtBenefitMonth).where(FtBenefitMonth.municipality_code == "079")).all()
    assert len(again) == 48
