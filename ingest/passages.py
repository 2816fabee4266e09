"""Sentence-aware chunks of about 80–200 words inside one section: the unit of search."""

from __future__ import annotations

from ingest.model import Document, Passage
from ingest.text import sentence_spans

MIN_WORDS = 80
MAX_WORDS = 200
# Front matter (title, names, addresses) and reference lists are not prose worth searching.
SKIPPED_SECTIONS = {"front", "references"}


def chunk_document(doc: Document) -> list[Passage]:
    passages: list[Passage] = []
    for section in doc.sections:
        if section.kind in SKIPPED_SECTIONS:
            continue
        for start, end in _chunks(doc.text, section.start, section.end):
            passages.append(
                Passage(
                    index=len(passages),
                    text=" ".join(doc.text[start:end].split()),
                    start=start,
                    end=end,
                    page=doc.page_at(start),
                    section=section.kind,
                )
            )
    if not passages and doc.text.strip():
        # A record with no recognisable sections is still searchable as a whole.
        for start, end in _chunks(doc.text, 0, len(doc.text)):
            passages.append(
                Passage(len(passages), " ".join(doc.text[start:end].split()), start, end,
                        doc.page_at(start), "body")
            )  # fmt: skip
    return passages


def _chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int, int]] = []  # start, end, words
    for s, e in sentence_spans(text, start, end):
        words = len(text[s:e].split())
        if words > MAX_WORDS:
            pieces.extend(_split_long(text, s, e))
        elif words:
            pieces.append((s, e, words))

    chunks: list[list[int]] = []  # [start, end, words]
    for s, e, words in pieces:
        if chunks and chunks[-1][2] < MIN_WORDS and chunks[-1][2] + words <= MAX_WORDS:
            chunks[-1][1] = e
            chunks[-1][2] += words
        else:
            chunks.append([s, e, words])
    # A short tail joins the chunk before it when that stays within bounds.
    if (
        len(chunks) >= 2
        and chunks[-1][2] < MIN_WORDS // 2
        and chunks[-2][2] + chunks[-1][2] <= MAX_WORDS + MIN_WORDS // 2
    ):
        chunks[-2][1] = chunks[-1][1]
        chunks[-2][2] += chunks[-1][2]
        chunks.pop()
    return [(s, e) for s, e, words in chunks if words >= 3 or len(chunks) == 1]


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """A run-on 'sentence' (tables, lists without stops) cut at word boundaries."""
    out = []
    words = [(m_start, m_end) for m_start, m_end in _word_spans(text, start, end)]
    for i in range(0, len(words), MAX_WORDS):
        group = words[i : i + MAX_WORDS]
        out.append((group[0][0], group[-1][1], len(group)))
    return out


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    i = start
    while i < end:
        while i < end and text[i].isspace():
            i += 1
        j = i
        while j < end and not text[j].isspace():
            j += 1
        if j > i:
            spans.append((i, j))
        i = j
    return spans
