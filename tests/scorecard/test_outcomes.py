"""Staying employed, € per employed customer, the special groups' employment rate and the shortage-occupation
share, each on a hand-made dataset with the expected figures worked out by hand in the docstrings.

Every test uses as_of 31.12.2025 and computes from 1.1.2025.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alue.people.models import (
    CustomerGroup,
    EducationLevel,
    EmploymentKind,
    SpellEndReason,
    Status,
)
from alue.services.models import ParticipationOutcome
from alue.staff.models import ServiceLine

from .factories import (
    add_episode,
    add_group,
    add_participation,
    add_shortage,
    add_spell,
    assign,
    end_spell,
    make_person,
    make_service,
)
from .helpers import D, cell, facts, ratio

U, S, E = Status.UNEMPLOYED, Status.IN_SERVICE, Status.EMPLOYED
OPEN, SUBSIDISED = EmploymentKind.OPEN_MARKET, EmploymentKind.SUBSIDISED


def test_staying_employed(session: Session, area) -> None:
    """Exits in February 2025:

    * A: spell ends 28.2. to the open market; works 1.3.–31.8.      → on 28.5. yes, on 28.8. yes
    * B: spell ends 14.2. to the open market; works 15.2.–30.4.     → on 14.5. no, on 14.8. no
    * C: a service ends 20.2.; subsidised work from 1.4.            → yes, yes (subsidised counts here)
    * D: a service and the spell both end 10.2. (one exit); works 11.2.–30.6. → on 10.5. yes, on 10.8. no
    * E: spell ends 5.2. into education                             → not an exit
    * F: spell ends 15.8. to the open market; works from 16.8.      → August: 3 months yes, 6 months not yet

    February: 3 months 3/4 = 75 %, 6 months 2/4 = 50 %. C's exit is in the skills line (the service's),
    D's in job brokerage (the responsible worker's).
    """
    service = make_service(session, line=ServiceLine.SKILLS)
    a = make_person(session)
    end_spell(
        session,
        add_spell(session, a, [(U, D(2025, 1, 1), D(2025, 2, 28))]),
        D(2025, 2, 28),
        SpellEndReason.EMPLOYED_OPEN_MARKET,
    )
    add_episode(session, a, D(2025, 3, 1), D(2025, 8, 31))
    b = make_person(session)
    end_spell(
        session,
        add_spell(session, b, [(U, D(2025, 1, 1), D(2025, 2, 14))]),
        D(2025, 2, 14),
        SpellEndReason.EMPLOYED_OPEN_MARKET,
    )
    add_episode(session, b, D(2025, 2, 15), D(2025, 4, 30))
    c = make_person(session)
    add_spell(session, c, [(S, D(2025, 1, 10), D(2025, 2, 20)), (U, D(2025, 2, 21), D(2025, 3, 31))])
    add_participation(session, c, service, D(2025, 1, 10), D(2025, 2, 20))
    add_episode(session, c, D(2025, 4, 1), None, kind=SUBSIDISED)
    d = make_person(session)
    end_spell(
        session,
        add_spell(session, d, [(S, D(2025, 1, 1), D(2025, 2, 10))]),
        D(2025, 2, 10),
        SpellEndReason.EMPLOYED_OPEN_MARKET,
    )
    add_participation(
        session, d, service, D(2025, 1, 1), D(2025, 2, 10), outcome=ParticipationOutcome.INTERRUPTED
    )
    add_episode(session, d, D(2025, 2, 11), D(2025, 6, 30))
    assign(session, d, ServiceLine.JOB_BROKERAGE, D(2025, 1, 1), D(2025, 2, 10))
    e = make_person(session)
    end_spell(
        session,
        add_spell(session, e, [(U, D(2025, 1, 1), D(2025, 2, 5))]),
        D(2025, 2, 5),
        SpellEndReason.EDUCATION,
    )
    f = make_person(session)
    end_spell(
        session,
        add_spell(session, f, [(U, D(2025, 6, 1), D(2025, 8, 15))]),
        D(2025, 8, 15),
        SpellEndReason.EMPLOYED_OPEN_MARKET,
    )
    add_episode(session, f, D(2025, 8, 16), None)

    ind, _ = facts(session, area)
    name = "staying_employed"
    assert ratio(cell(ind, name, "2025-02", variant="3m")) == (3, 4)
    assert cell(ind, name, "2025-02", variant="3m")["value"] == 75.0
    assert ratio(cell(ind, name, "2025-02", variant="6m")) == (2, 4)
    assert ratio(cell(ind, name, "2025-02", variant="3m", line="skills")) == (1, 1)
    assert ratio(cell(ind, name, "2025-02", variant="3m", line="job_brokerage")) == (1, 1)
    assert ratio(cell(ind, name, "2025-08", variant="3m")) == (1, 1)
    august_6m = cell(ind, name, "2025-08", variant="6m")
    assert august_6m["denominator"] == 0
    assert august_6m["complete"] is False
    assert ratio(cell(ind, name, "2025-Q1", variant="3m")) == (3, 4)
    assert cell(ind, name, "2025", variant="6m")["complete"] is False


def test_cost_per_employed_customer_and_effective_service(session: Session, area) -> None:
    """Services ending in March 2025 (window 3 months; open market, apprenticeship or self-employed):

    * G: two services end 31.3. (3 000 €) and 20.3. (500 €); open-market work from 1.5. → both effective
    * H: ends 15.3. (1 000 €); subsidised work from 1.4. → not employed in this sense
    * I: ends 31.3. (1 500 €); apprenticeship from 15.7. → after the window (30.6.)
    * K: ends 10.3. (2 000 €); self-employed from 10.6. → the window's last day counts

    Costs 8 000 €; employed customers G and K → 4 000 € per employed customer; effective services 3
    → 2 666.67 € per effective service.
    """
    service = make_service(session)
    g, h, i, k = (make_person(session) for _ in range(4))
    add_participation(session, g, service, D(2025, 1, 1), D(2025, 3, 31), cost="3000")
    add_participation(session, g, service, D(2025, 3, 1), D(2025, 3, 20), cost="500")
    add_episode(session, g, D(2025, 5, 1), None)
    add_participation(session, h, service, D(2025, 2, 1), D(2025, 3, 15), cost="1000")
    add_episode(session, h, D(2025, 4, 1), None, kind=SUBSIDISED)
    add_participation(session, i, service, D(2025, 3, 5), D(2025, 3, 31), cost="1500")
    add_episode(session, i, D(2025, 7, 15), None, kind=EmploymentKind.APPRENTICESHIP)
    add_participation(session, k, service, D(2025, 1, 10), D(2025, 3, 10), cost="2000")
    add_episode(session, k, D(2025, 6, 10), None, kind=EmploymentKind.SELF_EMPLOYED)
    add_participation(session, k, service, D(2025, 11, 1), D(2025, 11, 30), cost="700")  # window open

    ind, _ = facts(session, area)
    per_customer = cell(ind, "cost_per_employed", "2025-03", variant="per_employed_customer")
    assert (per_customer["numerator"], per_customer["denominator"]) == (8000, 2)
    assert per_customer["value"] == 4000
    assert per_customer["persons"] == 4
    assert per_customer["outcome_persons"] == 2
    per_service = cell(ind, "cost_per_employed", "2025-03", variant="per_effective_service")
    assert (per_service["numerator"], per_service["denominator"]) == (8000, 3)
    assert round(per_service["value"], 2) == 2666.67
    november = cell(ind, "cost_per_employed", "2025-11", variant="per_employed_customer")
    assert november["complete"] is False
    assert november["value"] is None


def test_special_groups_employment_rate(session: Session, area) -> None:
    """Special-group members unemployed on a count day (window 6 months):

    * L: immigrant; unemployed 1.1.–30.4.2025, works from 1.5.      → cohort from January: yes
    * M: no vocational education; unemployed from 1.1.2025, no work → no
    * N: vocational education, no group; unemployed                   → not in the cohort
    * O: unemployed since 1.12.2023 (long-term); subsidised work from 1.9.2025
      → January (31.1.): no (work after 31.7.); June (30.6.): yes
    * Q: partial work ability from 1.3.2025; unemployed 1.1.–14.4., works from 15.4. → in from March: yes

    January: L yes, M no, O no → 1/3. Q1, each person once at the first count day: L, M, O (January) and
    Q (March) → 2/4. By group in January: immigrant 1/1, no vocational education 0/1, long-term 0/1.
    June: M no, O yes → 1/2. July onwards: the six months have not passed by 31.12.2025.
    """
    l_ = make_person(session)
    add_group(session, l_, CustomerGroup.IMMIGRANT, D(2024, 1, 1))
    add_spell(session, l_, [(U, D(2025, 1, 1), D(2025, 4, 30)), (E, D(2025, 5, 1), None)])
    add_episode(session, l_, D(2025, 5, 1), None)
    m = make_person(session, education_level=EducationLevel.BASIC)
    add_spell(session, m, [(U, D(2025, 1, 1), None)])
    n = make_person(session)
    add_spell(session, n, [(U, D(2025, 1, 1), None)])
    o = make_person(session)
    add_spell(session, o, [(U, D(2023, 12, 1), D(2025, 8, 31)), (E, D(2025, 9, 1), None)])
    add_episode(session, o, D(2025, 9, 1), None, kind=SUBSIDISED)
    q = make_person(session)
    add_group(session, q, CustomerGroup.PARTIAL_WORK_ABILITY, D(2025, 3, 1))
    add_spell(session, q, [(U, D(2025, 1, 1), D(2025, 4, 14)), (E, D(2025, 4, 15), None)])
    add_episode(session, q, D(2025, 4, 15), None)

    ind, _ = facts(session, area)
    name = "special_groups_employment_rate"
    assert ratio(cell(ind, name, "2025-01")) == (1, 3)
    assert ratio(cell(ind, name, "2025-Q1")) == (2, 4)
    assert cell(ind, name, "2025-Q1")["value"] == 50.0
    assert ratio(cell(ind, name, "2025-01", g="immigrant")) == (1, 1)
    assert ratio(cell(ind, name, "2025-01", g="no_vocational_education")) == (0, 1)
    assert ratio(cell(ind, name, "2025-01", g="long_term_unemployed")) == (0, 1)
    assert cell(ind, name, "2025-01", g="partial_work_ability") is None
    assert ratio(cell(ind, name, "2025-03", g="partial_work_ability")) == (1, 1)
    assert ratio(cell(ind, name, "2025-06")) == (1, 2)
    july = cell(ind, name, "2025-07")
    assert july["denominator"] == 0
    assert july["complete"] is False
    assert cell(ind, name, "2025-01", g="young") is None  # only the special groups are slices here


def test_shortage_occupation_share(session: Session, area) -> None:
    """Barometer lists: 1.1.–30.6.2025 cooks (5120) and nurses (2221); 1.7.–31.12.2025 nurses only.

    * R: spell 1.1.–28.2.2025; cook from 1.3.           → first half-year list: yes
    * S2: spell ended 10.1.2025; cook from 1.8.         → not a customer within 90 days: left out
    * T: spell open; cook from 1.8.                     → second list: no
    * U1: spell open; nurse from 15.8.                  → yes
    * V: spell open; office clerk (4110) from 10.3.     → no
    * W: never a jobseeker; nurse from 1.5.             → left out

    2025: 2/4; Q1: 1/2; Q3: 1/2.
    """
    for isco in ("5120", "2221"):
        add_shortage(session, isco, D(2025, 1, 1), D(2025, 6, 30))
    add_shortage(session, "2221", D(2025, 7, 1), D(2025, 12, 31))
    r = make_person(session)
    add_spell(session, r, [(U, D(2025, 1, 1), D(2025, 2, 28))], end=D(2025, 2, 28))
    add_episode(session, r, D(2025, 3, 1), None, isco4="5120")
    s2 = make_person(session)
    add_spell(session, s2, [(U, D(2024, 10, 1), D(2025, 1, 10))], end=D(2025, 1, 10))
    add_episode(session, s2, D(2025, 8, 1), None, isco4="5120")
    t = make_person(session)
    add_spell(session, t, [(U, D(2025, 1, 1), None)])
    add_episode(session, t, D(2025, 8, 1), None, isco4="5120")
    u1 = make_person(session)
    add_spell(session, u1, [(U, D(2025, 1, 1), None)])
    add_episode(session, u1, D(2025, 8, 15), None, isco4="2221")
    v = make_person(session)
    add_spell(session, v, [(U, D(2025, 1, 1), None)])
    add_episode(session, v, D(2025, 3, 10), None, isco4="4110")
    w = make_person(session)
    add_episode(session, w, D(2025, 5, 1), None, isco4="2221")

    ind, _ = facts(session, area)
    name = "employed_to_shortage_occupations"
    year = cell(ind, name, "2025")
    assert ratio(year) == (2, 4)
    assert year["value"] == 50.0
    assert "barometer" in year["note"]
    assert ratio(cell(ind, name, "2025-Q1")) == (1, 2)
    assert ratio(cell(ind, name, "2025-Q3")) == (1, 2)
