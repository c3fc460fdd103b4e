"""Users, roles, permissions and the access rules that compile into SQL.

The model follows eVaka: a route *declares* the permission it needs (``alue.web.deps.requires``), the
permission is checked before anything is loaded, and list queries add the caller's scope as a SQL
``WHERE`` clause (``person_scope``), so rows a user may not see are never read from the database.

Roles (roolit) are fixed in code, not in a table: what a role may do is part of the reviewed source and of
the data-protection impact assessment, not something to click together at run time. A user has exactly one
role; municipal representatives are also bound to one or more municipalities.

Delegations of authority (viranomaistoimivalta, R-C5) are read from ``staff.models.Delegation``: a task
that needs one may be performed by a municipal official only while a delegation naming the task is valid;
staff transferred from the state hold the authority by law.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from alue.area.models import Municipality
from alue.casework.models import CaseAssignment
from alue.people.models import Person
from alue.shared.db import Base, covers
from alue.shared.enums import db_enum
from alue.shared.time import today
from alue.staff.models import (
    DelegatedTask,
    Delegation,
    ServiceLine,
    StaffMember,
    StaffMunicipality,
    Team,
    TeamMembership,
)


def N_(message: str) -> str:
    """Mark a string for translation without translating it (gettext's ``N_``)."""
    return message


class Role(StrEnum):
    """The six roles of the staff application."""

    CASE_WORKER = "case_worker"  # asiantuntija
    TEAM_LEAD = "team_lead"  # esihenkilö
    EMPLOYER_SERVICES = "employer_services"  # työnantajapalvelut
    ANALYST = "analyst"  # analyytikko — aggregates only
    MUNICIPAL_REP = "municipal_rep"  # kunnan edustaja — aggregates of their own municipality
    ADMIN = "admin"  # pääkäyttäjä

    @property
    def label(self) -> str:
        """The English msgid of the label; translate with ``alue.shared.i18n``."""
        return ROLE_LABELS[self]

    @property
    def needs_staff_member(self) -> bool:
        """Roles that work with case data must be linked to a staff member (scope comes from it)."""
        return self in (Role.CASE_WORKER, Role.TEAM_LEAD, Role.EMPLOYER_SERVICES)


ROLE_LABELS = {
    Role.CASE_WORKER: N_("Case worker"),
    Role.TEAM_LEAD: N_("Team lead"),
    Role.EMPLOYER_SERVICES: N_("Employer services"),
    Role.ANALYST: N_("Analyst"),
    Role.MUNICIPAL_REP: N_("Municipal representative"),
    Role.ADMIN: N_("Administrator"),
}


class Permission(StrEnum):
    """What a route needs. Every route of the web application declares exactly one."""

    PUBLIC = "public"  # anyone, no sign-in (sign-in page, public employer-services contacts R-D3)
    SIGNED_IN = "signed_in"  # any signed-in user (own account, sign out)
    VIEW_AREA = "view_area"  # area home, municipality and service-point pages (aggregates, suppressed)
    VIEW_PARTNERS = "view_partners"  # partner register (R-E1)
    VIEW_AGGREGATES = "view_aggregates"  # scorecard and planning figures (aggregates only)
    VIEW_EMPLOYERS = "view_employers"  # employer customers and vacancies
    WRITE_VACANCIES = "write_vacancies"  # correct a vacancy's occupation, confirm job titles for the coder
    VIEW_STAFF = "view_staff"  # staff and team pages
    SEARCH_PERSONS = "search_persons"  # jobseeker search
    READ_PERSON = "read_person"  # a jobseeker's page (audited)
    WRITE_CASEWORK = "write_casework"  # changes to a jobseeker's case (plans, meetings, referrals)
    MANAGE_TEAM = "manage_team"  # assign cases within the teams one leads
    WRITE_PLANNING = "write_planning"  # save planning scenarios from the pages (aggregates only)
    MANAGE_USERS = "manage_users"
    MANAGE_DELEGATIONS = "manage_delegations"  # R-C5
    READ_AUDIT = "read_audit"
    EXPORT_AUDIT = "export_audit"
    ACCESS_REPORT = "access_report"  # GDPR: who has viewed a person's data

    @property
    def label(self) -> str:
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.PUBLIC: N_("Public pages"),
    Permission.SIGNED_IN: N_("Own account"),
    Permission.VIEW_AREA: N_("Area, municipalities and service points"),
    Permission.VIEW_PARTNERS: N_("Partner register"),
    Permission.VIEW_AGGREGATES: N_("Aggregate figures"),
    Permission.VIEW_EMPLOYERS: N_("Employers and vacancies"),
    Permission.WRITE_VACANCIES: N_("Occupation coding of vacancies"),
    Permission.VIEW_STAFF: N_("Staff and teams"),
    Permission.SEARCH_PERSONS: N_("Jobseeker search"),
    Permission.READ_PERSON: N_("Jobseeker data"),
    Permission.WRITE_CASEWORK: N_("Casework changes"),
    Permission.MANAGE_TEAM: N_("Team case assignments"),
    Permission.WRITE_PLANNING: N_("Saving planning scenarios"),
    Permission.MANAGE_USERS: N_("Users"),
    Permission.MANAGE_DELEGATIONS: N_("Delegations of authority"),
    Permission.READ_AUDIT: N_("Audit log"),
    Permission.EXPORT_AUDIT: N_("Audit log export"),
    Permission.ACCESS_REPORT: N_("Access report (GDPR)"),
}

_BASE = frozenset({Permission.PUBLIC, Permission.SIGNED_IN, Permission.VIEW_AREA, Permission.VIEW_PARTNERS})
_CASEWORK = _BASE | {
    Permission.VIEW_AGGREGATES,
    Permission.VIEW_EMPLOYERS,
    Permission.VIEW_STAFF,
    Permission.SEARCH_PERSONS,
    Permission.READ_PERSON,
    Permission.WRITE_CASEWORK,
}

#: The role → permission matrix. Shown on the admin "Roles" page and tested route by route.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASE_WORKER: frozenset(_CASEWORK),
    Role.TEAM_LEAD: frozenset(
        _CASEWORK | {Permission.MANAGE_TEAM, Permission.WRITE_PLANNING, Permission.WRITE_VACANCIES}
    ),
    Role.EMPLOYER_SERVICES: frozenset(
        _BASE
        | {
            Permission.VIEW_AGGREGATES,
            Permission.VIEW_EMPLOYERS,
            Permission.VIEW_STAFF,
            Permission.WRITE_VACANCIES,
        }
    ),
    Role.ANALYST: frozenset(_BASE | {Permission.VIEW_AGGREGATES}),
    Role.MUNICIPAL_REP: frozenset(_BASE | {Permission.VIEW_AGGREGATES}),
    Role.ADMIN: frozenset(Permission),
}


# --------------------------------------------------------------------------------------------- tables


class User(Base):
    """A sign-in account of the staff application (käyttäjätili)."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(db_enum(Role, "user_role"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    #: argon2id hash; None for an account that signs in only through OIDC
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: "<issuer>|<sub>" once the account has signed in through OIDC
    oidc_subject: Mapped[str | None] = mapped_column(String(300), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    municipalities: Mapped[list[UserMunicipality]] = relationship(
        cascade="all, delete-orphan", order_by="UserMunicipality.municipality_code"
    )

    @property
    def municipality_codes(self) -> tuple[str, ...]:
        return tuple(m.municipality_code for m in self.municipalities)


class UserMunicipality(Base):
    """A municipality a municipal representative speaks for (their aggregates are limited to it)."""

    __tablename__ = "app_user_municipality"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), primary_key=True)


class UserSession(Base):
    """A signed-in browser session. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "app_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie token
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    auth_method: Mapped[str] = mapped_column(String(20), default="password")  # password | oidc


class ApiToken(Base):
    """A bearer token for the JSON API (integrations); only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Sign-in attempts, for throttling per username and per address. Pruned as it is written."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(150))
    ip: Mapped[str] = mapped_column(String(45))
    success: Mapped[bool] = mapped_column(Boolean)


# ------------------------------------------------------------------------------------------ passwords

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
#: verified against when the username is unknown, so that a miss takes as long as a hit
_DUMMY_HASH = _hasher.hash("alue-dummy-password-for-constant-time")
MIN_PASSWORD_LENGTH = 12


class PasswordPolicyError(ValueError):
    """The password does not meet the policy; the message says why (English msgid)."""


def check_password_policy(password: str, *, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(N_("The password must be at least 12 characters long."))
    if username and username.lower() in password.lower():
        raise PasswordPolicyError(N_("The password must not contain the username."))
    if len(set(password)) < 5:
        raise PasswordPolicyError(N_("The password is too simple."))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; an account without a password (OIDC only) never matches."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def normalise_username(username: str) -> str:
    return username.strip().lower()


# ---------------------------------------------------------------------------------------- principals


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user as the access rules see it (read once per request)."""

    user_id: int
    username: str
    display_name: str
    role: Role
    staff_id: int | None
    municipality_codes: tuple[str, ...] = ()
    session_id: str | None = None  # sha256 of the session cookie, None for a bearer token
    via: str = "session"  # session | token
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    @classmethod
    def of(cls, user: User, *, session_id: str | None = None, via: str = "session") -> Principal:
        return cls(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            staff_id=user.staff_id,
            municipality_codes=user.municipality_codes,
            session_id=session_id,
            via=via,
            permissions=ROLE_PERMISSIONS[user.role],
        )


# ----------------------------------------------------------------------------- access rules as SQL


def person_scope(principal: Principal, *, on: dt.date | None = None) -> ColumnElement[bool]:
    """The jobseekers the principal may see, as a WHERE clause on ``Person``.

    A staff member sees the customers of the municipalities they serve (``StaffMunicipality``) and the
    customers assigned (``CaseAssignment``) to themselves or to a member of a team they belong to or lead.
    Administrators see the whole area. Everyone else sees nobody.
    """
    if not principal.has(Permission.READ_PERSON):
        return false()
    if principal.role == Role.ADMIN:
        return true()
    if principal.staff_id is None:
        return false()
    return _staff_scope(principal.staff_id, on or today())


@lru_cache(maxsize=1024)
def _staff_scope(sid: int, day: dt.date) -> ColumnElement[bool]:
    """The scope clause of a staff member on a day, built once (SQL constructs are immutable, so the same
    clause object is safely reused by every request and thread; building it costs more than running it)."""
    mine = aliased(TeamMembership)
    mates = aliased(TeamMembership)
    my_teams = select(mine.team_id).where(mine.staff_id == sid, covers(mine.start_date, mine.end_date, day))
    led_teams = select(Team.id).where(Team.lead_staff_id == sid)
    colleagues = select(mates.staff_id).where(
        or_(mates.team_id.in_(my_teams), mates.team_id.in_(led_teams)),
        covers(mates.start_date, mates.end_date, day),
    )
    assigned = select(CaseAssignment.person_id).where(
        or_(CaseAssignment.staff_id == sid, CaseAssignment.staff_id.in_(colleagues)),
        covers(CaseAssignment.start_date, CaseAssignment.end_date, day),
    )
    served = select(StaffMunicipality.municipality_code).where(StaffMunicipality.staff_id == sid)
    return or_(Person.home_municipality_code.in_(served), Person.id.in_(assigned))


def aggregate_municipalities(principal: Principal) -> tuple[str, ...] | None:
    """Municipalities whose aggregates the principal may see; ``None`` means every municipality."""
    if not principal.has(Permission.VIEW_AREA):
        return ()
    if principal.role == Role.MUNICIPAL_REP:
        return principal.municipality_codes
    return None


def municipality_scope(principal: Principal) -> ColumnElement[bool]:
    """The municipalities whose figures the principal may see, as a WHERE clause on ``Municipality``."""
    allowed = aggregate_municipalities(principal)
    if allowed is None:
        return true()
    if not allowed:
        return false()
    return Municipality.code.in_(allowed)


def may_see_municipality(principal: Principal, code: str) -> bool:
    allowed = aggregate_municipalities(principal)
    return allowed is None or code in allowed


# ------------------------------------------------------------------------------- delegations (R-C5)


def delegated_tasks(
    session: Session, *, staff_id: int, on: dt.date | None = None
) -> frozenset[DelegatedTask]:
    """The tasks needing a delegation that the staff member may perform on the day.

    State-transferred staff (``municipal_official`` false) hold every such authority by law; a municipal
    official holds only the tasks named in a delegation valid on the day.
    """
    day = on or today()
    rows = session.execute(  # one round trip: the staff member and their delegations valid on the day
        select(StaffMember.active, StaffMember.municipal_official, Delegation.tasks)
        .outerjoin(
            Delegation,
            and_(
                Delegation.staff_id == StaffMember.id,
                covers(Delegation.valid_from, Delegation.valid_to, day),
            ),
        )
        .where(StaffMember.id == staff_id)
    ).all()
    if not rows or not rows[0].active:
        return frozenset()
    if not rows[0].municipal_official:
        return frozenset(DelegatedTask)
    tasks: set[DelegatedTask] = set()
    for row in rows:
        tasks.update(DelegatedTask(t) for t in row.tasks or () if t in DelegatedTask._value2member_map_)
    return frozenset(tasks)


def may_perform(
    session: Session, *, principal: Principal, task: DelegatedTask, on: dt.date | None = None
) -> bool:
    """Whether the principal may perform a task that needs a delegation of authority (R-C5)."""
    if principal.staff_id is None:
        return False
    return task in delegated_tasks(session, staff_id=principal.staff_id, on=on)


# ------------------------------------------------------------------------------------------- accounts


class AccountError(ValueError):
    """A user account cannot be created or changed as asked; the message is an English msgid."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def create_user(
    session: Session,
    *,
    username: str,
    role: Role,
    display_name: str = "",
    password: str | None = None,
    staff_id: int | None = None,
    municipality_codes: Iterable[str] = (),
    email: str = "",
    check_policy: bool = True,
) -> User:
    """Create an account. Raises ``AccountError`` or ``PasswordPolicyError`` with a plain reason."""
    name = normalise_username(username)
    if not name or len(name) > 150 or any(c.isspace() for c in name):
        raise AccountError(N_("The username must be 1–150 characters without spaces."))
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(N_("The username is already in use."))
    codes = sorted(set(municipality_codes))
    validate_links(session, role=role, staff_id=staff_id, municipality_codes=codes)
    if password is not None and check_policy:
        check_password_policy(password, username=name)
    user = User(
        username=name,
        display_name=display_name or name,
        email=email,
        role=role,
        staff_id=staff_id,
        password_hash=hash_password(password) if password is not None else None,
        active=True,
        created_at=utcnow(),
    )
    user.municipalities = [UserMunicipality(municipality_code=c) for c in codes]
    session.add(user)
    session.flush()
    return user


def validate_links(
    session: Session, *, role: Role, staff_id: int | None, municipality_codes: Sequence[str]
) -> None:
    if staff_id is not None and session.get(StaffMember, staff_id) is None:
        raise AccountError(N_("No such staff member."))
    if role.needs_staff_member and staff_id is None:
        raise AccountError(N_("This role needs a link to a staff member."))
    if role == Role.MUNICIPAL_REP and not municipality_codes:
        raise AccountError(N_("A municipal representative needs at least one municipality."))
    if municipality_codes:
        known = set(
            session.scalars(select(Municipality.code).where(Municipality.code.in_(municipality_codes)))
        )
        if known != set(municipality_codes):
            raise AccountError(N_("Unknown municipality code."))


def set_password(session: Session, *, user: User, password: str) -> None:
    check_password_policy(password, username=user.username)
    user.password_hash = hash_password(password)
    # a new password ends every other session of the account
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same work either way)."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not ok or not user.active:
        return None
    if user.password_hash and password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# ------------------------------------------------------------------------------------------ sessions


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def start_session(
    session: Session,
    *,
    user: User,
    lifetime: dt.timedelta,
    ip: str = "",
    user_agent: str = "",
    auth_method: str = "password",
) -> str:
    """Create a server-side session and return the cookie token (a fresh one at every sign-in)."""
    token = new_token()
    now = utcnow()
    session.add(
        UserSession(
            id=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            ip=ip[:45],
            user_agent=user_agent[:200],
            auth_method=auth_method,
        )
    )
    user.last_login_at = now
    # prune this user's expired sessions so the table stays bounded
    session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now))
    session.flush()
    return token


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def resolve_session(
    session: Session, *, token: str, idle_timeout: dt.timedelta, touch_after: dt.timedelta
) -> tuple[UserSession, User] | None:
    """The live session and its active user for a cookie token, or None. Ends an idle session.

    One round trip: the session row, its user and the user's municipalities are read in a single query
    (the user's municipalities are set on the loaded user, so ``Principal.of`` reads nothing more). The
    session row is read on every request, so signing out, a new password, a deactivated account or a
    changed role or scope take effect at the next request in every worker process.
    """
    if not token or len(token) > 100:
        return None
    rows = session.execute(
        select(UserSession, User, UserMunicipality)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(UserMunicipality, UserMunicipality.user_id == User.id)
        .where(UserSession.id == token_digest(token))
        .order_by(UserMunicipality.municipality_code)
    ).all()
    if not rows:
        return None
    row, user = rows[0][0], rows[0][1]
    now = utcnow()
    if _aware(row.expires_at) <= now or _aware(row.last_seen_at) + idle_timeout <= now:
        session.delete(row)
        session.commit()
        return None
    if not user.active:
        return None
    if "municipalities" not in sa_inspect(user).dict:  # not loaded yet: fill it from this query
        set_committed_value(user, "municipalities", [r[2] for r in rows if r[2] is not None])
    if _aware(row.last_seen_at) + touch_after <= now:  # write at most every few minutes
        row.last_seen_at = now
        session.commit()
    return row, user


def end_session(session: Session, *, session_id: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == session_id))


def create_api_token(session: Session, *, user: User, name: str, days: int = 90) -> str:
    token = "alue_" + new_token()
    now = utcnow()
    session.add(
        ApiToken(
            user_id=user.id,
            name=name[:100],
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
    )
    session.flush()
    return token


def resolve_api_token(session: Session, *, token: str) -> User | None:
    if not token.startswith("alue_") or len(token) > 100:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


# ----------------------------------------------------------------------------------------- throttling


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Failed sign-ins allowed within ``window`` per username and per client address."""

    per_username: int = 5
    per_ip: int = 30
    window: dt.timedelta = dt.timedelta(minutes=15)
    #: attempts older than this are deleted as new ones are written (keeps the table bounded)
    keep: dt.timedelta = dt.timedelta(days=1)


def throttled_for(session: Session, *, username: str, ip: str, policy: ThrottlePolicy) -> dt.timedelta | None:
    """How long the caller must wait before trying again, or None when a try is allowed."""
    now = utcnow()
    since = now - policy.window
    name = normalise_username(username)[:150]
    checks = (
        (LoginAttempt.username == name, policy.per_username),
        (LoginAttempt.ip == ip[:45], policy.per_ip),
    )
    for condition, limit in checks:
        failures = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                condition, LoginAttempt.at >= since, LoginAttempt.success.is_(False)
            )
        ).one()
        if failures[0] >= limit:
            oldest = _aware(failures[1])
            return max(oldest + policy.window - now, dt.timedelta(seconds=1))
    return None


def record_attempt(
    session: Session, *, username: str, ip: str, success: bool, policy: ThrottlePolicy
) -> None:
    now = utcnow()
    name = normalise_username(username)[:150]
    session.add(LoginAttempt(at=now, username=name, ip=ip[:45], success=success))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - policy.keep))
    if success:  # a successful sign-in clears the username's failures (not the address's)
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.username == name, LoginAttempt.success.is_(False))
        )
    session.flush()


# ---------------------------------------------------------------------------------------- demo users

_DEMO_LINKS = {
    Role.CASE_WORKER: (
        ServiceLine.JOB_BROKERAGE,
        ServiceLine.MULTISECTOR,
        ServiceLine.YOUTH,
        ServiceLine.SKILLS,
    ),
    Role.TEAM_LEAD: (),
    Role.EMPLOYER_SERVICES: (ServiceLine.EMPLOYER_SERVICES,),
}


def demo_password(username: str, secret: str) -> str:
    """A deterministic, non-trivial password for a demo account (development databases only)."""
    digest = hmac.new(secret.encode(), f"alue-demo:{username}".encode(), hashlib.sha256).hexdigest()
    return f"Demo-{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


def create_demo_users(*, session: Session, secret: str | None = None) -> list[tuple[str, str, str]]:
    """Create (or reset) one demo account per role and return ``(username, password, role)``.

    Refuses in production. Case workers, team leads and employer-services users are linked to a staff
    member of the demo data when there is one (a team lead to a staff member who leads a team).
    """
    from alue.settings import get_settings

    settings = get_settings()
    if settings.environment == "production":
        raise RuntimeError("demo users are for development databases only (ALUE_ENVIRONMENT=production)")
    key = secret or settings.require_secret()
    result: list[tuple[str, str, str]] = []
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        password = demo_password(username, key)
        staff_id = _demo_staff(session, role)
        codes = _demo_municipalities(session, role, staff_id)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            if role.needs_staff_member and staff_id is None:
                continue  # no staff in the database yet: this role cannot be demonstrated
            user = create_user(
                session,
                username=username,
                role=role,
                display_name=f"Demo {role.value.replace('_', ' ')}",
                password=password,
                staff_id=staff_id,
                municipality_codes=codes,
                check_policy=False,
            )
        else:
            user.password_hash = hash_password(password)
            user.active = True
        result.append((username, password, role.value))
    session.flush()
    return result


def _demo_staff(session: Session, role: Role) -> int | None:
    if not role.needs_staff_member:
        return None
    if role == Role.TEAM_LEAD:
        return session.scalar(
            select(Team.lead_staff_id).where(Team.lead_staff_id.is_not(None)).order_by(Team.id)
        )
    lines = _DEMO_LINKS[role]
    query = (
        select(StaffMember.id)
        .where(StaffMember.active, StaffMember.service_line.in_(lines))
        .where(StaffMember.id.in_(select(StaffMunicipality.staff_id)))
        .order_by(StaffMember.id)
    )
    return session.scalar(query)


def _demo_municipalities(session: Session, role: Role, staff_id: int | None) -> list[str]:
    if role != Role.MUNICIPAL_REP:
        return []
    from alue.area.config import load_area

    code: str | None
    try:
        code = load_area().file.responsible_municipality
    except Exception:  # no area file: fall back to any municipality of the area in the database
        code = session.scalar(
            select(Municipality.code).where(Municipality.in_area).order_by(Municipality.code)
        )
    return [code] if code else []
