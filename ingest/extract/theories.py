"""Theories and methods: author–year citations ("Ansell dan Gash (2007)", "(Notoatmodjo,
2010: 253)", "menurut Notoatmodjo") and theory names, tied to concepts of the scheme.

A theory is the study's `framework` when a sentence citing it says the study uses it
("menggunakan teori …", "digunakan sebagai landasan", "using the … model"), or when the
study organises its findings by several of the theory's dimensions; otherwise `cited`.
"""

from __future__ import annotations

import re

from ingest.extract.common import Scope, add_evidence, quote_evidence
from ingest.lexicon import Concept, Lexicon, phrase_pattern
from ingest.model import Document, Mention

_YEAR_AFTER = re.compile(r"^[^.;]{0,60}?\b((?:19|20)\d{2})\b")
_ET_AL = re.compile(r"^\s*,?\s*(?:et\.?\s*al|dkk|dan kawan-kawan)", re.IGNORECASE)
# Sections where using a theory's dimensions shows it is the study's lens.
_FINDING_SECTIONS = {"abstract", "results", "conclusion", "body"}
MIN_DIMENSIONS = 3


def extract_theories(doc: Document, scope: Scope, lexicon: Lexicon) -> list[Mention]:
    framework_cue = lexicon.cue_pattern("frameworkCue")
    concepts = lexicon.in_scheme("theory") + lexicon.in_scheme("method")
    citations = {c.iri: list(_citations(doc, scope, c)) for c in concepts}
    # A sentence citing one theory's authors names that theory, even in another's words
    # ("collaborative governance dari Emerson, Nabatchi dan Balogh").
    cited_sentences: dict[int, set[str]] = {}
    for iri, hits in citations.items():
        for start, _, _ in hits:
            sentence = scope.sentence_at(start)
            if sentence:
                cited_sentences.setdefault(sentence[0], set()).add(iri)
    mentions: list[Mention] = []
    for concept in concepts:
        named = [
            hit
            for hit in _named(doc, scope, concept, framework_cue)
            if not (cited_sentences.get(_sentence_start(scope, hit[0]), set()) - {concept.iri})
        ]
        mention = _mention(doc, scope, concept, citations[concept.iri] + named, framework_cue)
        if mention is not None:
            mentions.append(mention)
    return mentions


def _sentence_start(scope: Scope, offset: int) -> int:
    sentence = scope.sentence_at(offset)
    return sentence[0] if sentence else -1


def _mention(
    doc: Document,
    scope: Scope,
    concept: Concept,
    hits: list[tuple[int, int, int | None]],
    framework_cue: re.Pattern[str],
) -> Mention | None:
    if not hits:
        return None
    hits.sort()
    is_framework = False
    years: list[int] = []
    mention = Mention(
        type="theory" if concept.scheme == "theory" else "method",
        concept=concept.iri,
        label=concept.label("en"),
        authors=concept.citation_authors,
    )
    for start, end, year in hits:
        if year:
            years.append(year)
        sentence = scope.sentence_at(start)
        if sentence and framework_cue.search(doc.text, sentence[0], sentence[1]):
            is_framework = True
        add_evidence(mention, quote_evidence(doc, scope, start, end))
    if concept.scheme == "theory" and not is_framework:
        is_framework = _uses_dimensions(doc, scope, concept)
    mention.year = (
        min(years) if years else (concept.citation_years[0] if concept.citation_years else None)
    )
    mention.role = "framework" if is_framework and concept.scheme == "theory" else "cited"
    return mention


def _citations(doc: Document, scope: Scope, concept: Concept):
    """Spans where the concept's first author is cited (with the co-authors it needs)."""
    if not concept.citation_authors:
        return
    first = concept.citation_authors[0]
    others = concept.citation_authors[1:]
    pattern = re.compile(rf"\b{re.escape(first)}\b")
    for start, end, _section in scope.sentences:
        for m in pattern.finditer(doc.text, start, end):
            after = doc.text[m.end() : min(end, m.end() + 80)]
            if others and not _has_coauthors(after, others):
                continue
            year_match = _YEAR_AFTER.match(after)
            year = int(year_match.group(1)) if year_match else None
            # The same surname with a year the scheme does not know is another work.
            if year and concept.citation_years and not _year_known(year, concept.citation_years):
                continue
            yield m.start(), m.end(), year


def _has_coauthors(after: str, others: tuple[str, ...]) -> bool:
    window = after[:60]
    return bool(re.search(rf"\b{re.escape(others[0])}\b", window)) or bool(_ET_AL.match(window))


def _year_known(year: int, known: tuple[int, ...]) -> bool:
    # Reprints and new editions: allow a few years of drift from a known edition.
    return any(abs(year - k) <= 3 for k in known)


def _named(doc: Document, scope: Scope, concept: Concept, framework_cue: re.Pattern[str]):
    """The theory named without an author counts where the study says it uses it."""
    labels = [lbl for lbl in concept.labels if len(lbl) > 8]
    if not labels:
        return
    pattern = phrase_pattern(labels)
    for start, end, _section in scope.sentences:
        if not framework_cue.search(doc.text, start, end):
            continue
        for m in pattern.finditer(doc.text, start, end):
            yield m.start(), m.end(), None


def _uses_dimensions(doc: Document, scope: Scope, concept: Concept) -> bool:
    if len(concept.dimensions) < MIN_DIMENSIONS:
        return False
    pattern = phrase_pattern([d for d in concept.dimensions if len(d) > 4])
    seen: set[str] = set()
    for start, end, section in scope.sentences:
        if section not in _FINDING_SECTIONS:
            continue
        for m in pattern.finditer(doc.text, start, end):
            seen.add(" ".join(m.group().lower().split()))
    return len(seen) >= MIN_DIMENSIONS
