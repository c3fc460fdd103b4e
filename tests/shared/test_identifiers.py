import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alue.shared.identifiers import (
    InvalidIdentifier,
    hetu_birth_date,
    hetu_is_female,
    make_business_id,
    make_hetu,
    validate_business_id,
    validate_hetu,
)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)), st.integers(900, 999))
def test_synthetic_hetu_round_trips(birth: dt.date, individual: int) -> None:
    code = make_hetu(birth, individual)
    assert validate_hetu(code) == code
    assert hetu_birth_date(code) == birth
    assert hetu_is_female(code) == (individual % 2 == 0)


def test_hetu_errors_say_what_is_wrong() -> None:
    with pytest.raises(InvalidIdentifier, match="check character"):
        validate_hetu("131052-308A")
    with pytest.raises(InvalidIdentifier, match="form"):
        validate_hetu("13105")


@given(st.text(max_size=15))
def test_hetu_validation_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidIdentifier):
        validate_hetu(text)


def test_business_id() -> None:
    assert validate_business_id("0137323-9") == "0137323-9"  # Pori's published Y-tunnus
    assert make_business_id(137323) == "0137323-9"
    with pytest.raises(InvalidIdentifier, match="check digit"):
        validate_business_id("0137323-8")
