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
from ingest.model import Document, Evidence, Mention, Reference
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
    yield d, PROV.wasGeneratedBy, EXTRACTOR  # of every mention in the study's graph
    yield d, JJ.graphShape, integer(shape.GRAPH_SHAPE)
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


def quote_target(doc: Document, evidence: Evidence) -> NamedNode | None:
    """The passage fragment (`passage/{i}#char=s,e`) that gives back this evidence exactly
    (its quote, page and section come from the passage), the title (`doc/{id}#title`) or an
    author's affiliation (their authorship node) it quotes whole; None when none does (a quote
    across passages, or in front matter): that evidence gets a node of its own."""
    if evidence.end <= evidence.start:  # the title or an address line, outside the text
        if evidence.page == 1 and evidence.section == "title" and evidence.quote == doc.title:
            return shape.title_target_iri(doc.id)
        if evidence.page == 1 and evidence.section == "affiliation":
            for position, author in enumerate(doc.authors, start=1):
                if author.affiliation == evidence.quote:
                    return shape.author_role_iri(doc.id, position)
        return None
    for passage in doc.passages:
        if not passage.start <= evidence.start < evidence.end <= passage.end:
            continue
        s, e = evidence.start - passage.start, evidence.end - passage.start
        if (
            shape.fragment_quote(passage.text, s, e) == evidence.quote
            and passage.page == evidence.page
            and passage.section == (evidence.section or passage.section)
        ):
            return shape.quote_target_iri(doc.id, passage.index, s, e)
        return None
    return None


def _mention(doc: Document, d: NamedNode, index: int, mention: Mention) -> Iterator[Triple]:
    """One oa:Annotation per mention. What is the same for every mention of the study (who
    extracted it, with which version, the motivation) is said once, on the study, and the
    confidence is its method's (kg.shape.confidence_of); the order is
    the index in the IRI; each piece of evidence is one `oa:hasTarget` to a passage fragment
    (kg.shape), or an evidence node where no fragment gives the quote back."""
    concept = NamedNode(mention.concept)
    link = shape.mention_link(mention.type, mention.role)
    if link is not None:
        yield d, link, concept
    a = shape.mention_iri(doc.id, index)
    yield a, OA.hasBody, concept
    yield a, JJ.mentionType, text(mention.type)
    yield a, SKOS.prefLabel, text(mention.label)
    yield a, JJ.extractionMethod, text(mention.method)
    if mention.role:
        yield a, JJ.role, text(mention.role)
    if mention.name and not (mention.type == "stakeholder" and mention.name == mention.label):
        yield a, SCHEMA.name, text(mention.name)  # else the label is the name (shape.mention_name)
    if mention.year:
        yield a, JJ.citationYear, integer(mention.year)
    # RDF values have no order: the authors in the order the study gives, as one list, and
    # not again one jj:citationAuthor each (nothing reads those when the list is there).
    if mention.authors:
        yield a, JJ.citationAuthorList, text("; ".join(mention.authors))
    if mention.discovered:
        scheme = DISCOVERED_SCHEMES.get(mention.type, JJ.StakeholderScheme)
        yield concept, RDF.type, SKOS.Concept
        yield concept, SKOS.inScheme, scheme
        yield concept, SKOS.prefLabel, text(mention.name or mention.label, "id")
        if mention.type == "stakeholder":
            yield concept, JJ.acronym, text(mention.label)
        yield concept, JJ.discovered, shape.boolean(True)
    # Evidence is read back in the order it comes in the study (kg.shape.evidence_of).
    for k, evidence in enumerate(mention.evidence):
        target = quote_target(doc, evidence)
        if target is not None:
            yield a, OA.hasTarget, target
            continue
        e = shape.evidence_iri(a, k)
        yield a, OA.hasTarget, e
        yield e, OA.exact, text(evidence.quote)
        yield e, JJ.page, integer(evidence.page)
        yield e, OA.start, integer(evidence.start)  # where it comes among the others
        yield e, OA.end, integer(evidence.end)
        if evidence.section:
            yield e, JJ.section, text(evidence.section)
        passage = passage_index_at(doc, evidence.start) if evidence.end > evidence.start else None
        if passage is not None:
            yield e, JJ.passage, shape.passage_iri(doc.id, passage)


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
