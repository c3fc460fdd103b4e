"""Small building blocks for vectorised generation: growable column tables, day numbers, grouped sampling.

The generator never builds ORM objects for bulk rows. Every table it produces is a :class:`Columns`: a
set of NumPy arrays that grow by appending whole batches. Dates are *day numbers* (days since
1970-01-01, the NumPy ``datetime64[D]`` epoch); :data:`NO_DAY` marks a missing date (``NULL``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

#: Marks a missing date (an open end) in a day-number column.
NO_DAY = np.iinfo(np.int32).max
EPOCH = dt.date(1970, 1, 1)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def day(value: dt.date) -> int:
    """The day number of a date."""
    return (value - EPOCH).days


def date_of(value: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=int(value))


def _lookup(arr: np.ndarray, make: Any) -> list[Any]:
    """Map integer codes through a table built once for their range (fast for millions of rows)."""
    missing = arr == NO_DAY
    if missing.all():
        return [None] * len(arr)
    present = arr[~missing]
    lo, hi = int(present.min()), int(present.max())
    table = np.empty(hi - lo + 2, dtype=object)
    table[:-1] = make(lo, hi)
    table[-1] = None
    index = np.where(missing, hi - lo + 1, arr - lo)
    return table[index].tolist()  # type: ignore[no-any-return]


def iso_dates(values: npt.ArrayLike) -> list[str | None]:
    """Day numbers as ISO date strings (``None`` for :data:`NO_DAY`), fast for millions of rows."""
    arr = np.asarray(values, dtype=np.int64)
    return _lookup(
        arr, lambda lo, hi: [(EPOCH + dt.timedelta(days=d)).isoformat() for d in range(lo, hi + 1)]
    )


def timestamps(days: npt.ArrayLike, minutes: npt.ArrayLike, suffix: str = "") -> list[str]:
    """``YYYY-MM-DD HH:MM:00`` + suffix for day numbers and minutes after midnight (a multiple of 15)."""
    d = np.asarray(days, dtype=np.int64)
    slot = np.asarray(minutes, dtype=np.int64) // 15
    code = d * 96 + slot

    def make(lo: int, hi: int) -> list[str]:
        out = []
        for c in range(lo, hi + 1):
            day_, s = divmod(c, 96)
            out.append(
                f"{(EPOCH + dt.timedelta(days=day_)).isoformat()} {s // 4:02d}:{s % 4 * 15:02d}:00{suffix}"
            )
        return out

    return _lookup(code, make)


def nullable_ids(ids: npt.ArrayLike, offset: int = 0) -> list[int | None]:
    """Row indices (−1 = none) as database ids (index + offset) with ``None`` for missing."""
    arr = np.asarray(ids, dtype=np.int64)
    out = (arr + offset).astype(object)
    out[arr < 0] = None
    return out.tolist()  # type: ignore[no-any-return]


class Columns:
    """A table held as growable NumPy columns. ``table["col"]`` is a writable view of the used rows."""

    def __init__(self, name: str, dtypes: Mapping[str, Any], capacity: int = 4096) -> None:
        self.name = name
        self.dtypes = dict(dtypes)
        self.n = 0
        self._data: dict[str, np.ndarray] = {k: np.empty(capacity, dtype=v) for k, v in self.dtypes.items()}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, column: str) -> np.ndarray:
        return self._data[column][: self.n]

    def _reserve(self, extra: int) -> None:
        needed = self.n + extra
        capacity = len(next(iter(self._data.values())))
        if needed <= capacity:
            return
        new_capacity = max(needed, int(capacity * 1.6) + 1024)
        for key, arr in self._data.items():
            grown = np.empty(new_capacity, dtype=arr.dtype)
            grown[: self.n] = arr[: self.n]
            self._data[key] = grown

    def add(self, count: int, **values: Any) -> IntArray:
        """Append ``count`` rows; each value is a scalar or an array of length ``count``.

        Columns not given are filled with -1 (integers), NaN (floats) or False. Returns the new row indices.
        """
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        unknown = set(values) - set(self._data)
        if unknown:
            raise KeyError(f"{self.name}: unknown columns {sorted(unknown)}")
        self._reserve(count)
        start, stop = self.n, self.n + count
        for key, arr in self._data.items():
            if key in values:
                arr[start:stop] = values[key]
            elif arr.dtype == np.bool_:
                arr[start:stop] = False
            elif np.issubdtype(arr.dtype, np.floating):
                arr[start:stop] = np.nan
            else:
                arr[start:stop] = -1
        self.n = stop
        return np.arange(start, stop, dtype=np.int64)


def rank_in_group(groups: np.ndarray, keys: np.ndarray) -> tuple[IntArray, IntArray]:
    """Order rows by (group, key) and give each row its rank inside its group.

    Returns ``(order, rank)`` where ``order`` sorts the rows and ``rank[i]`` is the rank of row
    ``order[i]`` within its group (0 for the smallest key).
    """
    k = np.asarray(keys, dtype=np.float64)
    if len(k) and k.min() < 0:
        raise ValueError("keys must be non-negative")
    # one float sort key: the group plus the key squashed monotonically into [0, 1)
    order = np.argsort(np.asarray(groups, dtype=np.float64) + k / (1.0 + k), kind="stable")
    sorted_groups = groups[order]
    n = len(order)
    if n == 0:
        return order.astype(np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    lengths = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, lengths)
    return order.astype(np.int64), rank.astype(np.int64)


def weighted_pick_per_group(
    rng: np.random.Generator, groups: np.ndarray, weights: np.ndarray, quota: np.ndarray
) -> IntArray:
    """Weighted sampling without replacement inside each group: returns the chosen row indices.

    ``quota[g]`` rows are taken from group ``g`` (fewer when it has fewer rows), each with probability
    proportional to its weight (Efraimidis–Spirakis keys: smaller ``Exp(1) / w`` wins).
    """
    if len(groups) == 0:
        return np.empty(0, dtype=np.int64)
    w = np.maximum(np.asarray(weights, dtype=np.float64), 1e-12)
    keys = rng.exponential(size=len(groups)) / w
    order, rank = rank_in_group(groups, keys)
    chosen = order[rank < quota[groups[order]]]
    return np.sort(chosen)


def sample_csr(
    rng: np.random.Generator, offsets: np.ndarray, cumweights: np.ndarray, rows: np.ndarray
) -> IntArray:
    """Pick one element per row from a CSR list of weighted candidates.

    Group ``g`` owns ``cumweights[offsets[g]:offsets[g+1]]`` (a running total over the whole array).
    Returns the global candidate index, or -1 for an empty group.
    """
    lo = offsets[rows]
    hi = offsets[rows + 1]
    empty = hi <= lo
    base = np.where(lo > 0, cumweights[np.maximum(lo - 1, 0)], 0.0)
    top = cumweights[np.maximum(hi - 1, 0)]
    u = base + rng.random(len(rows)) * (top - base)
    idx = np.searchsorted(cumweights, u, side="right")
    idx = np.clip(idx, lo, np.maximum(hi - 1, lo))
    return np.where(empty, -1, idx).astype(np.int64)


def build_csr(
    groups: np.ndarray, weights: np.ndarray, n_groups: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Group candidates for :func:`sample_csr`: returns ``(offsets, members, cumweights)``.

    ``members[k]`` is the original index of the k-th candidate in group order.
    """
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
    cum = np.cumsum(np.maximum(np.asarray(weights, dtype=np.float64)[order], 1e-12))
    return offsets, order.astype(np.int64), cum


def choice_rows(rng: np.random.Generator, probabilities: np.ndarray) -> IntArray:
    """One categorical draw per row of a probability matrix (rows need not be normalised)."""
    cum = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1).astype(np.int64)


def uniform_day(rng: np.random.Generator, after: np.ndarray, until: np.ndarray | int) -> IntArray:
    """A uniformly random day in ``(after, until]`` for each row (``until`` must exceed ``after``)."""
    span = np.asarray(until) - after
    return (after + 1 + np.floor(rng.random(len(after)) * span)).astype(np.int64)
