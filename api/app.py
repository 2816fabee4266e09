"""The HTTP service: `create_app(settings)` builds a FastAPI app over one Workspace.

No global app object: tests build their own, `jejaring serve` builds one and hands it to
uvicorn. Reads are open; writes need `Authorization: Bearer <JEJARING_API_TOKEN>`.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI, HTTPException, Request
from fastapi.staticfiles import StaticFiles

from api.routes import documents_router, policy_router, search_router
from api.settings import Settings
from api.sparql import sparql_router
from api.web import STATIC_DIR, web_router
from api.workspace import Workspace

DESCRIPTION = """Knowledge graph and passage search over studies of child protection and
partnership in Indonesia: stakeholders, theories, obstacles and places, each with evidence.

Reads are open. Writes (upload, delete, SPARQL Update) need `Authorization: Bearer <token>`
when the server has `JEJARING_API_TOKEN`; without it the service is read-only."""


def _version() -> str:
    try:
        return version("jejaring")
    except PackageNotFoundError:
        return "0"


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace


def create_app(settings: Settings | None = None, workspace: Workspace | None = None) -> FastAPI:
    """An app over `workspace`, or over one it opens (and closes) from `settings`."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = workspace is None
        opened = workspace or Workspace(settings)
        app.state.workspace = opened
        _ = opened.index  # load the model and repair the index before the first request
        opened.warm_in_background()
        try:
            yield
        finally:
            if owned:
                opened.close()

    def require_writer(request: Request) -> None:
        token = settings.api_token.get_secret_value() if settings.api_token else ""
        if not token:
            raise HTTPException(403, "this server is read-only: it has no JEJARING_API_TOKEN")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # compare_digest: the time taken does not tell how much of a guess was right
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise HTTPException(
                401, "writes need Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"}
            )

    def after_update(request: Request) -> None:
        workspace_of(request).resync()

    app = FastAPI(title="Jejaring", version=_version(), description=DESCRIPTION, lifespan=lifespan)
    app.include_router(documents_router(workspace_of, settings, require_writer))
    app.include_router(search_router(workspace_of))
    app.include_router(policy_router(workspace_of))
    app.include_router(sparql_router(workspace_of, settings, require_writer, after_update))
    # The pages for people (/, /study/…, /obstacles, /place/…, /add, /query) and their files.
    app.include_router(web_router(workspace_of, settings))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/health", tags=["service"], summary="Store, index and model state")
    def health(request: Request) -> dict[str, object]:
        ws = workspace_of(request)
        documents = ws.store.document_ids()
        index = ws.index.stats()
        in_step = index["documents"] == len(documents)
        return {
            "status": "ok" if in_step else "degraded",
            "store": {"kind": ws.store.kind, "documents": len(documents)},
            "index": index,
            "model": {"id": ws.embedder.model_id, "dim": ws.embedder.dim},
            "writable": bool(settings.api_token and settings.api_token.get_secret_value()),
        }

    return app
