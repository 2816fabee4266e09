"""Wiring: the store, the vocabulary and the ingest pipeline for one data directory.

Each input goes file -> Document -> mentions -> quads -> one store transaction. A failure at
any step leaves the store as it was, and the batch goes on with the next file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from api.settings import Settings
from ingest.errors import IngestError, ParserBusy, UnknownDocument
from ingest.isolation import WorkerPool
from ingest.lexicon import Lexicon
from ingest.model import Document
from ingest.pipeline import RECORD_SUFFIXES, WORKER_TARGET, read_document_isolated
from ingest.places import region_by_code
from ingest.structure import content_id
from kg import policy
from kg.lookup import (
    Filters,
    document_meta,
    document_passage_concepts,
    documents_matching,
    passages_of,
)
from kg.model import document_quads, place_quads
from kg.sandbox import SparqlLimits, SparqlRunner, sandbox_for
from kg.store import open_store
from kg.vocabulary import load_graph, load_lexicon, vocab_dir, vocabulary_quads
from search import hybrid, studies
from search.embedding import Embedder, load_embedder
from search.index import IndexedPassage, PassageRecord, SearchIndex

T = TypeVar("T")
MAX_CACHED_ANSWERS = 256
MAX_CARRIED_DOCUMENTS = 20_000
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


class Workspace:
    """Everything a command or the server needs for one data directory."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = open_store(settings.store, settings.data, settings.sparql_timeout_s)
        self.lexicon: Lexicon = load_lexicon()
        self._sync_vocabulary()
        self._embedder = embedder
        self._index: SearchIndex | None = None
        # One writer at a time (ingest, delete, SPARQL Update); reads go on beside it.
        self.write_lock = threading.RLock()
        self._answers: dict[Hashable, tuple[int, object]] = {}
        # Concepts carried by each passage, per document id: a content hash, so never stale.
        self._carried: dict[str, dict[int, list[tuple[str, str]]]] = {}
        self._warming = threading.Lock()  # held by the one warming thread
        self._warm_wanted = threading.Event()
        self._sparql: SparqlRunner | None = None
        self._parser: WorkerPool | None = None  # file reading, in processes killed at a deadline
        self._parser_lock = threading.Lock()
        self._index_lock = threading.Lock()
        # Background work (start-up repair, warming) checks this between steps, and close()
        # waits for it: a thread still searching while the index closes under it crashes.
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()

    @property
    def sparql(self) -> SparqlRunner:
        """SPARQL from requests: checked, bounded and run in worker processes (kg.sandbox)."""
        if self._sparql is None:
            s = self.settings
            limits = SparqlLimits(
                timeout_s=s.sparql_timeout_s,
                result_cap=s.sparql_result_cap,
                workers=s.sparql_workers,
                memory_mb=s.sparql_memory_mb or None,
                allowed_services=tuple(s.sparql_allowed_services),
                max_query_kb=s.max_query_kb,
            )
            self._sparql = sandbox_for(self.store, s.data, limits)
        return self._sparql

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered until the store's next write (graph-wide questions such as
        recurring obstacles take a second at 1,000 studies and are asked far more often than
        studies arrive). Not cached where others may write the store."""
        generation = self.store.generation
        if generation is None:
            return compute()
        found = self._answers.get(key)
        if found is not None and found[0] == generation:
            return found[1]  # type: ignore[return-value]
        value = compute()
        if len(self._answers) > MAX_CACHED_ANSWERS:
            self._answers.clear()
        self._answers[key] = (generation, value)
        return value

    # --- search index (derived from the store; opened on first use) ------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.model, self.settings.model_cache)
        return self._embedder

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            with self._index_lock:  # the start-up thread and a first request may race here
                if self._index is None:
                    index = SearchIndex(self.settings.index_path, self.embedder)
                    # Repair: the index may lag the store after a crash, or hold stale docs.
                    index.sync(self.store.document_ids(), self._passages_for)
                    self._index = index
        return self._index

    @property
    def index_ready(self) -> bool:
        """Whether the index is open (a request that needs it before then waits for it)."""
        return self._index is not None

    def _passages_for(self, doc_ids: list[str]) -> dict[str, list[PassageRecord]]:
        out = {}
        for doc_id, rows in passages_of(self.store, doc_ids).items():
            title = str(document_meta(self.store, doc_id).get("title") or "")
            out[doc_id] = [PassageRecord(doc_id, i, page, section, text, title)
                           for i, page, section, text in rows]  # fmt: skip
        return out

    def resync(self) -> tuple[int, int]:
        """Bring the index in line with the store after a change made outside ingest/delete."""
        self._carried.clear()  # a SPARQL Update may have edited a document's own graph
        return self.index.sync(self.store.document_ids(), self._passages_for)

    def reindex(self) -> dict[str, object]:
        self.index.clear()
        self.index.sync(self.store.document_ids(), self._passages_for)
        self.index.save()
        return self.index.stats()

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[dict]:
        allowed = documents_matching(self.store, filters) if filters else None
        hits = hybrid.search(
            self.index, query, k, lexicon=self.lexicon, allowed_docs=allowed,
            concepts_of=self._concepts_of, mode=mode,
        )  # fmt: skip
        out = []
        for hit in hits:
            if not self.store.has_document(hit.passage.doc_id):
                continue  # deleted or replaced while the index was catching up
            meta = document_meta(self.store, hit.passage.doc_id)
            out.append({"document": hit.passage.doc_id, "title": meta.get("title"),
                        "year": meta.get("year"), **self._passage_out(hit)})  # fmt: skip
        return out

    def search_studies(self, query: str, k: int = 10, filters: Filters | None = None) -> list[dict]:
        """Studies ranked as wholes, each with the passages, concepts and words that matched."""
        allowed = documents_matching(self.store, filters) if filters else None
        found = studies.search(
            self.index, query, k, lexicon=self.lexicon, allowed_docs=allowed,
            concepts_of=self._concepts_of, study_concepts=self._study_concepts,
        )  # fmt: skip
        out = []
        for study in found:
            if not self.store.has_document(study.doc_id):
                continue  # deleted or replaced while the index was catching up
            meta = document_meta(self.store, study.doc_id)
            out.append({
                "document": study.doc_id, "title": meta.get("title"), "year": meta.get("year"),
                "kind": meta.get("kind"), "language": meta.get("language"),
                "why": {"concepts": _concept_groups(
                            [("query", c) for c in study.concepts], self.lexicon
                        ).get("query", []), "words": study.words},
                "passages": [self._passage_out(h) for h in study.passages],
                "score": {"total": study.score, "passages": study.passage_score,
                          "similarity": study.similarity, "concepts": len(study.concepts)},
            })  # fmt: skip
        return out

    def _passage_out(self, hit: hybrid.Hit) -> dict:
        carried = self._passage_concepts([(hit.passage.doc_id, hit.passage.index)])
        return {
            "page": hit.passage.page, "section": hit.passage.section,
            "passage": hit.passage.index, "text": hit.passage.text, "marked": hit.marked(),
            "highlights": hit.highlights,
            "concepts": _concept_groups(
                carried.get((hit.passage.doc_id, hit.passage.index), []), self.lexicon
            ),
            "score": {"total": hit.score, "dense": hit.dense, "lexical": hit.lexical,
                      "concept": hit.concept},
        }  # fmt: skip

    def _study_concepts(self, doc_ids: list[str]) -> dict[str, set[str]]:
        """Every concept a study's passages carry (cached per study with the passages')."""
        self._passage_concepts([(d, 0) for d in doc_ids])  # fills the per-study cache
        return {
            d: {iri for carried in self._carried.get(d, {}).values() for _, iri in carried}
            for d in doc_ids
        }

    def _concepts_of(self, passages: list[IndexedPassage]) -> dict[int, set[str]]:
        carried = self._passage_concepts([(p.doc_id, p.index) for p in passages])
        return {p.row: {c for _, c in carried.get((p.doc_id, p.index), [])} for p in passages}

    def obstacle_rows(self, level: policy.Level) -> list[dict[str, Any]]:
        """Every (obstacle, studied area, study, quote) at `level`: the one costly query behind
        the recurring obstacles, the matrix and the heat map (a second at 1,000 studies)."""
        return self.cached(
            ("obstacle-rows", level), lambda: policy.obstacle_rows(self.store, level)
        )

    def warm(self) -> None:
        """Compute what the first visitors would wait for: the obstacle rows at both levels
        and the lexical index (a first search). Run after start-up and after each write."""
        with contextlib.suppress(Exception):  # a cache filler must never take the server down
            for level in ("regency", "province"):
                if self._closing.is_set():
                    return
                self.obstacle_rows(level)
            if not self._closing.is_set():
                self.search("perlindungan anak", 1)

    def open_in_background(self) -> None:
        """Load the model, repair the index and warm the caches on a thread, so that a server
        answers at once; a request that needs the index waits for it."""

        def open_then_warm() -> None:
            with contextlib.suppress(Exception):  # a failure shows again on first real use
                self.sparql.start()
                _ = self.index
            self.warm()

        self._start(open_then_warm, "open")

    def warm_in_background(self) -> None:
        """Warm on a thread; a burst of writes gets one warming after the last of them, not
        one thread each."""
        self._warm_wanted.set()
        if self._warming.acquire(blocking=False):
            self._start(self._warm_while_wanted, "warm", holds_warming=True)

    def _start(self, work: Callable[[], None], name: str, holds_warming: bool = False) -> None:
        with self._threads_lock:
            if self._closing.is_set():
                if holds_warming:
                    self._warming.release()
                return
            self._threads = [t for t in self._threads if t.is_alive()]
            thread = threading.Thread(target=work, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def _warm_while_wanted(self) -> None:
        while True:
            while self._warm_wanted.is_set() and not self._closing.is_set():
                self._warm_wanted.clear()
                self.warm()
            self._warming.release()
            # A write that came between the last check and the release: go on warming for it.
            if (
                self._closing.is_set()
                or not self._warm_wanted.is_set()
                or not self._warming.acquire(blocking=False)
            ):
                return

    def _passage_concepts(
        self, passages: list[tuple[str, int]]
    ) -> dict[tuple[str, int], list[tuple[str, str]]]:
        """What each (doc id, passage index) carries, one query per document not yet seen: a
        search looks at up to 300 candidate passages, and one query each took 60% of it."""
        out: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for doc_id, index in passages:
            by_passage = self._carried.get(doc_id)
            if by_passage is None:
                if len(self._carried) > MAX_CARRIED_DOCUMENTS:
                    self._carried.clear()
                by_passage = self._carried[doc_id] = document_passage_concepts(self.store, doc_id)
            out[(doc_id, index)] = by_passage.get(index, [])
        return out

    def similar(self, doc_id: str, k: int = 5) -> list[dict]:
        return [
            {**document_meta(self.store, other), "score": score}
            for other, score in hybrid.similar_documents(self.index, doc_id, k)
        ]

    def _sync_vocabulary(self) -> None:
        """Load the SKOS schemes into the store's vocabulary graph when they changed."""
        digest = hashlib.sha256()
        for path in sorted(vocab_dir().glob("*.ttl")):
            digest.update(path.read_bytes())
        self.settings.data.mkdir(parents=True, exist_ok=True)
        marker = self.settings.data / f"vocabulary-{self.store.kind}.sha256"
        if (
            marker.exists()
            and marker.read_text() == digest.hexdigest()
            and self.store.vocabulary_size()
        ):
            return
        self.store.replace_vocabulary(vocabulary_quads(load_graph()))
        marker.write_text(digest.hexdigest())

    # --- ingest --------------------------------------------------------------------
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
            index = self.index  # opened (and synced) before the store changes
            passages = [
                PassageRecord(doc.id, p.index, p.page, p.section, p.text, doc.title)
                for p in doc.passages
            ]
            # The slow step (seconds per hundred passages), done before the write lock so that
            # other writers do not wait for it.
            vectors = index.embed(passages)
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
            for old in replaces:
                index.remove_document(old)
            index.add_document(doc.id, passages, vectors)
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
                s = self.settings
                self._parser = WorkerPool(WORKER_TARGET, s.parse_workers, s.parse_memory_mb or None)
            return self._parser

    def parse(self, data: bytes, filename: str) -> Document:
        """File bytes -> Document with its mentions, within the text limit, in a worker
        process with a deadline (ingest.pipeline: a hostile PDF ran pypdf for minutes)."""
        s = self.settings
        return read_document_isolated(
            self.parser, data, filename, self.lexicon, timeout=s.parse_timeout_s,
            max_pages=s.max_pages, max_chars=s.max_text_mb * 1024 * 1024,
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
        _ = self.index
        summary = BatchSummary()
        for path in expand_paths(paths):
            outcome = self.ingest_file(path, replace_changed=replace_changed)
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
        if self._index is not None:
            self._index.save()
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
            if deleted and self._index is not None:
                self._index.remove_document(doc_id)
        return deleted

    def close(self) -> None:
        """Stop and wait for background work, then release the store, index and workers."""
        with self._threads_lock:
            self._closing.set()
            threads = list(self._threads)
        for thread in threads:
            thread.join()
        if self._sparql is not None:
            self._sparql.close()
        with self._parser_lock:
            if self._parser is not None:
                self._parser.close()
        if self._index is not None:
            self._index.close()
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def _concept_groups(carried: list[tuple[str, str]], lexicon: Lexicon) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for kind, iri in carried:
        key = iri.rsplit("/", 1)[-1]
        concept = lexicon.concepts.get(iri)
        if concept is not None:
            label = concept.acronym or concept.label("en")
        elif kind == "place" and (region := region_by_code(key)) is not None:
            label = region.name  # places are Kemendagri regions, not SKOS concepts
        else:
            label = key
        groups.setdefault(kind, []).append({"concept": iri, "id": key, "label": label})
    return groups
