"""Clean pages -> Document: sections, metadata, references and passages.

PDFs and abstract records meet here, so both are described the same way.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

from ingest import frontmatter
from ingest.clean import clean_pages
from ingest.errors import NoText
from ingest.model import Author, Document
from ingest.passages import chunk_document
from ingest.pdf import read_pdf
from ingest.records import parse_record
from ingest.references import parse_references
from ingest.sections import find_sections, heading_kind
from ingest.text import detect_language, without_controls

_ROMAN_FOOTER = re.compile(r"^\s*[ivxl]{1,6}\s*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z][.)]|[-•*])\s+")
_KEYWORD_LINE = re.compile(r"^\W*(kata[\s-]*kunci|key\s*words?)\b", re.IGNORECASE)


def content_id(data: bytes) -> tuple[str, str]:
    """(document id, sha256): the id is the first 16 hex digits of the content hash."""
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def document_from_pdf(
    data: bytes, filename: str, *, max_pages: int = 2000, max_chars: int | None = None
) -> Document:
    pdf = read_pdf(data, max_pages=max_pages, max_chars=max_chars)
    pages = clean_pages(pdf.pages)
    roman = sum(bool(_ROMAN_FOOTER.match(p.strip().rsplit("\n", 1)[-1])) for p in pdf.pages if p)
    return build_document(
        pages,
        data=data,
        filename=filename,
        source_format="pdf",
        pdf_meta=pdf.metadata,
        roman_pages=roman >= max(2, len(pdf.pages) // 2),
    )


def document_from_record(data: bytes, filename: str, *, max_chars: int | None = None) -> Document:
    record = parse_record(data, max_chars=max_chars)
    text = _join_record_lines(record.text)
    return build_document(
        [text], data=data, filename=filename, source_format="record", declared=record.declared
    )


def build_document(
    pages: list[str],
    *,
    data: bytes,
    filename: str,
    source_format: str,
    declared: dict[str, str] | None = None,
    pdf_meta: dict[str, str] | None = None,
    roman_pages: bool = False,
) -> Document:
    declared = declared or {}
    pdf_meta = pdf_meta or {}
    filename = without_controls(filename)  # a file name on disk may hold any byte but / and NUL
    page_starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for page in pages:
        page_starts.append(offset)
        parts.append(page)
        offset += len(page) + 1
    text = "\n".join(parts)
    if len(text.strip()) < 20 and not declared.get("title"):
        raise NoText("no text to ingest")

    doc_id, sha = content_id(data)
    doc = Document(
        id=doc_id,
        sha256=sha,
        filename=PurePath(filename).name,
        text=text,
        page_starts=page_starts,
        source_format="record" if source_format == "record" else "pdf",
    )
    doc.sections = find_sections(text)
    head = text[:4000]
    # Journal footnotes ("Received …; Accepted …") may end up anywhere in the page text.
    dated = "\n".join(ln for ln in text.split("\n") if len(ln) < 200 and frontmatter.is_dated(ln))
    lines = frontmatter.front_lines(text, doc.sections)

    doc.abstracts = frontmatter.abstracts_in(text, doc.sections)
    keyword_sets = frontmatter.keywords_in(text)
    doc.keywords = _unique([k for _, words in keyword_sets for k in words])

    title = declared.get("title") or frontmatter.title_from(
        lines, pdf_meta.get("title"), pages[0] if pages else ""
    )
    doc.title = title or _title_from_filename(filename)
    doc.authors = _authors(declared, lines, pdf_meta.get("author"), title)
    doc.year = frontmatter.year_from(
        dated + "\n" + head, declared.get("year"), pdf_meta.get("created_year")
    )
    chapters = sum(s.title.lower().startswith("bab") for s in doc.sections) >= 2
    doc.kind = frontmatter.kind_from(
        declared.get("kind"), dated + "\n" + head, roman_pages, chapters
    )  # type: ignore[assignment]
    doc.language = _main_language(declared.get("language"), doc)

    references = [s for s in doc.sections if s.kind == "references"]
    for section in references:
        doc.references.extend(parse_references(text[section.start : section.end]))
    doc.passages = chunk_document(doc)
    return doc


def _authors(
    declared: dict[str, str], lines: list[str], pdf_author: str | None, title: str | None
) -> list[Author]:
    if declared.get("authors"):
        affiliation = declared.get("affiliation")
        names = re.split(r"\s*;\s*|\s*,\s*(?=[A-Z][a-z])|\s+(?:dan|and|&)\s+", declared["authors"])
        return [Author(name=n.strip(), affiliation=affiliation) for n in names if n.strip()]
    return frontmatter.authors_from(lines, pdf_author, title)


def _main_language(declared: str | None, doc: Document) -> str:
    if declared:
        lowered = declared.strip().lower()
        if lowered.startswith(("en", "inggris")):
            return "en"
        if lowered.startswith(("id", "indo", "bahasa")):
            return "id"
    body = " ".join(
        doc.text[s.start : s.end] for s in doc.sections if s.kind not in {"abstract", "references"}
    )
    if len(body.split()) >= 150:
        return detect_language(body)
    if "id" in doc.abstracts:
        return "id"  # Indonesian studies add an English abstract, rarely the other way round
    return detect_language(doc.text)


def _title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem
    words = re.sub(r"[_\-]+", " ", stem).split()
    return " ".join(words).capitalize() if words else "Untitled"


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _join_record_lines(text: str) -> str:
    """Blank-line blocks become paragraphs; headings, keyword lines and list items stay apart."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        current = ""
        for line in (ln.strip() for ln in block.split("\n")):
            if not line:
                continue
            stands_alone = (
                heading_kind(line) is not None
                or _KEYWORD_LINE.match(line) is not None
                or _LIST_ITEM.match(line) is not None
            )
            if current and (stands_alone or heading_kind(current) is not None):
                paragraphs.append(current)
                current = line
            else:
                current = f"{current} {line}" if current else line
        if current:
            paragraphs.append(current)
    return "\n".join(paragraphs)
