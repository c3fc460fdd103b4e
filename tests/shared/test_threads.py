from __future__ import annotations

import threading

import numpy as np  # noqa: F401  (loads the BLAS library that the limit applies to)
import pytest
from threadpoolctl import threadpool_info

from alue.shared.threads import one_library_thread


def _threads(api: str) -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == api]


def test_overlapping_calls_share_the_limit_and_the_last_restores_it() -> None:
    before = _threads("blas")
    if not before:
        pytest.skip("no BLAS library loaded")
    # Two calls that overlap, as on two request threads: the first to enter leaves first.
    first, second = one_library_thread(), one_library_thread()
    first.__enter__()
    second.__enter__()
    assert _threads("blas") == [1] * len(before)
    first.__exit__(None, None, None)
    assert _threads("blas") == [1] * len(before)  # the second call still runs limited
    second.__exit__(None, None, None)
    # the last to leave restored the limits (nested limiters left the process on one thread for good)
    assert _threads("blas") == before


def test_the_limit_is_lifted_after_an_error() -> None:
    before = _threads("blas")
    with pytest.raises(RuntimeError), one_library_thread():
        raise RuntimeError("boom")
    assert _threads("blas") == before


def test_libraries_imported_later_are_limited_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from alue.shared import threads

    with one_library_thread():
        pass
    seen = threads._controller
    with one_library_thread():
        pass
    assert threads._controller is seen  # nothing imported: the libraries are not looked for again
    monkeypatch.setitem(sys.modules, "alue_test_late_module", types.ModuleType("alue_test_late_module"))
    with one_library_thread():
        pass
    assert threads._controller is not seen  # a module was imported since: looked for again


def test_a_limit_set_on_a_thread_that_lives_on_does_not_lock_out_the_others() -> None:
    """A web worker thread codes a title first and stays alive; later calls on other threads must still
    limit OpenBLAS (threadpoolctl gives the control of OpenBLAS's limit to the first thread that sets it)."""
    before = _threads("blas")
    if not before:
        pytest.skip("no BLAS library loaded")
    import threadpoolctl

    clear = getattr(getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)  # as in a new process: no thread has set OpenBLAS's limit yet
    done, release = threading.Event(), threading.Event()

    def worker() -> None:
        with one_library_thread():
            pass
        done.set()
        release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert done.wait(10)
        with one_library_thread():
            assert _threads("blas") == [1] * len(before)
        assert _threads("blas") == before
    finally:
        release.set()
        thread.join()
