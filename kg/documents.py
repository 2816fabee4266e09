"""A document's named graph -> the fixed JSON object of ARCHITECTURE.md.

The JSON is rebuilt from the graph, never cached beside it, so what `show` prints is what the
store holds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from kg import namespaces as ns
from kg.store import GraphStore

_RDF_TYPE = str(ns.RDF.type)
_TYPE_BY_MENTION = {"stakeholder": "stakeholders", "theory": "theories", "method": "methods"}


class DocumentNotFound(KeyError):
    pass


def document_json(store: GraphStore, doc_id: str) -> dict[str, Any]:
    quads = store.document_quads(doc_id)
    if not quads:
        raise DocumentNotFound(doc_id)
    props: dict[str, dict[str, list[ox.Term]]] = defaultdict(lambda: defaultdict(list))
    for quad in quads:
        if isinstance(quad.subject, ox.NamedNode):
            props[quad.subject.value][quad.predicate.value].append(quad.object)
    d = props[ns.doc_iri(doc_id)]

    def one(node: dict[str, list[ox.Term]], prop: object) -> str | None:
        values = node.get(str(prop))
        return values[0].value if values else None

    year = one(d, ns.FABIO.hasPublicationYear)
    out: dict[str, Any] = {
        "id": doc_id,
        "title": one(d, ns.DCTERMS.title) or "",
        "year": int(year) if year and year.isdigit() else None,
        "language": one(d, ns.DCTERMS.language) or "id",
        "kind": one(d, ns.JJ.kind) or "other",
        "source": {
            "filename": one(d, ns.JJ.sourceFilename),
            "sha256": one(d, ns.JJ.contentHash),
            "pages": int(one(d, ns.JJ.pageCount) or 0),
            "format": one(d, ns.JJ.sourceFormat),
        },
        "authors": _authors(props, d),
        "abstract": {
            lit.language or "id": lit.value
            for lit in d.get(str(ns.DCTERMS.abstract), [])
            if isinstance(lit, ox.Literal)
        },
        "keywords": [lit.value for lit in d.get(str(ns.SCHEMA.keywords), [])],
        "places": [],
        "stakeholders": [],
        "theories": [],
        "methods": [],
        "obstacles": [],
        "references": [],
        "passages": len(
            [s for s, p in props.items() if str(ns.JJ.Passage) in _values(p, _RDF_TYPE)]
        ),
    }
    _mentions(store, props, out)
    out["references"] = _references(store, props, d)
    return out


def _values(node: dict[str, list[ox.Term]], prop: str) -> list[str]:
    return [t.value for t in node.get(prop, [])]


def _authors(props: dict, d: dict) -> list[dict[str, Any]]:
    roles = []
    for role in d.get(str(ns.JJ.authorship), []):
        node = props.get(role.value, {})
        position = (
            int(_values(node, str(ns.JJ.position))[0]) if node.get(str(ns.JJ.position)) else 0
        )
        agent = _values(node, str(ns.JJ.agent))
        name = _values(props.get(agent[0], {}), str(ns.FOAF.name)) if agent else []
        affiliation = _values(node, str(ns.SCHEMA.affiliation))
        roles.append(
            (
                position,
                {
                    "name": name[0] if name else "",
                    "affiliation": affiliation[0] if affiliation else None,
                },
            )
        )
    return [author for _, author in sorted(roles, key=lambda r: r[0])]


def _evidence(props: dict, annotation: dict) -> list[dict[str, Any]]:
    items = []
    for target in annotation.get(str(ns.OA.hasTarget), []):
        node = props.get(target.value, {})
        selector = _values(node, str(ns.OA.hasSelector))
        quote = _values(props.get(selector[0], {}), str(ns.OA.exact)) if selector else []
        page = _values(node, str(ns.JJ.page))
        position = _values(node, str(ns.JJ.position))
        section = _values(node, str(ns.JJ.section))
        passage = _values(node, str(ns.JJ.passage))
        items.append(
            (
                int(position[0]) if position else 0,
                {
                    "page": int(page[0]) if page else None,
                    "quote": quote[0] if quote else "",
                    "section": section[0] if section else None,
                    "passage": passage[0] if passage else None,
                },
            )
        )
    return [e for _, e in sorted(items, key=lambda i: i[0])]


def _mentions(store: GraphStore, props: dict, out: dict[str, Any]) -> None:
    annotations = [
        (iri, node)
        for iri, node in props.items()
        if str(ns.OA.Annotation) in _values(node, _RDF_TYPE)
    ]
    annotations.sort(key=lambda a: int(a[0].rsplit("/", 1)[-1]))
    for _, node in annotations:
        kind = _values(node, str(ns.JJ.mentionType))[0]
        concept = _values(node, str(ns.OA.hasBody))[0]
        label = (_values(node, str(ns.SKOS.prefLabel)) or [""])[0]
        name = (_values(node, str(ns.SCHEMA.name)) or [None])[0]
        role = (_values(node, str(ns.JJ.role)) or [None])[0]
        evidence = _evidence(props, node)
        if kind == "obstacle":
            out["obstacles"].append(
                {"category": concept.rsplit("/", 1)[-1], "concept": concept, "label": label,
                 "name": name, "evidence": evidence}
            )  # fmt: skip
        elif kind == "place":
            out["places"].append(_place(store, concept, role, evidence))
        elif kind in _TYPE_BY_MENTION:
            item: dict[str, Any] = {"concept": concept, "label": label, "evidence": evidence}
            if kind == "stakeholder":
                item["name"] = name
                item["discovered"] = "/discovered/" in concept
            else:
                year = _values(node, str(ns.JJ.citationYear))
                item["authors"] = _values(node, str(ns.JJ.citationAuthor))
                item["year"] = int(year[0]) if year else None
                item["role"] = role
            out[_TYPE_BY_MENTION[kind]].append(item)


def _place(store: GraphStore, concept: str, role: str | None, evidence: list) -> dict[str, Any]:
    code = concept.rsplit("/", 1)[-1]
    info: dict[str, Any] = {"name": code, "code": code, "level": None, "province": None}
    rows = store.select(
        """SELECT ?place ?places ?name ?level ?province WHERE {
             GRAPH ?places { ?place <https://schema.org/name> ?name ;
                             <https://w3id.org/jejaring/ns#adminLevel> ?level .
               OPTIONAL { ?place <https://schema.org/containedInPlace> ?p .
                          ?p <https://w3id.org/jejaring/ns#adminLevel> "province" ;
                             <https://schema.org/name> ?province } } } LIMIT 1""",
        place=ox.NamedNode(concept),
        places=ox.NamedNode(str(ns.PLACES_GRAPH)),
    )
    if rows:
        row = rows[0]
        info["name"] = row["name"].value
        info["level"] = row["level"].value
        info["province"] = row["province"].value if "province" in row else row["name"].value
    return {**info, "role": role, "evidence": evidence}


def _references(store: GraphStore, props: dict, d: dict) -> list[dict[str, Any]]:
    refs = []
    for ref in d.get(str(ns.BIRO.hasReference), []):
        node = props.get(ref.value, {})
        position = int(_values(node, str(ns.JJ.position))[0])
        year = _values(node, str(ns.JJ.citationYear))
        work = _values(node, str(ns.BIRO.references))
        title = _values(node, str(ns.DCTERMS.title))
        refs.append(
            (
                position,
                {
                    "authors": _values(node, str(ns.JJ.citationAuthor)),
                    "year": int(year[0]) if year else None,
                    "title": title[0] if title else None,
                    "work": work[0] if work else None,
                    "document": _document_of_work(store, work[0]) if work else None,
                    "raw": (_values(node, str(ns.DCTERMS.bibliographicCitation)) or [""])[0],
                },
            )
        )
    return [r for _, r in sorted(refs, key=lambda r: r[0])]


def _document_of_work(store: GraphStore, work: str) -> str | None:
    rows = store.select(
        "SELECT ?work ?doc WHERE { ?doc <http://purl.org/vocab/frbr/core#realizationOf> ?work } LIMIT 1",
        work=ox.NamedNode(work),
    )
    if not rows:
        return None
    return rows[0]["doc"].value.rsplit("/", 1)[-1]
