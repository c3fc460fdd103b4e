"""Structural-change scenarios: the 400-person metal-industry layoff in Harjavalta, and the pieces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.employers.models import Employer, EmploymentType, SizeClass, Vacancy
from alue.people.models import PersonOccupation, Status, WorkingTime
from alue.planning import scenario_service
from alue.planning.export import plan_html, plan_pdf, plan_xlsx
from alue.planning.scenarios import (
    OccupationSimilarity,
    ScenarioError,
    ScenarioEvent,
    example_path,
    load_assumptions,
    load_event,
    residence_shares,
    survival,
)
from alue.services.models import Production, Service, ServiceKind
from alue.staff.models import ServiceLine

from ..people.factories import add_spell, make_person

D = dt.date
AS_OF = D(2026, 8, 31)


def _employer(session: Session, name: str, municipality: str, n: int) -> Employer:
    employer = Employer(
        business_id=f"765432{n}-{n}",
        name=name,
        municipality_code=municipality,
        industry="C",
        size_class=SizeClass.MEDIUM,
    )
    session.add(employer)
    session.flush()
    return employer


def _vacancy(
    session: Session, employer: Employer, isco: str, municipality: str, positions: int, title: str
) -> None:
    session.add(
        Vacancy(
            employer_id=employer.id,
            title=title,
            isco4=isco,
            municipality_code=municipality,
            positions=positions,
            published_on=D(2026, 8, 1),
            closes_on=D(2026, 10, 31),
            working_time=WorkingTime.FULL_TIME,
            employment_type=EmploymentType.PERMANENT,
        )
    )


@pytest.fixture
def market(session: Session) -> None:
    """Open vacancies around Harjavalta on 31.8.2026 and a few jobseekers seeking welding work."""
    pori = _employer(session, "Porin Konepaja Oy", "609", 1)
    far = _employer(session, "Kaukainen Oy", "091", 2)  # Helsinki: beyond commuting distance
    _vacancy(session, pori, "7212", "609", 6, "Hitsaaja")  # same group
    _vacancy(session, pori, "7214", "609", 4, "Levyseppä")  # neighbouring (721x)
    _vacancy(session, pori, "7231", "609", 2, "Autonasentaja")  # related (72xx)
    _vacancy(session, pori, "8332", "079", 10, "Rekkakuski")  # a shortage group: no jobseekers seek it
    _vacancy(session, far, "7212", "091", 50, "Hitsaaja, Helsinki")
    for _ in range(3):
        person = make_person(session, municipality="079")
        add_spell(session, person, [(Status.UNEMPLOYED, D(2026, 5, 1), None)])
        session.add(
            PersonOccupation(
                person_id=person.id, esco_uri="x", esco_version="1.1.1", isco4="7212", label="hitsaaja"
            )
        )
    session.add(
        Service(
            code="KULJETUS-T",
            name_fi="Kuljetusalan koulutus",
            name_sv="Transport",
            name_en="Transport",
            kind=ServiceKind.LABOUR_MARKET_TRAINING,
            production=Production.PURCHASED,
            service_line=ServiceLine.SKILLS,
            unit_cost=5000,
            typical_duration_days=100,
            target_isco=["8332"],
        )
    )
    session.flush()


def test_the_shipped_examples_load() -> None:
    event = load_event(example_path())
    assert (event.kind, event.municipality, event.people) == ("layoff", "079", 400)
    assert {o.isco for o in event.occupations} >= {"7212", "7223", "8121"}
    assert load_event(example_path("pori-new-plant")).kind == "new_plant"


def test_harjavalta_metal_layoff(session: Session, area: Area, market: None) -> None:
    event = load_event(example_path())
    plan = scenario_service.plan_scenario(
        event, session=session, area=area, as_of=AS_OF, compute_staffing=False
    )
    r = plan.result
    # Inflow: 200 people in September 2026, 200 in November
    assert [m.inflow for m in r.months[:3]] == [200, 0, 200]
    assert sum(m.inflow for m in r.months) == 400
    # Too few spells in this small dataset: the default exit rate of 10 % a month. The stock in the first
    # month is the mean of the start and the end of the month: 200 × (1 + 0.9) / 2 = 190.
    assert r.exit_rate == pytest.approx(0.10)
    assert r.months[0].stock == pytest.approx(190)
    assert r.months[2].stock == pytest.approx(200 * 0.9**2 * 0.95 + 190)
    # FTE: the added need peaks with the second wave and falls as people find work
    assert r.peak_fte == pytest.approx(max(m.fte for m in r.months))
    assert r.months[2].fte > r.months[1].fte > 0
    assert r.months[-1].fte < r.months[2].fte / 5
    # Benefit cost: nothing before 100 paid days (the 2025 step table), then the municipalities pay
    assert r.months[0].municipal_cost == 0
    assert r.municipal_cost_first_12_months > 0
    assert r.municipal_cost_horizon > r.municipal_cost_first_12_months
    # Where: 60 % live in Harjavalta, the rest in the neighbouring municipalities by the gravity model
    shares = {m.code: m.residence_share for m in r.municipalities}
    assert shares["079"] == pytest.approx(0.6)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert "609" in shares
    assert "230" not in shares  # Karvia is beyond 60 km
    harjavalta = next(m for m in r.municipalities if m.code == "079")
    assert harjavalta.municipal_cost_first_12_months == pytest.approx(0.6 * r.municipal_cost_first_12_months)
    # Occupations: the welders (100 people) see 6 same-group and 4 neighbouring positions within reach
    # (not the 50 in Helsinki), and compete with the 3 jobseekers already seeking welding work
    welders = next(g for g in r.occupations if g.isco == "7212")
    assert (welders.people, welders.same_positions, welders.neighbouring_positions) == (100, 6, 4)
    assert welders.related_positions == 2
    assert welders.competing_jobseekers == 3
    assert welders.placeable == pytest.approx(10 * 100 / 103)
    assert welders.reskilling_need == pytest.approx(100 - 10 * 100 / 103)
    assert r.reskilling_need == pytest.approx(sum(g.reskilling_need for g in r.occupations))
    # The top vacancies: the welding jobs in Pori first, never the ones in Helsinki
    assert r.top_vacancies[0].isco == "7212"
    assert all(v.municipality != "091" for v in r.top_vacancies)
    # The shortage occupation with a training aimed at it is proposed for retraining
    trucks = next(t for t in r.target_occupations if t.isco == "8332")
    assert trucks.shortage
    assert trucks.trainings == ["KULJETUS-T"]
    assert r.training_cost == pytest.approx(r.training_starts * 5000)
    # The matching engine's occupation similarity decided the levels (its data is in the data directory)
    assert r.matching_method.startswith("the matching engine's occupation similarity")
    # Baseline side by side: the scenario adds the event's peak FTE to each municipality
    rows = {c.code: c for c in plan.comparison}
    assert rows["079"].scenario_need_fte - rows["079"].baseline_need_fte == pytest.approx(harjavalta.peak_fte)


def test_saved_scenarios_and_exports(session: Session, area: Area, market: None, tmp_path: Path) -> None:
    plan = scenario_service.plan_scenario(
        load_event(example_path()), session=session, area=area, as_of=AS_OF, compute_staffing=False
    )
    row = scenario_service.save(session=session, plan=plan, created_by="test")
    again = scenario_service.load(row)
    assert again.id == row.id
    assert again.result.peak_fte == pytest.approx(plan.result.peak_fte)
    assert [s.id for s in scenario_service.saved(session=session)] == [row.id]
    html = plan_html(plan, lang="fi")
    assert "Harjavallan metallitehtaan irtisanomiset" in html
    assert "<script" not in html
    assert "Uudelleenkoulutustarve" in html  # Finnish labels
    assert "Reskilling need" in plan_html(plan, lang="en")
    workbook = tmp_path / "plan.xlsx"
    workbook.write_bytes(plan_xlsx(plan, lang="sv"))
    sheets = load_workbook(workbook).sheetnames
    assert len(sheets) == 6
    assert plan_pdf(plan, lang="en").startswith(b"%PDF")


def test_new_plant(session: Session, area: Area, market: None) -> None:
    event = load_event(example_path("pori-new-plant"))
    plan = scenario_service.plan_scenario(
        event, session=session, area=area, as_of=AS_OF, compute_staffing=False
    )
    r = plan.result
    # The plant's jobs are in other groups than the welders seek: no local candidates in this dataset
    assert r.local_candidates == 0
    assert r.municipal_cost_horizon == 0
    assert r.peak_fte > 0  # employer services: recruitment work for the hires


def test_residence_shares_and_survival(area: Area) -> None:
    a = load_assumptions()
    event = load_event(example_path())
    shares = residence_shares(event, area, a)
    weights = {
        c: area.municipalities[c].population * np.exp(-area.distance_km("079", c) / 20)
        for c in area.municipalities
        if c != "079" and area.distance_km("079", c) <= 60
    }
    assert shares["609"] == pytest.approx(0.4 * weights["609"] / sum(weights.values()))
    own = event.model_copy(update={"residence": {"079": 0.5, "609": 0.5}})
    assert residence_shares(own, area, a) == {"079": 0.5, "609": 0.5}
    assert survival(0.1, 3).tolist() == pytest.approx([1, 0.9, 0.81, 0.729])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"occupations": [{"isco": "7212", "share": 0.5}]}, "sum to 1"),
        ({"occupations": [{"isco": "72", "share": 1.0}]}, "pattern"),
        ({"occupations": [{"share": 1.0}]}, "either isco"),
        ({"people": 0}, "greater than 0"),
        ({"kind": "closure"}, "layoff"),
    ],
)
def test_invalid_events_are_refused(change: dict[str, object], message: str) -> None:
    raw = load_event(example_path()).model_dump()
    raw.update(change)
    with pytest.raises(ValueError, match=message):
        ScenarioEvent.model_validate(raw)


def test_scenario_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not found"):
        load_event(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(ScenarioError, match="kind"):
        load_event(bad)


def test_occupation_similarity_with_the_matching_engine_and_without(data_dir: Path) -> None:
    engine = OccupationSimilarity(data_dir)
    assert engine.space is not None
    assert engine.level("7212", "7212") == "same"
    assert engine.level("7212", "7214") == "neighbouring"  # same minor group
    assert engine.level("7212", "7231") == "related"  # same sub-major group
    assert engine.level("7212", "8332") is None
    # The engine links groups outside the same sub-major group by their ESCO occupations' labels:
    # metal-working machine setters and woodworking-machine setters; the ISCO hierarchy alone cannot.
    assert engine.level("7223", "7523") == "related"
    fallback = OccupationSimilarity(None)
    assert fallback.space is None
    assert fallback.method == "ISCO-08 groups"
    assert fallback.level("7223", "7523") is None
    assert fallback.level("7212", "7214") == "neighbouring"
