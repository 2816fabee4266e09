"""The policy answers read from the obstacle summary (kg.summary): recurring obstacles, the
obstacle x area matrix, the rows behind them and a place's studies and obstacles, each the
in-memory equivalent of a kg.policy query, bounded by a limit where a list can be long.
`tests/test_policy_scale.py` checks each against the store's own answer."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kg.shape import concept_id
from kg.store import GraphStore
from kg.summary import Level, ObstacleSummary, Place, passes

DEFAULT_LIMIT = 20  # studies listed per obstacle (recurring)
MATRIX_LIMIT = 5  # document ids per cell (matrix): 20,000 cells at 100,000 studies
MAX_LIMIT = 1000


def category_of(obstacle: str) -> str:
    return obstacle.rsplit("/obstacle/", 1)[-1] if "/obstacle/" in obstacle else ""


def _quoted(page: str, quote: str | None) -> dict[str, Any]:
    return {"quote": quote or None, "page": int(page) if page.isdigit() else None}


def rows(
    summary: ObstacleSummary, store: GraphStore, level: Level, min_confidence: float = 0.0
) -> list[dict[str, Any]]:
    """kg.policy.obstacle_rows from the summary: every (obstacle, area, study, quote)."""
    kept = summary.kept(level, min_confidence)
    names = summary.area_names(level)
    quotes = summary.quotes(store, {(d, c) for c, docs in kept.items() for d in docs})
    out = []
    for concept, docs in kept.items():
        for doc, codes in docs.items():
            study = summary.studies[doc]
            quoted = _quoted(*quotes.get((doc, concept), ("", None)))
            for code in codes:
                out.append({
                    "category": category_of(concept), "label": summary.labels.get(concept),
                    "code": code, "name": names[code], "document": study.id,
                    "title": study.title, **quoted,
                })  # fmt: skip
    return sorted(out, key=lambda r: (r["category"], r["code"], r["document"]))


def recurring(
    summary: ObstacleSummary,
    store: GraphStore,
    level: Level,
    min_places: int = 2,
    min_confidence: float = 0.0,
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """kg.policy.recurring_obstacles, with at most `limit` studies listed per category (in
    the order it lists them: by their first area's code, then id); the counts stay whole and
    `documents_left_out` says how many were not listed."""
    names = summary.area_names(level)
    out: list[dict[str, Any]] = []
    listed: dict[str, list[str]] = {}
    for concept, category in summary.index[level].items():
        codes = category.codes(min_confidence)
        if len(codes) < max(min_places, 1):
            continue
        count = category.count(min_confidence)
        listed[concept] = category.first(min_confidence, limit)
        out.append({
            "category": category_of(concept), "label": summary.labels.get(concept),
            "level": level, "place_count": len(codes), "document_count": count,
            "places": [{"code": c, "name": names[c]} for c in sorted(codes)],
            "documents": [], "documents_left_out": count - len(listed[concept]),
            "_concept": concept, "_docs": category.docs,
        })  # fmt: skip
    quotes = summary.quotes(store, {(d, c) for c, docs in listed.items() for d in docs})
    for entry in out:
        concept, docs = entry.pop("_concept"), entry.pop("_docs")
        for doc in listed[concept]:
            study = summary.studies[doc]
            entry["documents"].append({
                "id": study.id, "title": study.title,
                **_quoted(*quotes.get((doc, concept), ("", None))), "places": list(docs[doc][1]),
            })  # fmt: skip
    return sorted(out, key=lambda e: (-e["place_count"], -e["document_count"], e["category"]))


def matrix(
    summary: ObstacleSummary, level: Level, min_confidence: float = 0.0, limit: int = MATRIX_LIMIT
) -> dict[str, Any]:
    """kg.policy.obstacle_matrix, with at most `limit` document ids per cell (the first by
    id); `studies` stays the whole count and `documents_left_out` the rest."""
    names = summary.area_names(level)
    cells: list[dict[str, Any]] = []
    categories: dict[str, str | None] = {}
    floor = min_confidence
    # One pass in answer order; the loop is written out as it runs 20,000 times at 100,000.
    for concept in sorted(summary.index[level], key=category_of):
        category, name = summary.index[level][concept], category_of(concept)
        docs = category.docs
        for code in sorted(category.cell_sizes):
            count, clean = 0, True
            for confidence, n in category.cell_sizes[code].items():
                if confidence is None or confidence >= floor:
                    count += n
                else:
                    clean = False
            if not count:
                continue
            categories[name] = summary.labels.get(concept)
            items = category.cells[code]
            if clean:
                ids = [item[0] for item in items[:limit]]
            else:
                ids = []
                for doc_id, doc in items:
                    if len(ids) >= limit:
                        break
                    confidence = docs[doc][0]
                    if confidence is None or confidence >= floor:
                        ids.append(doc_id)
            cells.append({
                "category": name, "place": code, "studies": count, "documents": ids,
                "documents_left_out": count - len(ids),
            })  # fmt: skip
    return {
        "level": level,
        "categories": [{"id": c, "label": label} for c, label in sorted(categories.items())],
        "places": [{"code": c, "name": names[c]} for c in sorted({c["place"] for c in cells})],
        "cells": cells,
    }


def _places_in(summary: ObstacleSummary, code: str) -> list[tuple[str, Place]]:
    """(IRI, place) of the place `code` and the places inside it."""
    return [(i, p) for i, p in summary.places.items() if f"{p.code}.".startswith(f"{code}.")]


def place_studies(
    summary: ObstacleSummary, code: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """kg/queries/place_studies.rq from the summary: the studies about the place `code` or a
    place inside it (each with the codes of those places), newest first, and the places
    inside it with how many studies each."""
    studies: dict[str, dict[str, Any]] = {}
    inside: dict[str, dict[str, Any]] = {}
    for iri, place in _places_in(summary, code):
        docs = summary.by_place.get(iri, ())
        for doc in docs:
            study = summary.studies[doc]
            entry = studies.setdefault(
                study.id,
                {"id": study.id, "title": study.title, "year": study.year, "places": set()},
            )
            entry["places"].add(place.code)
        if place.code != code and docs:
            found = inside.setdefault(place.code, {
                "code": place.code, "name": place.name, "level": place.level, "studies": set(),
            })  # fmt: skip
            found["studies"].update(summary.studies[d].id for d in docs)
    ordered = sorted(studies.values(), key=lambda s: (-(s["year"] or 0), s["id"]))
    for entry in ordered:
        entry["places"] = sorted(entry["places"])
    return ordered, [{**p, "studies": len(p["studies"])} for _, p in sorted(inside.items())]


def place_obstacles(
    summary: ObstacleSummary, code: str, min_confidence: float = 0.0
) -> list[dict[str, Any]]:
    """The obstacles the studies about the place `code` (or a place inside it) report, with
    how many of those studies report each: over all of them, not only those a page lists.
    Curations count as in `recurring` (a rejected obstacle is gone, one a person added or
    confirmed is never doubtful); mentions below `min_confidence` are left out."""
    counts: dict[str, int] = defaultdict(int)
    docs = {d for iri, _ in _places_in(summary, code) for d in summary.by_place.get(iri, ())}
    for doc in docs:
        for concept, (confidence, _) in summary.studies[doc].obstacles.items():
            if passes(confidence, min_confidence):
                counts[concept] += 1
    found = [
        {"concept": c, "id": concept_id(c), "label": summary.labels.get(c, ""), "studies": n}
        for c, n in counts.items()
    ]
    return sorted(found, key=lambda o: (-o["studies"], o["label"] or o["id"]))
