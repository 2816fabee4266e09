"""Re-extraction without the PDFs: the current extractor over the passages already stored.

A study's graph keeps its passages (text, page, section, offsets), metadata, authors and
references, so a `Document` can be rebuilt from it: the passages go back to their offsets in a
text of the original length (the gaps, front matter and reference list, were never passages;
the title and affiliations are put back where the front matter was, so that address lines are
still told from the setting). The extractor runs on that, and the study's mentions (links,
annotations, evidence, discovered concepts) are replaced in one store transaction; passages
and everything else stay, so the search index needs nothing. Curations name documents and
concepts, not mention nodes, so they hold across it (kg.curation).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ingest.extract import EXTRACTOR_VERSION, extract_mentions
from ingest.lexicon import Lexicon
from ingest.model import Author, Document, Evidence, Mention, Passage, Reference, Section
from kg import shape
from kg.model import EXTRACTOR, mention_quads, place_quads
from kg.shape import BIRO, DCT, FABIO, FOAF, JJ, PROV, RDF, SCHEMA, GraphView, in_order
from kg.store import GraphStore, quad_data

_LINKS = {link.value for link in shape.MENTION_LINKS.values()}


@dataclass(slots=True)
class Change:
    """What re-extracting one study changed, per mention kind, as `kind:id[ (role)]`."""

    document: str
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    mentions: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {"document": self.document, "added": self.added, "removed": self.removed,
                "mentions": self.mentions, "seconds": round(self.seconds, 4),
                "extractor": EXTRACTOR_VERSION}  # fmt: skip


def stored_document(store: GraphStore, doc_id: str) -> Document | None:
    """The Document as the store holds it, text rebuilt from the passages; None if absent."""
    quads = store.document_quads(doc_id)
    if not quads:
        return None
    graph = GraphView(quads)
    d = graph.node(shape.doc_iri(doc_id))
    passages = sorted(
        (
            Passage(
                index=n.int(JJ["index"]) or 0, text=n.one(RDF.value) or "",
                start=n.int(shape.OA.start) or 0, end=n.int(shape.OA.end) or 0,
                page=n.int(JJ.page) or 1, section=n.one(JJ.section) or "body",
            )
            for n in graph.of_type(JJ.Passage)
        ),
        key=lambda p: p.index,
    )  # fmt: skip
    authors = []
    for role in in_order(graph.linked(d, JJ.authorship)):
        agents = graph.linked(role, JJ.agent)
        name = (agents[0].one(FOAF.name) if agents else None) or ""
        authors.append(Author(name, role.one(SCHEMA.affiliation)))
    abstracts = {
        (t.language or "id"): t.value for t in d.all(DCT.abstract) if isinstance(t, ox.Literal)
    }
    title = d.one(DCT.title) or ""
    text, sections = _text_of(passages, title, authors)
    doc = Document(
        id=doc_id, sha256=d.one(JJ.contentHash) or "", filename=d.one(JJ.sourceFilename) or "",
        text=text, page_starts=_page_starts(passages, d.int(JJ.pageCount) or 1, len(text)),
        title=title, year=d.int(FABIO.hasPublicationYear), language=d.one(DCT.language) or "id",
        kind=(d.one(JJ.kind) or "other"),  # type: ignore[arg-type]
        authors=authors, abstracts=abstracts, keywords=d.values(SCHEMA.keywords),
        sections=sections, passages=passages,
        references=[
            Reference(r.one(DCT.bibliographicCitation) or "",
                      tuple(r.values(JJ.citationAuthor)), r.int(JJ.citationYear), r.one(DCT.title))
            for r in in_order(graph.linked(d, BIRO.hasReference))
        ],
        source_format="record" if d.one(JJ.sourceFormat) == "record" else "pdf",
    )  # fmt: skip
    return doc


def _text_of(
    passages: list[Passage], title: str, authors: list[Author]
) -> tuple[str, list[Section]]:
    """Passages at their offsets (padded with spaces), front matter before the first one, and
    one section per run of passages of the same kind."""
    length = max((p.end for p in passages), default=0)
    chars = [" "] * length
    for p in passages:
        piece = p.text[: max(0, p.end - p.start)]
        chars[p.start : p.start + len(piece)] = piece
        if p.end - 1 > p.start:
            chars[p.end - 1] = "\n"  # a passage ends a paragraph: sentences never run across
    sections: list[Section] = []
    first = passages[0].start if passages else 0
    lines = [title] + [a.affiliation for a in authors if a.affiliation]
    front = "\n".join(line for line in lines if line) + "\n"
    if len(front) < first:
        chars[: len(front)] = front
        sections.append(Section("front", "front", 0, len(front)))
    for p in passages:
        if sections and sections[-1].kind == p.section and sections[-1].kind != "front":
            last = sections[-1]
            sections[-1] = Section(last.title, last.kind, last.start, p.end)
        else:
            sections.append(Section(p.section, p.section, p.start, p.end))
    return "".join(chars), sections


def _page_starts(passages: list[Passage], pages: int, length: int) -> list[int]:
    """The first offset of each page, such that every passage starts on its stored page."""
    starts = [0] * max(pages, 1)
    for page in range(2, len(starts) + 1):
        later = [p.start for p in passages if p.page >= page]
        starts[page - 1] = min(later) if later else length
    for i in range(1, len(starts)):  # never decreasing
        starts[i] = max(starts[i], starts[i - 1])
    return starts


def _old_mention_quads(store: GraphStore, doc_id: str) -> list[ox.Quad]:
    graph = shape.doc_iri(doc_id)
    quads = [q for q in store.document_quads(doc_id) if isinstance(q.subject, ox.NamedNode)]
    discovered = {q.subject for q in quads if q.predicate == JJ.discovered}
    return [
        q for q in quads
        if shape.is_mention_node(doc_id, q.subject)  # type: ignore[arg-type]
        or (q.subject == graph and (q.predicate.value in _LINKS or q.predicate == PROV.wasGeneratedBy))
        or q.subject in discovered
    ]  # fmt: skip


def _mention_keys(quads: list[ox.Quad]) -> set[tuple[str, str]]:
    """(kind, `id[ (role)]`) of the mentions among quads."""
    graph = GraphView(quads)
    keys = set()
    for node in shape.mention_nodes(graph):
        kind, concept, role = (
            node.one(JJ.mentionType),
            node.one(shape.OA.hasBody),
            node.one(JJ.role),
        )
        if kind and concept:
            keys.add((kind, shape.concept_id(concept) + (f" ({role})" if role else "")))
    return keys


def reextract(store: GraphStore, lexicon: Lexicon, doc_id: str) -> Change | None:
    """Run the current extractor over one stored study and replace its mentions in one
    transaction; None if there is no such study. The caller holds the writer lock."""
    started = time.perf_counter()
    doc = stored_document(store, doc_id)
    if doc is None:
        return None
    doc.mentions = extract_mentions(doc, lexicon)
    old = _old_mention_quads(store, doc_id)
    graph = shape.doc_iri(doc_id)
    new = [*mention_quads(doc), ox.Quad(graph, PROV.wasGeneratedBy, EXTRACTOR, graph)]
    before, after = _mention_keys(old), _mention_keys(new)
    change = Change(doc_id, mentions=len(doc.mentions))
    added: dict[str, list[str]] = defaultdict(list)
    removed: dict[str, list[str]] = defaultdict(list)
    for kind, key in sorted(after - before):
        added[kind].append(key)
    for kind, key in sorted(before - after):
        removed[kind].append(key)
    change.added, change.removed = dict(added), dict(removed)
    old_set = set(old)
    unchanged = old_set & set(new)
    deletes = " ".join(quad_data(q) for q in old if q not in unchanged)
    inserts = " ".join(quad_data(q) for q in [*new, *place_quads(doc)] if q not in unchanged)
    store.update(f"DELETE DATA {{ {deletes} }} ; INSERT DATA {{ {inserts} }}")
    change.seconds = time.perf_counter() - started
    return change


# --- graph shape migration ------------------------------------------------------------------
_OLD_SHAPE = (
    shape.PROLOGUE
    + f"""SELECT ?g WHERE {{ GRAPH ?g {{ ?g jj:contentHash ?h
  FILTER NOT EXISTS {{ ?g jj:graphShape ?shape FILTER(?shape >= {shape.GRAPH_SHAPE}) }} }} }}"""
)


def _stored_mentions(graph: GraphView) -> list[Mention]:
    """The mentions as a graph of any shape holds them, in the extractor's order."""
    mentions = []
    discovered = {n.iri for n in graph.nodes() if n.all(JJ.discovered)}
    for node in in_order(shape.mention_nodes(graph)):
        kind, concept = node.one(JJ.mentionType), node.one(shape.OA.hasBody)
        if kind is None or concept is None:
            continue
        evidence = []
        for target in in_order(graph.linked(node, shape.OA.hasTarget)):
            fragment = shape.parse_quote_target(target.iri)
            selectors = graph.linked(target, shape.OA.hasSelector)
            where = selectors[0] if selectors else target
            start, end = where.int(shape.OA.start) or 0, where.int(shape.OA.end) or 0
            if fragment is not None:  # already shape 2: offsets from the passage
                offset = graph.node(fragment[0]).int(shape.OA.start) or 0
                start, end = offset + fragment[1], offset + fragment[2]
            one = shape.Node("", {shape.OA.hasTarget.value: [ox.NamedNode(target.iri)]})
            item = shape.evidence_of(graph, one)[0]
            evidence.append(Evidence(
                page=int(item["page"] or 1), quote=str(item["quote"]),  # type: ignore[call-overload]
                start=start, end=end, section=str(item["section"] or ""),
            ))  # fmt: skip
        ordered = node.one(JJ.citationAuthorList)
        mentions.append(Mention(
            type=kind,  # type: ignore[arg-type]
            concept=concept, label=node.one(shape.SKOS.prefLabel) or "", evidence=evidence,
            role=node.one(JJ.role), name=shape.mention_name(node),
            authors=tuple(ordered.split("; ") if ordered else node.values(JJ.citationAuthor)),
            year=node.int(JJ.citationYear), discovered=concept in discovered,
            method=node.one(JJ.extractionMethod) or "rule",  # type: ignore[arg-type]
            confidence=shape.confidence_of(node) or 1.0,
        ))  # fmt: skip
    return mentions


def migrate_shape(store: GraphStore) -> int:
    """Rewrite the studies whose graphs are of an older shape (kg.shape.GRAPH_SHAPE) into the
    current one, from what they hold: the same mentions and evidence, nothing re-extracted.
    Run at start (api.workspace); the number of studies rewritten."""
    rows = store.select(_OLD_SHAPE)
    for row in rows:
        doc_id = shape.doc_id_of(row["g"])
        doc = stored_document(store, doc_id)
        if doc is None:
            continue
        g = shape.doc_iri(doc_id)
        quads = store.document_quads(doc_id)
        doc.mentions = _stored_mentions(GraphView(quads))
        deletes = [
            q for q in quads
            if shape.is_mention_node(doc_id, q.subject)  # type: ignore[arg-type]
            or q.predicate == JJ.graphShape
        ]  # fmt: skip
        shaped = ox.Quad(g, JJ.graphShape, shape.integer(shape.GRAPH_SHAPE), g)
        inserts = [*mention_quads(doc), shaped]
        store.update(
            f"DELETE DATA {{ {' '.join(quad_data(q) for q in deletes)} }} ; "
            f"INSERT DATA {{ {' '.join(quad_data(q) for q in inserts)} }}"
        )
    return len(rows)
