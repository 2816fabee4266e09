"""Obstacles the study reports, in the fixed categories of the obstacle scheme.

A sentence reports an obstacle when a category term sits next to a deficit word
("kurangnya koordinasi", "anggaran yang terbatas", "lack of trust") or follows an obstacle
word in the same clause ("Kendala tersebut adalah anggaran", "hambatan utama … mencakup
…"). Theory and method sections, recommendations ("perlu meningkatkan koordinasi") and
definitions are not findings and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.common import Scope, add_evidence, quote_evidence
from ingest.lexicon import LabelHit, Lexicon, phrase_pattern
from ingest.model import Document, Mention

FINDING_SECTIONS = {"abstract", "introduction", "results", "conclusion", "body", "other"}
# Words between a deficit word and its term ("kurangnya [tindakan] koordinasi") or between a
# term and a deficit word after it ("komunikasi yang [masih] terbatas").
DEFICIT_GAP_WORDS = 3
POSTPOSED_GAP_WORDS = 4
CUE_REACH_WORDS = 25
SUBJECT_GAP_WORDS = 8
# Adjectives that follow the noun in Indonesian: "anggaran yang terbatas", "SDM yang kurang".
_POSTPOSED = (
    "terbatas", "kurang", "minim", "rendah", "lemah", "belum optimal", "belum maksimal",
    "tidak memadai", "belum memadai", "tidak cukup", "belum cukup", "kekurangan", "tidak ada",
    "belum ada", "sangat terbatas", "masih kurang", "masih rendah", "masih lemah", "menghambat",
    "belum berjalan optimal", "belum berjalan maksimal", "belum berjalan dengan baik",
    "tidak berjalan optimal", "tidak berjalan dengan baik", "kurang optimal", "belum efektif",
    "lacking", "is limited", "are limited", "was limited", "is lacking", "are lacking",
    "is low", "is weak", "hindered",
)  # fmt: skip
_CLAUSE_BREAK = re.compile(r"[,;:]|\b(namun|tetapi|but|however|sedangkan|whereas)\b", re.I)
_CONJUNCTION = re.compile(r"\s*(?:,\s*)?(?:dan|serta|atau|and|or|&)?\s*(?:,\s*)?", re.I)
_PREPOSITION = re.compile(
    r"\s+(?:for|of|in|to|untuk|bagi|dalam|di|pada|dari)\s+(?:(?:the|a|an|para)\s+)?", re.I
)
_CONTRAST = re.compile(r"\b(namun|tetapi|akan tetapi|but|however|meskipun|walaupun)\b", re.I)
_GOING_WELL = re.compile(
    r"\b(sudah|telah)\s+(berjalan|terjalin|dilakukan)\s+(dengan\s+)?(baik|optimal|lancar)\b|"
    r"\b(went|worked|running)\s+well\b",
    re.IGNORECASE,
)


def extract_obstacles(doc: Document, scope: Scope, lexicon: Lexicon) -> list[Mention]:
    terms = lexicon.matcher("obstacle")
    deficit = lexicon.cue_pattern("deficitCue")
    obstacle_cue = lexicon.cue_pattern("obstacleCue")
    non_finding = lexicon.cue_pattern("nonFindingCue")
    postposed = phrase_pattern(list(_POSTPOSED))
    found: dict[str, Mention] = {}
    for start, end, section in scope.sentences:
        if section not in FINDING_SECTIONS:
            continue
        text = doc.text
        cues = Cues(
            deficits=[(m.start(), m.end()) for m in deficit.finditer(text, start, end)],
            before=[(m.start(), m.end()) for m in obstacle_cue.finditer(text, start, end)],
            after=[(m.start(), m.end()) for m in postposed.finditer(text, start, end)],
        )
        # What follows "perlu", "sebaiknya", "should" is a recommendation, not a finding.
        advice = non_finding.search(text, start, end)
        cut = advice.start() if advice else end
        reported: list[LabelHit] = []
        for hit in terms.finditer(text, start, cut):
            inherent = lexicon.concepts[hit.iri].match_policy == "inherent"
            if not inherent and not _reported(text, hit, reported, cues):
                continue
            if _GOING_WELL.search(text, hit.end, min(end, hit.end + 60)):
                continue
            reported.append(hit)
            concept = lexicon.concepts[hit.iri]
            mention = found.get(hit.iri)
            if mention is None:
                mention = found[hit.iri] = Mention(
                    type="obstacle",
                    concept=hit.iri,
                    label=concept.label("en"),
                    name=concept.label("id"),
                )
            add_evidence(mention, quote_evidence(doc, scope, hit.start, hit.end))
    return list(found.values())


@dataclass(frozen=True, slots=True)
class Cues:
    deficits: list[tuple[int, int]]  # "kurangnya", "lack of"
    before: list[tuple[int, int]]  # "kendala", "hambatan", "menghambat"
    after: list[tuple[int, int]]  # "yang terbatas", "masih kurang"


def _reported(text: str, hit: LabelHit, earlier: list[LabelHit], cues: Cues) -> bool:
    start, end = hit.start, hit.end
    # "kurangnya koordinasi": the first term after a deficit word is what is lacking.
    for _, d_end in cues.deficits:
        near = d_end <= start and _words_between(text, d_end, start) <= DEFICIT_GAP_WORDS
        first = not any(d_end <= e.start < start for e in earlier)
        if near and (first or _chained(text, earlier, start)):
            return True
    # "anggaran yang terbatas": a deficit word after the term, in the same clause.
    for a_start, _ in cues.after:
        near = a_start >= end and _words_between(text, end, a_start) <= POSTPOSED_GAP_WORDS
        if near and not _CLAUSE_BREAK.search(text, end, a_start):
            return True
    for c_start, c_end in cues.before:
        # "Kendala … adalah anggaran": the term follows an obstacle word in the same sentence,
        # as an item of its own, not as a modifier ("dana untuk rumah aman").
        if (
            not _modifies(text, earlier, start)
            and c_end <= start
            and _words_between(text, c_end, start) <= CUE_REACH_WORDS
            and not _CONTRAST.search(text, c_end, start)
        ):
            return True
        # "… pertemuan formal menghambat kemajuan": the term is the subject of the verb.
        if (
            c_start >= end
            and _words_between(text, end, c_start) <= SUBJECT_GAP_WORDS
            and not _CLAUSE_BREAK.search(text, end, c_start)
        ):
            return True
    return False


def _chained(text: str, earlier: list[LabelHit], start: int) -> bool:
    """'kurangnya koordinasi dan komunikasi': a term joined to a reported one by 'dan' or ','."""
    if not earlier:
        return False
    return _CONJUNCTION.fullmatch(text[earlier[-1].end : start]) is not None


def _modifies(text: str, earlier: list[LabelHit], start: int) -> bool:
    return bool(earlier) and _PREPOSITION.fullmatch(text[earlier[-1].end : start]) is not None


def _words_between(text: str, a: int, b: int) -> int:
    return len(re.findall(r"[\w-]+", text[a:b]))
