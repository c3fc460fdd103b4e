"""One process-wide limit that keeps the numeric libraries' own thread pools to one thread.

The occupation coder multiplies small matrices and the early-identification models are small: the
libraries' threads (OpenBLAS, OpenMP) only spin or compete with the web application there. Their
limits are process-wide, so calls that overlap on several threads (web requests) must share one
limit: nested limiters restore out of order and can leave the whole process on one thread for good.
Here the first call to enter sets the limit and the last to leave restores the original limits.

threadpoolctl (3.8) lets only one thread at a time set OpenBLAS's limit: the first thread that sets
it controls it while it lives, and other threads' limits are ignored without a word. In the web
application every request runs on some worker thread, so the first request to code a title would keep
OpenBLAS for its thread and later requests on other threads would run it unlimited. Because this
module already serialises the setting and restoring, it takes the control for the thread that sets or
restores and gives it up again.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import threadpoolctl
from threadpoolctl import ThreadpoolController

_LOCK = threading.Lock()
_controller: ThreadpoolController | None = None
#: ``len(sys.modules)`` when the controller looked for the loaded libraries.
_modules_seen = -1
_users = 0
_limiter: Any = None


def _current_controller() -> ThreadpoolController:
    """The libraries' controller, looked for again when modules were imported since (scikit-learn
    brings its OpenMP library); looking costs about 0.4 ms, a fifth of coding one title."""
    global _controller, _modules_seen
    if _controller is None or len(sys.modules) != _modules_seen:
        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    return _controller


def _release_openblas(*, force: bool) -> None:
    """Let the next thread that sets OpenBLAS's limit control it (threadpoolctl ≥ 3.8; a no-op before)."""
    controller = getattr(threadpoolctl, "OpenBLASController", None)
    clear = getattr(controller, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=force)


@contextmanager
def one_library_thread() -> Iterator[None]:
    """A context in which BLAS and OpenMP run on one thread (shared by overlapping calls)."""
    global _users, _limiter
    with _LOCK:
        if _users == 0:
            _release_openblas(force=True)  # a thread that set it earlier may still be alive
            _limiter = _current_controller().limit(limits=1)
            _release_openblas(force=False)
        _users += 1
    try:
        yield
    finally:
        with _LOCK:
            _users -= 1
            if _users == 0 and _limiter is not None:
                _release_openblas(force=True)  # the last to leave may not be the thread that set it
                _limiter.restore_original_limits()
                _release_openblas(force=False)
                _limiter = None
