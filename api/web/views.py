"""Shaping for the web pages: request parameters to filters, and what kg.policy,
kg.documents and the workspace return into what a template shows (heat map buckets, bar
widths, evidence grouped per concept). No domain logic lives here: every fact comes from the
same functions the JSON API uses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from api.workspace import PLACE_LIMIT, Workspace
from kg import policy
from kg.lookup import Filters
from kg.shape import PLACE_CODE_PATTERN, Term
from kg.store import Boolean, QueryResult, Solutions
from kg.summary_answers import MAX_LIMIT

PLACE_CODE = re.compile(PLACE_CODE_PATTERN)
DOC_ID = re.compile(r"^[0-9a-f]{8,64}$")
CONCEPT_ID = re.compile(r"^\w{1,64}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
KINDS = ("article", "thesis", "report", "other")
FILTER_NAMES = (
    "place", "year_from", "year_to", "kind", "language", "obstacle", "theory", "stakeholder",
)  # fmt: skip
HEAT_LEVELS = 5  # cell shades h1..h5; h0 is an empty cell
DOC_PREFIX = "https://w3id.org/jejaring/doc/"


@dataclass(slots=True)
class SearchForm:
    """The search page's parameters, checked: what is wrong is said, never raised."""

    q: str = ""
    k: int = 10
    unit: str = "study"  # the page shows studies; unit=passage shows where any study says it
    active: dict[str, str] = field(default_factory=dict)  # filter name -> value as given
    errors: list[str] = field(default_factory=list)

    @property
    def filters(self) -> Filters:
        def year(name: str) -> int | None:
            return int(self.active[name]) if name in self.active else None

        get = self.active.get
        return Filters(
            get("place"), year("year_from"), year("year_to"), get("kind"), get("language"),
            get("obstacle"), get("theory"), get("stakeholder"),
        )  # fmt: skip

    def url(self, unit: str | None = "", **changes: str | None) -> str:
        """This search with some filters changed (a None value drops the filter), and shown
        by `unit` (None: studies, the default; "": as now)."""
        params: dict[str, str] = {"q": self.q} if self.q else {}
        shown = self.unit if unit == "" else (unit or "study")
        if shown != "study":
            params["unit"] = shown
        merged = {**self.active, **changes}
        params.update({k: v for k, v in merged.items() if v})
        return "/?" + urlencode(params) if params else "/"


def parse_search(params: Mapping[str, str]) -> SearchForm:
    form = SearchForm(q=" ".join((params.get("q") or "").split())[:2000])
    checks: dict[str, Callable[[str], object]] = {
        "place": PLACE_CODE.match, "kind": lambda v: v in KINDS, "language": LANGUAGE.match,
        "obstacle": CONCEPT_ID.match, "theory": CONCEPT_ID.match, "stakeholder": CONCEPT_ID.match,
        "year_from": _is_year, "year_to": _is_year,
    }  # fmt: skip
    for name in FILTER_NAMES:
        value = (params.get(name) or "").strip()
        if not value:
            continue  # an empty select or box: no filter
        if checks[name](value):
            form.active[name] = value
        else:
            form.errors.append(f"ignored the {name.replace('_', ' ')} filter: {value[:40]!r}")
    if params.get("unit") == "passage":
        form.unit = "passage"
    k = params.get("k") or ""
    form.k = min(max(int(k), 1), 50) if k.isdigit() else 10
    return form


def _is_year(value: str) -> bool:
    return value.isdigit() and 1900 <= int(value) <= 2100


def filter_options(workspace: Workspace) -> dict[str, Any]:
    """The choices of the filter boxes: concepts some study uses, places some study names.
    Both are graph-wide answers, kept by the workspace until the next write."""
    store = workspace.store
    usage = workspace.cached(("concepts", None), lambda: policy.concept_usage(store, None))
    areas = workspace.cached(("web", "studied-areas"), lambda: policy.studied_areas(store))
    concepts: dict[str, list[dict[str, Any]]] = {"obstacle": [], "theory": [], "stakeholder": []}
    for c in usage:
        if c["scheme"] in concepts and c["studies"]:
            concepts[c["scheme"]].append(c)
    for found in concepts.values():
        found.sort(key=lambda c: (c["label"] or c["id"]).lower())
    provinces: dict[str, dict[str, Any]] = {}
    regencies: list[dict[str, str]] = []
    for code, name, level in areas:
        if level == "province":
            provinces.setdefault(code, {"code": code, "name": name, "regencies": []})
        else:
            regencies.append({"code": code, "name": name})
    for regency in sorted(regencies, key=lambda r: r["name"]):
        province = provinces.setdefault(
            regency["code"][:2], {"code": regency["code"][:2], "name": regency["code"][:2],
                                  "regencies": []}
        )  # fmt: skip
        province["regencies"].append(regency)
    return {
        **concepts,
        "places": sorted(provinces.values(), key=lambda p: p["name"]),
        "kinds": KINDS,
    }


def concept_labels(options: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(filter name, value) -> a label, to show the active filters by name."""
    labels = {(kind, c["id"]): c["label"] or c["id"]
              for kind in ("obstacle", "theory", "stakeholder") for c in options[kind]}  # fmt: skip
    for province in options["places"]:
        labels[("place", province["code"])] = province["name"]
        for regency in province["regencies"]:
            labels[("place", regency["code"])] = regency["name"]
    return labels


# --- obstacles across districts ------------------------------------------------------------
def heat_map(matrix: dict[str, Any]) -> dict[str, Any]:
    """The obstacle x place matrix as table rows with shade buckets, and the bar chart: how
    many places report each obstacle, most recurring first."""
    counts = {(c["category"], c["place"]): c["studies"] for c in matrix["cells"]}
    places_of: dict[str, int] = {}
    for category, _ in counts:
        places_of[category] = places_of.get(category, 0) + 1
    columns = sorted(
        matrix["categories"], key=lambda c: (-places_of.get(c["id"], 0), c["label"] or c["id"])
    )
    top = max(counts.values(), default=0)
    rows = []
    for place in matrix["places"]:
        cells = []
        for column in columns:
            n = counts.get((column["id"], place["code"]), 0)
            shade = math.ceil(n / top * HEAT_LEVELS) if n and top else 0
            cells.append({"category": column["id"], "label": column["label"], "count": n,
                          "shade": shade})  # fmt: skip
        rows.append({
            "code": place["code"], "name": place["name"] or place["code"], "cells": cells,
            "obstacles": sum(1 for c in cells if c["count"]),
            "studies": sum(c["count"] for c in cells),
        })  # fmt: skip
    most = max(places_of.values(), default=0)
    bars = [
        {
            "id": c["id"],
            "label": c["label"] or c["id"],
            "places": places_of.get(c["id"], 0),
            "width": round(100 * places_of.get(c["id"], 0) / most, 1) if most else 0,
        }
        for c in columns
    ]
    return {
        "columns": [{**c, "places": places_of.get(c["id"], 0)} for c in columns],
        "rows": rows, "bars": bars, "top": top, "place_total": len(rows),
    }  # fmt: skip


def cell_studies(
    workspace: Workspace, level: policy.Level, category: str, code: str
) -> dict[str, Any]:
    """The studies behind one heat-map cell, each with its evidence quote and page."""
    label = name = None
    studies: dict[str, dict[str, Any]] = {}
    for row in workspace.obstacle_rows(level):
        if row["category"] != category or row["code"] != code:
            continue
        label, name = row["label"], row["name"]
        studies.setdefault(row["document"], {
            "id": row["document"], "title": row["title"], "quote": row["quote"],
            "page": row["page"],
        })  # fmt: skip
    return {
        "level": level, "category": category, "label": label or category, "code": code,
        "name": name or code, "studies": list(studies.values()),
    }  # fmt: skip


def place_limit(value: str | None) -> int:
    """The studies a place page lists: `?limit=` within 1..MAX_LIMIT, else as the API does."""
    return min(max(int(value), 1), MAX_LIMIT) if value and value.isdigit() else PLACE_LIMIT


# --- a study ------------------------------------------------------------------------------
def study_view(doc: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    """The document JSON with its links folded in where a reader looks for them."""
    matched = {r["work"]: r for r in links.get("references", [])}
    references = []
    for ref in doc["references"]:
        extra = matched.get(ref.get("work") or "", {})
        references.append({
            **ref, "document": ref.get("document") or extra.get("document"),
            "cited_by_others": extra.get("cited_by_others", 0),
        })  # fmt: skip
    shared = {
        (kind, item["id"]): item["studies"]
        for kind, items in links.get("shared", {}).items()
        for item in items
    }
    places = [p for p in doc["places"] if p["role"] == "studied"]
    mentioned = [p for p in doc["places"] if p["role"] != "studied"]
    return {
        "references": references, "shared": shared, "studied_places": places,
        "mentioned_places": mentioned, "cited_by": links.get("cited_by", []),
        "shared_total": sum(len(items) for items in links.get("shared", {}).values()),
    }  # fmt: skip


# --- SPARQL results as a table ------------------------------------------------------------
@dataclass(slots=True)
class Table:
    columns: list[str]
    rows: list[list[dict[str, str | None]]]  # each cell: text, and a link when it has one
    boolean: bool | None = None


def result_table(result: QueryResult) -> Table:
    if isinstance(result, Boolean):
        return Table([], [], boolean=result.value)
    if isinstance(result, Solutions):
        return Table(
            list(result.variables),
            [[_cell(row.get(v)) for v in result.variables] for row in result.rows],
        )
    return Table(
        ["subject", "predicate", "object"],
        [[_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in result.triples],
    )


def _cell(term: Term | ox.Triple | None) -> dict[str, str | None]:
    if term is None:
        return {"text": "", "href": None}
    if isinstance(term, ox.NamedNode):
        value = term.value
        rest = value.removeprefix(DOC_PREFIX)
        if rest != value and DOC_ID.match(rest):
            return {"text": value, "href": f"/study/{rest}"}  # a study in the graph: its page
        return {"text": value, "href": value if value.startswith(("http:", "https:")) else None}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "href": None, "lang": term.language}
    return {"text": str(term), "href": None}
