"""The store interface on both backends: embedded Oxigraph and a real `oxigraph serve`."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from records import ENGLISH_RECORD, HEADER_RECORD

from api.settings import Settings
from api.workspace import Workspace
from kg.documents import document_json
from kg.queries import run_select
from kg.sandbox import SparqlLimits, sandbox_for
from kg.store import QueryError, QueryTimeout, ResultTooLarge, Solutions, open_store

EX = "http://example.org/"


def _quads(doc_id: str, title: str) -> list[ox.Quad]:
    graph = ox.NamedNode(f"https://w3id.org/jejaring/doc/{doc_id}")
    jj = "https://w3id.org/jejaring/ns#"
    return [
        ox.Quad(graph, ox.NamedNode(jj + "contentHash"), ox.Literal(doc_id), graph),
        ox.Quad(graph, ox.NamedNode(jj + "sourceFilename"), ox.Literal("same.pdf"), graph),
        ox.Quad(graph, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal(title), graph),
    ]


@pytest.fixture
def store(store_location: str, tmp_path: Path):
    with open_store(store_location, tmp_path / "data") as opened:
        yield opened


def test_documents_are_written_replaced_and_deleted_whole(store) -> None:
    store.put_document("a1", _quads("a1", "first"), [], [])
    assert store.document_ids() == ["a1"] and store.has_document("a1")
    assert store.documents_with_filename("same.pdf") == ["a1"]
    store.put_document("b2", _quads("b2", "second"), [], ["a1"])
    assert store.document_ids() == ["b2"] and not store.has_document("a1")
    assert len(store.document_quads("b2")) == 3
    assert store.delete_document("b2") and not store.delete_document("b2")
    assert store.document_ids() == []


def test_request_values_are_bound_not_pasted(store) -> None:
    hostile = 'x" } ; DROP ALL ; INSERT DATA { <http://e/a> <http://e/b> "c'
    store.put_document("a1", _quads("a1", hostile), [], [])
    rows = store.select(
        "SELECT ?doc ?title WHERE { ?doc <http://purl.org/dc/terms/title> ?title }",
        title=ox.Literal(hostile),
    )
    assert [r["doc"].value for r in rows] == ["https://w3id.org/jejaring/doc/a1"]
    assert store.document_ids() == ["a1"]  # nothing was dropped


def test_a_variable_a_subquery_only_tests_is_not_bound_from_outside(store) -> None:
    """select_rows over a subquery: where the subquery binds the variable in its own pattern,
    the rows join with it; where it only tests it (a FILTER), it would see it unbound and
    answer nothing, so both stores refuse the query instead."""
    for doc_id, title in (("a1", "first"), ("b2", "second"), ("c3", "third")):
        store.put_document(doc_id, _quads(doc_id, title), [], [])
    title = "<http://purl.org/dc/terms/title>"
    binds = f"SELECT ?doc ?t WHERE {{ {{ SELECT ?doc ?t WHERE {{ ?doc {title} ?t }} }} }}"
    rows = [(ox.Literal("first"),), (ox.Literal("third"),)]
    found = store.select_rows(binds, ["t"], rows)
    assert sorted(r["doc"].value.rsplit("/", 1)[1] for r in found) == ["a1", "c3"]
    tests = (
        f"SELECT ?doc ?t WHERE {{ {{ SELECT ?doc WHERE {{ ?doc {title} ?x FILTER(?x = ?t) }} }} }}"
    )
    with pytest.raises(QueryError, match=r"\?t is tested inside a subquery"):
        store.select_rows(tests, ["t"], rows)


def test_malformed_query_says_why(store) -> None:
    with pytest.raises(QueryError, match=r"(?i)pars|syntax|expect|refused"):
        store.evaluate("SELEC ?x WHERE {")
    with pytest.raises(QueryError):
        store.update("DELETE WHERE {")


def test_result_cap_and_time_limit(store, tmp_path: Path) -> None:
    many = [
        ox.Quad(ox.NamedNode(f"{EX}{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(i), ox.NamedNode(EX))
        for i in range(2000)
    ]
    store.put_document("big", many, [], [])
    with pytest.raises(ResultTooLarge, match="more than 100"):
        store.evaluate("SELECT ?s WHERE { ?s ?p ?o }", cap=100)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z }"
    # A stranger's query goes through the sandbox: a worker process killed at the deadline
    # (embedded), or the remote server's own limit.
    runner = sandbox_for(store, tmp_path, SparqlLimits(timeout_s=0.3, workers=1))
    try:
        with pytest.raises(QueryTimeout, match="time limit"):
            runner.query(slow)
    finally:
        runner.close()
    assert isinstance(store.evaluate("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", cap=100), Solutions)


def test_export_holds_every_graph(store) -> None:
    store.put_document("a1", _quads("a1", "first"), [], [])
    out = io.BytesIO()
    store.export("nquads", out)
    dataset = ox.Store()
    dataset.load(out.getvalue(), ox.RdfFormat.N_QUADS)
    assert len(dataset) == 3


def test_workspace_runs_on_either_store(store_location: str, tmp_path: Path, embedder) -> None:
    settings = Settings(data=tmp_path / "data", store=store_location)
    with Workspace(settings, embedder=embedder) as workspace:
        garut = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
        makassar = workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md")
        assert garut.status == makassar.status == "ingested"
        doc = document_json(workspace.store, garut.doc_id)
        assert doc["places"][0]["code"] == "32.05"
        assert {o["category"] for o in doc["obstacles"]} >= {"funding", "public_awareness"}
        columns, rows = run_select(workspace.store, "recurring_obstacles")
        by_category = {row[columns.index("category")]: row for row in rows}
        assert "Kabupaten Garut" in by_category["funding"][columns.index("regencyNames")]
        hits = workspace.search("limited funding", k=3)
        assert hits[0]["title"]
        assert {h["document"] for h in hits} <= {garut.doc_id, makassar.doc_id}
