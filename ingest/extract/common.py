"""What every extractor shares: which parts of a study count, its sentences, and evidence."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ingest.model import Document, Evidence, Mention, MentionMethod
from ingest.text import sentence_spans

MAX_EVIDENCE = 5
MAX_QUOTE = 320
_ADDRESS = re.compile(
    r"\b(universitas|university|institut|institute|sekolah tinggi|politeknik|fakultas|faculty|"
    r"program studi|jurusan|departemen|department|alamat|address|e-?mail|jl\.|jalan|kode pos)\b|@",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Scope:
    """The study's sentences with their section kinds; front-matter address lines apart."""

    sentences: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, section
    address_spans: list[tuple[int, int]] = field(default_factory=list)
    title_span: tuple[int, int] | None = None
    _starts: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, doc: Document) -> Scope:
        scope = cls()
        for section in doc.sections:
            if section.kind == "references":
                continue
            if section.kind == "front":
                scope._front(doc, section.start, section.end)
                continue
            for start, end in sentence_spans(doc.text, section.start, section.end):
                scope.sentences.append((start, end, section.kind))
        if not doc.sections:
            scope.sentences = [(s, e, "body") for s, e in sentence_spans(doc.text)]
        scope.sentences.sort()
        scope._starts = [s for s, _, _ in scope.sentences]
        if doc.title:
            at = doc.text.find(doc.title[:60])
            if at >= 0:
                scope.title_span = (at, at + len(doc.title))
        return scope

    def _front(self, doc: Document, start: int, end: int) -> None:
        offset = start
        for line in doc.text[start:end].split("\n"):
            line_end = offset + len(line)
            if _ADDRESS.search(line):
                self.address_spans.append((offset, line_end))
            elif line.strip():
                self.sentences.append((offset, line_end, "front"))
            offset = line_end + 1

    def sentence_at(self, offset: int) -> tuple[int, int, str] | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0:
            start, end, kind = self.sentences[i]
            if start <= offset < end:
                return start, end, kind
        return None

    def in_address(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.address_spans)


def quote_evidence(doc: Document, scope: Scope, start: int, end: int) -> Evidence:
    """Evidence for a hit: its sentence, cut around the hit when the sentence is long."""
    sentence = scope.sentence_at(start)
    s, e = (sentence[0], sentence[1]) if sentence else (start, end)
    if e - s > MAX_QUOTE:
        s = max(s, start - MAX_QUOTE // 2)
        e = min(e, max(end, s + MAX_QUOTE))
    evidence = doc.evidence(s, e)
    quote = " ".join(evidence.quote.split())
    return Evidence(evidence.page, quote, s, e, evidence.section)


def add_evidence(mention: Mention, evidence: Evidence) -> None:
    if len(mention.evidence) >= MAX_EVIDENCE:
        return
    if any(e.start == evidence.start for e in mention.evidence):
        return
    mention.evidence.append(evidence)


# How often each way of finding a mention is right: precision per mention type and method on
# the tuning sets (old, dev, dev-heldout), measured with `bench/extraction_eval.py`.
CONFIDENCE: dict[tuple[str, str], float] = {
    # obstacles: rule 126/135; pattern 17/17 and fuzzy 1/1 are small samples, held lower.
    ("obstacle", "rule"): 0.94,
    ("obstacle", "fuzzy"): 0.9,
    ("obstacle", "pattern"): 0.95,
    ("stakeholder", "rule"): 0.97,  # 307/315
    ("stakeholder", "pattern"): 0.9,  # no sample yet
    ("stakeholder", "discovered"): 0.95,  # 8/8
    ("theory", "rule"): 1.0,  # 54/54
    ("theory", "discovered"): 0.95,  # 13/13
    ("method", "rule"): 1.0,  # 12/12
    ("place", "rule"): 0.97,  # 134/138
}
_RANK = {"rule": 0, "fuzzy": 1, "pattern": 2, "discovered": 3}


def found_by(mention: Mention, method: MentionMethod) -> None:
    """Record how a mention was found; the most reliable way seen so far wins."""
    if not mention.evidence or _RANK[method] < _RANK[mention.method]:
        mention.method = method


def method_confidence(kind: str, method: str) -> float:
    """How often `method` is right for mentions of `kind` (measured; 0.8 when unmeasured). A
    property of the method, so the graph does not repeat it on every mention (kg.shape)."""
    return CONFIDENCE.get((kind, method), 0.8)


def calibrate(mentions: list[Mention]) -> None:
    """Each mention's confidence: the measured precision of the way it was found."""
    for mention in mentions:
        if mention.discovered:
            mention.method = "discovered"
        mention.confidence = method_confidence(mention.type, mention.method)
