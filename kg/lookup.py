"""Graph look-ups the search side needs: passages to index, documents that pass filters, the
concepts a passage carries, titles and years for hits.

Everything is SPARQL, so it runs on the embedded and on a remote store alike. Values from a
request are only ever bound as RDF terms, never pasted into query text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg import namespaces as ns
from kg.store import GraphStore


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


_PASSAGES = """SELECT ?g ?index ?page ?section ?text WHERE { GRAPH ?g {
  ?p a <https://w3id.org/jejaring/ns#Passage> ; <https://w3id.org/jejaring/ns#index> ?index ;
     <https://w3id.org/jejaring/ns#page> ?page ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?text .
  OPTIONAL { ?p <https://w3id.org/jejaring/ns#section> ?section } } }"""


def passages_of(
    store: GraphStore, doc_ids: list[str]
) -> dict[str, list[tuple[int, int, str, str]]]:
    """(index, page, section, text) of every passage of each document, in order."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for doc_id in doc_ids:
        rows = store.select(_PASSAGES, g=ox.NamedNode(ns.doc_iri(doc_id)))
        out[doc_id] = sorted(
            (int(r["index"].value), int(r["page"].value),
             r["section"].value if "section" in r else "", r["text"].value)
            for r in rows
        )  # fmt: skip
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


def documents_matching(store: GraphStore, filters: Filters) -> set[str] | None:
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


def _by_metadata(store: GraphStore, filters: Filters) -> set[str]:
    found = set()
    for row in store.select(_META.replace("LIMIT 1", "")):
        if "title" not in row and "kind" not in row:
            continue  # a graph that is not a document (vocabulary, places)
        value = row["year"].value if "year" in row else ""
        year = int(value) if value.isdigit() else None
        if filters.year_from is not None and (year is None or year < filters.year_from):
            continue
        if filters.year_to is not None and (year is None or year > filters.year_to):
            continue
        if filters.kind and (row["kind"].value if "kind" in row else None) != filters.kind:
            continue
        if (
            filters.language
            and (row["language"].value if "language" in row else None) != filters.language
        ):
            continue
        found.add(_doc_id(row["g"]))
    return found


_META = """SELECT ?g ?title ?year ?kind ?language WHERE { GRAPH ?g {
  OPTIONAL { ?g <http://purl.org/dc/terms/title> ?title }
  OPTIONAL { ?g <http://purl.org/spar/fabio/hasPublicationYear> ?year }
  OPTIONAL { ?g <https://w3id.org/jejaring/ns#kind> ?kind }
  OPTIONAL { ?g <http://purl.org/dc/terms/language> ?language } } } LIMIT 1"""


def document_meta(store: GraphStore, doc_id: str) -> dict[str, object]:
    meta: dict[str, object] = {"id": doc_id}
    for row in store.select(_META, g=ox.NamedNode(ns.doc_iri(doc_id))):
        for name in ("title", "year", "kind", "language"):
            if name in row:
                value = row[name].value
                meta[name] = int(value) if name == "year" and value.isdigit() else value
    return meta


_CARRIED = """SELECT ?g ?passage ?concept ?kind WHERE { GRAPH ?g {
  ?evidence <https://w3id.org/jejaring/ns#passage> ?passage .
  ?annotation <http://www.w3.org/ns/oa#hasTarget> ?evidence ;
              <http://www.w3.org/ns/oa#hasBody> ?concept ;
              <https://w3id.org/jejaring/ns#mentionType> ?kind } }"""


def document_passage_concepts(store: GraphStore, doc_id: str) -> dict[int, list[tuple[str, str]]]:
    """(mention type, concept IRI) carried by each passage of one document, through evidence.
    One query bound to the document's graph; a document never changes under its id (the id is
    its content hash), so callers may keep the answer."""
    graph = ox.NamedNode(ns.doc_iri(doc_id))
    found: dict[int, dict[str, str]] = {}
    for row in store.select(_CARRIED, g=graph):
        index = int(row["passage"].value.rsplit("/", 1)[-1])
        found.setdefault(index, {})[row["concept"].value] = row["kind"].value
    return {
        index: [(kind, concept) for concept, kind in concepts.items()]
        for index, concepts in found.items()
    }


def _doc_id(term: ox.Term) -> str:
    return term.value.rsplit("/", 1)[-1]
