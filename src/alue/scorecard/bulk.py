"""Write a polars frame into a table fast: the driver's ``executemany`` (SQLite) or ``COPY`` (PostgreSQL),
inside the session's transaction. Fact tables are rewritten wholesale, so the ORM's per-row work is skipped.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Table
from sqlalchemy.orm import Session


def insert_frame(session: Session, table: Table, frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` (its columns named as the table's) into ``table``."""
    if frame.height == 0:
        return 0
    columns = [c for c in frame.columns if c in table.c]
    connection = session.connection()
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    names = ", ".join(columns)
    dialect = connection.dialect.name
    cursor = dbapi.cursor()
    try:
        if dialect == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in frame.select(columns).iter_rows():
                    copy.write_row(row)
        elif dialect == "sqlite":
            date_columns = [c for c in columns if frame.schema[c] in (pl.Date, pl.Datetime)]
            prepared = frame.select(columns).with_columns(
                [
                    pl.col(c).dt.strftime(
                        "%Y-%m-%d %H:%M:%S.%f" if frame.schema[c] == pl.Datetime else "%Y-%m-%d"
                    )
                    for c in date_columns
                ]
            )
            marks = ", ".join("?" for _ in columns)
            # rows built column by column (each column converted once) rather than value by value
            rows = list(zip(*(prepared.get_column(c).to_list() for c in columns), strict=True))
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        else:
            connection.execute(table.insert(), frame.select(columns).to_dicts())
    finally:
        cursor.close()
    return frame.height
