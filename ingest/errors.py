"""Reasons an input cannot be ingested. Each message is one line a user can act on."""

from __future__ import annotations


class IngestError(Exception):
    """An input that cannot be ingested; the batch goes on without it."""

    code = "invalid"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmptyInput(IngestError):
    code = "empty"


class UnsupportedType(IngestError):
    code = "unsupported-type"


class NotAPdf(UnsupportedType):
    code = "not-a-pdf"


class CorruptPdf(IngestError):
    code = "corrupt"


class EncryptedPdf(IngestError):
    code = "encrypted"


class ScannedPdf(IngestError):
    code = "no-text-layer"


class TooLarge(IngestError):
    code = "too-large"


class NoText(IngestError):
    code = "no-text"


class BadEncoding(IngestError):
    code = "bad-encoding"


class TooSlow(IngestError):
    """Reading the file ran past its time limit (its worker process was killed)."""

    code = "too-slow"


class ParserBusy(IngestError):
    """Every parse worker stayed busy for as long as the caller would wait: not the file's
    fault, so the caller may try again."""

    code = "busy"


class UnknownDocument(IngestError):
    """A replacement named a document the store does not hold."""

    code = "unknown-document"


def too_much_text(limit_chars: int) -> TooLarge:
    """The one wording of the text limit, for PDFs and records alike."""
    return TooLarge(f"too much text: more than the limit of {limit_chars / 2**20:g} MB per file")
