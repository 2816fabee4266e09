"""Curations: people confirm, reject or add a study's mentions, and the graph honours it.

A curation is data with provenance, never an edit of the extractor's triples. Each lives in
the one curations graph (`shape.CURATIONS_GRAPH`) as a `jj:Curation`, a `prov:Entity`
attributed to the person behind a token, with its time, action, note and the mention it is
about (document, kind, concept, role, and the direct links that mention makes). Beside the
record, a curation that is in force carries its *effect*:

    reject   curation jj:rejects doc        queries drop the link (shape.not_rejected)
    confirm  curation jj:confirms doc       the JSON marks the mention "confirmed"
    add      curation jj:adds doc ; doc link concept ; an oa:Annotation with evidence
             in the curations graph, which the union default graph shows every query

Undoing one removes its effect and stamps the record `prov:invalidatedAtTime`: the history
stays. Every write is one SPARQL update, one store transaction, under the caller's writer
lock. Because curations name documents and concepts, not the extractor's mention nodes, they
outlive re-ingest, re-extraction and a new extractor version; one whose mention the current
extraction no longer has (or whose document is gone) is *orphaned*: kept and reported.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from ingest.errors import JejaringError
from ingest.lexicon import Lexicon
from ingest.places import region_by_code
from kg import shape
from kg.shape import (
    CURATIONS_GRAPH,
    FOAF,
    JJ,
    OA,
    PROLOGUE,
    PROV,
    RDF,
    SKOS,
    GraphView,
    Node,
)
from kg.store import GraphStore, quad_data

ACTIONS = ("confirm", "reject", "add")
KINDS = tuple(shape.MENTION_ROLES)
DEFAULT_ADD_ROLE = {"theory": "cited", "method": "cited", "place": "studied"}
EFFECT = {"confirm": JJ.confirms, "reject": JJ.rejects, "add": JJ.adds}
AGENT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_NOTE = 2000
MAX_QUOTE = 1000


class CurationError(JejaringError, ValueError):
    """A curation that cannot be made; `field` names what was wrong (kind, concept, …)."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(slots=True)
class Overlay:
    """What the curations in force say about one document, for kg.documents."""

    rejected: set[tuple[str, str]] = field(default_factory=set)  # (link IRI, concept IRI)
    confirmed: dict[tuple[str, str], str] = field(default_factory=dict)  # -> curation id
    added_quads: list[ox.Quad] = field(default_factory=list)

    def rejects(self, kind: str, role: str | None, concept: str) -> bool:
        link = shape.mention_link(kind, role)
        return link is not None and (link.value, concept) in self.rejected

    def marks(self, node: Node, kind: str, role: str | None, concept: str) -> dict[str, Any]:
        """`curated`/`confirmed` marks for one mention item of the JSON."""
        marks: dict[str, Any] = {}
        made_by = node.one(PROV.wasGeneratedBy)
        curation = shape.curation_id_of(made_by) if made_by else None
        if curation:
            marks["curated"] = True
            marks["curation"] = curation
        link = shape.mention_link(kind, role)
        confirmed = self.confirmed.get((link.value, concept)) if link is not None else None
        if confirmed:
            marks["confirmed"] = True
            marks.setdefault("curation", confirmed)
        return marks


# --- resolving what a request names ------------------------------------------------------
def resolve_concept(
    lexicon: Lexicon, kind: str, concept: str, extracted: set[tuple[str, str, str | None]]
) -> tuple[str, str]:
    """(concept IRI, label) for a short id as the JSON gives it, or a full IRI."""
    given = concept.strip()
    if kind == "place":
        code = shape.concept_id(given) if "/" in given else given
        region = region_by_code(code)
        if region is None:
            raise CurationError("concept", f"unknown place {concept!r}: give a Kemendagri code")
        return shape.place_iri(code).value, region.name
    for known in lexicon.concepts.values():
        if known.scheme == kind and given in (known.iri, known.notation):
            return known.iri, known.acronym or known.label("id")
    # A concept the study itself introduced (a discovered stakeholder), by IRI or short id.
    for k, iri, _ in extracted:
        if k == kind and given in (iri, shape.concept_id(iri)):
            return iri, shape.concept_id(iri)
    raise CurationError("concept", f"unknown {kind} concept {concept!r}")


def _check_role(kind: str, role: str | None, action: str) -> str | None:
    roles = shape.MENTION_ROLES[kind]
    if role is None:
        return DEFAULT_ADD_ROLE.get(kind) if action == "add" else None
    if role not in roles:
        allowed = ", ".join(roles) if roles else "none"
        raise CurationError("role", f"role {role!r} is not one of a {kind}'s roles ({allowed})")
    return role


def check_agent(name: str) -> str:
    if not AGENT_NAME.match(name):
        raise CurationError("by", f"curator name {name!r}: letters, digits, '_.-', at most 64")
    return name


# --- what the extraction of a document holds -----------------------------------------------
# A row for each document in the store (the OPTIONAL keeps one with no mention), so that one
# query tells both whether it is there and what its extraction holds.
_EXTRACTED = (
    PROLOGUE
    + """SELECT ?g ?kind ?concept ?role WHERE { GRAPH ?g { ?g jj:contentHash ?hash .
  OPTIONAL { ?a jj:mentionType ?kind ; oa:hasBody ?concept . OPTIONAL { ?a jj:role ?role } } } }"""
)
Mentions = set[tuple[str, str, str | None]]


def extracted_mentions(store: GraphStore, doc_id: str) -> Mentions:
    """(kind, concept IRI, role) of every mention in the document's own graph."""
    return extracted_by_document(store, [doc_id])[doc_id] or set()


def extracted_by_document(store: GraphStore, doc_ids: list[str]) -> dict[str, Mentions | None]:
    """`extracted_mentions` of each document, None for one not in the store, in one batched
    query (GraphStore.select_rows) rather than two queries a document."""
    out: dict[str, Mentions | None] = dict.fromkeys(doc_ids)
    graphs = [(shape.doc_iri(doc_id),) for doc_id in out]
    for r in store.select_rows(_EXTRACTED, ["g"], graphs):
        mentions = out[shape.doc_id_of(r["g"])] = out.get(shape.doc_id_of(r["g"])) or set()
        if "kind" in r:
            role = r["role"].value if "role" in r else None
            mentions.add((r["kind"].value, r["concept"].value, role))
    return out


def _has_mention(extracted: Mentions, kind: str, concept: str, role: str | None) -> bool:
    return any(k == kind and c == concept and (role is None or r == role) for k, c, r in extracted)


_PASSAGES = (
    PROLOGUE
    + """SELECT ?g ?p ?page ?section ?text WHERE { GRAPH ?g {
  ?p a jj:Passage ; jj:page ?page ; rdf:value ?text . OPTIONAL { ?p jj:section ?section } } }"""
)


def _passage_with(store: GraphStore, doc_id: str, quote: str) -> tuple[str, int, str] | None:
    """(passage IRI, page, section) of the passage that holds a curator's quote, if any."""
    wanted = " ".join(quote.split()).casefold()
    for row in store.select(_PASSAGES, g=shape.doc_iri(doc_id)):
        if wanted in " ".join(row["text"].value.split()).casefold():
            section = row["section"].value if "section" in row else ""
            return row["p"].value, int(row["page"].value), section
    return None


# --- writing -------------------------------------------------------------------------------
def record(
    store: GraphStore,
    lexicon: Lexicon,
    doc_id: str,
    *,
    kind: str,
    concept: str,
    action: str,
    by: str,
    note: str = "",
    role: str | None = None,
    quote: str | None = None,
    page: int | None = None,
) -> dict[str, Any]:
    """Check and store one curation in one transaction; the caller holds the writer lock."""
    if kind not in KINDS:
        raise CurationError("kind", f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    if action not in ACTIONS:
        raise CurationError("action", f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    check_agent(by)
    if len(note) > MAX_NOTE or (quote and len(quote) > MAX_QUOTE):
        raise CurationError("note", f"note at most {MAX_NOTE}, quote {MAX_QUOTE} characters")
    if page is not None and not 1 <= page <= 100_000:
        raise CurationError("page", f"page {page} is not a page number")
    if not store.has_document(doc_id):
        raise CurationError("document", f"no document {doc_id}", 404)
    if action != "add" and (quote or page):
        raise CurationError("quote", "a quote and page are evidence for an added mention")
    role = _check_role(kind, role, action)
    extracted = extracted_mentions(store, doc_id)
    iri, label = resolve_concept(lexicon, kind, concept, extracted)
    if action != "add" and not _has_mention(extracted, kind, iri, role):
        what = f"{kind} {shape.concept_id(iri)}" + (f" ({role})" if role else "")
        raise CurationError("concept", f"document {doc_id} has no extracted {what} to {action}")
    if action == "add" and _has_mention(extracted, kind, iri, role):
        what = f"{kind} {shape.concept_id(iri)}"
        raise CurationError("concept", f"{what} is extracted already: confirm it instead", 409)
    curation_id = uuid.uuid4().hex[:16]
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    c = shape.curation_iri(curation_id)
    doc = shape.doc_iri(doc_id)
    agent = shape.person_agent_iri(by)
    links = shape.mention_links(kind, role)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (c, RDF.type, JJ.Curation),
        (c, RDF.type, PROV.Entity),
        (c, JJ.curationAction, shape.text(action)),
        (c, JJ.curatedDocument, doc),
        (c, JJ.mentionType, shape.text(kind)),
        (c, JJ.curatedConcept, ox.NamedNode(iri)),
        (c, SKOS.prefLabel, shape.text(label)),
        (c, PROV.wasAttributedTo, agent),
        (c, PROV.generatedAtTime, shape.date_time(at)),
        (agent, RDF.type, PROV.Agent),
        (agent, FOAF.name, shape.text(by)),
        (c, EFFECT[action], doc),
    ]
    triples += [(c, JJ.curatedLink, link) for link in links]
    if role:
        triples.append((c, JJ.role, shape.text(role)))
    if note:
        triples.append((c, shape.RDFS.comment, shape.text(note)))
    if action == "add":
        triples += _added_mention(store, doc_id, c, kind, iri, label, role, quote, page)
    body = " ".join(quad_data(ox.Quad(s, p, o, CURATIONS_GRAPH)) for s, p, o in triples)
    store.update(f"INSERT DATA {{ {body} }}")
    found = get(store, curation_id)
    assert found is not None
    return found


def _added_mention(
    store: GraphStore,
    doc_id: str,
    c: ox.NamedNode,
    kind: str,
    iri: str,
    label: str,
    role: str | None,
    quote: str | None,
    page: int | None,
) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    """The link and the annotation an `add` makes, shaped as the extractor's are (kg.model),
    so every reader sees it; `prov:wasGeneratedBy` the curation says where it came from."""
    doc = shape.doc_iri(doc_id)
    concept = ox.NamedNode(iri)
    a = shape.curated_mention_iri(c)
    link = shape.mention_link(kind, role)
    out: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = []
    if link is not None:
        out.append((doc, link, concept))
    out += [
        (a, RDF.type, OA.Annotation),
        (a, OA.motivatedBy, OA.identifying),
        (a, OA.hasBody, concept),
        (a, JJ.mentionType, shape.text(kind)),
        (a, SKOS.prefLabel, shape.text(label)),
        (a, PROV.wasGeneratedBy, c),
    ]
    if role:
        out.append((a, JJ.role, shape.text(role)))
    if quote:
        e = shape.evidence_iri(a, 0)
        selector = shape.selector_iri(e)
        found = _passage_with(store, doc_id, quote)
        out += [
            (a, OA.hasTarget, e),
            (e, RDF.type, OA.SpecificResource),
            (e, OA.hasSource, doc),
            (e, JJ.position, shape.integer(0)),
            (e, OA.hasSelector, selector),
            (selector, RDF.type, OA.TextQuoteSelector),
            (selector, OA.exact, shape.text(" ".join(quote.split()))),
        ]
        if found is not None:
            out.append((e, JJ.passage, ox.NamedNode(found[0])))
            if found[2]:
                out.append((e, JJ.section, shape.text(found[2])))
        page = page if page is not None else (found[1] if found else None)
        if page is not None:
            out.append((e, JJ.page, shape.integer(page)))
    return out


def undo(store: GraphStore, curation_id: str, by: str) -> dict[str, Any]:
    """Take a curation out of force in one transaction; its record stays, marked undone."""
    check_agent(by)
    found = get(store, curation_id)
    if found is None:
        raise CurationError("curation", f"no curation {curation_id}", 404)
    if found["undone"]:
        raise CurationError("curation", f"curation {curation_id} is already undone", 409)
    c = shape.curation_iri(curation_id)
    doc = shape.doc_iri(found["document"])
    removed = [
        ox.Quad(q.subject, q.predicate, q.object, CURATIONS_GRAPH)
        for q in store.quads(CURATIONS_GRAPH)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(c.value + "/")
    ]
    removed.append(ox.Quad(c, EFFECT[found["action"]], doc, CURATIONS_GRAPH))
    if found["action"] == "add":
        link = shape.mention_link(found["kind"], found["role"])
        others = [
            o for o in list_curations(store, document=found["document"], action="add")
            if o["id"] != curation_id and o["concept"] == found["concept"]
            and o["role"] == found["role"]
        ]  # fmt: skip
        if link is not None and not others:  # another add of the same link still holds it
            removed.append(ox.Quad(doc, link, ox.NamedNode(found["concept"]), CURATIONS_GRAPH))
    agent = shape.person_agent_iri(by)
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    added = [
        ox.Quad(c, PROV.invalidatedAtTime, shape.date_time(at), CURATIONS_GRAPH),
        ox.Quad(c, JJ.undoneBy, agent, CURATIONS_GRAPH),
        ox.Quad(agent, RDF.type, PROV.Agent, CURATIONS_GRAPH),
        ox.Quad(agent, FOAF.name, shape.text(by), CURATIONS_GRAPH),
    ]
    store.update(
        f"DELETE DATA {{ {' '.join(quad_data(q) for q in removed)} }} ; "
        f"INSERT DATA {{ {' '.join(quad_data(q) for q in added)} }}"
    )
    after = get(store, curation_id)
    assert after is not None
    return after


# --- reading -------------------------------------------------------------------------------
def _graph(store: GraphStore) -> GraphView:
    return GraphView(store.quads(CURATIONS_GRAPH))


def _as_json(graph: GraphView, node: Node) -> dict[str, Any]:
    curation_id = shape.curation_id_of(node.iri) or ""
    action = node.one(JJ.curationAction) or ""
    document = node.one(JJ.curatedDocument) or ""
    agent = graph.node(node.one(PROV.wasAttributedTo) or "")
    undoer = node.one(JJ.undoneBy)
    concept = node.one(JJ.curatedConcept) or ""
    out: dict[str, Any] = {
        "id": curation_id,
        "document": shape.doc_id_of(document),
        "kind": node.one(JJ.mentionType),
        "concept": concept,
        "concept_id": shape.concept_id(concept),
        "label": node.one(SKOS.prefLabel),
        "role": node.one(JJ.role),
        "action": action,
        "note": node.one(shape.RDFS.comment) or "",
        "by": agent.one(FOAF.name),
        "at": node.one(PROV.generatedAtTime),
        "undone": node.one(PROV.invalidatedAtTime) is not None,
        "undone_at": node.one(PROV.invalidatedAtTime),
        "undone_by": graph.node(undoer).one(FOAF.name) if undoer else None,
        "iri": node.iri,
    }
    if action == "add":
        mention = graph.node(shape.curated_mention_iri(ox.NamedNode(node.iri)))
        targets = graph.linked(mention, OA.hasTarget)
        selectors = graph.linked(targets[0], OA.hasSelector) if targets else []
        out["quote"] = selectors[0].one(OA.exact) if selectors else None
        out["page"] = targets[0].int(JJ.page) if targets else None
    return out


def get(store: GraphStore, curation_id: str) -> dict[str, Any] | None:
    graph = _graph(store)
    node = graph.node(shape.curation_iri(curation_id))
    return _as_json(graph, node) if node.is_a(JJ.Curation) else None


def list_curations(
    store: GraphStore,
    *,
    document: str | None = None,
    kind: str | None = None,
    action: str | None = None,
    orphaned: bool | None = None,
    undone: bool = False,
) -> list[dict[str, Any]]:
    """Curations, newest first; in force only unless `undone`; each says if it is orphaned
    (its document is gone, or the extraction no longer has the mention it confirms or
    rejects)."""
    graph = _graph(store)
    found = [_as_json(graph, n) for n in graph.of_type(JJ.Curation)]
    found = [
        c for c in found
        if (document is None or c["document"] == document)
        and (kind is None or c["kind"] == kind)
        and (action is None or c["action"] == action)
        and (undone or not c["undone"])
    ]  # fmt: skip
    extracted = extracted_by_document(store, [c["document"] for c in found])
    for c in found:
        mentions = extracted[c["document"]]
        if mentions is None:
            c["orphaned"] = True
        elif c["action"] == "add":
            c["orphaned"] = False
        else:
            c["orphaned"] = not _has_mention(mentions, c["kind"], c["concept"], c["role"])
    if orphaned is not None:
        found = [c for c in found if c["orphaned"] == orphaned]
    return sorted(found, key=lambda c: (_instant(c["at"]), c["id"]), reverse=True)


def _instant(at: str | None) -> datetime:
    """An xsd:dateTime as stored; compared as a time, since the store may write the fraction
    of a second with fewer digits (".2281" comes after ".22812")."""
    if not at:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


_IN_FORCE = (
    PROLOGUE
    + """SELECT ?c ?effect ?link ?concept ?doc ?curations WHERE { GRAPH ?curations {
  ?c ?effect ?doc ; jj:curatedConcept ?concept ; jj:curatedLink ?link .
  VALUES ?effect { jj:rejects jj:confirms jj:adds } } }"""
)


def overlay(store: GraphStore, doc_id: str) -> Overlay:
    """The curations in force on one document: rejected and confirmed links, added mentions."""
    return overlays(store, [doc_id])[doc_id]


def overlays(store: GraphStore, doc_ids: list[str]) -> dict[str, Overlay]:
    """`overlay` of each document, in one query (two when some mention was added): one query
    each would be a round trip each over a remote store."""
    results = {doc_id: Overlay() for doc_id in doc_ids}
    added: dict[str, str] = {}  # curation IRI -> document id
    rows = [(CURATIONS_GRAPH, shape.doc_iri(doc_id)) for doc_id in dict.fromkeys(doc_ids)]
    for row in store.select_rows(_IN_FORCE, ["curations", "doc"], rows):
        result = results[shape.doc_id_of(row["doc"])]
        key = (row["link"].value, row["concept"].value)
        effect = row["effect"].value
        if effect == JJ.rejects.value:
            result.rejected.add(key)
        elif effect == JJ.confirms.value:
            result.confirmed[key] = shape.curation_id_of(row["c"]) or ""
        else:
            added[row["c"].value] = shape.doc_id_of(row["doc"])
    if added:
        for q in store.quads(CURATIONS_GRAPH):
            if not isinstance(q.subject, ox.NamedNode):
                continue
            for c, doc_id in added.items():
                if q.subject.value.startswith(c + "/mention"):
                    results[doc_id].added_quads.append(q)
                    break
    return results
