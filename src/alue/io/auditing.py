"""Imports and exports of personal data go to the audit log (:mod:`alue.shared.audit`).

A file of persons, employers (their founders), spells, employment episodes, participations or profiles
moves many people's data at once: the log gets one row per import or export, with who (a web user, or
the operating-system user of the command line), the kind, the number of rows, whether it completed and
why (the purpose given). Kinds without personal data (vacancies, services, …) are not logged here.
Registered as an audit hook of :mod:`alue.io.service` when :mod:`alue.io` is imported, so every caller
is covered.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alue.io.service import AccessEvent
from alue.shared import audit
from alue.shared.audit import Actor, AuditAction, AuditPurpose

_ACTIONS = {"import": AuditAction.IMPORT, "export": AuditAction.EXPORT}
_PURPOSES = {purpose.value for purpose in AuditPurpose}


def log_personal_data_transfer(session: Session, event: AccessEvent) -> None:
    """Append the import or export ``event`` to the audit log when its kind holds personal data."""
    if not event.personal:
        return
    if isinstance(event.actor, Actor):
        actor = event.actor
    else:
        actor = Actor.command_line(str(event.actor) if event.actor else None)
    given = (event.purpose or "").strip()
    audit.append(
        session,
        actor=actor,
        action=_ACTIONS[event.action],
        object_type=event.kind,
        # a purpose of the log's own list is kept as it is; any other text goes to the details
        purpose=AuditPurpose(given) if given in _PURPOSES else AuditPurpose.ADMINISTRATION,
        details={"rows": event.rows, "complete": event.complete, "purpose": given or None},
        person_ids=event.person_ids or None,
    )
