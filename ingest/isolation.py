"""Run untrusted work in child processes that can be killed: the one way to stop it for real.

Parsing a hostile PDF or evaluating a hostile SPARQL query can crash the library doing it (a
stack overflow in a recursive parser is a segfault, not an exception) or run for minutes with
no way to cancel it from another thread. Both are sent here instead: a child process runs
`module:function(payload)` calls sent over a socket, and the parent kills it at the deadline
or finds it dead after a crash. Only that one call fails; the next call gets a new child.

Generic on purpose (no import of ours): the ingest pipeline isolates PDF parsing with it and
kg.sandbox isolates SPARQL. Children are started with `python -m ingest.isolation TARGET`, not
forked: the parent has threads (and torch) that a fork would copy in a broken state.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import resource
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ingest.errors import IsolationError, PoolBusy, PoolClosed, WorkerCrashed, WorkerTimeout

STARTUP_TIMEOUT_S = 120.0  # an import on a machine under heavy load, not a hostile call


class Worker:
    """One child process serving calls to one function, one call at a time."""

    def __init__(self, target: str, memory_mb: int | None = None) -> None:
        parent, child = socket.socketpair()
        env = dict(os.environ)
        if memory_mb:
            env["JEJARING_ISOLATION_MEMORY_MB"] = str(memory_mb)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ingest.isolation", target, str(child.fileno())],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
                cwd=_project_root(),
            )
        finally:
            child.close()
        self._conn = Connection(parent.detach())
        self.target = target
        self._ready = False

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Wait for the child to have imported its function, so that start-up time never
        counts against a call's deadline."""
        if self._ready:
            return
        try:
            if not self._conn.poll(timeout):
                self.kill()
                raise WorkerCrashed(f"the worker process did not start in {timeout:g} s")
            self._conn.recv()
        except (EOFError, OSError) as exc:
            code = self.kill()
            raise WorkerCrashed(_crash_reason(code)) from exc
        self._ready = True

    def call(self, payload: Any, timeout: float) -> Any:
        """`function(payload)` in the child; its exception is raised here as it was there."""
        self.wait_ready()
        try:
            self._conn.send(payload)
            if not self._conn.poll(timeout):
                self.kill()
                raise WorkerTimeout(f"stopped after the time limit of {timeout:g} s")
            status, value = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            code = self.kill()
            raise WorkerCrashed(_crash_reason(code)) from exc
        if status == "error":
            raise value
        return value

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def kill(self) -> int | None:
        """Stop the child at once and reap it; its exit code (negative: the signal)."""
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        code = self._process.wait()
        with contextlib.suppress(OSError):
            self._conn.close()
        return code

    def close(self, grace: float = 1.0) -> None:
        """Ask the child to end (end of its input), and kill it if it does not in `grace` s."""
        with contextlib.suppress(OSError):
            self._conn.close()
        try:
            self._process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()


class WorkerPool:
    """Up to `size` workers for one function; a worker that timed out or crashed is replaced."""

    def __init__(self, target: str, size: int, memory_mb: int | None = None) -> None:
        self.target = target
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self._busy: set[Worker] = set()
        self._closed = False
        self.replaced = 0  # workers killed at a deadline or lost to a crash

    def start(self) -> None:
        """Start the workers now rather than on first use (it takes a few tenths of a second)."""
        started = [self._new_worker() for _ in range(self.size - self._idle.qsize())]
        for worker in started:
            self._idle.put(worker)

    def call(self, payload: Any, timeout: float, wait: float | None = None) -> Any:
        """Run one call, waiting up to `wait` seconds (default `timeout`) for a free worker."""
        if self._closed:
            raise PoolClosed("the worker pool is closed")
        if not self._slots.acquire(timeout=timeout if wait is None else wait):
            raise PoolBusy("every worker is busy: try again later")
        worker: Worker | None = None
        try:
            worker = self._take()
            try:
                return worker.call(payload, timeout)
            except IsolationError:
                self.replaced += 1
                worker = None  # dead: never back into the pool
                raise
        finally:
            if worker is not None:
                self._give_back(worker)
            self._slots.release()

    def pids(self) -> list[int]:
        """The worker processes alive now (for health checks and tests)."""
        with self._lock:
            workers = [*self._busy, *list(self._idle.queue)]
        return [w.pid for w in workers if w.alive]

    def _take(self) -> Worker:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = self._new_worker()
            if not worker.alive:
                worker.kill()
                continue
            with self._lock:  # busy from here on, so that close() can kill it
                if self._closed:
                    worker.kill()
                    raise PoolClosed("the worker pool is closed")
                self._busy.add(worker)
            try:
                worker.wait_ready()  # a new worker's imports are not the call's time
            except IsolationError:
                with self._lock:
                    self._busy.discard(worker)
                raise
            return worker

    def _give_back(self, worker: Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            closed = self._closed
        if closed:
            worker.kill()
        else:
            self._idle.put(worker)

    def _new_worker(self) -> Worker:
        return Worker(self.target, self.memory_mb)

    def close(self) -> None:
        """End every worker, the busy ones too: a call in flight fails with WorkerCrashed."""
        with self._lock:
            self._closed = True
            busy = list(self._busy)
        for worker in busy:
            worker.kill()
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break


def _crash_reason(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"the worker process died ({signal.Signals(-code).name})"
    return f"the worker process died (exit status {code})"


def _project_root() -> str:
    # The folder that holds the `ingest` package, so `-m ingest.isolation` finds it even when
    # the parent was started from elsewhere.
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _serve(target: str, fd: int) -> None:
    """The child's loop: answer calls until the parent closes its end."""
    _die_with_parent()
    limit = os.environ.get("JEJARING_ISOLATION_MEMORY_MB")
    if limit:
        size = int(limit) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    module_name, _, function_name = target.partition(":")
    function: Callable[[Any], Any] = getattr(importlib.import_module(module_name), function_name)
    conn = Connection(fd)
    try:
        conn.send(("ready", None))
    except OSError:  # the pool closed before this worker was ready: nothing to serve
        return
    while True:
        try:
            payload = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", function(payload))
        except MemoryError:
            answer = ("error", WorkerCrashed("the call ran out of its memory limit"))
        except Exception as exc:
            answer = ("error", exc)
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return
        except Exception as exc:  # an answer that cannot be pickled
            conn.send(("error", IsolationError(f"unsendable answer: {type(exc).__name__}")))


def _die_with_parent() -> None:
    """The child ends when its parent process does, so no orphan runs on. Not by
    PR_SET_PDEATHSIG: Linux sends that when the parent *thread* that started the child ends,
    and a server's pool threads come and go (a worker started by one request thread, then
    serving another, was killed mid-call when the first went idle and ended)."""
    parent = os.getppid()
    if parent == 1:  # the parent was already gone
        os._exit(0)

    def watch() -> None:
        tick = threading.Event()
        while os.getppid() == parent:
            tick.wait(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


if __name__ == "__main__":
    # Started by Worker; keep this module's imports light, every child pays for them.
    _serve(sys.argv[1], int(sys.argv[2]))
