"""What the search service needs from a passage index, so that another engine can stand
behind it (`search.index.SearchIndex` is the one we ship: SQLite rows, FAISS and BM25).

Rows are the index's own ids for passages; a document's passages are added and removed
together, and the index is derived from the graph store, so `sync` can always repair it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np

from search.embedding import Embedder
from search.index import IndexedPassage, PassageRecord, PassageSource


class PassageIndex(Protocol):
    @property
    def embedder(self) -> Embedder: ...

    # --- documents in and out ------------------------------------------------------
    def embed(self, passages: list[PassageRecord]) -> np.ndarray: ...

    def add_document(
        self, doc_id: str, passages: list[PassageRecord], vectors: np.ndarray | None = None
    ) -> None: ...

    def remove_document(self, doc_id: str) -> None: ...

    def sync(self, store_ids: Iterable[str], source: PassageSource) -> tuple[int, int]: ...

    def clear(self) -> None: ...

    # --- queries ------------------------------------------------------------------
    def dense_search(
        self, vector: np.ndarray, k: int, allowed: set[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The k nearest passages; with `allowed` (a set, or a sorted array of rows as
        `doc_row_ids` gives), among those rows only (filters before ranking, so a narrow
        filter loses nothing outside a candidate pool)."""
        ...

    def lexical_search(
        self, query: str, k: int, allowed: set[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]: ...

    def passages(self, rows: list[int]) -> dict[int, IndexedPassage]: ...

    def rows(self) -> list[int]: ...

    def doc_rows(self, doc_ids: set[str]) -> set[int]: ...

    def doc_row_ids(self, doc_ids: set[str]) -> np.ndarray:
        """The documents' passage rows as a sorted int64 array."""
        ...

    def document_ids(self) -> set[str]: ...

    def document_vectors(self) -> tuple[list[str], np.ndarray]: ...

    def study_vectors(self) -> tuple[list[str], np.ndarray]:
        """One e5 vector per study, of its title and opening text."""
        ...

    def study_lexical_search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """BM25 over whole studies: (doc id, score), best first, among `allowed` when given."""
        ...

    # --- upkeep -------------------------------------------------------------------
    def stats(self) -> dict[str, object]: ...

    def save(self) -> None: ...

    def close(self) -> None: ...
