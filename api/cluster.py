"""Ingest on a Dask cluster (`dask scheduler`, `dask worker`): the workers read, extract and
embed; this process writes, through the one writer, to whatever store the workspace has
(embedded or a SPARQL server), so that the result is the one a local ingest gives.

Files travel as bytes (the workers need not see this machine's disk), a few to a task so that
a worker embeds several documents in one go. Each Dask worker keeps, through a worker plugin,
the embedding model (loaded once) and reader processes of its own: a hostile file meets the
same deadline, memory limit and crash isolation there as here (ingest.isolation). Tasks are
kept in the order of the files and written in that order, a bounded number in flight.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from distributed import Client, Future, WorkerPlugin, get_worker

from ingest.errors import IngestError, ModelError
from ingest.isolation import WorkerPool
from ingest.lexicon import Lexicon
from ingest.pipeline import WORKER_TARGET, ReadDocument, read_timed_isolated
from ingest.structure import content_id
from kg.ingestion import BatchSummary, Outcome, ReadLimits, Stages, expand_paths, internal_error
from search.embedding import Embedder, load_embedder
from search.service import embed_documents

PLUGIN = "jejaring-reader"
FILES_PER_TASK = 8  # abstracts: a few dozen passages, one or two full model calls
CONNECT_TIMEOUT_S = 30.0


class ReaderPlugin(WorkerPlugin):
    """What a Dask worker keeps between tasks: the lexicon it was sent, the embedding model
    (loaded on first use) and its reader processes (ended when the worker or plugin ends)."""

    def __init__(
        self,
        lexicon: Lexicon,
        limits: ReadLimits,
        model: str,
        model_cache: Path | None,
        runtime: str,
    ) -> None:
        self.lexicon = lexicon
        self.limits = limits
        self.model = model
        self.model_cache = model_cache
        self.runtime = runtime
        self._embedder: Embedder | None = None
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()
        self._threads = 1

    def __getstate__(self) -> dict[str, Any]:
        return {
            k: getattr(self, k) for k in ("lexicon", "limits", "model", "model_cache", "runtime")
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def setup(self, worker: Any) -> None:
        self._threads = max(1, int(worker.state.nthreads))

    def teardown(self, worker: Any) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.model, self.model_cache, runtime=self.runtime)
            return self._embedder

    @property
    def pool(self) -> WorkerPool:
        """One reader process per task thread of this worker."""
        with self._lock:
            if self._pool is None:
                self._pool = WorkerPool(WORKER_TARGET, self._threads, self.limits.memory_mb)
            return self._pool


@dataclass(slots=True)
class TaskResult:
    """A task's files, in order: each a failed Outcome or a document read with its vectors."""

    items: list[Outcome | tuple[ReadDocument, np.ndarray]]
    model_id: str
    embed_s: float


def read_and_embed(files: list[tuple[str, bytes]]) -> TaskResult:
    """The task a Dask worker runs: read (in its reader processes) and embed a few files."""
    plugin: ReaderPlugin = get_worker().plugins[PLUGIN]  # type: ignore[assignment]
    s = plugin.limits
    read: list[Outcome | ReadDocument] = []
    for source, data in files:
        try:
            read.append(read_timed_isolated(
                plugin.pool, data, Path(source).name, plugin.lexicon, timeout=s.timeout_s,
                max_pages=s.max_pages, max_chars=s.max_chars,
            ))  # fmt: skip
        except IngestError as exc:
            read.append(Outcome(source, "failed", reason=exc.reason, code=exc.code))
        except Exception as exc:  # one broken file must never stop a batch
            read.append(Outcome(source, "failed", reason=internal_error(exc)))
    docs = [r for r in read if isinstance(r, ReadDocument)]
    start = time.perf_counter()
    embedder = plugin.embedder
    vectors = iter(embed_documents(embedder, [r.document for r in docs]))
    embed_s = time.perf_counter() - start
    items: list[Outcome | tuple[ReadDocument, np.ndarray]] = [
        r if isinstance(r, Outcome) else (r, next(vectors)) for r in read
    ]
    return TaskResult(items, embedder.model_id, embed_s)


def ingest_on_cluster(
    workspace: Any,
    paths: Iterable[Path],
    address: str,
    progress: Callable[[Outcome], None] | None = None,
    *,
    replace_changed: bool = False,
    files_per_task: int = FILES_PER_TASK,
) -> BatchSummary:
    """`paths` read and embedded on the cluster at `address`, written here in their order."""
    ingestion = workspace.ingestion
    s = workspace.settings

    def outcomes(stages: Stages) -> Iterator[Outcome]:
        with Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False) as client:
            plugin = ReaderPlugin(
                ingestion.lexicon, ingestion.limits, s.model, s.model_cache, s.embedding_runtime
            )
            client.register_plugin(plugin, name=PLUGIN)
            window = 2 * max(1, sum(client.nthreads().values()))
            pending: deque[tuple[list[tuple[str, Outcome | None]], Future | None]] = deque()
            chunks = _chunks(expand_paths(paths), files_per_task, ingestion.store)

            def submit_ahead() -> None:
                while len(pending) < window and (chunk := next(chunks, None)):
                    todo = [(src, data) for src, data in chunk if isinstance(data, bytes)]
                    future = client.submit(read_and_embed, todo, pure=False) if todo else None
                    pending.append(([(src, d if isinstance(d, Outcome) else None)
                                     for src, d in chunk], future))  # fmt: skip

            submit_ahead()
            while pending:
                chunk, future = pending.popleft()
                result = _result(future)
                submit_ahead()
                yield from _write_chunk(ingestion, stages, chunk, result, replace_changed)

    return ingestion.run_batch(outcomes, progress)


def _chunks(
    files: Iterator[Path], size: int, store: Any
) -> Iterator[list[tuple[str, bytes | Outcome]]]:
    """The files a few at a time, read here: their bytes, or their outcome already (cannot be
    read, or its content is in the store)."""
    while chunk := list(islice(files, size)):
        out: list[tuple[str, bytes | Outcome]] = []
        for path in chunk:
            try:
                data = path.read_bytes()
            except OSError as exc:
                reason = f"cannot read: {exc.strerror or exc}"
                out.append((str(path), Outcome(str(path), "failed", reason=reason)))
                continue
            doc_id, _ = content_id(data)
            if store.has_document(doc_id):
                out.append((str(path), Outcome(str(path), "unchanged", doc_id)))
            else:
                out.append((str(path), data))
        yield out


def _result(future: Future | None) -> TaskResult | str:
    """The task's result, or why it failed (a worker lost, an unpicklable answer…)."""
    if future is None:
        return TaskResult([], "", 0.0)
    try:
        return future.result()
    except Exception as exc:
        return f"the cluster task failed: {internal_error(exc).removeprefix('internal error: ')}"
    finally:
        future.release()


def _write_chunk(
    ingestion: Any,
    stages: Stages,
    chunk: list[tuple[str, Outcome | None]],
    result: TaskResult | str,
    replace_changed: bool,
) -> Iterator[Outcome]:
    if isinstance(result, str):
        for source, outcome in chunk:
            yield outcome or Outcome(source, "failed", reason=result)
        return
    done = iter(result.items)
    stages.add("embed", result.embed_s)
    for source, outcome in chunk:
        if outcome is not None:
            yield outcome
            continue
        item = next(done)
        if isinstance(item, Outcome):
            yield item
            continue
        read, vectors = item
        stages.read(read)
        with stages.timing("write"):
            try:
                step = ingestion.follower.prepared(read.document, (result.model_id, vectors))
                outcome = ingestion.write(
                    read.document, step, read.document.filename, replace_same_name=replace_changed
                )
            except IngestError as exc:
                outcome = Outcome(source, "failed", reason=exc.reason, code=exc.code)
            except ModelError as exc:  # the workers have another model than this index
                outcome = Outcome(source, "failed", reason=str(exc))
            except Exception as exc:  # a store error fails this document, not the batch
                outcome = Outcome(source, "failed", reason=internal_error(exc))
        outcome.source = source
        yield outcome
