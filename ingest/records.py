"""Abstract records: .txt / .md files holding a title, abstract(s) and keywords, maybe more.

Most studies are only available this way. Records come in many shapes: "Judul: …" header
lines, a markdown "# Title", or just "ABSTRAK … Kata Kunci: …". This module only turns the
file into plain text plus the fields it declares; the structure step does the rest, the same
way as for PDFs.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from ingest.errors import BadEncoding, EmptyInput, UnsupportedType, too_much_text
from ingest.text import without_controls

# Header field names (lower case, Indonesian and English) -> our field.
FIELD_NAMES = {
    "judul": "title", "title": "title", "penulis": "authors", "pengarang": "authors",
    "author": "authors", "authors": "authors", "nama": "authors", "tahun": "year", "year": "year",
    "tahun terbit": "year", "jurnal": "journal", "journal": "journal", "sumber": "journal",
    "source": "journal", "afiliasi": "affiliation", "affiliation": "affiliation",
    "institusi": "affiliation", "instansi": "affiliation", "universitas": "affiliation",
    "jenis": "kind", "kind": "kind", "type": "kind", "tipe": "kind", "doi": "doi", "url": "url",
    "bahasa": "language", "language": "language", "lokasi": "location", "location": "location",
}  # fmt: skip
_HEADER = re.compile(r"^\s*(?:[-*]\s*)?\**([A-Za-z][A-Za-z ]{1,20}?)\**\s*:\s*(.+?)\s*$")
_MD_TITLE = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$")
_MD_INLINE = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])")
_FRONT_MATTER_FENCE = re.compile(r"^---\s*$")


@dataclass(slots=True)
class Record:
    text: str
    declared: dict[str, str] = field(default_factory=dict)


def decode_text(data: bytes) -> str:
    """The text of a record, with control characters removed (tab and newline kept)."""
    if not data.strip():
        raise EmptyInput("empty file (no text)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode()  # Windows Notepad's "Unicode"
        except UnicodeDecodeError as exc:  # an odd byte count or a lone surrogate: cut short
            raise BadEncoding(
                f"broken UTF-16 text: {exc.reason} at byte {exc.start}; save it again as UTF-8"
            ) from None
    if b"\x00" in data[:4096]:
        raise UnsupportedType("not a text file: it holds binary data")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        text = data.decode("latin-1")
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 4096):
        raise UnsupportedType("not a text file: it holds control characters")
    # A few stray ones further on are dropped: stored, they broke the SPARQL XML results.
    return without_controls(text)


def parse_record(data: bytes, *, max_chars: int | None = None) -> Record:
    """Declared fields from header lines (and YAML-like front matter) plus the body text."""
    text = decode_text(data)
    if max_chars is not None and len(text) > max_chars:
        raise too_much_text(max_chars)
    lines = text.split("\n")
    declared: dict[str, str] = {}
    body: list[str] = []
    in_header = True
    fenced = bool(lines) and _FRONT_MATTER_FENCE.match(lines[0]) is not None
    for index, line in enumerate(lines):
        if fenced and index == 0:
            continue
        if fenced and _FRONT_MATTER_FENCE.match(line):
            fenced = False
            continue
        stripped = line.strip()
        if in_header and not stripped:
            continue
        title = _MD_TITLE.match(line)
        if title and "title" not in declared and not body:
            declared["title"] = _plain(title.group(1))
            continue
        header = _HEADER.match(line)
        if in_header and header:
            name = FIELD_NAMES.get(header.group(1).strip().lower())
            if name:
                declared.setdefault(name, _plain(header.group(2)))
                continue
        if in_header and not fenced:
            in_header = False
        body.append(_plain_line(line))
    return Record(text="\n".join(body).strip(), declared=declared)


def _plain(text: str) -> str:
    return " ".join(_MD_INLINE.sub(lambda m: m.group(2) or m.group(3), text).split())


def _plain_line(line: str) -> str:
    """Markdown emphasis and heading marks removed; the words stay where they were."""
    line = re.sub(r"^\s*#{1,6}\s+", "", line)
    return _MD_INLINE.sub(lambda m: m.group(2) or m.group(3), line).rstrip()
