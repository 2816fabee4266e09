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


# A study's places and references are looked up in one query each, not one per item: over a
# remote store each query is a round trip, and a thesis names dozens of places and cites
# a hundred works. These look-ups are one index probe a row, so a batch of 100 costs Oxigraph
# about what 100 separate queries do (43 against 17 ms in-process), far less than 100 trips.
LOOKUP_BATCH = 100


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
    mentions = in_order(shape.mention_nodes(graph))
    places = _places(
        store,
        [c for n in mentions if n.one(JJ.mentionType) == "place" and (c := n.one(OA.hasBody))],
    )
    for node in mentions:
        kind = node.one(JJ.mentionType)
        concept = node.one(OA.hasBody)
        if kind is None or concept is None:
            continue
        label = node.one(SKOS.prefLabel) or ""
        name = shape.mention_name(node)
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
            out["places"].append({**places[concept], "role": role, "evidence": evidence,
                                  **found, **marks})  # fmt: skip
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


_PLACES = (
    shape.PROLOGUE
    + """SELECT ?place ?places ?name ?level ?province WHERE {
  GRAPH ?places { ?place schema:name ?name ; jj:adminLevel ?level .
    OPTIONAL { ?place schema:containedInPlace ?p .
               ?p jj:adminLevel "province" ; schema:name ?province } } }"""
)


def _places(store: GraphStore, concepts: list[str]) -> dict[str, dict[str, Any]]:
    """name, code, level and province of each place concept (the code alone for a place
    the places graph lacks)."""
    found: dict[str, dict[str, Any]] = {}
    for concept in concepts:
        code = shape.concept_id(concept)
        found[concept] = {"name": code, "code": code, "level": None, "province": None}
    rows = store.select_rows(
        _PLACES, ["place", "places"],
        [(ox.NamedNode(c), shape.PLACES_GRAPH) for c in found], batch=LOOKUP_BATCH,
    )  # fmt: skip
    seen: set[str] = set()
    for row in rows:
        concept = row["place"].value
        if concept in seen:
            continue  # the first answer, as LIMIT 1 gave each place alone
        seen.add(concept)
        info = found[concept]
        info["name"] = row["name"].value
        info["level"] = row["level"].value
        info["province"] = row["province"].value if "province" in row else row["name"].value
    return found


def _references(store: GraphStore, graph: GraphView, d: Node) -> list[dict[str, Any]]:
    nodes = in_order(graph.linked(d, BIRO.hasReference))
    documents = _documents_of_works(store, [w for n in nodes if (w := n.one(BIRO.references))])
    refs = []
    for node in nodes:
        work = node.one(BIRO.references)
        refs.append(
            {
                "authors": node.values(JJ.citationAuthor),
                "year": node.int(JJ.citationYear),
                "title": node.one(DCT.title),
                "work": work,
                "document": documents.get(work) if work else None,
                "raw": node.one(DCT.bibliographicCitation) or "",
            }
        )
    return refs


_REALIZES = shape.PROLOGUE + "SELECT ?work ?doc WHERE { ?doc frbr:realizationOf ?work }"


def _documents_of_works(store: GraphStore, works: list[str]) -> dict[str, str]:
    """The document that realises each cited work, where one does."""
    found: dict[str, str] = {}
    bound = [(ox.NamedNode(w),) for w in dict.fromkeys(works)]
    rows = store.select_rows(_REALIZES, ["work"], bound, batch=LOOKUP_BATCH)
    for row in rows:
        found.setdefault(row["work"].value, shape.doc_id_of(row["doc"]))
    return found
