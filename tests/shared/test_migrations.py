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
        assert prefix.isdigit() and len(prefix) == 4, path.name


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
