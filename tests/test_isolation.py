"""ingest.isolation: a call that crashes or overruns costs only its own worker process.

The targets are standard-library functions, so the children run exactly what production
children run: `python -m ingest.isolation module:function`.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from ingest.isolation import PoolBusy, PoolClosed, Worker, WorkerCrashed, WorkerPool, WorkerTimeout


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_call_returns_its_answer_and_raises_its_exception() -> None:
    worker = Worker("math:sqrt")
    try:
        assert worker.call(16.0, timeout=30) == 4.0
        with pytest.raises(ValueError, match="math domain error"):
            worker.call(-1.0, timeout=30)
        assert worker.alive  # an exception is an answer, not a crash
    finally:
        worker.close()


def test_a_call_past_its_deadline_is_killed() -> None:
    worker = Worker("time:sleep")
    started = time.monotonic()
    with pytest.raises(WorkerTimeout, match=r"time limit of 0\.5 s"):
        worker.call(60, timeout=0.5)
    assert time.monotonic() - started < 5
    assert not worker.alive and _gone(worker.pid)


def test_a_segfault_is_reported_and_the_pool_replaces_the_worker() -> None:
    pool = WorkerPool("faulthandler:_sigsegv", size=1)
    try:
        with pytest.raises(WorkerCrashed, match="SIGSEGV"):
            pool.call(False, timeout=30)
        assert pool.replaced == 1 and pool.pids() == []
    finally:
        pool.close()
    sqrt = WorkerPool("math:sqrt", size=1)
    try:
        first = sqrt.call(9.0, timeout=30)
        pid = sqrt.pids()[0]
        assert first == 3.0 and sqrt.call(4.0, timeout=30) == 2.0
        assert sqrt.pids() == [pid]  # a healthy worker is reused
    finally:
        sqrt.close()
    assert _gone(pid)


def test_a_busy_pool_says_so_and_a_closed_pool_refuses() -> None:
    pool = WorkerPool("time:sleep", size=1)
    holder = threading.Thread(target=lambda: pool.call(1.0, timeout=30))
    holder.start()
    try:
        time.sleep(0.3)
        with pytest.raises(PoolBusy):
            pool.call(0, timeout=5, wait=0.1)
    finally:
        holder.join()
        pool.close()
    with pytest.raises(PoolClosed):
        pool.call(0, timeout=5)


def test_close_kills_a_call_in_flight() -> None:
    pool = WorkerPool("time:sleep", size=1)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            pool.call(60, timeout=120)
        except BaseException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while not pool.pids():
        time.sleep(0.05)
    pid = pool.pids()[0]
    time.sleep(0.3)
    pool.close()
    caller.join(10)
    assert not caller.is_alive() and isinstance(errors[0], WorkerCrashed)
    assert _gone(pid)
