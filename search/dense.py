"""FAISS inner-product index over L2-normalised passage vectors.

Exact (flat) while small; HNSW past `HNSW_THRESHOLD` vectors, where flat search stops meeting
the latency goal (bench/search_bench.py measures both, with HNSW's recall@10 against flat).
HNSW cannot remove vectors, so removed rows are tombstoned and filtered out; the index is
rebuilt from the kept vectors when tombstones pass a quarter of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

HNSW_THRESHOLD = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# Search breadth: hybrid ranking takes the top 100, so ef must exceed it well. At 100k blended
# passage vectors, ef 96 gave recall@10 0.857 against flat and ef 256 gave 0.935, at p95 0.6 ms.
HNSW_EF_SEARCH = 256
# A filter allowing fewer rows than this is searched exactly over those rows' vectors: HNSW
# walking a graph where few nodes are allowed can miss some of them.
EXACT_BELOW = 5_000
# Under a flat index, a filter allowing fewer rows than this is searched by a flat index of its
# rows' vectors alone: the same faiss kernel gives the same scores and order as the ID selector,
# which tests every one of 100k rows (a study's shown passages, a one-study filter).
FLAT_SUBSET_BELOW = 300


def make_index(dim: int, expected: int) -> faiss.IndexIDMap2:
    inner: faiss.Index
    if expected >= HNSW_THRESHOLD:
        hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.hnsw.efSearch = HNSW_EF_SEARCH
        inner = hnsw
    else:
        inner = faiss.IndexFlatIP(dim)
    return faiss.IndexIDMap2(inner)


def index_kind(index: faiss.Index) -> str:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    return "hnsw" if isinstance(inner, faiss.IndexHNSWFlat) else "flat"


class DenseIndex:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.index = make_index(dim, 0)
        self.tombstones: set[int] = set()

    @property
    def kind(self) -> str:
        return index_kind(self.index)

    @property
    def live(self) -> int:
        return self.index.ntotal - len(self.tombstones)

    def add(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        if len(rows) == 0:
            return
        self.index.add_with_ids(
            np.ascontiguousarray(vectors, dtype=np.float32), rows.astype(np.int64)
        )
        if self.kind == "flat" and self.index.ntotal >= HNSW_THRESHOLD:
            self._rebuild(HNSW_THRESHOLD)

    def remove(self, rows: list[int]) -> None:
        if not rows:
            return
        if self.kind == "flat":
            # faiss wraps remove_ids to take an id array; its stub knows only IDSelector
            self.index.remove_ids(np.asarray(rows, dtype=np.int64))  # type: ignore[arg-type]
            return
        self.tombstones.update(rows)
        if len(self.tombstones) > self.index.ntotal // 4:
            self._rebuild(self.live)

    def _rebuild(self, expected: int) -> None:
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        keep = np.array([i not in self.tombstones for i in ids], dtype=bool)
        vectors = self.index.index.reconstruct_n(0, self.index.ntotal)[keep] if len(ids) else None
        self.index = make_index(self.dim, expected)
        self.tombstones = set()
        if vectors is not None and len(vectors):
            self.index.add_with_ids(vectors, ids[keep])

    def search(
        self, query: np.ndarray, k: int, allowed: set[int] | np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The k nearest live rows; with `allowed` (a set, or an array of rows), faiss searches
        only those rows, so they are found however far they sit from the unfiltered top k."""
        if self.index.ntotal == 0:
            return []
        want = min(self.index.ntotal, k + len(self.tombstones))
        params = None
        rows = None if allowed is None else row_array(allowed)
        if rows is not None and self.kind == "hnsw" and len(rows) <= EXACT_BELOW:
            return self._exact(query, k, rows.tolist())
        if rows is not None and len(rows) and self.kind == "flat" and len(rows) < FLAT_SUBSET_BELOW:
            found = self._flat_subset(query, k, rows.tolist())
            if found is not None:
                return found
        if rows is not None:
            # A bitmap over the row ids (held in `bits` till the search ends: the selector only
            # points at it): the same rows as an IDSelectorBatch, so the same result, but one
            # bit tested a row instead of a hash look-up, and made by numpy, not by 64k inserts.
            bits = row_bitmap(rows)
            selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
            params = _search_params(self.kind, selector)
        scores, ids = self.index.search(
            query.reshape(1, -1).astype(np.float32), want, params=params
        )
        return [
            (int(i), float(s))
            for i, s in zip(ids[0], scores[0], strict=True)
            if i >= 0 and int(i) not in self.tombstones
        ][:k]

    def _exact(self, query: np.ndarray, k: int, rows: list[int]) -> list[tuple[int, float]]:
        live = [r for r in rows if r not in self.tombstones]
        if not live:
            return []
        scores = self.vectors_of(live) @ query.astype(np.float32)
        order = np.argsort(-scores)[:k]
        return [(live[i], float(scores[i])) for i in order]

    def _flat_subset(
        self, query: np.ndarray, k: int, rows: list[int]
    ) -> list[tuple[int, float]] | None:
        """The k nearest of `rows` by a flat index of their vectors (rows ascending, so that
        ties fall as they do in the whole index); None when a row has left the index since the
        caller read it (reconstruct fails), and the ID selector answers instead."""
        try:
            vectors = self.vectors_of(rows)
        except RuntimeError:
            return None
        subset = faiss.IndexFlatIP(self.dim)
        subset.add(vectors)
        scores, found = subset.search(query.reshape(1, -1).astype(np.float32), min(k, len(rows)))
        return [(rows[i], float(s)) for i, s in zip(found[0], scores[0], strict=True) if i >= 0]

    def vectors_of(self, rows: list[int]) -> np.ndarray:
        if not rows:
            return np.zeros((0, self.dim))
        # One call for all rows, not one a row: 5,000 rows of a filter took 10 ms that way.
        return self.index.reconstruct_batch(np.asarray(rows, dtype=np.int64))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(folder / "dense.faiss"))
        np.save(folder / "dense_tombstones.npy", np.array(sorted(self.tombstones), dtype=np.int64))

    @classmethod
    def load(cls, folder: Path, dim: int) -> DenseIndex | None:
        path = folder / "dense.faiss"
        if not path.exists():
            return None
        dense = cls(dim)
        stored = faiss.read_index(str(path))
        if not isinstance(stored, faiss.IndexIDMap2) or stored.d != dim:
            return None
        dense.index = stored
        stones = folder / "dense_tombstones.npy"
        dense.tombstones = set(np.load(stones).tolist()) if stones.exists() else set()
        return dense


def row_array(allowed: set[int] | np.ndarray) -> np.ndarray:
    """Rows as a sorted int64 array without repeats (an array given is taken to be one)."""
    if isinstance(allowed, np.ndarray):
        return allowed
    return np.unique(np.fromiter(allowed, dtype=np.int64, count=len(allowed)))


def row_bitmap(rows: np.ndarray) -> np.ndarray:
    """faiss.IDSelectorBitmap's bytes for `rows` (non-negative): bit r % 8 of byte r // 8."""
    if not len(rows):
        return np.zeros(1, dtype=np.uint8)
    member = np.zeros(int(rows.max()) + 1, dtype=bool)
    member[rows] = True
    return np.packbits(member, bitorder="little")


def _search_params(kind: str, selector: faiss.IDSelector) -> Any:
    # faiss's type stubs know neither SearchParametersHNSW nor the `sel` field
    params: Any = faiss.SearchParametersHNSW() if kind == "hnsw" else faiss.SearchParameters()  # type: ignore[attr-defined]
    if kind == "hnsw":
        params.efSearch = HNSW_EF_SEARCH
    params.sel = selector
    return params
