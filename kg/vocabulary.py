"""SKOS Turtle files under kg/vocab -> the plain Lexicon that extraction uses.

A domain expert extends recognition by editing the Turtle files; nothing here lists labels.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.lexicon import Concept, Lexicon
from kg.namespaces import JJ, VOCAB_GRAPH

SCHEMES = {
    JJ.StakeholderScheme: "stakeholder",
    JJ.ObstacleScheme: "obstacle",
    JJ.TheoryScheme: "theory",
    JJ.MethodScheme: "method",
}
CUE_PROPERTIES = ("obstacleCue", "deficitCue", "nonFindingCue", "frameworkCue")


def vocab_dir() -> Path:
    return Path(str(resources.files("kg").joinpath("vocab")))


def load_graph(directory: Path | None = None) -> Graph:
    graph = Graph()
    for path in sorted((directory or vocab_dir()).glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=4)
def load_lexicon(directory: Path | None = None) -> Lexicon:
    return lexicon_from_graph(load_graph(directory))


def lexicon_from_graph(graph: Graph) -> Lexicon:
    lexicon = Lexicon()
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        if not isinstance(concept, URIRef):
            continue
        scheme = next(
            (
                SCHEMES[s]
                for s in graph.objects(concept, SKOS.inScheme)
                if isinstance(s, URIRef) and s in SCHEMES
            ),
            None,
        )
        if scheme is None:
            continue
        lexicon.concepts[str(concept)] = _concept(graph, concept, scheme)
    for scheme in SCHEMES:
        for name in CUE_PROPERTIES:
            phrases = [str(o) for o in graph.objects(scheme, JJ[name]) if isinstance(o, Literal)]
            if phrases:
                lexicon.cues[name] = tuple(sorted(set(lexicon.cues.get(name, ())) | set(phrases)))
    return lexicon


def _concept(graph: Graph, iri: URIRef, scheme: str) -> Concept:
    def literals(prop: URIRef) -> list[Literal]:
        return [o for o in graph.objects(iri, prop) if isinstance(o, Literal)]

    pref = {(lit.language or "id"): str(lit) for lit in literals(SKOS.prefLabel)}
    acronym = next((str(lit) for lit in literals(JJ.acronym)), None)
    labels = [
        str(lit) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel) for lit in literals(p)
    ]
    if acronym:
        labels.append(acronym)
    years = []
    for lit in literals(JJ.citationYear):
        try:
            years.append(int(lit))
        except (TypeError, ValueError):
            continue
    notation = next((str(lit) for lit in literals(SKOS.notation)), str(iri).rsplit("/", 1)[-1])
    return Concept(
        iri=str(iri),
        notation=notation,
        scheme=scheme,
        pref_labels=pref,
        labels=tuple(dict.fromkeys(labels)),
        acronym=acronym,
        match_policy=next((str(lit) for lit in literals(JJ.matchPolicy)), None),
        broader=tuple(str(b) for b in graph.objects(iri, SKOS.broader)),
        citation_authors=_cited_order(
            [str(lit) for lit in literals(JJ.citationAuthor)],
            [str(lit) for lit in literals(JJ.citationKey)],
        ),
        citation_keys=tuple(str(lit) for lit in literals(JJ.citationKey)),
        citation_years=tuple(sorted(years)),
        dimensions=tuple(str(lit) for lit in literals(JJ.dimension)),
        patterns=tuple(sorted(str(lit) for lit in literals(JJ.matchPattern))),
    )


def _cited_order(authors: list[str], keys: list[str]) -> tuple[str, ...]:
    """Authors in citation order: RDF has no order, the citation keys ("Ansell & Gash") do."""

    def position(author: str) -> int:
        found = [key.find(author) for key in keys if author in key]
        return min(found) if found else 10_000

    return tuple(sorted(authors, key=lambda a: (position(a), a)))


def vocabulary_quads(graph: Graph) -> list[ox.Quad]:
    """The schemes as quads of the store's vocabulary graph."""
    target = ox.NamedNode(str(VOCAB_GRAPH))
    return [ox.Quad(_term(s), _term(p), _term(o), target) for s, p, o in graph]  # type: ignore[arg-type]


def _term(term: object) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected RDF term {term!r}")
