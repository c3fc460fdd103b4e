"""Referential integrity of the demo: every foreign key of the demo's tables points to an existing row."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from alue.demo.writer import DEMO_TABLES
from alue.models import Base  # imports every domain's tables


@pytest.mark.parametrize("table_name", list(DEMO_TABLES))
def test_foreign_keys_resolve(demo_engine: Engine, table_name: str) -> None:
    table = Base.metadata.tables[table_name]
    with demo_engine.connect() as conn:
        assert conn.execute(text(f'SELECT COUNT(*) FROM "{table_name}"')).scalar_one() > 0
        for fk in table.foreign_keys:
            column = fk.parent.name
            target = fk.column.table.name
            orphans = conn.execute(
                text(
                    f'SELECT COUNT(*) FROM "{table_name}" t LEFT JOIN "{target}" r '
                    f'ON r."{fk.column.name}" = t."{column}" '
                    f'WHERE t."{column}" IS NOT NULL AND r."{fk.column.name}" IS NULL'
                )
            ).scalar_one()
            assert orphans == 0, f"{table_name}.{column} → {target}: {orphans} orphans"


def test_sqlite_foreign_key_check_is_clean(demo_engine: Engine) -> None:
    if demo_engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with demo_engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
