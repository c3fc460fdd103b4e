from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from alue.surveys.definitions import DEFINITIONS_DIR, load_definitions
from alue.surveys.results import Period, indicator_table, survey_indicator_values, t_interval, wilson_interval
from alue.surveys.service import Dimensions, issue, submit
from tests.surveys.helpers import NOW, answer_many

#: Student t quantile t(0.975, 4), from a printed table
T_975_DF4 = 2.776


def test_t_interval_matches_the_textbook() -> None:
    est = t_interval([3, 4, 4, 5, 5])
    assert est.value == pytest.approx(4.2)
    sd = math.sqrt(((3 - 4.2) ** 2 + 2 * (4 - 4.2) ** 2 + 2 * (5 - 4.2) ** 2) / 4)
    assert est.high - est.value == pytest.approx(T_975_DF4 * sd / math.sqrt(5), abs=1e-3)
    assert est.value - est.low == pytest.approx(est.high - est.value)


def test_wilson_interval_stays_within_bounds() -> None:
    all_yes = wilson_interval(10, 10)
    assert all_yes.value == 100
    assert all_yes.high == pytest.approx(100)
    assert 60 < all_yes.low < 80
    half = wilson_interval(5, 10)
    assert half.value == 50
    assert half.low == pytest.approx(100 - half.high)


def test_customer_means_from_collected_answers(session: Session) -> None:
    forms = [
        {"acc_reach": "5", "acc_language": "5", "acc_timely": "3", "cx_understood": "4", "cx_overall": "4"},
        {"acc_reach": "4", "acc_language": "4", "cx_overall": "2"},
        {"acc_reach": "3", "cx_understood": "3", "cx_useful": "3", "cx_overall": "3"},
        {"acc_reach": "5", "acc_language": "5", "acc_timely": "5"},
        {"acc_reach": "2", "acc_language": "4", "acc_timely": "3", "cx_overall": "5"},
        {"comment": "vain kommentti"},
    ]
    answer_many(session, "customer", forms, municipality="609", extra_unanswered=4)
    (acc,) = survey_indicator_values(session=session, indicator_id="accessibility", period="2026Q1")
    # each answer's score is the mean of its accessibility items: 13/3, 4, 3, 5, 3
    scores = [13 / 3, 4, 3, 5, 3]
    assert acc.value == pytest.approx(sum(scores) / 5)
    assert acc.n == 5
    assert acc.unit == "mean"
    assert acc.survey_kind == "customer"
    assert acc.ci_low < acc.value < acc.ci_high
    assert acc.issued == 10
    assert acc.response_rate == pytest.approx(60.0)
    assert acc.series == "acc_language@1+acc_reach@1+acc_timely@1"
    assert acc.current_series

    (cx,) = survey_indicator_values(session=session, indicator_id="customer_experience", period="2026-03")
    # scores: 4 (4,4), 2, 3, 5 → only four answers touch customer experience: suppressed
    assert cx.suppressed
    assert cx.value is None
    assert cx.n is None


def test_partnership_rate_is_the_share_answering_yes(session: Session) -> None:
    forms = [{"active_partnership": v, "part_goals": "4"} for v in ("1", "1", "0", "1", "0", "0", "1", "1")]
    answer_many(session, "partnership", forms, municipality=None, service_line=None)
    (rate,) = survey_indicator_values(session=session, indicator_id="partnership_rate", period="2026")
    assert rate.unit == "percent"
    assert rate.value == pytest.approx(62.5)
    assert rate.n == 8
    assert rate.response_rate == 100.0
    assert 0 <= rate.ci_low < 62.5 < rate.ci_high <= 100


def test_filters_and_breakdowns(session: Session) -> None:
    answer_many(session, "vitality", [{"vit_overall": "8"}] * 5, municipality="609")
    answer_many(session, "vitality", [{"vit_overall": "6"}] * 6, municipality="051")
    answer_many(session, "vitality", [{"vit_overall": "10"}] * 5, municipality="609", month="2026-04")
    pori = survey_indicator_values(
        session=session, indicator_id="vitality_barometer", period="2026Q1", municipality="609"
    )
    assert [(v.value, v.n) for v in pori] == [(8.0, 5)]
    table = indicator_table(
        session=session,
        indicator_id="vitality_barometer",
        period="2026",
        group_by=("quarter", "municipality"),
    )
    got = {(v.period, v.municipality): (v.value, v.n) for v in table}
    assert got == {("2026Q1", "051"): (6.0, 6), ("2026Q1", "609"): (8.0, 5), ("2026Q2", "609"): (10.0, 5)}
    whole_year = survey_indicator_values(session=session, indicator_id="vitality_barometer", period="2026")
    assert [(v.value, v.n) for v in whole_year] == [(pytest.approx((5 * 8 + 6 * 6 + 5 * 10) / 16), 16)]


def test_no_answers_gives_an_empty_current_series(session: Session) -> None:
    (value,) = survey_indicator_values(session=session, indicator_id="staff_experience", period="2030Q1")
    assert value.value is None
    assert value.issued == 0
    assert not value.suppressed
    assert value.current_series


def test_a_changed_question_starts_a_new_series(session: Session, tmp_path: Path) -> None:
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs")
    v1 = yaml.safe_load((tmp_path / "defs" / "staff" / "v1.yaml").read_text())
    v2 = dict(v1, version=2)
    questions = [dict(q) for q in v1["questions"]]
    changed = next(q for q in questions if q["id"] == "staff_workload")
    changed["version"] = 2
    changed["text"] = dict(changed["text"], fi="Työmääräni on sopiva suhteessa työaikaani.")
    v2["questions"] = questions
    (tmp_path / "defs" / "staff" / "v2.yaml").write_text(yaml.safe_dump(v2, allow_unicode=True))
    defs = load_definitions(tmp_path / "defs")
    assert defs.current("staff").version == 2

    dims = Dimensions("2026-02", "609", "skills")
    for value in ("5", "5", "5", "5", "5"):  # version 1 answers
        link = issue(session=session, kind="staff", dimensions=dims, now=NOW, definitions=load_definitions())
        submit(session=session, token=link.token, form={"staff_workload": value}, now=NOW)
    for value in ("9", "9", "9", "9", "10"):  # version 2 answers
        link = issue(session=session, kind="staff", dimensions=dims, now=NOW, definitions=defs)
        assert link.version == 2
        submit(session=session, token=link.token, form={"staff_workload": value}, now=NOW, definitions=defs)

    values = survey_indicator_values(
        session=session, indicator_id="staff_experience", period="2026Q1", definitions=defs
    )
    assert [(v.current_series, v.value, v.n) for v in values] == [
        (True, pytest.approx(9.2), 5),
        (False, 5.0, 5),
    ]
    assert "staff_workload@2" in values[0].series
    assert "staff_workload@1" in values[1].series


def test_unchanged_questions_continue_their_series_across_survey_versions(tmp_path: Path) -> None:
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs")
    v1 = yaml.safe_load((tmp_path / "defs" / "customer" / "v1.yaml").read_text())
    v2 = dict(v1, version=2, questions=[q for q in v1["questions"] if q["id"] != "comment"])
    (tmp_path / "defs" / "customer" / "v2.yaml").write_text(yaml.safe_dump(v2, allow_unicode=True))
    defs = load_definitions(tmp_path / "defs")
    assert [q.series for q in defs.get("customer", 1).indicator_questions("accessibility")] == [
        q.series for q in defs.get("customer", 2).indicator_questions("accessibility")
    ]


@pytest.mark.parametrize(
    ("text", "label", "months"),
    [
        ("2026", "2026", 12),
        ("2026Q2", "2026Q2", 3),
        ("2026-q4", "2026Q4", 3),
        ("2026-03", "2026-03", 1),
    ],
)
def test_periods(text: str, label: str, months: int) -> None:
    period = Period.parse(text)
    assert period.label == label
    assert len(period.months) == months


@pytest.mark.parametrize("text", ["26", "2026Q5", "2026-13", "kevät", ""])
def test_bad_periods(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        Period.parse(text)
