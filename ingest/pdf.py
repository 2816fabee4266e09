"""PDF bytes -> raw page texts and metadata, with a clear reason for every PDF we cannot read.

pypdf is lenient (it reconstructs broken cross-reference tables), so the checks that give a
user a useful reason (empty, not a PDF, truncated, encrypted, no text layer) are done here
before and after handing the bytes to it.

A hostile PDF can still make pypdf run for minutes (a few KB of content stream inflating to
megabytes of operators), recurse until the stack ends, or amplify text (one form drawn a
million times): `read_pdf` stops at a text limit, and the service calls it in a worker
process that is killed at a deadline (ingest.pipeline).
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import pypdf
from pypdf.errors import PyPdfError

from ingest.errors import (
    CorruptPdf,
    EmptyInput,
    EncryptedPdf,
    IngestError,
    NotAPdf,
    ScannedPdf,
    TooLarge,
    too_much_text,
)
from ingest.text import without_controls

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


def read_pdf(data: bytes, *, max_pages: int = 2000, max_chars: int | None = None) -> PdfText:
    """Extract the text of every page, in reading order as pypdf gives it; more than
    `max_chars` characters in all is refused (TooLarge) as soon as it is reached."""
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
            result = _read(data, max_pages, max_chars)
        collected.extend(str(w.message) for w in caught)
    except IngestError:
        raise
    except MemoryError:
        raise  # the worker reports it as a crash past its memory limit
    except RecursionError:
        raise CorruptPdf("corrupt PDF: objects nested too deeply to read") from None
    except Exception as exc:  # pypdf on a malformed file fails in many ways; all mean the same
        raise CorruptPdf(f"corrupt PDF: {_one_line(exc)}") from exc
    finally:
        pypdf_logger.removeHandler(handler)
    result.warnings = collected[:20]
    return result


class _TextLimit(Exception):
    """Raised from pypdf's text callback to stop a page at the text limit."""


def _read(data: bytes, max_pages: int, max_chars: int | None) -> PdfText:
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

    left = max_chars or 0

    def count(text: Any, *_: Any) -> None:
        # Stops within a page as soon as the text passes the limit: one small form drawn a
        # million times is a small file and a page of gigabytes.
        nonlocal left
        if isinstance(text, str):
            left -= len(text)
            if left < 0:
                raise _TextLimit

    visitor = count if max_chars is not None else None
    pages: list[str] = []
    failed = total = 0
    why = ""
    for page in reader.pages:
        try:
            text = page.extract_text(visitor_text=visitor)
            pages.append(without_controls(text or ""))
        except _TextLimit:
            raise too_much_text(max_chars or 0) from None
        except MemoryError:
            raise
        except Exception as exc:  # a page pypdf cannot read: the others may still do
            failed += 1
            pages.append("")
            why = why or ("objects nested too deeply" if isinstance(exc, RecursionError)
                          else _one_line(exc))  # fmt: skip
        total += len(pages[-1])
        if max_chars is not None and total > max_chars:
            raise too_much_text(max_chars)
    if failed == page_count:
        raise CorruptPdf(f"corrupt PDF: no page could be read ({why})")
    text_chars = sum(len(p.strip()) for p in pages)
    if text_chars < MIN_CHARS_PER_PAGE * page_count:
        raise ScannedPdf(
            f"no text layer ({text_chars} characters on {page_count} pages): "
            "probably scanned; OCR is not done"
        )
    return PdfText(pages=pages, metadata=_metadata(reader))


def _metadata(reader: pypdf.PdfReader) -> dict[str, str]:
    try:
        info: Any = reader.metadata or {}
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
            out[name] = " ".join(without_controls(value).split())[:2000]
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
