"""Issuing one-time survey links and receiving answers.

A link's secret is 256 bits from ``secrets``; only its SHA-256 hash is stored, so neither a database dump nor
guessing reveals a usable link. A link expires (``link_valid_days`` of the survey definition) and is usable
once: submitting flips ``used`` with a conditional ``UPDATE … WHERE used = false``, so two simultaneous
submissions cannot both succeed. In the same transaction the token's reference to its event is cleared and
the answer is written without any reference to the token, the event or the respondent (``docs/surveys.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from alue.area.models import ServicePoint
from alue.casework.models import CaseAssignment, Meeting
from alue.employers.models import Employer, EmployerServiceEvent
from alue.people.models import Person
from alue.services.models import Participation, Partner, PartnerKind, Service
from alue.shared.time import HELSINKI, month_key
from alue.shared.time import now as time_now
from alue.staff.models import ServiceLine, StaffMember
from alue.surveys.definitions import (
    DEFINITIONS_DIR,
    LANGUAGES,
    MAX_TEXT,
    Definitions,
    SurveyDefinition,
    load_definitions,
)
from alue.surveys.masking import mask_identifiers
from alue.surveys.models import (
    Distribution,
    EventKind,
    SurveyAnswer,
    SurveyAnswerItem,
    SurveyKind,
    SurveyToken,
)

#: bytes of randomness in a link's secret (256 bits; the requirement is at least 128)
TOKEN_BYTES = 32
#: the public path of the answer page; the secret follows it
ANSWER_PATH = "/kysely/"


class SurveySettings(BaseSettings):
    """``ALUE_SURVEY_*`` settings."""

    model_config = SettingsConfigDict(env_prefix="ALUE_SURVEY_", env_file=".env", extra="ignore")

    #: the public address respondents open links at (no trailing slash)
    base_url: str = "http://127.0.0.1:8000"
    #: answer submissions (POST) allowed per client address within the window
    answers_per_ip: int = 30
    rate_window_minutes: float = 10


@lru_cache(maxsize=1)
def get_survey_settings() -> SurveySettings:
    return SurveySettings()


# ------------------------------------------------------------------------------------------------ tokens


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Dimensions:
    """What an answer may say about where it came from; nothing here identifies a person."""

    month: str
    municipality_code: str | None = None
    service_line: str | None = None
    service_channel: str | None = None


@dataclass(frozen=True)
class IssuedLink:
    """A freshly issued link: the only moment the secret exists outside the respondent's hands."""

    token: str
    url: str
    kind: SurveyKind
    version: int
    language: str
    distribution: Distribution
    expires_at: dt.datetime
    #: who the link is for (``"meeting:12"``), for the sender only; never stored with the answer
    recipient: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "version": self.version,
            "token": self.token,
            "url": self.url,
            "language": self.language,
            "distribution": self.distribution.value,
            "expires_at": self.expires_at.isoformat(),
        }

    def qr_svg(self) -> str:
        from alue.surveys.qr import qr_svg

        return qr_svg(self.url)


class TokenError(Exception):
    """The link cannot be used: ``unknown``, ``used`` or ``expired`` (the page shows one general message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def answer_url(token: str, base_url: str | None = None) -> str:
    base = get_survey_settings().base_url if base_url is None else base_url
    return f"{base.rstrip('/')}{ANSWER_PATH}{token}"


def issue(
    *,
    session: Session,
    kind: SurveyKind | str,
    dimensions: Dimensions,
    distribution: Distribution = Distribution.KIOSK,
    event_kind: EventKind = EventKind.UNLINKED,
    language: str = "fi",
    links: Mapping[str, int] | None = None,
    recipient: str = "",
    now: dt.datetime | None = None,
    definitions: Definitions | None = None,
    base_url: str | None = None,
) -> IssuedLink:
    """Issue one link to the current version of ``kind``. ``links`` names the event (``meeting_id`` …)."""
    definition = (definitions or load_definitions()).current(kind)
    moment = now or time_now()
    token = new_secret()
    row = SurveyToken(
        token_hash=hash_token(token),
        survey_kind=definition.kind,
        survey_version=definition.version,
        language=language if language in LANGUAGES else "fi",
        event_kind=event_kind,
        distribution=distribution,
        municipality_code=dimensions.municipality_code,
        service_line=dimensions.service_line,
        service_channel=dimensions.service_channel,
        month=dimensions.month,
        issued_at=moment,
        expires_at=moment + dt.timedelta(days=definition.link_valid_days),
        used=False,
    )
    for name, value in (links or {}).items():
        if name not in SurveyToken.LINK_COLUMNS:
            raise ValueError(f"not an event link: {name}")
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return IssuedLink(
        token=token,
        url=answer_url(token, base_url),
        kind=definition.kind,
        version=definition.version,
        language=row.language,
        distribution=distribution,
        expires_at=row.expires_at,
        recipient=recipient,
    )


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes (stored as UTC-less text): read them as Helsinki time."""
    return value if value.tzinfo is not None else value.replace(tzinfo=HELSINKI)


def open_token(*, session: Session, token: str, now: dt.datetime | None = None) -> SurveyToken:
    """The token row for a link that may still be answered; raises ``TokenError`` otherwise."""
    if not token or len(token) > 100:
        raise TokenError("unknown")
    row = session.scalar(select(SurveyToken).where(SurveyToken.token_hash == hash_token(token)))
    if row is None:
        raise TokenError("unknown")
    if row.used:
        raise TokenError("used")
    if _aware(row.expires_at) <= (now or time_now()):
        raise TokenError("expired")
    return row


# ---------------------------------------------------------------------------------------------- answers


class AnswerErrors(Exception):
    """The form has errors: ``errors`` maps a question id to ``required``, ``invalid`` or ``too_long``."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ParsedAnswers:
    values: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def parse_answers(definition: SurveyDefinition, form: Mapping[str, str]) -> ParsedAnswers:
    """Validate a submitted form against the definition (pure; raises ``AnswerErrors``).

    Unanswered optional questions are simply left out. Fields that are not questions are ignored.
    """
    values: dict[str, int] = {}
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for q in definition.questions:
        raw = (form.get(q.id) or "").strip()
        if not raw:
            if q.required:
                errors[q.id] = "required"
            continue
        if q.scale == "text":
            if len(raw) > MAX_TEXT:
                errors[q.id] = "too_long"
            else:
                texts[q.id] = mask_identifiers(raw)
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[q.id] = "invalid"
            continue
        if value not in q.values:
            errors[q.id] = "invalid"
        else:
            values[q.id] = value
    if errors:
        raise AnswerErrors(errors)
    return ParsedAnswers(values, texts)


def submit(
    *,
    session: Session,
    token: str,
    form: Mapping[str, str],
    language: str | None = None,
    now: dt.datetime | None = None,
    definitions: Definitions | None = None,
) -> SurveyAnswer:
    """Record an answer and use up the link, in the caller's transaction.

    Raises ``TokenError`` for a link that cannot be used and ``AnswerErrors`` for an invalid form (the link
    stays usable then).
    """
    row = open_token(session=session, token=token, now=now)
    definition = (definitions or load_definitions()).get(row.survey_kind, row.survey_version)
    parsed = parse_answers(definition, form)
    # use the token atomically: only one of two simultaneous submissions gets rowcount 1
    cleared = dict.fromkeys(SurveyToken.LINK_COLUMNS)
    result = session.execute(
        update(SurveyToken)
        .where(SurveyToken.id == row.id, SurveyToken.used.is_(False))
        .values(used=True, **cleared)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise TokenError("used")
    session.expire(row)
    response = SurveyAnswer(
        id=secrets.token_hex(16),
        survey_kind=row.survey_kind,
        survey_version=row.survey_version,
        language=language if language in LANGUAGES else row.language,
        event_kind=row.event_kind,
        distribution=row.distribution,
        municipality_code=row.municipality_code,
        service_line=row.service_line,
        service_channel=row.service_channel,
        month=row.month,
    )
    for q in definition.questions:
        if q.id in parsed.values:
            response.items.append(
                SurveyAnswerItem(question_id=q.id, question_version=q.version, value=parsed.values[q.id])
            )
        elif q.id in parsed.texts:
            response.items.append(
                SurveyAnswerItem(question_id=q.id, question_version=q.version, text=parsed.texts[q.id])
            )
    session.add(response)
    session.flush()
    return response


def expire_tokens(*, session: Session, now: dt.datetime | None = None) -> int:
    """Clear the event links of expired, unused tokens (run daily); returns how many were cleared."""
    moment = now or time_now()
    linked = or_(*(getattr(SurveyToken, name).is_not(None) for name in SurveyToken.LINK_COLUMNS))
    rows = session.scalars(select(SurveyToken).where(SurveyToken.used.is_(False), linked)).all()
    count = 0
    for row in rows:
        if _aware(row.expires_at) <= moment:
            row.clear_links()
            count += 1
    session.flush()
    return count


# ---------------------------------------------------------------------------------- distribution rules


@lru_cache(maxsize=1)
def distribution_rules() -> dict[str, Any]:
    """Which channel a customer's link goes by, per event kind (``definitions/distribution.yaml``)."""
    data: dict[str, Any] = yaml.safe_load((DEFINITIONS_DIR / "distribution.yaml").read_text(encoding="utf-8"))
    return data


def _channel_for(event: str, service_channel: str | None = None) -> Distribution | None:
    rule = distribution_rules().get(event, "none")
    if isinstance(rule, dict):
        rule = rule.get(service_channel or "", "none")
    return None if rule == "none" else Distribution(rule)


def _pending(session: Session, column: Any, event_id: int) -> bool:
    """Whether an unused link is already out for the event."""
    return bool(session.scalar(select(exists().where(column == event_id, SurveyToken.used.is_(False)))))


def issue_after_meeting(
    *, session: Session, meeting: Meeting, now: dt.datetime | None = None, base_url: str | None = None
) -> IssuedLink | None:
    """A customer-survey link after a meeting, by the configured channel (None: no channel, or pending)."""
    channel = _channel_for("meeting", str(meeting.channel))
    if channel is None or _pending(session, SurveyToken.meeting_id, meeting.id):
        return None
    person = session.get(Person, meeting.person_id)
    municipality = person.home_municipality_code if person else None
    if meeting.service_point_id is not None:
        point = session.get(ServicePoint, meeting.service_point_id)
        municipality = point.municipality_code if point else municipality
    held = _aware(meeting.held_at).astimezone(HELSINKI)
    line: str | None = None
    if meeting.staff_id is not None:
        staff = session.get(StaffMember, meeting.staff_id)
        line = str(staff.service_line) if staff else None
    if line is None:
        line = session.scalar(
            select(CaseAssignment.service_line).where(
                CaseAssignment.person_id == meeting.person_id,
                CaseAssignment.start_date <= held.date(),
                or_(CaseAssignment.end_date.is_(None), CaseAssignment.end_date >= held.date()),
            )
        )
    return issue(
        session=session,
        kind=SurveyKind.CUSTOMER,
        dimensions=Dimensions(month_key(held.date()), municipality, line, str(meeting.channel)),
        distribution=channel,
        event_kind=EventKind.MEETING,
        language=person.service_language if person else "fi",
        links={"meeting_id": meeting.id},
        recipient=f"meeting:{meeting.id}",
        now=now,
        base_url=base_url,
    )


def issue_after_participation(
    *,
    session: Session,
    participation: Participation,
    now: dt.datetime | None = None,
    base_url: str | None = None,
) -> IssuedLink | None:
    """A customer-survey link when a participation in a service has ended."""
    channel = _channel_for("participation_end")
    if channel is None or participation.end_date is None:
        return None
    if _pending(session, SurveyToken.participation_id, participation.id):
        return None
    person = session.get(Person, participation.person_id)
    service = session.get(Service, participation.service_id)
    return issue(
        session=session,
        kind=SurveyKind.CUSTOMER,
        dimensions=Dimensions(
            month_key(participation.end_date),
            person.home_municipality_code if person else None,
            str(service.service_line) if service else None,
        ),
        distribution=channel,
        event_kind=EventKind.PARTICIPATION_END,
        language=person.service_language if person else "fi",
        links={"participation_id": participation.id},
        recipient=f"participation:{participation.id}",
        now=now,
        base_url=base_url,
    )


def issue_after_employer_service(
    *,
    session: Session,
    event: EmployerServiceEvent,
    now: dt.datetime | None = None,
    base_url: str | None = None,
) -> IssuedLink | None:
    """A customer-survey link for the employer after an employer-service event."""
    channel = _channel_for("employer_service")
    if channel is None or _pending(session, SurveyToken.employer_service_event_id, event.id):
        return None
    return issue(
        session=session,
        kind=SurveyKind.CUSTOMER,
        dimensions=Dimensions(
            month_key(event.event_date), event.municipality_code, ServiceLine.EMPLOYER_SERVICES.value
        ),
        distribution=channel,
        event_kind=EventKind.EMPLOYER_SERVICE,
        links={"employer_service_event_id": event.id},
        recipient=f"employer_service_event:{event.id}",
        now=now,
        base_url=base_url,
    )


def issue_after_events(
    *,
    session: Session,
    first: dt.date,
    last: dt.date,
    now: dt.datetime | None = None,
    base_url: str | None = None,
) -> list[IssuedLink]:
    """Links for every meeting held, participation ended and employer-service event in ``first … last``.

    Run daily for the previous day. An event that already has an unused link gets no second one.
    """
    start = dt.datetime.combine(first, dt.time.min, tzinfo=HELSINKI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=HELSINKI)
    links: list[IssuedLink] = []
    for meeting in session.scalars(
        select(Meeting).where(Meeting.held_at >= start, Meeting.held_at < end).order_by(Meeting.id)
    ):
        if link := issue_after_meeting(session=session, meeting=meeting, now=now, base_url=base_url):
            links.append(link)
    for participation in session.scalars(
        select(Participation)
        .where(Participation.end_date >= first, Participation.end_date <= last)
        .order_by(Participation.id)
    ):
        if link := issue_after_participation(
            session=session, participation=participation, now=now, base_url=base_url
        ):
            links.append(link)
    for event in session.scalars(
        select(EmployerServiceEvent)
        .where(EmployerServiceEvent.event_date >= first, EmployerServiceEvent.event_date <= last)
        .order_by(EmployerServiceEvent.id)
    ):
        if link := issue_after_employer_service(session=session, event=event, now=now, base_url=base_url):
            links.append(link)
    return links


class RoundAlreadyIssued(Exception):
    """A survey round (staff quarter, barometer, partnership) was already issued for that month."""


def _round_issued(session: Session, kind: SurveyKind, event_kind: EventKind, month: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    SurveyToken.survey_kind == kind,
                    SurveyToken.event_kind == event_kind,
                    SurveyToken.month == month,
                )
            )
        )
    )


def quarter_first_month(quarter: str) -> str:
    """``2026Q1`` → ``2026-01``."""
    text = quarter.strip().upper().replace("-", "")
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        raise ValueError(f"not a quarter (use 2026Q1): {quarter!r}")
    return f"{text[:4]}-{(int(text[5]) - 1) * 3 + 1:02d}"


def issue_staff_round(
    *, session: Session, quarter: str, now: dt.datetime | None = None, base_url: str | None = None
) -> list[IssuedLink]:
    """The quarterly staff survey: one link to every active staff member, sent by message."""
    month = quarter_first_month(quarter)
    if _round_issued(session, SurveyKind.STAFF, EventKind.STAFF_ROUND, month):
        raise RoundAlreadyIssued(f"staff survey {quarter}")
    links = []
    for staff in session.scalars(select(StaffMember).where(StaffMember.active).order_by(StaffMember.id)):
        language = "sv" if staff.languages[:1] == ["sv"] else "fi"
        links.append(
            issue(
                session=session,
                kind=SurveyKind.STAFF,
                dimensions=Dimensions(month, staff.base_municipality_code, str(staff.service_line)),
                distribution=Distribution.MESSAGE,
                event_kind=EventKind.STAFF_ROUND,
                language=language,
                links={"staff_id": staff.id},
                recipient=f"staff_member:{staff.id}",
                now=now,
                base_url=base_url,
            )
        )
    return links


def issue_vitality_round(
    *,
    session: Session,
    month: str,
    now: dt.datetime | None = None,
    base_url: str | None = None,
) -> list[IssuedLink]:
    """The vitality barometer: employers that used employer services in the 12 months before ``month``,
    and the municipal partners in the partner register."""
    if _round_issued(session, SurveyKind.VITALITY, EventKind.VITALITY_ROUND, month):
        raise RoundAlreadyIssued(f"vitality barometer {month}")
    year, mon = int(month[:4]), int(month[5:7])
    end = dt.date(year, mon, 1)
    start = dt.date(year - 1, mon, 1)
    used_services = exists().where(
        EmployerServiceEvent.employer_id == Employer.id,
        and_(EmployerServiceEvent.event_date >= start, EmployerServiceEvent.event_date < end),
    )
    links = []
    for employer in session.scalars(select(Employer).where(used_services).order_by(Employer.id)):
        links.append(
            issue(
                session=session,
                kind=SurveyKind.VITALITY,
                dimensions=Dimensions(month, employer.municipality_code),
                distribution=Distribution.MESSAGE,
                event_kind=EventKind.VITALITY_ROUND,
                links={"employer_id": employer.id},
                recipient=f"employer:{employer.id}",
                now=now,
                base_url=base_url,
            )
        )
    partners = (
        select(Partner).where(Partner.active, Partner.kind == PartnerKind.MUNICIPAL).order_by(Partner.id)
    )
    for partner in session.scalars(partners):
        links.append(
            _partner_link(
                session, SurveyKind.VITALITY, EventKind.VITALITY_ROUND, partner, month, now, base_url
            )
        )
    return links


def issue_partnership_round(
    *,
    session: Session,
    month: str,
    now: dt.datetime | None = None,
    base_url: str | None = None,
) -> list[IssuedLink]:
    """The partnership survey: one link to every active organisation in the partner register."""
    if _round_issued(session, SurveyKind.PARTNERSHIP, EventKind.PARTNERSHIP_ROUND, month):
        raise RoundAlreadyIssued(f"partnership survey {month}")
    partners = session.scalars(select(Partner).where(Partner.active).order_by(Partner.id)).all()
    return [
        _partner_link(session, SurveyKind.PARTNERSHIP, EventKind.PARTNERSHIP_ROUND, p, month, now, base_url)
        for p in partners
    ]


def _partner_link(
    session: Session,
    kind: SurveyKind,
    event_kind: EventKind,
    partner: Partner,
    month: str,
    now: dt.datetime | None,
    base_url: str | None,
) -> IssuedLink:
    return issue(
        session=session,
        kind=kind,
        dimensions=Dimensions(month, partner.municipality_code),
        distribution=Distribution.MESSAGE,
        event_kind=event_kind,
        links={"partner_id": partner.id},
        recipient=f"partner:{partner.id}",
        now=now,
        base_url=base_url,
    )
