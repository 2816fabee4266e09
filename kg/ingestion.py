"""The write path: file -> Document -> mentions -> quads -> one store transaction.

A failure at any step leaves the store as it was, and a batch goes on with the next file. A
study is its content (`ingest.structure.content_id`), not its name. One writer at a time
(ingest, delete, SPARQL Update) holds `write_lock`; reads go on beside it. Whatever follows the
store's documents (the search index) is told of each change under the same lock, through the
small `Follower` interface, so this module needs nothing from `search/`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ingest.errors import IngestError, ParserBusy, UnknownDocument
from ingest.isolation import WorkerPool
from ingest.lexicon import Lexicon
from ingest.model import Document
from ingest.pipeline import RECORD_SUFFIXES, WORKER_TARGET, read_document_isolated
from ingest.structure import content_id
from kg.model import document_quads, place_quads
from kg.store import GraphStore
from kg.vocabulary import load_graph, vocab_dir, vocabulary_quads

INGESTIBLE_SUFFIXES = {".pdf"} | RECORD_SUFFIXES
Status = Literal["ingested", "replaced", "unchanged", "failed"]


@dataclass(slots=True)
class Outcome:
    source: str
    status: Status
    doc_id: str | None = None
    reason: str | None = None
    code: str | None = None  # IngestError.code of a failure: empty, corrupt, encrypted, …
    replaced: list[str] = field(default_factory=list)
    document: Document | None = None


@dataclass(slots=True)
class BatchSummary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class Follower(Protocol):
    """What follows the store's documents (the search index, `search.service`)."""

    def prepare(self, doc: Document) -> Callable[[list[str]], None]:
        """The slow part of taking `doc` in (embedding), done before the write lock; the step
        it returns is run under the lock after the store write, with the replaced ids."""
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

    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        replace: str | None = None,
        replace_same_name: bool = False,
    ) -> Outcome:
        """Ingest one file's content; never raises for bad input, says why instead.

        A study is its content, not its name: new content is a new study even under the name
        of another. Older documents go only when asked, in the same store transaction as the
        new one: `replace` (a document id), or every document of the same file name
        (`replace_same_name`, the CLI's --replace-changed)."""
        try:
            doc_id, _ = content_id(data)
            if replace is not None and not self.store.has_document(replace):
                raise UnknownDocument(f"no document {replace} to replace")
            if self.store.has_document(doc_id):
                return self._already_there(doc_id, filename, replace)
            doc = self.parse(data, filename)
            # The slow step (seconds per hundred passages), done before the write lock so that
            # other writers do not wait for it; it opens (and syncs) the index first.
            follow = self.follower.prepare(doc)
        except IngestError as exc:
            return Outcome(filename, "failed", reason=exc.reason, code=exc.code)
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
        s = self.limits
        return read_document_isolated(
            self.parser, data, filename, self.lexicon, timeout=s.timeout_s,
            max_pages=s.max_pages, max_chars=s.max_chars,
        )  # fmt: skip

    def ingest_paths(
        self,
        paths: Iterable[Path],
        progress: Callable[[Outcome], None] | None = None,
        *,
        replace_changed: bool = False,
    ) -> BatchSummary:
        """Ingest files and folders; `replace_changed`: a file whose content changed replaces
        the documents ingested before under its name."""
        # Opening the index brings it in line with the store (a crash between the store write
        # and the index write leaves it behind), also when every file turns out unchanged.
        self.follower.catch_up()
        summary = BatchSummary()
        for path in expand_paths(paths):
            outcome = self.ingest_file(path, replace_changed=replace_changed)
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
        self.follower.save()
        return summary

    def ingest_file(self, path: Path, *, replace_changed: bool = False) -> Outcome:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Outcome(str(path), "failed", reason=f"cannot read: {exc.strerror or exc}")
        try:
            outcome = self.ingest_bytes(data, path.name, replace_same_name=replace_changed)
        except Exception as exc:  # one broken file must never stop a batch
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            return Outcome(str(path), "failed", reason=f"internal error: {reason}")
        outcome.source = str(path)
        return outcome

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
            if self._parser is not None:
                self._parser.close()


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
