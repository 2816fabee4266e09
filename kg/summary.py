"""The obstacle summary: what the policy answers need of each study, kept by the writer.

At 10,000 studies the policy answers spent ~7 s of CPU pulling every (obstacle, area, study)
row out of the store (kg.policy.obstacle_rows; ~25-50 us a row-term from pyoxigraph), and ten
times that at 100,000. The summary holds, per study: its id, title and year, the places it
studies (after curations) and, per obstacle it reports, the best confidence of the methods
that found it (None when a person added or confirmed it: never doubtful) and its first
evidence target. Indexes by level and category sit beside it, so an answer only walks the
studies of each category in memory and reads from the store just the quotes it shows.

Kept current by the one writer: after each write, the workspace (api/workspace.py) calls
`refresh` with the documents the write touched; the summary then reflects the store's
generation. A write it was not told of (a SPARQL Update, `invalidate`) or a generation it does
not know makes it stale, and the next answer rebuilds it from scratch (the same queries as
kg.policy.obstacle_rows, ~1 min at 100,000 studies). A remote store has no generation: others
may write to it, so its summary is reused only `reuse_s` seconds after a build
(JEJARING_REMOTE_SUMMARY_SECONDS; writes through this service refresh it meanwhile), and with
0 rebuilt for every answer (always current, as slow as before).
`tests/test_policy_scale.py` checks a refreshed summary equals one built from scratch.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import pyoxigraph as ox

from ingest.extract.common import method_confidence
from kg.policy import (
    _CONFIRMED,
    _OBSTACLE_LABELS,
    _OBSTACLE_LINKS,
    _PARENTS,
    _REGIONS,
    _REJECTED,
    _TITLES,
    _passage_texts,
    obstacle_mentions,
)
from kg.shape import (
    PLACES_GRAPH,
    PROLOGUE,
    doc_iri,
    fragment_quote,
    parse_quote_target,
)
from kg.store import GraphStore

Level = Literal["regency", "province"]
LEVELS: dict[Level, set[str]] = {"regency": {"regency", "city"}, "province": {"province"}}


@dataclass(slots=True)
class Place:
    code: str
    name: str
    level: str
    areas: dict[Level, tuple[tuple[str, str], ...]]  # level -> (code, name) of its areas there


@dataclass(slots=True)
class Study:
    id: str
    title: str
    year: int | None
    places: tuple[str, ...]  # studied place IRIs, curations applied
    # obstacle IRI -> (best extracted confidence, or None when never doubtful; first target)
    obstacles: dict[str, tuple[float | None, str | None]] = field(default_factory=dict)


def passes(confidence: float | None, floor: float) -> bool:
    return confidence is None or confidence >= floor


class Category:
    """One obstacle at one level: its studies with their confidence and area codes, kept
    sorted as the answers list them and counted by confidence and area, so an answer costs
    the number of areas and the studies it lists, not every (study, area) row."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[float | None, tuple[str, ...], str]] = {}  # conf, codes, id
        self.order: list[tuple[str, str, str]] = []  # (first area code, doc id, doc IRI)
        self.sizes: dict[float | None, int] = defaultdict(int)  # confidence -> studies
        self.areas: dict[float | None, dict[str, int]] = defaultdict(dict)  # conf -> code -> n
        self.cells: dict[str, list[tuple[str, str]]] = defaultdict(list)  # code -> (id, IRI)
        self.cell_sizes: dict[str, dict[float | None, int]] = defaultdict(dict)

    def add(self, doc: str, doc_id: str, confidence: float | None, codes: tuple[str, ...],
            bulk: bool = False) -> None:  # fmt: skip
        self.docs[doc] = (confidence, codes, doc_id)
        put = list.append if bulk else insort
        put(self.order, (codes[0], doc_id, doc))
        self.sizes[confidence] += 1
        for code in codes:
            found = self.areas[confidence]
            found[code] = found.get(code, 0) + 1
            put(self.cells[code], (doc_id, doc))
            sizes = self.cell_sizes[code]
            sizes[confidence] = sizes.get(confidence, 0) + 1

    def sort(self) -> None:  # after bulk adds
        self.order.sort()
        for cell in self.cells.values():
            cell.sort()

    def remove(self, doc: str) -> None:
        found = self.docs.pop(doc, None)
        if found is None:
            return
        confidence, codes, doc_id = found
        _discard(self.order, (codes[0], doc_id, doc))
        self.sizes[confidence] -= 1
        for code in codes:
            areas = self.areas[confidence]
            areas[code] -= 1
            if not areas[code]:
                del areas[code]
            _discard(self.cells[code], (doc_id, doc))
            sizes = self.cell_sizes[code]
            sizes[confidence] -= 1
            if not sizes[confidence]:
                del sizes[confidence]
            if not sizes:
                del self.cell_sizes[code], self.cells[code]

    def count(self, floor: float) -> int:
        return sum(n for c, n in self.sizes.items() if passes(c, floor))

    def codes(self, floor: float) -> set[str]:
        return {code for c, found in self.areas.items() if passes(c, floor) for code in found}

    def first(self, floor: float, limit: int, cell: str | None = None) -> list[str]:
        """The first `limit` doc IRIs not below `floor`, in answer order (or a cell's)."""
        items = self.order if cell is None else self.cells.get(cell, [])
        sizes = self.sizes if cell is None else self.cell_sizes.get(cell, {})
        if all(passes(c, floor) for c in sizes):  # none doubtful: no need to look at each
            return [item[-1] for item in items[:limit]]
        out: list[str] = []
        for item in items:
            if len(out) >= limit:
                break
            if passes(self.docs[item[-1]][0], floor):
                out.append(item[-1])
        return out


def _discard(items: list, item: tuple) -> None:
    at = bisect_left(items, item)
    if at < len(items) and items[at] == item:
        del items[at]


# kg.policy's whole-graph queries, for one document (bound as ?doc).
_DOC_LINKS = _OBSTACLE_LINKS
_DOC_REJECTED = _REJECTED
_DOC_TITLE = (
    PROLOGUE
    + """SELECT ?doc ?docId ?title ?year WHERE {
  ?doc jj:contentHash [] ; dct:identifier ?docId ; dct:title ?title
  OPTIONAL { ?doc fabio:hasPublicationYear ?year } }"""
)
_YEARS = (
    PROLOGUE + "SELECT ?doc ?year WHERE { ?doc jj:contentHash [] ; fabio:hasPublicationYear ?year }"
)
# Extracted mentions live in the document's graph; one a person added names the document as
# the source of its evidence (kg.policy.obstacle_mentions reads both the same way).
_DOC_MENTIONS = (
    PROLOGUE
    + """SELECT ?doc ?a ?concept ?method ?confidence ?target WHERE {
  { GRAPH ?doc { ?a jj:mentionType "obstacle" ; oa:hasBody ?concept } }
  UNION { ?t oa:hasSource ?doc . ?a oa:hasTarget ?t ; jj:mentionType "obstacle" ;
          oa:hasBody ?concept }
  OPTIONAL { ?a jj:extractionMethod ?method } OPTIONAL { ?a jj:confidence ?confidence }
  OPTIONAL { ?a oa:hasTarget ?target } }"""
)
_DOC_CONFIRMED = (
    PROLOGUE
    + """SELECT ?doc ?concept WHERE {
  ?c jj:confirms ?doc ; jj:curatedLink jj:reportsObstacle ; jj:curatedConcept ?concept }"""
)


Mention = tuple[str, str | None, str | None, str | None]  # concept, method, stated, target


def _v(row: dict[str, Any], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class ObstacleSummary:
    """Per-study facts behind the policy answers, with indexes by level and category."""

    def __init__(self) -> None:
        self.studies: dict[str, Study] = {}  # doc IRI -> study
        self.places: dict[str, Place] = {}  # place IRI -> place
        self.labels: dict[str, str] = {}
        self.index: dict[str, dict[str, Category]] = {level: {} for level in LEVELS}
        self._bulk = False
        self.by_place: dict[str, set[str]] = defaultdict(set)  # place IRI -> doc IRIs
        self.stamp: int | None = None  # the store generation reflected
        self.built: float | None = None  # time.monotonic() when the last rebuild began
        self.stale = True
        self.lock = threading.RLock()

    # --- building --------------------------------------------------------------------
    def rebuild(self, store: GraphStore) -> None:
        """From scratch: the whole-graph queries of kg.policy.obstacle_rows, once each."""
        with self.lock:
            generation, began = store.generation, time.monotonic()
            lock = self.lock
            self.__init__()  # type: ignore[misc]
            # The same lock: a new one would let another thread's answer or refresh in while
            # this rebuild runs (a fresh-clone test run saw a refresh meet a half-built summary).
            self.lock = lock
            self._load_places(store, None)
            self.labels = {
                r["concept"].value: r["label"].value for r in store.select(_OBSTACLE_LABELS)
            }
            rejected = {
                (r["doc"].value, r["link"].value, r["concept"].value)
                for r in store.select(_REJECTED)
            }
            links: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for r in store.select(_OBSTACLE_LINKS):
                doc, link, concept = r["doc"].value, r["link"].value, r["concept"].value
                if (doc, link, concept) not in rejected:
                    links[doc].append((link, concept))
            years = {r["doc"].value: r["year"].value for r in store.select(_YEARS)}
            titles = {
                r["doc"].value: (r["docId"].value, r["title"].value) for r in store.select(_TITLES)
            }
            confirmed: dict[str, set[str]] = defaultdict(set)
            for r in store.select(_CONFIRMED):
                confirmed[r["doc"].value].add(r["concept"].value)
            mentions: dict[str, list[Mention]] = defaultdict(list)
            for doc, concept, method, stated, target in obstacle_mentions(store):
                mentions[doc].append((concept, method, stated, target))
            self._bulk = True  # appended, then sorted once
            for doc, (doc_id, title) in titles.items():
                year = _year(years.get(doc))
                self._put(doc, doc_id, title, year, links.get(doc, []), mentions.get(doc, []),
                          confirmed.get(doc, set()))  # fmt: skip
            self._bulk = False
            for by_category in self.index.values():
                for category in by_category.values():
                    category.sort()
            self.stamp, self.stale, self.built = generation, False, began

    def refresh(self, store: GraphStore, doc_ids: list[str]) -> None:
        """After a write that touched `doc_ids` (ingested, replaced, deleted or curated):
        their studies again, the rest kept. Call with the write lock held."""
        with self.lock:
            if self.stale:
                return  # rebuilt whole on the next answer
            for doc_id in dict.fromkeys(doc_ids):
                doc = doc_iri(doc_id)
                self._drop(doc.value)
                found = store.select(_DOC_TITLE, doc=doc)
                if not found:
                    continue  # deleted
                row = found[0]
                rejected = {
                    (r["link"].value, r["concept"].value)
                    for r in store.select(_DOC_REJECTED, doc=doc)
                }
                links = [
                    (r["link"].value, r["concept"].value)
                    for r in store.select(_DOC_LINKS, doc=doc)
                    if (r["link"].value, r["concept"].value) not in rejected
                ]
                mentions = [
                    (r["concept"].value, _v(r, "method"), _v(r, "confidence"), _v(r, "target"))
                    for r in store.select(_DOC_MENTIONS, doc=doc)
                ]
                confirmed = {r["concept"].value for r in store.select(_DOC_CONFIRMED, doc=doc)}
                places = {c for link, c in links if link.endswith("studiesPlace")}
                if places - self.places.keys():
                    self._load_places(store, places - self.places.keys())
                self._put(
                    doc.value, row["docId"].value, row["title"].value, _year(_v(row, "year")),
                    links, mentions, confirmed,
                )  # fmt: skip
            self.stamp = store.generation

    def invalidate(self) -> None:
        """A write the summary was not told the documents of: rebuild before the next answer."""
        with self.lock:
            self.stale = True

    def current(self, store: GraphStore, reuse_s: float = 0.0) -> ObstacleSummary:
        """Itself, rebuilt first when missing or stale; over a store with no generation (a
        remote one), also when its last build began `reuse_s` seconds ago or more."""
        with self.lock:
            if store.generation is None:
                age = time.monotonic() - self.built if self.built is not None else None
                kept = age is not None and age < reuse_s
            else:
                kept = self.stamp == store.generation
            if self.stale or not kept:
                self.rebuild(store)
            return self

    def _load_places(self, store: GraphStore, only: set[str] | None) -> None:
        if only is None:
            regions = store.select(_REGIONS)
            parent_rows = store.select(_PARENTS)
        else:
            values = " ".join(str(ox.NamedNode(p)) for p in sorted(only))
            regions = store.select(
                PROLOGUE
                + f"""SELECT ?place ?level ?code ?name WHERE {{ VALUES ?p {{ {values} }}
  GRAPH {PLACES_GRAPH} {{ ?p schema:containedInPlace* ?place .
  ?place jj:adminLevel ?level ; jj:kemendagriCode ?code ; schema:name ?name }} }}"""
            )
            parent_rows = store.select(
                PROLOGUE
                + f"""SELECT ?place ?parent WHERE {{ VALUES ?place {{ {values} }}
  GRAPH {PLACES_GRAPH} {{ ?place schema:containedInPlace ?parent }} }}"""
            )
        found = {
            r["place"].value: (r["level"].value, r["code"].value, r["name"].value) for r in regions
        }
        known = {iri: (p.level, p.code, p.name) for iri, p in self.places.items()}
        known.update(found)
        parents: dict[str, list[str]] = defaultdict(list)
        for r in parent_rows:
            parents[r["place"].value].append(r["parent"].value)
        for place in found if only is None else only:
            if place not in known:
                continue
            level, code, name = known[place]
            areas = {
                wanted: tuple(
                    known[a][1:]
                    for a in (place, *parents.get(place, ()))
                    if a in known and known[a][0] in kinds
                )
                for wanted, kinds in LEVELS.items()
            }
            self.places[place] = Place(code, name, level, areas)

    def _put(
        self,
        doc: str,
        doc_id: str,
        title: str,
        year: int | None,
        links: list[tuple[str, str]],
        mentions: list[Mention],
        confirmed: set[str],
    ) -> None:
        """One study from its raw facts, as kg.policy.obstacle_rows and doubtful_obstacles
        read them: best confidence over the extracted mentions (none confirmed), first
        evidence target over all mentions."""
        places = tuple(sorted({c for link, c in links if link.endswith("studiesPlace")}))
        reported = {c for link, c in links if link.endswith("reportsObstacle")}
        best: dict[str, float] = {}
        first: dict[str, str] = {}
        for concept, method, stated, target in mentions:
            if target and (concept not in first or target < first[concept]):
                first[concept] = target
            if method is None or concept in confirmed:
                continue
            found = float(stated) if stated else method_confidence("obstacle", method)
            best[concept] = max(found, best.get(concept, 0.0))
        study = Study(doc_id, title, year, places)
        study.obstacles = {c: (best.get(c), first.get(c)) for c in reported}
        self.studies[doc] = study
        for place in places:
            self.by_place[place].add(doc)
        for level in LEVELS:
            codes = self._codes(study, level)
            if codes:
                for concept, (confidence, _) in study.obstacles.items():
                    if concept not in self.index[level]:
                        self.index[level][concept] = Category()
                    self.index[level][concept].add(doc, doc_id, confidence, codes, self._bulk)

    def _drop(self, doc: str) -> None:
        study = self.studies.pop(doc, None)
        if study is None:
            return
        for place in study.places:
            self.by_place[place].discard(doc)
        for level in LEVELS:
            for concept in study.obstacles:
                if concept in self.index[level]:
                    self.index[level][concept].remove(doc)

    def _codes(self, study: Study, level: Level) -> tuple[str, ...]:
        return tuple(sorted({
            code for p in study.places if p in self.places
            for code, _ in self.places[p].areas[level]
        }))  # fmt: skip

    def area_names(self, level: Level) -> dict[str, str]:
        return {code: name for place in self.places.values() for code, name in place.areas[level]}

    # --- reading ---------------------------------------------------------------------
    def kept(self, level: str, min_confidence: float) -> dict[str, dict[str, tuple[str, ...]]]:
        """obstacle IRI -> doc IRI -> area codes, leaving out doubtful mentions."""
        out = {}
        for concept, category in self.index[level].items():
            found = {
                doc: codes
                for doc, (confidence, codes, _) in category.docs.items()
                if passes(confidence, min_confidence)
            }
            if found:
                out[concept] = found
        return out

    def quotes(self, store: GraphStore, pairs: set[tuple[str, str]]) -> dict[tuple, tuple]:
        """(doc IRI, obstacle IRI) -> (page, quote) of the first evidence of each pair: the
        passage texts of just these pairs, in chunks (kg.policy._quotes read them all)."""
        first = {
            key: target
            for key in pairs
            if key[0] in self.studies
            and (target := self.studies[key[0]].obstacles.get(key[1], (None, None))[1])
        }
        fragments = {k: parse_quote_target(t) for k, t in first.items()}
        texts = _passage_texts(store, {f[0] for f in fragments.values() if f is not None})
        others = sorted({first[k] for k, f in fragments.items() if f is None})
        nodes: dict[str, tuple[str, str]] = {}
        for i in range(0, len(others), 2000):
            values = " ".join(str(ox.NamedNode(t)) for t in others[i : i + 2000])
            for r in store.select(
                PROLOGUE
                + f"""SELECT ?target ?page ?quote WHERE {{
  VALUES ?target {{ {values} }}
  ?target oa:exact|oa:hasSelector/oa:exact ?quote OPTIONAL {{ ?target jj:page ?page }} }}"""
            ):
                nodes[r["target"].value] = (_v(r, "page") or "", r["quote"].value)
        out: dict[tuple, tuple] = {}
        for key, fragment in fragments.items():
            if fragment is not None and fragment[0] in texts:
                text, page = texts[fragment[0]]
                out[key] = (page, fragment_quote(text, fragment[1], fragment[2]))
            elif first[key] in nodes:
                out[key] = nodes[first[key]]
        return out
