from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from alue.surveys.masking import HETU_LIKE, PHONE_LIKE, mask_identifiers

CENTURY = "+-ABCDEFUVWXY"
CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
digits = st.text(alphabet=string.digits, min_size=1, max_size=1)


@st.composite
def hetus(draw: st.DrawFn) -> str:
    day = draw(st.integers(1, 31))
    month = draw(st.integers(1, 12))
    year = draw(st.integers(0, 99))
    sign = draw(st.sampled_from(CENTURY))
    individual = draw(st.integers(2, 999))
    check = draw(st.sampled_from(CHECK))
    if draw(st.booleans()):
        sign, check = sign.lower(), check.lower()
    return f"{day:02d}{month:02d}{year:02d}{sign}{individual:03d}{check}"


@st.composite
def phones(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["+358 ", "+358", "0", "00358 ", "(0"]))
    area = draw(st.sampled_from(["40", "44", "50", "2", "9", "45"]))
    sep = draw(st.sampled_from([" ", "-", "", ") "] if prefix == "(0" else [" ", "-", ""]))
    groups = draw(st.lists(st.integers(0, 999), min_size=2, max_size=3))
    rest = draw(st.sampled_from([" ", "-", ""])).join(f"{g:03d}" for g in groups)
    return f"{prefix}{area}{sep}{rest}"


# surrounding prose: any text, kept apart from the identifier by a space
prose = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
letters_only = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Nd", "No", "Nl")), max_size=80)


@given(prose, hetus(), prose)
def test_hetu_like_strings_are_masked(before: str, hetu: str, after: str) -> None:
    masked = mask_identifiers(f"{before} {hetu} {after}")
    assert hetu not in masked
    assert not HETU_LIKE.search(masked)


@given(prose, phones(), prose)
def test_phone_like_strings_are_masked(before: str, phone: str, after: str) -> None:
    masked = mask_identifiers(f"{before} {phone} {after}")
    assert phone not in masked
    assert not PHONE_LIKE.search(masked)


@given(st.text(max_size=120))
def test_masking_is_idempotent_and_leaves_no_pattern(text: str) -> None:
    once = mask_identifiers(text)
    assert mask_identifiers(once) == once
    assert not HETU_LIKE.search(once)
    assert not PHONE_LIKE.search(once)


@given(letters_only)
def test_text_without_digits_or_addresses_is_unchanged(text: str) -> None:
    if "@" not in text:
        assert mask_identifiers(text) == text


def test_examples() -> None:
    assert mask_identifiers("Hetuni on 131052-308T, soita 040 123 4567.") == "Hetuni on [hetu], soita [puh]."
    assert mask_identifiers("(02) 621 1234 tai +358 2 621 1234") == "[puh] tai [puh]"
    assert mask_identifiers("posti: matti.meikalainen@example.fi") == "posti: [email]"
    assert mask_identifiers("Kävin 3 kertaa, jonotin 15 min") == "Kävin 3 kertaa, jonotin 15 min"
