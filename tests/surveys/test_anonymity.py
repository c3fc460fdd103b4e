"""No query path leads from an answer back to a person, a staff member, an employer, a partner or an event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alue.casework.models import Channel, Meeting, MeetingKind
from alue.shared.time import HELSINKI
from alue.surveys import results
from alue.surveys.models import SurveyAnswer, SurveyAnswerItem, SurveyToken
from alue.surveys.service import hash_token, issue_after_meeting, submit
from tests.people.factories import make_person
from tests.surveys.helpers import NOW, answer_many

ANSWER_TABLES = ("survey_answer", "survey_answer_item")
IDENTITY_TABLES = {
    "person",
    "staff_member",
    "employer",
    "partner",
    "meeting",
    "participation",
    "employer_service_event",
    "survey_token",
    "app_user",
    "user",
}
IDENTITY_WORDS = (
    "person",
    "staff",
    "employer",
    "partner",
    "meeting",
    "participation",
    "event",
    "token",
    "user",
)


def test_answer_tables_reference_nothing_that_identifies(engine: Engine) -> None:
    schema = inspect(engine)
    for table in ANSWER_TABLES:
        referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert referred <= {"municipality", "survey_answer"}, (table, referred)
        assert not referred & IDENTITY_TABLES
        for column in schema.get_columns(table):
            name = column["name"]
            assert not any(word in name for word in IDENTITY_WORDS) or name == "event_kind", (table, name)
            # no timestamps either: an exact time could be matched against a meeting's time
            assert "DATE" not in str(column["type"]).upper()
            assert "TIME" not in str(column["type"]).upper()


def test_nothing_refers_to_the_answer_tables(engine: Engine) -> None:
    schema = inspect(engine)
    for table in schema.get_table_names():
        if table in ANSWER_TABLES:
            continue
        referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert not referred & set(ANSWER_TABLES), table


def test_used_link_no_longer_references_the_meeting(session: Session) -> None:
    person = make_person(session, municipality="609")
    meeting = Meeting(
        person_id=person.id,
        held_at=dt.datetime(2026, 3, 9, 10, tzinfo=HELSINKI),
        kind=MeetingKind.JOB_SEARCH_DISCUSSION,
        channel=Channel.PHONE,
    )
    session.add(meeting)
    session.flush()
    link = issue_after_meeting(session=session, meeting=meeting, now=NOW)
    assert link is not None
    row = session.scalar(select(SurveyToken).where(SurveyToken.token_hash == hash_token(link.token)))
    assert row is not None
    assert row.meeting_id == meeting.id

    response = submit(session=session, token=link.token, form={"cx_overall": "5"}, now=NOW)
    session.expire_all()
    row = session.get(SurveyToken, row.id)
    assert row is not None
    assert row.used
    assert not row.linked
    assert all(getattr(row, name) is None for name in SurveyToken.LINK_COLUMNS)
    stored = session.get(SurveyAnswer, response.id)
    assert stored is not None
    assert (stored.municipality_code, stored.service_channel, stored.month) == ("609", "phone", "2026-03")
    # the answer's id is random: it does not follow the token's id or the order of answers
    assert not stored.id.isdigit()
    assert len(stored.id) == 32


def test_free_text_is_masked_before_it_is_stored(session: Session) -> None:
    forms = [
        {"cx_overall": "4", "comment": f"soita 040 123 45{i:02d}, hetu 010190-9{i:02d}A"} for i in range(5)
    ]
    answer_many(session, "customer", forms)
    texts = session.scalars(select(SurveyAnswerItem.text).where(SurveyAnswerItem.text.is_not(None))).all()
    assert len(texts) == 5
    assert all("040" not in t and "010190" not in t and "[hetu]" in t and "[puh]" in t for t in texts)


def test_free_texts_are_shown_only_from_groups_of_five(session: Session) -> None:
    answer_many(session, "customer", [{"comment": f"palaute {i}"} for i in range(4)], municipality="079")
    assert results.comments(session=session, kind="customer", period="2026Q1", municipality="079") is None
    answer_many(session, "customer", [{"comment": "palaute 4"}], municipality="079")
    shown = results.comments(session=session, kind="customer", period="2026Q1", municipality="079")
    assert shown == [f"palaute {i}" for i in range(5)]


def test_results_below_five_answers_are_never_shown(session: Session) -> None:
    answer_many(session, "staff", [{"staff_overall": "9"}] * 4, municipality="051", extra_unanswered=3)
    (value,) = results.survey_indicator_values(
        session=session, indicator_id="staff_experience", period="2026Q1", municipality="051"
    )
    assert value.suppressed
    assert (value.value, value.ci_low, value.ci_high, value.n, value.response_rate) == (None,) * 5
    answer_many(session, "staff", [{"staff_overall": "7"}], municipality="051")
    (value,) = results.survey_indicator_values(
        session=session, indicator_id="staff_experience", period="2026Q1", municipality="051"
    )
    assert not value.suppressed
    assert value.n == 5
    assert value.value == 8.6
