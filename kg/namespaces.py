"""IRIs used by the graph: standard vocabularies first, our own namespace for the rest."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

JJ = Namespace("https://w3id.org/jejaring/ns#")
BASE = "https://w3id.org/jejaring/"
DOC = Namespace(BASE + "doc/")
WORK = Namespace(BASE + "work/")
PLACE = Namespace(BASE + "place/")
PERSON = Namespace(BASE + "person/")
CONCEPT = Namespace(BASE + "concept/")
GRAPH = Namespace(BASE + "graph/")
VOCAB_GRAPH = GRAPH["vocabulary"]
PLACES_GRAPH = GRAPH["places"]

BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")
CITO = Namespace("http://purl.org/spar/cito/")
BIRO = Namespace("http://purl.org/spar/biro/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES = {
    "jj": JJ, "doc": DOC, "work": WORK, "place": PLACE, "dct": DCTERMS, "bibo": BIBO,
    "fabio": FABIO, "cito": CITO, "biro": BIRO, "frbr": FRBR, "oa": OA, "prov": PROV, "skos": SKOS,
    "schema": SCHEMA, "foaf": FOAF, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL,
    "stk": Namespace(BASE + "concept/stakeholder/"), "obs": Namespace(BASE + "concept/obstacle/"),
    "thy": Namespace(BASE + "concept/theory/"),
}  # fmt: skip


def sparql_prefixes() -> str:
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


def doc_iri(doc_id: str) -> str:
    return f"{DOC}{doc_id}"


def place_iri(code: str) -> str:
    return f"{PLACE}{code}"
