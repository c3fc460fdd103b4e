"""Column types of the import and export files: how a cell is read, checked and written back.

Each type turns the text of a cell into a Python value (raising ``ValueError`` with a translatable
:class:`~alue.io.messages.Message` in plain language) and formats a value back into the same text, so that
an export can be imported again without loss. Enumerations accept their value (``unemployed``) or a
Finnish label (``työtön``); matching ignores case, accents, spaces and punctuation.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.area.models import Municipality
from alue.io.messages import Message, Plural, quote
from alue.shared.identifiers import validate_business_id, validate_hetu
from alue.shared.time import parse_date


def normalise(text: str) -> str:
    """A matching key: no accents, case folded, only letters and digits (``Y-tunnus`` → ``ytunnus``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in stripped.casefold() if c.isalnum())


class Lookups:
    """Reference data a parser needs: the municipalities, read once per import."""

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        self.municipality_codes: set[str] = set()
        self.municipality_by_name: dict[str, str] = {}
        for m in municipalities:
            self.municipality_codes.add(m.code)
            for name in (m.name_fi, m.name_sv):
                if name:
                    self.municipality_by_name.setdefault(normalise(name), m.code)

    @classmethod
    def load(cls, session: Session) -> Lookups:
        return cls(session.scalars(select(Municipality)))


def problem(exc: Exception) -> str:
    """The message of a ``ValueError`` a parser raised: its :class:`Message`, else its text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


def hetu_problem(exc: Exception, value: str) -> str:
    """What ``validate_hetu(value)`` found wrong (its ``InvalidIdentifier.reason``), as a message; in
    English the text the validator gives itself."""
    reason = getattr(exc, "reason", None)
    if reason == "check":
        return Message("HETU %(value)s: the check character is wrong", value=quote(value))
    if reason == "component":
        return Message("HETU %(value)s: not a valid date or individual number", value=quote(value))
    if reason == "form":
        return Message("HETU %(value)s: not in the form DDMMYYCZZZQ", value=quote(value))
    return str(exc)


def business_id_problem(exc: Exception, value: str) -> str:
    """What ``validate_business_id(value)`` found wrong, as a message (in English the text it gives)."""
    reason = getattr(exc, "reason", None)
    if reason == "check":
        return Message("Y-tunnus %(value)s: the check digit is wrong", value=quote(value))
    if reason == "form":
        return Message("Y-tunnus %(value)s: not in the form 1234567-8", value=quote(value))
    return str(exc)


class FieldType:
    """Base class: ``parse`` text into a value, ``format`` a value into text."""

    #: the type as documented in docs/import-formats.md
    doc = "text"

    def parse(self, text: str, lookups: Lookups) -> Any:
        return text

    def format(self, value: Any) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Text(FieldType):
    max_length: int
    pattern: str | None = None
    #: what the pattern accepts, for the docs and the error (a :class:`Message`: "without spaces")
    pattern_doc: str = ""
    upper: bool = False
    lower: bool = False

    @property
    def doc(self) -> str:  # type: ignore[override]
        return f"text, at most {self.max_length} characters" + (
            f"; {self.pattern_doc}" if self.pattern_doc else ""
        )

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.upper() if self.upper else text.lower() if self.lower else text
        if len(value) > self.max_length:
            raise ValueError(
                Plural(
                    "too long: %(num)s character, at most %(max)s allowed",
                    "too long: %(num)s characters, at most %(max)s allowed",
                    len(value),
                    max=self.max_length,
                )
            )
        if self.pattern and not re.fullmatch(self.pattern, value):
            if self.pattern_doc:
                raise ValueError(
                    Message(
                        "%(text)s is not in the expected form: %(form)s",
                        text=quote(text),
                        form=self.pattern_doc,
                    )
                )
            raise ValueError(Message("%(text)s is not in the expected form", text=quote(text)))
        return value


class Date(FieldType):
    doc = "date: 2025-01-31 or 31.1.2025"

    def parse(self, text: str, lookups: Lookups) -> dt.date:
        try:
            value = parse_date(text)
        except ValueError as exc:
            raise ValueError(
                Message("%(text)s is not a date (use 2025-01-31 or 31.1.2025)", text=quote(text))
            ) from exc
        if not 1900 <= value.year <= 2100:
            raise ValueError(Message("%(text)s is not a plausible date (year 1900–2100)", text=quote(text)))
        return value

    def format(self, value: Any) -> str:
        return "" if value is None else value.isoformat()


@dataclass(frozen=True)
class Integer(FieldType):
    minimum: int
    maximum: int

    @property
    def doc(self) -> str:  # type: ignore[override]
        return f"whole number {self.minimum}–{self.maximum}"

    def parse(self, text: str, lookups: Lookups) -> int:
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"[+-]?\d{1,9}([.,]0+)?", cleaned) is None:
            raise ValueError(Message("%(text)s is not a whole number", text=quote(text)))
        value = int(re.split(r"[.,]", cleaned)[0])
        if not self.minimum <= value <= self.maximum:
            raise ValueError(
                Message(
                    "%(value)s is outside %(minimum)s–%(maximum)s",
                    value=value,
                    minimum=self.minimum,
                    maximum=self.maximum,
                )
            )
        return value


class Money(FieldType):
    doc = "euro amount ≥ 0 with at most 2 decimals: 1234.50 or 1 234,50"
    maximum = Decimal("99999999.99")

    def parse(self, text: str, lookups: Lookups) -> Decimal:
        cleaned = text.replace(" ", "").replace("\u00a0", "").replace("€", "").replace(",", ".")
        if re.fullmatch(r"\d{1,8}(\.\d{1,2})?", cleaned) is None:
            raise ValueError(Message("%(text)s is not a euro amount (e.g. 1234.50)", text=quote(text)))
        try:
            value = Decimal(cleaned).quantize(Decimal("0.01"))
        except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
            raise ValueError(Message("%(text)s is not a euro amount", text=quote(text))) from exc
        return value

    def format(self, value: Any) -> str:
        return "" if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


TRUE_WORDS = {"true", "1", "yes", "y", "x", "kylla", "k", "on", "ja"}
FALSE_WORDS = {"false", "0", "no", "n", "ei", "e", "off", "nej"}


class Boolean(FieldType):
    doc = "yes/no: true, false, kyllä, ei, 1, 0, x"

    def parse(self, text: str, lookups: Lookups) -> bool:
        key = normalise(text)
        if key in TRUE_WORDS:
            return True
        if key in FALSE_WORDS:
            return False
        raise ValueError(Message("%(text)s is not yes or no (true/false, kyllä/ei, 1/0)", text=quote(text)))

    def format(self, value: Any) -> str:
        return "" if value is None else ("true" if value else "false")


class Choice(FieldType):
    """A value of a ``StrEnum``, given by its value or one of its Finnish labels."""

    def __init__(self, enum_cls: type[StrEnum], labels: Mapping[str, tuple[str, ...]]) -> None:
        self.enum_cls = enum_cls
        self.labels = labels
        self.by_key: dict[str, StrEnum] = {}
        for member in enum_cls:
            keys = [member.value, *labels.get(member.value, ())]
            for key in keys:
                norm = normalise(key)
                if norm in self.by_key and self.by_key[norm] is not member:
                    raise ValueError(f"label {key!r} is ambiguous in {enum_cls.__name__}")
                self.by_key[norm] = member

    @property
    def doc(self) -> str:  # type: ignore[override]
        return "one of: " + ", ".join(
            f"`{m.value}`" + (f" ({' / '.join(self.labels[m.value])})" if self.labels.get(m.value) else "")
            for m in self.enum_cls
        )

    def parse(self, text: str, lookups: Lookups) -> StrEnum:
        member = self.by_key.get(normalise(text))
        if member is None:
            allowed = ", ".join(m.value for m in self.enum_cls)
            raise ValueError(
                Message("%(text)s is not one of: %(allowed)s", text=quote(text), allowed=allowed)
            )
        return member

    def format(self, value: Any) -> str:
        return "" if value is None else str(getattr(value, "value", value))


class MunicipalityCode(FieldType):
    doc = "municipality: code (609, KU609, 9 → 009) or Finnish or Swedish name (Pori, Björneborg)"

    def parse(self, text: str, lookups: Lookups) -> str:
        compact = text.strip().upper().replace(" ", "")
        if compact.startswith("KU"):
            compact = compact[2:]
        if compact.isdigit() and len(compact) <= 3:
            code = compact.zfill(3)
            if code in lookups.municipality_codes:
                return code
            raise ValueError(Message("unknown municipality code %(text)s", text=quote(text)))
        code_by_name = lookups.municipality_by_name.get(normalise(text))
        if code_by_name is None:
            raise ValueError(Message("unknown municipality %(text)s", text=quote(text)))
        return code_by_name


class Hetu(FieldType):
    doc = "henkilötunnus (personal identity code) DDMMYYCZZZQ, check character verified"

    def parse(self, text: str, lookups: Lookups) -> str:
        try:
            return validate_hetu(text)
        except ValueError as exc:
            raise ValueError(hetu_problem(exc, text)) from exc


class BusinessId(FieldType):
    doc = "Y-tunnus (business id) 1234567-8, check digit verified"

    def parse(self, text: str, lookups: Lookups) -> str:
        try:
            return validate_business_id(text)
        except ValueError as exc:
            raise ValueError(business_id_problem(exc, text)) from exc


#: ISCO-08 unit groups that start with 0 (armed forces), which spreadsheets turn into 3-digit numbers
ISCO_ZERO_GROUPS = {"0110", "0210", "0310"}


class Isco4(FieldType):
    doc = "ISCO-08 unit group: 4 digits, e.g. 2512"

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.strip()
        if len(value) == 3 and value.isdigit() and "0" + value in ISCO_ZERO_GROUPS:
            value = "0" + value
        if re.fullmatch(r"[0-9]{4}", value) is None:
            raise ValueError(Message("%(text)s is not a 4-digit ISCO-08 code", text=quote(text)))
        return value


class IscoList(FieldType):
    doc = "ISCO-08 codes separated by commas, e.g. 7212,7214"

    def parse(self, text: str, lookups: Lookups) -> list[str]:
        parts = [p.strip() for p in re.split(r"[,;| ]+", text) if p.strip()]
        codes = [Isco4().parse(p, lookups) for p in parts]
        if len(set(codes)) != len(codes):
            raise ValueError(Message("the same ISCO code is listed twice"))
        return codes

    def format(self, value: Any) -> str:
        return ",".join(value or [])


#: Finnish names of common languages, accepted in place of their ISO 639-1 code
LANGUAGE_NAMES = {
    "suomi": "fi",
    "ruotsi": "sv",
    "englanti": "en",
    "venaja": "ru",
    "arabia": "ar",
    "viro": "et",
    "eesti": "et",
    "somali": "so",
    "ukraina": "uk",
    "persia": "fa",
    "kurdi": "ku",
    "saksa": "de",
    "ranska": "fr",
    "espanja": "es",
    "kiina": "zh",
    "thai": "th",
    "vietnam": "vi",
    "turkki": "tr",
    "saame": "se",
    "pohjoissaame": "se",
    "albania": "sq",
    "puola": "pl",
    "romania": "ro",
    "dari": "prs",
    "finnish": "fi",
    "swedish": "sv",
    "english": "en",
    "svenska": "sv",
    "finska": "fi",
    "engelska": "en",
}


@dataclass(frozen=True)
class Language(FieldType):
    """An ISO 639 language code (2–3 letters) or a Finnish language name; optionally a closed set."""

    allowed: tuple[str, ...] = ()

    @property
    def doc(self) -> str:  # type: ignore[override]
        if self.allowed:
            return "language: " + ", ".join(self.allowed) + " (or suomi, ruotsi, englanti)"
        return "ISO 639 language code (fi, sv, ru …) or Finnish name (suomi, venäjä …)"

    def parse(self, text: str, lookups: Lookups) -> str:
        value = LANGUAGE_NAMES.get(normalise(text), text.strip().lower())
        if re.fullmatch(r"[a-z]{2,3}", value) is None:
            raise ValueError(
                Message("%(text)s is not a language code such as fi, sv or en", text=quote(text))
            )
        if self.allowed and value not in self.allowed:
            allowed = ", ".join(self.allowed)
            raise ValueError(
                Message("%(text)s must be one of %(allowed)s", text=quote(text), allowed=allowed)
            )
        return value


class LanguageList(FieldType):
    doc = "language codes separated by commas, e.g. fi,en"

    def parse(self, text: str, lookups: Lookups) -> list[str]:
        parts = [p for p in re.split(r"[,;| ]+", text) if p.strip()]
        codes = [Language().parse(p, lookups) for p in parts]
        if len(set(codes)) != len(codes):
            raise ValueError(Message("the same language is listed twice"))
        return codes

    def format(self, value: Any) -> str:
        return ",".join(value or [])


LANGUAGE_LEVELS = ("native", "excellent", "good", "satisfactory", "basic")
LEVEL_NAMES = {
    "aidinkieli": "native",
    "erinomainen": "excellent",
    "hyva": "good",
    "tyydyttava": "satisfactory",
    "alkeet": "basic",
    "perustaso": "basic",
}


class LanguageLevels(FieldType):
    doc = "language:level pairs separated by commas, e.g. fi:native,en:good; levels: " + ", ".join(
        LANGUAGE_LEVELS
    )

    def parse(self, text: str, lookups: Lookups) -> dict[str, str]:
        result: dict[str, str] = {}
        for part in (p.strip() for p in re.split(r"[,;|]+", text)):
            if not part:
                continue
            if ":" not in part:
                raise ValueError(Message("%(text)s is not language:level, e.g. en:good", text=quote(part)))
            lang_text, level_text = (s.strip() for s in part.split(":", 1))
            lang = Language().parse(lang_text, lookups)
            level = LEVEL_NAMES.get(normalise(level_text), level_text.lower())
            if level not in LANGUAGE_LEVELS:
                levels = ", ".join(LANGUAGE_LEVELS)
                raise ValueError(
                    Message("%(text)s is not a level (%(levels)s)", text=quote(level_text), levels=levels)
                )
            if lang in result:
                raise ValueError(Message("language %(language)s is listed twice", language=quote(lang)))
            result[lang] = level
        return result

    def format(self, value: Any) -> str:
        return ",".join(f"{k}:{v}" for k, v in sorted((value or {}).items()))


class Industry(FieldType):
    doc = "TOL 2008 section letter A–U, or X for an unknown industry (toimiala tuntematon)"

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.strip().upper()
        if re.fullmatch(r"[A-UX]", value) is None:
            raise ValueError(
                Message("%(text)s is not a TOL 2008 section letter A–U or X (unknown)", text=quote(text))
            )
        return value


class Postcode(FieldType):
    doc = "postal code, 5 digits (spreadsheet-dropped leading zeros are restored)"

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.strip()
        if re.fullmatch(r"\d{1,5}", value) is None:
            raise ValueError(Message("%(text)s is not a 5-digit postal code", text=quote(text)))
        return value.zfill(5)


class Email(FieldType):
    doc = "e-mail address"

    def parse(self, text: str, lookups: Lookups) -> str:
        value = text.strip()
        if len(value) > 200 or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) is None:
            raise ValueError(Message("%(text)s is not an e-mail address", text=quote(text)))
        return value


@dataclass(frozen=True)
class Column:
    """One column of an import/export file."""

    name: str  # canonical English header, written by exports
    type: FieldType
    description: str
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: Any = None  # value used for a blank cell (None = no value)
    rules: str = ""
    keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(normalise(a) for a in (self.name, *self.aliases)))
