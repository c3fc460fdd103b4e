"""The staffing model (R-C2, R-C3, R-C4): FTE need per municipality and service line, against staff.

How the need is computed (``docs/planning.md`` explains it in plain language):

1. **Customers** — the average number of customers (open jobseeking spells) on the last working day of
   each of the last 12 months, by home municipality on that day and by the *path* of their latest
   service-need assessment (palvelutarvearvio). A customer counts with the weight of their status
   (an employed jobseeker needs less than an unemployed one; norms file).
2. **Statutory contacts** — the rules in force in each month of the planning year say how often contacts
   are due: an initial interview for each new spell, a job-search discussion every 3 months, and the
   supplementary discussions on the fixed schedule until 31.12.2025 or "by service need" afterwards
   (then the norms give a number per customer-year and path). Minutes per contact are norms.
3. **Casework** — hours per customer-year by path (norms).
4. ``FTE = max(hours / customer hours per FTE, customers / reasonable caseload)``: the time needed, but
   never a caseload above the reasonable one for the path (R-C3).
5. **Employer services** — active employers / employers per FTE; **administration** — a share of the
   service FTE, placed in the responsible municipality.

The pure part (:func:`contact_frequencies`, :func:`compute_need`) takes plain inputs and is tested with
hand-computed figures; :func:`gather_inputs` reads them from the database.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from alue.area.config import Area
from alue.area.rules import RuleBook, RuleNotInForceError, RuleRef, load_rules
from alue.casework.deadlines import (
    JOB_SEARCH_DISCUSSION,
    SUPPLEMENTARY_SCHEDULE,
    supplementary_discussion_schedule,
)
from alue.casework.models import ServiceNeedAssessment, ServicePath
from alue.employers.models import Employer, EmployerServiceEvent, Vacancy
from alue.people.models import JobseekingSpell, Person, Residence, Status, StatusPeriod
from alue.planning.norms import StaffingNorms, load_norms
from alue.shared.time import DateRange, DateSet, add_months, last_working_day_of_month
from alue.staff.models import ServiceLine, StaffMember

#: The lines of the person-customer split of the plan (seed 001 §4).
CROSS_CUTTING = "cross_cutting"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


# ------------------------------------------------------------------------------------------ inputs


class MunicipalityCustomers(_Model):
    """Average customers of one municipality, by service-need path."""

    code: str
    #: average customers weighted by status (norms ``status_weights``)
    customers: dict[ServicePath, float]
    #: average customers who get the statutory contacts (unemployed, fully laid off)
    contact_customers: dict[ServicePath, float]
    #: new jobseeking spells a year (initial interviews)
    inflow: dict[ServicePath, float]
    active_employers: float = 0.0


class StaffingInputs(_Model):
    on: dt.date
    year: int
    municipalities: dict[str, MunicipalityCustomers]
    share_unemployed_at_6_months: float
    share_source: str  # "data" or "norm"
    #: active staff FTE by base municipality and service line
    staff: dict[str, dict[ServiceLine, float]]
    count_days: list[dt.date]


# ------------------------------------------------------------------------------- contact frequencies


class ContactFrequencies(_Model):
    """How many statutory contacts the rules in force in ``year`` require."""

    year: int
    #: job-search discussions per unemployed customer-year (12 / interval, month by month)
    job_search_discussions_per_customer_year: float
    #: supplementary discussions on the fixed schedule held in the year per new spell (at a steady inflow
    #: of one spell a month); later phases weighted by the share still unemployed at 6 months
    supplementary_fixed_per_new_spell: float
    #: months of the year in which supplementary discussions are arranged by service need
    supplementary_by_need_months: int
    rules: list[RuleRef]


def contact_frequencies(
    year: int, *, share_unemployed_at_6_months: float, rules: RuleBook | None = None
) -> ContactFrequencies:
    """Statutory contact frequencies for a planning year, from the rules in force month by month."""
    book = rules or load_rules()
    refs: dict[tuple[str, dt.date], RuleRef] = {}
    discussions = 0.0
    fixed_total = 0.0
    by_need_months = 0
    for month in range(1, 13):
        mid = dt.date(year, month, 15)
        interval = book.in_force(JOB_SEARCH_DISCUSSION, mid)
        refs.setdefault((interval.rule_id, interval.effective_from), interval.ref())
        discussions += 1 / interval.value
        schedule_version = book.in_force(SUPPLEMENTARY_SCHEDULE, mid)
        refs.setdefault((schedule_version.rule_id, schedule_version.effective_from), schedule_version.ref())
        if schedule_version.value.mode == "by_service_need":
            by_need_months += 1
    # Supplementary discussions held in ``year`` for a constant inflow of one new spell a month: spells
    # starting in the previous year still have discussions due in this one (months 6–7), and the dates
    # that fall under a rule without a fixed schedule are dropped by the schedule itself.
    for offset in range(-12, 12):
        start = add_months(dt.date(year, 1, 1), offset)
        try:
            schedule = supplementary_discussion_schedule(spell_start=start, rules=book)
        except RuleNotInForceError:
            continue
        phases = dict(enumerate(book.value(SUPPLEMENTARY_SCHEDULE, start).phases, start=1))
        for discussion in schedule.discussions:
            if discussion.due.year != year:
                continue
            phase = phases.get(discussion.phase)
            weight = 1.0 if phase is None or phase.from_month == 0 else share_unemployed_at_6_months
            fixed_total += weight
        for ref in schedule.rules:
            refs.setdefault((ref.rule_id, ref.effective_from), ref)
    return ContactFrequencies(
        year=year,
        job_search_discussions_per_customer_year=discussions,
        supplementary_fixed_per_new_spell=fixed_total / 12,
        supplementary_by_need_months=by_need_months,
        rules=list(refs.values()),
    )


# ------------------------------------------------------------------------------------------ results


class PathNeed(_Model):
    path: ServicePath
    service_line: ServiceLine
    customers: float
    contact_customers: float
    inflow: float
    statutory_hours: float
    casework_hours: float
    time_fte: float
    caseload_fte: float
    fte: float
    #: "time" when the hours decide, "caseload" when the reasonable caseload does
    binding: str


class MunicipalityNeed(_Model):
    code: str
    name: str
    paths: list[PathNeed]
    person_fte: float
    employer_fte: float
    administration_fte: float
    #: person + employer FTE: the need that decides an office (R-B2); administration is area-wide
    need_fte: float
    by_line: dict[str, float]
    customers: float
    active_employers: float


class SplitRow(_Model):
    line: str
    plan_share: float | None
    need_fte: float
    need_share: float
    staff_fte: float
    staff_share: float | None


class StaffRow(_Model):
    code: str
    name: str
    staff_fte: float
    #: need placed at this municipality: its own if it is an office, plus what its office serves
    placement_need_fte: float
    gap_fte: float  # staff − placement need (negative: too few)
    by_line: dict[str, float]


class StaffingResult(_Model):
    on: dt.date
    year: int
    norms_version: str
    frequencies: ContactFrequencies
    share_unemployed_at_6_months: float
    share_source: str
    municipalities: list[MunicipalityNeed]
    total_fte: float
    person_fte: float
    employer_fte: float
    administration_fte: float
    split: list[SplitRow]
    staff_total_fte: float
    count_days: list[dt.date]


# ------------------------------------------------------------------------------------------- model


def path_need(
    path: ServicePath,
    *,
    customers: float,
    contact_customers: float,
    inflow: float,
    frequencies: ContactFrequencies,
    norms: StaffingNorms,
) -> PathNeed:
    """FTE need of one path in one municipality (step 2–4 of the module docstring)."""
    norm = norms.paths[path]
    contacts = norms.contacts
    by_need_share = frequencies.supplementary_by_need_months / 12
    statutory_minutes = inflow * (
        contacts.initial_interview_minutes
        + frequencies.supplementary_fixed_per_new_spell * contacts.supplementary_discussion_minutes
    ) + contact_customers * (
        frequencies.job_search_discussions_per_customer_year * contacts.job_search_discussion_minutes
        + by_need_share
        * norm.supplementary_by_need_per_customer_year
        * contacts.supplementary_discussion_minutes
    )
    statutory_hours = statutory_minutes / 60
    casework_hours = customers * norm.casework_hours_per_customer_year
    time_fte = (statutory_hours + casework_hours) / norms.working_time.customer_hours_per_fte
    caseload_fte = customers / norm.max_caseload
    return PathNeed(
        path=path,
        service_line=norm.service_line,
        customers=customers,
        contact_customers=contact_customers,
        inflow=inflow,
        statutory_hours=statutory_hours,
        casework_hours=casework_hours,
        time_fte=time_fte,
        caseload_fte=caseload_fte,
        fte=max(time_fte, caseload_fte),
        binding="caseload" if caseload_fte > time_fte else "time",
    )


def compute_need(
    inputs: StaffingInputs,
    *,
    area: Area,
    norms: StaffingNorms | None = None,
    rules: RuleBook | None = None,
    offices: Iterable[str] | None = None,
) -> StaffingResult:
    """FTE need per municipality and line, the split against the plan and staff against need.

    ``offices`` names the municipalities whose offices serve the others when comparing staff placement
    (default: those recommended by :func:`alue.planning.service_points.recommend`).
    """
    norms = norms or load_norms()
    freq = contact_frequencies(
        inputs.year, share_unemployed_at_6_months=inputs.share_unemployed_at_6_months, rules=rules
    )
    responsible = area.file.responsible_municipality
    rows: list[MunicipalityNeed] = []
    for code, info in area.municipalities.items():
        mc = inputs.municipalities.get(code) or MunicipalityCustomers(
            code=code, customers={}, contact_customers={}, inflow={}
        )
        paths = [
            path_need(
                path,
                customers=mc.customers.get(path, 0.0),
                contact_customers=mc.contact_customers.get(path, 0.0),
                inflow=mc.inflow.get(path, 0.0),
                frequencies=freq,
                norms=norms,
            )
            for path in ServicePath
        ]
        person = sum(p.fte for p in paths)
        employer = mc.active_employers / norms.employer_services.active_employers_per_fte
        by_line: dict[str, float] = defaultdict(float)
        for p in paths:
            by_line[p.service_line.value] += p.fte
        by_line[ServiceLine.EMPLOYER_SERVICES.value] += employer
        rows.append(
            MunicipalityNeed(
                code=code,
                name=info.name_fi,
                paths=paths,
                person_fte=person,
                employer_fte=employer,
                administration_fte=0.0,
                need_fte=person + employer,
                by_line=dict(by_line),
                customers=sum(mc.customers.values()),
                active_employers=mc.active_employers,
            )
        )
    service_fte = sum(r.need_fte for r in rows)
    admin = service_fte * norms.administration.share_of_service_fte
    rows = [
        r.model_copy(
            update={
                "administration_fte": admin,
                "by_line": {**r.by_line, ServiceLine.ADMINISTRATION.value: admin},
            }
        )
        if r.code == responsible
        else r
        for r in rows
    ]

    split = _split_rows(rows, inputs, area=area, norms=norms)
    return StaffingResult(
        on=inputs.on,
        year=inputs.year,
        norms_version=norms.version,
        frequencies=freq,
        share_unemployed_at_6_months=inputs.share_unemployed_at_6_months,
        share_source=inputs.share_source,
        municipalities=rows,
        total_fte=service_fte + admin,
        person_fte=sum(r.person_fte for r in rows),
        employer_fte=sum(r.employer_fte for r in rows),
        administration_fte=admin,
        split=split,
        staff_total_fte=sum(sum(lines.values()) for lines in inputs.staff.values()),
        count_days=inputs.count_days,
    )


def _split_line_of_staff(norms: StaffingNorms) -> dict[ServiceLine, str]:
    mapping: dict[ServiceLine, str] = {}
    for norm in norms.paths.values():
        mapping[norm.service_line] = norm.split_line.value
        mapping[norm.split_line] = norm.split_line.value
    return mapping


def _split_rows(
    rows: list[MunicipalityNeed], inputs: StaffingInputs, *, area: Area, norms: StaffingNorms
) -> list[SplitRow]:
    plan = dict(area.file.staffing.person_customer_split) if area.file.staffing else {}
    need: dict[str, float] = defaultdict(float)
    for r in rows:
        for p in r.paths:
            need[norms.paths[p.path].split_line.value] += p.fte
    staff_map = _split_line_of_staff(norms)
    staff: dict[str, float] = defaultdict(float)
    for by_line in inputs.staff.values():
        for line, fte in by_line.items():
            if line in (ServiceLine.EMPLOYER_SERVICES, ServiceLine.ADMINISTRATION):
                continue
            staff[staff_map.get(line, CROSS_CUTTING)] += fte
    lines = list(dict.fromkeys([*plan, *need]))
    need_total = sum(need.values())
    staff_total = sum(v for k, v in staff.items() if k != CROSS_CUTTING)
    result = [
        SplitRow(
            line=line,
            plan_share=plan.get(line),
            need_fte=need.get(line, 0.0),
            need_share=need.get(line, 0.0) / need_total if need_total else 0.0,
            staff_fte=staff.get(line, 0.0),
            staff_share=staff.get(line, 0.0) / staff_total if staff_total else None,
        )
        for line in lines
    ]
    if staff.get(CROSS_CUTTING):
        result.append(
            SplitRow(
                line=CROSS_CUTTING,
                plan_share=None,
                need_fte=0.0,
                need_share=0.0,
                staff_fte=staff[CROSS_CUTTING],
                staff_share=None,
            )
        )
    return result


def staff_against_need(
    result: StaffingResult, inputs: StaffingInputs, *, area: Area, serving_office: dict[str, str]
) -> list[StaffRow]:
    """Staff by base municipality against the need placed there.

    ``serving_office`` maps every municipality to the municipality of the office that serves it (itself
    for an office). The need of a service-point municipality is placed at its serving office.
    """
    placed: dict[str, float] = defaultdict(float)
    for r in result.municipalities:
        placed[serving_office.get(r.code, r.code)] += r.need_fte + r.administration_fte
    rows = []
    for code, info in area.municipalities.items():
        lines = inputs.staff.get(code, {})
        staff_fte = sum(lines.values())
        need = placed.get(code, 0.0)
        rows.append(
            StaffRow(
                code=code,
                name=info.name_fi,
                staff_fte=staff_fte,
                placement_need_fte=need,
                gap_fte=staff_fte - need,
                by_line={line.value: fte for line, fte in lines.items()},
            )
        )
    return rows


# ---------------------------------------------------------------------------------- database inputs


def count_days_before(on: dt.date, months: int) -> list[dt.date]:
    """The statistics count days (last working day) of the ``months`` months up to ``on``."""
    days: list[dt.date] = []
    cursor = on
    while len(days) < months:
        day = last_working_day_of_month(cursor.year, cursor.month)
        if day <= on:
            days.append(day)
        cursor = add_months(dt.date(cursor.year, cursor.month, 1), -1)
    return sorted(days)


def _residence_lookup(
    session: Session, person_ids: set[int]
) -> dict[int, list[tuple[dt.date, dt.date | None, str]]]:
    result: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    if not person_ids:
        return result
    for row in session.execute(
        select(Residence.person_id, Residence.start_date, Residence.end_date, Residence.municipality_code)
    ):
        if row.person_id in person_ids:
            result[row.person_id].append((row.start_date, row.end_date, row.municipality_code))
    for rows in result.values():
        rows.sort(key=lambda r: r[0], reverse=True)
    return result


def municipality_on(day: dt.date, home: str, residences: list[tuple[dt.date, dt.date | None, str]]) -> str:
    """Home municipality on ``day``: the residence row covering it (latest start wins), else ``home``."""
    for start, end, code in residences:
        if start <= day and (end is None or end >= day):
            return code
    return home


def gather_inputs(
    *, session: Session, area: Area, on: dt.date, year: int | None = None, norms: StaffingNorms | None = None
) -> StaffingInputs:
    """Customer counts, inflow, active employers and staff from the database (see module docstring)."""
    norms = norms or load_norms()
    cc = norms.customer_counts
    days = count_days_before(on, cc.average_months)
    first = min(days)
    year_ago = add_months(on, -12)
    window_start = min(first, add_months(on, -18))

    periods = session.execute(
        select(
            StatusPeriod.person_id,
            StatusPeriod.spell_id,
            StatusPeriod.status,
            StatusPeriod.start_date,
            StatusPeriod.end_date,
        ).where(
            StatusPeriod.start_date <= on,
            or_(StatusPeriod.end_date.is_(None), StatusPeriod.end_date >= window_start),
        )
    ).all()
    person_ids = {p.person_id for p in periods}
    homes = (
        dict(session.execute(select(Person.id, Person.home_municipality_code)).all()) if person_ids else {}
    )
    residences = _residence_lookup(session, person_ids)
    assessments: dict[int, list[tuple[dt.date, int | None, ServicePath]]] = defaultdict(list)
    for a in session.execute(
        select(
            ServiceNeedAssessment.person_id,
            ServiceNeedAssessment.assessed_on,
            ServiceNeedAssessment.spell_id,
            ServiceNeedAssessment.path,
        ).where(ServiceNeedAssessment.assessed_on <= on)
    ):
        if a.person_id in person_ids:
            assessments[a.person_id].append((a.assessed_on, a.spell_id, ServicePath(a.path)))
    for rows in assessments.values():
        rows.sort(key=lambda r: r[0])

    def path_on(person_id: int, day: dt.date) -> ServicePath:
        found = cc.unassessed_path
        for assessed_on, _spell, path in assessments.get(person_id, ()):
            if assessed_on > day:
                break
            found = path
        return found

    contact_statuses = set(cc.statutory_contact_statuses)
    customers: dict[str, dict[ServicePath, float]] = defaultdict(lambda: defaultdict(float))
    contact: dict[str, dict[ServicePath, float]] = defaultdict(lambda: defaultdict(float))
    for day in days:
        seen: set[int] = set()
        for p in periods:
            if p.person_id in seen or p.start_date > day or (p.end_date is not None and p.end_date < day):
                continue
            seen.add(p.person_id)
            status = Status(p.status)
            code = municipality_on(day, homes[p.person_id], residences.get(p.person_id, []))
            path = path_on(p.person_id, day)
            customers[code][path] += cc.status_weights[status] / len(days)
            if status in contact_statuses:
                contact[code][path] += 1 / len(days)

    # Inflow: spells registered in the year before ``on``, by the path of their assessment.
    inflow: dict[str, dict[ServicePath, float]] = defaultdict(lambda: defaultdict(float))
    spells = session.execute(
        select(JobseekingSpell.id, JobseekingSpell.person_id, JobseekingSpell.start_date).where(
            JobseekingSpell.start_date > year_ago, JobseekingSpell.start_date <= on
        )
    ).all()
    homes_all = homes or dict(session.execute(select(Person.id, Person.home_municipality_code)).all())
    for s in spells:
        code = municipality_on(s.start_date, homes_all[s.person_id], residences.get(s.person_id, []))
        path = next(
            (path for _on, spell_id, path in assessments.get(s.person_id, ()) if spell_id == s.id),
            None,
        ) or path_on(s.person_id, add_months(s.start_date, 1))
        inflow[code][path] += 1.0

    share, source = _share_unemployed_at_6_months(periods, on=on, norms=norms)

    employers = _active_employers(session, on=on, months=norms.employer_services.active_window_months)
    staff: dict[str, dict[ServiceLine, float]] = defaultdict(lambda: defaultdict(float))
    for member in session.scalars(select(StaffMember).where(StaffMember.active.is_(True))):
        staff[member.base_municipality_code][ServiceLine(member.service_line)] += float(member.fte)

    codes = set(area.municipalities)
    municipalities = {
        code: MunicipalityCustomers(
            code=code,
            customers=dict(customers.get(code, {})),
            contact_customers=dict(contact.get(code, {})),
            inflow=dict(inflow.get(code, {})),
            active_employers=float(employers.get(code, 0)),
        )
        for code in codes
    }
    return StaffingInputs(
        on=on,
        year=year or on.year,
        municipalities=municipalities,
        share_unemployed_at_6_months=share,
        share_source=source,
        staff={code: dict(lines) for code, lines in staff.items()},
        count_days=days,
    )


def _share_unemployed_at_6_months(
    periods: Sequence[Any], *, on: dt.date, norms: StaffingNorms
) -> tuple[float, str]:
    """Of unemployment runs that started 6–18 months before ``on``, the share unemployed 6 months in."""
    by_person: dict[int, list[DateRange]] = defaultdict(list)
    for p in periods:
        if Status(p.status).counts_as_unemployed:
            by_person[p.person_id].append(DateRange(p.start_date, p.end_date))
    started = still = 0
    lo, hi = add_months(on, -18), add_months(on, -6)
    for ranges in by_person.values():
        for run in DateSet(ranges):
            if lo < run.start <= hi:
                started += 1
                if run.includes(add_months(run.start, 6)):
                    still += 1
    if started < norms.customer_counts.min_spells_for_data:
        return norms.customer_counts.share_unemployed_at_6_months, "norm"
    return still / started, "data"


def _active_employers(session: Session, *, on: dt.date, months: int) -> dict[str, int]:
    """Employers with a service event or a published vacancy in the window, by their municipality."""
    since = add_months(on, -months)
    ids = set(
        session.scalars(
            select(EmployerServiceEvent.employer_id).where(
                EmployerServiceEvent.event_date > since,
                EmployerServiceEvent.event_date <= on,
                EmployerServiceEvent.employer_id.is_not(None),
            )
        )
    )
    ids |= set(
        session.scalars(
            select(Vacancy.employer_id).where(Vacancy.published_on > since, Vacancy.published_on <= on)
        )
    )
    counts: dict[str, int] = defaultdict(int)
    if ids:
        for _id, code in session.execute(select(Employer.id, Employer.municipality_code)):
            if _id in ids:
                counts[code] += 1
    return counts


def round_fte(value: float) -> float:
    """FTE shown to one decimal (what a plan can act on)."""
    return math.floor(value * 10 + 0.5) / 10
