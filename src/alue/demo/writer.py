"""Bulk writing of column tables: SQLite ``executemany`` in large batches, PostgreSQL ``COPY``.

No ORM objects: rows go straight through the DBAPI driver. On SQLite the writer turns off synchronous
writes and foreign-key checks for the load (the generator assigns every id itself and the tests check
referential integrity afterwards); on PostgreSQL it streams rows with psycopg's ``cursor.copy`` and
moves each table's id sequence past the ids it wrote.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine

from alue.demo.columns import iso_dates

BATCH = 50_000

#: Tables the demo fills, parents first.
DEMO_TABLES = (
    "partner",
    "service",
    "staff_member",
    "staff_municipality",
    "team",
    "team_membership",
    "delegation",
    "person",
    "person_residence",
    "person_occupation",
    "customer_group_membership",
    "employer",
    "jobseeking_spell",
    "status_period",
    "vacancy",
    "employment_episode",
    "employer_service_event",
    "participation",
    "consent",
    "referral",
    "service_need_assessment",
    "meeting",
    "employment_plan",
    "case_assignment",
)


def dates(values: Any) -> list[str | None]:
    return iso_dates(values)


def to_list(values: Any) -> list[Any]:
    if isinstance(values, np.ndarray):
        return values.tolist()  # type: ignore[no-any-return]
    return list(values)


def json_list(values: Iterable[Any]) -> list[str]:
    return [json.dumps(v, ensure_ascii=False) for v in values]


class BulkWriter:
    """Writes column batches into one database connection inside one transaction."""

    def __init__(self, engine: Engine, on_rows: Callable[[str, int], None] | None = None) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.rows: dict[str, int] = {}
        self.seconds = 0.0
        self.on_rows = on_rows
        self._raw: Any = None
        self._dropped: dict[str, list[str]] = {}
        self.table_seconds: dict[str, float] = {}

    def __enter__(self) -> BulkWriter:
        self._raw = self.engine.raw_connection()
        cur = self._raw.cursor()
        if self.dialect == "sqlite":
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA wal_autocheckpoint=0")
        elif self.dialect == "postgresql":
            try:
                cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
            except Exception:  # not a superuser: keep the checks, roll back the failed statement
                self._raw.rollback()
            cur.execute("SET TIME ZONE 'Europe/Helsinki'")  # timestamps are Helsinki wall-clock time
        cur.close()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                if self.dialect == "sqlite":
                    clock = time.perf_counter()
                    self._rebuild_indexes()
                    self.seconds += time.perf_counter() - clock
                    self.table_seconds["(indexes)"] = time.perf_counter() - clock
                if self.dialect == "postgresql":
                    self._fix_sequences()
                    cur = self._raw.cursor()
                    cur.execute("SET session_replication_role = DEFAULT")
                    cur.close()
                self._raw.commit()
            else:
                self._raw.rollback()
        finally:
            if self.dialect == "sqlite":
                cur = self._raw.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA wal_autocheckpoint=1000")
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cur.close()
            self._raw.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        cur = self._raw.cursor()
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")
        cur.execute(sql, params)
        cur.close()

    def _drop_indexes(self, table: str) -> None:
        """SQLite: drop a table's secondary indexes for the load; they are rebuilt at the end (faster)."""
        if self.dialect != "sqlite" or table in self._dropped:
            return
        cur = self._raw.cursor()
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
        found = cur.fetchall()
        for name, _sql in found:
            cur.execute(f'DROP INDEX "{name}"')
        self._dropped[table] = [sql for _, sql in found]
        cur.close()

    def _rebuild_indexes(self) -> None:
        cur = self._raw.cursor()
        for statements in self._dropped.values():
            for sql in statements:
                cur.execute(sql)
        cur.close()
        self._dropped = {}

    def write(self, table: str, columns: Mapping[str, Sequence[Any] | np.ndarray]) -> int:
        """Insert the rows given column-wise as lists or NumPy arrays (every column the same length)."""
        names = list(columns)
        lists = [to_list(columns[n]) for n in names]
        n = len(lists[0]) if lists else 0
        if n == 0:
            return 0
        for name, values in zip(names, lists, strict=True):
            if len(values) != n:
                raise ValueError(f"{table}.{name}: {len(values)} values, expected {n}")
        clock = time.perf_counter()
        quoted = ", ".join(f'"{c}"' for c in names)
        cur = self._raw.cursor()
        if self.dialect == "postgresql":
            with cur.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in zip(*lists, strict=True):
                    copy.write_row(row)
        else:
            self._drop_indexes(table)
            marks = ", ".join("?" for _ in names)
            sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
            rows = list(zip(*lists, strict=True))
            for i in range(0, n, BATCH):
                cur.executemany(sql, rows[i : i + BATCH])
        cur.close()
        elapsed = time.perf_counter() - clock
        self.seconds += elapsed
        self.table_seconds[table] = self.table_seconds.get(table, 0.0) + elapsed
        self.rows[table] = self.rows.get(table, 0) + n
        if self.on_rows:
            self.on_rows(table, n)
        return n

    def _fix_sequences(self) -> None:
        cur = self._raw.cursor()
        for table in self.rows:
            cur.execute(
                "SELECT pg_get_serial_sequence(%s, 'id') FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s AND column_name = 'id'",
                (f'"{table}"', table),
            )
            row = cur.fetchone()
            if row and row[0]:
                cur.execute(f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table}"), 1))', (row[0],))
        cur.close()


def clear_demo_data(engine: Engine, area_codes: Sequence[str]) -> None:
    """Delete what an earlier demo build wrote (and rows of other tables that point to it)."""
    meta = MetaData()
    meta.reflect(bind=engine)
    demo = [t for t in DEMO_TABLES if t in meta.tables]
    # tables outside the demo's own that reference its tables must be emptied first
    dependents: set[str] = set()
    changed = True
    targets = set(demo)
    while changed:
        changed = False
        for name, table in meta.tables.items():
            if name in targets or name in dependents:
                continue
            if any(fk.column.table.name in targets | dependents for fk in table.foreign_keys):
                dependents.add(name)
                changed = True
    order = [t.name for t in reversed(meta.sorted_tables) if t.name in targets | dependents]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql" and order:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in order) + " RESTART IDENTITY CASCADE"))
        else:
            for name in order:
                conn.execute(text(f'DELETE FROM "{name}"'))
        if "area_statistic" in meta.tables and area_codes:
            codes = list(area_codes)
            for i in range(0, len(codes), 500):
                chunk = codes[i : i + 500]
                marks = ", ".join(f":c{j}" for j in range(len(chunk)))
                conn.execute(
                    text(
                        "DELETE FROM area_statistic WHERE source IN ('official', 'projected', 'demo') "
                        f"AND area_code IN ({marks})"
                    ),
                    {f"c{j}": c for j, c in enumerate(chunk)},
                )


def table_columns(engine: Engine, table: str) -> list[str]:
    return [c["name"] for c in inspect(engine).get_columns(table)]
