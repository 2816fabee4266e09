"""The questions policymakers and researchers ask of the graph, as plain data.

Each rests on a named query in kg/queries/ (obstacle_places, place_studies, concept_usage) or
on a short query here; values are bound as terms, never pasted. The API and the web page only
shape what these return.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any, Literal

import pyoxigraph as ox

from ingest.extract.common import method_confidence
from kg.queries import resolve
from kg.shape import (
    CURATIONS_GRAPH,
    PLACES_GRAPH,
    PROLOGUE,
    Term,
    concept_id,
    doc_id_of,
    doc_iri,
    fragment_quote,
    not_rejected,
    parse_quote_target,
)
from kg.shape import doc_iri as graph_of
from kg.store import GraphStore

Level = Literal["regency", "province"]

_LINKS = "jj:involvesStakeholder jj:usesTheory jj:citesTheory jj:studiesPlace jj:reportsObstacle"
_KIND_OF_LINK = {
    "involvesStakeholder": "stakeholders", "usesTheory": "theories", "citesTheory": "theories",
    "studiesPlace": "places", "reportsObstacle": "obstacles",
}  # fmt: skip

# Bound to the document's own graph (its name is the document IRI): a hundred times faster
# than finding the document by its identifier in the union of all graphs. Links a person added
# are in the curations graph; those a person rejected are left out (kg.curation).
_DOCUMENT_CONCEPTS = (
    PROLOGUE
    + f"""SELECT ?g ?link ?concept ?label WHERE {{
  {{ GRAPH ?g {{ ?g ?link ?concept . VALUES ?link {{ {_LINKS} }} }} }}
  UNION {{ GRAPH {CURATIONS_GRAPH} {{ ?g ?link ?concept . VALUES ?link {{ {_LINKS} }} }} }}
  {not_rejected("?g", "?link", "?concept")}
  OPTIONAL {{ ?concept skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
  OPTIONAL {{ ?concept schema:name ?label }} }}"""
)

_SHARED = (
    PROLOGUE
    + f"""SELECT ?docId ?link ?concept (SAMPLE(?name) AS ?label)
       (COUNT(DISTINCT ?other) AS ?studies)
       (GROUP_CONCAT(DISTINCT ?otherId; separator=" ") AS ?others) WHERE {{
  ?doc dct:identifier ?docId ; ?link ?concept . VALUES ?link {{ {_LINKS} }}
  ?other ?link ?concept ; dct:identifier ?otherId . FILTER(?other != ?doc)
  {not_rejected("?doc", "?link", "?concept")}
  {not_rejected("?other", "?link", "?concept")}
  OPTIONAL {{ ?concept skos:prefLabel ?name FILTER(LANG(?name) = "en") }}
  OPTIONAL {{ ?concept schema:name ?name }}
}} GROUP BY ?docId ?link ?concept ORDER BY DESC(?studies)"""
)

_REFERENCES_MATCHED = (
    PROLOGUE
    + """SELECT ?docId ?work (COUNT(DISTINCT ?other) AS ?citedBy)
       (SAMPLE(?realizerId) AS ?document) WHERE {
  ?doc dct:identifier ?docId ; cito:cites ?work .
  OPTIONAL { ?other cito:cites ?work FILTER(?other != ?doc) }
  OPTIONAL { ?realizer frbr:realizationOf ?work ; dct:identifier ?realizerId
             FILTER(?realizer != ?doc) }
} GROUP BY ?docId ?work"""
)

_CITED_BY = (
    PROLOGUE
    + """SELECT ?docId ?citingId ?title WHERE {
  ?doc dct:identifier ?docId ; frbr:realizationOf ?work .
  ?citing cito:cites ?work ; dct:identifier ?citingId ; dct:title ?title .
  FILTER(?citing != ?doc) }"""
)

# The provinces, regencies and cities studies are about: each studied place itself or an area
# it lies in (places carry every ancestor); from the few studied places outward, which keeps it
# fast at 1,000 studies.
_STUDIED_AREAS = (
    PROLOGUE
    + f"""SELECT DISTINCT ?code ?name ?level WHERE {{
  {{ SELECT DISTINCT ?place WHERE {{ ?doc jj:studiesPlace ?place ; jj:contentHash []
      {not_rejected("?doc", "jj:studiesPlace", "?place")} }} }}
  ?place schema:containedInPlace? ?area .
  ?area jj:adminLevel ?level ; jj:kemendagriCode ?code ; schema:name ?name .
  FILTER(?level IN ("province", "regency", "city")) }}"""
)

_PLACE = (
    PROLOGUE
    + """SELECT ?code ?name ?level WHERE {
  ?place jj:kemendagriCode ?code ; schema:name ?name ; jj:adminLevel ?level } LIMIT 1"""
)


def _value(row: dict[str, Term], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _id(iri: str) -> str:
    return concept_id(iri)


def studied_areas(store: GraphStore) -> list[tuple[str, str, str]]:
    """(code, name, level) of the provinces, regencies and cities studies are about."""
    return [
        (row["code"].value, row["name"].value, row["level"].value)
        for row in store.select(_STUDIED_AREAS)
    ]


# The methods that found each extracted obstacle mention; its confidence is the measured
# precision of the best of them (kg.shape.confidence_of; graphs of shape 1 state it). Added
# mentions name no method and a confirmed one is vouched for by a person, so neither is ever
# doubtful.
# Every obstacle mention: the study it is in (its IRI says so; a mention a person added names
# it with oa:hasSource), its method (and stated confidence, shape 1) and its evidence.
_OBSTACLE_MENTIONS = (
    PROLOGUE
    + """SELECT ?a ?concept ?method ?confidence ?target WHERE {
  ?a jj:mentionType "obstacle" ; oa:hasBody ?concept .
  OPTIONAL { ?a jj:extractionMethod ?method } OPTIONAL { ?a jj:confidence ?confidence }
  OPTIONAL { ?a oa:hasTarget ?target } }"""
)
_SOURCES = PROLOGUE + "SELECT ?target ?doc WHERE { ?target oa:hasSource ?doc }"
Mentions = list[tuple[str, str, str | None, str | None, str | None]]


def obstacle_mentions(store: GraphStore) -> Mentions:
    """(doc IRI, obstacle IRI, method, stated confidence, evidence target) of every obstacle
    mention, extracted (method given) or added by a person (none)."""
    sources: dict[str, str] | None = None
    out = []
    for row in store.select(_OBSTACLE_MENTIONS):
        a, target = row["a"].value, _value(row, "target")
        doc = doc_iri(doc_id_of(a)).value
        if not a.startswith(doc + "/"):  # a mention a person added: its evidence names it
            if sources is None:
                sources = {r["target"].value: r["doc"].value for r in store.select(_SOURCES)}
            doc = sources.get(target or "", "")
        out.append((doc, row["concept"].value, _value(row, "method"),
                    _value(row, "confidence"), target))  # fmt: skip
    return out


_CONFIRMED = (
    PROLOGUE
    + """SELECT ?doc ?concept WHERE {
  ?c jj:confirms ?doc ; jj:curatedLink jj:reportsObstacle ; jj:curatedConcept ?concept }"""
)


def doubtful_obstacles(
    store: GraphStore, min_confidence: float, mentions: Mentions | None = None
) -> set[tuple[str, str]]:
    """(document id, category) of the obstacle mentions below `min_confidence`."""
    if min_confidence <= 0:
        return set()
    confirmed = {(r["doc"].value, r["concept"].value) for r in store.select(_CONFIRMED)}
    best: dict[tuple[str, str], float] = {}
    for doc, concept, method, stated, _ in (
        obstacle_mentions(store) if mentions is None else mentions
    ):
        if method is None or (doc, concept) in confirmed:
            continue  # added by a person, or confirmed by one: never doubtful
        found = float(stated) if stated else method_confidence("obstacle", method)
        best[(doc, concept)] = max(found, best.get((doc, concept), 0.0))
    return {
        (doc_id_of(doc), _id(concept))
        for (doc, concept), confidence in best.items()
        if confidence < min_confidence
    }


# The parts of kg/queries/obstacle_places.rq, each one scan of one predicate, joined here: as
# one query Oxigraph took a second at 1,000 studies and grew with the number of studies times
# the number of places; apart, they take ~0.1 s at 10,000 (bench/scale_bench.py).
_REGIONS = (
    PROLOGUE
    + f"""SELECT ?place ?level ?code ?name WHERE {{ GRAPH {PLACES_GRAPH} {{
  ?place jj:adminLevel ?level ; jj:kemendagriCode ?code ; schema:name ?name }} }}"""
)
_PARENTS = (
    PROLOGUE
    + f"""SELECT ?place ?parent WHERE {{ GRAPH {PLACES_GRAPH} {{
  ?place schema:containedInPlace ?parent }} }}"""
)
# Links a person added are in the curations graph, part of the union default graph.
_OBSTACLE_LINKS = (
    PROLOGUE
    + """SELECT ?doc ?link ?concept WHERE {
  VALUES ?link { jj:studiesPlace jj:reportsObstacle } ?doc ?link ?concept }"""
)
_REJECTED = (
    PROLOGUE
    + """SELECT ?doc ?link ?concept WHERE {
  ?rejection jj:rejects ?doc ; jj:curatedLink ?link ; jj:curatedConcept ?concept }"""
)
_TITLES = (
    PROLOGUE
    + """SELECT ?doc ?docId ?title WHERE {
  ?doc jj:contentHash [] ; dct:identifier ?docId ; dct:title ?title }"""
)
_OBSTACLE_LABELS = (
    PROLOGUE
    + """SELECT ?concept ?label WHERE {
  ?concept skos:inScheme jj:ObstacleScheme ; skos:prefLabel ?label FILTER(LANG(?label) = "en") }"""
)
_EVIDENCE_NODE = (
    PROLOGUE
    + """SELECT ?target ?page ?quote WHERE {
  ?target oa:exact|oa:hasSelector/oa:exact ?quote OPTIONAL { ?target jj:page ?page } }"""
)


def _passage_texts(store: GraphStore, passages: set[str]) -> dict[str, tuple[str, str]]:
    """passage IRI -> (text, page), in chunks; IRIs as N-Triples terms, which pyoxigraph
    escapes (they come from the store, not from a request)."""
    found: dict[str, tuple[str, str]] = {}
    ordered = sorted(passages)
    for i in range(0, len(ordered), 2000):
        values = " ".join(str(ox.NamedNode(p)) for p in ordered[i : i + 2000])
        query = (
            PROLOGUE + f"SELECT ?p ?text ?page WHERE {{ VALUES ?p {{ {values} }} "
            "?p rdf:value ?text ; jj:page ?page }"
        )
        for row in store.select(query):
            found[row["p"].value] = (row["text"].value, row["page"].value)
    return found


def _quotes(
    store: GraphStore, pairs: set[tuple[str, str]], mentions: Mentions
) -> dict[tuple[str, str], tuple]:
    """(doc IRI, obstacle IRI) -> (page, quote) of its first piece of evidence."""
    first: dict[tuple[str, str], str] = {}
    for doc, concept, _, _, target in mentions:
        key = (doc, concept)
        if target and key in pairs and (key not in first or target < first[key]):
            first[key] = target
    fragments = {k: parse_quote_target(t) for k, t in first.items()}
    texts = _passage_texts(store, {f[0] for f in fragments.values() if f is not None})
    nodes = {}
    if any(f is None for f in fragments.values()):
        nodes = {
            r["target"].value: (_value(r, "page") or "", r["quote"].value)
            for r in store.select(_EVIDENCE_NODE)
        }
    out: dict[tuple[str, str], tuple] = {}
    for key, fragment in fragments.items():
        if fragment is not None and fragment[0] in texts:
            text, page = texts[fragment[0]]
            out[key] = (page, fragment_quote(text, fragment[1], fragment[2]))
        elif first[key] in nodes:
            out[key] = nodes[first[key]]
    return out


def obstacle_rows(
    store: GraphStore, level: Level, min_confidence: float = 0.0
) -> list[dict[str, Any]]:
    """Every (obstacle, studied area, study, quote) at `level`, leaving out the obstacles
    found by a method whose measured precision is below `min_confidence`: what
    kg/queries/obstacle_places.rq gives, from its parts."""
    levels = {"regency", "city"} if level == "regency" else {"province"}
    regions = {
        r["place"].value: (r["level"].value, r["code"].value, r["name"].value)
        for r in store.select(_REGIONS)
    }
    parents: dict[str, list[str]] = defaultdict(list)
    for r in store.select(_PARENTS):
        parents[r["place"].value].append(r["parent"].value)
    areas: dict[str, list[tuple[str, str]]] = defaultdict(list)  # place -> areas at `level`
    for place in regions:
        for area in (place, *parents.get(place, ())):
            if area in regions and regions[area][0] in levels:
                areas[place].append(regions[area][1:])
    rejected = {
        (r["doc"].value, r["link"].value, r["concept"].value) for r in store.select(_REJECTED)
    }
    studied: dict[str, set[str]] = defaultdict(set)
    reported: dict[str, set[str]] = defaultdict(set)
    for row in store.select(_OBSTACLE_LINKS):
        doc, link, concept = row["doc"].value, row["link"].value, row["concept"].value
        if (doc, link, concept) in rejected:
            continue
        (studied if link.endswith("studiesPlace") else reported)[doc].add(concept)
    titles = {r["doc"].value: (r["docId"].value, r["title"].value) for r in store.select(_TITLES)}
    labels = {r["concept"].value: r["label"].value for r in store.select(_OBSTACLE_LABELS)}
    mentions = obstacle_mentions(store)
    doubtful = doubtful_obstacles(store, min_confidence, mentions)
    pairs = {
        (doc, obstacle)
        for doc, obstacles in reported.items()
        if doc in titles and any(areas.get(p) for p in studied.get(doc, ()))
        for obstacle in obstacles
        if (titles[doc][0], _id(obstacle)) not in doubtful
    }
    quotes = _quotes(store, pairs, mentions)
    out = []
    for doc, obstacle in pairs:
        doc_id, title = titles[doc]
        page, quote = quotes.get((doc, obstacle), ("", None))
        category = obstacle.rsplit("/obstacle/", 1)[-1] if "/obstacle/" in obstacle else ""
        for code, name in {a for p in studied[doc] for a in areas.get(p, ())}:
            out.append({
                "category": category, "label": labels.get(obstacle),
                "code": code, "name": name, "document": doc_id, "title": title,
                "quote": quote or None, "page": int(page) if page.isdigit() else None,
            })  # fmt: skip
    return sorted(out, key=lambda r: (r["category"], r["code"], r["document"]))


def recurring_obstacles(
    rows: list[dict[str, Any]], level: Level = "regency", min_places: int = 2
) -> list[dict[str, Any]]:
    """Each obstacle category with the places that report it, the studies and a quote each,
    from the `obstacle_rows` of `level`."""
    by_category: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_category.setdefault(
            row["category"],
            {"category": row["category"], "label": row["label"], "places": {}, "documents": {}},
        )
        entry["places"][row["code"]] = {"code": row["code"], "name": row["name"]}
        entry["documents"].setdefault(row["document"], {
            "id": row["document"], "title": row["title"], "quote": row["quote"],
            "page": row["page"], "places": [],
        })["places"].append(row["code"])  # fmt: skip
    out = []
    for entry in by_category.values():
        places = sorted(entry["places"].values(), key=lambda p: p["code"])
        if len(places) < min_places:
            continue
        documents = list(entry["documents"].values())
        for document in documents:
            document["places"] = sorted(set(document["places"]))
        out.append({
            "category": entry["category"], "label": entry["label"], "level": level,
            "place_count": len(places), "document_count": len(documents),
            "places": places, "documents": documents,
        })  # fmt: skip
    return sorted(out, key=lambda e: (-e["place_count"], -e["document_count"], e["category"]))


def obstacle_matrix(rows: list[dict[str, Any]], level: Level = "regency") -> dict[str, Any]:
    """Obstacle x place: how many studies of each place report each obstacle, from the
    `obstacle_rows` of `level`."""
    cells: dict[tuple[str, str], set[str]] = defaultdict(set)
    categories: dict[str, str | None] = {}
    places: dict[str, str | None] = {}
    for row in rows:
        cells[(row["category"], row["code"])].add(row["document"])
        categories[row["category"]] = row["label"]
        places[row["code"]] = row["name"]
    return {
        "level": level,
        "categories": [{"id": c, "label": label} for c, label in sorted(categories.items())],
        "places": [{"code": c, "name": name} for c, name in sorted(places.items())],
        "cells": [
            {"category": c, "place": p, "studies": len(docs), "documents": sorted(docs)}
            for (c, p), docs in sorted(cells.items())
        ],
    }


def matrix_csv(matrix: dict[str, Any]) -> str:
    counts = {(c["category"], c["place"]): c["studies"] for c in matrix["cells"]}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "place", *[c["id"] for c in matrix["categories"]]])
    for place in matrix["places"]:
        writer.writerow([
            place["code"], place["name"],
            *[counts.get((c["id"], place["code"]), 0) for c in matrix["categories"]],
        ])  # fmt: skip
    return out.getvalue()


def document_concepts(store: GraphStore, doc_id: str) -> dict[str, list[dict[str, str]]]:
    return documents_concepts(store, [doc_id])[doc_id]


def documents_concepts(
    store: GraphStore, doc_ids: list[str]
) -> dict[str, dict[str, list[dict[str, str]]]]:
    """`document_concepts` of each study in one query (a place page lists dozens of studies;
    one query each is a round trip each over a remote store)."""
    grouped: dict[str, dict[str, dict[str, dict[str, str]]]] = {
        doc_id: defaultdict(dict) for doc_id in doc_ids
    }
    graphs = [(graph_of(doc_id),) for doc_id in dict.fromkeys(doc_ids)]
    for row in store.select_rows(_DOCUMENT_CONCEPTS, ["g"], graphs):
        kind = _KIND_OF_LINK[_id(row["link"].value).split("#")[-1]]
        iri = row["concept"].value
        found = grouped[doc_id_of(row["g"])][kind]
        found[iri] = {"concept": iri, "id": _id(iri), "label": _value(row, "label") or ""}
    return {
        doc_id: {kind: list(found.values()) for kind, found in by_kind.items()}
        for doc_id, by_kind in grouped.items()
    }


# The concepts of every study about a place (or a place inside it), as _DOCUMENT_CONCEPTS
# gives them for one: a province page at 10,000 studies asked that once per study.
_PLACE_CONCEPTS = (
    PROLOGUE
    # No subquery: a remote store binds ?code by writing it into the text, which reaches a
    # subquery's FILTER only as an outer VALUES, joined after the subquery ran without it.
    + f"""SELECT DISTINCT ?code ?g ?link ?concept ?label WHERE {{
  ?place jj:kemendagriCode ?placeCode
  FILTER(?placeCode = ?code || STRSTARTS(?placeCode, CONCAT(?code, ".")))
  ?g jj:studiesPlace ?place
  {{ GRAPH ?g {{ ?g ?link ?concept . VALUES ?link {{ {_LINKS} }} }} }}
  UNION {{ GRAPH {CURATIONS_GRAPH} {{ ?g ?link ?concept . VALUES ?link {{ {_LINKS} }} }} }}
  {not_rejected("?g", "?link", "?concept")}
  OPTIONAL {{ ?concept skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
  OPTIONAL {{ ?concept schema:name ?label }} }}"""
)


def place_concepts(store: GraphStore, code: str) -> dict[str, dict[str, list[dict[str, str]]]]:
    """doc id -> its concepts by kind (document_concepts), for the studies about a place."""
    grouped: dict[str, dict[str, dict[str, dict[str, str]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in store.select(_PLACE_CONCEPTS, code=ox.Literal(code)):
        kind = _KIND_OF_LINK[_id(row["link"].value).split("#")[-1]]
        iri = row["concept"].value
        grouped[doc_id_of(row["g"])][kind][iri] = {
            "concept": iri, "id": _id(iri), "label": _value(row, "label") or ""
        }  # fmt: skip
    return {
        doc: {kind: list(found.values()) for kind, found in kinds.items()}
        for doc, kinds in grouped.items()
    }


def place_overview(store: GraphStore, code: str) -> dict[str, Any] | None:
    """A place with the studies about it (or about places inside it) and what they report:
    every study with all its concepts (a province at 10,000 studies took 8-17 s). No route
    calls it: the pages answer from the obstacle summary (Workspace.place_overview); it stays
    as the whole computation tests/test_policy_scale.py checks those answers against."""
    found = store.select(_PLACE, code=ox.Literal(code))
    if not found:
        return None
    row = found[0]
    studies: dict[str, dict[str, Any]] = {}
    inside: dict[str, dict[str, Any]] = {}
    for r in store.select(resolve("place_studies"), code=ox.Literal(code)):
        doc_id = _value(r, "docId") or ""
        year = _value(r, "year")
        study = studies.setdefault(doc_id, {
            "id": doc_id, "title": _value(r, "title"),
            "year": int(year) if year and year.isdigit() else None, "places": [],
        })  # fmt: skip
        place_code = _value(r, "placeCode") or ""
        study["places"].append(place_code)
        if place_code != code:
            place = inside.setdefault(place_code, {
                "code": place_code, "name": _value(r, "placeName"),
                "level": _value(r, "placeLevel"), "studies": set(),
            })  # fmt: skip
            place["studies"].add(doc_id)
    every = place_concepts(store, code)  # one query for all its studies, not one each
    for doc_id, study in studies.items():
        concepts = every.get(doc_id, {})
        concepts.pop("places", None)  # the codes above say where, with the region names
        study.update(concepts)
        study["places"] = sorted(set(study["places"]))
    return {
        "code": _value(row, "code"), "name": _value(row, "name"), "level": _value(row, "level"),
        "studies": sorted(studies.values(), key=lambda s: (-(s["year"] or 0), s["id"])),
        "places": [{**p, "studies": len(p["studies"])} for _, p in sorted(inside.items())],
    }  # fmt: skip


def place_page(
    store: GraphStore,
    code: str,
    studies: list[dict[str, Any]],
    inside: list[dict[str, Any]],
    limit: int,
) -> dict[str, Any] | None:
    """`place_overview` from the studies about the place (kg.summary_answers.place_studies, newest
    first): the first `limit` of them with their concepts, the count of all and of those
    left out."""
    found = store.select(_PLACE, code=ox.Literal(code))
    if not found:
        return None
    row = found[0]
    listed = [dict(s) for s in studies[:limit]]
    every = documents_concepts(store, [s["id"] for s in listed])
    for study in listed:
        concepts = every.get(study["id"], {})
        concepts.pop("places", None)  # the codes say where, with the region names
        study.update(concepts)
    return {
        "code": _value(row, "code"), "name": _value(row, "name"), "level": _value(row, "level"),
        "studies": listed, "places": inside, "study_count": len(studies),
        "studies_left_out": len(studies) - len(listed),
    }  # fmt: skip


def concept_usage(store: GraphStore, scheme: str | None = None) -> list[dict[str, Any]]:
    """SKOS concepts with the number of studies that use each; `scheme` is e.g. Obstacle."""
    out = []
    for row in store.select(resolve("concept_usage")):
        scheme_name = _id(row["scheme"].value).split("#")[-1].removesuffix("Scheme").lower()
        if scheme and scheme_name != scheme:
            continue
        broader = _value(row, "broader")
        out.append({
            "scheme": scheme_name, "concept": row["concept"].value,
            "id": _id(row["concept"].value), "label": _value(row, "labelEn"),
            "label_id": _value(row, "labelId"), "broader": _id(broader) if broader else None,
            "studies": int(_value(row, "documents") or 0),
        })  # fmt: skip
    return out


def links_of(store: GraphStore, doc_id: str) -> dict[str, Any]:
    """What a study shares with the others: concepts, cited works, citing studies."""
    bound = ox.Literal(doc_id)
    shared: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.select(_SHARED, docId=bound):
        kind = _KIND_OF_LINK[row["link"].value.split("#")[-1]]
        iri = row["concept"].value
        shared[kind].append({
            "concept": iri, "id": _id(iri), "label": _value(row, "label") or _id(iri),
            "studies": int(_value(row, "studies") or 0),
            "documents": (_value(row, "others") or "").split(),
        })  # fmt: skip
    references = [
        {
            "work": row["work"].value,
            "cited_by_others": int(_value(row, "citedBy") or 0),
            "document": _value(row, "document"),
        }
        for row in store.select(_REFERENCES_MATCHED, docId=bound)
        if int(_value(row, "citedBy") or 0) or _value(row, "document")
    ]
    cited_by = {
        _value(row, "citingId"): {"id": _value(row, "citingId"), "title": _value(row, "title")}
        for row in store.select(_CITED_BY, docId=bound)
    }
    return {"shared": dict(shared), "references": references, "cited_by": list(cited_by.values())}
