"""Service lines: the norms file, line membership and flags, and entrepreneurship (start-up grants with the
delegation check, firms founded by jobseekers)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from alue.casework import entrepreneurship as ent
from alue.casework import journey as jr
from alue.casework import referrals as rf
from alue.casework.authority import NoDelegationError
from alue.casework.journey_models import QualificationRecognition, RecognitionStatus, StartupGrantStatus
from alue.casework.models import PlanKind, ServicePath
from alue.casework.service_lines import (
    NORMS_FILE,
    PERSON_LINES,
    CaseRow,
    LineContext,
    flags,
    lines_of,
    load_line_settings,
)
from alue.casework.transitions import TransitionError
from alue.casework.worklists import worker_worklist
from alue.employers.models import Employer, SizeClass
from alue.people.models import CustomerGroup, EducationLevel
from alue.services.models import PartnerKind
from alue.shared.time import DateRange
from alue.staff.models import DelegatedTask, ServiceLine

from .factories import add_delegation, make_partner, make_staff, registered

D = dt.date
ON = D(2026, 3, 2)


def _ctx(limit: int = 30) -> LineContext:
    return LineContext(on=ON, youth_age_limit=limit, settings=load_line_settings("satakunta"))


def _case(**kw: object) -> CaseRow:
    base = {
        "person_id": 1,
        "customer_number": "T1",
        "name": "Testi Henkilö",
        "birth_date": D(1990, 1, 1),
        "education_level": EducationLevel.VOCATIONAL,
        "languages": {},
        "spell_id": 1,
        "spell_start": D(2026, 1, 1),
        "municipality_code": "609",
    }
    base.update(kw)
    return CaseRow(**base)  # type: ignore[arg-type]


def test_norms_file_has_a_sourced_norm_for_every_line() -> None:
    settings = load_line_settings("satakunta")
    for line in ServiceLine:
        entry = settings.customers_per_fte[line]
        assert entry.source
        assert entry.confidence in ("V", "P", "U")
    assert settings.norm(ServiceLine.MULTISECTOR) == 50
    assert int(settings.compulsory_education_age_limit.value) == 18
    assert int(settings.worklist.goal_warning_days.value) == 21


def test_area_override_is_merged(tmp_path) -> None:
    path = tmp_path / "norms.yaml"
    text = NORMS_FILE.read_text(encoding="utf-8")
    text = text.replace(
        "  satakunta: {}",
        "  satakunta:\n    customers_per_fte:\n      youth:\n        value: 60\n"
        "        source: Area decision 1/2026\n        confidence: V",
    )
    path.write_text(text, encoding="utf-8")
    settings = load_line_settings("satakunta", path)
    assert settings.norm(ServiceLine.YOUTH) == 60
    assert settings.norm(ServiceLine.SKILLS) == 120  # untouched default


def test_line_membership_and_flags() -> None:
    young = _case(birth_date=D(2009, 1, 1), education_level=EducationLevel.BASIC)
    assert lines_of(young, _ctx()) == [ServiceLine.YOUTH]
    assert {f.code for f in flags(young, _ctx())} == {"compulsory_education_age", "no_degree"}
    twenty_nine = _case(birth_date=D(1996, 3, 3))
    assert ServiceLine.YOUTH in lines_of(twenty_nine, _ctx(30))
    assert ServiceLine.YOUTH not in lines_of(twenty_nine, _ctx(25))

    immigrant = _case(groups={CustomerGroup.IMMIGRANT}, languages={"fi": "basic"}, recognitions_pending=1)
    codes = {f.code: f for f in flags(immigrant, _ctx())}
    assert lines_of(immigrant, _ctx()) == [ServiceLine.IMMIGRANTS]
    assert set(codes) == {"integration_plan_missing", "language_level", "recognition_pending"}
    assert codes["language_level"].value == "basic"
    immigrant.plan_kinds.add(PlanKind.INTEGRATION)
    assert "integration_plan_missing" not in {f.code for f in flags(immigrant, _ctx())}

    typ = _case(path=ServicePath.MULTISECTOR)
    assert {f.code for f in flags(typ, _ctx())} == {
        "consent_county_missing",
        "consent_kela_missing",
        "multisector_plan_missing",
    }
    typ.consent_partner_kinds.add(PartnerKind.WELLBEING_SERVICES_COUNTY)
    typ.consent_kela = True
    typ.plan_kinds.add(PlanKind.MULTISECTOR)
    assert flags(typ, _ctx()) == []

    entrepreneur = _case(startup_grant=StartupGrantStatus.SUBMITTED)
    assert lines_of(entrepreneur, _ctx()) == [ServiceLine.ENTREPRENEURSHIP]
    assert all(line in PERSON_LINES for line in lines_of(_case(assignment_line=ServiceLine.SKILLS), _ctx()))


def test_multisector_worklist_reads_consents_and_recognitions(session: Session) -> None:
    staff = make_staff(session, line=ServiceLine.MULTISECTOR)
    person, journey = registered(session, on=D(2026, 2, 2), staff=staff)
    from alue.casework import assignments

    assignments.assign(session=session, person_id=person.id, staff_id=staff.id, on=D(2026, 2, 2))
    jr.hold_initial_interview(
        session=session, journey_id=journey.id, held_at=D(2026, 2, 3), staff_id=staff.id
    )
    jr.assess_service_need(
        session=session,
        journey_id=journey.id,
        on=D(2026, 2, 3),
        staff_id=staff.id,
        path=ServicePath.MULTISECTOR,
        reasons=["work ability"],
        groups=[CustomerGroup.IMMIGRANT],
    )
    county = make_partner(session, kind=PartnerKind.WELLBEING_SERVICES_COUNTY)
    kela = make_partner(session, name="Kela", kind=PartnerKind.STATE_AGENCY, business_id="0246246-0")
    rf.give_consent(
        session=session, person_id=person.id, partner_id=county.id, scope=["contact"], given_on=D(2026, 2, 3)
    )
    consent = rf.give_consent(
        session=session, person_id=person.id, partner_id=kela.id, scope=["identity"], given_on=D(2026, 2, 3)
    )
    session.add(
        QualificationRecognition(
            person_id=person.id,
            qualification="Nursing",
            country="SYR",
            status=RecognitionStatus.PENDING,
            applied_on=D(2026, 2, 1),
        )
    )
    session.flush()
    wl = worker_worklist(
        session=session, staff_id=staff.id, on=ON, line=ServiceLine.MULTISECTOR, youth_age_limit=30
    )
    case = wl.cases[0]
    assert case.consent_kela
    assert PartnerKind.WELLBEING_SERVICES_COUNTY in case.consent_partner_kinds
    assert case.recognitions_pending == 1
    assert CustomerGroup.IMMIGRANT in case.groups
    rf.withdraw_consent(session=session, consent_id=consent.id, on=ON)
    wl = worker_worklist(
        session=session, staff_id=staff.id, on=ON, line=ServiceLine.MULTISECTOR, youth_age_limit=30
    )
    assert not wl.cases[0].consent_kela
    assert (
        worker_worklist(
            session=session, staff_id=staff.id, on=ON, line=ServiceLine.ENTREPRENEURSHIP, youth_age_limit=30
        ).cases
        == []
    )


def test_startup_grant_decision_needs_a_delegation(session: Session) -> None:
    official = make_staff(session, line=ServiceLine.ENTREPRENEURSHIP, municipal_official=True)
    transferred = make_staff(session, line=ServiceLine.ENTREPRENEURSHIP, municipal_official=False)
    person, _ = registered(session, on=D(2026, 1, 12), staff=official)
    application = ent.apply_startup_grant(
        session=session,
        person_id=person.id,
        on=D(2026, 2, 2),
        business_idea="Hitsauspaja",
        staff_id=official.id,
    )
    assert application.spell_id is not None
    assert application.status is StartupGrantStatus.SUBMITTED
    with pytest.raises(ent.EntrepreneurshipError, match="still waiting"):
        ent.apply_startup_grant(
            session=session, person_id=person.id, on=D(2026, 2, 3), business_idea="Toinen"
        )
    with pytest.raises(NoDelegationError, match="start-up grant decisions"):
        ent.decide_startup_grant(
            session=session,
            application_id=application.id,
            on=D(2026, 2, 20),
            granted=True,
            staff_id=official.id,
            reason="viable",
            grant_start=D(2026, 3, 1),
        )
    # a delegation that has expired, or names other tasks, does not help
    add_delegation(
        session,
        official,
        [DelegatedTask.STARTUP_GRANT_DECISION],
        valid_from=D(2025, 1, 1),
        valid_to=D(2025, 12, 31),
    )
    add_delegation(session, official, [DelegatedTask.WAGE_SUBSIDY_DECISION], valid_from=D(2026, 1, 1))
    with pytest.raises(NoDelegationError):
        ent.decide_startup_grant(
            session=session,
            application_id=application.id,
            on=D(2026, 2, 20),
            granted=True,
            staff_id=official.id,
            reason="viable",
            grant_start=D(2026, 3, 1),
        )
    assert application.status is StartupGrantStatus.SUBMITTED
    delegation = add_delegation(
        session, official, [DelegatedTask.STARTUP_GRANT_DECISION], valid_from=D(2026, 2, 1)
    )
    ent.decide_startup_grant(
        session=session,
        application_id=application.id,
        on=D(2026, 2, 20),
        granted=True,
        staff_id=official.id,
        reason="viable",
        grant_start=D(2026, 3, 1),
        grant_end=D(2027, 2, 28),
    )
    assert (application.status, application.delegation_id) == (StartupGrantStatus.GRANTED, delegation.id)
    with pytest.raises(TransitionError):
        ent.decide_startup_grant(
            session=session,
            application_id=application.id,
            on=D(2026, 2, 21),
            granted=False,
            staff_id=official.id,
            reason="changed mind",
        )
    # staff transferred from the state decide by law, without a delegation
    other, _ = registered(session, on=D(2026, 1, 12), staff=transferred)
    second = ent.apply_startup_grant(
        session=session, person_id=other.id, on=D(2026, 2, 2), business_idea="Kahvila"
    )
    ent.decide_startup_grant(
        session=session,
        application_id=second.id,
        on=D(2026, 2, 25),
        granted=False,
        staff_id=transferred.id,
        reason="no market study",
    )
    assert second.status is StartupGrantStatus.REJECTED
    assert second.delegation_id is None


def test_firms_founded_by_jobseekers_are_counted(session: Session) -> None:
    staff = make_staff(session)
    young, _ = registered(session, on=D(2026, 1, 12), staff=staff, birth_date=D(2000, 6, 1))
    older, _ = registered(session, on=D(2026, 1, 12), staff=staff, municipality="886")
    application = ent.apply_startup_grant(
        session=session, person_id=young.id, on=D(2026, 1, 20), business_idea="IT"
    )
    firms = []
    for person, code, founded, business_id in (
        (young, "609", D(2026, 3, 1), "1234567-1"),
        (older, "886", D(2026, 4, 15), "2345678-2"),
        (older, "886", D(2025, 12, 31), "3456789-3"),  # outside the period
    ):
        firm = Employer(
            business_id=business_id,
            name=f"Firma {business_id}",
            municipality_code=code,
            industry="J",
            size_class=SizeClass.MICRO,
            founded_on=founded,
        )
        session.add(firm)
        session.flush()
        ent.record_firm(
            session=session,
            person_id=person.id,
            employer_id=firm.id,
            application_id=application.id if person is young else None,
        )
        firms.append(firm)
    figures = ent.entrepreneurship_figures(session=session, period=DateRange.year(2026), youth_age_limit=30)
    assert dict(figures.firms_founded) == {"609": 1, "886": 1}
    assert dict(figures.firms_founded_by_young) == {"609": 1}
    assert dict(figures.applications) == {"609": 1}
    assert figures.total("granted") == 0
    assert application.employer_id == firms[0].id
    assert ent.firms_founded_by_jobseekers(session=session, period=DateRange.year(2025)) == {"886": 1}
    with pytest.raises(ent.EntrepreneurshipError, match="another person"):
        ent.record_firm(session=session, person_id=young.id, employer_id=firms[1].id)
