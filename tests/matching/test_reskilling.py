"""Reskilling paths (R-G3): similarity of occupation groups, trainings, and the jobseekers a path serves."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.matching.reskilling import GroupSimilarity, group_similarity, reskilling_paths
from alue.matching.shortage import GroupBalance
from alue.people.models import Person, PersonOccupation, Status
from alue.services.models import ServiceKind
from tests.io.factories import make_employer, make_person, make_service, make_spell, make_vacancy

DAY = dt.date(2026, 11, 23)
PORI, ULVILA, KANKAANPAA, TURKU = "609", "886", "214", "853"


@pytest.fixture(scope="module")
def similarity(data_dir: Path) -> GroupSimilarity:
    return group_similarity(data_dir)


def balance(isco: str, status: str) -> GroupBalance:
    return GroupBalance(
        isco,
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
        status,
        None,
        "unknown",  # type: ignore[arg-type]
        0,
        0,
        "test",
        f"test {status}",
    )


def test_hierarchy_counts_the_shared_code() -> None:
    assert GroupSimilarity.hierarchy("7212", "7213") == 0.75
    assert GroupSimilarity.hierarchy("7212", "7222") == 0.5
    assert GroupSimilarity.hierarchy("7212", "7411") == 0.25
    assert GroupSimilarity.hierarchy("7212", "2211") == 0.0


def test_related_work_is_more_similar_than_unrelated(similarity: GroupSimilarity) -> None:
    welders, sheet_metal, doctors = similarity.parts("7212", ["7213", "2211"]), None, None
    sheet_metal, doctors = welders
    assert sheet_metal["text"] > doctors["text"] > -1
    assert similarity.combine(sheet_metal) > similarity.combine(doctors)
    # without the occupation–skill relations file the skills part is left out
    assert "skills" not in sheet_metal
    assert set(similarity.weights) == {"hierarchy", "text"}
    truck, bus, nurse = "8332", "8331", "2221"
    drivers = similarity.parts(truck, [bus, nurse])
    assert similarity.combine(drivers[0]) > similarity.combine(drivers[1])


def seeker(session: Session, home: str, reach: int, isco: str, *, registered: bool = True) -> Person:
    person = make_person(session, home_municipality_code=home, commute_reach_km=reach)
    end = None if registered else DAY - dt.timedelta(days=30)
    make_spell(session, person, [(Status.UNEMPLOYED, DAY - dt.timedelta(days=200), end)], end=end)
    session.add(
        PersonOccupation(
            person_id=person.id,
            esco_uri=f"x{person.id}",
            esco_version="1.1.1",
            isco4=isco,
            label="kuljettaja",
            is_target=True,
            experience_months=24,
        )
    )
    session.flush()
    return person


def test_a_path_counts_the_jobseekers_within_reach_of_its_vacancies(session: Session, data_dir: Path) -> None:
    status = {
        "8332": balance("8332", "surplus"),
        "8331": balance("8331", "shortage"),
        "2211": balance("2211", "shortage"),
        "5120": balance("5120", "balance"),
    }
    open_on = {"published_on": DAY - dt.timedelta(days=3), "closes_on": DAY + dt.timedelta(days=30)}
    make_vacancy(
        session, make_employer(session, municipality_code=ULVILA), isco4="8331", positions=2, **open_on
    )
    make_vacancy(
        session, make_employer(session, municipality_code=TURKU), isco4="8331", positions=5, **open_on
    )
    make_vacancy(
        session,
        make_employer(session, municipality_code=PORI),
        isco4="8331",
        positions=9,
        published_on=DAY - dt.timedelta(days=60),
        closes_on=DAY - dt.timedelta(days=30),
    )  # closed
    seeker(session, PORI, 30, "8332")  # Ulvila is about 15 km away
    seeker(session, PORI, 150, "8332")  # reaches Turku too: cross-border vacancies count
    seeker(session, KANKAANPAA, 10, "8332")  # too far from both
    seeker(session, PORI, 100, "8332", registered=False)  # no longer a jobseeker
    seeker(session, PORI, 100, "5120")  # another group
    training = make_service(
        session,
        kind=ServiceKind.LABOUR_MARKET_TRAINING,
        code="TVK-LINJA",
        name_fi="Linja-autonkuljettajan koulutus",
        target_isco=["8331"],
        typical_duration_days=90,
    )
    make_service(session, kind=ServiceKind.COACHING, code="VALM-X", target_isco=["8331"])  # not a training
    make_service(
        session, kind=ServiceKind.LABOUR_MARKET_TRAINING, code="OLD", target_isco=["8331"], active=False
    )
    make_service(session, kind=ServiceKind.SELF_MOTIVATED_STUDY, code="LAHI", target_isco=["8332"])
    paths = reskilling_paths(session, on=DAY, data_dir=data_dir, status=status)
    assert [(p.from_isco, p.to_isco) for p in paths][:1] == [("8332", "8331")]
    bus = paths[0]
    assert bus.jobseekers_served == 2
    assert bus.vacancies_in_reach == 7
    assert [(t.code, t.match) for t in bus.trainings] == [(training.code, "target"), ("LAHI", "minor_group")]
    assert bus.from_status.status == "surplus"
    assert bus.to_status.status == "shortage"
    assert 0 < bus.similarity <= 1
    assert set(bus.parts) == {"hierarchy", "text"}
    doctors = [p for p in paths if p.to_isco == "2211"]
    assert all(p.similarity < bus.similarity for p in doctors)
    assert all(p.jobseekers_served == 0 for p in doctors)  # no open vacancies


def test_no_surplus_no_paths(session: Session, data_dir: Path) -> None:
    status = {"8331": balance("8331", "shortage"), "5120": balance("5120", "balance")}
    assert reskilling_paths(session, on=DAY, data_dir=data_dir, status=status) == []


def test_the_command_writes_json_with_small_counts_suppressed(
    session: Session, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import alue.matching.reskilling_cli
    from alue.cli import app

    @contextmanager
    def scope() -> Iterator[Session]:
        yield session

    monkeypatch.setattr(alue.matching.reskilling_cli, "session_scope", scope)
    open_on = {"published_on": DAY - dt.timedelta(days=3), "closes_on": DAY + dt.timedelta(days=30)}
    make_vacancy(session, make_employer(session, municipality_code=PORI), isco4="8160", **open_on)
    seeker(
        session, PORI, 30, "8171"
    )  # paper-mill process workers are a surplus group, food processing a shortage one
    result = CliRunner().invoke(app, ["reskilling-paths", "--json", "--on", DAY.isoformat(), "--top", "500"])
    assert result.exit_code == 0, result.output
    paths = json.loads(result.output)
    path = next(p for p in paths if (p["from_isco"], p["to_isco"]) == ("8171", "8160"))
    assert path["jobseekers_served"] is None  # one person: suppressed
    assert path["from_label"]
    assert path["to_label"]
    assert "MK04" in path["from_source"]
    bad = CliRunner().invoke(app, ["reskilling-paths", "--on", "yesterday"])
    assert bad.exit_code != 0
    assert "not a date" in bad.output
