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
