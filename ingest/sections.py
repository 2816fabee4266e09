"""Find the sections of a study from its headings, in Indonesian and English.

Journal articles use IMRaD-like headings (PENDAHULUAN, KAJIAN TEORI, METODE PENELITIAN,
HASIL DAN PEMBAHASAN, KESIMPULAN, DAFTAR PUSTAKA); theses use chapters (BAB I … BAB V).
An abstract may also open inline ("Abstract. P2TP2A is …").
"""

from __future__ import annotations

import re

from ingest.model import Section

# Normalised heading text -> section kind. Matching ignores case, numbering and a trailing colon.
HEADINGS: dict[str, str] = {
    "abstrak": "abstract", "abstract": "abstract", "intisari": "abstract", "ringkasan": "abstract",
    "pendahuluan": "introduction", "latar belakang": "introduction",
    "latar belakang masalah": "introduction", "introduction": "introduction",
    "background": "introduction",
    "kajian teori": "theory", "kajian teoritis": "theory", "kajian teoretis": "theory",
    "tinjauan pustaka": "theory", "landasan teori": "theory", "kerangka teori": "theory",
    "kajian pustaka": "theory", "kerangka konseptual": "theory", "kerangka pemikiran": "theory",
    "tinjauan teoritis": "theory", "literature review": "theory",
    "theoretical framework": "theory", "theoretical review": "theory",
    "kajian pustaka dan kerangka pemikiran": "theory", "tinjauan pustaka dan landasan teori": "theory",
    "metode penelitian": "method", "metodologi penelitian": "method", "metode": "method",
    "methods": "method", "method": "method", "methodology": "method",
    "research method": "method", "research methods": "method", "metode dan bahan": "method",
    "hasil dan pembahasan": "results", "hasil penelitian dan pembahasan": "results",
    "hasil": "results", "pembahasan": "results", "results and discussion": "results",
    "result and discussion": "results", "results": "results", "discussion": "results",
    "temuan dan pembahasan": "results", "gambaran umum lokasi penelitian": "results",
    "kesimpulan dan saran": "conclusion", "kesimpulan": "conclusion", "simpulan": "conclusion",
    "simpulan dan saran": "conclusion", "penutup": "conclusion", "saran": "conclusion",
    "conclusion": "conclusion", "conclusions": "conclusion",
    "conclusion and recommendations": "conclusion", "conclusions and recommendations": "conclusion",
    "daftar pustaka": "references", "daftar referensi": "references", "referensi": "references",
    "references": "references", "bibliography": "references", "kepustakaan": "references",
    "rujukan": "references",
    "ucapan terima kasih": "acknowledgements", "acknowledgements": "acknowledgements",
    "acknowledgments": "acknowledgements", "acknowledgement": "acknowledgements",
}  # fmt: skip
# A thesis chapter that is only numbered takes its usual content.
CHAPTER_KINDS = {
    "i": "introduction", "ii": "theory", "iii": "method", "iv": "results", "v": "conclusion",
    "vi": "conclusion",
}  # fmt: skip

_NUMBERING = re.compile(
    r"^(?:bab\s+[ivx]+\b[.:]?|[ivx]{1,4}[.)]|\d{1,2}(?:\.\d{1,2})*[.)]?|[a-e][.)])\s*",
    re.IGNORECASE,
)
_CHAPTER = re.compile(r"^bab\s+([ivx]{1,4})\b[.:]?\s*(.*)$", re.IGNORECASE)
_INLINE_ABSTRACT = re.compile(r"^(abstra[ck]t?|intisari)\s*[.:—–-]\s+(?=\S)", re.IGNORECASE)
_MARKDOWN = re.compile(r"^[#*_\s]+|[#*_\s:]+$")


def heading_kind(line: str) -> tuple[str, str] | None:
    """(kind, title) when the whole line is a known heading, else None."""
    raw = _MARKDOWN.sub("", line.strip())
    if not raw or len(raw) > 80:
        return None
    chapter = _CHAPTER.match(raw)
    if chapter:
        rest = chapter.group(2).strip(" .:")
        named = HEADINGS.get(_normalise(rest)) if rest else None
        return named or CHAPTER_KINDS.get(chapter.group(1).lower(), "other"), raw
    key = _normalise(_NUMBERING.sub("", raw, count=1))
    kind = HEADINGS.get(key)
    if kind is None:
        return None
    # Sub-headings like "3. Kendala kemitraan" share words with real ones; real section
    # headings in these studies are set in capitals or stand alone as a known phrase.
    letters = [c for c in raw if c.isalpha()]
    mostly_upper = sum(c.isupper() for c in letters) >= 0.7 * len(letters)
    if not mostly_upper and _NUMBERING.match(raw) and kind not in {"abstract", "references"}:
        return None
    return kind, raw


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def find_sections(text: str) -> list[Section]:
    """Sections covering text from the first heading on; text before it is 'front'."""
    marks: list[tuple[int, int, str, str]] = []  # heading start, body start, kind, title
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        found = heading_kind(line)
        if found:
            marks.append((offset, line_end + 1, found[0], found[1]))
        else:
            inline = _INLINE_ABSTRACT.match(line)
            if inline:
                marks.append((offset, offset + inline.end(), "abstract", inline.group(1)))
        offset = line_end + 1

    if not marks:
        # No headings: title lines up to the first paragraph, then one body section.
        body = next((m.start() for m in re.finditer(r"^.{200,}$", text, re.MULTILINE)), 0)
        front = [Section(title="", kind="front", start=0, end=body)] if body else []
        return [*front, Section(title="", kind="body", start=body, end=len(text))]
    sections: list[Section] = []
    first = marks[0][0]
    if first > 0:
        sections.append(Section(title="", kind="front", start=0, end=first))
    for i, (_, body_start, kind, title) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        sections.append(Section(title=title, kind=kind, start=min(body_start, end), end=end))
    return [s for s in sections if s.end > s.start or s.kind != "front"]
