"""The scorecard's inputs as polars data frames, read from the database (or built directly by a benchmark).

Only pseudonymous keys travel here: ``person_id`` is the surrogate key, no name or HETU is read. Dates are
``pl.Date``; an open range has a null end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Date, Enum, Float, Numeric, String, cast, select
from sqlalchemy.orm import Session

from alue.area.models import AreaStatistic
from alue.casework.models import CaseAssignment
from alue.employers.models import Employer, EmployerServiceEvent
from alue.people.models import (
    CustomerGroupMembership,
    EmploymentEpisode,
    JobseekingSpell,
    Person,
    Residence,
    StatusPeriod,
)
from alue.scorecard.models import ShortageOccupation, SurveyScore
from alue.services.models import Participation, Partner, Service
from alue.surveys.results import answer_scores

DATE = pl.Date
INT = pl.Int64
STR = pl.String

#: Schema of every input frame: column → dtype.
SCHEMAS: dict[str, dict[str, Any]] = {
    "persons": {"person_id": INT, "birth_date": DATE, "home_municipality_code": STR, "education_level": STR},
    "residences": {"person_id": INT, "municipality_code": STR, "start_date": DATE, "end_date": DATE},
    "spells": {
        "spell_id": INT,
        "person_id": INT,
        "start_date": DATE,
        "end_date": DATE,
        "end_reason": STR,
    },
    "periods": {"person_id": INT, "status": STR, "start_date": DATE, "end_date": DATE},
    "groups": {"person_id": INT, "group": STR, "start_date": DATE, "end_date": DATE},
    "episodes": {"person_id": INT, "isco4": STR, "kind": STR, "start_date": DATE, "end_date": DATE},
    "participations": {
        "participation_id": INT,
        "person_id": INT,
        "service_line": STR,
        "start_date": DATE,
        "end_date": DATE,
        "cost": pl.Float64,
        "outcome": STR,
    },
    "assignments": {"person_id": INT, "service_line": STR, "start_date": DATE, "end_date": DATE},
    "employers": {"employer_id": INT, "municipality_code": STR, "founded_on": DATE},
    "employer_events": {"employer_id": INT, "event_date": DATE, "kind": STR, "municipality_code": STR},
    "partners": {"partner_id": INT, "municipality_code": STR, "partnership_agreement": pl.Boolean},
    "survey": {
        "survey_kind": STR,
        "response_date": DATE,
        "municipality_code": STR,
        "service_line": STR,
        "channel": STR,
        "score": pl.Float64,
    },
    "shortage": {"isco4": STR, "valid_from": DATE, "valid_to": DATE, "basis": STR, "source": STR},
    # the platform's own survey answers (``alue.surveys``): one row per answer and indicator it feeds, with
    # the answer's dimensions only; ``response_date`` is the first day of the answer's month
    "answers": {
        "indicator_id": STR,
        "series": STR,
        "series_rank": INT,
        "response_date": DATE,
        "municipality_code": STR,
        "service_line": STR,
        "channel": STR,
        "score": pl.Float64,
    },
}

#: For incremental rebuilds: the date column that places a row of a table in a month ("" = no date).
BUCKET_COLUMNS = {
    "persons": "",
    "residences": "start_date",
    "spells": "start_date",
    "periods": "start_date",
    "groups": "start_date",
    "episodes": "start_date",
    "participations": "start_date",
    "assignments": "start_date",
    "employers": "",
    "employer_events": "event_date",
    "partners": "",
    "survey": "response_date",
    "shortage": "",
    "answers": "response_date",
}


@dataclass
class Inputs:
    persons: pl.DataFrame
    residences: pl.DataFrame
    spells: pl.DataFrame
    periods: pl.DataFrame
    groups: pl.DataFrame
    episodes: pl.DataFrame
    participations: pl.DataFrame
    assignments: pl.DataFrame
    employers: pl.DataFrame
    employer_events: pl.DataFrame
    partners: pl.DataFrame
    survey: pl.DataFrame
    shortage: pl.DataFrame
    answers: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SCHEMAS["answers"]))

    @classmethod
    def empty(cls, **frames: pl.DataFrame) -> Inputs:
        """Empty frames of the right schema, replaced by the ones given."""
        values = {name: frames.get(name, pl.DataFrame(schema=schema)) for name, schema in SCHEMAS.items()}
        return cls(**{k: conform(k, v) for k, v in values.items()})

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast a frame to the table's schema (dates given as ISO text, as SQLite returns them, are parsed)."""
    schema = SCHEMAS[name]
    columns = []
    for column, dtype in schema.items():
        if column not in frame.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
            continue
        current = frame.schema[column]
        expr = pl.col(column)
        if dtype == DATE and current in (pl.String, pl.Utf8):
            expr = expr.str.slice(0, 10).str.to_date("%Y-%m-%d")
        elif dtype == DATE and current == pl.Datetime:
            expr = expr.dt.date()
        columns.append(expr.cast(dtype).alias(column))
    return frame.select(columns)


def _frame(
    connection: Connection, name: str, statement: Any, arrow: ArrowReader | None = None
) -> pl.DataFrame:
    """Run ``statement`` into a frame: through ``arrow`` when given (columnar, no Python object per value),
    else on the raw driver cursor (no per-row SQLAlchemy processing)."""
    schema = SCHEMAS[name]
    compiled = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    raw = arrow.read(compiled) if arrow is not None else None
    if raw is None:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        read_as = {c: (pl.String if dtype == DATE else dtype) for c, dtype in schema.items()}
        raw = pl.DataFrame(rows or None, schema=read_as, orient="row", infer_schema_length=None)
    if raw.height == 0:
        return pl.DataFrame(schema=schema)
    return conform(name, raw.rename(dict(zip(raw.columns, schema, strict=True))))


#: Rows of one Arrow batch (the driver's limit is below 2**31): a table fits in one, so its column types are
#: inferred from all of its rows.
BATCH_ROWS = 1_000_000_000


class ArrowReader:
    """Reads a SQLite file database through its ADBC driver, which hands the rows over as Arrow columns: the
    scorecard's inputs in about a quarter of the time the Python driver takes to build a tuple per row (see
    ``docs/decisions/0003-adbc-sqlite-reads.md``).

    The driver opens a connection of its own, so :meth:`for_session` offers one only when that connection
    sees what the session sees: a file database whose session has written nothing uncommitted (a SQLite
    connection without a write transaction reads the latest committed state, as a new one does). Anything
    else, or any error of the driver, means the rows are read as before."""

    def __init__(self, path: str) -> None:
        import adbc_driver_sqlite
        from adbc_driver_manager import AdbcConnection, AdbcStatement

        self._database = adbc_driver_sqlite.connect(path)
        self._connection = AdbcConnection(self._database)
        self._statement = AdbcStatement

    @classmethod
    def for_session(cls, connection: Connection) -> ArrowReader | None:
        if connection.dialect.name != "sqlite" or os.environ.get("ALUE_SQLITE_ARROW", "1") == "0":
            return None
        path = connection.engine.url.database
        dbapi = connection.connection.dbapi_connection
        if not path or path == ":memory:" or path.startswith("file:") or dbapi is None:
            return None
        if getattr(dbapi, "in_transaction", True) or not Path(path).is_file():
            return None
        try:
            return cls(path)
        except Exception:  # the driver is missing or cannot open the file: read as before
            return None

    def read(self, sql: str) -> pl.DataFrame | None:
        statement = self._statement(self._connection)
        try:
            # one batch: the column types are inferred from every row, not from the first thousand
            statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
            statement.set_sql_query(sql)
            stream, _ = statement.execute_query()
            return pl.DataFrame(stream)
        except Exception:  # e.g. a column whose values change type: read as before
            return None
        finally:
            statement.close()

    def close(self) -> None:
        self._connection.close()
        self._database.close()


def _plain(column: Any) -> Any:
    """The column without per-row result conversion: dates and enums as text, money as a float."""
    kind = column.type
    if isinstance(kind, Date):
        return cast(column, String).label(column.key)
    if isinstance(kind, Numeric):
        return cast(column, Float).label(column.key)
    if isinstance(kind, Enum):
        return cast(column, String).label(column.key)
    return column


def load_inputs(session: Session, *, in_area: list[str] | None = None) -> Inputs:
    """Read every input of the scorecard from the database (pseudonymous keys only).

    Dates are read without the ORM's per-row conversion (SQLite returns ISO text, parsed in bulk by polars).
    """
    connection = session.connection()

    def raw(*columns: Any) -> Any:
        return select(*[_plain(c) for c in columns])

    statements = {
        "persons": raw(Person.id, Person.birth_date, Person.home_municipality_code, Person.education_level),
        "residences": raw(
            Residence.person_id, Residence.municipality_code, Residence.start_date, Residence.end_date
        ),
        "spells": raw(
            JobseekingSpell.id,
            JobseekingSpell.person_id,
            JobseekingSpell.start_date,
            JobseekingSpell.end_date,
            JobseekingSpell.end_reason,
        ),
        "periods": raw(
            StatusPeriod.person_id, StatusPeriod.status, StatusPeriod.start_date, StatusPeriod.end_date
        ),
        "groups": raw(
            CustomerGroupMembership.person_id,
            CustomerGroupMembership.group,
            CustomerGroupMembership.start_date,
            CustomerGroupMembership.end_date,
        ),
        "episodes": raw(
            EmploymentEpisode.person_id,
            EmploymentEpisode.isco4,
            EmploymentEpisode.kind,
            EmploymentEpisode.start_date,
            EmploymentEpisode.end_date,
        ),
        "participations": raw(
            Participation.id,
            Participation.person_id,
            Service.service_line,
            Participation.start_date,
            Participation.end_date,
            Participation.cost,
            Participation.outcome,
        ).join_from(Participation, Service, Service.id == Participation.service_id),
        "assignments": raw(
            CaseAssignment.person_id,
            CaseAssignment.service_line,
            CaseAssignment.start_date,
            CaseAssignment.end_date,
        ),
        "employers": raw(Employer.id, Employer.municipality_code, Employer.founded_on),
        "employer_events": raw(
            EmployerServiceEvent.employer_id,
            EmployerServiceEvent.event_date,
            EmployerServiceEvent.kind,
            EmployerServiceEvent.municipality_code,
        ),
        "partners": raw(Partner.id, Partner.municipality_code, Partner.partnership_agreement).where(
            Partner.active.is_(True)
        ),
        "survey": raw(
            SurveyScore.survey_kind,
            SurveyScore.response_date,
            SurveyScore.municipality_code,
            SurveyScore.service_line,
            SurveyScore.channel,
            SurveyScore.score,
        ),
        "shortage": raw(
            ShortageOccupation.isco4,
            ShortageOccupation.valid_from,
            ShortageOccupation.valid_to,
            ShortageOccupation.basis,
            ShortageOccupation.source,
        ),
    }
    arrow = ArrowReader.for_session(connection)
    try:
        frames = {name: _frame(connection, name, stmt, arrow) for name, stmt in statements.items()}
    finally:
        if arrow is not None:
            arrow.close()
    frames["answers"] = load_answers(session)
    return Inputs(**frames)


def load_answers(session: Session) -> pl.DataFrame:
    """The platform's own survey answers as scores per indicator (``alue.surveys.results.answer_scores``:
    only the answer tables are read, never a token or a person)."""
    scores = answer_scores(session=session)
    if not scores:
        return pl.DataFrame(schema=SCHEMAS["answers"])
    raw = pl.DataFrame(
        [
            (
                s.indicator_id,
                s.series,
                s.series_rank,
                f"{s.month}-01",
                s.municipality_code,
                s.service_line,
                s.service_channel,
                s.score,
            )
            for s in scores
        ],
        schema={c: (pl.String if t == DATE else t) for c, t in SCHEMAS["answers"].items()},
        orient="row",
    )
    return conform("answers", raw)


def load_official_series(session: Session, statistic: str, area_codes: list[str]) -> pl.DataFrame:
    """An official monthly series of ``area_statistic`` (source ``official``) for the given area codes."""
    rows = session.execute(
        select(AreaStatistic.area_code, AreaStatistic.month, AreaStatistic.value).where(
            AreaStatistic.statistic == statistic,
            AreaStatistic.area_code.in_(area_codes),
            AreaStatistic.source == "official",
        )
    ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"area_code": pl.String, "month": pl.String, "value": pl.Float64},
        orient="row",
    )
