"""Errors of the casework domain that a case worker sees, translatable into fi/sv/en.

A :class:`CaseworkError` keeps its English message as a message id of the casework catalogue
(``alue/casework/locale``) with ``%(name)s`` variables. ``str(error)`` is the English text (logs, the command
line, tests); a page shows :meth:`CaseworkError.translated` in the user's language. Variables are plain
values (names, numbers, dates already written as 31.1.2026); :data:`TASK_LABELS` gives the delegated tasks'
names in words.
"""

from __future__ import annotations

from babel.support import NullTranslations

from alue.shared.i18n import N_
from alue.staff.models import DelegatedTask

#: names of the tasks that need a delegation of authority (R-C5)
TASK_LABELS: dict[DelegatedTask, str] = {
    DelegatedTask.LABOUR_POLICY_STATEMENT: N_("labour-policy statements"),
    DelegatedTask.OBLIGATION_DECISION: N_("job-search obligation decisions"),
    DelegatedTask.SANCTION_NOTICE: N_("notices of omissions"),
    DelegatedTask.WAGE_SUBSIDY_DECISION: N_("pay subsidy decisions"),
    DelegatedTask.STARTUP_GRANT_DECISION: N_("start-up grant decisions"),
    DelegatedTask.TRAINING_SELECTION: N_("selections to labour-market training"),
}

#: variables whose value is itself a message of the catalogue and is translated too
_TRANSLATED_VARIABLES = frozenset({"task"})


class CaseworkError(Exception):
    """An error with a translatable message: ``CaseworkError("no person with id %(id)s", id=3)``."""

    def __init__(self, message: str, /, **variables: object) -> None:
        self.message_id = message
        self.variables = variables
        super().__init__(message % variables if variables else message)

    def translated(self, catalogue: NullTranslations) -> str:
        """The message in the catalogue's language (the English text where it has no translation)."""
        values = {
            name: catalogue.gettext(value)
            if name in _TRANSLATED_VARIABLES and isinstance(value, str)
            else value
            for name, value in self.variables.items()
        }
        text = catalogue.gettext(self.message_id)
        return text % values if values else text
