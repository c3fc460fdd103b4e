"""Cell parsers: every value an export writes parses back to itself; nothing else ever crashes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alue.io.fields import (
    LANGUAGE_LEVELS,
    Boolean,
    Choice,
    Date,
    FieldType,
    Industry,
    Integer,
    Isco4,
    LanguageLevels,
    Lookups,
    Money,
    MunicipalityCode,
    normalise,
)
from alue.io.kinds import KINDS

EMPTY = Lookups([])
ALL_TYPES: list[FieldType] = list({id(c.type): c.type for k in KINDS.values() for c in k.columns}.values())
CHOICES = [t for t in ALL_TYPES if isinstance(t, Choice)]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_in_iso_and_finnish_form(day: dt.date) -> None:
    assert Date().parse(day.isoformat(), EMPTY) == day
    assert Date().parse(f"{day.day}.{day.month}.{day.year}", EMPTY) == day
    assert Date().parse(f"{day:%d.%m.%Y}", EMPTY) == day
    assert Date().format(day) == day.isoformat()


@pytest.mark.parametrize("text", ["31.2.2025", "2025-13-01", "1.1.25", "tomorrow", "2025/01/31", "1.1.0999"])
def test_not_dates_are_rejected_with_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="not"):
        Date().parse(text, EMPTY)


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_money_round_trips_and_reads_finnish_form(amount: Decimal) -> None:
    money = Money()
    assert money.parse(money.format(amount), EMPTY) == amount
    finnish = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    assert money.parse(finnish + " €", EMPTY) == amount


@given(st.integers(-(10**6), 10**6))
def test_integers_respect_their_range(value: int) -> None:
    field = Integer(0, 1000)
    if 0 <= value <= 1000:
        assert field.parse(str(value), EMPTY) == value
        assert field.parse(f"{value},0", EMPTY) == value
    else:
        with pytest.raises(ValueError, match="outside"):
            field.parse(str(value), EMPTY)


@given(st.booleans())
def test_yes_no_round_trip(value: bool) -> None:
    assert Boolean().parse(Boolean().format(value), EMPTY) is value
    assert Boolean().parse("Kyllä" if value else "EI", EMPTY) is value


@pytest.mark.parametrize("choice", CHOICES, ids=lambda c: c.enum_cls.__name__)
def test_every_value_and_finnish_label_is_accepted(choice: Choice) -> None:
    for member in choice.enum_cls:
        assert choice.parse(choice.format(member), EMPTY) is member
        assert choice.parse(member.value.upper().replace("_", " "), EMPTY) is member
        for label in choice.labels.get(member.value, ()):
            assert choice.parse(label, EMPTY) is member
            assert choice.parse(f" {label.upper()} ", EMPTY) is member
    assert set(choice.labels) <= {m.value for m in choice.enum_cls}, "a label for a value that does not exist"


def test_finnish_labels_ignore_accents_and_punctuation() -> None:
    working_time = next(c for c in CHOICES if c.enum_cls.__name__ == "WorkingTime")
    assert working_time.parse("Osa-aikatyö", EMPTY).value == "part_time"
    assert working_time.parse("osa aikatyo", EMPTY).value == "part_time"
    assert normalise("Y-tunnus") == normalise("ytunnus") == "ytunnus"


@given(
    st.dictionaries(st.sampled_from(["fi", "sv", "en", "ru", "ar", "et"]), st.sampled_from(LANGUAGE_LEVELS))
)
def test_language_levels_round_trip(levels: dict[str, str]) -> None:
    field = LanguageLevels()
    assert field.parse(field.format(levels), EMPTY) == levels


def test_language_levels_accept_finnish_names() -> None:
    assert LanguageLevels().parse("suomi: äidinkieli; englanti: hyvä", EMPTY) == {
        "fi": "native",
        "en": "good",
    }


def test_isco_codes_keep_leading_zero_groups() -> None:
    assert Isco4().parse("110", EMPTY) == "0110"
    with pytest.raises(ValueError, match="4-digit"):
        Isco4().parse("251", EMPTY)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(data=st.data())
def test_municipalities_by_any_code_form_or_name(session: Session, data: st.DataObject) -> None:
    lookups = Lookups.load(session)
    field = MunicipalityCode()
    code = data.draw(st.sampled_from(sorted(lookups.municipality_codes)))
    assert field.parse(code, lookups) == code
    assert field.parse(f"KU{code}", lookups) == code
    assert field.parse(str(int(code)), lookups) == code
    assert field.parse("Pori", lookups) == "609"
    assert field.parse("björneborg", lookups) == "609"
    assert field.parse("Jämijärvi", lookups) == field.parse("JAMIJARVI", lookups) == "181"
    with pytest.raises(ValueError, match="unknown municipality"):
        field.parse("Atlantis", lookups)
    with pytest.raises(ValueError, match="unknown municipality"):
        field.parse("999", lookups)


@given(text=st.text(max_size=40), index=st.integers(0, len(ALL_TYPES) - 1))
def test_no_parser_raises_anything_but_value_error(text: str, index: int) -> None:
    field = ALL_TYPES[index]
    try:
        value = field.parse(text.strip(), EMPTY)
    except ValueError as exc:
        assert str(exc)  # noqa: PT017 - only ValueError, and always with a message
    else:
        assert field.parse(field.format(value), EMPTY) == value  # what is accepted round-trips


@pytest.mark.parametrize(("text", "expected"), [("c", "C"), (" Q ", "Q"), ("x", "X")])
def test_industry_accepts_tol_sections_and_unknown(text: str, expected: str) -> None:
    assert Industry().parse(text, EMPTY) == expected


@pytest.mark.parametrize("text", ["V", "W", "CC", "1", ""])
def test_industry_rejects_other_letters(text: str) -> None:
    with pytest.raises(ValueError, match="TOL 2008"):
        Industry().parse(text, EMPTY)
