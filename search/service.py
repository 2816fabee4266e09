"""The search service: the embedding model, the passage index (derived from the graph store,
opened on first use and repaired against it), hybrid search with the graph's concepts on each
hit, and the background threads that open and warm it while a server already answers.

It reads the graph through `kg.lookup` and follows the store's writes as the
`kg.ingestion.Follower` of the write path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ingest.errors import ModelError
from ingest.lexicon import Lexicon
from ingest.model import Document
from ingest.places import region_by_code
from kg.lookup import (
    Filters,
    documents_matching,
    documents_meta,
    passage_concepts_of,
    passages_of,
    present_documents_meta,
)
from kg.store import GraphStore
from search import hybrid, studies
from search.embedding import Embedder, load_embedder
from search.engine import PassageIndex
from search.index import IndexedPassage, PassageRecord, SearchIndex, embedding_texts
from search.onnx_runtime import DEFAULT_RUNTIME

MAX_CARRIED_DOCUMENTS = 20_000
IndexFactory = Callable[[Path, Embedder], PassageIndex]


class SearchService:
    """Passage search over one store; the index and the model are opened on first use."""

    def __init__(
        self,
        store: GraphStore,
        lexicon: Lexicon,
        index_path: Path,
        load_model: Callable[[], Embedder],
        embedder: Embedder | None = None,
        open_index: IndexFactory = SearchIndex,
    ) -> None:
        self.store = store
        self.lexicon = lexicon
        self.index_path = index_path
        self._load_model = load_model
        self._open_index = open_index
        self._embedder = embedder
        self._index: PassageIndex | None = None
        self._index_lock = threading.Lock()
        # Concepts carried by each passage, per document id: a content hash, so never stale.
        self._carried: dict[str, dict[int, list[tuple[str, str]]]] = {}

    @classmethod
    def for_model(
        cls,
        store: GraphStore,
        lexicon: Lexicon,
        index_path: Path,
        model: str,
        model_cache: Path | None,
        embedder: Embedder | None = None,
        runtime: str = DEFAULT_RUNTIME,
    ) -> SearchService:
        """The service over the embedding model `model` on `runtime`."""
        return cls(
            store, lexicon, index_path, lambda: load_embedder(model, model_cache, runtime=runtime),
            embedder,
        )  # fmt: skip

    # --- the index (derived from the store; opened on first use) ---------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self._load_model()
        return self._embedder

    @property
    def index(self) -> PassageIndex:
        if self._index is None:
            with self._index_lock:  # the start-up thread and a first request may race here
                if self._index is None:
                    index = self._open_index(self.index_path, self.embedder)
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
        metas = documents_meta(self.store, doc_ids)
        for doc_id, rows in passages_of(self.store, doc_ids).items():
            # A passage is indexed with its study's title: a passage of a study about X
            # matches X (search.index.PassageRecord.context).
            title = str(metas[doc_id].get("title") or "")
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

    # --- following the store's writes (kg.ingestion.Follower) ------------------------
    def prepare(self, doc: Document) -> Callable[[list[str]], None]:
        index = self.index  # opened (and synced) before the store changes
        passages = document_passages(doc)
        return self._follow(index, doc.id, passages, index.embed(passages))

    def prepare_many(self, docs: list[Document]) -> list[Callable[[list[str]], None]]:
        """A batch ingest's documents, embedded together (`embed_documents`)."""
        index = self.index
        vectors = embed_documents(index.embedder, docs)
        return [self._follow(index, d.id, document_passages(d), v)
                for d, v in zip(docs, vectors, strict=True)]  # fmt: skip

    def prepared(self, doc: Document, work: object) -> Callable[[list[str]], None]:
        """`doc` with the vectors a cluster worker computed (`embed_documents` there), checked
        against this index's model before anything is written."""
        index = self.index
        model_id, vectors = work if isinstance(work, tuple) else (None, None)
        passages = document_passages(doc)
        if (
            model_id != index.embedder.model_id
            or not isinstance(vectors, np.ndarray)
            or (vectors.shape != (len(passages) + bool(passages), index.embedder.dim))
        ):
            raise ModelError(f"vectors from model {model_id!r}; the index holds "
                             f"{index.embedder.model_id!r}")  # fmt: skip
        return self._follow(index, doc.id, passages, vectors)

    @staticmethod
    def _follow(
        index: PassageIndex, doc_id: str, passages: list[PassageRecord], vectors: np.ndarray
    ) -> Callable[[list[str]], None]:
        def follow(replaced: list[str]) -> None:
            for old in replaced:
                index.remove_document(old)
            index.add_document(doc_id, passages, vectors)

        return follow

    def removed(self, doc_id: str) -> None:
        if self._index is not None:
            self._index.remove_document(doc_id)

    def concepts_changed(self, doc_id: str) -> None:
        """A curation changed what `doc_id`'s passages carry: read them again on next use."""
        self._carried.pop(doc_id, None)

    def catch_up(self) -> None:
        _ = self.index

    def save(self) -> None:
        if self._index is not None:
            self._index.save()

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    # --- queries --------------------------------------------------------------------
    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[dict]:
        allowed = documents_matching(self.store, filters) if filters else None
        hits = hybrid.search(
            self.index, query, k, lexicon=self.lexicon, allowed_docs=allowed,
            concepts_of=self._concepts_of, mode=mode,
        )  # fmt: skip
        # The hits' studies and concepts in a constant number of queries, not some per hit.
        metas = present_documents_meta(self.store, [hit.passage.doc_id for hit in hits])
        self._passage_concepts([(hit.passage.doc_id, hit.passage.index) for hit in hits])
        out = []
        for hit in hits:
            meta = metas.get(hit.passage.doc_id)
            if meta is None:
                continue  # deleted or replaced while the index was catching up
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
        metas = present_documents_meta(self.store, [study.doc_id for study in found])
        self._passage_concepts(
            [(h.passage.doc_id, h.passage.index) for study in found for h in study.passages]
        )
        out = []
        for study in found:
            meta = metas.get(study.doc_id)
            if meta is None:
                continue  # deleted or replaced while the index was catching up
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

    def _passage_concepts(
        self, passages: list[tuple[str, int]]
    ) -> dict[tuple[str, int], list[tuple[str, str]]]:
        """What each (doc id, passage index) carries; the documents not yet seen are read in
        one batch (kg.lookup.passage_concepts_of): a search looks at up to 300 candidate
        passages, one query each took 60% of it, and one per document is a round trip each
        over a remote store."""
        # A snapshot first: another thread may forget a document meanwhile (a curation).
        known = {d: found for d in dict.fromkeys(d for d, _ in passages)
                 if (found := self._carried.get(d)) is not None}  # fmt: skip
        missing = [d for d, _ in passages if d not in known]
        if missing:
            fresh = passage_concepts_of(self.store, list(dict.fromkeys(missing)))
            if len(self._carried) + len(fresh) > MAX_CARRIED_DOCUMENTS:
                self._carried.clear()
            self._carried.update(fresh)
            known.update(fresh)
        return {(d, index): known[d].get(index, []) for d, index in passages}

    def similar(self, doc_id: str, k: int = 5) -> list[dict]:
        found = hybrid.similar_documents(self.index, doc_id, k)
        metas = documents_meta(self.store, [other for other, _ in found])
        return [{**metas[other], "score": score} for other, score in found]


def document_passages(doc: Document) -> list[PassageRecord]:
    return [PassageRecord(doc.id, p.index, p.page, p.section, p.text, doc.title)
            for p in doc.passages]  # fmt: skip


# Passages per model call in a batch ingest: fuller calls than a server's (8, so that a query
# waits little), on texts sorted by length so that a call pads little.
BATCH_EMBED = 32


def embed_documents(embedder: Embedder, docs: list[Document]) -> list[np.ndarray]:
    """Each document's passage vectors, the passages of all of them embedded together in
    calls of `BATCH_EMBED`, shortest first (as `SearchIndex.embed` makes their texts)."""
    texts = [t for d in docs for t in embedding_texts(document_passages(d))]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    if texts:
        vectors[order] = embedder.encode_passages([texts[i] for i in order], BATCH_EMBED)
    out, start = [], 0
    for doc in docs:
        count = len(doc.passages) + bool(doc.passages)  # and the study's
        out.append(vectors[start : start + count])
        start += count
    return out


class Background:
    """Threads that open and warm things while a server answers. close() sets `closing`,
    which the work checks between steps, and waits for every thread: a thread still
    searching while the index closes under it crashes."""

    def __init__(self) -> None:
        self.closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()
        self._warming = threading.Lock()  # held by the one warming thread
        self._warm_wanted = threading.Event()

    def start(self, work: Callable[[], None], name: str, holds_warming: bool = False) -> None:
        with self._threads_lock:
            if self.closing.is_set():
                if holds_warming:
                    self._warming.release()
                return
            self._threads = [t for t in self._threads if t.is_alive()]
            thread = threading.Thread(target=work, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def warm_soon(self, warm: Callable[[], None]) -> None:
        """`warm` on a thread; a burst of calls gets one warming after the last of them, not
        one thread each."""
        self._warm_wanted.set()
        if self._warming.acquire(blocking=False):
            self.start(lambda: self._warm_while_wanted(warm), "warm", holds_warming=True)

    def _warm_while_wanted(self, warm: Callable[[], None]) -> None:
        while True:
            while self._warm_wanted.is_set() and not self.closing.is_set():
                self._warm_wanted.clear()
                warm()
            self._warming.release()
            # A write that came between the last check and the release: go on warming for it.
            if (
                self.closing.is_set()
                or not self._warm_wanted.is_set()
                or not self._warming.acquire(blocking=False)
            ):
                return

    def close(self) -> None:
        """Stop background work and wait for it."""
        with self._threads_lock:
            self.closing.set()
            threads = list(self._threads)
        for thread in threads:
            thread.join()


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
