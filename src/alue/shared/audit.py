"""The audit log (lokitus): an append-only, hash-chained record of every read and change of a person's data.

eVaka's rule applies: *authorise first, audit every success*. A route that shows or changes a jobseeker's
data checks the permission and the scope, loads the data, appends exactly one audit row and commits before
it renders anything.

Tamper evidence. Every row stores ``prev_hash`` (the previous row's ``row_hash``) and
``row_hash = sha256(prev_hash + canonical JSON of the row's own content)``; ids are consecutive. Editing,
deleting or inserting a row breaks the chain at that row, and the one-row table ``audit_chain`` remembers
the last id and hash, so cutting rows off the end is detected too. ``verify`` (``alue audit verify``) names
the first bad row.

Concurrency. Appends are serialised: ``append`` first updates the single ``audit_chain`` row. On PostgreSQL
that takes a row lock which the transaction holds until it commits or rolls back, so the next writer waits,
then reads the committed head; on SQLite the update takes the database's write lock. Two writers can never
read the same previous hash. Callers commit right after appending, so the lock is held for milliseconds.

Lists. A row that shows several people at once (a name search, a worklist, a vacancy's candidates) lists
their ids in its details (``person_ids``, covered by the hash) and in the table ``audit_subject``, an
index that the access report and the search by person use: otherwise "who has viewed my data" would miss
every list a person appeared in. ``verify`` checks the index against the details.

Privileges. The application needs INSERT and SELECT on ``audit_log`` and ``audit_subject`` and UPDATE on
``audit_chain``, never UPDATE or DELETE on the first two; migrations 0003 and 0010 add triggers that refuse
UPDATE and DELETE on them (and TRUNCATE on PostgreSQL). See ``docs/security.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    union,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from alue.shared.db import Base

GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    READ = "read"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    IMPORT = "import"  # a file of personal data imported (alue.io)
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    ACCESS_REPORT = "access_report"


class AuditPurpose(StrEnum):
    """Why the data was handled (käyttötarkoitus), shown in the person's access report."""

    CASEWORK = "casework"  # customer service and casework
    JOB_BROKERAGE = "job_brokerage"
    ADMINISTRATION = "administration"  # user and delegation management
    AUDIT_REVIEW = "audit_review"  # reviewing or exporting the audit log
    DATA_SUBJECT_REQUEST = "data_subject_request"  # GDPR art. 15 access report
    AUTHENTICATION = "authentication"


class AuditEvent(Base):
    """One audited event. Never updated, never deleted (triggers refuse it)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1, 2, 3 … no gaps
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)  # UTC
    actor_user_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: the log outlives accounts
    actor_username: Mapped[str] = mapped_column(String(150))
    actor_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(40))  # person, user, delegation, audit_log …
    object_id: Mapped[str] = mapped_column(String(80), default="")
    #: whose personal data was handled (no FK: the entry must survive the person's erasure)
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str] = mapped_column(String(45), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class AuditSubject(Base):
    """A person whose data an audit row covers when the row covers several (a list or a search): an index
    of the ids the row's hashed details list (``person_ids``), for the access report."""

    __tablename__ = "audit_subject"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, index=True)


class AuditChainHead(Base):
    """One row: the id and hash of the last audit row (detects rows cut off the end; serialises appends)."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it. ``user_id`` is None for an anonymous attempt (a failed sign-in) or a system job."""

    user_id: int | None
    username: str
    role: str
    ip: str = ""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(user_id=None, username=name, role="system")

    @classmethod
    def command_line(cls, name: str | None = None) -> Actor:
        """Someone at the command line: ``cli:`` and the name given (``--actor``) or the system user."""
        if not name:
            try:
                name = getpass.getuser()
            except Exception:  # no user name in some containers
                name = "unknown"
        return cls(user_id=None, username=f"cli:{name}", role="system")


def as_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def row_content(row: AuditEvent) -> str:
    """The canonical text a row's hash covers (everything but the hashes themselves)."""
    return json.dumps(
        [
            row.id,
            as_utc(row.at).isoformat(timespec="microseconds"),
            row.actor_user_id,
            row.actor_username,
            row.actor_role,
            row.action,
            row.object_type,
            row.object_id,
            row.person_id,
            row.purpose,
            row.ip,
            row.details,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def compute_hash(prev_hash: str, row: AuditEvent) -> str:
    return hashlib.sha256(f"{prev_hash}\n{row_content(row)}".encode()).hexdigest()


def append(
    session: Session,
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str,
    purpose: AuditPurpose,
    object_id: str | int = "",
    person_id: int | None = None,
    person_ids: Iterable[int] | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one row to the chain in the caller's transaction; the caller commits promptly.

    ``person_ids``: everyone whose data the row covers when it shows several people (a list); they go to
    the details as ``person_ids`` and to the ``audit_subject`` index, so each person's access report
    finds the row.

    Three statements: lock and read the chain head in one ``UPDATE … RETURNING``, insert the row, move the
    head. Only the head row is read, never the log itself.
    """
    # Both models are declared with a plain table; ``__table__`` is typed as the wider ``FromClause``.
    head_table = cast(Table, AuditChainHead.__table__)
    event_table = cast(Table, AuditEvent.__table__)
    # Lock first (row lock on PostgreSQL, write lock on SQLite), reading the head in the same statement:
    # see the module docstring.
    head = session.execute(
        update(head_table)
        .where(head_table.c.id == 1)
        .values(last_id=head_table.c.last_id)
        .returning(head_table.c.last_id, head_table.c.last_hash)
    ).first()
    if head is None:  # the migration creates it; tests may not
        session.execute(insert(head_table).values(id=1, last_id=0, last_hash=GENESIS_HASH))
        last_id, last_hash = 0, GENESIS_HASH
    else:
        last_id, last_hash = head.last_id, head.last_hash
    subjects: list[int] = []
    if person_ids is not None:
        subjects = sorted({int(i) for i in person_ids})
        details = {**(details or {}), "person_ids": subjects}
    moment = as_utc(at or dt.datetime.now(tz=dt.UTC))
    row = AuditEvent(
        id=last_id + 1,
        at=moment,
        actor_user_id=actor.user_id,
        actor_username=actor.username[:150],
        actor_role=actor.role[:40],
        action=action.value,
        object_type=object_type[:40],
        object_id=str(object_id)[:80],
        person_id=person_id,
        purpose=purpose.value,
        ip=actor.ip[:45],
        details=canonical_details(details),
        prev_hash=last_hash,
        row_hash="",
    )
    row.row_hash = compute_hash(last_hash, row)
    session.execute(insert(event_table).values({c: getattr(row, c) for c in _COLUMNS}))
    if subjects:
        session.execute(
            insert(cast(Table, AuditSubject.__table__)),
            [{"event_id": row.id, "person_id": p} for p in subjects],
        )
    session.execute(
        update(head_table).where(head_table.c.id == 1).values(last_id=row.id, last_hash=row.row_hash)
    )
    return row  # not added to the session: the row is already written


_COLUMNS = tuple(c.key for c in AuditEvent.__table__.columns)


# --------------------------------------------------------------------------------------------- verify


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    rows_checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order and report the first row that does not fit."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    last_id = 0
    listed: dict[int, list[int]] = {}  # the rows since the last index check that list persons
    checked_to = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)
    for row in session.scalars(stmt):
        if row.id != expected_id:
            return VerifyResult(False, checked, row.id, f"row ids jump from {expected_id - 1} to {row.id}")
        if row.prev_hash != prev_hash:
            return VerifyResult(False, checked, row.id, "prev_hash does not match the previous row")
        if compute_hash(prev_hash, row) != row.row_hash:
            return VerifyResult(False, checked, row.id, "row content does not match its hash")
        if '"person_ids"' in row.details:
            listed[row.id] = sorted(json.loads(row.details).get("person_ids") or [])
        prev_hash = row.row_hash
        last_id = row.id
        expected_id += 1
        checked += 1
        session.expunge(row)
        if checked % batch == 0:
            bad = _check_subjects(session, listed, checked_to, last_id)
            if bad is not None:
                return VerifyResult(False, checked, bad, SUBJECTS_DIFFER)
            listed, checked_to = {}, last_id
    bad = _check_subjects(session, listed, checked_to, None)
    if bad is not None:
        return VerifyResult(False, checked, bad, SUBJECTS_DIFFER)
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != prev_hash):
        if head.last_id > last_id:
            return VerifyResult(False, checked, last_id + 1, f"rows {last_id + 1}–{head.last_id} are missing")
        return VerifyResult(False, checked, head.last_id, "the chain head does not match the last row")
    return VerifyResult(True, checked)


SUBJECTS_DIFFER = "the persons indexed for the row (audit_subject) differ from those its details list"


def _check_subjects(
    session: Session, listed: dict[int, list[int]], after: int, upto: int | None
) -> int | None:
    """The first row in ``(after, upto]`` whose ``audit_subject`` rows are not exactly the ids its details
    list (``upto`` None: every later row, so that index rows of no audit row are found too)."""
    stmt = select(AuditSubject.event_id, AuditSubject.person_id).where(AuditSubject.event_id > after)
    if upto is not None:
        stmt = stmt.where(AuditSubject.event_id <= upto)
    indexed: dict[int, list[int]] = {}
    for event_id, person_id in session.execute(stmt.order_by(AuditSubject.event_id, AuditSubject.person_id)):
        indexed.setdefault(event_id, []).append(person_id)
    for event_id in sorted(listed.keys() | indexed.keys()):
        if listed.get(event_id, []) != indexed.get(event_id, []):
            return event_id
    return None


# ------------------------------------------------------------------------------------ search, export


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor: str | None = None  # username, exact
    person_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    since: dt.date | None = None  # inclusive, Helsinki date
    until: dt.date | None = None  # inclusive, Helsinki date


def _about(person_id: int) -> ColumnElement[bool]:
    """Rows that name the person, or list them among several (``audit_subject``).

    A union of the two indexed look-ups: written as ``person_id = … OR id IN (…)`` PostgreSQL walks the
    whole log instead (``benchmarks/audit_log.py``)."""
    named = select(AuditEvent.id).where(AuditEvent.person_id == person_id)
    listed = select(AuditSubject.event_id).where(AuditSubject.person_id == person_id)
    return AuditEvent.id.in_(union(named, listed))


def _filtered(query: AuditQuery) -> Select[AuditEvent]:
    from alue.shared.time import HELSINKI

    stmt = select(AuditEvent)
    if query.actor:
        stmt = stmt.where(AuditEvent.actor_username == query.actor.strip().lower())
    if query.person_id is not None:
        stmt = stmt.where(_about(query.person_id))
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.object_type:
        stmt = stmt.where(AuditEvent.object_type == query.object_type)
    if query.since:
        start = dt.datetime.combine(query.since, dt.time(), tzinfo=HELSINKI).astimezone(dt.UTC)
        stmt = stmt.where(AuditEvent.at >= start)
    if query.until:
        end = dt.datetime.combine(query.until + dt.timedelta(days=1), dt.time(), tzinfo=HELSINKI)
        stmt = stmt.where(AuditEvent.at < end.astimezone(dt.UTC))
    return stmt


def append_review(session: Session, *, actor: Actor, action: AuditAction, query: AuditQuery) -> AuditEvent:
    """Reading or exporting the log is logged too; a search about one person names that person, so it
    shows in their access report (a processing history is their personal data)."""
    person = query.person_id if query.person_id is not None and query.person_id > 0 else None
    return append(
        session,
        actor=actor,
        action=action,
        object_type="audit_log",
        purpose=AuditPurpose.AUDIT_REVIEW,
        person_id=person,
        details={
            "actor": query.actor,
            "person_id": query.person_id,
            "action": query.action,
            "object_type": query.object_type,
            "since": query.since,
            "until": query.until,
        },
    )


def search(
    session: Session, query: AuditQuery, *, limit: int = 100, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """Matching rows, newest first, and the total count."""
    stmt = _filtered(query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)))
    return rows, total


CSV_COLUMNS = (
    "id",
    "at",
    "actor_user_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "purpose",
    "ip",
    "details",
    "prev_hash",
    "row_hash",
)


def export_csv(session: Session, query: AuditQuery, *, batch: int = 2000) -> Iterator[str]:
    """The matching rows in id order as CSV text chunks (header first), hashes included."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    stmt = _filtered(query).order_by(AuditEvent.id).execution_options(yield_per=batch)
    for n, row in enumerate(session.scalars(stmt), start=1):
        values = [getattr(row, c) for c in CSV_COLUMNS]
        values[1] = as_utc(row.at).isoformat(timespec="seconds")
        writer.writerow(["" if v is None else v for v in values])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def access_report(session: Session, *, person_id: int, limit: int = 1000) -> list[AuditEvent]:
    """Who has handled the person's data, newest first (GDPR art. 15: 'who has viewed my data')."""
    stmt = select(AuditEvent).where(_about(person_id)).order_by(AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(stmt))
