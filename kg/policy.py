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
    PROLOGUE,
    Term,
    concept_id,
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
_OBSTACLE_CONFIDENCE = (
    PROLOGUE
    + """SELECT DISTINCT ?docId ?obstacle ?method ?confidence WHERE {
  GRAPH ?doc { ?annotation jj:mentionType "obstacle" ; jj:extractionMethod ?method ;
                           oa:hasBody ?obstacle . ?doc dct:identifier ?docId
               OPTIONAL { ?annotation jj:confidence ?confidence } }
  MINUS { ?confirmation jj:confirms ?doc ; jj:curatedLink jj:reportsObstacle ;
                                  jj:curatedConcept ?obstacle }
}"""
)


def doubtful_obstacles(store: GraphStore, min_confidence: float) -> set[tuple[str, str]]:
    """(document id, category) of the obstacle mentions below `min_confidence`."""
    if min_confidence <= 0:
        return set()
    best: dict[tuple[str, str], float] = {}
    for row in store.select(_OBSTACLE_CONFIDENCE):
        key = (row["docId"].value, _id(row["obstacle"].value))
        stored = _value(row, "confidence")
        found = float(stored) if stored else method_confidence("obstacle", row["method"].value)
        best[key] = max(found, best.get(key, 0.0))
    return {key for key, confidence in best.items() if confidence < min_confidence}


def obstacle_rows(
    store: GraphStore, level: Level, min_confidence: float = 0.0
) -> list[dict[str, Any]]:
    """Every (obstacle, studied area, study, quote) at `level`, leaving out the obstacles
    found by a method whose measured precision is below `min_confidence`."""
    rows = store.select(resolve("obstacle_places"), level=ox.Literal(level))
    doubtful = doubtful_obstacles(store, min_confidence)
    out = []
    for row in rows:
        if (_value(row, "docId"), _value(row, "category")) in doubtful:
            continue
        page, quote = _evidence_quote(row)
        out.append({
            "category": _value(row, "category"), "label": _value(row, "label"),
            "code": _value(row, "code"), "name": _value(row, "name"),
            "document": _value(row, "docId"), "title": _value(row, "title"),
            "quote": quote or None, "page": int(page) if page.isdigit() else None,
        })  # fmt: skip
    return out


def _evidence_quote(row: dict[str, Term]) -> tuple[str, str | None]:
    """(page, quote) of a row's evidence: cut from its passage for a passage fragment, as
    stored for an evidence node."""
    fragment = parse_quote_target(_value(row, "evidence") or "")
    text = _value(row, "passageText")
    if fragment is not None and text is not None:
        return _value(row, "passagePage") or "", fragment_quote(text, fragment[1], fragment[2])
    return _value(row, "page") or "", _value(row, "quote")


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
    grouped: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in store.select(_DOCUMENT_CONCEPTS, g=graph_of(doc_id)):
        kind = _KIND_OF_LINK[_id(row["link"].value).split("#")[-1]]
        iri = row["concept"].value
        grouped[kind][iri] = {"concept": iri, "id": _id(iri), "label": _value(row, "label") or ""}
    return {kind: list(found.values()) for kind, found in grouped.items()}


def place_overview(store: GraphStore, code: str) -> dict[str, Any] | None:
    """A place with the studies about it (or about places inside it) and what they report."""
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
    for doc_id, study in studies.items():
        concepts = document_concepts(store, doc_id)
        concepts.pop("places", None)  # the codes above say where, with the region names
        study.update(concepts)
        study["places"] = sorted(set(study["places"]))
    return {
        "code": _value(row, "code"), "name": _value(row, "name"), "level": _value(row, "level"),
        "studies": sorted(studies.values(), key=lambda s: (-(s["year"] or 0), s["id"])),
        "places": [{**p, "studies": len(p["studies"])} for _, p in sorted(inside.items())],
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
