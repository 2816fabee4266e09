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

from ingest.extract import EXTRACTOR_VERSION
from ingest.model import Document, Mention, Reference
from ingest.places import region_by_code
from ingest.references import family_name, work_key
from kg import shape
from kg.shape import (
    BIBO,
    BIRO,
    CITO,
    DCT,
    FABIO,
    FOAF,
    FRBR,
    JJ,
    OA,
    PLACES_GRAPH,
    PROV,
    RDF,
    SCHEMA,
    SKOS,
    integer,
    text,
)  # fmt: skip

EXTRACTOR = shape.extractor_iri(EXTRACTOR_VERSION)

KIND_TYPES = {
    "article": (FABIO.JournalArticle, BIBO.AcademicArticle),
    "thesis": (FABIO.Thesis, BIBO.Thesis),
    "report": (FABIO.ReportDocument, BIBO.Report),
    "other": (FABIO.Expression, BIBO.Document),
}
LINK_BY_TYPE_ROLE = shape.MENTION_LINKS
# The scheme a concept found in a study (not in our vocabulary) joins, by mention type.
DISCOVERED_SCHEMES = {"stakeholder": JJ.StakeholderScheme, "theory": JJ.TheoryScheme}
Triple = tuple[NamedNode, NamedNode, NamedNode | Literal]


def slug(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"


def document_quads(doc: Document) -> list[Quad]:
    """Every quad of one document, all in its named graph (the document IRI)."""
    graph = shape.doc_iri(doc.id)
    return [Quad(s, p, o, graph) for s, p, o in _triples(doc)]


def mention_quads(doc: Document) -> list[Quad]:
    """The quads of the document's mentions alone (links, annotations with their evidence,
    discovered concepts): what `jejaring reextract` replaces (kg.reextract)."""
    graph = shape.doc_iri(doc.id)
    return [
        Quad(s, p, o, graph)
        for index, mention in enumerate(doc.mentions)
        for s, p, o in _mention(doc, graph, index, mention)
    ]


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
        node = shape.place_iri(code)
        for p, o in (
            (RDF.type, SCHEMA.AdministrativeArea),
            (SCHEMA.name, text(region.name)),
            (SKOS.prefLabel, text(region.name, "id")),
            (JJ.kemendagriCode, text(code)),
            (JJ.adminLevel, text(region.level_name)),
        ):
            quads.append(Quad(node, p, o, PLACES_GRAPH))
        for parent in region.parents:
            quads.append(Quad(node, SCHEMA.containedInPlace, shape.place_iri(parent), PLACES_GRAPH))
    return quads


def _triples(doc: Document) -> Iterator[Triple]:
    d = shape.doc_iri(doc.id)
    for rdf_type in KIND_TYPES.get(doc.kind, KIND_TYPES["other"]):
        yield d, RDF.type, rdf_type
    yield d, DCT.identifier, text(doc.id)
    yield d, DCT.title, text(doc.title, doc.language)
    yield d, DCT.language, text(doc.language)
    yield d, JJ.kind, text(doc.kind)
    yield d, JJ.sourceFilename, text(doc.filename)
    yield d, JJ.contentHash, text(doc.sha256)
    yield d, JJ.pageCount, integer(doc.pages)
    yield d, JJ.sourceFormat, text(doc.source_format)
    yield d, PROV.wasGeneratedBy, EXTRACTOR
    if doc.year:
        yield d, FABIO.hasPublicationYear, shape.year(doc.year)
    for language, abstract in doc.abstracts.items():
        yield d, DCT.abstract, text(abstract, language)
    for keyword in doc.keywords:
        yield d, SCHEMA.keywords, text(keyword)
    yield from _authors(doc, d)
    own_key = work_key([a.name for a in doc.authors], doc.year)
    if own_key:
        yield d, FRBR.realizationOf, shape.work_iri(own_key)
    yield from _passages(doc, d)
    for index, mention in enumerate(doc.mentions):
        yield from _mention(doc, d, index, mention)
    for index, reference in enumerate(doc.references):
        yield from _reference(doc.id, d, index, reference)


def _authors(doc: Document, d: NamedNode) -> Iterator[Triple]:
    for position, author in enumerate(doc.authors, start=1):
        person = shape.person_iri(slug(author.name))
        role = shape.author_role_iri(doc.id, position)
        yield d, DCT.creator, person
        yield person, RDF.type, FOAF.Person
        yield person, FOAF.name, text(author.name)
        yield d, JJ.authorship, role
        yield role, JJ.position, integer(position)
        yield role, JJ.agent, person
        if author.affiliation:
            yield role, SCHEMA.affiliation, text(author.affiliation)


def _passages(doc: Document, d: NamedNode) -> Iterator[Triple]:
    for passage in doc.passages:
        p = shape.passage_iri(doc.id, passage.index)
        yield p, RDF.type, JJ.Passage
        yield p, DCT.isPartOf, d
        yield p, JJ["index"], integer(passage.index)
        yield p, RDF.value, text(passage.text)
        yield p, JJ.page, integer(passage.page)
        yield p, JJ.section, text(passage.section)
        yield p, OA.start, integer(passage.start)
        yield p, OA.end, integer(passage.end)


def passage_index_at(doc: Document, offset: int) -> int | None:
    for passage in doc.passages:
        if passage.start <= offset < passage.end:
            return passage.index
    return None


def _mention(doc: Document, d: NamedNode, index: int, mention: Mention) -> Iterator[Triple]:
    concept = NamedNode(mention.concept)
    link = shape.mention_link(mention.type, mention.role)
    if link is not None:
        yield d, link, concept
    a = shape.mention_iri(doc.id, index)
    yield a, RDF.type, OA.Annotation
    yield a, JJ.position, integer(index)  # the order the extractor found them in, as data
    yield a, OA.motivatedBy, OA.identifying
    yield a, OA.hasBody, concept
    yield a, JJ.mentionType, text(mention.type)
    yield a, SKOS.prefLabel, text(mention.label)
    yield a, PROV.wasGeneratedBy, EXTRACTOR
    yield a, JJ.extractionMethod, text(mention.method)
    yield a, JJ.confidence, shape.decimal(mention.confidence)
    yield a, JJ.extractorVersion, text(EXTRACTOR_VERSION)
    if mention.role:
        yield a, JJ.role, text(mention.role)
    if mention.name:
        yield a, SCHEMA.name, text(mention.name)
    if mention.year:
        yield a, JJ.citationYear, integer(mention.year)
    for author in mention.authors:
        yield a, JJ.citationAuthor, text(author)
    if mention.authors:  # RDF values have no order: the order the study gives, as one list
        yield a, JJ.citationAuthorList, text("; ".join(mention.authors))
    if mention.discovered:
        scheme = DISCOVERED_SCHEMES.get(mention.type, JJ.StakeholderScheme)
        yield concept, RDF.type, SKOS.Concept
        yield concept, SKOS.inScheme, scheme
        yield concept, SKOS.prefLabel, text(mention.name or mention.label, "id")
        if mention.type == "stakeholder":
            yield concept, JJ.acronym, text(mention.label)
        yield concept, JJ.discovered, shape.boolean(True)
    for k, evidence in enumerate(mention.evidence):
        e = shape.evidence_iri(a, k)
        selector = shape.selector_iri(e)
        yield a, OA.hasTarget, e
        yield e, RDF.type, OA.SpecificResource
        yield e, OA.hasSource, d
        yield e, JJ.page, integer(evidence.page)
        yield e, JJ.position, integer(k)
        if evidence.section:
            yield e, JJ.section, text(evidence.section)
        passage = passage_index_at(doc, evidence.start) if evidence.end > evidence.start else None
        if passage is not None:
            yield e, JJ.passage, shape.passage_iri(doc.id, passage)
        yield e, OA.hasSelector, selector
        yield selector, RDF.type, OA.TextQuoteSelector
        yield selector, OA.exact, text(evidence.quote)
        yield selector, OA.start, integer(evidence.start)
        yield selector, OA.end, integer(evidence.end)


def _reference(doc_id: str, d: NamedNode, index: int, reference: Reference) -> Iterator[Triple]:
    r = shape.reference_iri(doc_id, index)
    yield r, RDF.type, BIRO.BibliographicReference
    yield d, BIRO.hasReference, r
    yield r, JJ.position, integer(index)
    yield r, DCT.bibliographicCitation, text(reference.raw)
    for author in reference.authors:
        yield r, JJ.citationAuthor, text(author)
    if reference.year:
        yield r, JJ.citationYear, integer(reference.year)
    if reference.title:
        yield r, DCT.title, text(reference.title)
    key = work_key(reference.authors, reference.year)
    if key:
        w = shape.work_iri(key)
        yield r, BIRO.references, w
        yield d, CITO.cites, w
        yield w, RDF.type, FABIO.Work
        yield w, JJ.citationAuthor, text(family_name(reference.authors[0]))
        if reference.year:
            yield w, JJ.citationYear, integer(reference.year)
        if reference.title:
            yield w, DCT.title, text(reference.title)
