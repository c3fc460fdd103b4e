"""What every import kind shares: parsed rows, the import context, reference resolvers and upserts."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.employers.models import Employer, Vacancy
from alue.io.fields import BusinessId, Column, Hetu, Lookups, Text
from alue.io.messages import Message
from alue.people.models import Person
from alue.services.models import Service

Outcome = Literal["inserted", "updated", "unchanged"]
IN_CHUNK = 500  # identifiers per IN (…) query


#: In what a personal kind's ``export`` yields: the id of the person whose data the row is (not a column;
#: the export's audit row lists these persons, so that each one's access report shows the export).
PERSON_ID = "_person_id"


@dataclass
class ParsedRow:
    """One data row: its number in the file, its original cells and its parsed values."""

    row: int
    cells: list[str]
    #: canonical column name → parsed value, for the columns the file has (a blank cell → the default)
    values: dict[str, Any]
    #: (canonical column name, message) pairs; the messages are :class:`~alue.io.messages.Message` s
    errors: list[tuple[str, str]] = field(default_factory=list)
    outcome: Outcome | None = None
    #: the occupation coder's certainty, when the import coded the row's occupation from its title
    coded_score: float | None = None
    #: the person whose data the row is, once known (a personal kind's import lists them in its audit row)
    person_id: int | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    def given(self, column: str) -> bool:
        """Whether the cell holds something (a value, or text that failed to parse)."""
        return self.values.get(column) is not None or any(c == column for c, _ in self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportContext:
    """State shared by the batches of one import."""

    def __init__(self, session: Session, lookups: Lookups, present: set[str]) -> None:
        self.session = session
        self.lookups = lookups
        self.present = present
        self.seen: dict[tuple[Any, ...], int] = {}
        self.persons = PersonRefs(session)
        self.employers = KeyedRefs(session, Employer, Employer.business_id)
        self.services = KeyedRefs(session, Service, Service.code)
        self.vacancies = VacancyRefs(session)

    def claim(self, row: ParsedRow, key: tuple[Any, ...], column: str, what: str) -> bool:
        """Record a natural key; a second row with the same key in the file is an error.

        ``what`` names the key for the message, e.g. ``Message("customer number")``."""
        first = self.seen.get(key)
        if first is not None and first != row.row:
            row.error(column, Message("the same %(what)s is already on row %(row)s", what=what, row=first))
            return False
        self.seen[key] = row.row
        return True


def chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class KeyedRefs:
    """Look up rows of a table by a unique key, in batches, caching what was found."""

    def __init__(self, session: Session, model: Any, key_column: Any) -> None:
        self.session, self.model, self.key_column = session, model, key_column
        self.cache: dict[str, Any] = {}

    def prefetch(self, keys: Iterable[str | None]) -> None:
        wanted = sorted({k for k in keys if k and k not in self.cache})
        for part in chunks(wanted):
            for obj in self.session.scalars(select(self.model).where(self.key_column.in_(part))):
                self.cache[getattr(obj, self.key_column.key)] = obj

    def get(self, key: str) -> Any:
        if key not in self.cache:
            self.prefetch([key])
        return self.cache.get(key)


class VacancyRefs(KeyedRefs):
    """Vacancies by external id. A vacancy created in alue without one is known as ``alue-<id>``."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, Vacancy, Vacancy.external_id)

    def prefetch(self, keys: Iterable[str | None]) -> None:
        wanted = [k for k in keys if k and k not in self.cache]
        super().prefetch(wanted)
        native = {}
        for key in wanted:
            if key not in self.cache and key.startswith("alue-") and key[5:].isdigit():
                native[int(key[5:])] = key
        for part in chunks(sorted(native)):
            query = select(Vacancy).where(Vacancy.id.in_(part), Vacancy.external_id.is_(None))
            for obj in self.session.scalars(query):
                self.cache[native[obj.id]] = obj


def vacancy_key(vacancy: Vacancy) -> str:
    return vacancy.external_id or f"alue-{vacancy.id}"


class PersonRefs:
    """Resolve a person from the ``hetu`` and/or ``customer_number`` columns of a row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_hetu: dict[str, tuple[int, str]] = {}
        self.by_number: dict[str, tuple[int, str]] = {}
        self._missing: set[tuple[str, str]] = set()

    def _remember(self, person_id: int, hetu: str, number: str) -> None:
        self.by_hetu[hetu] = (person_id, number)
        self.by_number[number] = (person_id, hetu)

    def prefetch(
        self, rows: Iterable[ParsedRow], hetu_column: str = "hetu", number_column: str = "customer_number"
    ) -> None:
        hetus, numbers = set(), set()
        for r in rows:
            if r.values.get(hetu_column):
                hetus.add(r.values[hetu_column])
            if r.values.get(number_column):
                numbers.add(r.values[number_column])
        hetus -= self.by_hetu.keys() | {k for kind, k in self._missing if kind == "h"}
        numbers -= self.by_number.keys() | {k for kind, k in self._missing if kind == "n"}
        columns = (Person.id, Person.hetu, Person.customer_number)
        for part in chunks(sorted(hetus)):
            for pid, hetu, number in self.session.execute(select(*columns).where(Person.hetu.in_(part))):
                self._remember(pid, hetu, number)
        for part in chunks(sorted(numbers)):
            query = select(*columns).where(Person.customer_number.in_(part))
            for pid, hetu, number in self.session.execute(query):
                self._remember(pid, hetu, number)
        self._missing |= {("h", h) for h in hetus if h not in self.by_hetu}
        self._missing |= {("n", n) for n in numbers if n not in self.by_number}

    def resolve(
        self, row: ParsedRow, hetu_column: str = "hetu", number_column: str = "customer_number"
    ) -> int | None:
        hetu = row.values.get(hetu_column)
        number = row.values.get(number_column)
        if not hetu and not number:
            row.error(
                hetu_column,
                Message(
                    "give the person's %(hetu_column)s or %(number_column)s",
                    hetu_column=hetu_column,
                    number_column=number_column,
                ),
            )
            return None
        found_by_hetu = self.by_hetu.get(hetu) if hetu else None
        found_by_number = self.by_number.get(number) if number else None
        if hetu and found_by_hetu is None:
            row.error(hetu_column, Message("no person with HETU %(hetu)s", hetu=hetu))
            return None
        if number and found_by_number is None:
            row.error(number_column, Message("no person with customer number %(number)s", number=number))
            return None
        if found_by_hetu and found_by_number and found_by_hetu[0] != found_by_number[0]:
            row.error(
                number_column,
                Message(
                    "customer number %(number)s belongs to another person than HETU %(hetu)s",
                    number=number,
                    hetu=hetu,
                ),
            )
            return None
        row.person_id = (found_by_hetu or found_by_number)[0]  # type: ignore[index]
        return row.person_id


def person_columns(required: bool = True) -> tuple[Column, Column]:
    """The two columns that identify a person in every file that refers to one."""
    need = " (this or customer_number)" if required else ""
    return (
        Column(
            "hetu",
            Hetu(),
            "the person's henkilötunnus" + need,
            "010190-901R",
            aliases=("henkilotunnus", "henkilötunnus", "sotu", "personbeteckning"),
            rules="the person must exist (import persons first)",
        ),
        Column(
            "customer_number",
            Text(12),
            "the person's customer number" + need,
            "1002003004",
            aliases=("asiakasnumero", "asiakasnro", "kundnummer"),
            rules="the person must exist; if both are given they must be the same person",
        ),
    )


def employer_column(name: str = "business_id", required: bool = True, description: str = "") -> Column:
    return Column(
        name,
        BusinessId(),
        description or "the employer's Y-tunnus",
        "0112038-9",
        required=required,
        aliases=("ytunnus", "y-tunnus", "y_tunnus", "fo-nummer", "tyonantaja"),
        rules="the employer must exist (import employers first)",
    )


class Kind:
    """One kind of import/export file. Subclasses set the columns and implement ``apply`` and ``export``."""

    name: ClassVar[str]
    title: ClassVar[str]
    summary: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    natural_key: ClassVar[str]
    #: the file holds data about people: exports go through the audit hook with actor and purpose
    personal: ClassVar[bool] = True
    #: the kind needs every row at once (rows of one spell may be anywhere in the file)
    whole_file: ClassVar[bool] = False
    #: groups of columns of which the file must have at least one
    one_of: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def check(self, row: ParsedRow) -> None:
        """Checks within a row (end before start, …): add errors to the row."""

    def apply(self, ctx: ImportContext, rows: list[ParsedRow]) -> None:
        """Validate a batch against the database and upsert its good rows, setting each row's outcome."""
        raise NotImplementedError

    def export(self, session: Session) -> Iterator[dict[str, Any]]:
        """Every row of this kind as canonical column name → value, in a stable order."""
        raise NotImplementedError

    # helpers -------------------------------------------------------------------------------------

    def insert_values(self, values: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
        """Attribute values for a new object: the row's values, or each column's default."""
        result = {}
        for column_name, attr in mapping.items():
            value = values[column_name] if column_name in values else self.column(column_name).default
            result[attr] = copy.copy(value)
        return result

    def update_values(self, values: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
        """Attribute values for an existing object: only the columns the file has."""
        return {attr: values[column_name] for column_name, attr in mapping.items() if column_name in values}


def assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; return whether anything changed."""
    changed = False
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    return changed


def upsert(
    session: Session,
    row: ParsedRow,
    existing: Any,
    model: Any,
    insert: dict[str, Any],
    update: dict[str, Any],
) -> Any:
    """Insert or update one object and record the row's outcome."""
    if existing is None:
        obj = model(**insert)
        session.add(obj)
        row.outcome = "inserted"
        return obj
    row.outcome = "updated" if assign(existing, update) else "unchanged"
    return existing
