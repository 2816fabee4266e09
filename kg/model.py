"""Document + mentions -> RDF quads in the document's own named graph.

Standard vocabularies carry what they can: FaBiO/BIBO for the study, Dublin Core for its
metadata, CiTO for what it cites, W3C Web Annotation for every mention and its evidence,
schema.org for places. Our namespace only says what none of them does (reportsObstacle, …).

Shared nodes (cited works, places, authors) get IRIs from stable keys, so two studies that
cite Notoatmodjo (2010) or study Kabupaten Lingga meet on one node.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from ingest.model import Document, Mention, Reference
from ingest.places import region_by_code
from ingest.references import family_name, work_key
from kg import namespaces as ns

EXTRACTOR = NamedNode(ns.BASE + "agent/extractor/0.1")
XSD_INT = NamedNode(str(ns.XSD.integer))
XSD_YEAR = NamedNode(str(ns.XSD.gYear))
XSD_BOOL = NamedNode(str(ns.XSD.boolean))
PLACES_GRAPH = NamedNode(str(ns.PLACES_GRAPH))

KIND_TYPES = {
    "article": (ns.FABIO.JournalArticle, ns.BIBO.AcademicArticle),
    "thesis": (ns.FABIO.Thesis, ns.BIBO.Thesis),
    "report": (ns.FABIO.ReportDocument, ns.BIBO.Report),
    "other": (ns.FABIO.Expression, ns.BIBO.Document),
}
LINK_BY_TYPE_ROLE = {
    ("stakeholder", None): ns.JJ.involvesStakeholder,
    ("theory", "framework"): ns.JJ.usesTheory,
    ("theory", "cited"): ns.JJ.citesTheory,
    ("method", "cited"): ns.JJ.usesMethod,
    ("obstacle", None): ns.JJ.reportsObstacle,
    ("place", "studied"): ns.JJ.studiesPlace,
    ("place", "mentioned"): ns.JJ.mentionsPlace,
}


def n(iri: object) -> NamedNode:
    if isinstance(iri, NamedNode):
        return iri
    return NamedNode(str(iri))


def text(value: str, language: str | None = None) -> Literal:
    return Literal(value, language=language) if language else Literal(value)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INT)


def slug(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"


def work_iri(key: str) -> str:
    return f"{ns.WORK}{key}"


def document_quads(doc: Document) -> list[Quad]:
    """Every quad of one document, all in its named graph (the document IRI)."""
    graph = n(ns.doc_iri(doc.id))
    return [Quad(s, p, o, graph) for s, p, o in _triples(doc)]


def place_quads(doc: Document) -> list[Quad]:
    """The regions a document names, with their parents, for the shared places graph."""
    codes: set[str] = set()
    for mention in doc.mentions:
        if mention.type == "place" and mention.code:
            codes.add(mention.code)
            codes.update(mention.parent_codes)
    quads = []
    for code in sorted(codes):
        region = region_by_code(code)
        if region is None:
            continue
        node = n(ns.place_iri(code))
        for p, o in (
            (ns.RDF.type, n(ns.SCHEMA.AdministrativeArea)),
            (ns.SCHEMA.name, text(region.name)),
            (ns.SKOS.prefLabel, text(region.name, "id")),
            (ns.JJ.kemendagriCode, text(code)),
            (ns.JJ.adminLevel, text(region.level_name)),
        ):
            quads.append(Quad(node, n(p), o, PLACES_GRAPH))
        for parent in region.parents:
            quads.append(
                Quad(node, n(ns.SCHEMA.containedInPlace), n(ns.place_iri(parent)), PLACES_GRAPH)
            )
    return quads


def _triples(doc: Document) -> Iterator[tuple[NamedNode, NamedNode, object]]:
    d = n(ns.doc_iri(doc.id))
    for rdf_type in KIND_TYPES.get(doc.kind, KIND_TYPES["other"]):
        yield d, n(ns.RDF.type), n(rdf_type)
    yield d, n(ns.DCTERMS.identifier), text(doc.id)
    yield d, n(ns.DCTERMS.title), text(doc.title, doc.language)
    yield d, n(ns.DCTERMS.language), text(doc.language)
    yield d, n(ns.JJ.kind), text(doc.kind)
    yield d, n(ns.JJ.sourceFilename), text(doc.filename)
    yield d, n(ns.JJ.contentHash), text(doc.sha256)
    yield d, n(ns.JJ.pageCount), integer(doc.pages)
    yield d, n(ns.JJ.sourceFormat), text(doc.source_format)
    yield d, n(ns.PROV.wasGeneratedBy), EXTRACTOR
    if doc.year:
        yield d, n(ns.FABIO.hasPublicationYear), Literal(str(doc.year), datatype=XSD_YEAR)
    for language, abstract in doc.abstracts.items():
        yield d, n(ns.DCTERMS.abstract), text(abstract, language)
    for keyword in doc.keywords:
        yield d, n(ns.SCHEMA.keywords), text(keyword)
    yield from _authors(doc, d)
    own_key = work_key([a.name for a in doc.authors], doc.year)
    if own_key:
        yield d, n(ns.FRBR.realizationOf), n(work_iri(own_key))
    yield from _passages(doc, d)
    for index, mention in enumerate(doc.mentions):
        yield from _mention(doc, d, index, mention)
    for index, reference in enumerate(doc.references):
        yield from _reference(d, index, reference)


def _authors(doc: Document, d: NamedNode) -> Iterator[tuple[NamedNode, NamedNode, object]]:
    for position, author in enumerate(doc.authors, start=1):
        person = n(f"{ns.PERSON}{slug(author.name)}")
        role = n(f"{d.value}/author/{position}")
        yield d, n(ns.DCTERMS.creator), person
        yield person, n(ns.RDF.type), n(ns.FOAF.Person)
        yield person, n(ns.FOAF.name), text(author.name)
        yield d, n(ns.JJ.authorship), role
        yield role, n(ns.JJ.position), integer(position)
        yield role, n(ns.JJ.agent), person
        if author.affiliation:
            yield role, n(ns.SCHEMA.affiliation), text(author.affiliation)


def _passages(doc: Document, d: NamedNode) -> Iterator[tuple[NamedNode, NamedNode, object]]:
    for passage in doc.passages:
        p = n(f"{d.value}/passage/{passage.index}")
        yield p, n(ns.RDF.type), n(ns.JJ.Passage)
        yield p, n(ns.DCTERMS.isPartOf), d
        yield p, n(ns.JJ["index"]), integer(passage.index)
        yield p, n(ns.RDF.value), text(passage.text)
        yield p, n(ns.JJ.page), integer(passage.page)
        yield p, n(ns.JJ.section), text(passage.section)
        yield p, n(ns.OA.start), integer(passage.start)
        yield p, n(ns.OA.end), integer(passage.end)


def passage_index_at(doc: Document, offset: int) -> int | None:
    for passage in doc.passages:
        if passage.start <= offset < passage.end:
            return passage.index
    return None


def _mention(
    doc: Document, d: NamedNode, index: int, mention: Mention
) -> Iterator[tuple[NamedNode, NamedNode, object]]:
    concept = n(mention.concept)
    link = LINK_BY_TYPE_ROLE.get((mention.type, mention.role)) or LINK_BY_TYPE_ROLE.get(
        (mention.type, None)
    )
    if link is not None:
        yield d, n(link), concept
    a = n(f"{d.value}/mention/{index}")
    yield a, n(ns.RDF.type), n(ns.OA.Annotation)
    yield a, n(ns.OA.motivatedBy), n(ns.OA.identifying)
    yield a, n(ns.OA.hasBody), concept
    yield a, n(ns.JJ.mentionType), text(mention.type)
    yield a, n(ns.SKOS.prefLabel), text(mention.label)
    yield a, n(ns.PROV.wasGeneratedBy), EXTRACTOR
    if mention.role:
        yield a, n(ns.JJ.role), text(mention.role)
    if mention.name:
        yield a, n(ns.SCHEMA.name), text(mention.name)
    if mention.year:
        yield a, n(ns.JJ.citationYear), integer(mention.year)
    for author in mention.authors:
        yield a, n(ns.JJ.citationAuthor), text(author)
    if mention.discovered:
        yield concept, n(ns.RDF.type), n(ns.SKOS.Concept)
        yield concept, n(ns.SKOS.inScheme), n(ns.JJ.StakeholderScheme)
        yield concept, n(ns.SKOS.prefLabel), text(mention.name or mention.label, "id")
        yield concept, n(ns.JJ.acronym), text(mention.label)
        yield concept, n(ns.JJ.discovered), Literal("true", datatype=XSD_BOOL)
    for k, evidence in enumerate(mention.evidence):
        e = n(f"{a.value}/evidence/{k}")
        selector = n(f"{e.value}/selector")
        yield a, n(ns.OA.hasTarget), e
        yield e, n(ns.RDF.type), n(ns.OA.SpecificResource)
        yield e, n(ns.OA.hasSource), d
        yield e, n(ns.JJ.page), integer(evidence.page)
        yield e, n(ns.JJ.position), integer(k)
        if evidence.section:
            yield e, n(ns.JJ.section), text(evidence.section)
        passage = passage_index_at(doc, evidence.start) if evidence.end > evidence.start else None
        if passage is not None:
            yield e, n(ns.JJ.passage), n(f"{d.value}/passage/{passage}")
        yield e, n(ns.OA.hasSelector), selector
        yield selector, n(ns.RDF.type), n(ns.OA.TextQuoteSelector)
        yield selector, n(ns.OA.exact), text(evidence.quote)
        yield selector, n(ns.OA.start), integer(evidence.start)
        yield selector, n(ns.OA.end), integer(evidence.end)


def _reference(
    d: NamedNode, index: int, reference: Reference
) -> Iterator[tuple[NamedNode, NamedNode, object]]:
    r = n(f"{d.value}/reference/{index}")
    yield r, n(ns.RDF.type), n(ns.BIRO.BibliographicReference)
    yield d, n(ns.BIRO.hasReference), r
    yield r, n(ns.JJ.position), integer(index)
    yield r, n(ns.DCTERMS.bibliographicCitation), text(reference.raw)
    for author in reference.authors:
        yield r, n(ns.JJ.citationAuthor), text(author)
    if reference.year:
        yield r, n(ns.JJ.citationYear), integer(reference.year)
    if reference.title:
        yield r, n(ns.DCTERMS.title), text(reference.title)
    key = work_key(reference.authors, reference.year)
    if key:
        w = n(work_iri(key))
        yield r, n(ns.BIRO.references), w
        yield d, n(ns.CITO.cites), w
        yield w, n(ns.RDF.type), n(ns.FABIO.Work)
        yield w, n(ns.JJ.citationAuthor), text(family_name(reference.authors[0]))
        if reference.year:
            yield w, n(ns.JJ.citationYear), integer(reference.year)
        if reference.title:
            yield w, n(ns.DCTERMS.title), text(reference.title)
