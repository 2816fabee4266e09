"""Concepts and their labels as plain data, and a matcher that finds the labels in text.

kg.vocabulary builds a Lexicon from the SKOS Turtle files; ingest only sees this plain form,
so extraction stays free of RDF. Matching rules:
- a label written in capitals and digits (an acronym: "P2TP2A", "UPTD PPA", "SDM") matches
  case-sensitively on word boundaries, so "LPA" is not found inside "lapangan";
- any other label matches case-insensitively, with any run of spaces or a line break between
  words, "dan" / "&" / "and" interchangeable, and an optional hyphen where the label has one;
- with `tolerant=True`, a run of one to three words that no label matches still matches a
  label of six letters or more written with its spaces dropped ("sumberdaya manusia"), and a
  single word matches a one-word label one letter off ("kordinasi", "anggran"; two letters
  for words of twelve or more) when its first letter and last two letters agree, so that
  suffixed words ("pendampingan" against "pendamping") stay apart;
- with `tolerant=True`, a word with the possessive suffix -nya matches its one-word label;
- with or without it, a reduplicated plural ("pulau-pulau") matches its one-word label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


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
    # Regular expressions (case-insensitive) for what no fixed label says: an obstacle told as
    # its effect in any wording ("memilih tidak melapor", "can only be reached by boat").
    patterns: tuple[str, ...] = ()

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
    _compiled: dict[str, list[tuple[re.Pattern[str], str]]] = field(default_factory=dict)

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

    def patterns(self, scheme: str) -> list[tuple[re.Pattern[str], str]]:
        """Each concept's jj:matchPattern, compiled once: (pattern, concept IRI)."""
        key = "patterns:" + scheme
        if key not in self._compiled:
            self._compiled[key] = [
                (re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE), c.iri)
                for c in self.in_scheme(scheme)
                for p in c.patterns
            ]
        return self._compiled[key]

    def cue_pattern(self, name: str) -> re.Pattern[str]:
        phrases = self.cues.get(name, ())
        return phrase_pattern(phrases)


@dataclass(frozen=True, slots=True)
class LabelHit:
    start: int
    end: int
    label: str
    iri: str
    method: str = "rule"  # "fuzzy" for a tolerant match, "pattern" for a jj:matchPattern


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
    return _phrase_pattern(tuple(phrases), plurals)


@lru_cache(maxsize=1024)
def _phrase_pattern(phrases: tuple[str, ...], plurals: bool) -> re.Pattern[str]:
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
        # Labels without spaces or hyphens, for tolerant matching: "sumberdayamanusia" -> iri.
        self._squashed: dict[str, str] = {}
        for label in folded:
            squashed = _squash(label)
            if len(squashed) >= TOLERANT_MIN_LETTERS:
                self._squashed.setdefault(squashed, self._iri_by_key[_key(label, exact=False)])
        # Candidates share the first letter and the last two: "kordinasi" -> ("k", "si").
        self._by_ends: dict[tuple[str, str], list[str]] = {}
        for label in folded:
            squashed = _squash(label)
            if len(squashed) < TOLERANT_MIN_LETTERS or re.search(r"[\s\-]", label.strip()):
                continue
            self._by_ends.setdefault((squashed[0], squashed[-2:]), []).append(squashed)
        self._near_cache: dict[str, str | None] = {}

    def finditer(
        self, text: str, start: int = 0, end: int | None = None, *, tolerant: bool = False
    ) -> Iterator[LabelHit]:
        end = len(text) if end is None else end
        hits: list[LabelHit] = []
        for pattern, exact in ((self._exact, True), (self._folded, False)):
            for m in pattern.finditer(text, start, end):
                iri = self._lookup(m.group(), exact=exact)
                if iri:
                    hits.append(LabelHit(m.start(), m.end(), m.group(), iri))
        # Indonesian plural by reduplication: "pulau-pulau", "kendala-kendala".
        for m in _REDUPLICATED.finditer(text, start, end):
            iri = self._lookup(m.group(1), exact=False)
            if iri:
                hits.append(LabelHit(m.start(), m.end(), m.group(), iri))
        if tolerant:
            hits += self._tolerant_hits(text, start, end, hits)
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        yield from _longest_first(hits)

    def _tolerant_hits(
        self, text: str, start: int, end: int, exact_hits: list[LabelHit]
    ) -> list[LabelHit]:
        words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text, start, end)]
        # Characters inside a label already found, word by word.
        covered: set[int] = set()
        for h in exact_hits:
            covered.update(range(h.start, h.end))
        found: list[LabelHit] = []
        for i in range(len(words)):
            key = ""
            for n in range(1, TOLERANT_MAX_WORDS + 1):
                if i + n > len(words):
                    break
                w_start, w_end, word = words[i][0], words[i + n - 1][1], words[i + n - 1][2]
                if n > 1 and not _SPACING.fullmatch(text, words[i + n - 2][1], words[i + n - 1][0]):
                    break  # a run of words stops at punctuation
                if w_start in covered or words[i + n - 1][0] in covered:
                    break
                key += word
                if len(key) < TOLERANT_MIN_LETTERS:
                    continue
                # One letter off only for a single word against a one-word label; a word with
                # the suffix -nya ("anggarannya", "koordinasinya") is its label.
                iri = self._squashed.get(key) or (self._near(key) if n == 1 else None)
                if iri is None and n == 1 and key.endswith("nya"):
                    iri = self._iri_by_key.get(key[:-3])
                if iri:
                    found.append(LabelHit(w_start, w_end, text[w_start:w_end], iri, "fuzzy"))
                    covered.update(range(w_start, w_end))
                    break
        return found

    def _near(self, key: str) -> str | None:
        if key not in self._near_cache:
            limit = 2 if len(key) >= 12 else 1
            candidates = [
                label
                for label in self._by_ends.get((key[0], key[-2:]), ())
                if abs(len(label) - len(key)) <= limit
            ]
            match = (
                process.extractOne(key, candidates, scorer=Levenshtein.distance, score_cutoff=limit)
                if candidates
                else None
            )
            self._near_cache[key] = self._squashed[match[0]] if match else None
        return self._near_cache[key]

    def _lookup(self, matched: str, *, exact: bool) -> str | None:
        key = _key(matched, exact=exact)
        iri = self._iri_by_key.get(key)
        if iri is None and not exact:
            # "hospitals" -> "hospital", "village heads" -> "village head"
            for cut in ("es", "s"):
                if key.endswith(cut) and (iri := self._iri_by_key.get(key[: -len(cut)])):
                    break
        return iri


TOLERANT_MIN_LETTERS = 6
TOLERANT_MAX_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+")
_REDUPLICATED = re.compile(r"(?<![\w-])([^\W\d_]{3,})-\1(?![\w-])", re.IGNORECASE)
_SPACING = re.compile(r"[\s\-]+")


def _squash(text: str) -> str:
    return re.sub(r"[\s\-]+", "", text.lower())


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
