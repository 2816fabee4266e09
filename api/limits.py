"""What a request must pass before its body is read: the token of a write, and a size limit.

FastAPI reads a body whole (a form is spooled to disk) before a handler runs, so checks in a
handler came after a stranger's 300 MB had been taken in. `RequestLimits` is a pure ASGI
middleware that answers from the headers where it can (401/403 for a write without the token,
413 for a declared length over the limit) and otherwise counts the body as it streams past,
a chunked one too, stopping at the limit. `check_writer` is the one token check: the
middleware and the handlers (a SPARQL form may carry an update) both use it.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings

MB = 1024 * 1024
# Room for the multipart framing around an uploaded file (boundaries, part headers).
MULTIPART_SLACK = 64 * 1024
# No other route reads a body; a small one is allowed so that clients sending an empty form
# or JSON object by habit get the route's own answer.
OTHER_BODY_BYTES = 64 * 1024
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
SPARQL_UPDATE = "application/sparql-update"


def check_writer(settings: Settings, authorization: str) -> str:
    """The name of the writer whose token `authorization` carries (api.settings.writers);
    403 on a read-only server, 401 without a token."""
    writers = settings.writers()
    if not writers:
        raise HTTPException(403, "this server is read-only: it has no JEJARING_API_TOKEN")
    scheme, _, given = authorization.partition(" ")
    # compare_digest against every token: the time taken does not tell how much of a guess was
    # right, nor which token it was near
    name = None
    for token, writer in writers.items():
        if hmac.compare_digest(given.strip().encode(), token.encode()):
            name = writer
    if scheme.lower() != "bearer" or name is None:
        raise HTTPException(
            401, "writes need Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"}
        )
    return name


def is_write(method: str, path: str, media: str) -> bool:
    """Whether a request changes something: every method but GET/HEAD/OPTIONS, except a SPARQL
    query by POST. A form to /sparql may hold either; its handler checks an update itself."""
    if method in READ_METHODS:
        return False
    if path == "/sparql":
        return media == SPARQL_UPDATE
    return True


def body_limit(settings: Settings, path: str, media: str) -> tuple[int, str]:
    """(largest body in bytes, the refusal naming the limit) for a request."""
    if path.endswith("/curations"):
        return OTHER_BODY_BYTES, f"curation larger than {OTHER_BODY_BYTES // 1024} KB"
    if path == "/documents" or path.startswith("/documents/"):
        mb = settings.max_upload_mb
        return mb * MB + MULTIPART_SLACK, f"upload larger than {mb} MB (JEJARING_MAX_UPLOAD_MB)"
    if path == "/sparql":
        if media == "application/sparql-query":
            kb = settings.max_query_kb
            return kb * 1024, f"SPARQL query larger than {kb} KB (JEJARING_MAX_QUERY_KB)"
        mb = settings.max_update_mb
        return mb * MB, f"SPARQL update or form larger than {mb} MB (JEJARING_MAX_UPDATE_MB)"
    return OTHER_BODY_BYTES, f"request body larger than {OTHER_BODY_BYTES // 1024} KB"


class BodyTooLarge(HTTPException):
    """Raised from `receive` at the limit. An HTTPException, because FastAPI turns any other
    error while reading a body into a 400 but lets these through to become the answer."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


class RequestLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = scope["path"].rstrip("/") or "/"
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if is_write(scope["method"], path, media):
            try:
                check_writer(self.settings, headers.get("authorization", ""))
            except HTTPException as exc:
                await _answer(exc, scope, receive, send)
                return
        limit, refusal = body_limit(self.settings, path, media)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(BodyTooLarge(refusal), scope, receive, send)
            return

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(refusal)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:  # read outside FastAPI's handling (a middleware, say)
            if started:
                raise
            await _answer(exc, scope, receive, send)


async def _answer(exc: HTTPException, scope: Scope, receive: Receive, send: Send) -> None:
    # The same shape as FastAPI's own error answers: {"detail": ...}.
    response = JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    await response(scope, receive, send)
