"""Masks identifying strings in free-text answers before they are stored or shown.

Respondents are asked not to write identifying details, but some will. Before a free-text answer is stored,
and again before it is shown, every HETU-like string (henkilötunnus — Finnish personal identity code,
``DDMMYY-NNNC``), phone-number-like string and e-mail address is replaced by a marker. The patterns are
deliberately broad: a masked date or order number costs little, an unmasked identity code costs a lot.
Names cannot be recognised reliably by a pattern; that is why free texts reach only authorised staff and only
from groups of at least five answers.
"""

from __future__ import annotations

import re

HETU_MASK = "[hetu]"
PHONE_MASK = "[puh]"
EMAIL_MASK = "[email]"

#: six digits, a century sign (+ - A–F U–Y, in any case), three digits, a check character; spaces around
#: the century sign are tolerated
HETU_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{6}\s?[-+A-Fa-fU-Yu-y]\s?\d{3}\s?[0-9A-Za-z](?![0-9A-Za-z])")
#: an optional +, then 7–15 digits separated by at most two spaces, hyphens, slashes or parentheses
#: (040 123 4567, +358 40 123 4567, (02) 621 1234, 0401234567)
PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d(?:[\s\-/()]{0,2}\d){6,14}(?!\w)")
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_identifiers(text: str) -> str:
    """The text with HETU-like, phone-like and e-mail-like strings replaced by markers."""
    text = HETU_LIKE.sub(HETU_MASK, text)
    text = EMAIL_LIKE.sub(EMAIL_MASK, text)
    return PHONE_LIKE.sub(PHONE_MASK, text)
