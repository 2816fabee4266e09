"""The fast filter paths (a bitmap selector, a row table for BM25, filter rows as arrays) and
the remembered query vectors give exactly what the slower ways gave."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import faiss
import numpy as np
import pytest

from search import hybrid
from search.dense import EXACT_BELOW, HNSW_THRESHOLD, DenseIndex, make_index, row_array
from search.index import PassageRecord, SearchIndex
from search.lexical import LexicalIndex, member


def _id_selector_search(dense: DenseIndex, query: np.ndarray, k: int, allowed: set[int]) -> list:
    """What DenseIndex.search answered before the bitmap: faiss with an IDSelectorBatch."""
    params = faiss.SearchParametersHNSW() if dense.kind == "hnsw" else faiss.SearchParameters()  # type: ignore[attr-defined]
    if dense.kind == "hnsw":
        params.efSearch = 256
    params.sel = faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64))
    scores, ids = dense.index.search(query.reshape(1, -1), k, params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_a_broad_filter_ranks_as_the_id_selector_did(kind: str) -> None:
    rng = np.random.default_rng(11)
    n = 12_000
    vectors = rng.normal(size=(n, 16)).astype(np.float32)
    vectors[9000:9020] = vectors[50]  # exact ties
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex(16)
    dense.index = make_index(16, 0 if kind == "flat" else HNSW_THRESHOLD)
    dense.add(np.arange(1, n + 1), vectors)
    assert dense.kind == kind
    for share in (0.05, 0.25, 0.9):
        allowed = {int(r) for r in rng.choice(np.arange(1, n + 1), int(n * share), False)}
        allowed |= set(range(9001, 9021)) | {51}
        if kind == "hnsw" and len(allowed) <= EXACT_BELOW:
            continue  # searched exactly over the rows (another test)
        query = vectors[50] + 0.05 * rng.normal(size=16).astype(np.float32)
        expected = _id_selector_search(dense, query, 100, allowed)
        assert len(expected) == 100
        assert dense.search(query, 100, allowed) == expected
        assert dense.search(query, 100, row_array(allowed)) == expected


def test_an_empty_filter_finds_nothing() -> None:
    dense = DenseIndex(4)
    dense.add(np.arange(1, 4), np.eye(3, 4, dtype=np.float32))
    assert dense.search(np.ones(4, dtype=np.float32), 3, set()) == []
    assert dense.search(np.ones(4, dtype=np.float32), 3, np.zeros(0, dtype=np.int64)) == []


def test_bm25_filter_table_is_isin() -> None:
    rng = np.random.default_rng(2)
    rows = rng.permutation(np.arange(3, 5000)).astype(np.int64)
    for allowed in (set(), {4}, {10_000, 7}, {int(r) for r in rng.choice(rows, 1200)}):
        expected = np.isin(rows, np.fromiter(allowed, dtype=np.int64))
        assert np.array_equal(member(rows, allowed), expected)
        assert np.array_equal(member(rows, row_array(allowed)), expected)
    texts = ["anggaran anggaran anggaran desa"] * 200 + ["anggaran kecil sekali di pulau"]
    lexical = LexicalIndex()
    lexical.build(list(range(len(texts))), texts)
    allowed = set(range(0, 201, 3))
    assert lexical.search("anggaran", 10, allowed) == lexical.search(
        "anggaran", 10, row_array(allowed)
    )


def test_filter_rows_as_an_array_are_the_sorted_set(tmp_path: Path, embedder) -> None:
    index = SearchIndex(tmp_path / "index", embedder)
    rng = np.random.default_rng(1)
    for doc_id, n in (("b", 3), ("a", 2), ("c", 4), ("b", 1)):  # b replaced: new rows, later
        records = [PassageRecord(doc_id, i, 1, "", f"teks {doc_id} {i}", "J") for i in range(n)]
        index.add_document(doc_id, records, rng.normal(size=(n + 1, embedder.dim)))
    for docs in ({"a", "b"}, {"b", "c", "x"}, set(), {"x"}):
        ids = index.doc_row_ids(docs)
        assert ids.dtype == np.int64 and ids.tolist() == sorted(index.doc_rows(docs))
    # A filter asked again (another set, same ids) is remembered until the index changes.
    first = index.doc_row_ids({"a", "b"})
    assert index.doc_row_ids({"b", "a"}) is first
    with pytest.raises(ValueError):
        first[0] = 0  # shared: read-only
    index.add_document("a", [PassageRecord("a", 0, 1, "", "teks baru", "J")],
                       rng.normal(size=(2, embedder.dim)))  # fmt: skip
    again = index.doc_row_ids({"a", "b"})
    assert again.tolist() == sorted(index.doc_rows({"a", "b"})) != first.tolist()
    words = index.study_lexical_search("teks", 5, {"a", "c"})
    index.remove_document("c")
    assert (
        {d for d, _ in index.study_lexical_search("teks", 5, {"a", "c"})}
        == {"a"}
        != {d for d, _ in words}
    )
    index.close()


def test_query_vectors_are_remembered_and_embedded_one_text_a_call(embedder) -> None:
    index = SimpleNamespace(embedder=embedder)  # query_vector reads only the index's model
    texts = ["anggaran perlindungan anak", "budget child protection anggaran kemitraan desa"]
    batched = embedder.encode_queries(texts)
    hybrid.forget_query_vectors()
    calls: list[list[str]] = []
    encode = embedder.encode_queries

    def counted(batch: list[str], batch_size: int = 32) -> np.ndarray:
        calls.append(batch)
        return encode(batch, batch_size)

    embedder.encode_queries = counted
    try:
        first = hybrid.encoded_queries(index, texts)  # type: ignore[arg-type]
        again = hybrid.encoded_queries(index, texts)  # type: ignore[arg-type]
    finally:
        del embedder.encode_queries
        hybrid.forget_query_vectors()
    assert calls == [[texts[0]], [texts[1]]]  # one text a call, and none the second time
    for one, two, together in zip(first, again, batched, strict=True):
        assert np.array_equal(one, two)
        assert np.abs(one - together).max() < 1e-5  # padding in a batch: float noise at most
    first[0][:] = 0  # a caller scaling its vector does not touch the remembered one
    assert np.array_equal(hybrid.encoded_queries(index, texts[:1])[0], again[0])  # type: ignore[arg-type]
    hybrid.forget_query_vectors()


def test_an_open_index_holds_blas_to_one_thread_with_the_same_scores(
    tmp_path: Path, embedder
) -> None:
    """search/index.py limit_blas_threads: numpy's BLAS on one thread once an index is open
    (its idle threads spun and slowed study search by half), scores bit-identical."""
    from threadpoolctl import threadpool_info, threadpool_limits

    rng = np.random.default_rng(5)
    matrix = rng.random((20_000, 384), dtype=np.float32)
    vector = matrix[7] + np.float32(0.01)
    with threadpool_limits(2, user_api="blas"):
        two_threads = matrix @ vector
    SearchIndex(tmp_path / "index", embedder)
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)
    assert np.array_equal(matrix @ vector, two_threads)
