"""The passage index: SQLite rows (text, page, section, vector) as the index's own record,
FAISS and BM25 built from them.

Everything here is derived from the graph store: `reindex` rebuilds it, and `sync` repairs it
when it lags (a crash between the store write and the index write), when it holds documents
the store no longer has, or when it was built with another embedding model.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from search.dense import DenseIndex
from search.embedding import Embedder
from search.lexical import LexicalIndex

SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, page INTEGER, section TEXT,
    text TEXT NOT NULL, vector BLOB NOT NULL,
    context TEXT NOT NULL DEFAULT ''  -- the study's title and the section: embedded and indexed
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
-- Documents taken in that have no passage (a title-only record): without a row here the
-- index would look behind the store for ever.
CREATE TABLE IF NOT EXISTS empty_documents (doc_id TEXT PRIMARY KEY);
-- One row per study with passages: its title and the e5 vector of its study text (title and
-- the opening of its text: what a "find the study about" query is compared with).
CREATE TABLE IF NOT EXISTS studies (doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, vector BLOB);
"""
# What a passage's vector and BM25 entry are made of; an index built another way rebuilds.
# 2: the study's title and the section go with the text ("passage carries its context").
# 3: a study row per document (title, study-text vector) for study search; BM25 stems with the
# English stemmer after the Indonesian one.
# 4: every ingest path stores the study vector (a batch had left it out: issue 15).
INDEX_FORMAT = "4"
STUDY_TEXT_CHARS = 1500  # title + opening text embedded as the study: about e5's 512 tokens


@dataclass(frozen=True, slots=True)
class PassageRecord:
    doc_id: str
    index: int
    page: int
    section: str
    text: str
    title: str = ""  # the study's: a passage of a study about X is found by X

    @property
    def context(self) -> str:
        return passage_context(self.title, self.section)


def passage_context(title: str, section: str) -> str:
    """The line put before a passage's text where it is embedded and indexed."""
    parts = [" ".join(title.split()).rstrip("."), " ".join(section.split()).rstrip(".")]
    return ". ".join(p for p in parts if p)


def indexed_text(context: str, text: str) -> str:
    return f"{context}.\n{text}" if context else text


def study_text(passages: list[PassageRecord]) -> str:
    """What a study is embedded as: its title, then its text from the start (the abstract).
    Its own vector, not one made from the passages': the normalised mean of the passage
    vectors lost up to 0.06 of study search's R@5 and MRR@10 (bench/parallel_ingest_results
    .txt)."""
    title = " ".join(passages[0].title.split()).rstrip(".") if passages else ""
    body = " ".join(p.text for p in passages)[:STUDY_TEXT_CHARS]
    return f"{title}.\n{body}" if title else body


def embedding_texts(passages: list[PassageRecord]) -> list[str]:
    """What a document's vectors are made from: each passage with its context and, last, its
    study text (none for a document without passages)."""
    texts = [indexed_text(p.context, p.text) for p in passages]
    return [*texts, study_text(passages)] if texts else []


@dataclass(frozen=True, slots=True)
class IndexedPassage:
    row: int
    doc_id: str
    index: int
    page: int
    section: str
    text: str


PassageSource = Callable[[list[str]], dict[str, list[PassageRecord]]]

# numpy's BLAS on one thread in a process that searches: a search's products are single vectors
# against a matrix (the study-vector scan is memory-bound), and OpenBLAS's idle second thread
# spins for a while after each one, taking the core the next query embedding needs. At 100k
# studies, study search p95 146 -> 74 ms (bench/search_results.txt), the scores bit-identical.
BLAS_THREADS = 1


def limit_blas_threads() -> None:
    """Process-wide, as BLAS's own thread pool is (threadpoolctl: the BLAS libraries loaded)."""
    threadpool_limits(BLAS_THREADS, user_api="blas")


class SearchIndex:
    def __init__(self, folder: Path, embedder: Embedder) -> None:
        limit_blas_threads()
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.embedder = embedder
        self._db = sqlite3.connect(str(folder / "passages.sqlite"), check_same_thread=False)
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self.dense = DenseIndex(embedder.dim)
        self.lexical = LexicalIndex()
        self._lexical_dirty = True
        self._doc_vectors: tuple[list[str], np.ndarray] | None = None
        self._study_vectors: tuple[list[str], np.ndarray] | None = None
        self._study_lexical: tuple[list[str], LexicalIndex] | None = None
        self._study_positions: dict[str, int] | None = None  # doc id -> row of the study BM25
        # Each document's passage rows, read once and then kept up to date by add and remove:
        # a filter allowing a tenth of 10k studies took 25 ms a search in SQLite.
        self._rows_by_doc: dict[str, list[int]] | None = None
        self._filter_rows = FilterMemo()  # a filter's rows (doc_row_ids), kept as rows change
        self._filter_studies = FilterMemo()  # its study-BM25 positions
        self._check_model()
        self._load_derived()

    # --- model compatibility ------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _check_model(self) -> None:
        """An index built with another model (id or dimension) or another passage format is
        emptied, not used; the caller's sync then rebuilds it from the store."""
        model, dim, form = self._meta("model_id"), self._meta("dim"), self._meta("format")
        if (model, dim, form) == (self.embedder.model_id, str(self.embedder.dim), INDEX_FORMAT):
            return
        with self._db:
            # Dropped, not emptied: an older format's table lacks columns this one has.
            self._db.execute("DROP TABLE IF EXISTS passages")
            self._db.execute("DROP TABLE IF EXISTS studies")
            self._db.execute("DELETE FROM empty_documents")
        self._db.executescript(SCHEMA)
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [
                    ("model_id", self.embedder.model_id),
                    ("dim", str(self.embedder.dim)),
                    ("format", INDEX_FORMAT),
                ],
            )
        for stale in ("dense.faiss", "dense_tombstones.npy", "bm25_rows.npy"):
            (self.folder / stale).unlink(missing_ok=True)

    def _load_derived(self) -> None:
        rows = self.rows()
        dense = DenseIndex.load(self.folder, self.embedder.dim)
        if dense is not None and _live_ids(dense) == set(rows):
            self.dense = dense
        else:
            self._rebuild_dense()
        if self.lexical.load(self.folder) and set(self.lexical._rows.tolist()) == set(rows):
            self._lexical_dirty = False

    def _rebuild_dense(self) -> None:
        self.dense = DenseIndex(self.embedder.dim)
        rows, vectors = [], []
        for row, blob in self._db.execute("SELECT row, vector FROM passages ORDER BY row"):
            rows.append(row)
            vectors.append(np.frombuffer(blob, dtype=np.float32))
        if rows:
            self.dense.add(np.asarray(rows), np.vstack(vectors))

    # --- documents ----------------------------------------------------------------
    def rows(self) -> list[int]:
        with self._lock:
            return [r for (r,) in self._db.execute("SELECT row FROM passages").fetchall()]

    def document_ids(self) -> set[str]:
        with self._lock:
            found = self._db.execute(
                "SELECT DISTINCT doc_id FROM passages UNION SELECT doc_id FROM empty_documents"
            ).fetchall()
        return {d for (d,) in found}

    def embed(self, passages: list[PassageRecord]) -> np.ndarray:
        """The passages' vectors and, last, the study's (`embedding_texts`): the slow part of
        adding a document, done before a caller takes its write lock so that other writers do
        not wait for it."""
        return self.embedder.encode_passages(embedding_texts(passages))

    def add_document(
        self, doc_id: str, passages: list[PassageRecord], vectors: np.ndarray | None = None
    ) -> None:
        if vectors is None:
            vectors = self.embed(passages)
        with self._lock:
            self._remove(doc_id)
            with self._db:
                rows = self._insert(doc_id, passages, vectors)
            self.dense.add(np.asarray(rows, dtype=np.int64), vectors[: len(passages)])
            self._changed()

    def add_documents(self, documents: list[tuple[str, list[PassageRecord], np.ndarray]]) -> None:
        """Many documents with their vectors (as `embed` returns them) in one transaction and
        one FAISS add: a bulk load (bench/search_bench.py --studies) pays no commit per
        document, and HNSW inserts the batch on every core. Same rows as `add_document`."""
        with self._lock:
            present = self.document_ids() & {doc_id for doc_id, _, _ in documents}
            for doc_id in present:
                self._remove(doc_id)
            rows: list[int] = []
            kept: list[np.ndarray] = []
            with self._db:
                for doc_id, passages, vectors in documents:
                    found = self._insert(doc_id, passages, vectors)
                    rows.extend(found)
                    kept.append(vectors[: len(passages)])
            if rows:
                self.dense.add(np.asarray(rows, dtype=np.int64), np.vstack(kept))
            self._changed()

    def _insert(self, doc_id: str, passages: list[PassageRecord], vectors: np.ndarray) -> list[int]:
        """One document's rows (inside the caller's transaction): their row ids."""
        study = vectors[len(passages)] if len(vectors) > len(passages) else None
        if not passages:
            self._db.execute("INSERT INTO empty_documents VALUES (?)", (doc_id,))
            return []
        self._db.execute(
            "INSERT INTO studies VALUES (?, ?, ?)",
            (doc_id, passages[0].title,
             None if study is None else study.astype(np.float32).tobytes()),
        )  # fmt: skip
        rows = []
        for p, v in zip(passages, vectors[: len(passages)], strict=True):
            cursor = self._db.execute(
                "INSERT INTO passages (doc_id, idx, page, section, text, vector, context) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc_id, p.index, p.page, p.section, p.text, v.astype(np.float32).tobytes(),
                 p.context),
            )  # fmt: skip
            rows.append(int(cursor.lastrowid or 0))
        if self._rows_by_doc is not None:
            self._rows_by_doc[doc_id] = rows
        return rows

    def remove_document(self, doc_id: str) -> None:
        with self._lock:
            self._remove(doc_id)
            self._changed()

    def _remove(self, doc_id: str) -> None:
        rows = [
            r for (r,) in self._db.execute("SELECT row FROM passages WHERE doc_id = ?", (doc_id,))
        ]
        with self._db:
            self._db.execute("DELETE FROM empty_documents WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM studies WHERE doc_id = ?", (doc_id,))
            if rows:
                self._db.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        if self._rows_by_doc is not None:
            self._rows_by_doc.pop(doc_id, None)
        self.dense.remove(rows)

    def _changed(self) -> None:
        self._lexical_dirty = True
        self._filter_rows.clear()
        self._filter_studies.clear()
        self._doc_vectors = None
        self._study_vectors = None
        self._study_lexical = None
        self._study_positions = None

    def sync(self, store_ids: Iterable[str], source: PassageSource) -> tuple[int, int]:
        """Make the index hold exactly the store's documents: (added, removed)."""
        wanted = set(store_ids)
        have = self.document_ids()
        extra = sorted(have - wanted)
        missing = sorted(wanted - have)
        for doc_id in extra:
            self.remove_document(doc_id)
        for doc_id, passages in source(missing).items():
            self.add_document(doc_id, passages)  # none at all is recorded too
        if extra or missing:
            self.save()
        return len(missing), len(extra)

    def clear(self) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM passages")
            self._db.execute("DELETE FROM empty_documents")
            self._db.execute("DELETE FROM studies")
            self.dense = DenseIndex(self.embedder.dim)
            self._rows_by_doc = {}
            self._changed()

    # --- queries ------------------------------------------------------------------
    def lexical_search(
        self, query: str, k: int, allowed: set[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        with self._lock:
            if self._lexical_dirty:
                records = list(
                    self._db.execute("SELECT row, context, text FROM passages ORDER BY row")
                )
                self.lexical.build(
                    [r for r, _, _ in records], [indexed_text(c, t) for _, c, t in records]
                )
                self._lexical_dirty = False
            return self.lexical.search(query, k, allowed)

    def dense_search(
        self, vector: np.ndarray, k: int, allowed: set[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The k nearest passages, among the `allowed` rows only when given (a set, or a
        sorted array as `doc_row_ids` makes it)."""
        with self._lock:
            return self.dense.search(vector, k, allowed)

    def passages(self, rows: list[int]) -> dict[int, IndexedPassage]:
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        with self._lock:  # one SQLite connection, shared by the server's threads
            found = self._db.execute(
                f"SELECT row, doc_id, idx, page, section, text FROM passages WHERE row IN ({marks})",
                rows,
            ).fetchall()
        return {r[0]: IndexedPassage(*r) for r in found}

    def doc_rows(self, doc_ids: set[str]) -> set[int]:
        with self._lock:
            known = self._doc_rows_known()
            return {row for d in doc_ids for row in known.get(d, ())}

    def doc_row_ids(self, doc_ids: set[str]) -> np.ndarray:
        """`doc_rows` as a sorted int64 array: what the searches take, made without a set of
        every row (a quarter of 100k studies is 64k rows)."""
        with self._lock:
            known = self._doc_rows_known()

            def make() -> np.ndarray:
                found = list(map(known.get, doc_ids, repeat(())))  # no Python loop
                return np.sort(np.fromiter(chain.from_iterable(found), dtype=np.int64))

            return self._filter_rows.get(doc_ids, make)

    def _doc_rows_known(self) -> dict[str, list[int]]:
        if self._rows_by_doc is None:
            by_doc: dict[str, list[int]] = {}
            for doc_id, row in self._db.execute("SELECT doc_id, row FROM passages"):
                by_doc.setdefault(doc_id, []).append(row)
            self._rows_by_doc = by_doc
        return self._rows_by_doc

    def document_vectors(self) -> tuple[list[str], np.ndarray]:
        """One vector per document: the normalised mean of its passage vectors."""
        with self._lock:
            if self._doc_vectors is None:
                sums: dict[str, np.ndarray] = {}
                for doc_id, blob in self._db.execute("SELECT doc_id, vector FROM passages"):
                    v = np.frombuffer(blob, dtype=np.float32)
                    sums[doc_id] = sums[doc_id] + v if doc_id in sums else v.copy()
                ids = sorted(sums)
                matrix = (
                    np.vstack([sums[d] for d in ids]) if ids else np.zeros((0, self.embedder.dim))
                )
                norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                self._doc_vectors = (ids, matrix / np.maximum(norms, 1e-12))
            return self._doc_vectors

    def study_vectors(self) -> tuple[list[str], np.ndarray]:
        """The study-text vector of each study (`study_text`), normalised."""
        with self._lock:
            if self._study_vectors is None:
                found = self._db.execute(
                    "SELECT doc_id, vector FROM studies WHERE vector IS NOT NULL ORDER BY doc_id"
                ).fetchall()
                ids = [d for d, _ in found]
                matrix = (
                    np.vstack([np.frombuffer(b, dtype=np.float32) for _, b in found])
                    if found
                    else np.zeros((0, self.embedder.dim), dtype=np.float32)
                )
                self._study_vectors = (ids, matrix)
            return self._study_vectors

    def study_lexical_search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """BM25 over whole studies (title and all their text as one field): a study matches
        on words that no single passage has together."""
        with self._lock:
            if self._study_lexical is None:
                texts: dict[str, list[str]] = {}
                titles = dict(self._db.execute("SELECT doc_id, title FROM studies"))
                for doc_id, text in self._db.execute(
                    "SELECT doc_id, text FROM passages ORDER BY doc_id, idx"
                ):
                    texts.setdefault(doc_id, [titles.get(doc_id, "")]).append(text)
                ids = sorted(texts)
                lexical = LexicalIndex()
                lexical.build(list(range(len(ids))), ["\n".join(texts[d]) for d in ids])
                self._study_lexical = (ids, lexical)
                self._study_positions = {d: i for i, d in enumerate(ids)}
            ids, lexical = self._study_lexical
            rows = None
            if allowed is not None and self._study_positions is not None:
                positions = self._study_positions

                def make() -> np.ndarray:
                    found = np.fromiter(map(positions.get, allowed, repeat(-1)), np.int64)
                    return found[found >= 0]

                rows = self._filter_studies.get(allowed, make)
            return [(ids[r], s) for r, s in lexical.search(query, k, rows)]

    def stats(self) -> dict[str, object]:
        return {
            "passages": len(self.rows()),
            "documents": len(self.document_ids()),
            "dense": self.dense.kind,
            "model": self.embedder.model_id,
            "dim": self.embedder.dim,
        }

    def save(self) -> None:
        with self._lock:
            self.dense.save(self.folder)
            if not self._lexical_dirty:
                self.lexical.save(self.folder)
            (self.folder / "manifest.json").write_text(json.dumps(self.stats(), indent=1))

    def close(self) -> None:
        self.save()
        self._db.close()


class FilterMemo:
    """What the last few filters mapped to (rows, positions), by the filter's content: mapping
    the 24k doc ids of a broad filter takes a dict look-up each, 20-45 ms a mapping on this
    loaded machine, and a study search maps a filter three times; a researcher keeps a filter
    over many queries, and the frozenset to test one by costs ~1 ms. The owner clears it when
    what it maps into changes."""

    KEPT = 4

    def __init__(self) -> None:
        self._found: OrderedDict[frozenset[str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, allowed: Iterable[str], make: Callable[[], np.ndarray]) -> np.ndarray:
        key = allowed if isinstance(allowed, frozenset) else frozenset(allowed)
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                return found
        found = make()
        found.flags.writeable = False  # shared by the searches that ask again
        with self._lock:
            self._found[key] = found
            while len(self._found) > self.KEPT:
                self._found.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


def _live_ids(dense: DenseIndex) -> set[int]:
    import faiss

    ids = faiss.vector_to_array(dense.index.id_map).tolist() if dense.index.ntotal else []
    return set(ids) - dense.tombstones
