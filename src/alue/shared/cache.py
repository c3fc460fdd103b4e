"""Short-lived in-process caches of computed figures (no personal data is kept in them).

Each application instance (worker) keeps its own; an entry is computed again once it is older than the
cache's ``seconds``, and ``seconds = 0`` computes every time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    """Values kept for ``seconds`` after they were computed; expired entries are dropped on the next store."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = compute()
        if self.seconds > 0:
            with self._lock:
                self._entries = {k: v for k, v in self._entries.items() if now - v[0] < self.seconds}
                self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
