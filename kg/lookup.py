"""Graph look-ups the search side needs: passages to index, documents that pass filters, the
concepts a passage carries, titles and years for hits.

Values from a request are only ever bound as RDF terms (pattern look-ups or SPARQL
substitutions), never pasted into query text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg import namespaces as ns
from kg.store import OxigraphStore

_P = {name: ox.NamedNode(str(iri)) for name, iri in {
    "type": ns.RDF.type, "value": ns.RDF.value, "index": ns.JJ["index"], "page": ns.JJ.page,
    "section": ns.JJ.section, "passage": ns.JJ.passage, "target": ns.OA.hasTarget,
    "body": ns.OA.hasBody, "mtype": ns.JJ.mentionType, "title": ns.DCTERMS.title,
    "year": ns.FABIO.hasPublicationYear, "kind": ns.JJ.kind, "language": ns.DCTERMS.language,
}.items()}  # fmt: skip
_PASSAGE = ox.NamedNode(str(ns.JJ.Passage))


@dataclass(frozen=True, slots=True)
class Filters:
    place: str | None = None  # Kemendagri code; a province includes its regencies and villages
    year_from: int | None = None
    year_to: int | None = None
    kind: str | None = None
    language: str | None = None
    obstacle: str | None = None  # category id, e.g. "funding"
    theory: str | None = None  # theory id, e.g. "collaborative_governance"
    stakeholder: str | None = None  # stakeholder id, e.g. "p2tp2a"

    def empty(self) -> bool:
        return all(v is None for v in (self.place, self.year_from, self.year_to, self.kind,
                                       self.language, self.obstacle, self.theory, self.stakeholder))  # fmt: skip


def passages_of(
    store: OxigraphStore, doc_ids: list[str]
) -> dict[str, list[tuple[int, int, str, str]]]:
    """(index, page, section, text) of every passage of each document, in order."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for doc_id in doc_ids:
        graph = ox.NamedNode(ns.doc_iri(doc_id))
        nodes: dict[str, dict[str, str]] = {}
        for quad in store._store.quads_for_pattern(None, None, None, graph):
            subject = quad.subject.value
            if "/passage/" in subject:
                nodes.setdefault(subject, {})[quad.predicate.value] = quad.object.value
        rows = []
        for props in nodes.values():
            if str(_P["value"].value) in props:
                rows.append((int(props[_P["index"].value]), int(props[_P["page"].value]),
                             props.get(_P["section"].value, ""), props[_P["value"].value]))  # fmt: skip
        out[doc_id] = sorted(rows)
    return out


_FILTER_QUERIES = {
    "place": """SELECT ?code ?doc WHERE { ?doc <https://w3id.org/jejaring/ns#studiesPlace> ?place .
        ?place <https://w3id.org/jejaring/ns#kemendagriCode> ?c .
        FILTER(?c = ?code || STRSTARTS(?c, CONCAT(?code, "."))) }""",
    "obstacle": "SELECT ?concept ?doc WHERE { ?doc <https://w3id.org/jejaring/ns#reportsObstacle> ?concept }",
    "theory": """SELECT ?concept ?doc WHERE { { ?doc <https://w3id.org/jejaring/ns#usesTheory> ?concept }
        UNION { ?doc <https://w3id.org/jejaring/ns#citesTheory> ?concept } }""",
    "stakeholder": "SELECT ?concept ?doc WHERE { ?doc <https://w3id.org/jejaring/ns#involvesStakeholder> ?concept }",
}  # fmt: skip
_CONCEPT_BASE = {
    "obstacle": ns.BASE + "concept/obstacle/",
    "theory": ns.BASE + "concept/theory/",
    "stakeholder": ns.BASE + "concept/stakeholder/",
}


def documents_matching(store: OxigraphStore, filters: Filters) -> set[str] | None:
    """Ids of the documents that pass every filter, or None when there is no filter."""
    if filters.empty():
        return None
    sets: list[set[str]] = []
    if filters.place:
        rows = store.select(_FILTER_QUERIES["place"], code=ox.Literal(filters.place))
        sets.append({_doc_id(r["doc"]) for r in rows})
    for name in ("obstacle", "theory", "stakeholder"):
        value = getattr(filters, name)
        if value:
            concept = ox.NamedNode(_CONCEPT_BASE[name] + value)
            sets.append(
                {_doc_id(r["doc"]) for r in store.select(_FILTER_QUERIES[name], concept=concept)}
            )
    if any(
        v is not None for v in (filters.year_from, filters.year_to, filters.kind, filters.language)
    ):
        sets.append(_by_metadata(store, filters))
    result = sets[0]
    for other in sets[1:]:
        result &= other
    return result


def _by_metadata(store: OxigraphStore, filters: Filters) -> set[str]:
    found = set()
    for doc_id in store.document_ids():
        meta = document_meta(store, doc_id)
        year = meta.get("year")
        if filters.year_from is not None and (year is None or year < filters.year_from):
            continue
        if filters.year_to is not None and (year is None or year > filters.year_to):
            continue
        if filters.kind and meta.get("kind") != filters.kind:
            continue
        if filters.language and meta.get("language") != filters.language:
            continue
        found.add(doc_id)
    return found


def document_meta(store: OxigraphStore, doc_id: str) -> dict[str, object]:
    subject = ox.NamedNode(ns.doc_iri(doc_id))
    meta: dict[str, object] = {"id": doc_id}
    for name in ("title", "year", "kind", "language"):
        for quad in store._store.quads_for_pattern(subject, _P[name], None, subject):
            value = quad.object.value
            meta[name] = int(value) if name == "year" and value.isdigit() else value
    return meta


def passage_concepts(
    store: OxigraphStore, passages: list[tuple[str, int]]
) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """(mention type, concept IRI) carried by each (doc id, passage index) through evidence."""
    out: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for doc_id, index in passages:
        graph = ox.NamedNode(ns.doc_iri(doc_id))
        passage = ox.NamedNode(f"{ns.doc_iri(doc_id)}/passage/{index}")
        found: dict[str, str] = {}
        for evidence in store._store.quads_for_pattern(None, _P["passage"], passage, graph):
            for link in store._store.quads_for_pattern(None, _P["target"], evidence.subject, graph):
                annotation = link.subject
                body = next(
                    store._store.quads_for_pattern(annotation, _P["body"], None, graph), None
                )
                kind = next(
                    store._store.quads_for_pattern(annotation, _P["mtype"], None, graph), None
                )
                if body is not None and kind is not None:
                    found[body.object.value] = kind.object.value
        out[(doc_id, index)] = [(kind, concept) for concept, kind in found.items()]
    return out


def _doc_id(term: ox.Term) -> str:
    return term.value.rsplit("/", 1)[-1]
