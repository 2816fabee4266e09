"""Concepts and their labels as plain data, and a matcher that finds the labels in text.

kg.vocabulary builds a Lexicon from the SKOS Turtle files; ingest only sees this plain form,
so extraction stays free of RDF. Matching rules:
- a label written in capitals and digits (an acronym: "P2TP2A", "UPTD PPA", "SDM") matches
  case-sensitively on word boundaries, so "LPA" is not found inside "lapangan";
- any other label matches case-insensitively, with any run of spaces or a line break between
  words, "dan" / "&" / "and" interchangeable, and an optional hyphen where the label has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Concept:
    iri: str
    notation: str  # local id: "p2tp2a", "funding", "collaborative_governance"
    scheme: str  # "stakeholder" | "obstacle" | "theory" | "method"
    pref_labels: dict[str, str]  # language -> label
    labels: tuple[str, ...]  # every label to match (pref, alt, hidden, acronym)
    acronym: str | None = None
    # "weak": a common word ("masyarakat") counted only where it acts; "inherent": a term
    # that is an obstacle wherever a finding names it ("ego sektoral").
    match_policy: str | None = None
    broader: tuple[str, ...] = ()
    citation_authors: tuple[str, ...] = ()
    citation_keys: tuple[str, ...] = ()
    citation_years: tuple[int, ...] = ()
    dimensions: tuple[str, ...] = ()

    @property
    def weak(self) -> bool:
        return self.match_policy == "weak"

    def label(self, language: str = "id") -> str:
        return self.pref_labels.get(language) or next(
            iter(self.pref_labels.values()), self.notation
        )


@dataclass(slots=True)
class Lexicon:
    concepts: dict[str, Concept] = field(default_factory=dict)  # by IRI
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # cue list name -> phrases
    _matchers: dict[str, LabelMatcher] = field(default_factory=dict)

    def in_scheme(self, scheme: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.scheme == scheme]

    def by_notation(self, scheme: str, notation: str) -> Concept | None:
        return next((c for c in self.in_scheme(scheme) if c.notation == notation), None)

    def matcher(self, scheme: str) -> LabelMatcher:
        if scheme not in self._matchers:
            self._matchers[scheme] = LabelMatcher(
                [
                    (label, c.iri)
                    for c in self.in_scheme(scheme)
                    if c.match_policy != "group"
                    for label in c.labels
                ]
            )
        return self._matchers[scheme]

    def cue_pattern(self, name: str) -> re.Pattern[str]:
        phrases = self.cues.get(name, ())
        return phrase_pattern(phrases)


@dataclass(frozen=True, slots=True)
class LabelHit:
    start: int
    end: int
    label: str
    iri: str


def is_acronym(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters) and len(label) <= 12


def label_regex(label: str) -> str:
    """Regex source for one label with flexible spacing, conjunctions and hyphens."""
    parts = []
    for token in re.split(r"\s+", label.strip()):
        if token.lower() in {"dan", "&", "and"}:
            parts.append(r"(?:dan|&|and)")
        else:
            parts.append(r"-?".join(re.escape(piece) for piece in token.split("-")))
    return r"[\s\-]+".join(parts)


def phrase_pattern(
    phrases: tuple[str, ...] | list[str], *, plurals: bool = False
) -> re.Pattern[str]:
    """Case-insensitive alternation of phrases; with `plurals`, English -s/-es endings too."""
    ordered = sorted({p for p in phrases if p.strip()}, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(label_regex(p) for p in ordered)
    ending = r"(?:e?s)?" if plurals else ""
    return re.compile(rf"(?<![\w-])(?:{body}){ending}(?![\w-])", re.IGNORECASE)


class LabelMatcher:
    """Finds every label of a set of concepts; the longest label wins where they overlap."""

    def __init__(self, labels: list[tuple[str, str]]) -> None:
        self._iri_by_key: dict[str, str] = {}
        exact: list[str] = []
        folded: list[str] = []
        for label, iri in labels:
            label = label.strip()
            if len(label) < 2:
                continue
            if is_acronym(label):
                self._iri_by_key.setdefault(_key(label, exact=True), iri)
                exact.append(label)
            else:
                self._iri_by_key.setdefault(_key(label, exact=False), iri)
                folded.append(label)
        self._exact = phrase_pattern_cased(exact)
        self._folded = phrase_pattern(folded, plurals=True)

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[LabelHit]:
        end = len(text) if end is None else end
        hits: list[LabelHit] = []
        for pattern, exact in ((self._exact, True), (self._folded, False)):
            for m in pattern.finditer(text, start, end):
                iri = self._lookup(m.group(), exact=exact)
                if iri:
                    hits.append(LabelHit(m.start(), m.end(), m.group(), iri))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        yield from _longest_first(hits)

    def _lookup(self, matched: str, *, exact: bool) -> str | None:
        key = _key(matched, exact=exact)
        iri = self._iri_by_key.get(key)
        if iri is None and not exact:
            # "hospitals" -> "hospital", "village heads" -> "village head"
            for cut in ("es", "s"):
                if key.endswith(cut) and (iri := self._iri_by_key.get(key[: -len(cut)])):
                    break
        return iri


def _longest_first(hits: list[LabelHit]) -> Iterator[LabelHit]:
    """Where labels overlap, the longest one that starts first wins."""
    last_end = -1
    for hit in hits:
        if hit.start >= last_end:
            last_end = hit.end
            yield hit


def phrase_pattern_cased(phrases: list[str]) -> re.Pattern[str]:
    ordered = sorted(set(phrases), key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(label_regex(p) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w])")


def _key(text: str, *, exact: bool) -> str:
    """How a matched span maps back to its label: spacing, hyphens and 'dan'/'&' ignored."""
    words = re.split(r"[\s\-]+", text.strip())
    words = ["&" if w.lower() in {"dan", "&", "and"} else w for w in words]
    joined = " ".join(w for w in words if w)
    return joined if exact else joined.lower()
