"""The write path: file -> Document -> mentions -> quads -> one store transaction.

A failure at any step leaves the store as it was, and a batch goes on with the next file. A
study is its content (`ingest.structure.content_id`), not its name. One writer at a time
(ingest, delete, SPARQL Update) holds `write_lock`; reads go on beside it. Whatever follows the
store's documents (the search index) is told of each change under the same lock, through the
small `Follower` interface, so this module needs nothing from `search/`.

A batch (`ingest_paths` with workers > 1) reads several files at once in worker processes,
has the follower embed the passages of several documents together, and still writes each
document alone, in the order given, through the one writer. Documents read and embedded
elsewhere (a Dask cluster, api.cluster) come in through `write_read`, the same write step.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ingest.errors import IngestError, ParserBusy, UnknownDocument
from ingest.isolation import WorkerPool
from ingest.lexicon import Lexicon
from ingest.model import Document
from ingest.pipeline import RECORD_SUFFIXES, WORKER_TARGET, ReadDocument, read_timed_isolated
from ingest.structure import content_id
from kg.model import document_quads, place_quads
from kg.store import GraphStore
from kg.vocabulary import load_graph, vocab_dir, vocabulary_quads

INGESTIBLE_SUFFIXES = {".pdf"} | RECORD_SUFFIXES
Status = Literal["ingested", "replaced", "unchanged", "failed"]
STAGES = ("parse", "extract", "embed", "write")
# A batch embeds documents together until they have this many passages: fuller model calls
# (an abstract has two or three passages, and a call per document left the model half idle).
BATCH_PASSAGES = 64
FollowStep = Callable[[list[str]], None]


@dataclass(slots=True)
class Outcome:
    source: str
    status: Status
    doc_id: str | None = None
    reason: str | None = None
    code: str | None = None  # IngestError.code of a failure: empty, corrupt, encrypted, …
    replaced: list[str] = field(default_factory=list)
    document: Document | None = None


Steps = dict[str, FollowStep | Outcome]  # a batch's documents: how each is followed, or why not


class Stages:
    """Seconds spent per ingest stage (parse, extract, embed, write), summed over the
    documents; added to from the reading threads, hence the lock."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def read(self, read: ReadDocument) -> None:
        self.add("parse", read.parse_s)
        self.add("extract", read.extract_s)

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - start)


@dataclass(slots=True)
class BatchSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    stages: Stages = field(default_factory=Stages)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class Follower(Protocol):
    """What follows the store's documents (the search index, `search.service`)."""

    def prepare(self, doc: Document) -> FollowStep:
        """The slow part of taking `doc` in (embedding), done before the write lock; the step
        it returns is run under the lock after the store write, with the replaced ids."""
        ...

    def prepare_many(self, docs: list[Document]) -> list[FollowStep]:
        """`prepare` for several documents at once (a batch: fuller model calls)."""
        ...

    def prepared(self, doc: Document, work: Any) -> FollowStep:
        """The step for `doc` whose slow part was done elsewhere (`work`: what a cluster
        worker computed for it, api.cluster)."""
        ...

    def removed(self, doc_id: str) -> None:
        """`doc_id` left the store (called under the write lock)."""
        ...

    def catch_up(self) -> None:
        """Come in line with the store before a batch (the repair after a crash)."""
        ...

    def save(self) -> None:
        """Persist after a batch."""
        ...


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How files are read: worker processes, their memory, a deadline and text limits."""

    workers: int
    memory_mb: int | None
    timeout_s: float
    max_pages: int
    max_chars: int


class Ingestion:
    """Takes files into one store, replaces and deletes documents."""

    def __init__(
        self,
        store: GraphStore,
        lexicon: Lexicon,
        follower: Follower,
        limits: ReadLimits,
        closing: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.lexicon = lexicon
        self.follower = follower
        self.limits = limits
        # One writer at a time (ingest, delete, SPARQL Update); reads go on beside it.
        self.write_lock = threading.RLock()
        self._parser: WorkerPool | None = None  # file reading, in processes killed at a deadline
        self._parser_lock = threading.Lock()
        # Set when the owner shuts down: no new reader processes after that.
        self._closing = closing or threading.Event()
        self._batch_pools: set[WorkerPool] = set()  # readers of batches under way

    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        replace: str | None = None,
        replace_same_name: bool = False,
        stages: Stages | None = None,
    ) -> Outcome:
        """Ingest one file's content; never raises for bad input, says why instead.

        A study is its content, not its name: new content is a new study even under the name
        of another. Older documents go only when asked, in the same store transaction as the
        new one: `replace` (a document id), or every document of the same file name
        (`replace_same_name`, the CLI's --replace-changed)."""
        stages = stages or Stages()
        try:
            doc_id, _ = content_id(data)
            if replace is not None and not self.store.has_document(replace):
                raise UnknownDocument(f"no document {replace} to replace")
            if self.store.has_document(doc_id):
                return self._already_there(doc_id, filename, replace)
            read = self.read(data, filename)
            stages.read(read)
            doc = read.document
            # The slow step (seconds per hundred passages), done before the write lock so that
            # other writers do not wait for it; it opens (and syncs) the index first.
            with stages.timing("embed"):
                follow = self.follower.prepare(doc)
        except IngestError as exc:
            return Outcome(filename, "failed", reason=exc.reason, code=exc.code)
        with stages.timing("write"):
            return self.write(
                doc, follow, filename, replace=replace, replace_same_name=replace_same_name
            )

    def write(
        self,
        doc: Document,
        follow: FollowStep,
        filename: str,
        *,
        replace: str | None = None,
        replace_same_name: bool = False,
    ) -> Outcome:
        """The one writer's step: `doc` into the store in one transaction, then `follow`."""
        with self.write_lock:
            if self.store.has_document(doc.id):  # another writer got there first
                return self._already_there(doc.id, filename, replace)
            if replace is not None and not self.store.has_document(replace):
                return Outcome(filename, "failed", reason=f"no document {replace} to replace",
                               code=UnknownDocument.code)  # fmt: skip
            if replace is not None:
                replaces = [replace]
            elif replace_same_name:
                replaces = self.store.documents_with_filename(doc.filename)
            else:
                replaces = []
            self.store.put_document(doc.id, document_quads(doc), place_quads(doc), replaces)
            # The index follows the store; if this fails, start-up repair catches it up.
            follow(replaces)
        status: Status = "replaced" if replaces else "ingested"
        return Outcome(filename, status, doc.id, replaced=replaces, document=doc)

    def _already_there(self, doc_id: str, filename: str, replace: str | None) -> Outcome:
        """The content is in the store already; replacing another document with it only
        drops that one."""
        if replace is None or replace == doc_id:
            return Outcome(filename, "unchanged", doc_id)
        if not self.delete(replace):
            return Outcome(filename, "failed", reason=f"no document {replace} to replace",
                           code=UnknownDocument.code)  # fmt: skip
        return Outcome(filename, "replaced", doc_id, replaced=[replace])

    @property
    def parser(self) -> WorkerPool:
        """The worker processes that read files: started on first use, ended by close()."""
        with self._parser_lock:
            if self._closing.is_set():
                raise ParserBusy("the service is shutting down")
            if self._parser is None:
                s = self.limits
                self._parser = WorkerPool(WORKER_TARGET, s.workers, s.memory_mb)
            return self._parser

    def parse(self, data: bytes, filename: str) -> Document:
        """File bytes -> Document with its mentions, within the text limit, in a worker
        process with a deadline (ingest.pipeline: a hostile PDF ran pypdf for minutes)."""
        return self.read(data, filename).document

    def read(self, data: bytes, filename: str, pool: WorkerPool | None = None) -> ReadDocument:
        """`parse`, with the seconds its stages took; in `pool` when given."""
        s = self.limits
        return read_timed_isolated(
            pool or self.parser, data, filename, self.lexicon, timeout=s.timeout_s,
            max_pages=s.max_pages, max_chars=s.max_chars,
        )  # fmt: skip

    def ingest_paths(
        self,
        paths: Iterable[Path],
        progress: Callable[[Outcome], None] | None = None,
        *,
        replace_changed: bool = False,
        workers: int = 1,
    ) -> BatchSummary:
        """Ingest files and folders; `replace_changed`: a file whose content changed replaces
        the documents ingested before under its name. With `workers` > 1, that many files are
        read at once and documents are embedded together (`ingest_batch`); 1 is one file at a
        time, each embedded alone."""

        def outcomes(stages: Stages) -> Iterable[Outcome]:
            if workers > 1:
                return self.ingest_batch(paths, workers, stages, replace_changed)
            return (
                self.ingest_file(p, replace_changed=replace_changed, stages=stages)
                for p in expand_paths(paths)
            )

        return self.run_batch(outcomes, progress)

    def run_batch(
        self,
        outcomes: Callable[[Stages], Iterable[Outcome]],
        progress: Callable[[Outcome], None] | None = None,
    ) -> BatchSummary:
        """A batch's frame, for this module's batches and a cluster's (api.cluster): the index
        caught up first, each outcome of `outcomes(stages)` collected and reported as it comes,
        the index saved at the end."""
        # Opening the index brings it in line with the store (a crash between the store write
        # and the index write leaves it behind), also when every file turns out unchanged.
        self.follower.catch_up()
        summary = BatchSummary()
        for outcome in outcomes(summary.stages):
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
        self.follower.save()
        return summary

    def ingest_file(
        self, path: Path, *, replace_changed: bool = False, stages: Stages | None = None
    ) -> Outcome:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Outcome(str(path), "failed", reason=f"cannot read: {exc.strerror or exc}")
        try:
            outcome = self.ingest_bytes(
                data, path.name, replace_same_name=replace_changed, stages=stages
            )
        except Exception as exc:  # one broken file must never stop a batch
            return Outcome(str(path), "failed", reason=internal_error(exc))
        outcome.source = str(path)
        return outcome

    # --- batches: reading in several processes, embedding several documents at once ------
    def ingest_batch(
        self,
        paths: Iterable[Path],
        workers: int,
        stages: Stages,
        replace_changed: bool = False,
    ) -> Iterator[Outcome]:
        """Outcomes of `paths`, in their order: `workers` reader processes of this batch's own
        read ahead while a thread embeds a batch (the model spreads over the cores between
        them) and this one writes the batch before it, document by document."""
        pool = self._batch_pool(workers)
        files = expand_paths(paths)
        pending: deque[Future[tuple[str, Outcome | Document]]] = deque()
        # Files in flight: a whole batch of abstracts (2-3 passages each) and more, so that the
        # model finds the next batch read when it is done with one.
        ahead = max(4 * workers, BATCH_PASSAGES // 2)
        try:
            with (
                ThreadPoolExecutor(workers, thread_name_prefix="read") as readers,
                ThreadPoolExecutor(1, thread_name_prefix="embed") as embedding,
            ):

                def read_ahead() -> None:
                    while len(pending) < ahead and (path := next(files, None)):
                        pending.append(readers.submit(self._read_file, path, pool, stages))

                def embed(batch: list[tuple[str, Outcome | Document]]) -> Future[Steps]:
                    docs = [item for _, item in batch if isinstance(item, Document)]
                    return embedding.submit(self._prepare_timed, docs, stages)

                batch: list[tuple[str, Outcome | Document]] = []
                passages = 0
                # The batch being embedded while the one before it is written.
                embedded: tuple[list[tuple[str, Outcome | Document]], Future[Steps]] | None = None
                read_ahead()
                while pending:
                    source, item = pending.popleft().result()
                    read_ahead()
                    batch.append((source, item))
                    if isinstance(item, Document):
                        passages += max(1, len(item.passages))
                    if passages >= BATCH_PASSAGES or not pending:
                        last, embedded = embedded, (batch, embed(batch))
                        if last is not None:
                            yield from self._write_batch(last[0], last[1].result(), stages,
                                                         replace_changed)  # fmt: skip
                        batch, passages = [], 0
                if embedded is not None:
                    yield from self._write_batch(embedded[0], embedded[1].result(), stages,
                                                 replace_changed)  # fmt: skip
        finally:
            for future in pending:
                future.cancel()
            self._end_batch_pool(pool)

    def _read_file(
        self, path: Path, pool: WorkerPool, stages: Stages
    ) -> tuple[str, Outcome | Document]:
        """A file's Document, or its final outcome (unreadable, already in the store)."""
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return source, Outcome(source, "failed", reason=f"cannot read: {exc.strerror or exc}")
        try:
            doc_id, _ = content_id(data)
            if self.store.has_document(doc_id):
                return source, Outcome(source, "unchanged", doc_id)
            read = self.read(data, path.name, pool)
        except IngestError as exc:
            return source, Outcome(source, "failed", reason=exc.reason, code=exc.code)
        except Exception as exc:  # one broken file must never stop a batch
            return source, Outcome(source, "failed", reason=internal_error(exc))
        stages.read(read)
        return source, read.document

    def _prepare_timed(self, docs: list[Document], stages: Stages) -> Steps:
        with stages.timing("embed"):
            return self._prepare_many(docs)

    def _write_batch(
        self,
        batch: list[tuple[str, Outcome | Document]],
        steps: Steps,
        stages: Stages,
        replace_changed: bool,
    ) -> Iterator[Outcome]:
        for source, item in batch:
            if isinstance(item, Outcome):
                yield item
                continue
            step = steps[item.id]
            if isinstance(step, Outcome):
                step.source = source
                yield step
                continue
            with stages.timing("write"):
                try:
                    outcome = self.write(item, step, item.filename,
                                         replace_same_name=replace_changed)  # fmt: skip
                except Exception as exc:  # a store error fails this document, not the batch
                    outcome = Outcome(source, "failed", reason=internal_error(exc))
            outcome.source = source
            yield outcome

    def _prepare_many(self, docs: list[Document]) -> Steps:
        """Each document's follow step, embedded together; if the batch fails, one by one, so
        that only the document at fault fails."""
        if not docs:
            return {}
        try:
            steps = self.follower.prepare_many(docs)
            return {doc.id: step for doc, step in zip(docs, steps, strict=True)}
        except Exception:
            pass
        out: dict[str, FollowStep | Outcome] = {}
        for doc in docs:
            try:
                out[doc.id] = self.follower.prepare(doc)
            except IngestError as exc:
                out[doc.id] = Outcome(doc.filename, "failed", reason=exc.reason, code=exc.code)
            except Exception as exc:
                out[doc.id] = Outcome(doc.filename, "failed", reason=internal_error(exc))
        return out

    def _batch_pool(self, workers: int) -> WorkerPool:
        """Reader processes for one batch, ended with it (or by close(), from another thread)."""
        with self._parser_lock:
            if self._closing.is_set():
                raise ParserBusy("the service is shutting down")
            pool = WorkerPool(WORKER_TARGET, workers, self.limits.memory_mb)
            self._batch_pools.add(pool)
        pool.start()
        return pool

    def _end_batch_pool(self, pool: WorkerPool) -> None:
        with self._parser_lock:
            self._batch_pools.discard(pool)
        pool.close()

    def delete(self, doc_id: str) -> bool:
        with self.write_lock:
            deleted = self.store.delete_document(doc_id)
            if deleted:
                self.follower.removed(doc_id)
        return deleted

    def close(self) -> None:
        """End the reader processes; the parser refuses work from now on."""
        with self._parser_lock:
            self._closing.set()
            pools = [*self._batch_pools, *([self._parser] if self._parser else [])]
        for pool in pools:
            pool.close()


def sync_vocabulary(store: GraphStore, data_dir: Path) -> None:
    """Load the SKOS schemes into the store's vocabulary graph when they changed."""
    digest = hashlib.sha256()
    for path in sorted(vocab_dir().glob("*.ttl")):
        digest.update(path.read_bytes())
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / f"vocabulary-{store.kind}.sha256"
    if marker.exists() and marker.read_text() == digest.hexdigest() and store.vocabulary_size():
        return
    store.replace_vocabulary(vocabulary_quads(load_graph()))
    marker.write_text(digest.hexdigest())


def internal_error(exc: Exception) -> str:
    """A per-file reason for an unexpected error: a bug or a broken store, said briefly."""
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return f"internal error: {reason}"


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the PDFs and records inside folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if not name.startswith(".") and candidate.suffix.lower() in INGESTIBLE_SUFFIXES:
                        yield candidate
        else:
            yield path
