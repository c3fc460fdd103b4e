"""The platform's own survey answers (``alue.surveys``) feed the scorecard's survey indicators; imported CSV
answers (external surveys) give the figure only for periods without own answers. Hand-made answers,
hand-computed means (as_of 31.12.2025)."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import pytest
from sqlalchemy.orm import Session

from alue.scorecard.compute import compute_indicators
from alue.scorecard.inputs import SCHEMAS, Inputs, conform
from alue.surveys.service import Dimensions, issue, submit
from tests.surveys.helpers import NOW

from .factories import add_survey, make_partner
from .helpers import D, cell, context, facts

#: Pori, March 2025, job brokerage. Accessibility = mean of an answer's acc_* items, customer experience =
#: mean of its cx_* items (an answer without cx items has no customer-experience score).
PORI_MARCH = [
    # acc 13/3, cx 4
    {"acc_reach": "5", "acc_language": "5", "acc_timely": "3", "cx_understood": "4", "cx_overall": "4"},
    # acc 4, cx 5
    {"acc_reach": "4", "acc_language": "4", "acc_timely": "4", "cx_understood": "5", "cx_useful": "5"},
    # acc 2, cx 3.5
    {"acc_reach": "2", "cx_understood": "3", "cx_useful": "4"},
    # acc 4.5, no cx
    {"acc_reach": "5", "acc_language": "4", "comment": "Hyvä palvelu"},
    # acc 3, cx 2
    {"acc_reach": "3", "acc_language": "3", "acc_timely": "3", "cx_understood": "2", "cx_overall": "2"},
]
#: Kankaanpää, March 2025, no service line: acc 4, cx 3 each
KANKAANPAA_MARCH = [
    {"acc_reach": "4", "acc_language": "4", "acc_timely": "4", "cx_understood": "3", "cx_overall": "3"}
] * 5


def answer(
    session: Session,
    kind: str,
    forms: list[Mapping[str, str]],
    *,
    month: str,
    municipality: str | None,
    line: str | None = None,
) -> None:
    """Issue a one-time link per form and answer it, as respondents do."""
    for form in forms:
        link = issue(session=session, kind=kind, dimensions=Dimensions(month, municipality, line), now=NOW)
        submit(session=session, token=link.token, form=form, now=NOW)


def test_collected_answers_give_the_survey_means(session: Session, area) -> None:
    """Area March: accessibility (13/3 + 4 + 2 + 4.5 + 3 + 5 × 4) / 10 = 113.5 / 30; customer experience
    (4 + 5 + 3.5 + 2 + 5 × 3) / 9 = 29.5 / 9. Pori accessibility 53.5 / 15 (n 5), also the job-brokerage
    line's; Pori's customer experience rests on 4 answers and is suppressed."""
    answer(session, "customer", PORI_MARCH, month="2025-03", municipality="609", line="job_brokerage")
    answer(session, "customer", KANKAANPAA_MARCH, month="2025-03", municipality="214")
    ind, _ = facts(session, area)

    march = cell(ind, "accessibility", "2025-03")
    assert march["value"] == pytest.approx(113.5 / 30)
    assert march["persons"] == 10
    assert march["unit"] == "response"
    assert march["suppression"] == ""
    assert march["note"].startswith("own survey, series acc_language@1+acc_reach@1+acc_timely@1")
    assert cell(ind, "accessibility", "2025-Q1")["value"] == pytest.approx(113.5 / 30)
    assert cell(ind, "accessibility", "2025")["value"] == pytest.approx(113.5 / 30)
    pori = cell(ind, "accessibility", "2025-03", m="609")
    assert (pori["value"], pori["persons"]) == (pytest.approx(53.5 / 15), 5)
    assert cell(ind, "accessibility", "2025-03", m="214")["value"] == pytest.approx(4.0)
    line = cell(ind, "accessibility", "2025-03", line="job_brokerage")
    assert (line["value"], line["persons"]) == (pytest.approx(53.5 / 15), 5)

    cx = cell(ind, "customer_experience", "2025-03")
    assert (cx["value"], cx["persons"]) == (pytest.approx(29.5 / 9), 9)
    small = cell(ind, "customer_experience", "2025-03", m="609")
    assert small["persons"] == 4
    assert small["suppression"] == "primary"
    # Kankaanpää's 5 answers would reveal Pori's by subtraction from the area: hidden too
    assert cell(ind, "customer_experience", "2025-03", m="214")["suppression"] == "secondary"
    assert cell(ind, "staff_experience", "2025") is None


def test_fewer_than_five_answers_are_suppressed(session: Session, area) -> None:
    """Staff experience, May 2025: four answers (mean of the four items each) → the cell is suppressed."""
    forms = [
        {"staff_workload": "8", "staff_tools": "8", "staff_support": "8", "staff_overall": "8"},
        {"staff_workload": "9", "staff_tools": "9", "staff_support": "9", "staff_overall": "9"},
        {"staff_workload": "6", "staff_tools": "7", "staff_support": "8", "staff_overall": "9"},
        {"staff_overall": "10"},
    ]
    answer(session, "staff", forms, month="2025-05", municipality=None)
    ind, _ = facts(session, area)
    may = cell(ind, "staff_experience", "2025-05")
    assert may["persons"] == 4
    assert may["value"] == pytest.approx((8 + 9 + 7.5 + 10) / 4)  # stored, never shown
    assert may["suppression"] == "primary"
    assert cell(ind, "staff_experience", "2025")["suppression"] == "primary"


def test_own_answers_replace_imported_ones_in_the_same_period(session: Session, area) -> None:
    """Imported accessibility scores: 1 in March, 2 and 4 in May. Own answers only in March: March, Q1 and
    the year are the own survey's (the imported March score is not pooled in); May and Q2 the imported
    mean 3.0."""
    answer(session, "customer", PORI_MARCH, month="2025-03", municipality="609", line="job_brokerage")
    add_survey(session, "accessibility", D(2025, 3, 5), 1)
    add_survey(session, "accessibility", D(2025, 5, 5), 2)
    add_survey(session, "accessibility", D(2025, 5, 6), 4)
    ind, _ = facts(session, area)
    for period in ("2025-03", "2025-Q1", "2025"):
        row = cell(ind, "accessibility", period)
        assert (row["value"], row["persons"]) == (pytest.approx(53.5 / 15), 5), period
        assert row["note"].startswith("own survey")
    for period in ("2025-05", "2025-Q2"):
        row = cell(ind, "accessibility", period)
        assert (row["value"], row["persons"]) == (3.0, 2), period
        assert row["note"] == "imported survey responses"
    # one source per period in every slice too
    assert cell(ind, "accessibility", "2025-03", m="609")["persons"] == 5


def test_partnership_survey_replaces_the_register_where_it_has_answers(session: Session, area) -> None:
    """June 2025: five partner organisations answer, three "yes" → 60 %. December (the period of as_of)
    has no answers: the register's snapshot (1 of 1 with an agreement) stays."""
    yes, no = {"active_partnership": "1"}, {"active_partnership": "0"}
    answer(session, "partnership", [yes, yes, no, yes, no], month="2025-06", municipality=None)
    make_partner(session, agreement=True)
    ind, _ = facts(session, area)
    for period in ("2025-06", "2025-Q2", "2025"):
        row = cell(ind, "partnership_rate", period)
        assert (row["numerator"], row["denominator"], row["value"]) == (3, 5, pytest.approx(60.0)), period
        assert row["unit"] == "response"
    december = cell(ind, "partnership_rate", "2025-12")
    assert (december["numerator"], december["denominator"]) == (1, 1)
    assert december["unit"] == "partner"


def test_question_series_are_never_pooled(area) -> None:
    """April 2025: five answers of series a@1 (score 2) and five of a changed series a@2 (score 4): the
    newer series gives the figure (4.0, n 5), the older one is not mixed in."""
    rows = [("accessibility", "a@1", 1, "2025-04-01", "609", None, None, 2.0)] * 5
    rows += [("accessibility", "a@2", 2, "2025-04-01", "609", None, None, 4.0)] * 5
    answers = pl.DataFrame(
        rows,
        schema=list(SCHEMAS["answers"]),
        orient="row",
    )
    inputs = Inputs.empty(answers=conform("answers", answers))
    ind = compute_indicators(inputs, context(area), only=["accessibility"])
    for period in ("2025-04", "2025-Q2", "2025"):
        row = cell(ind, "accessibility", period)
        assert (row["value"], row["persons"]) == (4.0, 5), period
        assert row["note"] == "own survey, series a@2"
