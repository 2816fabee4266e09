"""Raw page text -> clean page text: running headers/footers and page numbers removed,
words split across lines joined, wrapped lines merged into paragraphs.

Paragraphs stay on their own lines and headings on theirs, because the structure step
finds sections line by line.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter

# ASCII hyphen-minus, U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN, U+00AD SOFT HYPHEN.
LINE_END_HYPHENS = "-\u2010\u2011\u00ad"
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—\s]*\d{1,4}[-–—\s]*|[ivxlcdm]{1,7}|(?:halaman|hal\.?|page)\s*\d{1,4}"
    r"(?:\s*(?:dari|of)\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_BULLET_ONLY = re.compile(r"^[•·▪◦\-–*]\s*$")
_SENTENCE_END = re.compile(r"[.:;?!)\"”]$")
_LIST_ITEM = re.compile(
    r"^(?:\d{1,2}[.)]|[a-z][.)]|[-•*]\s|\(\d{1,2}\)|\d{1,2}\)\s)", re.IGNORECASE
)
# Lines that open a new block even when the previous line runs full width.
_STARTS_BLOCK = re.compile(
    r"^(?:abstra[ck]t?\b|kata[\s-]*kunci\b|key\s*words?\b|received\b|diterima\b|alamat\b"
    r"|e-?mail\b|korespondensi\b|corresponding\b|\*\s*\w)",
    re.IGNORECASE,
)
EDGE_LINES = 3  # headers and footers live in the first/last lines of a page
MAX_RUNNING_LINE = 120


def normalise_chars(text: str) -> str:
    """NFC, ligatures unfolded, odd spaces made plain, in-word U+2010 made ASCII."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\ufb00", "ff")
    text = text.replace("\ufb03", "ffi").replace("\ufb04", "ffl")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def clean_pages(raw_pages: list[str]) -> list[str]:
    pages = [
        [_SPACES.sub(" ", ln).strip() for ln in normalise_chars(p).split("\n")] for p in raw_pages
    ]
    pages = [[ln for ln in lines if ln and not _BULLET_ONLY.match(ln)] for lines in pages]
    pages = _drop_running_lines(pages)
    pages = _carry_split_words_across_pages(pages)
    return [_to_paragraphs(lines) for lines in pages]


def _shape(line: str) -> str:
    # Page numbers inside a running header differ page to page; compare lines without them.
    return re.sub(r"\d+", "#", line.lower())


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and lines that repeat at the top or bottom of many pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = set(lines[:EDGE_LINES] + lines[-EDGE_LINES:])
        counts.update({_shape(ln) for ln in edge})
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = (
        {shape for shape, n in counts.items() if n >= threshold} if len(pages) >= 2 else set()
    )

    cleaned: list[list[str]] = []
    for lines in pages:
        keep = list(lines)
        for idx in _edge_indexes(len(keep)):
            line = keep[idx]
            # Running headers and footers are short; a long repeated line is content.
            if _PAGE_NUMBER.match(line) or (
                len(line) <= MAX_RUNNING_LINE and _shape(line) in repeated
            ):
                keep[idx] = ""
        cleaned.append([ln for ln in keep if ln])
    return cleaned


def _edge_indexes(n: int) -> list[int]:
    head = list(range(min(EDGE_LINES, n)))
    tail = list(range(max(n - EDGE_LINES, 0), n))
    return sorted(set(head + tail))


def _carry_split_words_across_pages(pages: list[list[str]]) -> list[list[str]]:
    """A word hyphenated at the foot of a page is completed on that page."""
    for i in range(len(pages) - 1):
        this, nxt = pages[i], pages[i + 1]
        if not this or not nxt or not this[-1] or this[-1][-1] not in LINE_END_HYPHENS:
            continue
        first, _, rest = nxt[0].partition(" ")
        joined = _join_hyphenated(this[-1], first)
        if joined is not None:
            this[-1] = joined
            nxt[0] = rest
            if not rest:
                nxt.pop(0)
    return pages


def _join_hyphenated(line: str, next_word: str) -> str | None:
    """Join `line` (ending in a hyphen) and the next line's first word, or None to leave it."""
    if not next_word:
        return None
    hyphen = line[-1]
    stem = line[:-1]
    last = re.split(r"[\s\-\u2010]", stem)[-1]
    core = next_word.rstrip(".,;:!?)\"'”")
    # Reduplication keeps its hyphen (anak-anak, Unsur-Unsur, hambatan-hambatan), and so does
    # a clitic after an acronym or number (SDM-nya); otherwise -nya is just a split word.
    if last and core.lower() == last.lower():
        return stem + "-" + next_word
    if core.lower() in {"nya", "ku", "mu"} and (last.isupper() or last.isdigit()):
        return stem + "-" + next_word
    # U+2010 and the soft hyphen are what typesetters insert when they break a word.
    if hyphen != "-" or next_word[0].islower() or next_word[0].isdigit():
        return stem + next_word
    return stem + "-" + next_word


def _looks_like_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if not letters or len(line) > 90:
        return False
    upper = sum(c.isupper() for c in letters) / len(letters)
    return upper > 0.8 and len(letters) >= 3


def _to_paragraphs(lines: list[str]) -> str:
    """Merge wrapped lines; keep breaks before headings, list items and after short lines."""
    if not lines:
        return ""
    widths = [len(ln) for ln in lines if len(ln) > 20]
    typical = statistics.median(widths) if widths else 60
    out: list[str] = []
    prev = ""  # the previous raw line, not the paragraph built so far
    for line in lines:
        if not out:
            out.append(line)
            prev = line
            continue
        if prev and prev[-1] in LINE_END_HYPHENS and len(prev) > 1:
            first, _, rest = line.partition(" ")
            joined = _join_hyphenated(out[-1], first)
            if joined is not None:
                out[-1] = joined + (" " + rest if rest else "")
                prev = line
                continue
        # Wrapped lines of a paragraph run nearly full width; a short line ends one.
        ends_paragraph = (bool(_SENTENCE_END.search(prev)) and len(prev) < 0.85 * typical) or len(
            prev
        ) < 0.6 * typical
        breaks = (
            ends_paragraph
            or _STARTS_BLOCK.match(line) is not None
            or _looks_like_heading(line)
            or _looks_like_heading(prev)
            or (_LIST_ITEM.match(line) is not None and bool(_SENTENCE_END.search(prev)))
            or (prev.endswith(":") and _LIST_ITEM.match(line) is not None)
        )
        if breaks:
            out.append(line)
        else:
            out[-1] = out[-1] + " " + line
        prev = line
    text = "\n".join(out)
    return text.replace("\u2010", "-").replace("\u2011", "-").replace("\u00ad", "")
