from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from alue.area.models import Municipality, ServicePoint
from alue.models import Base
from alue.shared import migrate
from alue.shared.db import make_engine


def test_single_migration_head() -> None:
    assert len(migrate.heads()) == 1, f"more than one migration head: {migrate.heads()}"


def test_migration_ids_are_zero_padded() -> None:
    for path in migrate.migrations_dir().glob("versions/*.py"):
        prefix = path.name.split("_", 1)[0]
        assert prefix.isdigit(), path.name
        assert len(prefix) == 4, path.name


def test_migrations_create_every_model_table(engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_area_synced(session: Session) -> None:
    in_area = session.scalars(select(Municipality.code).where(Municipality.in_area)).all()
    assert len(in_area) == 11
    assert session.scalar(select(ServicePoint).where(ServicePoint.key == "pori-toimipiste")).kind == "office"


def test_downgrade_to_base_and_up_again(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    engine.dispose()


def test_models_and_migrations_agree(engine) -> None:
    """Every model change has a migration: autogenerate would find nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # Expression indexes (e.g. lower(last_name) for case-insensitive search on PostgreSQL) exist only in
    # the migrations; the models cannot declare them portably.
    diff = [
        d
        for d in diff
        if not (d[0] == "remove_index" and not all(hasattr(c, "name") for c in d[1].expressions))
    ]
    assert diff == [], diff
