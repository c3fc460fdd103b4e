"""Statistical disclosure control: the one place where small counts are hidden before they leave alue.

Every aggregate about people that is shown on a page, returned by the API or exported passes through here.
The rule is Statistics Finland's usual threshold for register data: a count of **1–4 persons** is not shown
(``MIN_CELL = 5``; zero is shown, because an empty cell tells nothing about a person). Derived figures
(shares, means) whose base count is small are hidden with their base.

Secondary suppression: when the cells of a group add up to a total that is shown, a single hidden cell
could be recovered by subtraction, so the next smallest shown cell of the group is hidden as well.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

#: smallest person count that may be shown (1 … MIN_CELL-1 are suppressed); source: Statistics Finland's
#: disclosure-control practice for register-based tables, adopted by the area for every published figure
MIN_CELL = 5

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Cell:
    """A figure ready to show: ``value`` is None when it is suppressed."""

    value: float | int | None
    suppressed: bool = False

    @property
    def shown(self) -> bool:
        return not self.suppressed and self.value is not None

    def as_json(self) -> int | float | None:
        return None if self.suppressed else self.value

    def as_count(self) -> int | None:
        """A count cell's value as published: None when suppressed."""
        return None if self.suppressed or self.value is None else int(self.value)


def is_small(count: int, *, min_cell: int = MIN_CELL) -> bool:
    return 0 < count < min_cell


def count_cell(count: int, *, min_cell: int = MIN_CELL) -> Cell:
    """A single person count, suppressed when small."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    return Cell(None, True) if is_small(count, min_cell=min_cell) else Cell(count)


def share_cell(numerator: int, denominator: int, *, min_cell: int = MIN_CELL) -> Cell:
    """A percentage (0–100) whose numerator and denominator are person counts.

    Hidden when either count is small (a share of a small group, or a share that reveals a small count).
    """
    if denominator <= 0:
        return Cell(None)
    if is_small(numerator, min_cell=min_cell) or is_small(denominator, min_cell=min_cell):
        return Cell(None, True)
    if is_small(denominator - numerator, min_cell=min_cell):  # the complement would reveal a small count
        return Cell(None, True)
    return Cell(100.0 * numerator / denominator)


def count_table(
    counts: Mapping[K, int], *, with_total: bool = True, min_cell: int = MIN_CELL
) -> dict[K, Cell]:
    """Suppress a group of counts that add up to a shown total (primary and secondary suppression)."""
    cells = {key: count_cell(value, min_cell=min_cell) for key, value in counts.items()}
    hidden = [k for k, c in cells.items() if c.suppressed]
    if with_total and len(hidden) == 1 and len(cells) > 1:
        candidates = sorted(
            ((counts[k], str(k), k) for k, c in cells.items() if not c.suppressed and counts[k] > 0),
            key=lambda item: (item[0], item[1]),
        )
        # with no non-zero cell left to hide, the total equals the hidden count and is itself suppressed
        if candidates:
            cells[candidates[0][2]] = Cell(None, True)
    return cells


def total_cell(counts: Mapping[K, int], *, min_cell: int = MIN_CELL) -> Cell:
    return count_cell(sum(counts.values()), min_cell=min_cell)
