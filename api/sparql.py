"""The SPARQL 1.1 Protocol endpoint as an APIRouter (after rdflib-endpoint's shape).

query: GET ?query=, POST form `query=`, POST `application/sparql-query`.
update: POST form `update=` or `application/sparql-update`, only with the token.
Results by `Accept`: SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle
(default), JSON-LD or N-Triples. The query runs with the store's time limit and result cap.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import rdflib
from fastapi import APIRouter, HTTPException, Request, Response
from rdflib.query import Result

from api.settings import Settings
from kg.store import Boolean, QueryError, QueryResult, QueryTimeout, Solutions, graph_bytes

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def negotiate(accept: str, offered: list[str], default: str) -> str:
    """The first offered type the Accept header allows, by its q order; else the default."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        wanted.append((-q, position, media.lower()))
    for _, _, media in sorted(wanted):
        if media in ("*/*", ""):
            return default
        if media in offered:
            return media
        if media.endswith("/*") and (match := [o for o in offered if o.startswith(media[:-1])]):
            return match[0]
    return default


def sparql_router(
    workspace_of: Callable[[Request], object],
    settings: Settings,
    require_writer: Callable[..., None],
    after_update: Callable[[Request], None],
) -> APIRouter:
    router = APIRouter(tags=["sparql"])

    def run(request: Request, query: str) -> Response:
        workspace = workspace_of(request)
        try:
            result = workspace.store.evaluate(  # type: ignore[attr-defined]
                query, timeout=settings.sparql_timeout_s, cap=settings.sparql_result_cap
            )
        except QueryTimeout as exc:
            raise HTTPException(503, str(exc)) from exc
        except QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        return serialize(result, request.headers.get("accept", ""))

    @router.get("/sparql", summary="SPARQL 1.1 query (GET)")
    def sparql_get(request: Request, query: str | None = None) -> Response:
        if not query:
            raise HTTPException(400, "give a SPARQL query in the `query` parameter")
        return run(request, query)

    @router.post(
        "/sparql",
        summary="SPARQL 1.1 query or update (POST)",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "query": {"type": "string"},
                                "update": {"type": "string"},
                            },
                        }
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/sparql-update": {"schema": {"type": "string"}},
                }
            }
        },
    )
    async def sparql_post(request: Request) -> Response:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        query = update = None
        if media == "application/sparql-query":
            query = (await request.body()).decode("utf-8", errors="replace")
        elif media == "application/sparql-update":
            update = (await request.body()).decode("utf-8", errors="replace")
        elif media in FORM_TYPES:
            form = await request.form()
            query, update = _text(form.get("query")), _text(form.get("update"))
        else:
            raise HTTPException(
                415, "send a form, application/sparql-query or application/sparql-update"
            )
        if update:
            return await _update(request, update)
        if not query:
            raise HTTPException(400, "give a SPARQL query (`query`) or update (`update`)")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(run, request, query)

    async def _update(request: Request, update: str) -> Response:
        from starlette.concurrency import run_in_threadpool

        require_writer(request)
        workspace = workspace_of(request)

        def apply() -> None:
            with workspace.write_lock:  # type: ignore[attr-defined]
                workspace.store.update(update)  # type: ignore[attr-defined]
                after_update(request)

        try:
            await run_in_threadpool(apply)
        except QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        return Response(status_code=204)

    return router


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def serialize(result: QueryResult, accept: str) -> Response:
    if isinstance(result, Solutions | Boolean):
        media = negotiate(accept, list(RESULT_TYPES), "application/sparql-results+json")
        kind = RESULT_TYPES[media]
        body = _tsv(result) if kind == "tsv" else _rdflib_result(result).serialize(format=kind)
        media = {"json": "application/sparql-results+json",
                 "xml": "application/sparql-results+xml"}.get(kind, media)  # fmt: skip
        return Response(body, media_type=media)
    media = negotiate(accept, list(GRAPH_TYPES), "text/turtle")
    return Response(graph_bytes(result.triples, GRAPH_TYPES[media]), media_type=media)


def _tsv(result: Solutions | Boolean) -> bytes:
    if isinstance(result, Boolean):
        return b"?_askResult\n" + (b"true\n" if result.value else b"false\n")
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:  # TSV cells are terms in their N-Triples form, escaped by pyoxigraph
        lines.append("\t".join(str(row[v]) if v in row else "" for v in result.variables))
    return ("\n".join(lines) + "\n").encode()


def _rdflib_result(result: Solutions | Boolean) -> Result:
    if isinstance(result, Boolean):
        answer = Result("ASK")
        answer.askAnswer = result.value
        return answer
    table = Result("SELECT")
    table.vars = [rdflib.Variable(v) for v in result.variables]
    table.bindings = [
        {rdflib.Variable(k): to_rdflib(v) for k, v in row.items()} for row in result.rows
    ]
    return table


def to_rdflib(term: ox.Term) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.Literal(str(term))  # RDF-star triples: their N-Triples text
