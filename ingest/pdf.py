"""PDF bytes -> raw page texts and metadata, with a clear reason for every PDF we cannot read.

pypdf is lenient (it reconstructs broken cross-reference tables), so the checks that give a
user a useful reason (empty, not a PDF, truncated, encrypted, no text layer) are done here
before and after handing the bytes to it.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field

import pypdf
from pypdf.errors import PyPdfError

from ingest.errors import CorruptPdf, EmptyInput, EncryptedPdf, NotAPdf, ScannedPdf, TooLarge

# A text layer with fewer characters than this per page on average is treated as absent:
# scanned theses often carry a stray page number or watermark but no real text.
MIN_CHARS_PER_PAGE = 40


@dataclass(slots=True)
class PdfText:
    pages: list[str]
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def looks_like_pdf(data: bytes) -> bool:
    # The header may follow a little junk (allowed by readers), never much.
    return b"%PDF-" in data[:1024]


def read_pdf(data: bytes, *, max_pages: int = 2000) -> PdfText:
    """Extract the text of every page, in reading order as pypdf gives it."""
    if not data:
        raise EmptyInput("empty file (0 bytes)")
    if not looks_like_pdf(data):
        raise NotAPdf("not a PDF: the file does not start with a %PDF header")
    if b"%%EOF" not in data[-2048:]:
        raise CorruptPdf("truncated or incomplete PDF: no end-of-file marker")

    collected: list[str] = []
    handler = _ListHandler(collected)
    pypdf_logger = logging.getLogger("pypdf")
    pypdf_logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = _read(data, max_pages)
        collected.extend(str(w.message) for w in caught)
    finally:
        pypdf_logger.removeHandler(handler)
    result.warnings = collected[:20]
    return result


def _read(data: bytes, max_pages: int) -> PdfText:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted only against editing, with an empty user password.
            try:
                opened = reader.decrypt("")
            except (PyPdfError, NotImplementedError) as exc:
                raise EncryptedPdf(f"encrypted PDF that cannot be opened: {exc}") from exc
            if not opened:
                raise EncryptedPdf("encrypted PDF: it needs a password to open")
        page_count = len(reader.pages)
    except (EncryptedPdf, TooLarge):
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise CorruptPdf(f"corrupt PDF: {_one_line(exc)}") from exc
    if page_count == 0:
        raise CorruptPdf("corrupt PDF: no pages")
    if page_count > max_pages:
        raise TooLarge(f"too many pages: {page_count} (limit {max_pages})")

    pages: list[str] = []
    failed = 0
    for page in reader.pages:
        try:
            pages.append(page.extract_text() or "")
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError):
            failed += 1
            pages.append("")
    if failed == page_count:
        raise CorruptPdf("corrupt PDF: no page could be read")
    text_chars = sum(len(p.strip()) for p in pages)
    if text_chars < MIN_CHARS_PER_PAGE * page_count:
        raise ScannedPdf(
            f"no text layer ({text_chars} characters on {page_count} pages): "
            "probably scanned; OCR is not done"
        )
    return PdfText(pages=pages, metadata=_metadata(reader))


def _metadata(reader: pypdf.PdfReader) -> dict[str, str]:
    try:
        info = reader.metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError):
        return {}
    wanted = {
        "/Title": "title",
        "/Author": "author",
        "/Subject": "subject",
        "/Keywords": "keywords",
    }
    out: dict[str, str] = {}
    for key, name in wanted.items():
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            out[name] = " ".join(value.split())
    created = info.get("/CreationDate")
    if isinstance(created, str) and created.startswith("D:") and created[2:6].isdigit():
        out["created_year"] = created[2:6]
    return out


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())
