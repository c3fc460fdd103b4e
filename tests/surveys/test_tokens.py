from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alue.surveys.models import SurveyAnswer, SurveyToken
from alue.surveys.service import (
    TOKEN_BYTES,
    AnswerErrors,
    Dimensions,
    TokenError,
    hash_token,
    issue,
    open_token,
    submit,
)
from tests.surveys.helpers import NOW

DIMS = Dimensions("2026-03", "609", "job_brokerage", "in_person")
FORM = {"acc_reach": "4", "acc_language": "5", "cx_overall": "3"}


def test_link_carries_at_least_128_random_bits_and_only_its_hash_is_stored(session: Session) -> None:
    assert TOKEN_BYTES * 8 >= 128
    link = issue(session=session, kind="customer", dimensions=DIMS, now=NOW)
    assert len(link.token) >= 43  # 256 bits in URL-safe base64
    assert link.url.endswith(f"/kysely/{link.token}")
    row = session.scalar(select(SurveyToken).where(SurveyToken.token_hash == hash_token(link.token)))
    assert row is not None
    stored = [str(v) for v in vars(row).values()]
    assert not any(link.token in value for value in stored)
    assert row.token_hash != link.token
    assert len(row.token_hash) == 64


def test_answer_uses_up_the_link_and_reuse_is_refused(session: Session) -> None:
    link = issue(session=session, kind="customer", dimensions=DIMS, now=NOW)
    submit(session=session, token=link.token, form=FORM, now=NOW)
    with pytest.raises(TokenError) as err:
        submit(session=session, token=link.token, form=FORM, now=NOW)
    assert err.value.reason == "used"
    with pytest.raises(TokenError):
        open_token(session=session, token=link.token, now=NOW)
    assert session.query(SurveyAnswer).count() == 1


def test_guessing_ten_thousand_random_tokens_finds_nothing(session: Session) -> None:
    real = [issue(session=session, kind="customer", dimensions=DIMS, now=NOW).token for _ in range(20)]
    reasons = []
    for _ in range(10_000):
        guess = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            open_token(session=session, token=guess, now=NOW)
            reasons.append("found")
        except TokenError as exc:
            reasons.append(exc.reason)
    assert set(reasons) == {"unknown"}
    assert len(reasons) == 10_000
    # and the real ones do open: the guessing loop would have noticed a hit
    assert all(open_token(session=session, token=t, now=NOW) for t in real)


def test_near_misses_and_garbage_are_unknown(session: Session) -> None:
    link = issue(session=session, kind="customer", dimensions=DIMS, now=NOW)
    flipped = link.token[:-1] + ("A" if link.token[-1] != "A" else "B")
    for guess in (flipped, link.token.upper(), "", "x" * 500, link.token + "="):
        with pytest.raises(TokenError) as err:
            open_token(session=session, token=guess, now=NOW)
        assert err.value.reason == "unknown"


def test_expired_link_is_refused(session: Session) -> None:
    link = issue(session=session, kind="customer", dimensions=DIMS, now=NOW)
    just_before = link.expires_at - dt.timedelta(seconds=1)
    assert open_token(session=session, token=link.token, now=just_before)
    with pytest.raises(TokenError) as err:
        submit(session=session, token=link.token, form=FORM, now=link.expires_at)
    assert err.value.reason == "expired"
    assert session.query(SurveyAnswer).count() == 0


def test_invalid_answers_keep_the_link_usable(session: Session) -> None:
    link = issue(session=session, kind="partnership", dimensions=DIMS, now=NOW)
    with pytest.raises(AnswerErrors) as err:
        submit(session=session, token=link.token, form={"part_goals": "9"}, now=NOW)
    assert err.value.errors == {"active_partnership": "required", "part_goals": "invalid"}
    submit(session=session, token=link.token, form={"active_partnership": "1"}, now=NOW)
