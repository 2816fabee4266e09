"""Obstacles the study reports, in the fixed categories of the obstacle scheme.

A sentence reports an obstacle when a category term sits next to a deficit word
("kurangnya koordinasi", "anggaran yang terbatas", "lack of trust") or follows an obstacle
word in the same clause ("Kendala tersebut adalah anggaran", "hambatan utama … mencakup
…"). Theory and method sections, recommendations ("perlu meningkatkan koordinasi") and
definitions are not findings and are skipped.
"""

from __future__ import annotations

import re

from ingest.extract.common import Scope, add_evidence, quote_evidence
from ingest.lexicon import Lexicon, phrase_pattern
from ingest.model import Document, Mention

FINDING_SECTIONS = {"abstract", "introduction", "results", "conclusion", "body", "other"}
# Words between a deficit word and its term ("kurangnya [tindakan] koordinasi") or between a
# term and a deficit word after it ("komunikasi yang [masih] terbatas").
DEFICIT_GAP_WORDS = 3
POSTPOSED_GAP_WORDS = 4
CUE_REACH_WORDS = 25
# Adjectives that follow the noun in Indonesian: "anggaran yang terbatas", "SDM yang kurang".
_POSTPOSED = (
    "terbatas", "kurang", "minim", "rendah", "lemah", "belum optimal", "belum maksimal",
    "tidak memadai", "belum memadai", "tidak cukup", "belum cukup", "kekurangan", "tidak ada",
    "belum ada", "sangat terbatas", "masih kurang", "masih rendah", "masih lemah", "menghambat",
    "lacking", "is limited", "are limited", "was limited", "is lacking", "are lacking",
    "is low", "is weak", "hindered",
)  # fmt: skip
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
        text = doc.text[start:end]
        if non_finding.search(text) and not obstacle_cue.search(text):
            continue
        deficits = [(m.start() + start, m.end() + start) for m in deficit.finditer(text)]
        cues = [(m.start() + start, m.end() + start) for m in obstacle_cue.finditer(text)]
        after = [(m.start() + start, m.end() + start) for m in postposed.finditer(text)]
        for hit in terms.finditer(doc.text, start, end):
            inherent = lexicon.concepts[hit.iri].match_policy == "inherent"
            if not inherent and not _reported(doc.text, hit.start, hit.end, deficits, cues, after):
                continue
            if _GOING_WELL.search(doc.text, hit.end, min(end, hit.end + 60)):
                continue
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


def _reported(
    text: str,
    start: int,
    end: int,
    deficits: list[tuple[int, int]],
    cues: list[tuple[int, int]],
    after: list[tuple[int, int]],
) -> bool:
    for _d_start, d_end in deficits:
        if d_end <= start and _words_between(text, d_end, start) <= DEFICIT_GAP_WORDS:
            return True
    for a_start, _ in after:
        if a_start >= end and _words_between(text, end, a_start) <= POSTPOSED_GAP_WORDS:
            return True
    for c_start, c_end in cues:
        # The term follows the obstacle word in the same clause, or precedes "menghambat".
        if (
            c_end <= start
            and _words_between(text, c_end, start) <= CUE_REACH_WORDS
            and not _CONTRAST.search(text, c_end, start)
        ):
            return True
        if c_start >= end and _words_between(text, end, c_start) <= POSTPOSED_GAP_WORDS:
            return True
    return False


def _words_between(text: str, a: int, b: int) -> int:
    return len(re.findall(r"[\w-]+", text[a:b]))
