"""Split a reference list into entries and parse each into authors, year and title.

PDF text loses the hanging indents that separate entries, so entries are found from their
shape instead: an author block (surnames, initials, "&", "dan") right before a year in
parentheses, as APA and its Indonesian variants write it.
"""

from __future__ import annotations

import itertools
import re

from ingest.model import Reference
from ingest.text import fold

_YEAR = re.compile(
    r"\((?P<y>(?:19|20)\d{2})[a-z]?(?:,[^)]{0,20})?\)|(?<=[.,] )(?P<b>(?:19|20)\d{2})[a-z]?\."
)
_INITIAL = re.compile(r"^(?:[A-Z]\.)+,?$|^[A-Z]\.-?[A-Z]\.,?$")
_AUTHOR_TOKEN = re.compile(
    r"^(?:[A-Z][\w'’-]*[.,]?|(?:[A-Z]\.)+,?|&|dan|and|et|al\.?,?|dkk\.?,?|[a-z]+\.)$"
)
_CONNECTORS = {"&", "dan", "and", "et", "al.", "al", "al.,", "dkk.", "dkk", "dkk.,"}
_BULLET = re.compile(r"^\s*(?:[-•*]|\[\d+\]|\d{1,3}[.)])\s+")


def parse_references(text: str) -> list[Reference]:
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    # One entry per line when the source kept them apart (records, markdown lists).
    if len(lines) >= 3 and sum(bool(_YEAR.search(ln)) for ln in lines) >= 0.6 * len(lines):
        entries = [e for ln in lines for e in split_entries(_BULLET.sub("", ln))]
    else:
        entries = split_entries(" ".join(_BULLET.sub("", ln) for ln in lines))
    return [ref for e in entries if (ref := parse_entry(e)) is not None]


def split_entries(blob: str) -> list[str]:
    starts = [0]
    for match in _YEAR.finditer(blob):
        start = _author_block_start(blob, match.start(), bare=match.group("b") is not None)
        if start is not None and start > starts[-1]:
            starts.append(start)
    starts.append(len(blob))
    return [blob[a:b].strip() for a, b in itertools.pairwise(starts) if blob[a:b].strip()]


def _author_block_start(blob: str, year_at: int, *, bare: bool) -> int | None:
    """Offset where the author block before a year begins, or None if there is none."""
    head = blob[max(0, year_at - 300) : year_at]
    base = year_at - len(head)
    tokens = list(re.finditer(r"\S+", head))
    block: list[re.Match[str]] = []
    for tok in reversed(tokens):
        word = tok.group()
        ends_entry = word.endswith((".", ").", ".”")) and not _INITIAL.match(word)
        # "Mhd." or "Moh." inside a name is an abbreviation, not the end of an entry.
        ends_entry = ends_entry and word.lower() not in _CONNECTORS and len(word.strip(".)")) > 4
        if block and ends_entry:
            break
        if not _AUTHOR_TOKEN.match(word):
            break
        block.append(tok)
        if len(block) > 40:
            return None
    if not block:
        return None
    block.reverse()
    words = [t.group() for t in block]
    if bare and not any("," in w or _INITIAL.match(w) for w in words):
        return None  # a bare year inside a title, not a new entry
    # "Penerbit Gava Media Andriani, P. N." — publisher words glued to the next surname.
    for i, word in enumerate(words[:-1]):
        if word.endswith(",") and _INITIAL.match(words[i + 1]):
            if i > 0 and not any("," in w for w in words[:i]):
                return base + block[i].start()
            break
    return base + block[0].start()


def parse_entry(entry: str) -> Reference | None:
    match = _YEAR.search(entry)
    if not match:
        return None
    year = int(match.group("y") or match.group("b"))
    author_text = entry[: match.start()].strip(" .,")
    rest = entry[match.end() :].strip(" .")
    title_match = re.match(r"(.+?[^A-Z])(?:\.\s|\?\s|$)", rest)
    title = title_match.group(1).strip(' *_"“”') if title_match else None
    authors = split_authors(author_text)
    if not authors:
        return None
    return Reference(raw=entry, authors=tuple(authors), year=year, title=title or None)


def split_authors(text: str) -> list[str]:
    text = re.sub(r"\bet al\.?|\bdkk\.?", "", text).strip(" ,.")
    if not text:
        return []
    parts = [p.strip() for p in re.split(r"\s*(?:&|\band\b|\bdan\b|;)\s*", text) if p.strip()]
    names: list[str] = []
    for part in parts:
        # "Noer, K. U., Rudiatin, E." -> pairs of surname and initials.
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            if i + 1 < len(pieces) and re.fullmatch(r"(?:[A-Z]\.?\s?-?){1,4}", pieces[i + 1]):
                names.append(f"{piece}, {pieces[i + 1]}")
                i += 2
            else:
                names.append(piece)
                i += 1
    return [n for n in names if any(c.isalpha() for c in n)]


def family_name(author: str) -> str:
    """Surname as cited in text: 'Noer, K. U.' -> 'Noer'; 'Rhuuzi Wiranata' -> 'Wiranata'."""
    if "," in author:
        return author.split(",")[0].strip()
    words = [w for w in author.split() if w.isalpha() and not re.fullmatch(r"(?:[A-Z]\.)+", w)]
    return words[-1] if words else author.strip()


def work_key(authors: tuple[str, ...] | list[str], year: int | None) -> str | None:
    """Key shared by every citation of one work: first author's surname and the year.

    Titles are not part of it: the same book is cited with different subtitles and typos.
    """
    if not authors or year is None:
        return None
    surname = re.sub(r"[^a-z0-9]", "", fold(family_name(authors[0])))
    return f"{surname}-{year}" if surname else None
