"""``alue serve``, ``alue users …`` and ``alue audit …``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from alue.shared import audit, auth
from alue.shared.audit import Actor, AuditAction, AuditPurpose, AuditQuery
from alue.shared.auth import Role, User
from alue.shared.db import get_engine, session_scope
from alue.shared.identifiers import InvalidIdentifier, validate_hetu
from alue.shared.time import parse_date

console = Console()
err = Console(stderr=True)
users_app = typer.Typer(help="Sign-in accounts of the staff application.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
CLI_ACTOR = Actor.command_line()


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
    workers: int = typer.Option(1, help="Worker processes (not with --reload)."),
    proxy_headers: bool = typer.Option(
        False, "--proxy-headers", help="Trust X-Forwarded-Proto/For from the TLS-terminating proxy."
    ),
) -> None:
    """Run the web application (http://127.0.0.1:8000 by default)."""
    import uvicorn

    # the occupation coder is prepared as each worker starts, and no request waits for it to be built
    os.environ.setdefault("ALUE_WEB_PREPARE_CODER", "1")

    uvicorn.run(
        "alue.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="*" if proxy_headers else None,
    )


@users_app.command("create")
def create_user(
    username: Annotated[str, typer.Option(help="Sign-in name (stored lower-case).")],
    role: Annotated[Role, typer.Option(help="Role of the account.")],
    password: str | None = typer.Option(None, help="Password; asked for when omitted (not echoed)."),
    name: str = typer.Option("", help="Display name."),
    staff_id: int | None = typer.Option(
        None, help="Linked staff member (case workers, team leads, employer services)."
    ),
    municipality: Annotated[
        list[str] | None,
        typer.Option("--municipality", help="Municipality code (municipal representatives); repeatable."),
    ] = None,
    oidc_only: bool = typer.Option(
        False, "--oidc-only", help="No password: the account signs in only through OIDC."
    ),
) -> None:
    """Create an account, e.g. the first administrator: ``alue users create --username admin --role admin``"""
    secret: str | None = None
    if not oidc_only:
        secret = password
        if secret is None:
            secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session_scope(get_engine()) as session:
        try:
            user = auth.create_user(
                session,
                username=username,
                role=role,
                display_name=name,
                password=secret,
                staff_id=staff_id,
                municipality_codes=municipality or [],
            )
        except (auth.AccountError, auth.PasswordPolicyError) as exc:
            err.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from exc
        audit.append(
            session,
            actor=CLI_ACTOR,
            action=AuditAction.CREATE,
            object_type="user",
            object_id=user.id,
            purpose=AuditPurpose.ADMINISTRATION,
            details={"username": user.username, "role": role.value},
        )
        console.print(f"[green]Created[/] {user.username} ({role.value})")


@users_app.command("list")
def list_users() -> None:
    """List the accounts."""
    with session_scope(get_engine()) as session:
        table = Table("username", "role", "staff", "municipalities", "active", "oidc")
        for user in session.scalars(select(User).order_by(User.username)):
            table.add_row(
                escape(user.username),
                user.role.value,
                str(user.staff_id or ""),
                ",".join(user.municipality_codes),
                "yes" if user.active else "no",
                "yes" if user.oidc_subject else "",
            )
        console.print(table)


@users_app.command("token")
def create_token(
    username: str = typer.Option(..., help="The account the token acts as."),
    name: str = typer.Option("api", help="What the token is for."),
    days: int = typer.Option(90, min=1, max=366, help="Validity in days."),
) -> None:
    """Make a bearer token for the JSON API; it is shown once and only its hash is stored."""
    with session_scope(get_engine()) as session:
        user = session.scalar(select(User).where(User.username == auth.normalise_username(username)))
        if user is None or not user.active:
            err.print("[red]No such active user[/]")
            raise typer.Exit(2)
        token = auth.create_api_token(session, user=user, name=name, days=days)
        audit.append(
            session,
            actor=CLI_ACTOR,
            action=AuditAction.CREATE,
            object_type="api_token",
            object_id=user.id,
            purpose=AuditPurpose.ADMINISTRATION,
            details={"name": name, "days": days},
        )
    console.print(token)


@audit_app.command("verify")
def verify_chain() -> None:
    """Check the whole hash chain; exits 1 and names the first bad row when it has been tampered with."""
    with session_scope(get_engine()) as session:
        result = audit.verify(session)
    if result.ok:
        console.print(f"[green]Audit log intact[/]: {result.rows_checked} rows")
        return
    err.print(
        f"[red]Audit log broken at row {result.first_bad_id}[/]: {result.reason} "
        f"({result.rows_checked} rows before it are intact)"
    )
    raise typer.Exit(1)


@audit_app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV file; standard output when omitted.")
    ] = None,
    actor: str | None = typer.Option(None, help="Only this username."),
    person_id: int | None = typer.Option(None, help="Only rows about this person."),
    action: str | None = typer.Option(None, help="Only this event, e.g. read."),
    since: str | None = typer.Option(None, help="From this date (31.1.2026 or 2026-01-31)."),
    until: str | None = typer.Option(None, help="Until this date, inclusive."),
) -> None:
    """Export the audit log (or part of it) as CSV with the hashes; the export itself is audited."""
    query = AuditQuery(
        actor=actor,
        person_id=person_id,
        action=action,
        since=parse_date(since) if since else None,
        until=parse_date(until) if until else None,
    )
    with session_scope(get_engine()) as session:
        audit.append_review(session, actor=CLI_ACTOR, action=AuditAction.EXPORT, query=query)
        session.commit()
        handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for chunk in audit.export_csv(session, query):
                handle.write(chunk)
        finally:
            if output:
                handle.close()
    if output:
        console.print(f"[green]Wrote[/] {output}")


@audit_app.command("access-report")
def access_report(
    hetu: str = typer.Option(..., prompt=True, hide_input=True, help="The person's full HETU."),
) -> None:
    """GDPR: who has handled the data of the person with this identity code (the report is audited)."""
    from alue.people.models import Person

    try:
        code = validate_hetu(hetu)
    except InvalidIdentifier as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    with session_scope(get_engine()) as session:
        person = session.scalar(select(Person).where(Person.hetu == code))
        if person is None:
            err.print("[red]No customer has this identity code[/]")
            raise typer.Exit(2)
        rows = audit.access_report(session, person_id=person.id)
        audit.append(
            session,
            actor=CLI_ACTOR,
            action=AuditAction.ACCESS_REPORT,
            object_type="person",
            object_id=person.id,
            person_id=person.id,
            purpose=AuditPurpose.DATA_SUBJECT_REQUEST,
        )
        table = Table("time (UTC)", "who", "role", "event", "purpose")
        for row in rows:
            table.add_row(
                row.at.strftime("%Y-%m-%d %H:%M"),
                escape(row.actor_username),
                row.actor_role,
                row.action,
                row.purpose,
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
