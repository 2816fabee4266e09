"""A document's named graph -> the fixed JSON object of ARCHITECTURE.md.

The JSON is rebuilt from the graph, never cached beside it, so what `show` prints is what the
store holds.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ingest.errors import DocumentNotFound
from kg import curation, shape
from kg.shape import BIRO, DCT, FABIO, FOAF, JJ, OA, SCHEMA, SKOS, GraphView, Node, in_order
from kg.store import GraphStore

_TYPE_BY_MENTION = {"stakeholder": "stakeholders", "theory": "theories", "method": "methods"}


def document_json(store: GraphStore, doc_id: str, *, raw: bool = False) -> dict[str, Any]:
    """`raw`: the extraction alone, without the curations (kg.curation) in force."""
    quads = store.document_quads(doc_id)
    if not quads:
        raise DocumentNotFound(doc_id)
    curated = curation.Overlay() if raw else curation.overlay(store, doc_id)
    graph = GraphView([*quads, *curated.added_quads])
    d = graph.node(shape.doc_iri(doc_id))
    out: dict[str, Any] = {
        "id": doc_id,
        "title": d.one(DCT.title) or "",
        "year": d.int(FABIO.hasPublicationYear),
        "language": d.one(DCT.language) or "id",
        "kind": d.one(JJ.kind) or "other",
        "source": {
            "filename": d.one(JJ.sourceFilename),
            "sha256": d.one(JJ.contentHash),
            "pages": d.int(JJ.pageCount) or 0,
            "format": d.one(JJ.sourceFormat),
        },
        "authors": _authors(graph, d),
        "abstract": {
            lit.language or "id": lit.value
            for lit in d.all(DCT.abstract)
            if isinstance(lit, ox.Literal)
        },
        "keywords": d.values(SCHEMA.keywords),
        "places": [],
        "stakeholders": [],
        "theories": [],
        "methods": [],
        "obstacles": [],
        "references": [],
        "passages": len(graph.of_type(JJ.Passage)),
    }
    _mentions(store, graph, out, curated)
    out["references"] = _references(store, graph, d)
    return out


def _authors(graph: GraphView, d: Node) -> list[dict[str, Any]]:
    authors = []
    for role in in_order(graph.linked(d, JJ.authorship)):
        agents = graph.linked(role, JJ.agent)
        authors.append(
            {
                "name": (agents[0].one(FOAF.name) if agents else None) or "",
                "affiliation": role.one(SCHEMA.affiliation),
            }
        )
    return authors


def _evidence(graph: GraphView, annotation: Node) -> list[dict[str, Any]]:
    return shape.evidence_of(graph, annotation)


def _mentions(
    store: GraphStore, graph: GraphView, out: dict[str, Any], curated: curation.Overlay
) -> None:
    seen: set[tuple[str, str, str | None]] = set()  # an added mention the extractor now has
    for node in in_order(shape.mention_nodes(graph)):
        kind = node.one(JJ.mentionType)
        concept = node.one(OA.hasBody)
        if kind is None or concept is None:
            continue
        label = node.one(SKOS.prefLabel) or ""
        name = node.one(SCHEMA.name)
        role = node.one(JJ.role)
        if curated.rejects(kind, role, concept):
            continue
        marks = curated.marks(node, kind, role, concept)
        if marks.get("curated") and (kind, concept, role) in seen:
            continue  # extracted mentions come first (in_order): the added one is shown once
        seen.add((kind, concept, role))
        evidence = _evidence(graph, node)
        found = {"method": node.one(JJ.extractionMethod), "confidence": shape.confidence_of(node)}
        if kind == "obstacle":
            out["obstacles"].append(
                {"category": shape.concept_id(concept), "concept": concept, "label": label,
                 "name": name, "evidence": evidence, **found, **marks}
            )  # fmt: skip
        elif kind == "place":
            out["places"].append({**_place(store, concept, role, evidence), **found, **marks})
        elif kind in _TYPE_BY_MENTION:
            item: dict[str, Any] = {
                "concept": concept, "label": label, "evidence": evidence, **found
            }  # fmt: skip
            if kind == "stakeholder":
                item["name"] = name
                item["discovered"] = "/discovered/" in concept
            else:
                ordered = node.one(JJ.citationAuthorList)
                item["authors"] = ordered.split("; ") if ordered else node.values(JJ.citationAuthor)
                item["discovered"] = "/discovered/" in concept
                item["year"] = node.int(JJ.citationYear)
                item["role"] = role
            out[_TYPE_BY_MENTION[kind]].append({**item, **marks})


_PLACE = (
    shape.PROLOGUE
    + """SELECT ?place ?places ?name ?level ?province WHERE {
  GRAPH ?places { ?place schema:name ?name ; jj:adminLevel ?level .
    OPTIONAL { ?place schema:containedInPlace ?p .
               ?p jj:adminLevel "province" ; schema:name ?province } } } LIMIT 1"""
)


def _place(store: GraphStore, concept: str, role: str | None, evidence: list) -> dict[str, Any]:
    code = shape.concept_id(concept)
    info: dict[str, Any] = {"name": code, "code": code, "level": None, "province": None}
    rows = store.select(_PLACE, place=ox.NamedNode(concept), places=shape.PLACES_GRAPH)
    if rows:
        row = rows[0]
        info["name"] = row["name"].value
        info["level"] = row["level"].value
        info["province"] = row["province"].value if "province" in row else row["name"].value
    return {**info, "role": role, "evidence": evidence}


def _references(store: GraphStore, graph: GraphView, d: Node) -> list[dict[str, Any]]:
    refs = []
    for node in in_order(graph.linked(d, BIRO.hasReference)):
        work = node.one(BIRO.references)
        refs.append(
            {
                "authors": node.values(JJ.citationAuthor),
                "year": node.int(JJ.citationYear),
                "title": node.one(DCT.title),
                "work": work,
                "document": _document_of_work(store, work) if work else None,
                "raw": node.one(DCT.bibliographicCitation) or "",
            }
        )
    return refs


_REALIZES = shape.PROLOGUE + "SELECT ?work ?doc WHERE { ?doc frbr:realizationOf ?work } LIMIT 1"


def _document_of_work(store: GraphStore, work: str) -> str | None:
    rows = store.select(_REALIZES, work=ox.NamedNode(work))
    return shape.doc_id_of(rows[0]["doc"]) if rows else None
