"""Curations over HTTP: confirm, reject or add a study's mentions (with a token), list them,
undo one. The logic is kg.curation's; a handler checks the token, takes the writer lock and
shapes the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.limits import check_writer
from api.settings import Settings
from api.workspace import Workspace
from kg import curation

WorkspaceOf = Callable[[Request], Workspace]
DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{8,64}$", description="Document id.")]
CurationId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="Curation id.")]


class CurationIn(BaseModel):
    """One curation of a study's mention. Kind, concept and action are checked by kg.curation,
    whose refusal names what was wrong."""

    kind: str = Field(max_length=32, examples=["obstacle"], description=", ".join(curation.KINDS))
    concept: str = Field(
        max_length=300, examples=["funding"],
        description="The short id as the document JSON gives it (a place's code), or the IRI.",
    )  # fmt: skip
    action: str = Field(max_length=16, examples=["reject"], description="confirm, reject, add")
    note: str = Field("", max_length=curation.MAX_NOTE, description="Why.")
    role: str | None = Field(
        None, max_length=16, description="studied|mentioned (place), framework|cited (theory)"
    )
    quote: str | None = Field(
        None, max_length=curation.MAX_QUOTE, description="Evidence of an added mention."
    )
    page: int | None = Field(None, description="The quote's page.")


def _refusal(exc: curation.CurationError) -> HTTPException:
    return HTTPException(exc.status, str(exc))


def curation_router(workspace_of: WorkspaceOf, settings: Settings) -> APIRouter:
    router = APIRouter(tags=["curations"])

    @router.post(
        "/documents/{doc_id}/curations",
        status_code=201,
        summary="Confirm, reject or add a mention of a study (needs a token; its name is kept)",
    )
    def create(request: Request, doc_id: DocId, body: CurationIn) -> JSONResponse:
        by = check_writer(settings, request.headers.get("authorization", ""))
        workspace = workspace_of(request)
        try:
            with workspace.write_lock:
                made = curation.record(
                    workspace.store, workspace.lexicon, doc_id, kind=body.kind,
                    concept=body.concept, action=body.action, by=by, note=body.note,
                    role=body.role, quote=body.quote, page=body.page,
                )  # fmt: skip
        except curation.CurationError as exc:
            raise _refusal(exc) from exc
        workspace.curated(doc_id)
        return JSONResponse(made, status_code=201)

    @router.get("/documents/{doc_id}/curations", summary="The curations of one study")
    def of_document(
        request: Request, doc_id: DocId, undone: Annotated[bool, Query()] = False
    ) -> dict[str, Any]:
        workspace = workspace_of(request)
        found = curation.list_curations(workspace.store, document=doc_id, undone=undone)
        if not found and not workspace.store.has_document(doc_id):
            raise HTTPException(404, f"no document {doc_id}")
        return {"document": doc_id, "curations": found}

    @router.get(
        "/curations",
        summary="Curations in force, newest first; orphaned=true: those whose mention or "
        "study the current extraction no longer has",
    )
    def all_curations(
        request: Request,
        document: Annotated[str | None, Query(pattern=r"^[0-9a-f]{8,64}$")] = None,
        kind: Annotated[
            Literal["stakeholder", "theory", "method", "obstacle", "place"] | None, Query()
        ] = None,
        action: Annotated[Literal["confirm", "reject", "add"] | None, Query()] = None,
        orphaned: Annotated[bool | None, Query()] = None,
        undone: Annotated[bool, Query(description="Include undone ones.")] = False,
    ) -> dict[str, Any]:
        found = curation.list_curations(
            workspace_of(request).store, document=document, kind=kind, action=action,
            orphaned=orphaned, undone=undone,
        )  # fmt: skip
        return {"total": len(found), "curations": found}

    @router.get("/curations/{curation_id}", summary="One curation, in force or undone")
    def one(request: Request, curation_id: CurationId) -> dict[str, Any]:
        found = curation.get(workspace_of(request).store, curation_id)
        if found is None:
            raise HTTPException(404, f"no curation {curation_id}")
        return found

    @router.delete(
        "/curations/{curation_id}",
        summary="Undo a curation (needs a token): its effect goes, its record stays, undone",
    )
    def undo(request: Request, curation_id: CurationId) -> dict[str, Any]:
        by = check_writer(settings, request.headers.get("authorization", ""))
        workspace = workspace_of(request)
        try:
            with workspace.write_lock:
                undone = curation.undo(workspace.store, curation_id, by)
        except curation.CurationError as exc:
            raise _refusal(exc) from exc
        workspace.curated(undone["document"])
        return undone

    return router
