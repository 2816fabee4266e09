"""SPARQL from strangers, run where it cannot hurt the service.

Every request is first scanned (kg.sparql_text: nesting depth, no SERVICE or LOAD unless an
operator allows the endpoint), then evaluated in a pool of worker processes
(ingest.isolation) over a *snapshot* of the embedded store: a RocksDB checkpoint that
pyoxigraph's `Store.backup` makes with hard links in a few milliseconds, and that the workers
open read-only. A query past its deadline is stopped by killing its worker (the CPU is free at
once), a query that crashes the engine costs only its worker, and both are replaced.

Opening the live store read-only from another process while this one writes is undefined
behaviour in RocksDB, hence one snapshot per store generation, shared by the queries of that
generation and deleted when the last of them is done.

An update is first run to completion in a worker on a private snapshot (a dry run with the
same deadline and the same data, since the caller holds the one write lock); only an update
that finished there is applied to the live store, so an update that would run forever, or
crash, is refused before it can block writes. A remote store gets the same checks, and its
own server bounds the evaluation.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ingest.errors import SparqlCrashed
from ingest.isolation import (
    PoolBusy,
    PoolClosed,
    WorkerCrashed,
    WorkerPool,
    WorkerTimeout,
)
from kg import sparql_text
from kg.remote import RemoteStore
from kg.store import (
    PREFIX_MAP,
    Boolean,
    GraphStore,
    OxigraphStore,
    QueryError,
    QueryResult,
    QueryTimeout,
    Solutions,
    StoreError,
    Triples,
    collect,
)

WORKER_TARGET = "kg.sandbox:run_job"


@dataclass(frozen=True, slots=True)
class SparqlDataset:
    """A dataset given by the protocol (default-graph-uri / named-graph-uri, or using-…)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True, slots=True)
class SparqlLimits:
    timeout_s: float = 10.0
    result_cap: int = 10_000
    workers: int = 2
    memory_mb: int | None = 4096
    allowed_services: tuple[str, ...] = ()
    max_query_kb: int = 256


class SparqlRunner:
    """Checked, bounded and isolated SPARQL over one store."""

    def __init__(self, store: GraphStore, workdir: Path, limits: SparqlLimits) -> None:
        self.store = store
        self.limits = limits
        self._pool: WorkerPool | None = None
        self._snapshots: _Snapshots | None = None
        if isinstance(store, OxigraphStore):
            self._pool = WorkerPool(WORKER_TARGET, limits.workers, limits.memory_mb)
            self._snapshots = _Snapshots(store, workdir)

    def start(self) -> None:
        """Start the workers ahead of the first query (optional)."""
        if self._pool is not None:
            self._pool.start()

    # --- queries ------------------------------------------------------------------
    def query(
        self, text: str, *, dataset: SparqlDataset | None = None, base_iri: str | None = None
    ) -> QueryResult:
        if len(text.encode()) > self.limits.max_query_kb * 1024:
            raise sparql_text.QueryRefused(
                f"query larger than {self.limits.max_query_kb} KB (JEJARING_MAX_QUERY_KB)"
            )
        found = self._checked(text)
        if self._pool is None or self._snapshots is None:
            return self._remote_query(text, dataset, base_iri)
        job: dict[str, Any] = {
            "op": "query",
            "text": text,
            "base_iri": base_iri,
            "cap": self.limits.result_cap,
            # No protocol dataset and no FROM: the default graph is the union of the graphs.
            "union": not dataset and not sparql_text.has_keyword(found, "FROM"),
        }
        if dataset:
            job["default_graphs"] = list(dataset.default_graphs)
            job["named_graphs"] = list(dataset.named_graphs)
        with self._snapshots.current() as path:
            job["snapshot"] = str(path)
            result = self._run(job)
        assert isinstance(result, Solutions | Boolean | Triples)  # what run_job returns
        return result

    # --- updates ------------------------------------------------------------------
    def update(
        self, text: str, *, using: SparqlDataset | None = None, base_iri: str | None = None
    ) -> None:
        """Run an update; the caller holds the one write lock."""
        found = self._checked(text)
        if using:
            text = sparql_text.with_using(text, found, using.default_graphs, using.named_graphs)
        if self._pool is not None and self._snapshots is not None:
            with self._snapshots.private() as path:
                self._run(
                    {"op": "update", "text": text, "base_iri": base_iri, "snapshot": str(path)}
                )
        self.store.update(text, base_iri=base_iri)

    def worker_pids(self) -> list[int]:
        return self._pool.pids() if self._pool is not None else []

    def _remote_query(
        self, text: str, dataset: SparqlDataset | None, base_iri: str | None
    ) -> QueryResult:
        """A remote store bounds its own evaluation; the request's dataset is passed on."""
        if base_iri is not None:
            text = f"BASE <{base_iri}>\n{text}"
        if not isinstance(self.store, RemoteStore) or not dataset:
            return self.store.evaluate(
                text, timeout=self.limits.timeout_s, cap=self.limits.result_cap
            )
        protocol = {
            "default-graph-uri": list(dataset.default_graphs),
            "named-graph-uri": list(dataset.named_graphs),
        }
        return self.store.evaluate(
            text, timeout=self.limits.timeout_s, cap=self.limits.result_cap, protocol=protocol
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._snapshots is not None:
            self._snapshots.close()

    # --- shared -------------------------------------------------------------------
    def _checked(self, text: str) -> list[sparql_text.Token]:
        found = sparql_text.tokens(text)
        sparql_text.check_nesting(found)
        sparql_text.check_reach(found, self.limits.allowed_services)
        return found

    def _run(self, job: dict[str, Any]) -> object:
        assert self._pool is not None
        timeout = self.limits.timeout_s
        try:
            return self._pool.call(job, timeout)
        except WorkerTimeout as exc:
            what = "update" if job["op"] == "update" else "query"
            nothing = "; nothing was written" if what == "update" else ""
            raise QueryTimeout(
                f"the {what} ran past the time limit of {timeout:g} s and was stopped{nothing}"
            ) from exc
        except PoolBusy as exc:
            raise QueryTimeout("every SPARQL worker is busy with slow queries: try again") from exc
        except PoolClosed as exc:
            raise StoreError("the SPARQL service is shutting down") from exc
        except WorkerCrashed as exc:
            raise SparqlCrashed(
                f"the SPARQL engine could not evaluate this request ({exc}); nothing was changed"
            ) from exc


class _Snapshots:
    """Checkpoints of the live store, one per generation, deleted when no query uses them."""

    def __init__(self, store: OxigraphStore, root: Path) -> None:
        self.store = store
        self.root = root
        shutil.rmtree(root, ignore_errors=True)  # left by a process that was killed
        root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._users: dict[Path, int] = {}
        self._current: tuple[int, Path] | None = None
        self._names = itertools.count()

    @contextmanager
    def current(self) -> Iterator[Path]:
        with self._lock:
            if self._current is None or self._current[0] != self.store.generation:
                old = self._current
                path, generation = self._make()
                self._current = (generation, path)
                self._users[path] = 0
                if old is not None:
                    self._forget_if_unused(old[1])
            path = self._current[1]
            self._users[path] += 1
        try:
            yield path
        finally:
            with self._lock:
                self._users[path] -= 1
                if self._current is None or self._current[1] != path:
                    self._forget_if_unused(path)

    @contextmanager
    def private(self) -> Iterator[Path]:
        """A snapshot for one dry-run update, deleted after it."""
        with self._lock:
            path, _ = self._make()
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def _make(self) -> tuple[Path, int]:
        path = self.root / f"snapshot-{next(self._names)}"
        return path, self.store.backup(path)

    def _forget_if_unused(self, path: Path) -> None:
        if self._users.get(path, 0) == 0:
            self._users.pop(path, None)
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._current = None
            self._users.clear()
        shutil.rmtree(self.root, ignore_errors=True)


# --- in the worker process -------------------------------------------------------------
_opened: tuple[str, ox.Store] | None = None


def run_job(job: dict[str, Any]) -> object:
    """Evaluate one job on its snapshot (called in a worker process by ingest.isolation)."""
    global _opened
    path = job["snapshot"]
    if job["op"] == "update":
        _opened = None  # never keep a private snapshot open: it is deleted after the call
        store = ox.Store(path)
        try:
            store.update(job["text"], base_iri=job.get("base_iri"), prefixes=PREFIX_MAP)
        except SyntaxError as exc:
            raise QueryError(f"malformed update: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"update failed: {exc}") from None
        finally:
            del store
        return None
    if _opened is None or _opened[0] != path:
        _opened = None
        _opened = (path, ox.Store.read_only(path))
    store = _opened[1]
    options: dict[str, Any] = {}
    if job.get("union"):
        options["use_default_graph_as_union"] = True
    if "default_graphs" in job or "named_graphs" in job:
        options["default_graph"] = [ox.NamedNode(g) for g in job.get("default_graphs", [])] or (
            ox.DefaultGraph()
        )
        options["named_graphs"] = [ox.NamedNode(g) for g in job.get("named_graphs", [])]
    try:
        result = store.query(
            job["text"], base_iri=job.get("base_iri"), prefixes=PREFIX_MAP, **options
        )
        return collect(result, job.get("cap"), None)
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def sandbox_for(store: GraphStore, data: Path, limits: SparqlLimits) -> SparqlRunner:
    return SparqlRunner(store, data / "sparql-snapshots", limits)


def graphs(values: Iterable[str]) -> tuple[str, ...]:
    """Protocol graph IRIs, checked: each must be an absolute IRI."""
    out = []
    for value in values:
        with contextlib.suppress(ValueError):
            ox.NamedNode(value)
            if ":" in value:
                out.append(value)
                continue
        raise QueryError(f"not an absolute IRI: {value!r}")
    return tuple(out)
