"""Graph look-ups the search side needs: passages to index, documents that pass filters, the
concepts a passage carries, titles and years for hits.

Everything is SPARQL, so it runs on the embedded and on a remote store alike. Values from a
request are only ever bound as RDF terms, never pasted into query text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg import shape
from kg.curation import overlays
from kg.shape import CURATIONS_GRAPH, PROLOGUE, not_rejected
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


_PASSAGES = (
    PROLOGUE
    + """SELECT ?g ?index ?page ?section ?text WHERE { GRAPH ?g {
  ?p a jj:Passage ; jj:index ?index ; jj:page ?page ; rdf:value ?text .
  OPTIONAL { ?p jj:section ?section } } }"""
)


PASSAGE_BATCH = 10  # documents a query when reading passages: their text is most of a graph


def passages_of(
    store: GraphStore, doc_ids: list[str]
) -> dict[str, list[tuple[int, int, str, str]]]:
    """(index, page, section, text) of every passage of each document, in order: one query
    per PASSAGE_BATCH documents."""
    found: dict[str, list[tuple[int, int, str, str]]] = {doc_id: [] for doc_id in doc_ids}
    rows = store.select_rows(_PASSAGES, ["g"], _graphs(doc_ids), batch=PASSAGE_BATCH)
    for r in rows:
        found[shape.doc_id_of(r["g"])].append(
            (int(r["index"].value), int(r["page"].value),
             r["section"].value if "section" in r else "", r["text"].value)
        )  # fmt: skip
    return {doc_id: sorted(passages) for doc_id, passages in found.items()}


def _graphs(doc_ids: list[str]) -> list[tuple[ox.NamedNode]]:
    return [(shape.doc_iri(doc_id),) for doc_id in dict.fromkeys(doc_ids)]


# Links a person rejected are left out; links a person added are in the curations graph, which
# the union default graph holds (kg.curation), and count while their study is there.
_FILTER_QUERIES = {
    "place": PROLOGUE + f"""SELECT ?code ?doc WHERE {{ ?doc jj:studiesPlace ?place .
        ?place jj:kemendagriCode ?c . FILTER(?c = ?code || STRSTARTS(?c, CONCAT(?code, ".")))
        ?doc jj:contentHash [] {not_rejected("?doc", "jj:studiesPlace", "?place")} }}""",
    "obstacle": PROLOGUE + f"""SELECT ?concept ?doc WHERE {{ ?doc jj:reportsObstacle ?concept ;
        jj:contentHash [] {not_rejected("?doc", "jj:reportsObstacle", "?concept")} }}""",
    "theory": PROLOGUE + f"""SELECT ?concept ?doc WHERE {{ ?doc ?link ?concept ;
        jj:contentHash [] VALUES ?link {{ jj:usesTheory jj:citesTheory }}
        {not_rejected("?doc", "?link", "?concept")} }}""",
    "stakeholder": PROLOGUE + f"""SELECT ?concept ?doc WHERE {{
        ?doc jj:involvesStakeholder ?concept ; jj:contentHash []
        {not_rejected("?doc", "jj:involvesStakeholder", "?concept")} }}""",
}  # fmt: skip


def documents_matching(store: GraphStore, filters: Filters) -> set[str] | None:
    """Ids of the documents that pass every filter, or None when there is no filter."""
    if filters.empty():
        return None
    sets: list[set[str]] = []
    if filters.place:
        rows = store.select(_FILTER_QUERIES["place"], code=ox.Literal(filters.place))
        sets.append({shape.doc_id_of(r["doc"]) for r in rows})
    for name in ("obstacle", "theory", "stakeholder"):
        value = getattr(filters, name)
        if value:
            concept = shape.concept_iri(name, value)
            sets.append(
                {
                    shape.doc_id_of(r["doc"])
                    for r in store.select(_FILTER_QUERIES[name], concept=concept)
                }
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
        found.add(shape.doc_id_of(row["g"]))
    return found


_META = (
    PROLOGUE
    + """SELECT ?g ?title ?year ?kind ?language WHERE { GRAPH ?g {
  OPTIONAL { ?g dct:title ?title }
  OPTIONAL { ?g fabio:hasPublicationYear ?year }
  OPTIONAL { ?g jj:kind ?kind }
  OPTIONAL { ?g dct:language ?language } } } LIMIT 1"""
)


# The same, for many documents in one query, with whether each is a document (has its hash).
_METAS = (
    PROLOGUE
    + """SELECT ?g ?title ?year ?kind ?language ?hash WHERE { GRAPH ?g {
  OPTIONAL { ?g dct:title ?title }
  OPTIONAL { ?g fabio:hasPublicationYear ?year }
  OPTIONAL { ?g jj:kind ?kind }
  OPTIONAL { ?g dct:language ?language }
  OPTIONAL { ?g jj:contentHash ?hash } } }"""
)


def document_meta(store: GraphStore, doc_id: str) -> dict[str, object]:
    return documents_meta(store, [doc_id])[doc_id]


def documents_meta(store: GraphStore, doc_ids: list[str]) -> dict[str, dict[str, object]]:
    """id, title, year, kind and language of each document, in one query."""
    return {doc_id: meta for doc_id, (meta, _) in _metas(store, doc_ids).items()}


def present_documents_meta(store: GraphStore, doc_ids: list[str]) -> dict[str, dict[str, object]]:
    """`documents_meta` of those of `doc_ids` that are in the store (a search hit's study may
    have been deleted or replaced while the index caught up), in one query."""
    return {doc_id: meta for doc_id, (meta, present) in _metas(store, doc_ids).items() if present}


def _metas(store: GraphStore, doc_ids: list[str]) -> dict[str, tuple[dict[str, object], bool]]:
    found: dict[str, tuple[dict[str, object], bool]] = {}
    for row in store.select_rows(_METAS, ["g"], _graphs(doc_ids)):
        doc_id = shape.doc_id_of(row["g"])
        if doc_id in found:
            continue  # one row a document, as LIMIT 1 gave each alone
        meta: dict[str, object] = {"id": doc_id}
        for name in ("title", "year", "kind", "language"):
            if name in row:
                value = row[name].value
                meta[name] = int(value) if name == "year" and value.isdigit() else value
        found[doc_id] = (meta, "hash" in row)
    return {doc_id: found.get(doc_id, ({"id": doc_id}, False)) for doc_id in doc_ids}


_CARRIED = (
    PROLOGUE
    + """SELECT ?g ?index ?concept ?kind ?role WHERE { GRAPH ?g {
  ?annotation oa:hasTarget ?evidence ; oa:hasBody ?concept ; jj:mentionType ?kind
  OPTIONAL { ?annotation jj:role ?role }
  OPTIONAL { ?evidence jj:passage ?linked }
  BIND(COALESCE(?linked, IRI(STRBEFORE(STR(?evidence), "#char="))) AS ?passage)
  ?passage jj:index ?index } }"""
)
# Mentions a person added (kg.curation), with a quote found in one of the study's passages.
_CARRIED_ADDED = (
    PROLOGUE
    + f"""SELECT ?g ?index ?concept ?kind WHERE {{ GRAPH {CURATIONS_GRAPH} {{
  ?curation jj:adds ?g . ?annotation prov:wasGeneratedBy ?curation ; oa:hasBody ?concept ;
    jj:mentionType ?kind ; oa:hasTarget/jj:passage ?passage }}
  GRAPH ?g {{ ?passage jj:index ?index }} }}"""
)


def document_passage_concepts(store: GraphStore, doc_id: str) -> dict[int, list[tuple[str, str]]]:
    return passage_concepts_of(store, [doc_id])[doc_id]


def passage_concepts_of(
    store: GraphStore, doc_ids: list[str]
) -> dict[str, dict[int, list[tuple[str, str]]]]:
    """(mention type, concept IRI) carried by each passage of each document, through evidence,
    as curated: without what a person rejected, with what a person added. Three queries for
    all the documents (curations, extracted, added); the answer changes only when a document
    or its curations do, so callers may keep it until then."""
    found: dict[str, dict[int, dict[str, str]]] = {doc_id: {} for doc_id in doc_ids}
    curated = overlays(store, doc_ids)
    graphs = _graphs(doc_ids)
    for row in store.select_rows(_CARRIED, ["g"], graphs):
        doc_id = shape.doc_id_of(row["g"])
        role = row["role"].value if "role" in row else None
        if curated[doc_id].rejects(row["kind"].value, role, row["concept"].value):
            continue
        passage = found[doc_id].setdefault(int(row["index"].value), {})
        passage[row["concept"].value] = row["kind"].value
    for row in store.select_rows(_CARRIED_ADDED, ["g"], graphs):
        passage = found[shape.doc_id_of(row["g"])].setdefault(int(row["index"].value), {})
        passage[row["concept"].value] = row["kind"].value
    return {
        doc_id: {
            index: [(kind, concept) for concept, kind in concepts.items()]
            for index, concepts in by_passage.items()
        }
        for doc_id, by_passage in found.items()
    }
