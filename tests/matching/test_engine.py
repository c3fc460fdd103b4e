"""The matching engine: score parts, explanations, pruned ranking against brute force, demo quality."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.matching.engine import (
    FAIL_COMMUTE,
    FAIL_LICENCE,
    FAIL_OCCUPATION,
    Explainer,
    Scorer,
    rank_persons_for_vacancy,
    rank_vacancies_for_person,
    top_k,
    top_k_dense,
)
from alue.matching.features import (
    WEIGHTS_FILE,
    Jobseekers,
    MatchingConfigError,
    Vacancies,
    geo,
    language_code,
    language_mask,
    load_weights,
    occupation_space,
)

DAY = dt.date(2026, 11, 23)


def _jobseekers(space, g, people, rows) -> Jobseekers:  # type: ignore[no-untyped-def]
    """people: (muni, reach, langs, edu, wt, licence); rows: (person, isco4, esco, months, year, target)."""
    return Jobseekers(
        person_id=np.arange(1, len(people) + 1, dtype=np.int64),
        muni=np.array([g.index[p[0]] for p in people], dtype=np.int32),
        reach=np.array([p[1] for p in people], dtype=np.float32),
        lang_code=np.array([language_code(p[2]) for p in people], dtype=np.int16),
        edu=np.array([p[3] for p in people], dtype=np.int8),
        wt=np.array([p[4] for p in people], dtype=np.int8),
        licence=np.array([p[5] for p in people], dtype=bool),
        row_person=np.array([r[0] for r in rows], dtype=np.int32),
        row_isco=np.array([space.isco(r[1]) for r in rows], dtype=np.int32),
        row_esco=np.array([space.esco(r[2]) for r in rows], dtype=np.int32),
        row_exp=np.array([1.0 if r[3] >= 24 else 0.5 for r in rows], dtype=np.float32),
        row_months=np.array([r[3] for r in rows], dtype=np.int32),
        row_last_year=np.array([r[4] for r in rows], dtype=np.int32),
        row_target=np.array([r[5] for r in rows], dtype=bool),
        row_label=["hitsaaja"] * len(rows),
    )


def _vacancies(space, g, items) -> Vacancies:  # type: ignore[no-untyped-def]
    """items: (muni, isco4, esco uri, languages, min_edu, wt, licence, remote)."""
    return Vacancies(
        vacancy_id=np.arange(101, 101 + len(items), dtype=np.int64),
        muni=np.array([g.index[i[0]] for i in items], dtype=np.int32),
        isco=np.array([space.isco(i[1]) for i in items], dtype=np.int32),
        esco=np.array([space.esco(i[2]) for i in items], dtype=np.int32),
        lang_req=np.array([language_mask(i[3]) for i in items], dtype=np.int8),
        min_edu=np.array([i[4] for i in items], dtype=np.int8),
        wt=np.array([i[5] for i in items], dtype=np.int8),
        licence=np.array([i[6] for i in items], dtype=bool),
        remote=np.array([i[7] for i in items], dtype=bool),
        positions=np.ones(len(items), dtype=np.int32),
        title=[f"v{i}" for i in range(len(items))],
    )


@pytest.fixture(scope="module")
def space(data_dir: Path):  # type: ignore[no-untyped-def]
    return occupation_space(data_dir.resolve())


@pytest.fixture(scope="module")
def finland(data_dir: Path):  # type: ignore[no-untyped-def]
    return geo(data_dir.resolve())


def _welder_uri(taxonomy) -> str:  # type: ignore[no-untyped-def]
    return sorted(o.uri for o in taxonomy.occupations_in_isco("7212"))[0]


@pytest.fixture
def case(space, finland, taxonomy):  # type: ignore[no-untyped-def]
    welder = _welder_uri(taxonomy)
    other_7212 = sorted(o.uri for o in taxonomy.occupations_in_isco("7212"))[-1]
    # a welder in Pori (609), reach 40 km, Finnish native, vocational, full time, no licence
    js = _jobseekers(
        space, finland, [("609", 40, {"fi": "native"}, 2, 0, False)], [(0, "7212", welder, 36, 2026, False)]
    )
    vac = _vacancies(
        space,
        finland,
        [
            ("609", "7212", welder, ["fi"], -1, 0, False, False),  # 0 same occupation at home
            ("684", "7212", other_7212, ["fi"], 2, 0, False, False),  # 1 Rauma: same group, ~ 44 km
            ("609", "7213", None, ["fi"], 2, 0, False, False),  # 2 same minor group (sheet-metal workers)
            ("609", "7211", None, ["fi", "en"], 4, 1, False, False),  # 3 same minor group, stricter
            ("609", "2512", None, ["fi"], -1, 0, False, False),  # 4 software developers: unrelated
            ("609", "7212", welder, ["fi"], -1, 0, True, False),  # 5 licence required
            ("091", "7212", welder, ["fi"], -1, 0, False, False),  # 6 Helsinki, far beyond reach
            ("091", "7212", welder, ["fi"], -1, 0, False, True),  # 7 Helsinki, remote possible
        ],
    )
    return Scorer(space, finland, js, vac)


def test_weights_file_is_valid_and_checked(tmp_path: Path) -> None:
    config = load_weights(WEIGHTS_FILE)
    assert abs(sum(v["weight"] for v in config["weights"].values()) - 1.0) < 1e-9
    assert all(v["rationale"] for v in config["weights"].values())
    bad = tmp_path / "w.yaml"
    bad.write_text(WEIGHTS_FILE.read_text().replace("weight: 0.40", "weight: 0.50"), encoding="utf-8")
    with pytest.raises(MatchingConfigError, match=r"sum to 1\.1"):
        load_weights(bad)


def test_parts_and_hard_fails(case: Scorer) -> None:
    r = np.zeros(8, dtype=np.int64)
    v = np.arange(8)
    parts = case.parts(r, v)
    score, fail = case.score(r, v)
    occ = parts["occupation"]
    assert occ[0] == 1.0  # same ESCO occupation
    assert 0.8 <= occ[1] < 1.0  # same ISCO-4, other occupation
    assert occ[2] == pytest.approx(max(0.55, occ[2]))
    assert occ[4] == 0.0
    assert parts["commute"][0] == 1.0
    assert parts["commute"][1] < parts["commute"][0]
    assert parts["education"][3] == pytest.approx(0.1)  # vocational vs bachelor: two below
    assert parts["language"][3] == pytest.approx(0.5)  # Finnish native, no English
    assert parts["working_time"][3] == pytest.approx(0.4)
    assert fail.tolist() == [0, 0, 0, 0, FAIL_OCCUPATION, FAIL_LICENCE, FAIL_COMMUTE, 0]
    assert parts["commute"][7] == pytest.approx(0.8)  # remote floor
    # the total is the weighted sum of the parts
    w = case.weights
    total = sum(w[k] * parts[k] for k in w)
    assert np.allclose(total, score, atol=1e-5)
    assert score[0] > score[1] > score[3]


def test_explanations_in_three_languages(case: Scorer, taxonomy) -> None:  # type: ignore[no-untyped-def]
    ex = Explainer(case, taxonomy)
    m = ex.match(0, 1)
    assert m.hard_fail is None
    occ = m.part("occupation").explanation
    assert occ["fi"].startswith("Ammattiryhmä sama (7212 Hitsaajat ja kaasuleikkaajat)")
    assert occ["sv"].startswith("Samma yrkesgrupp (7212")
    d = round(m.distance_km)
    assert 30 < d < 60
    assert (
        m.part("commute").explanation["fi"]
        == f"Työpaikka {d} km kotikunnasta, hakija on valmis kulkemaan 40 km"
    )
    assert m.part("commute").explanation["en"].startswith(f"Workplace {d} km")
    assert m.part("education").explanation["fi"].startswith("Koulutusvaatimus täyttyy")
    assert ex.match(0, 5).hard_fail == "driving_licence"
    assert ex.match(0, 5).part("driving_licence").explanation["fi"] == "Ajokortti vaaditaan, hakijalla ei ole"
    assert ex.match(0, 6).hard_fail == "commute"
    assert "etätyö mahdollista" in ex.match(0, 7).part("commute").explanation["fi"]
    assert ex.match(0, 0).part("occupation").explanation["fi"].startswith("Sama ammatti (")
    for part in m.parts:
        assert set(part.explanation) == {"fi", "sv", "en"}
        assert all(part.explanation.values())


def _random_case(space, finland, seed: int, n_people: int, n_vac: int) -> Scorer:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    munis = [c for c in finland.codes if not np.isnan(finland.distance[finland.index[c], finland.index[c]])][
        :60
    ]
    groups = [c for c in space.isco_codes if c[0] in "2789"][:80]
    people = [
        (str(rng.choice(munis)), float(rng.integers(10, 120)), {"fi": "native"}, int(rng.integers(-1, 7)),
         int(rng.integers(0, 3)), bool(rng.random() < 0.7))
        for _ in range(n_people)
    ]  # fmt: skip
    rows = []
    for p in range(n_people):
        for _ in range(int(rng.integers(1, 4))):
            rows.append(
                (p, str(rng.choice(groups)), None, int(rng.integers(0, 60)), 2020, bool(rng.random() < 0.5))
            )
    items = [
        (str(rng.choice(munis)), str(rng.choice(groups)), None, ["fi", "en"][: int(rng.integers(1, 3))],
         int(rng.integers(-1, 5)), int(rng.integers(0, 3)), bool(rng.random() < 0.3),
         bool(rng.random() < 0.1))
        for _ in range(n_vac)
    ]  # fmt: skip
    return Scorer(
        space, finland, _jobseekers(space, finland, people, rows), _vacancies(space, finland, items)
    )


def test_pruned_top_k_equals_brute_force(space, finland) -> None:  # type: ignore[no-untyped-def]
    scorer = _random_case(space, finland, seed=3, n_people=400, n_vac=700)
    fast = top_k(scorer, 20, max_cells=50_000)
    dense = top_k_dense(scorer, 20, max_cells=50_000)
    assert len(fast.person) > 1000
    assert np.array_equal(fast.person, dense.person)
    assert np.allclose(fast.score, dense.score, atol=1e-6)
    # vacancies agree except where scores tie at a list's last place
    assert (fast.vacancy == dense.vacancy).mean() > 0.98
    # every listed pair passes the hard requirements and is scored as the scorer scores it
    s, f = scorer.score(fast.row, fast.vacancy)
    assert (f == 0).all()
    assert np.allclose(s, fast.score)
    # per person, scores are non-increasing and vacancies distinct
    for p in np.unique(fast.person)[:50]:
        sel = fast.person == p
        assert (np.diff(fast.score[sel]) <= 1e-7).all()
        assert len(set(fast.vacancy[sel].tolist())) == sel.sum()


@pytest.fixture(scope="module")
def demo_session(demo_engine):  # type: ignore[no-untyped-def]
    with Session(demo_engine) as session:
        yield session
        session.rollback()


def test_rankings_on_the_demo(demo_session: Session, data_dir: Path) -> None:
    from alue.people.models import JobseekingSpell

    person_id = demo_session.scalars(
        select(JobseekingSpell.person_id)
        .where(JobseekingSpell.end_date.is_(None))
        .order_by(JobseekingSpell.id)
    ).first()
    matches = rank_vacancies_for_person(demo_session, person_id, top=10, on=DAY, data_dir=data_dir)
    assert 0 < len(matches) <= 10
    assert all(m.person_id == person_id and m.hard_fail is None for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    for m in matches:
        assert m.score == pytest.approx(sum(p.weight * p.value for p in m.parts), abs=2e-3)
    vacancy_id = matches[0].vacancy_id
    persons = rank_persons_for_vacancy(demo_session, vacancy_id, top=15, on=DAY, data_dir=data_dir)
    assert 0 < len(persons) <= 15
    assert all(m.vacancy_id == vacancy_id for m in persons)
    assert [m.score for m in persons] == sorted((m.score for m in persons), reverse=True)
    pori = rank_persons_for_vacancy(
        demo_session, vacancy_id, top=15, on=DAY, municipality_codes=["609"], data_dir=data_dir
    )
    from alue.people.models import Person

    assert {demo_session.get(Person, m.person_id).home_municipality_code for m in pori} <= {"609"}
    with pytest.raises(LookupError):
        rank_vacancies_for_person(demo_session, 10**9, on=DAY, data_dir=data_dir)


def test_engine_beats_occupation_only_baseline_on_demo(demo_session: Session, data_dir: Path) -> None:
    from alue.matching.evaluation import recall_at_k

    result = recall_at_k(demo_session, k=20, limit=300, seed=1, data_dir=data_dir)
    assert result.hires >= 250
    assert result.engine_recall > result.baseline_recall + 0.03


def test_combining_in_parts_gives_the_same_lists(space, finland) -> None:  # type: ignore[no-untyped-def]
    from alue.matching.engine import _combine, _combine_in_parts

    scorer = _random_case(space, finland, seed=5, n_people=300, n_vac=400)
    js = scorer.js
    rng = np.random.default_rng(0)
    rows = rng.integers(0, len(js.row_person), 20_000).astype(np.int32)
    vacs = rng.integers(0, 400, 20_000).astype(np.int32)
    scores = rng.random(20_000).astype(np.float32)
    whole = _combine(js, rows, vacs, scores, 7)
    parts = _combine_in_parts(js, rows, vacs, scores, 7, part=3_000)
    assert len(whole.person) > 1500
    for name in ("person", "vacancy", "row", "score"):
        assert np.array_equal(getattr(whole, name), getattr(parts, name))
