"""The graph's shape, written once: the terms Jejaring uses, the IRIs it mints for documents,
passages, mentions and their evidence, and typed readers for a document's named graph.

kg.model writes with these builders; kg.documents, kg.lookup and kg.policy read with these
readers and with queries whose prologue is `PROLOGUE` (the .rq files declare the same prefixes
in their own text). Nothing else builds an IRI by string or takes one apart.

    doc/{id}                                  the study, and the name of its graph
    doc/{id}/passage/{i}                      jj:Passage, jj:index i
    doc/{id}/mention/{i}                      an oa:Annotation (by jj:mentionType's domain),
                                              the i-th the extractor found, oa:hasBody concept
    doc/{id}/passage/{p}#char={s},{e}         its evidence, as oa:hasTarget: characters s to e
                                              of passage p (RFC 5147); quote, page and section
                                              are the passage's (GRAPH_SHAPE 2)
    doc/{id}#title, doc/{id}/author/{n}       evidence that is the title or an affiliation
    doc/{id}/mention/{i}/evidence/{k}         evidence nothing above gives back (front
                                              matter, across passages): oa:exact, jj:page, …
    doc/{id}/author/{n}, doc/{id}/reference/{i}  authorship roles and references, jj:position
    work/{key}, place/{code}, person/{slug}, concept/{scheme}/{id}  shared nodes
    agent/extractor/{version}, agent/person/{name}   who made a mention or a curation
    graph/curations                           every curation (kg.curation), never a doc graph
    curation/{id}                             jj:Curation, prov:Entity: what a person said
    curation/{id}/mention[/evidence/0[/selector]]  the mention an `add` curation makes
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TypeAlias

import pyoxigraph as ox

from ingest.extract.common import method_confidence
from kg import namespaces as ns

# An RDF term as our queries give it (pyoxigraph 0.5 has no Term class of its own). A user's
# RDF-star query may also bind an ox.Triple; the endpoint's serialisers handle that case.
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal


class Terms:
    """`JJ.reportsObstacle` -> the NamedNode of that term in one namespace."""

    def __init__(self, base: str) -> None:
        self._base = base

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return ox.NamedNode(self._base + name)

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self._base + name)


JJ = Terms(str(ns.JJ))
RDF = Terms(str(ns.RDF))
RDFS = Terms(str(ns.RDFS))
DCT = Terms(str(ns.DCTERMS))
OA = Terms(str(ns.OA))
SKOS = Terms(str(ns.SKOS))
SCHEMA = Terms(str(ns.SCHEMA))
PROV = Terms(str(ns.PROV))
FOAF = Terms(str(ns.FOAF))
FABIO = Terms(str(ns.FABIO))
BIBO = Terms(str(ns.BIBO))
BIRO = Terms(str(ns.BIRO))
CITO = Terms(str(ns.CITO))
FRBR = Terms(str(ns.FRBR))
XSD = Terms(str(ns.XSD))

VOCAB_GRAPH = ox.NamedNode(str(ns.VOCAB_GRAPH))
PLACES_GRAPH = ox.NamedNode(str(ns.PLACES_GRAPH))
PROLOGUE = ns.sparql_prefixes() + "\n"

CURATIONS_GRAPH = ox.NamedNode(ns.BASE + "graph/curations")

# The shape of a document graph, stated on the study (jj:graphShape). 1 (no statement): every
# annotation typed, with its own provenance, position and motivation, and each piece of
# evidence an oa:SpecificResource with a TextQuoteSelector (~500 quads a study). 2: said once
# per study, evidence as passage fragments (bench/graph_size.py). kg.reextract.migrate_shape
# rewrites older graphs at start.
GRAPH_SHAPE = 2

_DOC = str(ns.DOC)
_CONCEPT = str(ns.CONCEPT)
_CURATION = ns.BASE + "curation/"
_AGENT = ns.BASE + "agent/"

# The direct link from a study to a concept, by mention type and role: what queries join on.
MENTION_LINKS: dict[tuple[str, str | None], ox.NamedNode] = {
    ("stakeholder", None): JJ.involvesStakeholder,
    ("theory", "framework"): JJ.usesTheory,
    ("theory", "cited"): JJ.citesTheory,
    ("method", "cited"): JJ.usesMethod,
    ("obstacle", None): JJ.reportsObstacle,
    ("place", "studied"): JJ.studiesPlace,
    ("place", "mentioned"): JJ.mentionsPlace,
}
MENTION_ROLES: dict[str, tuple[str, ...]] = {
    "stakeholder": (), "theory": ("framework", "cited"), "method": ("cited",), "obstacle": (),
    "place": ("studied", "mentioned"),
}  # fmt: skip


def mention_link(kind: str, role: str | None) -> ox.NamedNode | None:
    """The link a mention of `kind` in `role` makes (a role the kind lacks is ignored)."""
    return MENTION_LINKS.get((kind, role)) or MENTION_LINKS.get((kind, None))


def mention_links(kind: str, role: str | None) -> list[ox.NamedNode]:
    """The links a curation of (kind, role) is about; no role: every role of the kind."""
    if role is None and MENTION_ROLES.get(kind):
        return [MENTION_LINKS[(kind, r)] for r in MENTION_ROLES[kind]]
    link = mention_link(kind, role)
    return [link] if link is not None else []


def not_rejected(doc: str, link: str, concept: str) -> str:
    """A SPARQL pattern that drops a study's link to a concept while a curation rejects it
    (kg.curation); it goes after the patterns that bind `doc` and `concept`. The .rq files
    spell out the same. MINUS, not FILTER NOT EXISTS: Oxigraph runs it as one anti-join
    (concept_usage at 1,000 studies: 25 ms, against 90 ms)."""
    return (
        f"MINUS {{ ?_rejection jj:rejects {doc} ; jj:curatedLink {link} ; "
        f"jj:curatedConcept {concept} }}"
    )


# --- IRIs ---------------------------------------------------------------------------------
def doc_iri(doc_id: str) -> ox.NamedNode:
    return ox.NamedNode(_DOC + doc_id)


def doc_id_of(term: Term | str) -> str:
    """The id of a document from its IRI (or from any IRI inside its graph)."""
    value = term if isinstance(term, str) else term.value
    if value.startswith(_DOC):
        return value[len(_DOC) :].split("/", 1)[0]
    return value


def is_doc_iri(term: Term) -> bool:
    return (
        isinstance(term, ox.NamedNode)
        and term.value.startswith(_DOC)
        and ("/" not in term.value[len(_DOC) :])
    )


def passage_iri(doc_id: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{_DOC}{doc_id}/passage/{index}")


def mention_iri(doc_id: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{_DOC}{doc_id}/mention/{index}")


def is_mention_node(doc_id: str, term: Term) -> bool:
    """A mention of the document, or its evidence or selector (what re-extraction replaces)."""
    return isinstance(term, ox.NamedNode) and term.value.startswith(f"{_DOC}{doc_id}/mention/")


def evidence_iri(mention: ox.NamedNode, k: int) -> ox.NamedNode:
    return ox.NamedNode(f"{mention.value}/evidence/{k}")


def selector_iri(evidence: ox.NamedNode) -> ox.NamedNode:
    return ox.NamedNode(f"{evidence.value}/selector")


def quote_target_iri(doc_id: str, passage: int, start: int, end: int) -> ox.NamedNode:
    """Characters start..end of a passage (RFC 5147 `#char=`, offsets in the passage text)."""
    return ox.NamedNode(f"{_DOC}{doc_id}/passage/{passage}#char={start},{end}")


def title_target_iri(doc_id: str) -> ox.NamedNode:
    """The study's title as evidence (a place named in it): its dct:title, page 1."""
    return ox.NamedNode(f"{_DOC}{doc_id}#title")


def parse_quote_target(iri: str) -> tuple[str, int, int] | None:
    """(passage IRI, start, end) of a passage fragment; None for any other IRI."""
    base, sep, fragment = iri.partition("#char=")
    start, comma, end = fragment.partition(",")
    if not sep or not comma or not start.isdigit() or not end.isdigit():
        return None
    return base, int(start), int(end)


def fragment_quote(passage_text: str, start: int, end: int) -> str:
    """The quote a fragment gives: the passage's characters, spaces folded as the extractor
    folds them (ingest.extract.common)."""
    return " ".join(passage_text[start:end].split())


def author_role_iri(doc_id: str, position: int) -> ox.NamedNode:
    return ox.NamedNode(f"{_DOC}{doc_id}/author/{position}")


def reference_iri(doc_id: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{_DOC}{doc_id}/reference/{index}")


def curation_iri(curation_id: str) -> ox.NamedNode:
    return ox.NamedNode(_CURATION + curation_id)


def curation_id_of(term: Term | str) -> str | None:
    value = term if isinstance(term, str) else term.value
    if not value.startswith(_CURATION):
        return None
    return value[len(_CURATION) :].split("/", 1)[0]


def curated_mention_iri(curation: ox.NamedNode) -> ox.NamedNode:
    return ox.NamedNode(f"{curation.value}/mention")


def person_agent_iri(name: str) -> ox.NamedNode:
    """The agent behind a token name (`alice`, `cli`): who curated."""
    return ox.NamedNode(f"{_AGENT}person/{name}")


def extractor_iri(version: str) -> ox.NamedNode:
    return ox.NamedNode(f"{_AGENT}extractor/{version}")


def work_iri(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ns.WORK}{key}")


# A Kemendagri region code: province 32, regency 32.05, district 32.05.01, village 32.05.01.2001.
PLACE_CODE_PATTERN = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"


def place_iri(code: str) -> ox.NamedNode:
    return ox.NamedNode(ns.place_iri(code))


def person_iri(slug: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ns.PERSON}{slug}")


def concept_iri(scheme: str, concept_id: str) -> ox.NamedNode:
    """A concept of one of our schemes: `concept_iri("obstacle", "funding")`."""
    return ox.NamedNode(f"{_CONCEPT}{scheme}/{concept_id}")


def concept_id(iri: Term | str) -> str:
    """The short id of a concept or place (`funding`, `32.05`), as the JSON gives it."""
    value = iri if isinstance(iri, str) else iri.value
    return value.rsplit("/", 1)[-1]


# --- typed literals -------------------------------------------------------------------------
def text(value: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.integer)


def year(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.gYear)


def decimal(value: float) -> ox.Literal:
    return ox.Literal(f"{value:.2f}", datatype=XSD.decimal)


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=XSD.boolean)


def date_time(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=XSD.dateTime)


def as_int(term: Term | None) -> int | None:
    value = getattr(term, "value", None)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# --- readers --------------------------------------------------------------------------------
class Node:
    """The properties of one subject in a graph, read by term."""

    __slots__ = ("iri", "props")

    def __init__(self, iri: str, props: dict[str, list[Term]] | None = None) -> None:
        self.iri = iri
        self.props = props if props is not None else {}

    def all(self, predicate: ox.NamedNode) -> list[Term]:
        return self.props.get(predicate.value, [])

    def values(self, predicate: ox.NamedNode) -> list[str]:
        return [t.value for t in self.all(predicate)]

    def one(self, predicate: ox.NamedNode) -> str | None:
        found = self.all(predicate)
        return found[0].value if found else None

    def int(self, predicate: ox.NamedNode) -> int | None:
        found = self.all(predicate)
        return as_int(found[0]) if found else None

    def float(self, predicate: ox.NamedNode) -> float | None:
        value = self.one(predicate)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def is_a(self, rdf_class: ox.NamedNode) -> bool:
        return rdf_class.value in self.values(RDF.type)


class GraphView:
    """A document's named graph as nodes by IRI, for the readers in kg.documents."""

    def __init__(self, quads: Iterable[ox.Quad | ox.Triple]) -> None:
        props: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for quad in quads:
            # Jejaring writes no RDF-star: a quoted triple as object is not ours to read.
            if isinstance(quad.subject, ox.NamedNode) and not isinstance(quad.object, ox.Triple):
                props[quad.subject.value][quad.predicate.value].append(quad.object)
        self._props = props

    def node(self, iri: Term | str) -> Node:
        key = iri if isinstance(iri, str) else iri.value
        return Node(key, self._props.get(key, {}))

    def nodes(self) -> list[Node]:
        return [Node(k, v) for k, v in self._props.items()]

    def of_type(self, rdf_class: ox.NamedNode) -> list[Node]:
        return [n for n in (Node(k, v) for k, v in self._props.items()) if n.is_a(rdf_class)]

    def linked(self, node: Node, predicate: ox.NamedNode) -> list[Node]:
        return [self.node(t) for t in node.all(predicate)]


def _trailing_int(iri: str) -> int:
    tail = iri.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def in_order(nodes: Iterable[Node]) -> list[Node]:
    """Nodes by their jj:position (authors, references, shape-1 mentions), else by the index
    that ends their IRI (mentions of shape 2), as written."""
    return sorted(
        nodes,
        key=lambda n: (
            n.int(JJ.position) is None,
            n.int(JJ.position) or _trailing_int(n.iri),
            n.iri,
        ),
    )


def confidence_of(annotation: Node) -> float | None:
    """A mention's confidence: the measured precision of the method that found it (shape 2
    names the method alone; shape 1 wrote the figure on each mention). None for a mention a
    person added."""
    stored = annotation.float(JJ.confidence)
    if stored is not None:
        return stored
    kind, method = annotation.one(JJ.mentionType), annotation.one(JJ.extractionMethod)
    return method_confidence(kind, method) if kind and method else None


def mention_name(annotation: Node) -> str | None:
    """A mention's schema:name. kg.model leaves it out where it is the mention's label (an
    extracted stakeholder known by its full name, ~2 quads a study): such a mention, found by
    a method, has its label as its name; one a person added names no method and has none."""
    name = annotation.one(SCHEMA.name)
    if (
        name is None
        and annotation.one(JJ.mentionType) == "stakeholder"
        and annotation.one(JJ.extractionMethod) is not None
    ):
        return annotation.one(SKOS.prefLabel)
    return name


def mention_nodes(graph: GraphView) -> list[Node]:
    """The mentions of a graph (jj:mentionType has oa:Annotation as its domain; shape 1 also
    typed each one)."""
    return [n for n in graph.nodes() if n.all(JJ.mentionType)]


def evidence_of(graph: GraphView, annotation: Node) -> list[dict[str, object]]:
    """The evidence of a mention as the JSON gives it (page, quote, section, passage), in the
    order it comes in the study: passage fragments and evidence nodes of shape 2, and the
    SpecificResource with a TextQuoteSelector of shape 1 (and of mentions a person added)."""
    items: list[tuple[tuple[int, int], dict[str, object]]] = []  # by offset in the study
    for target in annotation.all(OA.hasTarget):
        fragment = parse_quote_target(target.value)
        if fragment is not None:
            passage_iri, start, end = fragment
            passage = graph.node(passage_iri)
            offset = (passage.int(OA.start) or 0) + start
            items.append(((0, offset), {
                "page": passage.int(JJ.page),
                "quote": fragment_quote(passage.one(RDF.value) or "", start, end),
                "section": passage.one(JJ.section), "passage": passage_iri,
            }))  # fmt: skip
            continue
        if target.value.endswith("#title"):
            title = graph.node(target.value.removesuffix("#title")).one(DCT.title)
            items.append(((0, 0), {"page": 1, "quote": title or "", "section": "title",
                                   "passage": None}))  # fmt: skip
            continue
        node = graph.node(target)
        affiliation = node.one(SCHEMA.affiliation)
        if affiliation is not None and not node.all(OA.exact):  # an author's, quoted whole
            items.append(((0, 0), {"page": 1, "quote": affiliation, "section": "affiliation",
                                   "passage": None}))  # fmt: skip
            continue
        selectors = graph.linked(node, OA.hasSelector)
        where = selectors[0] if selectors else node
        quote = where.one(OA.exact)
        items.append(((0, where.int(OA.start) or 0), {
            "page": node.int(JJ.page), "quote": quote or "",
            "section": node.one(JJ.section), "passage": node.one(JJ.passage),
        }))  # fmt: skip
    return [item for _, item in sorted(items, key=lambda kv: kv[0])]
