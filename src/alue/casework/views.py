"""Casework pages: worklists and caseload, the journey of a jobseeker, the plan editor, consent and referrals,
deadline fulfilment and the early-identification model card.

Every route declares its permission; a route about a person then checks the person is in the caller's
scope (the same 404 whether absent or out of scope), does its work, appends one audit row and commits
(eVaka: authorise first, audit every success). Forms post back and redirect (303) to the page they belong
to; a refused step re-renders the page with the reason (400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.casework import assignments, entrepreneurship, fulfilment, transitions
from alue.casework import early_identification as ei
from alue.casework import journey as jr
from alue.casework import referrals as rf
from alue.casework import worklists as wl
from alue.casework.authority import NoDelegationError
from alue.casework.errors import CaseworkError
from alue.casework.i18n import gettext as cw_gettext
from alue.casework.i18n import template_context
from alue.casework.i18n import translations as cw_translations
from alue.casework.journey_models import (
    N_,
    CaseJourney,
    JobseekerView,
    JourneyStatus,
    PlanTask,
    ReferralEvent,
    RiskModelRun,
    RiskScore,
    WorkerView,
)
from alue.casework.models import Channel, PlanKind, ServicePath
from alue.casework.service_lines import PERSON_LINES
from alue.people.models import DERIVED_GROUPS, CustomerGroup, Person, SpellEndReason, Status
from alue.services.models import Consent, Partner, Referral, ReferralStatus, Service
from alue.shared import audit
from alue.shared.audit import AuditAction, AuditPurpose
from alue.shared.auth import Permission, Principal, Role, aggregate_municipalities
from alue.shared.suppression import count_cell, share_cell
from alue.shared.time import DateRange, parse_date, today
from alue.staff.models import ServiceLine, StaffMember, Team
from alue.web.deps import DbSession, IdPath, Lang, NotFound, actor_of, requires
from alue.web.nav import NavItem, WebRegistry
from alue.web.persons import get_in_scope
from alue.web.templating import render

router = APIRouter(prefix="/casework", include_in_schema=False)
TEMPLATES = Path(__file__).with_name("templates")
J = JourneyStatus

ReadPerson = Annotated[Principal, requires(Permission.READ_PERSON)]
WriteCasework = Annotated[Principal, requires(Permission.WRITE_CASEWORK)]
#: recorded customer groups a service-need assessment may add (derived groups are computed, never recorded)
RECORDABLE_GROUPS = [g for g in CustomerGroup if g not in DERIVED_GROUPS]
TASK_ROWS = 3  # empty task rows offered by the plan editor
FAIRNESS_LABELS = {
    "gender": N_("gender"),
    "age_band": N_("age band"),
    "language_group": N_("language group"),
    "municipality": N_("municipality"),
}


class StepError(Exception):
    """A form that cannot be saved: ``message`` is shown to the user (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------------------------ helpers


def _page(
    request: Request, lang: str, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    return render(request, template, {**template_context(lang), **context}, status_code=status_code)


def _person(db: Session, principal: Principal, person_id: int) -> Person:
    person = get_in_scope(db, principal=principal, person_id=person_id, on=today())
    if person is None:
        raise NotFound
    return person


def _audit(
    request: Request,
    db: Session,
    principal: Principal,
    action: AuditAction,
    object_type: str,
    *,
    person_id: int | None,
    object_id: str | int = "",
    person_ids: Iterable[int] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    audit.append(
        db,
        actor=actor_of(request, principal),
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_id=person_id,
        person_ids=person_ids,
        purpose=AuditPurpose.CASEWORK,
        details=details,
    )


def _date(value: str | None, lang: str, *, default: dt.date | None = None) -> dt.date:
    if not value:
        if default is not None:
            return default
        raise StepError(cw_gettext(lang, "Give a date."))
    try:
        return parse_date(value)
    except ValueError as exc:
        raise StepError(cw_gettext(lang, "The date is not valid: %(value)s", value=value[:20])) from exc


def _enum(cls: Any, value: str, lang: str) -> Any:
    try:
        return cls(value)
    except ValueError as exc:
        raise StepError(cw_gettext(lang, "Choose a value from the list.")) from exc


def _staff_id(principal: Principal, lang: str) -> int:
    if principal.staff_id is None:
        raise StepError(cw_gettext(lang, "Only a user linked to a staff member can record casework."))
    return principal.staff_id


def _explain(exc: Exception, lang: str) -> str:
    """A refused step in the user's language where we know the reason; the domain's message otherwise."""
    if isinstance(exc, transitions.TransitionError):
        allowed = ", ".join(cw_gettext(lang, s.label) for s in exc.allowed if isinstance(s, JourneyStatus))
        if isinstance(exc.current, JourneyStatus):
            return cw_gettext(
                lang,
                "This step is not possible now. The journey is at “%(current)s”; possible next: %(allowed)s.",
                current=cw_gettext(lang, exc.current.label),
                allowed=allowed or "–",
            )
        return cw_gettext(lang, "This change is not possible in the record's current status.")
    if isinstance(exc, StepError):
        return exc.message
    if isinstance(exc, rf.ConsentRequiredError):
        reason = exc.translated(cw_translations(lang))
        return cw_gettext(lang, "The customer's consent for the receiver is needed first.") + f" ({reason})"
    if isinstance(exc, CaseworkError):
        return cw_gettext(lang, "The change was not saved:") + " " + exc.translated(cw_translations(lang))
    return cw_gettext(lang, "The change was not saved:") + f" {exc}"


REFUSED = (
    StepError,
    transitions.TransitionError,
    jr.JourneyError,
    jr.NotFoundError,
    NoDelegationError,
    rf.ConsentError,
    rf.ConsentRequiredError,
    rf.ReferralError,
    assignments.AssignmentError,
    entrepreneurship.EntrepreneurshipError,
    ei.ModelUnavailableError,
    ValueError,
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _back(path: str, saved: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?saved={saved}", status_code=303)


# ---------------------------------------------------------------------------------------- worklists


def _line(value: str | None) -> ServiceLine | None:
    if not value:
        return None
    try:
        line = ServiceLine(value)
    except ValueError:
        return None
    return line if line in PERSON_LINES else None


def _worklist_page(
    request: Request,
    db: Session,
    principal: Principal,
    lang: str,
    *,
    result: wl.Worklist | None,
    title: str,
    on: dt.date,
    line: ServiceLine | None,
    team: Team | None,
) -> Response:
    staff_teams = (
        wl.teams_for(session=db, staff_id=principal.staff_id, on=on)
        if principal.staff_id is not None
        else list(db.scalars(select(Team).order_by(Team.name)))
        if principal.role == Role.ADMIN
        else []
    )
    if result is not None:
        _audit(
            request,
            db,
            principal,
            AuditAction.READ,
            "worklist",
            person_id=None,
            object_id=result.scope,
            person_ids={c.person_id for c in result.cases},
        )
        db.commit()
    return _page(
        request,
        lang,
        "casework/worklist.html",
        {
            "title": title,
            "wl": result,
            "on": on,
            "line": line,
            "lines": PERSON_LINES,
            "teams": staff_teams,
            "team": team,
            "buckets": list(wl.Bucket),
            "leads": {t.id for t in staff_teams if t.lead_staff_id == principal.staff_id},
        },
    )


@router.get("/worklist", response_class=HTMLResponse)
def my_worklist(
    request: Request,
    principal: ReadPerson,
    db: DbSession,
    lang: Lang,
    on: Annotated[str | None, Query(max_length=20)] = None,
    line: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    day = _safe_date(on)
    chosen = _line(line)
    result = None
    if principal.staff_id is not None:
        result = wl.worker_worklist(session=db, staff_id=principal.staff_id, on=day, line=chosen)
    return _worklist_page(
        request, db, principal, lang, result=result, title=N_("My worklist"), on=day, line=chosen, team=None
    )


def _safe_date(value: str | None) -> dt.date:
    if not value:
        return today()
    try:
        return parse_date(value)
    except ValueError:
        return today()


def _team_allowed(db: Session, principal: Principal, team_id: int, on: dt.date, *, lead_only: bool) -> Team:
    team = db.get(Team, team_id)
    if team is None:
        raise NotFound
    if principal.role == Role.ADMIN:
        return team
    if principal.staff_id is None:
        raise NotFound
    if lead_only:
        if team.lead_staff_id != principal.staff_id:
            raise NotFound
        return team
    if team.id not in {t.id for t in wl.teams_for(session=db, staff_id=principal.staff_id, on=on)}:
        raise NotFound
    return team


@router.get("/teams/{team_id}/worklist", response_class=HTMLResponse)
def team_worklist(
    request: Request,
    team_id: IdPath,
    principal: ReadPerson,
    db: DbSession,
    lang: Lang,
    on: Annotated[str | None, Query(max_length=20)] = None,
    line: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    day = _safe_date(on)
    team = _team_allowed(db, principal, team_id, day, lead_only=False)
    chosen = _line(line)
    result = wl.team_worklist(session=db, team_id=team.id, on=day, line=chosen)
    return _worklist_page(
        request, db, principal, lang, result=result, title=N_("Team worklist"), on=day, line=chosen, team=team
    )


def _caseload_page(
    request: Request,
    db: Session,
    principal: Principal,
    lang: str,
    team: Team,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    rows = wl.caseload(session=db, on=day, team_id=team.id)
    members = assignments.team_members(session=db, team_id=team.id, on=day)
    cases = wl.team_worklist(session=db, team_id=team.id, on=day, include_unassigned=False).cases
    _audit(
        request,
        db,
        principal,
        AuditAction.READ,
        "caseload",
        person_id=None,
        object_id=team.id,
        person_ids={c.person_id for c in cases},
    )
    db.commit()
    return _page(
        request,
        lang,
        "casework/caseload.html",
        {
            "team": team,
            "rows": rows,
            "members": members,
            "cases": cases,
            "day": day,
            "error": error,
            "saved": request.query_params.get("saved"),
        },
        status_code=status_code,
    )


@router.get("/teams/{team_id}/caseload", response_class=HTMLResponse)
def team_caseload(
    request: Request,
    team_id: IdPath,
    principal: Annotated[Principal, requires(Permission.MANAGE_TEAM)],
    db: DbSession,
    lang: Lang,
) -> Response:
    team = _team_allowed(db, principal, team_id, today(), lead_only=True)
    return _caseload_page(request, db, principal, lang, team)


@router.post("/teams/{team_id}/reassign", response_class=HTMLResponse)
def reassign(
    request: Request,
    team_id: IdPath,
    principal: Annotated[Principal, requires(Permission.MANAGE_TEAM)],
    db: DbSession,
    lang: Lang,
    person_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    to_staff_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    on: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    team = _team_allowed(db, principal, team_id, today(), lead_only=True)
    try:
        _person(db, principal, person_id)
        lead = _staff_id(principal, lang)
        row = assignments.reassign(
            session=db,
            person_id=person_id,
            to_staff_id=to_staff_id,
            on=_date(on, lang),
            by_staff_id=lead,
            reason=reason.strip(),
        )
    except REFUSED as exc:
        db.rollback()
        return _caseload_page(request, db, principal, lang, team, error=_explain(exc, lang), status_code=400)
    _audit(
        request,
        db,
        principal,
        AuditAction.UPDATE,
        "case_assignment",
        person_id=person_id,
        object_id=row.id,
        details={"to_staff_id": to_staff_id, "team_id": team.id},
    )
    db.commit()
    return _back(f"/casework/teams/{team.id}/caseload", "reassigned")


# ----------------------------------------------------------------------------------------- journey


def _journey_context(db: Session, person: Person, day: dt.date) -> dict[str, Any]:
    journey = jr.peek_journey(session=db, person_id=person.id)
    view = jr.overview(session=db, journey=journey, on=day) if journey is not None else None
    open_spell = view is not None and view.journey.status is not J.CLOSED
    allowed = set(view.next_statuses) if view is not None and open_spell else set()
    score = None
    run = ei.active_run(db)
    if view is not None and open_spell:
        score = ei.latest_score(session=db, spell_id=view.spell.id)
    staff_ids = {e.staff_id for e in view.events if e.staff_id} if view else set()
    names = (
        {s.id: s.name for s in db.scalars(select(StaffMember).where(StaffMember.id.in_(staff_ids)))}
        if staff_ids
        else {}
    )
    return {
        "p": person,
        "view": view,
        "open_spell": open_spell,
        "allowed": allowed,
        "order": [J.REGISTERED, J.INTERVIEWED, J.ASSESSED, J.PLANNED, J.FOLLOW_UP, J.GOAL_CHECKED, J.CLOSED],
        "channels": list(Channel),
        "paths": list(ServicePath),
        "groups": RECORDABLE_GROUPS,
        "outcomes": list(SpellEndReason),
        "statuses": [Status.UNEMPLOYED, Status.LAID_OFF_FULL, Status.SHORTENED_WEEK, Status.PART_TIME],
        "score": score,
        "model_run": run,
        "worker_views": list(WorkerView),
        "jobseeker_views": list(JobseekerView),
        "staff_names": names,
        "day": day,
        "section": "journey",
    }


def _journey_page(
    request: Request,
    db: Session,
    principal: Principal,
    lang: str,
    person: Person,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = _journey_context(db, person, today())
    _audit(request, db, principal, AuditAction.READ, "journey", person_id=person.id, object_id=person.id)
    db.commit()
    context.update(error=error, saved=request.query_params.get("saved"))
    return _page(request, lang, "casework/journey.html", context, status_code=status_code)


@router.get("/persons/{person_id}/journey", response_class=HTMLResponse)
def journey_page(
    request: Request, person_id: IdPath, principal: ReadPerson, db: DbSession, lang: Lang
) -> Response:
    person = _person(db, principal, person_id)
    return _journey_page(request, db, principal, lang, person)


def _open_journey(db: Session, person: Person, lang: str) -> CaseJourney:
    journey = jr.current_journey(session=db, person_id=person.id)
    if journey is None or journey.status is J.CLOSED:
        raise StepError(cw_gettext(lang, "Register the person as a jobseeker first."))
    return journey


@router.post("/persons/{person_id}/journey", response_class=HTMLResponse)
def journey_step(
    request: Request,
    person_id: IdPath,
    principal: WriteCasework,
    db: DbSession,
    lang: Lang,
    step: Annotated[str, Form(max_length=40)],
    on: Annotated[str, Form(max_length=20)],
    channel: Annotated[str, Form(max_length=20)] = Channel.IN_PERSON.value,
    notes: Annotated[str, Form(max_length=4000)] = "",
    path: Annotated[str, Form(max_length=40)] = "",
    reasons: Annotated[str, Form(max_length=4000)] = "",
    groups: Annotated[list[str] | None, Form()] = None,
    supplementary: Annotated[bool, Form()] = False,
    outcome: Annotated[str, Form(max_length=40)] = "",
    status: Annotated[str, Form(max_length=40)] = Status.UNEMPLOYED.value,
) -> Response:
    person = _person(db, principal, person_id)
    try:
        staff_id = _staff_id(principal, lang)
        day = _date(on, lang)
        journey_id: int | None = None
        if step == "register":
            journey = jr.register(
                session=db, person_id=person.id, on=day, staff_id=staff_id, status=_enum(Status, status, lang)
            )
            if assignments.responsible_on(session=db, person_id=person.id, on=day) is None:
                staff = db.get(StaffMember, staff_id)
                assignments.assign(
                    session=db, person_id=person.id, staff_id=staff_id, on=day, by=staff.name if staff else ""
                )
            journey_id = journey.id
        else:
            journey = _open_journey(db, person, lang)
            journey_id = journey.id
            if step == "interview":
                jr.hold_initial_interview(
                    session=db,
                    journey_id=journey.id,
                    held_at=day,
                    staff_id=staff_id,
                    channel=_enum(Channel, channel, lang),
                    notes=notes.strip(),
                )
            elif step == "assessment":
                jr.assess_service_need(
                    session=db,
                    journey_id=journey.id,
                    on=day,
                    staff_id=staff_id,
                    path=_enum(ServicePath, path, lang),
                    reasons=_lines(reasons),
                    groups=[_enum(CustomerGroup, g, lang) for g in groups or []],
                )
            elif step == "discussion":
                jr.hold_discussion(
                    session=db,
                    journey_id=journey.id,
                    held_at=day,
                    staff_id=staff_id,
                    channel=_enum(Channel, channel, lang),
                    supplementary=supplementary,
                    notes=notes.strip(),
                )
            elif step == "goal_check":
                jr.check_goal(
                    session=db, journey_id=journey.id, on=day, staff_id=staff_id, note=notes.strip()
                )
            elif step == "outcome":
                jr.record_outcome(
                    session=db,
                    journey_id=journey.id,
                    on=day,
                    outcome=_enum(SpellEndReason, outcome, lang),
                    staff_id=staff_id,
                    note=notes.strip(),
                )
            else:
                raise StepError(cw_gettext(lang, "Unknown step."))
    except REFUSED as exc:
        db.rollback()
        return _journey_page(request, db, principal, lang, person, error=_explain(exc, lang), status_code=400)
    _audit(
        request,
        db,
        principal,
        AuditAction.CREATE,
        "journey",
        person_id=person.id,
        object_id=journey_id or "",
        details={"step": step},
    )
    db.commit()
    return _back(f"/casework/persons/{person.id}/journey", step)


@router.post("/persons/{person_id}/tasks/{task_id}/done", response_class=HTMLResponse)
def task_done(
    request: Request,
    person_id: IdPath,
    task_id: IdPath,
    principal: WriteCasework,
    db: DbSession,
    lang: Lang,
    on: Annotated[str, Form(max_length=20)],
) -> Response:
    person = _person(db, principal, person_id)
    try:
        task = db.get(PlanTask, task_id)
        if task is None or task.person_id != person.id:
            raise StepError(cw_gettext(lang, "No such task."))
        jr.complete_task(session=db, task_id=task.id, on=_date(on, lang), staff_id=_staff_id(principal, lang))
    except REFUSED as exc:
        db.rollback()
        return _journey_page(request, db, principal, lang, person, error=_explain(exc, lang), status_code=400)
    _audit(request, db, principal, AuditAction.UPDATE, "plan_task", person_id=person.id, object_id=task_id)
    db.commit()
    return _back(f"/casework/persons/{person.id}/journey", "task")


@router.post("/persons/{person_id}/risk", response_class=HTMLResponse)
def risk_action(
    request: Request,
    person_id: IdPath,
    principal: WriteCasework,
    db: DbSession,
    lang: Lang,
    action: Annotated[str, Form(max_length=20)],
    score_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    view: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Estimate now, the worker's agreement or disagreement, or the jobseeker's own assessment."""
    person = _person(db, principal, person_id)
    try:
        if action == "score":
            journey = _open_journey(db, person, lang)
            score = ei.score_spell(session=db, spell_id=journey.spell_id, on=today())
        else:
            found = db.get(RiskScore, score_id) if score_id else None
            if found is None or found.person_id != person.id:
                raise StepError(cw_gettext(lang, "No such estimate."))
            score = found
            if action == "review":
                ei.review_score(
                    session=db,
                    score_id=score.id,
                    staff_id=_staff_id(principal, lang),
                    view=_enum(WorkerView, view, lang),
                    reason=reason,
                )
            elif action == "jobseeker":
                ei.record_jobseeker_view(
                    session=db, score_id=score.id, view=_enum(JobseekerView, view, lang), note=reason
                )
            else:
                raise StepError(cw_gettext(lang, "Unknown step."))
    except REFUSED as exc:
        db.rollback()
        return _journey_page(request, db, principal, lang, person, error=_explain(exc, lang), status_code=400)
    _audit(
        request,
        db,
        principal,
        AuditAction.CREATE if action == "score" else AuditAction.UPDATE,
        "risk_score",
        person_id=person.id,
        object_id=score.id,
        details={"action": action},
    )
    db.commit()
    return _back(f"/casework/persons/{person.id}/journey", f"risk-{action}")


# -------------------------------------------------------------------------------------------- plan


def _plan_page(
    request: Request,
    db: Session,
    principal: Principal,
    lang: str,
    person: Person,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    journey = jr.peek_journey(session=db, person_id=person.id)
    versions = jr.plan_versions(session=db, spell_id=journey.spell_id) if journey is not None else []
    current = versions[-1] if versions else None
    tasks = jr.plan_tasks(session=db, plan_id=current.id) if current is not None else []
    tasks_by_version = {p.id: jr.plan_tasks(session=db, plan_id=p.id) for p in versions}
    services = list(db.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name_fi)))
    names = {
        s.id: s.name
        for s in db.scalars(
            select(StaffMember).where(StaffMember.id.in_({p.staff_id for p in versions if p.staff_id}))
        )
    }
    _audit(
        request, db, principal, AuditAction.READ, "employment_plan", person_id=person.id, object_id=person.id
    )
    db.commit()
    return _page(
        request,
        lang,
        "casework/plan.html",
        {
            "p": person,
            "journey": journey,
            "versions": list(reversed(versions)),
            "current": current,
            "tasks": tasks,
            "tasks_by_version": tasks_by_version,
            "empty_rows": range(TASK_ROWS),
            "services": services,
            "kinds": list(PlanKind),
            "staff_names": names,
            "day": day,
            "error": error,
            "saved": request.query_params.get("saved"),
            "can_plan": journey is not None
            and transitions.is_allowed(transitions.JOURNEY_TRANSITIONS, journey.status, J.PLANNED),
            "section": "plan",
        },
        status_code=status_code,
    )


@router.get("/persons/{person_id}/plan", response_class=HTMLResponse)
def plan_page(
    request: Request, person_id: IdPath, principal: ReadPerson, db: DbSession, lang: Lang
) -> Response:
    person = _person(db, principal, person_id)
    return _plan_page(request, db, principal, lang, person)


@router.post("/persons/{person_id}/plan", response_class=HTMLResponse)
def save_plan(
    request: Request,
    person_id: IdPath,
    principal: WriteCasework,
    db: DbSession,
    lang: Lang,
    on: Annotated[str, Form(max_length=20)],
    goals: Annotated[str, Form(max_length=4000)],
    kind: Annotated[str, Form(max_length=40)] = PlanKind.EMPLOYMENT.value,
    task_text: Annotated[list[str] | None, Form()] = None,
    task_due: Annotated[list[str] | None, Form()] = None,
    services: Annotated[list[str] | None, Form()] = None,
    individual: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    person = _person(db, principal, person_id)
    try:
        staff_id = _staff_id(principal, lang)
        day = _date(on, lang)
        texts, dues = task_text or [], task_due or []
        tasks = []
        for index, text in enumerate(texts):
            if text.strip():
                due = dues[index] if index < len(dues) else ""
                tasks.append(jr.TaskInput(text.strip()[:500], _date(due, lang) if due else None))
        obligation = None
        if individual.strip():
            if not individual.strip().isdigit():
                raise StepError(
                    cw_gettext(lang, "The individual obligation is a whole number of applications.")
                )
            obligation = int(individual.strip())
        journey = _open_journey(db, person, lang)
        plan = jr.make_plan(
            session=db,
            journey_id=journey.id,
            on=day,
            staff_id=staff_id,
            goals=_lines(goals),
            tasks=tasks,
            agreed_services=services or [],
            kind=_enum(PlanKind, kind, lang),
            individual_applications=obligation,
        )
    except REFUSED as exc:
        db.rollback()
        return _plan_page(request, db, principal, lang, person, error=_explain(exc, lang), status_code=400)
    _audit(
        request,
        db,
        principal,
        AuditAction.CREATE,
        "employment_plan",
        person_id=person.id,
        object_id=plan.id,
        details={"version": plan.version},
    )
    db.commit()
    return _back(f"/casework/persons/{person.id}/plan", f"v{plan.version}")


# --------------------------------------------------------------------------------- consent, referrals


def _referrals_page(
    request: Request,
    db: Session,
    principal: Principal,
    lang: str,
    person: Person,
    *,
    preview_partner: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    partners = list(db.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.name)))
    partner_names = {p.id: p.name for p in db.scalars(select(Partner))}
    services = list(db.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.name_fi)))
    consents = rf.consents_of(session=db, person_id=person.id)
    referrals = rf.referrals_of(session=db, person_id=person.id)
    service_names = {s.id: s.name(lang) for s in db.scalars(select(Service))}
    events: dict[int, list[ReferralEvent]] = {
        r.id: rf.referral_events(session=db, referral_id=r.id) for r in referrals
    }
    preview: rf.PartnerView | None = None
    preview_refused = False
    if preview_partner is not None:
        try:
            preview = rf.partner_view(session=db, partner_id=preview_partner, person_id=person.id, on=day)
        except rf.ConsentRequiredError:
            preview_refused = True
    _audit(
        request,
        db,
        principal,
        AuditAction.READ,
        "consent",
        person_id=person.id,
        object_id=person.id,
        details={"partner_view": preview_partner} if preview_partner else None,
    )
    db.commit()
    return _page(
        request,
        lang,
        "casework/referrals.html",
        {
            "p": person,
            "day": day,
            "partners": partners,
            "partner_names": partner_names,
            "services": services,
            "service_names": service_names,
            "consents": consents,
            "referrals": referrals,
            "events": events,
            "scopes": list(rf.ConsentScope),
            "field_labels": rf.FIELD_LABELS,
            "preview": preview,
            "preview_partner": preview_partner,
            "preview_refused": preview_refused,
            "error": error,
            "saved": request.query_params.get("saved"),
            "sent": ReferralStatus.SENT,
            "section": "referrals",
        },
        status_code=status_code,
    )


@router.get("/persons/{person_id}/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request,
    person_id: IdPath,
    principal: ReadPerson,
    db: DbSession,
    lang: Lang,
    partner: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    person = _person(db, principal, person_id)
    return _referrals_page(request, db, principal, lang, person, preview_partner=partner)


@router.post("/persons/{person_id}/consents", response_class=HTMLResponse)
def consent_action(
    request: Request,
    person_id: IdPath,
    principal: WriteCasework,
    db: DbSession,
    lang: Lang,
    action: Annotated[str, Form(max_length=20)],
    on: Annotated[str, Form(max_length=20)],
    partner_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    scope: Annotated[list[str] | None, Form()] = None,
    valid_until: Annotated[str, Form(max_length=20)] = "",
    consent_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Response:
    person = _person(db, principal, person_id)
    try:
        staff_id = _staff_id(principal, lang)
        day = _date(on, lang)
        if action == "give":
            if partner_id is None:
                raise StepError(cw_gettext(lang, "Choose the partner."))
            consent = rf.give_consent(
                session=db,
                person_id=person.id,
                partner_id=partner_id,
                scope=scope or [],
                given_on=day,
                valid_until=_date(valid_until, lang) if valid_until else None,
                staff_id=staff_id,
            )
        elif action == "withdraw":
            found_consent = db.get(Consent, consent_id) if consent_id else None
            if found_consent is None or found_consent.person_id != person.id:
                raise StepError(cw_gettext(lang, "No such consent."))
            consent = found_consent
            rf.withdraw_consent(session=db, consent_id=consent.id, on=day, staff_id=staff_id)
        else:
            raise StepError(cw_gettext(lang, "Unknown step."))
    except REFUSED as exc:
        db.rollback()
        return _referrals_page(
            request, db, principal, lang, person, error=_explain(exc, lang), status_code=400
        )
    _audit(
        request,
        db,
        principal,
        AuditAction.CREATE if action == "give" else AuditAction.UPDATE,
        "consent",
        person_id=person.id,
        object_id=consent.id,
        details={"action": action, "scope": list(consent.scope), "partner_id": consent.partner_id},
    )
    db.commit()
    return _back(f"/casework/persons/{person.id}/referrals", f"consent-{action}")


@router.post("/persons/{person_id}/referrals", response_class=HTMLResponse)
def referral_action(
    request: Request,
    person_id: IdPath,
    principal: WriteCasework,
    db: DbSession,
    lang: Lang,
    action: Annotated[str, Form(max_length=20)],
    on: Annotated[str, Form(max_length=20)],
    target: Annotated[str, Form(max_length=40)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
    referral_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    receiver: Annotated[str, Form(max_length=150)] = "",
) -> Response:
    person = _person(db, principal, person_id)
    try:
        staff_id = _staff_id(principal, lang)
        day = _date(on, lang)
        if action == "refer":
            kind, _, raw = target.partition(":")
            if kind not in ("service", "partner") or not raw.isdigit():
                raise StepError(cw_gettext(lang, "Choose a service or a partner."))
            referral = rf.refer(
                session=db,
                person_id=person.id,
                on=day,
                staff_id=staff_id,
                service_id=int(raw) if kind == "service" else None,
                partner_id=int(raw) if kind == "partner" else None,
                notes=notes.strip(),
            )
        else:
            found_referral = db.get(Referral, referral_id) if referral_id else None
            if found_referral is None or found_referral.person_id != person.id:
                raise StepError(cw_gettext(lang, "No such referral."))
            referral = found_referral
            if action == "confirm":
                rf.confirm_handover(
                    session=db, referral_id=referral.id, on=day, receiver=receiver, staff_id=staff_id
                )
            elif action == "decline":
                rf.decline_referral(
                    session=db,
                    referral_id=referral.id,
                    on=day,
                    receiver=receiver,
                    reason=notes,
                    staff_id=staff_id,
                )
            elif action == "cancel":
                rf.cancel_referral(
                    session=db, referral_id=referral.id, on=day, staff_id=staff_id, reason=notes
                )
            else:
                raise StepError(cw_gettext(lang, "Unknown step."))
    except REFUSED as exc:
        db.rollback()
        return _referrals_page(
            request, db, principal, lang, person, error=_explain(exc, lang), status_code=400
        )
    _audit(
        request,
        db,
        principal,
        AuditAction.CREATE if action == "refer" else AuditAction.UPDATE,
        "referral",
        person_id=person.id,
        object_id=referral.id,
        details={"action": action},
    )
    db.commit()
    return _back(f"/casework/persons/{person.id}/referrals", f"referral-{action}")


# ---------------------------------------------------------------------------------- aggregates


@router.get("/fulfilment", response_class=HTMLResponse)
def fulfilment_page(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> Response:
    """Share of statutory deadlines met, by municipality and team (small counts suppressed)."""
    day = today()
    first = _safe_date(start) if start else day.replace(day=1)
    last = _safe_date(end) if end else day
    if last < first:
        first, last = last, first
    report = fulfilment.deadline_fulfilment(session=db, period=DateRange(first, last), as_of=day)
    allowed = aggregate_municipalities(principal)
    area = request.app.state.area

    def row(cells: dict[fulfilment.Measure, fulfilment.Cell]) -> list[Any]:
        return [
            (count_cell(cells[m].due), share_cell(cells[m].met, cells[m].due)) for m in fulfilment.Measure
        ]

    municipalities = [
        (area.municipalities[code].name(lang) if code in area.municipalities else code, row(cells))
        for code, cells in sorted(report.by_municipality.items())
        if allowed is None or code in allowed
    ]
    teams = (
        [
            (report.team_names.get(key, "") if key else None, row(cells))
            for key, cells in sorted(
                report.by_team.items(), key=lambda kv: report.team_names.get(kv[0] or 0, "~")
            )
        ]
        if allowed is None
        else []
    )
    return _page(
        request,
        lang,
        "casework/fulfilment.html",
        {
            "first": first,
            "last": last,
            "measures": list(fulfilment.Measure),
            "municipalities": municipalities,
            "teams": teams,
            "total": row(report.total) if allowed is None else None,
        },
    )


@router.get("/model", response_class=HTMLResponse)
def model_card(
    request: Request,
    principal: Annotated[Principal, requires(Permission.VIEW_AGGREGATES)],
    db: DbSession,
    lang: Lang,
    run: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The model card and fairness report of a training run of the early-identification model."""
    chosen = db.get(RiskModelRun, run) if run is not None else ei.latest_run(db)
    runs = list(db.scalars(select(RiskModelRun).order_by(RiskModelRun.id.desc()).limit(20)))
    return _page(
        request,
        lang,
        "casework/model.html",
        {
            "run": chosen,
            "runs": runs,
            "card": chosen.metrics if chosen is not None else None,
            "attribute_labels": FAIRNESS_LABELS,
            "min_group": (chosen.settings.get("evaluation") or {}).get("min_group_size", 20)
            if chosen
            else 20,
        },
    )


def register(web: WebRegistry) -> None:
    web.add_router(router)
    web.add_templates(TEMPLATES)
    web.add_nav(NavItem("worklist", N_("Worklist"), "/casework/worklist", Permission.READ_PERSON, order=11))
    web.add_nav(
        NavItem("fulfilment", N_("Deadlines"), "/casework/fulfilment", Permission.VIEW_AGGREGATES, order=30)
    )
    web.add_nav(
        NavItem(
            "early-identification",
            N_("Early identification"),
            "/casework/model",
            Permission.VIEW_AGGREGATES,
            order=31,
        )
    )
