"""Finnish identifiers: henkilötunnus (HETU, personal identity code) and Y-tunnus (business id).

Validation uses python-stdnum. Synthetic people get identity codes with an individual number in the
900–999 range, which the Digital and Population Data Services Agency reserves for temporary codes; so a
generated code can never be a real person's permanent code.
"""

from __future__ import annotations

import datetime as dt

from stdnum import exceptions as stdnum_errors
from stdnum.fi import hetu as stdnum_hetu
from stdnum.fi import ytunnus as stdnum_ytunnus

HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
#: century signs; since 2023 several signs per century are valid (the first is the traditional one)
CENTURY_SIGNS = {1800: "+", 1900: "-", 2000: "A"}
CENTURY_OF_SIGN = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}


class InvalidIdentifier(ValueError):
    """Raised with a message in plain language that names what is wrong; ``reason`` says which check
    failed (``"check"``: the check character or digit, ``"component"``: the date or individual number,
    ``"form"``: the shape), for callers that word the message themselves (the import's translations)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def validate_hetu(value: str) -> str:
    """Return the HETU in canonical form or raise ``InvalidIdentifier`` saying why it is not valid."""
    try:
        return str(stdnum_hetu.validate(value.strip().upper(), allow_temporary=True))
    except stdnum_errors.InvalidChecksum as exc:
        raise InvalidIdentifier(f"HETU {value!r}: the check character is wrong", reason="check") from exc
    except stdnum_errors.InvalidComponent as exc:
        raise InvalidIdentifier(
            f"HETU {value!r}: not a valid date or individual number", reason="component"
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise InvalidIdentifier(f"HETU {value!r}: not in the form DDMMYYCZZZQ", reason="form") from exc


def hetu_birth_date(value: str) -> dt.date:
    code = validate_hetu(value)
    century = CENTURY_OF_SIGN[code[6]]
    return dt.date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))


def hetu_is_female(value: str) -> bool:
    """The individual number is even for women and odd for men."""
    return int(validate_hetu(value)[7:10]) % 2 == 0


def make_hetu(birth_date: dt.date, individual_number: int) -> str:
    """Build a HETU; ``individual_number`` 900–999 gives a temporary (never-real) code."""
    if not 2 <= individual_number <= 999:
        raise ValueError("individual number must be 002–999")
    sign = CENTURY_SIGNS[birth_date.year // 100 * 100]
    digits = f"{birth_date:%d%m%y}{individual_number:03d}"
    return f"{birth_date:%d%m%y}{sign}{individual_number:03d}{HETU_CHECK_CHARS[int(digits) % 31]}"


def validate_business_id(value: str) -> str:
    """Return a Y-tunnus as ``1234567-8`` or raise ``InvalidIdentifier``."""
    try:
        compact = stdnum_ytunnus.validate(value.strip())
    except stdnum_errors.InvalidChecksum as exc:
        raise InvalidIdentifier(f"Y-tunnus {value!r}: the check digit is wrong", reason="check") from exc
    except stdnum_errors.ValidationError as exc:
        raise InvalidIdentifier(f"Y-tunnus {value!r}: not in the form 1234567-8", reason="form") from exc
    return f"{compact[:7]}-{compact[7]}"


def make_business_id(serial: int) -> str:
    """A Y-tunnus with a correct check digit built from a 7-digit serial (for synthetic employers)."""
    base = f"{serial:07d}"
    weights = (7, 9, 10, 5, 8, 4, 2)
    remainder = sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11
    if remainder == 1:
        raise ValueError(f"serial {serial} has no valid check digit; use another")
    check = 0 if remainder == 0 else 11 - remainder
    return f"{base}-{check}"
