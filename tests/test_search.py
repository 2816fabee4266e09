"""Hybrid search over a real FAISS index, bm25s and the packaged e5 model."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_demo
from records import ENGLISH_RECORD, HEADER_RECORD
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from api.workspace import Workspace
from kg.lookup import Filters
from search.hybrid import MAX_QUERY_CHARS, QueryError


@pytest.fixture(scope="module")
def searchable(
    tmp_path_factory: pytest.TempPathFactory, embedder, demo_data: Path
) -> Iterator[Workspace]:
    """The demo corpus and two records (the session's demo data), for the read-only tests."""
    data = copy_demo(demo_data, tmp_path_factory.mktemp("search") / "data")
    with Workspace(Settings(data=data), embedder=embedder) as workspace:
        yield workspace


def _doc_with_title(workspace: Workspace, word: str) -> str:
    from kg.lookup import document_meta

    for doc_id in workspace.store.document_ids():
        if word.lower() in (document_meta(workspace.store, doc_id).get("title") or "").lower():
            return doc_id
    raise AssertionError(f"no document titled with {word!r}")


def test_hit_carries_passage_page_concepts_and_score_parts(searchable: Workspace) -> None:
    hits = searchable.search("budget constraints of integrated service centres", k=5)
    assert len(hits) == 5
    top = hits[0]
    assert top["title"] and top["page"] >= 1 and top["section"]
    assert set(top["score"]) == {"total", "dense", "lexical", "concept"}
    assert any(h["score"]["dense"] is not None for h in hits)
    # The English query reaches Indonesian text, and the hit carries the funding obstacle.
    obstacle_ids = {c["id"] for h in hits for c in h["concepts"].get("obstacle", [])}
    assert "funding" in obstacle_ids
    assert any("anggaran" in h["text"].lower() or "dana" in h["text"].lower() for h in hits)
    scores = [h["score"]["total"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_matching_words_are_marked_and_text_escaped(searchable: Workspace) -> None:
    hits = searchable.search("kendala anggaran", k=3)
    marked = hits[0]["marked"]
    assert "<mark>" in marked
    for start, end in hits[0]["highlights"]:
        # the typed words, or a written form search/synonyms.py adds ("kendala" -> "hambatan")
        word = hits[0]["text"][start:end].lower()
        assert word.startswith(("kendala", "anggar")) or "hambat" in word


def test_place_labels_are_region_names(searchable: Workspace) -> None:
    hits = searchable.search("kekerasan anak Kabupaten Garut", k=10)
    places = [c for h in hits for c in h["concepts"].get("place", [])]
    assert places, "a passage naming Garut should carry the place"
    assert all(not p["label"][0].isdigit() for p in places)


def test_province_filter_includes_its_regencies(searchable: Workspace) -> None:
    garut = _doc_with_title(searchable, "Garut")
    hits = searchable.search("kolaborasi perlindungan anak", k=10, filters=Filters(place="32"))
    assert hits and {h["document"] for h in hits} == {garut}  # Garut is 32.05, in Jawa Barat
    assert searchable.search("kolaborasi", k=5, filters=Filters(place="91")) == []


def test_obstacle_theory_and_year_filters(searchable: Workspace) -> None:
    makassar = _doc_with_title(searchable, "Makassar")
    hits = searchable.search("partnership", k=10, filters=Filters(obstacle="sectoral_ego"))
    assert makassar in {h["document"] for h in hits}
    for h in searchable.search("koordinasi", k=10, filters=Filters(year_from=2021, year_to=2021)):
        assert h["year"] == 2021
    theory = searchable.search(
        "kolaborasi", k=10, filters=Filters(theory="collaborative_governance")
    )
    assert theory and makassar not in {h["document"] for h in theory}


@pytest.mark.parametrize("query", ["", "   ", "x" * (MAX_QUERY_CHARS + 1)])
def test_empty_or_too_long_query_is_refused(searchable: Workspace, query: str) -> None:
    with pytest.raises(QueryError):
        searchable.search(query)


@pytest.mark.parametrize(
    "query", ["حماية الطفل", "儿童保护 预算", "🙂🙂", "P2TP2A'; DROP", "-- )("]
)
def test_any_script_gets_an_answer(searchable: Workspace, query: str) -> None:
    hits = searchable.search(query, k=3)
    assert len(hits) <= 3 and all(h["document"] for h in hits)


def test_similar_studies_exclude_the_study_itself(searchable: Workspace) -> None:
    garut = _doc_with_title(searchable, "Garut")
    near = searchable.similar(garut, k=3)
    assert near and garut not in {n["id"] for n in near}
    assert [n["score"] for n in near] == sorted((n["score"] for n in near), reverse=True)


def test_deleted_and_replaced_documents_never_come_back(workspace: Workspace) -> None:
    first = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    assert {h["document"] for h in workspace.search("UPTD PPA Garut")} == {first.doc_id}
    second = workspace.ingest_bytes(
        HEADER_RECORD.replace("2021", "2022").encode(), "garut.txt", replace=first.doc_id
    )
    assert second.status == "replaced"
    assert {h["document"] for h in workspace.search("UPTD PPA Garut")} == {second.doc_id}
    assert workspace.delete(second.doc_id)
    assert workspace.search("UPTD PPA Garut") == []
    assert workspace.similar(second.doc_id) == []


def test_start_up_repairs_an_index_that_lags_the_store(settings: Settings, embedder) -> None:
    with Workspace(settings, embedder=embedder) as workspace:
        garut = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt").doc_id
        makassar = workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md").doc_id
        # A crash between the store write and the index write: the index lost one document.
        workspace.index.remove_document(makassar)
        workspace.index.save()
    with Workspace(settings, embedder=embedder) as workspace:
        assert workspace.index.document_ids() == {garut, makassar}
        assert makassar in {h["document"] for h in workspace.search("PATBM Makassar")}


def test_index_built_with_another_model_is_rebuilt(settings: Settings, embedder) -> None:
    with Workspace(settings, embedder=embedder) as workspace:
        workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
        passages = workspace.index.stats()["passages"]
    db = sqlite3.connect(settings.index_path / "passages.sqlite")
    with db:
        db.execute("UPDATE meta SET value = '768' WHERE key = 'dim'")
        db.execute("UPDATE meta SET value = 'other-model' WHERE key = 'model_id'")
    db.close()
    with Workspace(settings, embedder=embedder) as workspace:
        stats = workspace.index.stats()
        assert stats["model"] == embedder.model_id and stats["dim"] == embedder.dim
        assert stats["passages"] == passages
        assert workspace.search("anggaran")[0]["document"]


def test_search_similar_and_reindex_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(tmp_path / "data")
    records = tmp_path / "records"
    records.mkdir()
    (records / "garut.txt").write_text(HEADER_RECORD)
    (records / "makassar.md").write_text(ENGLISH_RECORD)
    assert runner.invoke(app, ["ingest", str(records), "--data", data]).exit_code == 0

    found = runner.invoke(
        app, ["search", "limited funding", "--obstacle", "funding", "--json", "--data", data]
    )
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert hits and all("funding" in {c["id"] for c in h["concepts"]["obstacle"]} for h in hits)

    studies = runner.invoke(app, ["search", "PATBM Makassar", "--unit", "study", "--data", data])
    assert studies.exit_code == 0, studies.output
    assert studies.stdout.startswith("1. Child protection partnership in Makassar City")
    assert "matched: " in studies.stdout and "makassar" in studies.stdout.lower()
    odd_unit = runner.invoke(app, ["search", "x", "--unit", "book", "--data", data])
    assert odd_unit.exit_code == 2 and "--unit is passage or study" in odd_unit.stderr

    empty = runner.invoke(app, ["search", "  ", "--data", data])
    assert empty.exit_code == 2 and "empty query" in empty.stderr
    assert "Traceback" not in empty.output

    doc_id = hits[0]["document"]
    near = runner.invoke(app, ["similar", doc_id, "--data", data])
    assert near.exit_code == 0 and near.stdout.strip()
    missing = runner.invoke(app, ["similar", "nope", "--data", data])
    assert missing.exit_code == 1 and "no document" in missing.stderr

    rebuilt = runner.invoke(app, ["reindex", "--data", data])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "documents" in rebuilt.stdout and "2" in rebuilt.stdout


# --- studies as a unit, passages with their context, filters before ranking ---------------


def test_studies_rank_whole_studies_with_what_matched(searchable: Workspace) -> None:
    garut = _doc_with_title(searchable, "Garut")
    found = searchable.search_studies("police and child protection unit in Garut", k=3)
    assert found[0]["document"] == garut
    assert len({s["document"] for s in found}) == len(found)  # one entry per study
    top = found[0]
    assert top["title"] and top["passages"] and top["passages"][0]["text"]
    assert "garut" in top["why"]["words"]
    assert any("<mark>" in p["marked"] for p in top["passages"])
    scores = [s["score"]["total"] for s in found]
    assert scores == sorted(scores, reverse=True)
    # A concept the query names (in English) and the study carries is shown as a reason.
    budget = searchable.search_studies("budget constraints", k=3)
    assert any(c["id"] == "funding" for s in budget for c in s["why"]["concepts"])


def test_a_passage_carries_its_study_title(workspace: Workspace) -> None:
    # "Tambelan" is only in the title: the passage is found by it all the same.
    record = HEADER_RECORD.replace("Kabupaten Garut\n", "Pulau Tambelan\n", 1)
    doc = workspace.ingest_bytes(record.encode(), "tambelan.txt").doc_id
    hits = workspace.search("Tambelan", k=3, mode="lexical")
    assert hits and hits[0]["document"] == doc
    assert "Tambelan" not in hits[0]["text"]


def test_index_of_an_older_passage_format_is_rebuilt(settings: Settings, embedder) -> None:
    with Workspace(settings, embedder=embedder) as workspace:
        workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
        passages = workspace.index.stats()["passages"]
    db = sqlite3.connect(settings.index_path / "passages.sqlite")
    with db:  # the shape of an index from before passages carried their title
        db.execute("ALTER TABLE passages DROP COLUMN context")
        db.execute("DELETE FROM meta WHERE key = 'format'")
    db.close()
    with Workspace(settings, embedder=embedder) as workspace:
        assert workspace.index.stats()["passages"] == passages
        garut = workspace.search("Kabupaten Garut", k=1, mode="lexical")[0]
        assert garut["title"] and garut["title"].startswith("Kolaborasi UPTD PPA")
    db = sqlite3.connect(settings.index_path / "passages.sqlite")
    contexts = [c for (c,) in db.execute("SELECT context FROM passages")]
    db.close()
    assert contexts and all(c.startswith("Kolaborasi UPTD PPA") for c in contexts)


def test_a_narrow_filter_finds_studies_outside_the_candidate_pool(
    searchable: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import hybrid

    # A pool of 2 passages over this small corpus stands for 100 over a large one.
    monkeypatch.setattr(hybrid, "CANDIDATES", 2)
    garut = _doc_with_title(searchable, "Garut")
    query = "kendala anggaran kemitraan P2TP2A dan pemerintah desa"
    for mode in ("dense", "lexical"):
        unfiltered = searchable.search(query, k=1, mode=mode)
        pool = hybrid.search(searchable.index, query, 2, mode=mode)
        assert garut not in {h.passage.doc_id for h in pool}, "the case needs it outside the pool"
        filtered = searchable.search(query, k=1, filters=Filters(place="32"), mode=mode)
        assert unfiltered and [h["document"] for h in filtered] == [garut]
    studies = searchable.search_studies(query, k=3, filters=Filters(place="32"))
    assert [s["document"] for s in studies] == [garut]


def test_filtered_dense_search_is_exact_over_the_allowed_rows() -> None:
    import numpy as np

    from search.dense import HNSW_THRESHOLD, DenseIndex, make_index

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = np.arange(10, 3010)
    query = vectors[0]
    allowed = {int(r) for r in rng.choice(rows[1000:], size=40, replace=False)}
    want = sorted(allowed, key=lambda r: -float(vectors[r - 10] @ query))[:5]
    for expected in (0, HNSW_THRESHOLD):  # flat (faiss ID selector) and HNSW
        dense = DenseIndex(32)
        dense.index = make_index(32, expected)
        dense.add(rows, vectors)
        assert dense.kind == ("flat" if expected == 0 else "hnsw")
        found = dense.search(query, 5, allowed)
        assert [r for r, _ in found] == want
        dense.remove([want[0]])
        assert want[0] not in {r for r, _ in dense.search(query, 5, allowed)}


def test_filtered_lexical_search_scores_only_the_allowed_rows() -> None:
    from search.lexical import LexicalIndex

    texts = ["anggaran anggaran anggaran desa"] * 200 + ["anggaran kecil sekali di pulau"]
    lexical = LexicalIndex()
    lexical.build(list(range(len(texts))), texts)
    assert 200 not in {r for r, _ in lexical.search("anggaran", 10)}
    assert [r for r, _ in lexical.search("anggaran", 10, allowed={200, 5000})] == [200]


def test_highlight_stems_words_as_bm25_tokenizes_them() -> None:
    import re

    from search.lexical import first_stems, tokenize

    text = ENGLISH_RECORD + HEADER_RECORD + " in-depth kerja-sama P2TP2A's 2021 -- (dan) yang"
    words = re.findall(r"\w[\w-]*", text)
    assert first_stems(words) == [t[0] if t else None for t in tokenize(words)]


def test_a_study_is_indexed_as_a_whole(workspace: Workspace) -> None:
    import numpy as np

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    doc = workspace.ingest_file(next(corpus.glob("sapitri*.pdf"))).doc_id
    garut = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt").doc_id
    index = workspace.index
    # Words of two different passages, in no one passage together, match the study.
    assert not any(
        "Paramecium" in p.text and "trauma" in p.text for p in index.passages(index.rows()).values()
    )
    assert index.study_lexical_search("Paramecium trauma", 3)[0][0] == doc
    assert index.study_lexical_search("Paramecium trauma", 3, allowed={garut}) == []
    ids, matrix = index.study_vectors()
    assert sorted(ids) == sorted([doc, garut])
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)
    # The study-text vector is nearer its own study's title than the other's.
    query = index.embedder.encode_queries(["kemitraan P2TP2A dan pemerintah desa Benan"])[0]
    assert ids[int(np.argmax(matrix @ query))] == doc
    workspace.delete(doc)
    assert index.study_vectors()[0] == [garut]
    assert [d for d, _ in index.study_lexical_search("Paramecium trauma", 3)] == []


def test_flat_filter_of_few_rows_scores_as_the_id_selector_does() -> None:
    """A small filter under a flat index is searched by a flat index of its rows alone: the
    same scores and order as faiss's ID selector over the whole index, ties included."""
    import faiss
    import numpy as np

    from search.dense import FLAT_SUBSET_BELOW, DenseIndex

    rng = np.random.default_rng(5)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors[1500:1510] = vectors[100]  # exact ties
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex(32)
    dense.add(np.arange(1, 2001), vectors)
    for size in (1, 7, 120, FLAT_SUBSET_BELOW - 1, FLAT_SUBSET_BELOW + 50):
        allowed = {int(r) for r in rng.choice(np.arange(1, 2001), size=size, replace=False)}
        allowed |= set(range(1501, 1511)) | {101}
        query = vectors[100] + 0.01 * rng.normal(size=32).astype(np.float32)
        params = faiss.SearchParameters()  # type: ignore[attr-defined]
        params.sel = faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64))
        scores, ids = dense.index.search(query.reshape(1, -1), 20, params=params)
        expected = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        assert dense.search(query, 20, allowed) == expected
    # A row gone since the caller read it: the selector answers, without that row.
    dense.remove([101])
    assert 101 not in {r for r, _ in dense.search(vectors[100], 5, {101, 102, 103})}


def test_document_rows_follow_adds_removals_and_clearing(tmp_path: Path, embedder) -> None:
    import numpy as np

    from search.index import PassageRecord, SearchIndex

    def add(index: SearchIndex, doc_id: str, n: int) -> None:
        records = [PassageRecord(doc_id, i, 1, "", f"teks {doc_id} {i}", "Judul") for i in range(n)]
        vectors = np.random.default_rng(n).normal(size=(n + 1, embedder.dim)).astype(np.float32)
        index.add_document(doc_id, records, vectors)

    def in_sqlite(index: SearchIndex, docs: set[str]) -> set[int]:
        found = index._db.execute("SELECT row, doc_id FROM passages").fetchall()
        return {row for row, doc in found if doc in docs}

    index = SearchIndex(tmp_path / "index", embedder)
    add(index, "a", 3)
    add(index, "b", 2)
    assert index.doc_rows({"a", "b", "x"}) == in_sqlite(index, {"a", "b"})  # read once
    add(index, "c", 4)
    add(index, "a", 1)  # replaced: its old rows go
    index.remove_document("b")
    for docs in ({"a"}, {"b"}, {"c"}, {"a", "b", "c"}):
        assert index.doc_rows(docs) == in_sqlite(index, docs)
    index.close()
    reopened = SearchIndex(tmp_path / "index", embedder)
    assert reopened.doc_rows({"a", "c"}) == in_sqlite(reopened, {"a", "c"})
    reopened.clear()
    assert reopened.doc_rows({"a", "c"}) == set()
    add(reopened, "d", 2)
    assert reopened.doc_rows({"d"}) == in_sqlite(reopened, {"d"})
    reopened.close()


def test_nearest_studies_rank_as_a_full_sort_does() -> None:
    import numpy as np

    from search.studies import nearest_studies

    rng = np.random.default_rng(9)
    matrix = rng.normal(size=(3000, 16)).astype(np.float32)
    vector = rng.normal(size=16).astype(np.float32)
    ids = [f"s{i:05d}" for i in range(3000)]
    for allowed in (None, set(ids[::7]), {ids[5], ids[2999], "gone"}, set()):
        similarity, order = nearest_studies(ids, matrix, vector, allowed, 100)
        full = matrix @ vector
        expected = [i for i in np.argsort(-full) if allowed is None or ids[i] in allowed][:100]
        assert order == [int(i) for i in expected]
        assert np.array_equal(similarity, full)


def test_highlight_remembers_stems_without_changing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from search import hybrid
    from search.lexical import first_stems

    text = ENGLISH_RECORD + HEADER_RECORD
    words = list(re.finditer(r"\w[\w-]*", text))
    firsts = first_stems([w.group() for w in words])
    stems = {s for s in firsts[::5] if s}
    expected = [(w.start(), w.end()) for w, s in zip(words, firsts, strict=True) if s in stems]
    # A table of its own: earlier tests of the session have filled the module's.
    monkeypatch.setattr(hybrid, "_FIRST_STEMS", {})
    assert hybrid.highlight(text, stems) == expected  # stems read
    assert set(hybrid._FIRST_STEMS) == {w.group() for w in words}
    assert hybrid.highlight(text, stems) == expected  # stems remembered
    # Full: the table is emptied before the new words go in, and answers stay the same.
    monkeypatch.setattr(hybrid, "_FIRST_STEMS", {f"other{i}": None for i in range(20)})
    monkeypatch.setattr(hybrid, "FIRST_STEMS_KEPT", 10)
    assert hybrid.highlight(text, stems) == expected
    assert set(hybrid._FIRST_STEMS) == {w.group() for w in words}


def test_a_bulk_load_holds_what_one_by_one_adds_hold(tmp_path: Path, embedder) -> None:
    import numpy as np

    from search.index import PassageRecord, SearchIndex

    rng = np.random.default_rng(11)
    docs = []
    for d, n in enumerate((3, 0, 2, 4)):
        records = [PassageRecord(f"d{d}", i, 1, "hasil", f"anggaran desa {d} {i}", f"Studi {d}")
                   for i in range(n)]  # fmt: skip
        docs.append((f"d{d}", records, rng.normal(size=(n + 1, embedder.dim)).astype(np.float32)))
    one, bulk = SearchIndex(tmp_path / "one", embedder), SearchIndex(tmp_path / "bulk", embedder)
    bulk.add_document("d0", docs[0][1][:1], docs[0][2][1:3])  # replaced by the bulk load
    for doc_id, records, vectors in docs:
        one.add_document(doc_id, records, vectors)
    bulk.add_documents(docs)
    query = docs[2][2][0]
    for index in (one, bulk):
        assert index.document_ids() == {"d0", "d1", "d2", "d3"}
    assert [p.text for p in one.passages(one.rows()).values()] == [
        p.text for p in bulk.passages(bulk.rows()).values()
    ]
    assert one.study_vectors()[0] == bulk.study_vectors()[0]
    assert np.array_equal(one.study_vectors()[1], bulk.study_vectors()[1])
    by_text = [
        [(index.passages([r])[r].text, s) for r, s in index.dense_search(query, 5)]
        for index in (one, bulk)
    ]
    assert by_text[0] == by_text[1]
    assert len(bulk.doc_rows({"d0", "d3"})) == 7
    one.close()
    bulk.close()


def test_fusion_shares_are_min_max_scaled_scores_or_reciprocal_ranks() -> None:
    from search.hybrid import RRF_K, shares

    ranked = [(7, 4.0), (3, 2.0), (9, 1.0)]
    assert shares(ranked, True) == [1.0, 1 / 3, 0.0]
    assert shares([(1, 2.0), (2, 2.0)], True) == [1.0, 1.0]
    assert shares(ranked, False) == [1 / (RRF_K + r) for r in (1, 2, 3)]
    assert shares([], True) == []


def test_study_fusion_either_way_ranks_whole_studies(searchable: Workspace) -> None:
    from search import studies

    index = searchable.index
    for weights in (studies.WEIGHTS, studies.RRF_WEIGHTS["id"]):
        found = studies.search(index, "kemitraan P2TP2A", 5, weights=weights)
        assert found and len({s.doc_id for s in found}) == len(found)
        assert all(s.passages for s in found)
        assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
