"""Graph shape 2 (issue 15): evidence as passage fragments, extraction provenance once per
study. It reads back to the same JSON and policy answers as shape 1, and a store written with
shape 1 is rewritten at start without losing a mention."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import copy_demo

from api.settings import Settings
from api.workspace import Workspace
from ingest.extract import EXTRACTOR_VERSION
from ingest.model import Document
from kg import policy, shape
from kg.documents import document_json
from kg.model import passage_index_at
from kg.reextract import _stored_mentions, migrate_shape, stored_document
from kg.shape import JJ, OA, PROV, RDF, SCHEMA, SKOS, GraphView
from kg.store import quad_data

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _shape_one(doc: Document) -> list[ox.Quad]:
    """The mention quads as graph shape 1 wrote them (kg/model.py before issue 15)."""
    g = shape.doc_iri(doc.id)
    extractor = shape.extractor_iri(EXTRACTOR_VERSION)
    out = []
    for i, m in enumerate(doc.mentions):
        a = shape.mention_iri(doc.id, i)
        triples = [
            (a, RDF.type, OA.Annotation), (a, JJ.position, shape.integer(i)),
            (a, OA.motivatedBy, OA.identifying), (a, OA.hasBody, ox.NamedNode(m.concept)),
            (a, JJ.mentionType, shape.text(m.type)), (a, SKOS.prefLabel, shape.text(m.label)),
            (a, PROV.wasGeneratedBy, extractor), (a, JJ.extractionMethod, shape.text(m.method)),
            (a, JJ.confidence, shape.decimal(m.confidence)),
            (a, JJ.extractorVersion, shape.text(EXTRACTOR_VERSION)),
        ]  # fmt: skip
        if m.role:
            triples.append((a, JJ.role, shape.text(m.role)))
        if m.name:
            triples.append((a, SCHEMA.name, shape.text(m.name)))
        if m.authors:
            triples.append((a, JJ.citationAuthorList, shape.text("; ".join(m.authors))))
        if m.year:
            triples.append((a, JJ.citationYear, shape.integer(m.year)))
        for k, ev in enumerate(m.evidence):
            e = shape.evidence_iri(a, k)
            sel = shape.selector_iri(e)
            triples += [
                (a, OA.hasTarget, e), (e, RDF.type, OA.SpecificResource), (e, OA.hasSource, g),
                (e, JJ.page, shape.integer(ev.page)), (e, JJ.position, shape.integer(k)),
                (e, OA.hasSelector, sel), (sel, RDF.type, OA.TextQuoteSelector),
                (sel, OA.exact, shape.text(ev.quote)), (sel, OA.start, shape.integer(ev.start)),
                (sel, OA.end, shape.integer(ev.end)),
            ]  # fmt: skip
            if ev.section:
                triples.append((e, JJ.section, shape.text(ev.section)))
            p = passage_index_at(doc, ev.start) if ev.end > ev.start else None
            if p is not None:
                triples.append((e, JJ.passage, shape.passage_iri(doc.id, p)))
        out += [ox.Quad(s, p_, o, g) for s, p_, o in triples]
    return out


def _to_shape_one(workspace: Workspace, doc_id: str) -> None:
    quads = workspace.store.document_quads(doc_id)
    doc = stored_document(workspace.store, doc_id)
    assert doc is not None
    doc.mentions = _stored_mentions(GraphView(quads))
    drop = [q for q in quads if shape.is_mention_node(doc_id, q.subject)  # type: ignore[arg-type]
            or q.predicate == JJ.graphShape]  # fmt: skip
    workspace.store.update(
        f"DELETE DATA {{ {' '.join(map(quad_data, drop))} }} ; "
        f"INSERT DATA {{ {' '.join(map(quad_data, _shape_one(doc)))} }}"
    )


def _answers(workspace: Workspace) -> tuple[object, ...]:
    """The policy answers; which quote a study shows may differ between shapes (the first
    piece of evidence by IRI), that it has one may not."""
    store = workspace.store
    rows = [
        {**r, "quote": bool(r["quote"]), "page": bool(r["page"])}
        for level in ("regency", "province")
        for r in policy.obstacle_rows(store, level, 0.85)  # type: ignore[arg-type]
    ]
    return (
        rows,
        policy.obstacle_matrix(policy.obstacle_rows(store, "province", 0.85), "province"),
        policy.obstacle_rows(store, "regency", 0.99) == [],
    )


@pytest.fixture
def workspace(demo_workspace: Workspace) -> Workspace:
    """The demo corpus and the two records (a copy of the session's demo data)."""
    return demo_workspace


@pytest.fixture
def filled(workspace: Workspace) -> list[str]:
    return workspace.store.document_ids()


def test_shape_one_is_read_alike_and_rewritten_at_start_without_loss(
    settings: Settings, embedder: object, demo_data: Path
) -> None:
    copy_demo(demo_data, settings.data)
    workspace = Workspace(settings, embedder=embedder)  # type: ignore[arg-type]
    filled = workspace.store.document_ids()
    store = workspace.store
    lean = {d: document_json(store, d) for d in filled}
    answers = _answers(workspace)
    assert any(o["evidence"] and o["evidence"][0]["quote"] for d in lean.values()
               for o in d["obstacles"])  # fmt: skip
    sizes = {d: len(store.document_quads(d)) for d in filled}
    for doc_id in filled:
        _to_shape_one(workspace, doc_id)
        assert len(store.document_quads(doc_id)) > 1.5 * sizes[doc_id]
        assert document_json(store, doc_id) == lean[doc_id]  # shape 1 reads the same
    assert _answers(workspace) == answers
    workspace.close()

    with Workspace(settings, embedder=embedder) as again:  # type: ignore[arg-type]
        assert migrate_shape(again.store) == 0  # the start rewrote them all already
        for doc_id in filled:
            assert len(again.store.document_quads(doc_id)) == sizes[doc_id]
            assert document_json(again.store, doc_id) == lean[doc_id]
        assert _answers(again) == answers


def test_evidence_is_a_passage_fragment_that_gives_the_quote_back(
    workspace: Workspace, filled: list[str]
) -> None:
    fragments = nodes = 0
    for doc_id in filled:
        graph = GraphView(workspace.store.document_quads(doc_id))
        for note in shape.mention_nodes(graph):
            assert not note.all(RDF.type) and not note.all(JJ.confidence)
            assert all(e["quote"] and e["page"] for e in shape.evidence_of(graph, note))
            for target in note.all(OA.hasTarget):
                parsed = shape.parse_quote_target(target.value)
                if parsed is None:
                    nodes += 1  # the title, an authorship node or an evidence node
                    continue
                fragments += 1
                passage = graph.node(parsed[0])
                assert passage.is_a(JJ.Passage) and parsed[1] < parsed[2]
    assert fragments > 5 * nodes > 0


def test_names_and_author_lists_are_said_once(workspace: Workspace, filled: list[str]) -> None:
    """A stakeholder known by its label has no schema:name of its own (its label is its name)
    and a theory's authors are one ordered list, not also one jj:citationAuthor each: the
    JSON still gives both (bench/graph_size.py: ~1.4 KB a study less)."""
    unnamed = 0
    for doc_id in filled:
        graph = GraphView(workspace.store.document_quads(doc_id))
        notes = shape.mention_nodes(graph)
        assert not any(n.all(JJ.citationAuthor) for n in notes)
        by_concept = {}
        for note in notes:
            if note.one(JJ.mentionType) == "stakeholder":
                assert shape.mention_name(note)
                unnamed += note.one(SCHEMA.name) is None
                by_concept[note.one(OA.hasBody)] = shape.mention_name(note)
        for item in document_json(workspace.store, doc_id)["stakeholders"]:
            assert item["name"] == by_concept[item["concept"]]
    assert unnamed > 0
