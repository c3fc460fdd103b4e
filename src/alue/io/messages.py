"""Problems found in an import file, in the user's language (Finnish, Swedish or English).

A problem (a cell that is not a date, a row that names an unknown person, a missing column) is a
:class:`Message`: an English message id with ``%(name)s`` placeholders and the values to put in them::

    Message("unknown municipality %(text)s", text=quote(cell))
    Plural("%(num)s cell", "%(num)s cells", count)

A message *is* its English text (``Message`` is a ``str``), so the command line, the rejects file, logs
and code that compares or searches the text use it as it is. A page shows :meth:`Message.translated` in the
user's language, from the catalogue ``alue/io/locale/<lang>/LC_MESSAGES/io.po`` (:mod:`alue.io.i18n`).

The values are written into the text by their type:

* a ``Message`` (a word such as "customer number", or a list joined with "or": :func:`either`) is
  translated too;
* a date (and a :class:`~alue.shared.time.DateRange`) is ISO 8601 in the English text, as the files
  write it, and in the language's short form when translated (1.3.2025);
* a value from the user's file wrapped in :func:`quote` is quoted as Python writes it in the English text
  (``'Atlantis'``) and between ”quotation marks” in Finnish and Swedish; characters that cannot be seen
  are shown as escapes (``\\t``) in every language;
* a :class:`Localised` text of the data (an ESCO occupation's label) is in the message's language;
* anything else (numbers, codes, column names, text of other code such as a database error) is inserted as
  it is.

The message ids are extracted with Babel's ``extract_from_dir`` by the keywords ``Message`` (its first
argument) and ``Plural`` (the first two), so an id must be a string literal, never an f-string.
``tests/io/test_messages.py`` fails when an id has no Finnish or Swedish translation or a translation
changes the placeholders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from alue.shared import i18n as shared_i18n
from alue.shared.time import DateRange


class Message(str):
    """A translatable problem message: English message id + values (see the module docstring).

    ``str(message)`` and the ``str`` value itself are the English text; ``translated(lang)`` renders it
    in ``fi``, ``sv`` or ``en``. (Not ``translate`` nor ``count``: those are ``str`` methods.)
    """

    #: the English message id (of a plural: the singular)
    id: str
    #: a plural's English plural form, and the count that chooses the form
    plural: str | None
    n: int | None
    #: the values of the placeholders
    params: Mapping[str, Any]

    def __new__(cls, message_id: str, /, **params: Any) -> Self:
        return cls._make(message_id, None, None, params)

    @classmethod
    def _make(cls, message_id: str, plural: str | None, count: int | None, params: Mapping[str, Any]) -> Self:
        template = plural if plural is not None and count != 1 else message_id
        self = super().__new__(cls, _format(template, params))
        self.id, self.plural, self.n, self.params = message_id, plural, count, dict(params)
        return self

    def translated(self, lang: str) -> str:
        """The message in ``lang`` (the English text where the catalogue has no translation)."""
        from alue.io import i18n

        catalogue = i18n.translations(lang)
        if self.plural is not None and self.n is not None:
            template = catalogue.ngettext(self.id, self.plural, self.n)
        else:
            template = catalogue.gettext(self.id)
        values = {name: _localised(value, lang) for name, value in self.params.items()}
        try:
            return _format(template, values)
        except (KeyError, ValueError, TypeError):  # a broken translation: the English text is still right
            return str(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.id, self.plural, self.n, dict(self.params)))


class Plural(Message):
    """A message with a count: ``Plural("%(num)s cell", "%(num)s cells", n)``; ``num`` is the count."""

    def __new__(cls, singular: str, plural: str, count: int, /, **params: Any) -> Self:
        return cls._make(singular, plural, count, {"num": count, **params})


def _rebuild(
    cls: type[Message], message_id: str, plural: str | None, count: int | None, params: dict[str, Any]
) -> Message:
    return cls._make(message_id, plural, count, params)


#: languages whose messages quote a value ”so”; others as Python writes it ('so')
_QUOTED = ("fi", "sv")


@dataclass(frozen=True)
class Localised:
    """A text that the data has in several languages (an ESCO occupation's label): the English text of the
    message has ``default``, a translation the text in its own language (else ``default``)."""

    texts: Mapping[str, str]
    default: str

    def __str__(self) -> str:
        return self.default

    def render(self, lang: str) -> str:
        return self.texts.get(lang) or self.default


@dataclass(frozen=True)
class Quoted:
    """A value from the user's file, quoted where it is written into a message (see :func:`quote`)."""

    value: object

    def __str__(self) -> str:
        return repr(str(self.value) if isinstance(self.value, Localised) else self.value)

    def render(self, lang: str) -> str:
        value = self.value.render(lang) if isinstance(self.value, Localised) else self.value
        if not isinstance(value, str) or lang not in _QUOTED:
            return repr(value)
        visible = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
        return f"\N{RIGHT DOUBLE QUOTATION MARK}{visible}\N{RIGHT DOUBLE QUOTATION MARK}"


def quote(value: object) -> Quoted:
    """A cell's text (or a value of a JSON record) to show quoted in a message: ``'Atlantis'``, ”Atlantis”."""
    return Quoted(value)


def either(items: Iterable[object]) -> object:
    """Items joined with "or" in the message's language: ``hetu or customer_number``."""
    joined: object | None = None
    for item in items:
        joined = item if joined is None else Message("%(first)s or %(second)s", first=joined, second=item)
    return "" if joined is None else joined


def translate(message: str, lang: str) -> str:
    """A message in ``lang``: a :class:`Message` translated, any other text (of other code) as it is."""
    return message.translated(lang) if isinstance(message, Message) else str(message)


def _format(template: str, values: Mapping[str, Any]) -> str:
    return template % values if values else template


def _localised(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.translated(lang)
    if isinstance(value, Quoted | Localised):
        return value.render(lang)
    if isinstance(value, dt.date):
        return _date(value, lang)
    if isinstance(value, DateRange):
        return f"{_date(value.start, lang)}–{_date(value.end, lang) if value.end else ''}"
    return value


def _date(value: dt.date, lang: str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return shared_i18n.format_date(value, lang, "short")


__all__ = ["Localised", "Message", "Plural", "Quoted", "either", "quote", "translate"]
