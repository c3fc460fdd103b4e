"""The generated life courses look like a real employment area's (not only its month-end totals)."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter, defaultdict

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from alue.area.config import Area
from alue.area.rules import load_rules
from alue.demo import truth
from alue.shared.identifiers import validate_hetu
from alue.shared.time import HELSINKI, last_working_day_of_month, working_days_between
from tests.conftest import DEMO_TODAY


def _d(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):  # a meeting's time: its Helsinki date
        return value.astimezone(HELSINKI).date() if value.tzinfo else value.date()
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def _rows(engine: Engine, sql: str, **params: object) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]


@pytest.fixture(scope="module")
def births(demo_engine: Engine) -> dict[int, dt.date]:
    return {pid: _d(b) for pid, b in _rows(demo_engine, "SELECT id, birth_date FROM person")}  # type: ignore[misc]


def test_every_hetu_is_valid_and_temporary(demo_engine: Engine) -> None:
    rows = _rows(demo_engine, "SELECT hetu, birth_date, gender FROM person")
    assert len(rows) > 30_000
    assert len({r[0] for r in rows}) == len(rows)
    for hetu, birth, gender in rows:
        assert validate_hetu(hetu) == hetu
        individual = int(hetu[7:10])
        assert 900 <= individual <= 999
        assert (individual % 2 == 0) == (gender == "female")
        assert hetu[:6] == _d(birth).strftime("%d%m%y")  # type: ignore[union-attr]


def test_ages_stay_within_15_to_68(demo_engine: Engine, births: dict[int, dt.date]) -> None:
    for person, start, end in _rows(demo_engine, "SELECT person_id, start_date, end_date FROM status_period"):
        born = births[person]
        assert (_d(start) - born).days / 365.25 >= 15  # type: ignore[operator]
        last = _d(end) or DEMO_TODAY
        assert (last - born).days / 365.25 <= 68


def test_status_periods_lie_inside_their_spell_without_overlap(demo_engine: Engine) -> None:
    spells = {
        sid: (_d(s), _d(e))
        for sid, s, e in _rows(demo_engine, "SELECT id, start_date, end_date FROM jobseeking_spell")
    }
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for sid, s, e in _rows(demo_engine, "SELECT spell_id, start_date, end_date FROM status_period"):
        periods[sid].append((_d(s), _d(e)))  # type: ignore[arg-type]
    assert set(periods) == set(spells)
    far = dt.date(9999, 1, 1)
    for sid, items in periods.items():
        s0, e0 = spells[sid]
        items.sort()
        assert items[0][0] == s0, sid  # the first period starts with the spell
        assert (items[-1][1] or far) == (e0 or far), sid  # the last one ends with it
        for (a_start, a_end), (b_start, _) in itertools.pairwise(items):
            assert a_end is not None, sid
            assert a_start <= a_end < b_start, sid


def test_no_person_has_two_open_spells_at_once(demo_engine: Engine) -> None:
    spells = defaultdict(list)
    for pid, s, e in _rows(demo_engine, "SELECT person_id, start_date, end_date FROM jobseeking_spell"):
        spells[pid].append((_d(s), _d(e) or dt.date(9999, 1, 1)))
    for items in spells.values():
        items.sort()
        for (_, a_end), (b_start, _) in itertools.pairwise(items):
            assert a_end < b_start


def _unemployed_runs(engine: Engine, on: dt.date) -> list[int]:
    """Length in days of the continuous unemployment run of everyone unemployed on ``on``."""
    rows = _rows(
        engine,
        "SELECT person_id, start_date, end_date FROM status_period WHERE status IN "
        "('unemployed', 'laid_off_full') ORDER BY person_id, start_date",
    )
    by_person: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for pid, s, e in rows:
        by_person[pid].append((_d(s), _d(e) or dt.date(9999, 1, 1)))  # type: ignore[arg-type]
    runs = []
    for items in by_person.values():
        merged: list[list[dt.date]] = []
        for s, e in items:
            if merged and s <= merged[-1][1] + dt.timedelta(days=1):
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        for s, e in merged:
            if s <= on <= e:
                runs.append((on - s).days)
    return runs


def test_a_realistic_share_is_long_term_unemployed(demo_engine: Engine) -> None:
    for year in (2021, 2023, 2025):
        runs = _unemployed_runs(demo_engine, last_working_day_of_month(year, 6))
        share = float(np.mean([r >= 365 for r in runs]))
        assert 0.15 <= share <= 0.45, (year, share)


def test_spell_durations_are_plausible(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine,
        "SELECT start_date, end_date FROM jobseeking_spell WHERE start_date >= '2021-01-01' "
        "AND start_date < '2022-01-01'",
    )
    durations = [((_d(e) or DEMO_TODAY) - _d(s)).days for s, e in rows]  # type: ignore[operator]
    assert 30 <= statistics.median(durations) <= 300
    assert 0.05 <= np.mean([d > 365 for d in durations]) <= 0.45


def test_durations_depend_on_age_education_and_group(demo_engine: Engine, births: dict[int, dt.date]) -> None:
    day = last_working_day_of_month(2023, 6)
    rows = _rows(
        demo_engine,
        "SELECT person_id, start_date FROM status_period WHERE status = 'unemployed' AND "
        "start_date <= :d AND (end_date IS NULL OR end_date >= :d)",
        d=day.isoformat(),
    )
    young, old = [], []
    for person, start in rows:
        age = (day - births[person]).days / 365.25
        long = (day - _d(start)).days >= 365  # type: ignore[operator]
        (young if age < 30 else old if age >= 55 else []).append(long)
    assert np.mean(old) > 1.5 * np.mean(young)  # the older stay unemployed longer
    rows = _rows(
        demo_engine,
        "SELECT s.start_date, s.end_date, p.education_level, p.id IN (SELECT person_id FROM "
        "customer_group_membership WHERE \"group\" = 'partial_work_ability') FROM jobseeking_spell s "
        "JOIN person p ON p.id = s.person_id WHERE s.start_date >= '2020-01-01' AND s.end_date IS NOT NULL "
        "AND s.start_date < '2023-01-01'",
    )
    tertiary, basic, partial, other = [], [], [], []
    for s, e, edu, pwa in rows:
        duration = (_d(e) - _d(s)).days  # type: ignore[operator]
        (tertiary if edu in ("bachelor", "master", "doctoral") else basic if edu == "basic" else []).append(
            duration
        )
        (partial if pwa else other).append(duration)
    assert np.mean(basic) > 1.05 * np.mean(tertiary)
    assert np.mean(partial) > 1.05 * np.mean(other)


def test_statuses_on_a_count_day_have_a_realistic_mix(demo_engine: Engine) -> None:
    day = last_working_day_of_month(2023, 1)
    rows = _rows(
        demo_engine,
        "SELECT status, COUNT(*) FROM status_period WHERE start_date <= :d AND "
        "(end_date IS NULL OR end_date >= :d) GROUP BY status",
        d=day.isoformat(),
    )
    mix = dict(rows)
    assert set(mix) == {
        "unemployed",
        "laid_off_full",
        "shortened_week",
        "in_service",
        "employed",
        "part_time",
        "outside_labour_force",
    }
    assert mix["in_service"] > 0.1 * mix["unemployed"]
    assert mix["laid_off_full"] < 0.3 * mix["unemployed"]


def test_re_registrations_and_moves(demo_engine: Engine) -> None:
    spells = Counter(pid for (pid,) in _rows(demo_engine, "SELECT person_id FROM jobseeking_spell"))
    share_repeat = np.mean([n > 1 for n in spells.values()])
    assert 0.15 <= share_repeat <= 0.7
    residences = Counter(pid for (pid,) in _rows(demo_engine, "SELECT person_id FROM person_residence"))
    movers = sum(n > 1 for n in residences.values())
    assert 0.01 * len(residences) <= movers <= 0.2 * len(residences)
    assert set(residences) == set(spells)  # everyone has a residence history


def test_languages_and_customer_groups(demo_engine: Engine) -> None:
    rows = _rows(demo_engine, "SELECT home_municipality_code, mother_tongue, service_language FROM person")
    tongues = Counter(r[1] for r in rows)
    n = len(rows)
    assert tongues["fi"] / n > 0.8
    assert 0.003 <= tongues["sv"] / n <= 0.05
    foreign = [r for r in rows if r[1] not in ("fi", "sv")]
    assert 0.04 <= len(foreign) / n <= 0.2
    pori = [r for r in rows if r[0] == "609"]
    rest = [r for r in rows if r[0] != "609"]
    assert np.mean([r[1] not in ("fi", "sv") for r in pori]) > np.mean(
        [r[1] not in ("fi", "sv") for r in rest]
    )
    assert {r[2] for r in rows} == {"fi", "sv", "en"}
    groups = Counter(g for (g,) in _rows(demo_engine, 'SELECT "group" FROM customer_group_membership'))
    assert 0.03 * n <= groups["partial_work_ability"] <= 0.2 * n
    assert groups["immigrant"] <= len(foreign)
    assert not {"young", "long_term_unemployed", "laid_off", "no_vocational_education"} & set(groups)


def test_occupation_mix_follows_the_region(demo_engine: Engine, data_dir: object) -> None:
    import polars as pl

    official = pl.read_csv(
        f"{data_dir}/stats/tyonvalitys_occupations_monthly.csv.gz",
        schema_overrides={"occupation_group": pl.Utf8},
    ).filter(
        (pl.col("area") == "MK04")
        & pl.col("occupation_group").str.contains(r"^\d{4}$")
        & (pl.col("month") >= "2019-01")
    )
    mix = official.group_by("occupation_group").agg(pl.col("unemployed_month_end").fill_null(2).mean())
    expected = dict(zip(mix["occupation_group"], mix["unemployed_month_end"], strict=True))
    got = Counter(
        i
        for (i,) in _rows(
            demo_engine,
            "SELECT isco4 FROM person_occupation WHERE is_target = :t "
            "AND id IN (SELECT MIN(id) FROM person_occupation GROUP BY person_id)",
            t=True,
        )
    )
    groups = sorted(set(expected) | set(got))
    a = np.array([expected.get(g, 0) for g in groups], dtype=float)
    b = np.array([got.get(g, 0) for g in groups], dtype=float)
    assert np.corrcoef(a, b)[0, 1] > 0.85
    versions = {v for (v,) in _rows(demo_engine, "SELECT DISTINCT esco_version FROM person_occupation")}
    assert versions == {"1.1.1"}


def test_jobs_taken_from_vacancies_fit_the_person(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine,
        "SELECT e.isco4, v.isco4, e.start_date, v.published_on, v.filled_on, e.employer_id, "
        "v.employer_id, p.driving_licence, v.driving_licence_required FROM employment_episode e "
        "JOIN vacancy v ON v.id = e.vacancy_id JOIN person p ON p.id = e.person_id",
    )
    total = _rows(demo_engine, "SELECT COUNT(*) FROM employment_episode WHERE kind = 'open_market'")[0][0]
    assert 0.1 * total <= len(rows) <= 0.5 * total
    for e_isco, v_isco, start, published, filled, e_emp, v_emp, licence, required in rows:
        assert e_isco == v_isco
        assert e_emp == v_emp
        assert _d(published) <= _d(filled) <= _d(start)  # type: ignore[operator]
        assert licence or not required


def test_jobs_are_mostly_in_the_persons_own_field(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine,
        "SELECT e.isco4, o.isco4 FROM employment_episode e JOIN person_occupation o ON "
        "o.person_id = e.person_id AND o.id IN (SELECT MIN(id) FROM person_occupation GROUP BY person_id) "
        "WHERE e.kind = 'open_market'",
    )
    same3 = np.mean([a[:3] == b[:3] for a, b in rows])
    assert 0.6 <= same3 <= 0.97


def test_employers_in_every_municipality(demo_engine: Engine, area: Area) -> None:
    rows = _rows(
        demo_engine, "SELECT municipality_code, industry, size_class, founded_by_person_id FROM employer"
    )
    assert {r[0] for r in rows} >= set(area.municipalities)
    assert len({r[1] for r in rows}) >= 15
    assert {r[2] for r in rows} == {"micro", "small", "medium", "large"}
    assert sum(r[3] is not None for r in rows) > 50  # firms founded by jobseekers (starttiraha path)


def test_work_in_finland_leads_per_year(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine, "SELECT event_date FROM employer_service_event WHERE kind = 'work_in_finland_lead'"
    )
    per_year = Counter(_d(r[0]).year for r in rows)  # type: ignore[union-attr]
    for year in range(2019, 2026):
        assert 60 <= per_year[year] <= 90, (year, per_year[year])


def test_vacancies_have_requirements(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine, "SELECT languages, driving_licence_required, working_time, positions FROM vacancy"
    )
    assert any(r[1] for r in rows)
    assert not all(r[1] for r in rows)
    assert {r[2] for r in rows} == {"full_time", "part_time", "any"}
    assert max(r[3] for r in rows) > 1


def test_staff_teams_and_delegations(demo_engine: Engine) -> None:
    staff = _rows(demo_engine, "SELECT service_line, municipal_official FROM staff_member")
    assert 170 <= len(staff) <= 190
    municipal = sum(bool(r[1]) for r in staff)
    assert 60 <= municipal <= 80
    lines = Counter(r[0] for r in staff)
    person_customer = lines["job_brokerage"] + lines["skills"] + lines["multisector"]
    assert abs(lines["job_brokerage"] / person_customer - 0.4) < 0.03  # R-C3
    assert abs(lines["skills"] / person_customer - 0.2) < 0.03
    teams = {r[0] for r in _rows(demo_engine, "SELECT service_line FROM team")}
    assert teams >= {
        "job_brokerage",
        "skills",
        "multisector",
        "youth",
        "immigrants",
        "employer_services",
        "administration",
    }
    delegations = _rows(demo_engine, "SELECT tasks FROM delegation")
    assert len(delegations) > 100
    served = _rows(demo_engine, "SELECT COUNT(DISTINCT municipality_code) FROM staff_municipality")[0][0]
    assert served == 11


def test_partners_of_every_kind(demo_engine: Engine) -> None:
    kinds = {r[0] for r in _rows(demo_engine, "SELECT kind FROM partner")}
    assert kinds >= {
        "wellbeing_services_county",
        "service_provider",
        "state_agency",
        "municipal",
        "educational_institution",
        "ngo",
        "project",
        "private_recruitment",
    }
    names = {r[0] for r in _rows(demo_engine, "SELECT name FROM partner")}
    assert "Satakunnan hyvinvointialue" in names
    assert any(r[0] for r in _rows(demo_engine, "SELECT partnership_agreement FROM partner"))


def test_participations_happen_in_service_periods(demo_engine: Engine) -> None:
    periods = defaultdict(list)
    for sid, s, e in _rows(
        demo_engine, "SELECT spell_id, start_date, end_date FROM status_period WHERE status = 'in_service'"
    ):
        periods[sid].append((_d(s), _d(e) or dt.date(9999, 1, 1)))
    rows = _rows(
        demo_engine,
        "SELECT p.spell_id, p.start_date, p.end_date, p.referred_on, p.cost, p.outcome, s.code, "
        "s.production FROM participation p JOIN service s ON s.id = p.service_id",
    )
    outside = 0
    for sid, start, _end, referred, cost, _outcome, code, production in rows:
        start_d = _d(start)
        assert _d(referred) <= start_d  # type: ignore[operator]
        if production == "purchased":
            assert float(cost) > 0
        inside = any(a <= start_d <= b for a, b in periods.get(sid, []))
        if code != "STARTTIRAHA":
            outside += not inside
    # only wage-subsidised workers who leave the register start outside an in_service period
    wage = sum(r[6] == "PALKKATUKI" for r in rows)
    assert outside <= 0.4 * wage
    outcomes = Counter(r[5] for r in rows)
    assert outcomes["completed"] > outcomes["interrupted"] > 0
    assert outcomes["ongoing"] > 0


def test_initial_interviews_mostly_within_the_deadline(demo_engine: Engine) -> None:
    rules = load_rules("satakunta")
    rows = _rows(
        demo_engine,
        "SELECT s.start_date, m.held_at FROM meeting m JOIN jobseeking_spell s ON s.id = m.spell_id "
        "WHERE m.kind = 'initial_interview' AND s.start_date >= '2022-05-02'",
    )
    assert len(rows) > 1000
    late = 0
    for start, held in rows[:5000]:
        start_d, held_d = _d(start), _d(held)
        deadline = rules.value("initial_interview.deadline_working_days", on=start_d)
        late += working_days_between(start_d, held_d) > deadline  # type: ignore[arg-type]
    share = late / min(len(rows), 5000)
    assert 0.01 <= share <= 0.15


def test_job_search_discussions_about_every_three_months(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine,
        "SELECT spell_id, held_at FROM meeting WHERE kind = 'job_search_discussion' "
        "ORDER BY spell_id, held_at",
    )
    gaps = []
    for (a_spell, a_day), (b_spell, b_day) in itertools.pairwise(rows):
        if a_spell == b_spell:
            gaps.append((_d(b_day) - _d(a_day)).days)  # type: ignore[operator]
    assert 80 <= statistics.median(gaps) <= 100


def test_plan_versions_count_up(demo_engine: Engine) -> None:
    rows = _rows(
        demo_engine,
        "SELECT spell_id, version, obligation_per_month FROM employment_plan ORDER BY spell_id, version",
    )
    previous: dict[int, int] = {}
    for spell, version, obligation in rows:
        assert version == previous.get(spell, 0) + 1
        previous[spell] = version
        assert 0 <= obligation <= 4
    assert max(previous.values()) > 3


def test_everyone_has_reach_and_licence_recorded(demo_engine: Engine) -> None:
    rows = _rows(demo_engine, "SELECT commute_reach_km, driving_licence FROM person")
    reach = [r[0] for r in rows]
    assert min(reach) >= 3
    assert max(reach) <= 150
    assert 0.5 <= np.mean([bool(r[1]) for r in rows]) <= 0.95


def test_truth_is_exposed_and_varied() -> None:
    effects = truth.planted_effects()
    assert max(effects.values()) >= 0.4
    assert min(effects.values()) < 0
    assert any(abs(v) <= 0.05 for v in effects.values())
    assert "STARTTIRAHA" not in effects
