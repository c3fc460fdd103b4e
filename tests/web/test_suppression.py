"""Disclosure control: small counts never leave, and a hidden cell cannot be recovered from a total."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alue.shared.suppression import MIN_CELL, Cell, count_cell, count_table, share_cell, total_cell


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (120, 120)])
def test_count_cell(count: int, shown: int | None) -> None:
    cell = count_cell(count)
    assert cell.as_json() == shown
    assert cell.suppressed == (shown is None)


def test_share_hides_small_numerators_denominators_and_complements() -> None:
    assert share_cell(3, 100).suppressed
    assert share_cell(3, 4).suppressed
    assert share_cell(98, 100).suppressed  # 2 not in the group would be revealed
    assert share_cell(50, 100) == Cell(50.0)
    assert share_cell(0, 0) == Cell(None)


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=60), min_size=1, max_size=12
    )
)
def test_no_small_cell_is_shown_and_none_can_be_recovered(counts: dict[str, int]) -> None:
    cells = count_table(counts)
    assert set(cells) == set(counts)
    for key, cell in cells.items():
        if 0 < counts[key] < MIN_CELL:
            assert cell.suppressed
            assert cell.value is None
        if not cell.suppressed:
            assert cell.value == counts[key]
    hidden = [k for k, c in cells.items() if c.suppressed]
    total = total_cell(counts)
    if total.shown and hidden:
        # with the total shown, the hidden cells' sum is known: it must not pin down one small cell
        assert len(hidden) >= 2 or counts[hidden[0]] == 0 or sum(counts[k] for k in hidden) >= MIN_CELL


def test_single_hidden_cell_gets_a_partner() -> None:
    cells = count_table({"a": 3, "b": 40, "c": 12, "d": 0})
    assert cells["a"].suppressed
    assert cells["c"].suppressed
    assert cells["b"] == Cell(40)
    assert cells["d"] == Cell(0)
