"""The versioned rule framework (alue.area.rules) and the shipped rule files."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from alue.area.rules import (
    NATIONAL,
    RULES_DIR,
    Confidence,
    DiscussionSchedule,
    RuleBook,
    RuleFileError,
    RuleNotInForceError,
    SanctionKind,
    Step,
    UnknownRuleError,
    load_rule_file,
    load_rule_files,
    load_rules,
    parse_rule_text,
    step_share,
)

D = dt.date


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rules("satakunta")


@pytest.fixture(scope="module")
def national() -> RuleBook:
    return load_rules(NATIONAL)


# ------------------------------------------------------------------------------- shipped rule files


def test_every_shipped_rule_file_loads() -> None:
    for path in sorted(RULES_DIR.glob("*.yaml")):
        layer = load_rule_file(path)
        assert layer.rules, path
        for rule_id, versions in layer.rules.items():
            assert all(v.source and v.description.fi and v.description.en for v in versions), rule_id


@pytest.mark.parametrize(
    ("day", "expected", "source_part"),
    [
        (D(2022, 5, 2), 5, "916/2012"),
        (D(2024, 12, 31), 5, "916/2012"),
        (D(2025, 1, 1), 5, "380/2023"),
        (D(2025, 12, 31), 5, "380/2023"),
        (D(2026, 1, 1), 10, "HE 108/2025"),
    ],
)
def test_initial_interview_deadline_on_both_sides_of_each_change(
    book: RuleBook, day: dt.date, expected: int, source_part: str
) -> None:
    version = book.in_force("initial_interview.deadline_working_days", day)
    assert version.value == expected
    assert source_part in version.source
    assert version.confidence is Confidence.VERIFIED


def test_no_initial_interview_rule_before_the_nordic_model(book: RuleBook) -> None:
    with pytest.raises(RuleNotInForceError, match=r"in force on 1\.5\.2022"):
        book.in_force("initial_interview.deadline_working_days", D(2022, 5, 1))


def test_first_omission_turns_from_reminder_into_benefit_free_period_on_1_3_2026(book: RuleBook) -> None:
    before = book.value("sanction.first_omission", D(2026, 2, 28))
    after = book.value("sanction.first_omission", D(2026, 3, 1))
    assert before.kind is SanctionKind.REMINDER
    assert before.benefit_free_days is None
    assert after.kind is SanctionKind.BENEFIT_FREE_PERIOD
    assert after.benefit_free_days == 7
    assert book.in_force("sanction.first_omission", D(2026, 2, 28)).confidence is Confidence.PARTLY_VERIFIED


def test_supplementary_schedule_is_fixed_until_2025_and_by_service_need_after(book: RuleBook) -> None:
    old: DiscussionSchedule = book.value("supplementary_discussions.schedule", D(2025, 12, 31))
    new: DiscussionSchedule = book.value("supplementary_discussions.schedule", D(2026, 1, 1))
    assert old.mode == "fixed"
    assert [(p.from_month, p.until_month, p.interval_weeks, p.count) for p in old.phases] == [
        (0, 3, 2, None),
        (6, 7, 2, 2),
    ]
    assert new.mode == "by_service_need"
    assert new.phases == []


def test_benefit_financing_changes_model_on_1_1_2025(book: RuleBook) -> None:
    old = book.in_force("benefit_financing.municipal_share_steps", D(2024, 12, 31))
    new = book.in_force("benefit_financing.municipal_share_steps", D(2025, 1, 1))
    assert [(s.from_days, s.share) for s in old.value] == [
        (0, Decimal(0)),
        (300, Decimal("0.5")),
        (1000, Decimal("0.7")),
    ]
    assert not old.unverified
    assert new.value[1] == Step(from_days=100, share=Decimal("0.1"))
    assert new.value[-1].share == Decimal("0.5")
    assert new.unverified
    assert book.value("benefit_financing.covered_benefits", D(2024, 12, 31)) == ["labour_market_subsidy"]
    assert "basic_unemployment_allowance" in book.value("benefit_financing.covered_benefits", D(2025, 1, 1))


def test_area_file_overrides_a_national_rule_only_where_it_is_in_force(
    book: RuleBook, national: RuleBook
) -> None:
    assert national.value("young.service_line_age_limit", D(2025, 6, 1)) == 25
    area_version = book.in_force("young.service_line_age_limit", D(2025, 6, 1))
    assert area_version.value == 30
    assert area_version.layer == "satakunta"
    assert book.value("young.statistics_age_limit", D(2025, 6, 1)) == 25
    # The national history is still there, oldest first.
    assert [v.layer for v in book.history("young.service_line_age_limit")] == ["national", "satakunta"]


def test_area_rule_is_unknown_without_the_area_file(national: RuleBook) -> None:
    with pytest.raises(UnknownRuleError, match=r"initial_services\.goal_months"):
        national.in_force("initial_services.goal_months", D(2025, 6, 1))


def test_unknown_rule_suggests_close_ids(book: RuleBook) -> None:
    with pytest.raises(UnknownRuleError, match=r"did you mean initial_interview\.deadline_working_days"):
        book.in_force("initial_interview.deadline_workingdays", D(2025, 6, 1))


def test_change_dates_include_the_legal_change_dates_in_order(book: RuleBook) -> None:
    dates = book.change_dates()
    assert dates == sorted(set(dates))
    for day in (D(2022, 5, 2), D(2025, 1, 1), D(2026, 1, 1), D(2026, 3, 1)):
        assert day in dates
    assert {v.rule_id for v in book.changes_on(D(2026, 3, 1))} == {"sanction.first_omission"}


def test_all_in_force_lists_each_rule_once_with_its_current_version(book: RuleBook) -> None:
    versions = book.all_in_force(D(2026, 3, 1))
    ids = [v.rule_id for v in versions]
    assert ids == sorted(set(ids))
    by_id = {v.rule_id: v for v in versions}
    assert by_id["initial_interview.deadline_working_days"].value == 10
    assert by_id["sanction.first_omission"].value.benefit_free_days == 7
    assert by_id["initial_services.goal_months"].layer == "satakunta"
    # Before the Nordic model only the older rules are in force.
    early = {v.rule_id for v in book.all_in_force(D(2022, 5, 1))}
    assert "initial_interview.deadline_working_days" not in early
    assert "unemployment.long_term_months" in early


def test_unverified_versions_are_marked_in_json(book: RuleBook) -> None:
    data = book.in_force("benefit_financing.municipal_share_steps", D(2025, 1, 1)).to_json()
    assert data["unverified"] is True
    assert data["confidence"] == "U"
    assert data["value"][1] == {"from_days": 100, "share": "0.1"}
    verified = book.in_force("initial_interview.deadline_working_days", D(2026, 1, 1)).to_json()
    assert verified["unverified"] is False
    assert verified["effective_from"] == "2026-01-01"
    assert verified["effective_to"] is None


def test_default_rule_book_is_cached() -> None:
    assert load_rules() is load_rules()
    assert load_rules("satakunta") is load_rules("satakunta")


def test_area_given_as_a_path_uses_the_file_stem() -> None:
    book = load_rules("/somewhere/areas/satakunta.yaml")
    assert "initial_services.goal_months" in book


# ---------------------------------------------------------------------------------- broken files


def _rule(versions: str, *, unit: str = "working_days", rule_id: str = "test.deadline") -> str:
    return textwrap.dedent(
        f"""\
        rules:
          {rule_id}:
            unit: {unit}
            description: {{en: A test rule, fi: Testisääntö}}
            versions:
        """
    ) + textwrap.indent(textwrap.dedent(versions), " " * 6)


def test_a_valid_rule_parses_with_finnish_dates() -> None:
    layer = parse_rule_text(
        _rule(
            """\
            - {value: 5, effective_from: 2.5.2022, effective_to: 31.12.2025, source: L 1/2000, confidence: V}
            - {value: 10, effective_from: 1.1.2026, source: Laki 2/2025, confidence: U}
            """
        ),
        origin="test.yaml",
    )
    versions = layer.rules["test.deadline"]
    assert [v.effective_from for v in versions] == [D(2022, 5, 2), D(2026, 1, 1)]
    assert versions[1].unverified
    assert layer.name == "test"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _rule(
                """\
                - {value: 5, effective_from: 2022-05-02, effective_to: 2026-01-01, source: L 1, confidence: V}
                - {value: 10, effective_from: 2026-01-01, source: Laki 2, confidence: V}
                """
            ),
            r"test\.yaml: rule 'test\.deadline': versions overlap",
        ),
        (
            _rule(
                """\
                - {value: 5, effective_from: 2022-05-02, source: Laki 1, confidence: V}
                - {value: 10, effective_from: 2026-01-01, source: Laki 2, confidence: V}
                """
            ),
            "versions overlap: 2022-05-02–",
        ),
        (
            _rule(
                "- {value: 5, effective_from: 2022-05-02, source: Laki 1, confidence: V}\n", unit="parsecs"
            ),
            "unknown unit 'parsecs'",
        ),
        (
            _rule("- {value: 5, effective_from: 2022-05-02, confidence: V}\n"),
            r"rule 'test\.deadline': version 1\.source: Field required",
        ),
        (
            _rule("- {value: 5, effective_from: 2022-05-02, source: '   ', confidence: V}\n"),
            "source",
        ),
        (
            _rule("- {value: 5, effective_from: 2022-05-02, source: Laki 1, confidence: X}\n"),
            "confidence",
        ),
        (
            _rule("- {value: 5, effective_from: 2022-05-02, source: Laki 1}\n"),
            "confidence: Field required",
        ),
        (
            _rule("- {effective_from: 2022-05-02, source: Laki 1, confidence: V}\n"),
            "value is missing",
        ),
        (
            _rule(
                "- {value: 5, effective_from: 2022-05-02, effective_to: 2022-05-01, "
                "source: L 1, confidence: V}\n"
            ),
            "effective_to 2022-05-01 is before effective_from 2022-05-02",
        ),
        (
            _rule("- {value: 5, effective_from: 31.2.2022, source: Laki 1, confidence: V}\n"),
            "effective_from",
        ),
        (
            _rule("- {value: five, effective_from: 2022-05-02, source: Laki 1, confidence: V}\n"),
            "value is not Finnish working days",
        ),
        (
            _rule("- {value: -1, effective_from: 2022-05-02, source: Laki 1, confidence: V}\n"),
            "greater than or equal to 0",
        ),
        (
            _rule("- {value: true, effective_from: 2022-05-02, source: Laki 1, confidence: V}\n"),
            "value is not",
        ),
        (
            _rule(
                "- {value: [{from_days: 0, share: 0}, {from_days: 100, share: 1.5}], "
                "effective_from: 2025-01-01, source: L 1, confidence: U}\n",
                unit="step_table",
            ),
            "less than or equal to 1",
        ),
        (
            _rule(
                "- {value: [{from_days: 0, share: 0}, {from_days: 200, share: 0.2}, "
                "{from_days: 100, share: 0.1}], "
                "effective_from: 2025-01-01, source: L 1, confidence: U}\n",
                unit="step_table",
            ),
            "from_days must increase",
        ),
        (
            _rule(
                "- {value: [{from_days: 100, share: 0.1}], effective_from: 2025-01-01, "
                "source: L 1, confidence: U}\n",
                unit="step_table",
            ),
            "must start from_days: 0",
        ),
        (
            _rule(
                "- {value: {kind: benefit_free_period}, effective_from: 2026-03-01, "
                "source: L 1, confidence: V}\n",
                unit="sanction",
            ),
            "needs benefit_free_days",
        ),
        (
            _rule(
                "- {value: {mode: fixed}, effective_from: 2026-03-01, source: L 1, confidence: V}\n",
                unit="discussion_schedule",
            ),
            "a fixed schedule needs at least one phase",
        ),
        (
            _rule(
                "- {value: 5, effective_from: 2022-05-02, source: Laki 1, confidence: V}\n",
                rule_id="Deadline",
            ),
            "rule 'Deadline': a rule id is dotted lower-case words",
        ),
        ("rules:\n  a.b: 1\n  a.b: 2\n", "duplicate key 'a.b'"),
        ("- just\n- a list\n", "must be a mapping with a 'rules' key"),
        ("rules: [unclosed\n", "not valid YAML"),
        ("rule: {}\n", "rules: Field required"),
    ],
)
def test_broken_rule_file_gives_a_clear_error_naming_file_and_rule(text: str, message: str) -> None:
    with pytest.raises(RuleFileError, match=message) as info:
        parse_rule_text(text, origin="test.yaml")
    assert str(info.value).startswith("test.yaml")


def test_missing_finnish_description_is_an_error() -> None:
    text = _rule("- {value: 5, effective_from: 2022-05-02, source: Laki 1, confidence: V}\n").replace(
        ", fi: Testisääntö", ""
    )
    with pytest.raises(RuleFileError, match=r"description\.fi: Field required"):
        parse_rule_text(text, origin="test.yaml")


def test_override_with_another_unit_is_an_error(tmp_path: Path) -> None:
    national = tmp_path / "national.yaml"
    area = tmp_path / "area.yaml"
    national.write_text(_rule("- {value: 5, effective_from: 2022-05-02, source: L 1, confidence: V}\n"))
    area.write_text(
        _rule("- {value: 5, effective_from: 2025-01-01, source: L 2, confidence: V}\n", unit="calendar_days")
    )
    with pytest.raises(
        RuleFileError, match=r"area\.yaml: rule 'test\.deadline': unit 'calendar_days' differs"
    ):
        load_rule_files([national, area])


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read the file"):
        load_rule_file(tmp_path / "missing.yaml")


# ------------------------------------------------------------------------------- property tests

# Sorted, distinct boundary dates -> consecutive versions; each version may leave a gap before the next.
_days = st.integers(min_value=0, max_value=4000)


@st.composite
def _versions(draw: st.DrawFn) -> list[tuple[dt.date, dt.date | None]]:
    starts = sorted(draw(st.sets(_days, min_size=1, max_size=6)))
    periods: list[tuple[dt.date, dt.date | None]] = []
    base = D(2020, 1, 1)
    for index, start in enumerate(starts):
        next_start = starts[index + 1] if index + 1 < len(starts) else None
        if next_start is None:
            end = None if draw(st.booleans()) else start + draw(st.integers(0, 500))
        else:
            end = draw(st.integers(start, next_start - 1))
        periods.append(
            (base + dt.timedelta(days=start), None if end is None else base + dt.timedelta(days=end))
        )
    return periods


def _yaml_for(periods: list[tuple[dt.date, dt.date | None]]) -> str:
    versions = [
        {
            "value": index,
            "effective_from": start.isoformat(),
            **({"effective_to": end.isoformat()} if end else {}),
            "source": f"Laki {index}/2020",
            "confidence": "V",
        }
        for index, (start, end) in enumerate(periods)
    ]
    doc = {
        "rules": {"test.rule": {"unit": "count", "description": {"en": "x", "fi": "x"}, "versions": versions}}
    }
    return yaml.safe_dump(doc)


@settings(max_examples=60, deadline=None)
@given(periods=_versions(), probe=st.integers(min_value=-10, max_value=4600))
def test_in_force_finds_exactly_the_version_whose_period_holds_the_day(
    periods: list[tuple[dt.date, dt.date | None]], probe: int
) -> None:
    book = RuleBook([parse_rule_text(_yaml_for(periods), origin="gen.yaml")])
    day = D(2020, 1, 1) + dt.timedelta(days=probe)
    holders = [i for i, (s, e) in enumerate(periods) if s <= day and (e is None or day <= e)]
    assert len(holders) <= 1
    if holders:
        assert book.value("test.rule", day) == holders[0]
    else:
        with pytest.raises(RuleNotInForceError):
            book.in_force("test.rule", day)


@settings(max_examples=40, deadline=None)
@given(periods=_versions().filter(lambda p: len(p) >= 2), data=st.data())
def test_overlapping_versions_are_always_rejected(
    periods: list[tuple[dt.date, dt.date | None]], data: st.DataObject
) -> None:
    # Stretch one version so that it reaches into the next one.
    index = data.draw(st.integers(0, len(periods) - 2))
    start, _ = periods[index]
    next_start = periods[index + 1][0]
    stretched = data.draw(st.sampled_from([None, next_start, next_start + dt.timedelta(days=30)]))
    periods[index] = (start, stretched)
    with pytest.raises(RuleFileError, match="versions overlap"):
        parse_rule_text(_yaml_for(periods), origin="gen.yaml")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_either_parses_or_raises_a_rule_file_error(text: str) -> None:
    message = "fuzz.yaml"
    try:
        parse_rule_text(text, origin="fuzz.yaml")
    except RuleFileError as exc:  # any other exception fails the test
        message = str(exc)
    assert message.startswith("fuzz.yaml")


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 2000), st.decimals(min_value=0, max_value=1, places=2)),
        max_size=6,
        unique_by=lambda r: r[0],
    ),
    first=st.decimals(min_value=0, max_value=1, places=2),
    days=st.integers(0, 3000),
)
def test_step_share_is_the_share_of_the_last_row_reached(
    rows: list[tuple[int, Decimal]], first: Decimal, days: int
) -> None:
    table = [Step(from_days=0, share=first)] + [Step(from_days=d, share=s) for d, s in sorted(rows)]
    reached = [row for row in table if row.from_days <= days]
    assert step_share(table, days) == reached[-1].share


def test_docs_describe_every_shipped_rule(book: RuleBook) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [rule_id for rule_id in book.rule_ids() if f"`{rule_id}`" not in docs]
    assert missing == []
