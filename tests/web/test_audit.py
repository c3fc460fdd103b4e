"""The audit log: one row per read, a hash chain that detects tampering, append-only triggers, concurrency."""

from __future__ import annotations

import csv
import json
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alue.employers.models import Employer
from alue.people.models import Person
from alue.settings import get_settings
from alue.shared import audit, migrate
from alue.shared.audit import Actor, AuditAction, AuditEvent, AuditPurpose, AuditQuery
from alue.shared.auth import Role
from alue.shared.db import get_engine, make_engine
from alue.web import cli as web_cli
from tests.web.conftest import page_csrf
from tests.web.factories import World, make_employer


def person_rows(engine: Engine, person_id: int) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.person_id == person_id).order_by(AuditEvent.id)
            )
        )


def total_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("path", ["/persons/{id}", "/api/v1/persons/{id}"])
def test_reading_a_jobseeker_writes_exactly_one_audit_row(
    clients: dict[Role, TestClient], world: World, web_engine: Engine, path: str
) -> None:
    client = clients[Role.CASE_WORKER]
    before_person, before_all = len(person_rows(web_engine, world.person_in_scope)), total_rows(web_engine)
    response = client.get(path.format(id=world.person_in_scope))
    assert response.status_code == 200
    rows = person_rows(web_engine, world.person_in_scope)
    assert len(rows) == before_person + 1
    assert total_rows(web_engine) == before_all + 1
    row = rows[-1]
    assert (row.action, row.object_type, row.purpose) == ("read", "person", "casework")
    assert row.actor_username == world.users[Role.CASE_WORKER]
    assert row.actor_role == "case_worker"


def test_a_refused_read_writes_no_person_row(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    before = len(person_rows(web_engine, world.person_out_of_scope))
    assert clients[Role.CASE_WORKER].get(f"/persons/{world.person_out_of_scope}").status_code == 404
    assert clients[Role.ANALYST].get(f"/persons/{world.person_out_of_scope}").status_code == 403
    assert len(person_rows(web_engine, world.person_out_of_scope)) == before


def test_search_is_audited_without_the_search_term(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    client = clients[Role.CASE_WORKER]
    before = total_rows(web_engine)
    client.post(
        "/persons/search", data={"query": world.hetu_in_scope, "csrf_token": page_csrf(client, "/persons")}
    )
    assert total_rows(web_engine) == before + 1
    with Session(web_engine) as session:
        row = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert row is not None
    assert row.action == "search"
    assert row.person_id == world.person_in_scope
    assert world.hetu_in_scope not in row.details


def test_access_report_lists_who_read_the_person(clients: dict[Role, TestClient], world: World) -> None:
    clients[Role.TEAM_LEAD].get(f"/persons/{world.person_in_scope}")
    admin = clients[Role.ADMIN]
    page = admin.post(
        "/admin/access-report",
        data={"hetu": world.hetu_in_scope, "csrf_token": page_csrf(admin, "/admin/access-report")},
    )
    assert page.status_code == 200
    assert world.users[Role.TEAM_LEAD] in page.text
    report = admin.get(f"/api/v1/persons/{world.person_in_scope}/access-report").json()
    assert {r["actor_username"] for r in report} >= {
        world.users[Role.TEAM_LEAD],
        world.users[Role.CASE_WORKER],
    }
    assert (
        admin.post(
            "/admin/access-report",
            data={"hetu": "010190-123", "csrf_token": page_csrf(admin, "/admin/access-report")},
        ).status_code
        == 400
    )


def test_the_access_report_finds_the_lists_a_person_appeared_in(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    """A name search lists several people in one audit row; each of them finds it in their report."""
    client = clients[Role.CASE_WORKER]
    with Session(web_engine) as session:
        surname = session.scalar(select(Person.last_name).where(Person.id == world.person_in_scope))
    response = client.post(
        "/persons/search", data={"query": surname, "csrf_token": page_csrf(client, "/persons")}
    )
    assert response.status_code == 200
    with Session(web_engine) as session:
        row = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert row is not None
        assert (row.action, row.person_id) == ("search", None)
        listed = json.loads(row.details)["person_ids"]
        assert world.person_in_scope in listed
        for person_id in listed:
            assert row.id in [r.id for r in audit.access_report(session, person_id=person_id)]
        found, _total = audit.search(session, AuditQuery(person_id=world.person_in_scope, action="search"))
        assert row.id in [r.id for r in found]
        assert audit.verify(session).ok
    report = clients[Role.ADMIN].get(f"/api/v1/persons/{world.person_in_scope}/access-report").json()
    assert "search" in {r["action"] for r in report}


def test_audit_search_and_csv_export(clients: dict[Role, TestClient], world: World) -> None:
    admin = clients[Role.ADMIN]
    page = admin.get("/admin/audit", params={"actor": world.users[Role.CASE_WORKER], "action": "read"})
    assert page.status_code == 200
    assert world.users[Role.CASE_WORKER] in page.text
    export = admin.get("/admin/audit/export.csv", params={"customer_number": world.customer_number_in_scope})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("id,at,actor_user_id")
    assert len(lines) > 1
    rows = list(csv.DictReader(lines))
    assert all(  # the person's own rows, and the lists they appear in
        r["person_id"] == str(world.person_in_scope)
        or world.person_in_scope in json.loads(r["details"]).get("person_ids", [])
        for r in rows
    )


def test_reading_the_log_about_a_person_is_in_their_access_report(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    admin = clients[Role.ADMIN]
    by_customer = {"customer_number": world.customer_number_in_scope}
    assert admin.get("/admin/audit", params=by_customer).status_code == 200
    assert admin.get("/api/v1/audit", params={"person_id": world.person_in_scope}).status_code == 200
    assert admin.get("/admin/audit", params={"action": "login"}).status_code == 200
    with Session(web_engine) as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(3)))[::-1]
        assert [(r.action, r.object_type, r.person_id, r.purpose) for r in rows] == [
            ("read", "audit_log", world.person_in_scope, "audit_review"),
            ("read", "audit_log", world.person_in_scope, "audit_review"),
            ("read", "audit_log", None, "audit_review"),
        ]
        assert json.loads(rows[2].details)["action"] == "login"


def test_the_live_chain_verifies(web_engine: Engine, clients: dict[Role, TestClient], world: World) -> None:
    clients[Role.ADMIN].get(f"/persons/{world.person_in_scope}")
    with Session(web_engine) as session:
        result = audit.verify(session)
    assert result.ok, result
    assert result.rows_checked > 0


# ------------------------------------------------------------------------------- chain and tampering


@pytest.fixture
def audit_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A database of its own with ten audit rows, which the CLI reads through ALUE_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        for n in range(10):
            audit.append(
                session,
                actor=Actor(user_id=1, username="aino", role="case_worker"),
                action=AuditAction.READ,
                object_type="person",
                object_id=n,
                person_id=n,
                purpose=AuditPurpose.CASEWORK,
            )
        session.commit()
    monkeypatch.setenv("ALUE_DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield engine
    engine.dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def cli() -> typer.Typer:
    app = typer.Typer()
    web_cli.register(app)
    return app


def _append_list(engine: Engine, person_ids: list[int]) -> int:
    with Session(engine) as session:
        row = audit.append(
            session,
            actor=Actor(user_id=1, username="aino", role="case_worker"),
            action=AuditAction.READ,
            object_type="worklist",
            person_ids=person_ids,
            purpose=AuditPurpose.CASEWORK,
        )
        session.commit()
        return row.id


def test_a_list_row_indexes_its_persons_and_verify_checks_the_index(audit_db: Engine) -> None:
    event_id = _append_list(audit_db, [5, 3, 5, 8])
    with Session(audit_db) as session:
        assert json.loads(session.get(AuditEvent, event_id).details) == {"person_ids": [3, 5, 8]}  # type: ignore[union-attr]
        for person_id in (3, 5, 8):
            assert event_id in [r.id for r in audit.access_report(session, person_id=person_id)]
        assert event_id not in [r.id for r in audit.access_report(session, person_id=4)]
        assert audit.verify(session).ok
    for forged in ((event_id, 4), (3, 9), (event_id + 5, 1)):  # a made-up viewing; an index row of no row
        with audit_db.begin() as conn:
            conn.execute(
                text("INSERT INTO audit_subject (event_id, person_id) VALUES (:e, :p)"),
                {"e": forged[0], "p": forged[1]},
            )
        with Session(audit_db) as session:
            result = audit.verify(session)
        assert (result.ok, result.first_bad_id) == (False, forged[0])
        assert "audit_subject" in result.reason
        with audit_db.begin() as conn:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_subject_no_delete"))
            conn.execute(
                text("DELETE FROM audit_subject WHERE event_id = :e AND person_id = :p"),
                {"e": forged[0], "p": forged[1]},
            )
    with Session(audit_db) as session:
        assert audit.verify(session, batch=4).ok  # the index is checked batch by batch too


def test_the_migration_indexes_the_lists_logged_before_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0009")
    actor = Actor(user_id=1, username="aino", role="case_worker")
    with Session(engine) as session:  # rows written the old way: the ids in the details only
        for ids in ([4, 2], [], [2]):
            audit.append(
                session,
                actor=actor,
                action=AuditAction.SEARCH,
                object_type="person",
                purpose=AuditPurpose.CASEWORK,
                details={"person_ids": ids},
            )
        session.commit()
    migrate.upgrade(engine, "heads")
    with Session(engine) as session:
        assert [r.id for r in audit.access_report(session, person_id=2)] == [3, 1]
        assert [r.id for r in audit.access_report(session, person_id=4)] == [1]
        assert audit.verify(session).ok
    engine.dispose()


def test_the_index_of_listed_persons_refuses_update_and_delete(audit_db: Engine) -> None:
    _append_list(audit_db, [1, 2])
    with audit_db.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("UPDATE audit_subject SET person_id = 7"))
    with audit_db.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("DELETE FROM audit_subject"))


def test_audit_log_refuses_update_and_delete(audit_db: Engine) -> None:
    with audit_db.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("UPDATE audit_log SET actor_username = 'someone' WHERE id = 3"))
    with audit_db.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("DELETE FROM audit_log WHERE id = 10"))


def test_verify_passes_on_an_intact_chain(audit_db: Engine) -> None:
    result = CliRunner().invoke(cli(), ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "10 rows" in result.output


@pytest.mark.parametrize(
    ("tamper", "bad_row"),
    [
        ("UPDATE audit_log SET actor_username = 'someone-else' WHERE id = 4", 4),
        ("UPDATE audit_log SET details = '[]' WHERE id = 7", 7),
        ("DELETE FROM audit_log WHERE id = 5", 6),  # the gap shows at the next row
        ("DELETE FROM audit_log WHERE id >= 9", 9),  # rows cut off the end: the chain head remembers
    ],
)
def test_verify_names_the_first_edited_row(audit_db: Engine, tamper: str, bad_row: int) -> None:
    with audit_db.begin() as conn:  # someone with the owner's rights removes the guard and edits
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text(tamper))
    result = CliRunner().invoke(cli(), ["audit", "verify"])
    assert result.exit_code == 1
    assert f"row {bad_row}" in result.output


def test_a_recomputed_hash_does_not_hide_an_edit(audit_db: Engine) -> None:
    """Rewriting a row *and* its hash breaks the link to the next row."""
    with Session(audit_db) as session:
        row = session.get(AuditEvent, 3)
        assert row is not None
        row.actor_username = "forger"
        forged = audit.compute_hash(row.prev_hash, row)
    with audit_db.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(
            text("UPDATE audit_log SET actor_username = 'forger', row_hash = :h WHERE id = 3"), {"h": forged}
        )
    with Session(audit_db) as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_bad_id == 4


def test_cli_export_writes_csv_with_hashes(audit_db: Engine, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = CliRunner().invoke(cli(), ["audit", "export", "--output", str(out), "--person-id", "3"])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[-2:] == ["prev_hash", "row_hash"]
    # the row about person 3, then the export itself: an export about a person is in their report too
    assert len(lines) == 3
    cells = [line.split(",") for line in lines[1:]]
    assert [(c[5], c[8]) for c in cells] == [("read", "3"), ("export", "3")]
    with Session(audit_db) as session:
        assert [r.action for r in audit.access_report(session, person_id=3)] == ["export", "read"]


def test_cli_creates_the_first_admin(audit_db: Engine) -> None:
    result = CliRunner().invoke(
        cli(),
        [
            "users",
            "create",
            "--username",
            "Paakayttaja",
            "--role",
            "admin",
            "--password",
            "Pitkä-ja-hyvä-salasana-1",
        ],
    )
    assert result.exit_code == 0, result.output
    weak = CliRunner().invoke(
        cli(), ["users", "create", "--username", "toinen", "--role", "admin", "--password", "lyhyt"]
    )
    assert weak.exit_code == 2


def append_concurrently(engine: Engine, threads: int = 4, each: int = 15) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(each):
                with Session(engine) as session:
                    audit.append(
                        session,
                        actor=Actor(user_id=worker, username=f"w{worker}", role="case_worker"),
                        action=AuditAction.READ,
                        object_type="person",
                        person_id=n,
                        purpose=AuditPurpose.CASEWORK,
                    )
                    session.commit()
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors


def test_concurrent_appends_keep_the_chain_consistent_sqlite(audit_db: Engine) -> None:
    append_concurrently(audit_db)
    with Session(audit_db) as session:
        result = audit.verify(session)
    assert result.ok, result
    assert result.rows_checked == 10 + 4 * 15


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    base = os.environ.get("ALUE_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        pytest.skip("needs ALUE_TEST_DATABASE_URL pointing at PostgreSQL")
    name = f"alue_audit_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        migrate.upgrade(engine, "heads")
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgresql_trigger_and_concurrent_appends(pg_engine: Engine) -> None:
    append_concurrently(pg_engine, threads=6, each=20)
    with Session(pg_engine) as session:
        assert audit.verify(session).ok
    for statement in ("UPDATE audit_log SET ip = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pg_engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))
    _append_list(pg_engine, [1, 2])
    with Session(pg_engine) as session:
        assert audit.verify(session, batch=7).ok
    for statement in (
        "UPDATE audit_subject SET person_id = 7",
        "DELETE FROM audit_subject",
        "TRUNCATE audit_subject",
    ):
        with pg_engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))


def test_who_founded_a_firm_is_shown_only_in_casework_scope_and_audited(
    clients: dict[Role, TestClient], world: World, web_engine: Engine
) -> None:
    with Session(web_engine) as session:
        firms = {}
        for key, person_id in (("in", world.person_in_scope), ("out", world.person_out_of_scope)):
            firm = make_employer(session, name=f"Toiminimi {key}")
            firm.founded_by_person_id = person_id
            firms[key] = firm.id
        session.commit()
    flag = "työnhakijan perustama"
    assert flag not in clients[Role.EMPLOYER_SERVICES].get(f"/employers/{firms['in']}").text
    assert flag not in clients[Role.CASE_WORKER].get(f"/employers/{firms['out']}").text
    before = len(person_rows(web_engine, world.person_in_scope))
    assert flag in clients[Role.CASE_WORKER].get(f"/employers/{firms['in']}").text
    rows = person_rows(web_engine, world.person_in_scope)
    assert len(rows) == before + 1
    last = rows[-1]
    assert (last.action, last.object_type, last.object_id) == ("read", "employer", str(firms["in"]))
    with Session(web_engine) as session:
        for firm_id in firms.values():
            session.delete(session.get(Employer, firm_id))
        session.commit()
