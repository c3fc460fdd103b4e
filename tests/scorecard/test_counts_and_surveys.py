"""Work in Finland leads, employer-services usage, partnership rate, survey means and the month-end figures on
hand-made datasets (as_of 31.12.2025)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alue.employers.models import EmployerServiceKind
from alue.people.models import Status
from alue.people.statistics import count_unemployed_by_municipality

from .factories import (
    add_employer_event,
    add_spell,
    add_survey,
    make_employer,
    make_partner,
    make_person,
    move,
)
from .helpers import D, cell, facts, ratio

LEAD, CONTACT, RECRUITMENT = (
    EmployerServiceKind.WORK_IN_FINLAND_LEAD,
    EmployerServiceKind.CONTACT,
    EmployerServiceKind.RECRUITMENT,
)


def test_employer_usage_and_work_in_finland_leads(session: Session, area) -> None:
    """Employers: E1 Pori, E2 Pori founded 1.6.2025, E3 Ulvila, E4 Tampere (outside the area).

    Events: E1 contact 1.2. and recruitment 10.2.; E3 contact 1.8.; E4 contact 1.2.; leads 1.3. (no employer,
    Pori), 5.3. (E1) and 1.9. (Ulvila).

    Q1: active E1, E3 (E2 not yet founded) → served E1 → 1/2; Pori 1/1; Ulvila 0/1.
    2025: active E1–E3 → served E1, E3 → 2/3. Leads: 2025 3, Q1 2, Pori Q1 2, Ulvila 2025 1.
    """
    e1 = make_employer(session)
    make_employer(session, founded_on=D(2025, 6, 1))
    e3 = make_employer(session, municipality="886")
    e4 = make_employer(session, municipality="837")
    add_employer_event(session, e1, D(2025, 2, 1), CONTACT)
    add_employer_event(session, e1, D(2025, 2, 10), RECRUITMENT)
    add_employer_event(session, e3, D(2025, 8, 1), CONTACT)
    add_employer_event(session, e4, D(2025, 2, 1), CONTACT)
    add_employer_event(session, None, D(2025, 3, 1), LEAD, municipality="609")
    add_employer_event(session, e1, D(2025, 3, 5), LEAD)
    add_employer_event(session, None, D(2025, 9, 1), LEAD, municipality="886")

    ind, _ = facts(session, area)
    usage = "employer_services_usage_rate"
    assert ratio(cell(ind, usage, "2025-Q1")) == (1, 2)
    assert ratio(cell(ind, usage, "2025-Q1", m="609")) == (1, 1)
    assert ratio(cell(ind, usage, "2025-Q1", m="886")) == (0, 1)
    assert cell(ind, usage, "2025-Q1", m="837") is None
    year = cell(ind, usage, "2025")
    assert ratio(year) == (2, 3)
    assert round(year["value"], 2) == 66.67
    leads = "work_in_finland_leads"
    assert cell(ind, leads, "2025")["value"] == 3
    assert cell(ind, leads, "2025-Q1")["value"] == 2
    assert cell(ind, leads, "2025-Q1", m="609")["value"] == 2
    assert cell(ind, leads, "2025", m="886")["value"] == 1


def test_partnership_rate_is_a_snapshot_of_the_register(session: Session, area) -> None:
    """Active partners: with an agreement in Pori and without a municipality, without one in Pori; an
    inactive partner with an agreement is not counted → 2/3, Pori 1/2, stored for the periods of as_of."""
    make_partner(session, agreement=True)
    make_partner(session, agreement=False)
    make_partner(session, agreement=True, municipality=None)
    make_partner(session, agreement=True, active=False)
    ind, _ = facts(session, area)
    for period in ("2025", "2025-Q4", "2025-12"):
        assert ratio(cell(ind, "partnership_rate", period)) == (2, 3)
    assert ratio(cell(ind, "partnership_rate", "2025", m="609")) == (1, 2)
    assert cell(ind, "partnership_rate", "2025-06") is None  # no history in the register


def test_survey_means(session: Session, area) -> None:
    """Accessibility answers in March 2025: 4 and 5 in Pori (skills line), 3 without a municipality
    → mean 4.0 (n 3); Pori 4.5 (n 2); skills line 4.5. Staff experience 8 and 9 in Q2 → 8.5."""
    add_survey(session, "accessibility", D(2025, 3, 3), 4, line="skills")
    add_survey(session, "accessibility", D(2025, 3, 20), 5, line="skills")
    add_survey(session, "accessibility", D(2025, 3, 25), 3, municipality=None)
    add_survey(session, "staff_experience", D(2025, 4, 1), 8, municipality=None)
    add_survey(session, "staff_experience", D(2025, 6, 30), 9, municipality=None)
    ind, _ = facts(session, area)
    march = cell(ind, "accessibility", "2025-03")
    assert (march["value"], march["persons"]) == (4.0, 3)
    assert cell(ind, "accessibility", "2025-03", m="609")["value"] == 4.5
    assert cell(ind, "accessibility", "2025-03", line="skills")["value"] == 4.5
    assert cell(ind, "staff_experience", "2025-Q2")["value"] == 8.5
    assert cell(ind, "customer_experience", "2025") is None


def test_month_end_figures(session: Session, area) -> None:
    """Count day 31.3.2025:

    * a: unemployed since 15.1.2024                      → unemployed, long-term, structural
    * b: fully laid off 1.3.–30.4.2025                   → unemployed, laid off
    * c: shortened week from 1.3.2025                    → shortened week only
    * d: service 1.1.–28.2. then another 1.3.–31.5.      → in service, service to service, structural
    * e: born 1.6.2002, unemployed from 1.2.2025         → young (< 25 and < 30)
    * f: born 1.1.1997, unemployed from 1.2.2025         → young (< 30)
    * g: unemployed from 1.1.2025; moves Pori → Kankaanpää 16.3.2025 → counted in Kankaanpää
    * h: unemployed, lives in Tampere                    → outside the area

    Area: unemployed 5 (Pori 4, Kankaanpää 1); February: g still in Pori.
    """
    U, L, SW, S = Status.UNEMPLOYED, Status.LAID_OFF_FULL, Status.SHORTENED_WEEK, Status.IN_SERVICE
    add_spell(session, make_person(session), [(U, D(2024, 1, 15), None)])
    add_spell(session, make_person(session), [(L, D(2025, 3, 1), D(2025, 4, 30))])
    add_spell(session, make_person(session), [(SW, D(2025, 3, 1), None)])
    add_spell(
        session,
        make_person(session),
        [(S, D(2025, 1, 1), D(2025, 2, 28)), (S, D(2025, 3, 1), D(2025, 5, 31))],
    )
    add_spell(session, make_person(session, birth_date=D(2002, 6, 1)), [(U, D(2025, 2, 1), None)])
    add_spell(session, make_person(session, birth_date=D(1997, 1, 1)), [(U, D(2025, 2, 1), None)])
    g = make_person(session)
    move(session, g, [("609", D(2015, 1, 1), D(2025, 3, 15)), ("214", D(2025, 3, 16), None)])
    add_spell(session, g, [(U, D(2025, 1, 1), None)])
    add_spell(session, make_person(session, municipality="837"), [(U, D(2025, 1, 1), None)])

    _, month_end = facts(session, area)

    def value(month: str, measure: str, m: str = "*") -> int:
        rows = month_end.filter(
            (month_end["month"] == month)
            & (month_end["measure"] == measure)
            & (month_end["municipality_code"] == m)
        )
        return int(rows["persons"].sum())

    assert value("2025-03", "unemployed") == 5
    assert value("2025-03", "unemployed", "609") == 4
    assert value("2025-03", "unemployed", "214") == 1
    assert value("2025-02", "unemployed", "214") == 0
    assert value("2025-02", "unemployed", "609") == 4
    assert value("2025-03", "long_term_unemployed") == 1
    assert value("2025-03", "structurally_unemployed") == 2
    assert value("2025-03", "service_to_service") == 1
    assert value("2025-03", "in_service") == 1
    assert value("2025-03", "laid_off_full") == 1
    assert value("2025-03", "shortened_week") == 1
    assert value("2025-03", "young_under_25") == 1
    assert value("2025-03", "young_under_area_limit") == 2
    assert value("2025-03", "unemployed", "837") == 0
    # the SQL count of alue.people.statistics agrees, municipality by municipality
    sql = count_unemployed_by_municipality(session=session, day=D(2025, 3, 31))
    for code in area.codes:
        assert value("2025-03", "unemployed", code) == sql.get(code, 0)
