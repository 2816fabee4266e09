"""Metadata of a study from its first page(s): title, authors and affiliations, year, kind,
keywords and the abstract in each language.

Declared values (a record's "Judul:" line) win; PDF metadata is only used when the text
confirms it, since many PDFs carry "Microsoft Word - draft3.docx" as their title.
"""

from __future__ import annotations

import re
from datetime import date

from ingest.model import Author, Section
from ingest.text import detect_language, fold

_AFFILIATION = re.compile(
    r"\b(universitas|university|institut|institute|sekolah tinggi|politeknik|polytechnic|fakultas|"
    r"faculty|program studi|prodi|departemen|department|jurusan|stia|stisip|uin|iain|college|"
    r"akademi|academy)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"@|\b(e-?mail|alamat|address|korespondensi|corresponding|telp|hp)\b", re.I)
_JOURNAL_LINE = re.compile(
    r"\b(jurnal|journal|vol\.?|volume|issn|e-issn|p-issn|doi|http|www\.|no\.\s*\d|hal\.?\s*\d|"
    r"pp\.|received|diterima|accepted|published|tersedia|available)\b",
    re.IGNORECASE,
)
_KEYWORDS = re.compile(r"^\W*(kata[\s-]*kunci|key\s*words?)\s*[:.—–-]?\s*", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_DATED_LINE = re.compile(
    r"\b(received|accepted|published|revised|diterima|disetujui|dipublikasikan|terbit)\b", re.I
)
_THESIS = re.compile(
    r"\b(skripsi|tesis|thesis|disertasi|dissertation|tugas akhir|diajukan untuk memenuhi|"
    r"sebagai salah satu syarat|untuk memperoleh gelar)\b",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"\b(jurnal|journal|issn|vol\.|volume|doi)\b", re.IGNORECASE)
_REPORT = re.compile(r"\b(laporan penelitian|laporan akhir|research report|policy brief)\b", re.I)
_NAME_TOKEN = re.compile(r"^[A-Z][\w'’.-]*,?$|^(?:[A-Z]\.)+,?$|^(?:dan|and|&)$")
_KIND_WORDS = {
    "skripsi": "thesis", "tesis": "thesis", "thesis": "thesis", "disertasi": "thesis",
    "dissertation": "thesis", "artikel": "article", "article": "article", "jurnal": "article",
    "journal": "article", "laporan": "report", "report": "report",
}  # fmt: skip


def keywords_in(text: str) -> list[tuple[str, list[str]]]:
    """(language, keywords) for every 'Kata Kunci:' / 'Keywords:' line."""
    found = []
    for line in text.split("\n"):
        match = _KEYWORDS.match(line)
        if not match:
            continue
        language = "id" if match.group(1).lower().startswith("kata") else "en"
        items = re.split(r"\s*[;,·•|]\s*", line[match.end() :].strip().rstrip("."))
        words = [w.strip(" *_.\"'") for w in items if 1 < len(w.strip(" *_.")) < 80]
        if words:
            found.append((language, words))
    return found


def abstracts_in(text: str, sections: list[Section]) -> dict[str, str]:
    """Abstract text per language; each ends at its keywords line or the next section."""
    out: dict[str, str] = {}
    for section in sections:
        if section.kind != "abstract":
            continue
        body = text[section.start : section.end]
        kept = []
        for line in body.split("\n"):
            if _KEYWORDS.match(line):
                break
            kept.append(line)
        abstract = " ".join(" ".join(kept).split())
        if len(abstract) < 40:
            continue
        language = detect_language(abstract)
        if language in out:
            out[language] = out[language] + " " + abstract
        else:
            out[language] = abstract
    return out


def front_lines(text: str, sections: list[Section]) -> list[str]:
    front = next((s for s in sections if s.kind == "front"), None)
    if front is None:
        return []
    return [ln.strip() for ln in text[front.start : front.end].split("\n") if ln.strip()]


def title_from(lines: list[str], pdf_title: str | None, first_page: str) -> str | None:
    """The title: PDF metadata when the first page confirms it, else the first title-like lines."""
    if pdf_title and _plausible_title(pdf_title):
        wanted = _letters(pdf_title)
        if wanted and wanted[:60] in _letters(first_page):
            return pdf_title
    title: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _JOURNAL_LINE.search(line) and not title:
            continue
        if _AFFILIATION.search(line) or _CONTACT.search(line) or _KEYWORDS.match(line):
            break
        if title and _looks_like_names(line) and (_AFFILIATION.search(nxt) or "," in line):
            break
        if not title and len(_letters(line)) < 15:
            continue
        title.append(line)
        if len(" ".join(title)) > 250:
            break
    joined = " ".join(title).strip(" .")
    return joined if _plausible_title(joined) else None


def authors_from(lines: list[str], pdf_author: str | None, title: str | None) -> list[Author]:
    """Names between the title and the abstract, each with the affiliation line after it."""
    authors: list[Author] = []
    title_letters = _letters(title or "")
    for i, line in enumerate(lines):
        if title_letters and _letters(line) and _letters(line) in title_letters:
            continue
        if not _looks_like_names(line) or _AFFILIATION.search(line):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        affiliation = nxt if _AFFILIATION.search(nxt) else None
        for name in re.split(r"\s*(?:,|;|\bdan\b|\band\b|&)\s*", line):
            name = re.sub(r"[\d*¹²³⁴⁵]+$", "", name).strip()
            if len(name.split()) >= 1 and len(name) > 2:
                authors.append(Author(name=name, affiliation=affiliation))
    if pdf_author:
        declared = [n.strip() for n in re.split(r"\s*[;,]\s*|\s+(?:dan|and|&)\s+", pdf_author)]
        declared = [n for n in declared if len(n) > 2]
        by_name = {fold(a.name): a for a in authors}
        if declared and (not authors or all(fold(n) in by_name for n in declared)):
            return [by_name.get(fold(n)) or Author(name=n) for n in declared]
    return authors


def is_dated(line: str) -> bool:
    return _DATED_LINE.search(line) is not None and _YEAR.search(line) is not None


def year_from(text_head: str, declared: str | None, pdf_year: str | None) -> int | None:
    """Publication year: declared, then a received/accepted line, then a year in the front
    matter; the PDF creation date only as a last resort and only if plausible."""
    this_year = date.today().year
    for candidate in (declared,):
        if candidate and (m := _YEAR.search(candidate)):
            return int(m.group(1))
    for line in text_head.split("\n"):
        if _DATED_LINE.search(line) and (years := _YEAR.findall(line)):
            return max(int(y) for y in years if int(y) <= this_year + 1)
    for line in text_head.split("\n")[:12]:
        if _JOURNAL_LINE.search(line) or re.fullmatch(r"\W*(19|20)\d\d\W*", line):
            years = [int(y) for y in _YEAR.findall(line) if int(y) <= this_year + 1]
            if years:
                return max(years)
    if pdf_year and pdf_year.isdigit() and 1990 <= int(pdf_year) <= this_year:
        return int(pdf_year)
    return None


def kind_from(declared: str | None, text_head: str, roman_pages: bool, chapters: bool) -> str:
    if declared:
        word = declared.strip().lower().split()[0] if declared.strip() else ""
        if word in _KIND_WORDS:
            return _KIND_WORDS[word]
    if _THESIS.search(text_head) or chapters or roman_pages:
        return "thesis"
    if _REPORT.search(text_head):
        return "report"
    if _ARTICLE.search(text_head) or _DATED_LINE.search(text_head):
        return "article"
    return "other"


def _looks_like_names(line: str) -> bool:
    tokens = re.sub(r"[\d*¹²³⁴⁵]", " ", line).split()
    if not 1 <= len(tokens) <= 14:
        return False
    return all(_NAME_TOKEN.match(t) for t in tokens)


def _letters(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum())


def _plausible_title(title: str) -> bool:
    t = title.strip()
    if len(t) < 15 or len(t) > 400:
        return False
    lowered = t.lower()
    return not (
        lowered.startswith(("microsoft word", "untitled", "document"))
        or re.search(r"\.(docx?|pdf|odt|tex)\b", lowered)
    )
