"""The HTTP service: `create_app(settings)` builds a FastAPI app over one Workspace.

No global app object: tests build their own, `jejaring serve` builds one and hands it to
uvicorn. Reads are open; writes need `Authorization: Bearer <JEJARING_API_TOKEN>`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from api.curation_routes import curation_router
from api.dependencies import workspace_of
from api.limits import RequestLimits
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


def create_app(settings: Settings | None = None, workspace: Workspace | None = None) -> FastAPI:
    """An app over `workspace`, or over one it opens (and closes) from `settings`."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = workspace is None
        opened = workspace or Workspace(settings)
        app.state.workspace = opened
        # The model loads and the index is repaired on a thread: the server answers at once,
        # and a request that needs the index waits for it.
        opened.open_in_background()
        try:
            yield
        finally:
            if owned:
                opened.close()

    # FastAPIOffline: FastAPI whose /docs and /redoc load Swagger UI and ReDoc from the
    # installed package rather than a CDN (no outbound fetch from a reader's browser either).
    app = FastAPIOffline(
        title="Jejaring", version=_version(), description=DESCRIPTION, lifespan=lifespan
    )
    # What the handlers get through api.dependencies: the settings now, the workspace when
    # the lifespan opens it.
    app.state.settings = settings
    app.include_router(documents_router)
    app.include_router(search_router)
    app.include_router(policy_router)
    app.include_router(sparql_router)
    app.include_router(curation_router(workspace_of, settings))
    # The pages for people (/, /study/…, /obstacles, /place/…, /add, /query) and their files.
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The token of a write and the size of every body, checked before a body is read.
    app.add_middleware(RequestLimits, settings=settings)

    @app.get(
        "/health", tags=["service"], summary="Store, index and model state", response_model=None
    )
    def health(request: Request) -> dict[str, object] | JSONResponse:
        ws = workspace_of(request)
        documents = ws.store.document_ids()
        if not ws.index_ready:  # the model is loading or the index is being repaired: 503,
            # so that a load balancer (or a test) waits, though the pages already answer
            return JSONResponse(
                status_code=503,
                content={
                    "status": "starting",
                    "store": {"kind": ws.store.kind, "documents": len(documents)},
                    "index": None,
                    "model": None,
                    "writable": bool(settings.writers()),
                },
            )
        index = ws.index.stats()
        in_step = index["documents"] == len(documents)
        return {
            "status": "ok" if in_step else "degraded",
            "store": {"kind": ws.store.kind, "documents": len(documents)},
            "index": index,
            "model": {"id": ws.embedder.model_id, "dim": ws.embedder.dim},
            "writable": bool(settings.writers()),
        }

    return app
