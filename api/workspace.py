"""One data directory, as a command or the server uses it: the library's parts put together.

The parts live in the library: the write path in `kg.ingestion`, graph-wide answers in
`kg.answers`, SPARQL from requests in `kg.sandbox`, and search, with its index and the
background threads, in `search.service`. This class only builds them from the settings and
passes calls on, so that the CLI, the HTTP layer and the tests share one object.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from api.settings import Settings
from ingest.isolation import WorkerPool
from ingest.lexicon import Lexicon
from ingest.model import Document
from ingest.pipeline import RECORD_SUFFIXES
from kg import policy
from kg import summary as obstacle_summary
from kg import summary_answers as answers
from kg.answers import AnswerCache
from kg.ingestion import (
    INGESTIBLE_SUFFIXES,
    BatchSummary,
    Ingestion,
    Outcome,
    ReadLimits,
    Status,
    expand_paths,
    sync_vocabulary,
)
from kg.lookup import Filters
from kg.reextract import migrate_shape
from kg.sandbox import SparqlLimits, SparqlRunner, sandbox_for
from kg.store import open_store
from kg.vocabulary import load_lexicon
from search.embedding import Embedder
from search.engine import PassageIndex
from search.index import IndexedPassage
from search.service import Background, SearchService

__all__ = [
    "INGESTIBLE_SUFFIXES",
    "RECORD_SUFFIXES",
    "BatchSummary",
    "Outcome",
    "Status",
    "Workspace",
    "expand_paths",
]

T = TypeVar("T")
PLACE_LIMIT = 100  # studies listed on a place page (a query parameter, up to MAX_LIMIT)


class Workspace:
    """Everything a command or the server needs for one data directory."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        s = settings
        self.store = open_store(s.store, s.data, s.sparql_timeout_s)
        self.lexicon: Lexicon = load_lexicon()
        sync_vocabulary(self.store, s.data)
        # A data directory written with an older graph shape is rewritten in place, once.
        migrate_shape(self.store)
        # Background work (start-up repair, warming) checks `closing` between steps, and
        # close() waits for it; the reader processes refuse work once it is set.
        self.background = Background()
        self.searching = SearchService.for_model(
            self.store, self.lexicon, s.index_path, s.model, s.model_cache, embedder,
            runtime=s.embedding_runtime,
        )  # fmt: skip
        read_limits = ReadLimits(
            workers=s.parse_workers,
            memory_mb=s.parse_memory_mb or None,
            timeout_s=s.parse_timeout_s,
            max_pages=s.max_pages,
            max_chars=s.max_text_mb * 1024 * 1024,
        )
        self.ingestion = Ingestion(
            self.store, self.lexicon, self.searching, read_limits, self.background.closing
        )
        self.answers = AnswerCache(self.store)
        # What the policy answers need of each study, refreshed by every write below.
        self.summary = obstacle_summary.ObstacleSummary()
        self._sparql: SparqlRunner | None = None

    @property
    def write_lock(self) -> threading.RLock:
        """One writer at a time (ingest, delete, SPARQL Update); reads go on beside it."""
        return self.ingestion.write_lock

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
        """`compute()`, remembered until the store's next write (kg.answers)."""
        return self.answers.cached(key, compute)

    def obstacle_rows(
        self, level: policy.Level, min_confidence: float | None = None
    ) -> list[dict[str, Any]]:
        """Every (obstacle, studied area, study, quote) at `level`: the one costly query behind
        the recurring obstacles, the matrix and the heat map (a second at 1,000 studies).
        Mentions below `min_confidence` (default: the setting) are left out."""
        floor = self.floor(min_confidence)
        return self.cached(
            ("obstacle-rows", level, floor),
            lambda: self.summarised(lambda s: answers.rows(s, self.store, level, floor)),
        )

    def recurring(
        self, level: policy.Level, min_places: int, min_confidence: float | None, limit: int
    ) -> list[dict[str, Any]]:
        """The obstacles reported in at least `min_places` areas of `level` (kg.summary)."""
        floor = self.floor(min_confidence)
        return self.cached(
            ("recurring", level, min_places, floor, limit),
            lambda: self.summarised(lambda s: answers.recurring(
                s, self.store, level, min_places, floor, limit)),
        )  # fmt: skip

    def obstacle_matrix(
        self,
        level: policy.Level,
        min_confidence: float | None = None,
        limit: int = answers.MATRIX_LIMIT,
    ) -> dict[str, Any]:
        """Obstacle x area study counts at `level` (kg.summary)."""
        floor = self.floor(min_confidence)
        return self.cached(
            ("matrix", level, floor, limit),
            lambda: self.summarised(lambda s: answers.matrix(s, level, floor, limit)),
        )

    def place_overview(
        self, code: str, limit: int = PLACE_LIMIT, min_confidence: float | None = None
    ) -> dict[str, Any] | None:
        """A place with the first `limit` studies about it, newest first (kg.policy), and the
        obstacles all its studies report with how many report each (kg.summary)."""
        floor = self.floor(min_confidence)

        def answer() -> dict[str, Any] | None:
            studies, inside, obstacles = self.summarised(lambda s: (
                *answers.place_studies(s, code),
                answers.place_obstacles(s, code, floor)))  # fmt: skip
            page = policy.place_page(self.store, code, studies, inside, limit)
            return None if page is None else {**page, "obstacles": obstacles}

        return self.cached(("place", code, limit, floor), answer)

    def floor(self, min_confidence: float | None) -> float:
        return self.settings.min_confidence if min_confidence is None else min_confidence

    def summarised(self, answer: Callable[[obstacle_summary.ObstacleSummary], T]) -> T:
        """`answer(summary)` over the obstacle summary (kg.summary), rebuilt first when stale;
        the lock keeps a write's refresh from changing it underneath."""
        with self.summary.lock:
            return answer(self.summary.current(self.store, self.settings.remote_summary_seconds))

    def _wrote(self, outcomes: Iterable[Outcome]) -> None:
        """After writes: the studies they touched again in the summary."""
        self._touched([i for o in outcomes for i in (o.doc_id, *o.replaced) if i])

    def _touched(self, doc_ids: list[str]) -> None:
        with self.write_lock:
            self.summary.refresh(self.store, doc_ids)

    # --- search (search.service) -------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        return self.searching.embedder

    @property
    def index(self) -> PassageIndex:
        return self.searching.index

    @property
    def index_ready(self) -> bool:
        """Whether the index is open (a request that needs it before then waits for it)."""
        return self.searching.index_ready

    @property
    def _index_lock(self) -> threading.Lock:
        return self.searching._index_lock  # tests hold it to stand for a slow repair

    def resync(self) -> tuple[int, int]:
        """Bring the index in line with the store after a change made outside ingest/delete
        (a SPARQL Update): the obstacle summary cannot tell what changed, so it is rebuilt."""
        self.summary.invalidate()
        return self.searching.resync()

    def reindex(self) -> dict[str, object]:
        return self.searching.reindex()

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[dict]:
        return self.searching.search(query, k, filters, mode)

    def _concepts_of(self, passages: list[IndexedPassage]) -> dict[int, set[str]]:
        return self.searching._concepts_of(passages)

    def search_studies(self, query: str, k: int = 10, filters: Filters | None = None) -> list[dict]:
        """Studies ranked as wholes (search.studies), each with the passages that matched."""
        return self.searching.search_studies(query, k, filters)

    def similar(self, doc_id: str, k: int = 5) -> list[dict]:
        return self.searching.similar(doc_id, k)

    # --- background work -----------------------------------------------------------------
    def warm(self) -> None:
        """Compute what the first visitors would wait for: the obstacle rows at both levels
        and the lexical indexes (a first study search builds the passages' and the studies'
        BM25; an English query naming a province also loads the glossary and the gazetteer the
        cross-lingual expansion reads, ~1.3 s). Run after start-up and after each write."""
        closing = self.background.closing
        with contextlib.suppress(Exception):  # a cache filler must never take the server down
            self.summarised(lambda s: None)  # the obstacle summary, built when stale
            for level in ("regency", "province"):
                if closing.is_set():
                    return
                self.obstacle_matrix(level)
            if not closing.is_set():
                self.search_studies("child protection in West Java", 1)

    def open_in_background(self) -> None:
        """Load the model, repair the index and warm the caches on a thread, so that a server
        answers at once; a request that needs the index waits for it."""

        def open_then_warm() -> None:
            with contextlib.suppress(Exception):  # a failure shows again on first real use
                self.sparql.start()
                _ = self.index
            self.warm()

        self.background.start(open_then_warm, "open")

    def warm_in_background(self) -> None:
        """Warm on a thread; a burst of writes gets one warming after the last of them, not
        one thread each."""
        self.background.warm_soon(self.warm)

    # --- writes (kg.ingestion) ---------------------------------------------------------
    def ingest_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        replace: str | None = None,
        replace_same_name: bool = False,
    ) -> Outcome:
        """Ingest one file's content; never raises for bad input, says why instead."""
        outcome = self.ingestion.ingest_bytes(
            data, filename, replace=replace, replace_same_name=replace_same_name
        )
        self._wrote([outcome])
        return outcome

    @property
    def parser(self) -> WorkerPool:
        """The worker processes that read files: started on first use, ended by close()."""
        return self.ingestion.parser

    def parse(self, data: bytes, filename: str) -> Document:
        return self.ingestion.parse(data, filename)

    def ingest_paths(
        self,
        paths: Iterable[Path],
        progress: Callable[[Outcome], None] | None = None,
        *,
        replace_changed: bool = False,
        workers: int = 1,
    ) -> BatchSummary:
        """Files and folders in; `workers` > 1 reads that many at once and embeds in batches."""

        def wrote(outcome: Outcome) -> None:
            self._wrote([outcome])
            if progress is not None:
                progress(outcome)

        done = self.ingestion.ingest_paths(
            paths, wrote, replace_changed=replace_changed, workers=workers
        )
        self._wrote(done.outcomes)
        return done

    def ingest_file(self, path: Path, *, replace_changed: bool = False) -> Outcome:
        outcome = self.ingestion.ingest_file(path, replace_changed=replace_changed)
        self._wrote([outcome])
        return outcome

    def curated(self, doc_id: str) -> None:
        """After a curation of `doc_id` (kg.curation, a store write that bumped the generation,
        so cached answers and SPARQL snapshots renew): forget what its passages carry, warm."""
        self._touched([doc_id])
        self.searching.concepts_changed(doc_id)
        self.warm_in_background()

    def delete(self, doc_id: str) -> bool:
        deleted = self.ingestion.delete(doc_id)
        self._touched([doc_id])
        return deleted

    def close(self) -> None:
        """Stop and wait for background work, then release the store, index and workers."""
        self.background.close()
        if self._sparql is not None:
            self._sparql.close()
        self.ingestion.close()
        self.searching.close()
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
