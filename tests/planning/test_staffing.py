"""The staffing model and the service-point recommendation, with hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.rules import NATIONAL, RuleBook, load_rules
from alue.casework.models import ServiceNeedAssessment, ServicePath
from alue.employers.models import Employer, EmployerServiceEvent, EmployerServiceKind, SizeClass
from alue.people.models import Status
from alue.planning.norms import StaffingNorms, load_norms
from alue.planning.service_points import OFFICE, SERVICE_POINT, recommend, serving_offices, visit_plan
from alue.planning.staffing import (
    MunicipalityCustomers,
    StaffingInputs,
    compute_need,
    contact_frequencies,
    count_days_before,
    gather_inputs,
    staff_against_need,
)
from alue.staff.models import ServiceLine, StaffMember

from ..people.factories import add_spell, make_person, move

D = dt.date
DIRECT, SKILLS, MULTI = ServicePath.DIRECT_BROKERAGE, ServicePath.SKILLS_DEVELOPMENT, ServicePath.MULTISECTOR


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rules("satakunta")


@pytest.fixture(scope="module")
def norms() -> StaffingNorms:
    """Round numbers that make the arithmetic checkable by hand."""
    base = load_norms()

    def path(norm, casework: float, caseload: float, by_need: float):  # type: ignore[no-untyped-def]
        return norm.model_copy(
            update={
                "casework_hours_per_customer_year": casework,
                "max_caseload": caseload,
                "supplementary_by_need_per_customer_year": by_need,
            }
        )

    return base.model_copy(
        update={
            "working_time": base.working_time.model_copy(
                update={
                    "annual_hours_per_fte": 1000,
                    "customer_time_share": 1.0,
                    "working_weeks_per_year": 40,
                }
            ),
            "contacts": base.contacts.model_copy(
                update={
                    "initial_interview_minutes": 60,
                    "job_search_discussion_minutes": 60,
                    "supplementary_discussion_minutes": 30,
                }
            ),
            "paths": {
                DIRECT: path(base.paths[DIRECT], 5, 200, 1),
                SKILLS: path(base.paths[SKILLS], 10, 100, 2),
                MULTI: path(base.paths[MULTI], 20, 40, 4),
                ServicePath.ENTREPRENEURSHIP: base.paths[ServicePath.ENTREPRENEURSHIP],
            },
            "employer_services": base.employer_services.model_copy(update={"active_employers_per_fte": 120}),
            "administration": base.administration.model_copy(update={"share_of_service_fte": 0.1}),
            "service_points": base.service_points.model_copy(
                update={"in_person_share": 0.2, "hours_per_visit": 5, "visit_intervals_days": [7, 14, 28]}
            ),
        }
    )


def test_shipped_norms_load() -> None:
    norms = load_norms()
    assert set(norms.paths) == set(ServicePath)
    assert norms.working_time.customer_hours_per_fte == pytest.approx(1624 * 0.70)


# ------------------------------------------------------------------------------ statutory contacts


def test_contact_frequencies_2026_by_service_need(book: RuleBook) -> None:
    f = contact_frequencies(2026, share_unemployed_at_6_months=0.5, rules=book)
    assert f.job_search_discussions_per_customer_year == pytest.approx(4.0)  # every 3 months
    assert f.supplementary_fixed_per_new_spell == 0  # fixed schedule abolished 1.1.2026
    assert f.supplementary_by_need_months == 12


def test_contact_frequencies_2025_fixed_schedule(book: RuleBook) -> None:
    # One new spell a month. Spells starting on the 1st of each month of 2025 get six discussions every
    # two weeks in months 0–3 and two more in months 6–7 if still unemployed (s = 0.5), but only those
    # due in 2025 count: Jan–Jun starts 6 + 2s each, Jul–Oct 6 (months 6–7 fall in 2026 under the
    # by-need rule), Nov 4 (15.11., 29.11., 13.12., 27.12.), Dec 2 (15.12., 29.12.). Spells of 2024 add
    # what falls in 2025: Jul–Dec 2024 starts 2s each in months 6–7 — Aug 2024 too: its one-month period
    # runs 1.2.–1.3.2025 with 1.3. included (a period in months, Laki 150/1930), so it holds 15.2. and
    # 1.3. (a Saturday, held on Fri 28.2.) — Nov 2024 two (10.1., 24.1.) and Dec 2024 four (12.1., 26.1.,
    # 9.2., 23.2.). Per year: (6·7 + 4·6 + 4 + 2 + 6·1 + 2 + 4) / 12.
    f = contact_frequencies(2025, share_unemployed_at_6_months=0.5, rules=book)
    assert f.supplementary_fixed_per_new_spell == pytest.approx(84 / 12)
    assert f.supplementary_by_need_months == 0
    assert {r.rule_id for r in f.rules} >= {
        "job_search_discussion.interval_months",
        "supplementary_discussions.schedule",
    }


# ---------------------------------------------------------------------------------- the model


def _inputs(**munis: MunicipalityCustomers) -> StaffingInputs:
    return StaffingInputs(
        on=D(2026, 3, 31),
        year=2026,
        municipalities=dict(munis),
        share_unemployed_at_6_months=0.5,
        share_source="norm",
        staff={
            "609": {ServiceLine.JOB_BROKERAGE: 3.0, ServiceLine.MULTISECTOR: 2.0, ServiceLine.YOUTH: 1.0},
            "079": {ServiceLine.JOB_BROKERAGE: 1.0},
        },
        count_days=[D(2026, 3, 31)],
    )


POri = MunicipalityCustomers(
    code="609",
    customers={DIRECT: 400, MULTI: 100},
    contact_customers={DIRECT: 300, MULTI: 80},
    inflow={DIRECT: 240},
    active_employers=60,
)
HARJAVALTA = MunicipalityCustomers(
    code="079", customers={DIRECT: 100}, contact_customers={DIRECT: 50}, inflow={DIRECT: 60}
)
KARVIA = MunicipalityCustomers(
    code="230", customers={DIRECT: 20}, contact_customers={DIRECT: 10}, inflow={DIRECT: 10}
)


def test_need_by_hand(area: Area, norms: StaffingNorms, book: RuleBook) -> None:
    result = compute_need(
        _inputs(**{"609": POri, "079": HARJAVALTA, "230": KARVIA}), area=area, norms=norms, rules=book
    )
    rows = {m.code: m for m in result.municipalities}
    pori = {p.path: p for p in rows["609"].paths}
    # Direct brokerage in Pori, 2026 (4 discussions a year, supplementary by need 1 a year):
    #   statutory = 240 × 60 min + 300 × (4 × 60 + 1 × 30) min = 240 h + 1 350 h = 1 590 h
    #   casework  = 400 × 5 h = 2 000 h;  time = 3 590 h / 1 000 h = 3.59 FTE;  caseload 400/200 = 2.0
    assert pori[DIRECT].statutory_hours == pytest.approx(1590)
    assert pori[DIRECT].casework_hours == pytest.approx(2000)
    assert pori[DIRECT].fte == pytest.approx(3.59)
    assert pori[DIRECT].binding == "time"
    # Multi-sector in Pori: statutory 80 × (240 + 4 × 30) / 60 = 480 h, casework 2 000 h → 2.48 FTE by
    # time, but 100 customers / caseload 40 = 2.5 FTE: the reasonable caseload binds (R-C3).
    assert pori[MULTI].time_fte == pytest.approx(2.48)
    assert pori[MULTI].fte == pytest.approx(2.5)
    assert pori[MULTI].binding == "caseload"
    # Employer services: 60 active employers / 120 per FTE = 0.5
    assert rows["609"].employer_fte == pytest.approx(0.5)
    assert rows["609"].need_fte == pytest.approx(3.59 + 2.5 + 0.5)
    # Harjavalta: statutory 60 h + 50 × 270 min = 285 h, casework 500 h → 0.785 FTE
    assert rows["079"].need_fte == pytest.approx(0.785)
    # Karvia: statutory 10 h + 10 × 270 / 60 = 55 h, casework 100 h → 0.155 FTE
    assert rows["230"].need_fte == pytest.approx(0.155)
    # Administration: 10 % of the service FTE, placed in the responsible municipality (Pori)
    service = 6.59 + 0.785 + 0.155
    assert result.administration_fte == pytest.approx(0.1 * service)
    assert rows["609"].administration_fte == pytest.approx(0.1 * service)
    assert rows["079"].administration_fte == 0
    assert result.total_fte == pytest.approx(1.1 * service)
    assert rows["609"].by_line["multisector"] == pytest.approx(2.5)


def test_person_customer_split_against_plan(area: Area, norms: StaffingNorms, book: RuleBook) -> None:
    result = compute_need(
        _inputs(**{"609": POri, "079": HARJAVALTA, "230": KARVIA}), area=area, norms=norms, rules=book
    )
    split = {s.line: s for s in result.split}
    brokerage = 3.59 + 0.785 + 0.155
    assert split["job_brokerage"].plan_share == pytest.approx(0.40)
    assert split["job_brokerage"].need_fte == pytest.approx(brokerage)
    assert split["job_brokerage"].need_share == pytest.approx(brokerage / (brokerage + 2.5))
    assert split["skills"].need_fte == 0
    assert split["skills"].plan_share == pytest.approx(0.2)
    # Staff: 4 FTE brokerage, 2 multi-sector; the 1 FTE youth line is cross-cutting, outside the split
    assert split["job_brokerage"].staff_share == pytest.approx(4 / 6)
    assert split["cross_cutting"].staff_fte == pytest.approx(1.0)


def test_office_and_service_points(area: Area, norms: StaffingNorms, book: RuleBook) -> None:
    inputs = _inputs(**{"609": POri, "079": HARJAVALTA, "230": KARVIA})
    result = compute_need(inputs, area=area, norms=norms, rules=book)
    advice = {a.code: a for a in recommend(result, area=area, norms=norms)}
    assert advice["609"].recommended_kind == OFFICE  # 6.59 FTE ≥ 5
    # Harjavalta: 0.785 FTE × 1 000 h / 40 weeks × 20 % in person = 3.925 h a week = 0.785 visit days a
    # week (5 h each): a weekly visit (1 a week) suffices, a fortnightly one (0.5) does not.
    h = advice["079"]
    assert h.recommended_kind == SERVICE_POINT
    assert h.visit_days_needed_per_week == pytest.approx(0.785)
    assert (h.visit_interval_days, h.visit_days_per_week) == (7, 1)
    assert h.serving_office == "609"
    assert h.distance_km == pytest.approx(area.distance_km("079", "609"))
    assert h.travel_km_per_year == pytest.approx(2 * area.distance_km("079", "609") * 40)
    assert h.current_kind == "office"  # the configured network has an office there today
    # Karvia: 0.155 visit days a week → every 28 days (0.25 a week) is enough
    assert advice["230"].visit_interval_days == 28
    # No customers, no point (R-B1: "when customer needs call for it")
    assert advice["181"].recommended_kind == "none"
    # Staff against need: Pori holds its own need, Harjavalta's and Karvia's, and administration
    rows = {
        r.code: r
        for r in staff_against_need(
            result, inputs, area=area, serving_office=serving_offices(list(advice.values()))
        )
    }
    assert rows["609"].placement_need_fte == pytest.approx(result.total_fte)
    assert rows["609"].staff_fte == pytest.approx(6.0)
    assert rows["079"].placement_need_fte == 0
    assert rows["079"].gap_fte == pytest.approx(1.0)


@pytest.mark.parametrize(("employers", "kind"), [(600, OFFICE), (599, SERVICE_POINT)])
def test_office_threshold_is_at_least_five_fte(
    area: Area, norms: StaffingNorms, book: RuleBook, employers: int, kind: str
) -> None:
    # Ulvila's only need is employer services: 600 / 120 = 5.0 FTE (office), 599 / 120 = 4.99 (not).
    # Pori has 6.59 FTE, so an office exists either way and the fallback does not apply.
    ulvila = MunicipalityCustomers(
        code="886", customers={}, contact_customers={}, inflow={}, active_employers=employers
    )
    result = compute_need(_inputs(**{"609": POri, "886": ulvila}), area=area, norms=norms, rules=book)
    advice = {a.code: a for a in recommend(result, area=area, norms=norms)}
    assert advice["886"].recommended_kind == kind
    assert advice["609"].recommended_kind == OFFICE


def test_fallback_office_when_nobody_reaches_the_threshold(
    area: Area, norms: StaffingNorms, book: RuleBook
) -> None:
    result = compute_need(_inputs(**{"079": HARJAVALTA, "230": KARVIA}), area=area, norms=norms, rules=book)
    advice = {a.code: a for a in recommend(result, area=area, norms=norms)}
    assert advice["079"].recommended_kind == OFFICE
    assert advice["079"].reason == "largest_need_no_office"
    assert advice["230"].serving_office == "079"


@pytest.mark.parametrize(
    ("days_needed", "plan"),
    [
        (0.0, (28, 1)),
        (0.25, (28, 1)),
        (0.26, (14, 1)),
        (0.5, (14, 1)),
        (0.51, (7, 1)),
        (1.0, (7, 1)),
        (1.01, (7, 2)),
        (3.5, (7, 4)),
        (9.0, (7, 4)),
    ],
)
def test_visit_plan_takes_the_longest_interval_that_meets_demand(
    norms: StaffingNorms, days_needed: float, plan: tuple[int, int]
) -> None:
    assert visit_plan(days_needed, norms) == plan


# ------------------------------------------------------------------------------- database inputs


def test_count_days_are_last_working_days() -> None:
    assert count_days_before(D(2026, 3, 31), 3) == [D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 31)]
    # 30.3.2026 is before March's count day: the last three complete months
    assert count_days_before(D(2026, 3, 30), 3) == [D(2025, 12, 31), D(2026, 1, 30), D(2026, 2, 27)]


def test_gather_inputs_averages_month_ends(session: Session, area: Area, norms: StaffingNorms) -> None:
    three = norms.model_copy(
        update={"customer_counts": norms.customer_counts.model_copy(update={"average_months": 3})}
    )
    on = D(2026, 3, 31)  # count days 30.1., 27.2., 31.3.2026
    a = make_person(session, municipality="609")
    spell_a = add_spell(session, a, [(Status.UNEMPLOYED, D(2025, 2, 1), None)])
    session.add(
        ServiceNeedAssessment(person_id=a.id, spell_id=spell_a.id, assessed_on=D(2025, 2, 5), path=MULTI)
    )
    b = make_person(session, municipality="609")
    spell_b = add_spell(session, b, [(Status.UNEMPLOYED, D(2026, 2, 1), None)])
    session.add(
        ServiceNeedAssessment(person_id=b.id, spell_id=spell_b.id, assessed_on=D(2026, 2, 3), path=DIRECT)
    )
    c = make_person(session, municipality="609")  # in a service, never assessed → unassessed path
    add_spell(session, c, [(Status.IN_SERVICE, D(2025, 1, 1), None)])
    d = make_person(session, municipality="609")  # an employed jobseeker who moves to Ulvila on 1.3.
    add_spell(session, d, [(Status.EMPLOYED, D(2025, 1, 1), None)])
    move(session, d, [("609", D(2000, 1, 1), D(2026, 2, 28)), ("886", D(2026, 3, 1), None)])
    employer = Employer(
        business_id="1234567-1",
        name="Testi Oy",
        municipality_code="609",
        industry="C",
        size_class=SizeClass.SMALL,
    )
    session.add(employer)
    session.flush()
    session.add(
        EmployerServiceEvent(
            employer_id=employer.id,
            event_date=D(2026, 1, 10),
            kind=EmployerServiceKind.CONTACT,
            municipality_code="609",
        )
    )
    session.add(
        StaffMember(
            employee_number="T-1",
            first_name="Testi",
            last_name="Asiantuntija",
            email="t1@alue.example",
            service_line=ServiceLine.SKILLS,
            base_municipality_code="079",
            fte=0.8,
        )
    )
    session.flush()

    inputs = gather_inputs(session=session, area=area, on=on, norms=three)
    pori = inputs.municipalities["609"]
    assert inputs.count_days == [D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 31)]
    assert pori.customers[MULTI] == pytest.approx(1.0)
    assert pori.contact_customers[MULTI] == pytest.approx(1.0)
    # b: customer on 2 of 3 count days; c: in service (weight 1, no statutory contacts); d: employed
    # (weight 0.3) in Pori on 2 of 3 count days
    assert pori.customers[DIRECT] == pytest.approx(2 / 3 + 1 + 0.3 * 2 / 3)
    assert pori.contact_customers[DIRECT] == pytest.approx(2 / 3)
    assert inputs.municipalities["886"].customers[DIRECT] == pytest.approx(0.3 / 3)
    # Inflow: b's spell started within the year, on the direct path
    assert pori.inflow == {DIRECT: 1.0}
    assert pori.active_employers == 1
    assert inputs.staff["079"][ServiceLine.SKILLS] == pytest.approx(0.8)
    assert inputs.share_source == "norm"  # far fewer than 30 spells to measure it from


def test_national_rules_alone_also_work() -> None:
    f = contact_frequencies(2024, share_unemployed_at_6_months=0.0, rules=load_rules(NATIONAL))
    # 2024: the fixed schedule all year (and in 2023 and 2025): the steady state, 6 + 2s = 6 with s = 0
    assert f.supplementary_fixed_per_new_spell == pytest.approx(6.0)
