"""``alue db …``: database set-up."""

from __future__ import annotations

import typer
from rich.console import Console

from alue.area.config import load_area
from alue.area.service import sync_area
from alue.settings import get_settings
from alue.shared import migrate
from alue.shared.db import get_engine, redact_url, session_scope

console = Console()
db_app = typer.Typer(help="Create and upgrade the database.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to upgrade to.")) -> None:
    """Apply the migrations and load the area's municipalities and service points."""
    engine = get_engine()
    migrate.upgrade(engine, revision)
    with session_scope(engine) as session:
        sync_area(session=session, area=load_area())
    console.print(f"[green]Database is at {revision}[/] ({redact_url(get_settings().database_url)})")


@db_app.command("heads")
def heads() -> None:
    """Print the migration head(s); there must be exactly one."""
    for head in migrate.heads():
        console.print(head)


def demo_users() -> None:
    """Create (or reset) one demo user per role and print the credentials (development databases only)."""
    from rich.table import Table

    from alue.shared.auth import create_demo_users

    with session_scope(get_engine()) as session:
        users = create_demo_users(session=session)
    table = Table(title="Demo users (development only)")
    for column in ("username", "password", "role"):
        table.add_column(column)
    for username, password, role in users:
        table.add_row(username, password, role)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("demo-users")(demo_users)
