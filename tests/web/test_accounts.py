"""Accounts: demo users (development only), delegations of authority (R-C5) and session expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.settings import get_settings
from alue.shared import auth
from alue.shared.auth import Role, User
from alue.staff.models import DelegatedTask
from tests.web.factories import World


def test_demo_users_one_per_role_and_refused_in_production(
    web_engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(web_engine) as session:
        made = auth.create_demo_users(session=session, secret="x" * 40)
        again = auth.create_demo_users(session=session, secret="x" * 40)
        assert made == again  # deterministic
        assert {role for _u, _p, role in made} == {r.value for r in Role}
        for username, password, _role in made:
            assert len(password) >= 16
            assert auth.authenticate(session, username=username, password=password) is not None
        session.rollback()
    monkeypatch.setenv("ALUE_ENVIRONMENT", "production")
    monkeypatch.setenv("ALUE_SECRET_KEY", "y" * 40)
    get_settings.cache_clear()
    try:
        with Session(web_engine) as session, pytest.raises(RuntimeError, match="development"):
            auth.create_demo_users(session=session)
    finally:
        get_settings.cache_clear()


def test_delegation_rules(web_engine: Engine, world: World) -> None:
    with Session(web_engine) as session:
        worker = auth.delegated_tasks(session, staff_id=world.staff["worker"])
        assert DelegatedTask.LABOUR_POLICY_STATEMENT in worker
        assert DelegatedTask.WAGE_SUBSIDY_DECISION not in worker  # not named in the delegation
        assert auth.delegated_tasks(session, staff_id=world.staff["state"]) == frozenset(DelegatedTask)
        long_ago = dt.date(2000, 1, 1)  # before the delegation started
        assert DelegatedTask.LABOUR_POLICY_STATEMENT not in auth.delegated_tasks(
            session, staff_id=world.staff["worker"], on=long_ago
        )


def test_expired_and_idle_sessions_end(web_engine: Engine, world: World) -> None:
    with Session(web_engine) as session:
        user = session.scalar(select(User).where(User.username == world.users[Role.ANALYST]))
        assert user is not None
        token = auth.start_session(session, user=user, lifetime=dt.timedelta(hours=1))
        session.commit()
        hour = dt.timedelta(hours=1)
        assert auth.resolve_session(session, token=token, idle_timeout=hour, touch_after=hour) is not None
        session.execute(
            update(auth.UserSession)
            .where(auth.UserSession.id == auth.token_digest(token))
            .values(last_seen_at=auth.utcnow() - dt.timedelta(hours=2))
        )
        session.commit()
        assert auth.resolve_session(session, token=token, idle_timeout=hour, touch_after=hour) is None
        assert session.get(auth.UserSession, auth.token_digest(token)) is None
