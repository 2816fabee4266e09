"""The JSON API's routers: documents (with upload = linking a new study), search, and the
policy questions. Each handler only shapes what kg/ and search/ return; handlers are
module-level functions that get the workspace as a dependency (api.dependencies)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.dependencies import SettingsDep, WorkspaceDep, require_writer
from api.settings import Settings
from api.sparql import GRAPH_TYPES, negotiate
from api.workspace import PLACE_LIMIT, RECORD_SUFFIXES, Workspace
from ingest.pdf import looks_like_pdf
from kg import policy
from kg.documents import DocumentNotFound, document_json
from kg.lookup import Filters, documents_matching, documents_meta
from kg.shape import PLACE_CODE_PATTERN
from kg.store import graph_bytes
from kg.summary_answers import DEFAULT_LIMIT, MATRIX_LIMIT, MAX_LIMIT
from search.hybrid import MAX_QUERY_CHARS, QueryError

DocId = Annotated[str, Path(pattern=r"^[0-9a-f]{8,64}$", description="Document id.")]
LevelParam = Annotated[
    Literal["regency", "province"],
    Query(description="regency (regencies and cities) or province"),
]
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


class FilterParams:
    """The graph filters shared by /documents and /search."""

    def __init__(
        self,
        place: Annotated[
            str | None,
            Query(
                pattern=PLACE_CODE_PATTERN,
                description="Kemendagri code; a province includes its regencies.",
            ),
        ] = None,
        year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
        year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
        kind: Annotated[Literal["article", "thesis", "report", "other"] | None, Query()] = None,
        language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
        obstacle: Annotated[str | None, Query(pattern=r"^\w{1,64}$", examples=["funding"])] = None,
        theory: Annotated[str | None, Query(pattern=r"^\w{1,64}$")] = None,
        stakeholder: Annotated[str | None, Query(pattern=r"^\w{1,64}$")] = None,
    ) -> None:
        self.filters = Filters(
            place, year_from, year_to, kind, language, obstacle, theory, stakeholder
        )


def _document_or_404(workspace: Workspace, doc_id: str, raw: bool = False) -> dict[str, Any]:
    try:
        return document_json(workspace.store, doc_id, raw=raw)
    except DocumentNotFound as exc:
        raise HTTPException(404, f"no document {doc_id}") from exc


def safe_filename(name: str | None) -> str:
    """A display name only: the last path part, tame characters. Never used as a path."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")[:200]
    return cleaned or "upload"


documents_router = APIRouter(tags=["documents"])
search_router = APIRouter(tags=["search"])
policy_router = APIRouter(tags=["questions"])


@documents_router.get("/documents", summary="Documents, paginated, with the search filters")
def list_documents(
    workspace: WorkspaceDep,
    params: Annotated[FilterParams, Depends()],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    allowed = documents_matching(workspace.store, params.filters)
    ids = sorted(allowed) if allowed is not None else workspace.store.document_ids()
    page = ids[offset : offset + limit]
    metas = documents_meta(workspace.store, page)  # one query for the page, not one a study
    items = [metas[d] for d in page]
    return {"total": len(ids), "offset": offset, "limit": limit, "items": items}


@documents_router.get(
    "/documents/{doc_id}", summary="One document: the fixed JSON of ARCHITECTURE.md"
)
def get_document(
    workspace: WorkspaceDep,
    doc_id: DocId,
    raw: Annotated[bool, Query(description="The extraction alone, no curations.")] = False,
) -> dict[str, Any]:
    return _document_or_404(workspace, doc_id, raw)


@documents_router.get(
    "/documents/{doc_id}/graph",
    summary="The document's named graph (Turtle, JSON-LD or N-Triples by Accept)",
    response_class=Response,
)
def get_graph(request: Request, workspace: WorkspaceDep, doc_id: DocId) -> Response:
    quads = workspace.store.document_quads(doc_id)
    if not quads:
        raise HTTPException(404, f"no document {doc_id}")
    media = negotiate(request.headers.get("accept", ""), list(GRAPH_TYPES), "text/turtle")
    return Response(graph_bytes(quads, GRAPH_TYPES[media]), media_type=media)


@documents_router.get("/documents/{doc_id}/similar", summary="The studies nearest to one study")
def similar(
    workspace: WorkspaceDep, doc_id: DocId, k: Annotated[int, Query(ge=1, le=50)] = 5
) -> dict[str, Any]:
    if not workspace.store.has_document(doc_id):
        raise HTTPException(404, f"no document {doc_id}")
    return {"document": doc_id, "similar": workspace.similar(doc_id, k)}


async def receive(
    request: Request,
    workspace: Workspace,
    settings: Settings,
    file: UploadFile,
    replace: str | None,
) -> Response:
    """Upload and replacement alike: the file is checked, read in a worker, linked."""
    require_writer(request)  # the middleware checked it already, before the body
    limit_bytes = settings.max_upload_mb * 1024 * 1024
    data = await file.read(limit_bytes + 1)
    if len(data) > limit_bytes:
        raise HTTPException(
            413, f"upload larger than {settings.max_upload_mb} MB (JEJARING_MAX_UPLOAD_MB)"
        )
    name = _named_for_content(safe_filename(file.filename), data)
    result = await run_in_threadpool(_ingest_and_link, workspace, data, name, replace)
    if result["status"] == "unchanged":
        return JSONResponse(result, status_code=200)
    workspace.warm_in_background()  # the graph-wide answers changed: refill them now
    return JSONResponse(result, status_code=201)


@documents_router.post(
    "/documents",
    status_code=201,
    summary="Link a new study: upload a PDF or an abstract record (needs the token)",
    responses={200: {"description": "Already in the graph; nothing changed"}},
)
async def upload(
    request: Request,
    workspace: WorkspaceDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A PDF or a .txt/.md abstract record")],
    replace: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9a-f]{8,64}$",
            description="Id of an older version that the new one replaces; without it a "
            "new file is a new study, whatever its name.",
        ),
    ] = None,
) -> Response:
    return await receive(request, workspace, settings, file, replace)


@documents_router.put(
    "/documents/{doc_id}",
    status_code=201,
    summary="Replace a study with a new version of it (needs the token); the new version "
    "gets its own id, from its content",
    responses={200: {"description": "The same content; nothing changed"}},
)
async def replace_document(
    request: Request,
    workspace: WorkspaceDep,
    settings: SettingsDep,
    doc_id: DocId,
    file: Annotated[UploadFile, File(description="The new version: a PDF or a record")],
) -> Response:
    return await receive(request, workspace, settings, file, doc_id)


@documents_router.delete(
    "/documents/{doc_id}", status_code=204, summary="Delete a document (needs the token)"
)
def delete(request: Request, workspace: WorkspaceDep, doc_id: DocId) -> Response:
    require_writer(request)
    if not workspace.delete(doc_id):
        raise HTTPException(404, f"no document {doc_id}")
    workspace.warm_in_background()
    return Response(status_code=204)


def _named_for_content(name: str, data: bytes) -> str:
    """The type comes from the bytes: a PDF, or else a text record (the pipeline decodes it
    and refuses binary data); the name only keeps a record suffix it already has."""
    if looks_like_pdf(data):
        return name if name.lower().endswith(".pdf") else f"{name}.pdf"
    suffix = PurePosixPath(name).suffix.lower()
    return name if suffix in RECORD_SUFFIXES else f"{name}.txt"


# The answer to each IngestError.code that is not a plain 422 (a file we cannot use).
_FAILURE_STATUS = {
    "unsupported-type": 415,  # fixed by sending another kind of file, not a better copy
    "not-a-pdf": 415,
    "too-large": 413,
    "unknown-document": 404,
    "busy": 503,
}


def _ingest_and_link(
    workspace: Workspace, data: bytes, name: str, replace: str | None = None
) -> dict[str, Any]:
    try:
        outcome = workspace.ingest_bytes(data, name, replace=replace)
    except Exception as exc:  # a store write is one transaction: nothing of it was kept
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise HTTPException(500, f"ingest failed, nothing was written: {reason}") from exc
    if outcome.status == "failed" or outcome.doc_id is None:
        status = _FAILURE_STATUS.get(outcome.code or "", 422)
        headers = {"Retry-After": "60"} if status == 503 else None
        raise HTTPException(status, outcome.reason or "could not ingest the file", headers)
    doc_id = outcome.doc_id
    return {
        "status": outcome.status,
        "replaced": outcome.replaced,
        "document": document_json(workspace.store, doc_id),
        "links": policy.links_of(workspace.store, doc_id),
        "nearest": workspace.similar(doc_id, 5),
    }


@search_router.get(
    "/search", summary="Passages or studies by meaning (Indonesian or English), with filters"
)
def search(
    workspace: WorkspaceDep,
    q: Annotated[str, Query(description="Words in Indonesian or English.")],
    params: Annotated[FilterParams, Depends()],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    unit: Annotated[
        Literal["passage", "study"],
        Query(description="passage (where any study says it) or study (with its passages)"),
    ] = "passage",
) -> dict[str, Any]:
    if len(q) > 4 * MAX_QUERY_CHARS:
        raise HTTPException(400, f"query too long (limit {MAX_QUERY_CHARS} characters)")
    try:
        if unit == "study":
            found = workspace.search_studies(q, k, params.filters)
            return {"query": q, "k": k, "unit": unit, "studies": found}
        hits = workspace.search(q, k, params.filters)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    return {"query": q, "k": k, "unit": unit, "hits": hits}


MinConfidenceParam = Annotated[
    float | None,
    Query(
        ge=0.0,
        le=1.0,
        description="Count only obstacle mentions found by a method at least this precise "
        "(default JEJARING_MIN_CONFIDENCE; 0 counts all).",
    ),
]


LimitParam = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description="Studies listed per obstacle (recurring, default 20) or document ids per "
        "cell (matrix, default 5); the counts are always whole and `documents_left_out` says "
        "how many were not listed.",
    ),
]


@policy_router.get("/obstacles/recurring", summary="Which obstacles recur across districts")
def recurring(
    workspace: WorkspaceDep,
    level: LevelParam = "regency",
    min_places: Annotated[int, Query(ge=1, le=1000)] = 2,
    min_confidence: MinConfidenceParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    found = workspace.recurring(level, min_places, min_confidence, limit)
    return {
        "level": level, "min_places": min_places, "min_confidence": workspace.floor(min_confidence),
        "limit": limit, "obstacles": found,
    }  # fmt: skip


@policy_router.get(
    "/obstacles/matrix",
    summary="Obstacle x place study counts (JSON, or CSV by format=csv or Accept)",
    responses={200: {"content": {"text/csv": {}}}},
)
def matrix(
    request: Request,
    workspace: WorkspaceDep,
    level: LevelParam = "regency",
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
    min_confidence: MinConfidenceParam = None,
    limit: LimitParam = MATRIX_LIMIT,
) -> Any:
    table = workspace.obstacle_matrix(level, min_confidence, limit)
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        return PlainTextResponse(policy.matrix_csv(table), media_type="text/csv")
    return table


@policy_router.get("/places/{code}", summary="A province or regency: its studies and places")
def place(
    workspace: WorkspaceDep,
    code: Annotated[str, Path(pattern=PLACE_CODE_PATTERN)],
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_LIMIT,
            description="Studies listed, newest first; `study_count` "
            "counts all and `studies_left_out` the rest.",
        ),
    ] = PLACE_LIMIT,
) -> dict[str, Any]:
    found = workspace.place_overview(code, limit)
    if found is None:
        raise HTTPException(404, f"no study names the place {code}")
    return found


def usage(workspace: Workspace, scheme: str | None) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "concepts": workspace.cached(
            ("concepts", scheme), lambda: policy.concept_usage(workspace.store, scheme)
        ),
    }


@policy_router.get("/concepts", summary="The SKOS schemes, with how many studies use each concept")
def concepts(
    workspace: WorkspaceDep,
    scheme: Annotated[
        Literal["stakeholder", "obstacle", "theory", "method"] | None, Query()
    ] = None,
) -> dict[str, Any]:
    return usage(workspace, scheme)


@policy_router.get("/stakeholders", summary="The stakeholder scheme with study counts")
def stakeholders(workspace: WorkspaceDep) -> dict[str, Any]:
    return usage(workspace, "stakeholder")


@policy_router.get("/theories", summary="The theory scheme with study counts")
def theories(workspace: WorkspaceDep) -> dict[str, Any]:
    return usage(workspace, "theory")
