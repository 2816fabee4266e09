"""File bytes -> a Document with its mentions: the CPU-bound part of ingest as one call, which
the service makes in a worker process (ingest.isolation).

In a worker, a hostile file meets a deadline (a few KB of PDF kept pypdf busy for minutes) and
a crash costs only the worker. The service's own process stays free, too: extracting a
300-passage study there held the GIL for two seconds, and every search's query embedding
(torch takes the GIL back hundreds of times per call) waited as long.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ingest.errors import (
    CorruptPdf,
    IngestError,
    ParserBusy,
    TooSlow,
    UnsupportedType,
)
from ingest.extract import extract_mentions
from ingest.isolation import IsolationError, PoolBusy, WorkerPool, WorkerTimeout
from ingest.lexicon import Lexicon
from ingest.model import Document
from ingest.pdf import looks_like_pdf
from ingest.structure import document_from_pdf, document_from_record

RECORD_SUFFIXES = {".txt", ".md", ".markdown"}
# The function a reader worker serves (ingest.isolation runs `module:function(payload)`).
WORKER_TARGET = "ingest.pipeline:document_job"


def read_document(
    data: bytes,
    filename: str,
    lexicon: Lexicon,
    *,
    max_pages: int = 2000,
    max_chars: int | None = None,
) -> Document:
    """A PDF (by its bytes, or a .pdf name) or an abstract record, structured and with the
    mentions found in it; at most `max_chars` characters of text."""
    return read_document_timed(
        data, filename, lexicon, max_pages=max_pages, max_chars=max_chars
    ).document


@dataclass(frozen=True, slots=True)
class ReadDocument:
    """A document read, with the seconds its two stages took (the ingest benchmark's figures)."""

    document: Document
    parse_s: float
    extract_s: float


def read_document_timed(
    data: bytes,
    filename: str,
    lexicon: Lexicon,
    *,
    max_pages: int = 2000,
    max_chars: int | None = None,
) -> ReadDocument:
    """`read_document`, timing parsing (text and structure) and extraction apart."""
    start = time.perf_counter()
    suffix = PurePath(filename).suffix.lower()
    if looks_like_pdf(data) or suffix == ".pdf":
        doc = document_from_pdf(data, filename, max_pages=max_pages, max_chars=max_chars)
    elif suffix in RECORD_SUFFIXES or not suffix:
        doc = document_from_record(data, filename, max_chars=max_chars)
    else:
        raise UnsupportedType(
            f"unsupported file type '{suffix}': give a PDF or a .txt/.md abstract record"
        )
    parsed = time.perf_counter()
    doc.mentions = extract_mentions(doc, lexicon)
    return ReadDocument(doc, parsed - start, time.perf_counter() - parsed)


def document_job(payload: dict[str, Any]) -> ReadDocument:
    """The reader worker's entry point: `read_document_timed` with what the parent sends."""
    return read_document_timed(
        payload["data"], payload["filename"], payload["lexicon"],
        max_pages=payload["max_pages"], max_chars=payload["max_chars"],
    )  # fmt: skip


def read_timed_isolated(
    pool: WorkerPool,
    data: bytes,
    filename: str,
    lexicon: Lexicon,
    *,
    timeout: float,
    max_pages: int = 2000,
    max_chars: int | None = None,
) -> ReadDocument:
    """`read_document_timed` in one of `pool`'s workers, killed after `timeout` seconds. The
    function's own errors come back as they were raised (a bug stays a bug)."""
    payload = {
        "data": data, "filename": filename, "lexicon": lexicon,
        "max_pages": max_pages, "max_chars": max_chars,
    }  # fmt: skip
    try:
        return pool.call(payload, timeout=timeout)
    except WorkerTimeout:
        raise TooSlow(f"reading the file took longer than the limit of {timeout:g} s") from None
    except PoolBusy:
        raise ParserBusy("every file reader is busy: try again in a minute") from None
    except IsolationError as exc:  # the worker died: a stack overflow in a parser, or memory
        reason = f"the reader crashed on it ({exc})"
        if looks_like_pdf(data):
            raise CorruptPdf(f"corrupt PDF: {reason}") from None
        raise IngestError(f"unreadable file: {reason}") from None
