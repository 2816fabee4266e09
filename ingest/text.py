"""Small text helpers shared by the structure and extraction steps: sentences, language, folding."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Abbreviations that end in a dot inside Indonesian academic sentences.
_ABBREVIATIONS = {
    "kab", "kec", "kel", "ds", "jl", "jln", "rp", "no", "vol", "hal", "prov", "dr", "drs", "dra",
    "ir", "h", "hj", "prof", "s.h", "m.si", "s.sos", "st", "dkk", "al", "et", "tbk", "pt", "cv",
    "mr", "mrs", "ms", "e.g", "i.e", "etc", "vs", "fig", "tab", "ed", "eds", "sdn", "smp", "sma",
}  # fmt: skip
_SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])|\n+")

_ID_WORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "dengan",
        "untuk",
        "dalam",
        "ini",
        "dari",
        "pada",
        "adalah",
        "tidak",
        "akan",
        "oleh",
        "sebagai",
        "bahwa",
        "atau",
        "juga",
        "karena",
        "dapat",
        "telah",
        "lebih",
        "masih",
        "belum",
        "serta",
        "tersebut",
        "terhadap",
        "antara",
        "kepada",
        "secara",
        "ke",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "with",
        "as",
        "on",
        "are",
        "this",
        "by",
        "be",
        "was",
        "which",
        "from",
        "an",
        "it",
        "were",
        "has",
        "have",
        "their",
        "between",
        "these",
        "its",
        "not",
    ]
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Sentence (start, end) offsets inside text[start:end], skipping abbreviation dots."""
    end = len(text) if end is None else end
    cursor = start
    for match in _SENTENCE_BOUNDARY.finditer(text, start, end):
        cut = match.start()
        before = text[cursor:cut]
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        is_space = match.group().strip() == "" and "\n" not in match.group()
        abbreviation = last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())
        if is_space and abbreviation:
            continue
        if before.strip():
            yield _trim(text, cursor, cut)
        cursor = match.end()
    if text[cursor:end].strip():
        yield _trim(text, cursor, end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def detect_language(text: str) -> str:
    """'id' or 'en' from function-word counts; good enough for abstracts and sections."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    indonesian = sum(w in _ID_WORDS for w in words)
    english = sum(w in _EN_WORDS for w in words)
    return "en" if english > indonesian else "id"


def fold(text: str) -> str:
    """Lower case without accents: for matching names written with or without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def word_count(text: str) -> int:
    return len(text.split())


# Characters no study needs and XML 1.0 cannot carry (a NUL in a title made the SPARQL XML
# results unreadable): C0 and C1 controls but tab and newline, DEL, lone surrogates, U+FFFE/F.
# Carriage returns, vertical tabs and form feeds break lines, so they become newlines.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]+")


def without_controls(text: str) -> str:
    """`text` with control characters removed (tab and newline kept)."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
