"""The SPARQL 1.1 Protocol endpoint as an APIRouter (after rdflib-endpoint's shape).

query: GET ?query=, POST form `query=`, POST `application/sparql-query`; the dataset by
`default-graph-uri` / `named-graph-uri` (repeatable), else by the query's FROM / FROM NAMED,
else the union of every named graph as the default graph (how Jejaring's own queries work).
update: POST form `update=` or `application/sparql-update`, only with the token; its dataset by
`using-graph-uri` / `using-named-graph-uri`. Never by GET.
Protocol parameters come from the URL's query string and, for a form, from the body too; each
operation is given once (two `query`, two `update`, or one of each, are a 400). A form is read
in its declared charset (UTF-8 if none), a direct body as UTF-8; bytes not valid in it are a
400, never replaced.
Relative IRIs resolve against the endpoint's URL. Results by `Accept`: SPARQL JSON (default),
XML, CSV, TSV (ASK: JSON or XML, the formats that define a boolean); CONSTRUCT/DESCRIBE as
Turtle (default), JSON-LD or N-Triples. The query runs with the store's time limit and result
cap (kg.sandbox). Conformance: tests/test_sparql_protocol.py runs the W3C protocol tests.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
import rdflib
from fastapi import APIRouter, HTTPException, Request, Response
from rdflib.query import Result
from starlette.concurrency import run_in_threadpool

from api.dependencies import WorkspaceDep, require_writer
from api.workspace import Workspace
from kg.sandbox import SparqlDataset, graphs
from kg.shape import Term
from kg.store import Boolean, QueryError, QueryResult, QueryTimeout, Solutions, graph_bytes

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
# SPARQL's CSV/TSV results define no boolean form (the W3C test for ASK expects XML or JSON):
# an ASK whose client asks for CSV only gets the default, JSON, under its own media type.
BOOLEAN_TYPES = [m for m, kind in RESULT_TYPES.items() if kind in ("json", "xml")]
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"  # not in the protocol; accepted as a form, as before
QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")
PROTOCOL_NAMES = {"query", "update", *QUERY_DATASET, *UPDATE_DATASET}
# The registrations of application/sparql-query and -update fix their encoding as UTF-8, so a
# body declaring another charset is refused (the W3C tests bad_query_non_utf8 and
# bad_update_non_utf8 want a 4xx); ASCII is a subset of UTF-8.
DIRECT_CODECS = ("utf-8", "ascii")


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


@dataclass(frozen=True, slots=True)
class Operation:
    """One protocol request, read and checked: a query or an update, with its dataset."""

    kind: str  # "query" or "update"
    text: str
    dataset: SparqlDataset


GRAPH_LIST = {"type": "array", "items": {"type": "string", "format": "uri"}}


def _graph_parameters(names: tuple[str, ...]) -> list[dict[str, object]]:
    return [{"name": n, "in": "query", "required": False, "schema": GRAPH_LIST} for n in names]


sparql_router = APIRouter(tags=["sparql"])


def run_query(request: Request, workspace: Workspace, operation: Operation) -> Response:
    """A query, answered in the format the request accepts."""
    try:
        result = workspace.sparql.query(
            operation.text, dataset=operation.dataset or None, base_iri=_base_iri(request)
        )
    except QueryTimeout as exc:
        raise HTTPException(503, str(exc)) from exc
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    return serialize(result, request.headers.get("accept", ""))


@sparql_router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET)",
    openapi_extra={
        "parameters": [
            {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}},
            *_graph_parameters(QUERY_DATASET),
        ]
    },
)
def sparql_get(request: Request, workspace: WorkspaceDep) -> Response:
    params = _pairs(request.scope.get("query_string", b""), "utf-8", "the URL's query")
    if any(name == "update" for name, _ in params):
        raise HTTPException(
            400, "an update is sent by POST (a form or application/sparql-update), not GET"
        )
    return run_query(request, workspace, _operation(params))


@sparql_router.post(
    "/sparql",
    summary="SPARQL 1.1 query or update (POST)",
    openapi_extra={
        "parameters": _graph_parameters(QUERY_DATASET + UPDATE_DATASET),
        "requestBody": {
            "content": {
                FORM_TYPE: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "update": {"type": "string"},
                            **{name: GRAPH_LIST for name in QUERY_DATASET + UPDATE_DATASET},
                        },
                    }
                },
                QUERY_TYPE: {"schema": {"type": "string"}},
                UPDATE_TYPE: {"schema": {"type": "string"}},
            }
        },
    },
)
async def sparql_post(request: Request, workspace: WorkspaceDep) -> Response:
    content_type = request.headers.get("content-type", "")
    media, charset = _media(content_type)
    if media not in (QUERY_TYPE, UPDATE_TYPE, FORM_TYPE, MULTIPART_TYPE):
        given = f"not {media}" if media else "the request has no Content-Type"
        raise HTTPException(415, f"send a form, {QUERY_TYPE} or {UPDATE_TYPE}: {given}")
    params = _pairs(request.scope.get("query_string", b""), "utf-8", "the URL's query")
    body = await request.body()  # the one read of the body (the size limit is upstream)
    if media in (QUERY_TYPE, UPDATE_TYPE):
        codec = _codec(charset or "utf-8")
        if codec not in DIRECT_CODECS:
            raise HTTPException(
                415,
                f"an {media} body is UTF-8 (so its media type is registered), not "
                f"{charset}: send the text as UTF-8, or as a form in its own charset",
            )
        kind = "query" if media == QUERY_TYPE else "update"
        params.append((kind, _decode(body, codec, "the body")))
    elif media == FORM_TYPE:
        params += _pairs(body, _codec(charset or "utf-8"), "the form")
    else:
        params += _multipart(body, content_type)
    if any(name == "update" for name, _ in params):
        require_writer(request)  # before anything else of an update is looked at
    operation = _operation(params)
    if operation.kind == "update":
        return await _update(request, workspace, operation)
    return await run_in_threadpool(run_query, request, workspace, operation)


async def _update(request: Request, workspace: Workspace, operation: Operation) -> Response:
    base_iri = _base_iri(request)

    def apply() -> None:
        with workspace.write_lock:
            workspace.sparql.update(
                operation.text, using=operation.dataset or None, base_iri=base_iri
            )
            # The index and the passages' concepts follow what the update changed.
            workspace.resync()

    try:
        await run_in_threadpool(apply)
    except QueryTimeout as exc:
        raise HTTPException(503, str(exc)) from exc
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    return Response(status_code=204)


def _operation(params: list[tuple[str, str]]) -> Operation:
    """The one query or update of a request, and its dataset; 400 for anything ambiguous."""
    given = {name: [v for n, v in params if n == name] for name in ("query", "update")}
    if given["query"] and given["update"]:
        raise HTTPException(400, "give a query or an update, not both in one request")
    kind = "update" if given["update"] else "query"
    if len(given[kind]) > 1:
        raise HTTPException(400, f"give one `{kind}`, not {len(given[kind])}")
    text = given[kind][0] if given[kind] else ""
    if not text.strip():
        raise HTTPException(400, "give a SPARQL query (`query`) or update (`update`)")
    own, other = (UPDATE_DATASET, QUERY_DATASET)
    if kind == "query":
        own, other = other, own
    if wrong := sorted({n for n, _ in params if n in other}):
        # A dataset the operation cannot use would be silently ignored: say so instead.
        message = f"{', '.join(wrong)}: not for a {kind}, which takes {' and '.join(own)}"
        raise HTTPException(400, message)
    try:
        default, named = ([v for n, v in params if n == name] for name in own)
        return Operation(kind, text, SparqlDataset(graphs(default), graphs(named)))
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc


def _base_iri(request: Request) -> str:
    """The endpoint's own URL, against which relative IRIs in a request resolve. Checked
    (Starlette drops a malformed Host header, but the root path is a proxy's), since a remote
    store is sent it pasted into the text as `BASE <…>`."""
    url = str(request.url.replace(query="", fragment=""))
    try:
        ox.NamedNode(url)
    except ValueError:
        raise HTTPException(
            400, f"the Host header makes no IRI of this endpoint: {url!r}"
        ) from None
    return url


def _media(content_type: str) -> tuple[str, str | None]:
    """(media type, its charset parameter or None) of a Content-Type header."""
    media, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return media.strip().lower(), charset


def _codec(charset: str) -> str:
    """Python's name for a declared charset; 415 for one that is unknown or not text."""
    try:
        name = codecs.lookup(charset).name
        b"".decode(name)  # base64, rot13 and the like are codecs but not text encodings
    except LookupError:
        raise HTTPException(415, f"unknown charset {charset!r}") from None
    return name


def _decode(raw: bytes, codec: str, what: str) -> str:
    """Strict: bytes that are not valid in the charset are refused, never replaced."""
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise HTTPException(
            400, f"{what} is not valid {codec} (at byte {exc.start}): declare its charset"
        ) from None


def _pairs(raw: bytes, codec: str, what: str) -> list[tuple[str, str]]:
    """The protocol's URL-encoded name=value pairs in order, repeats kept (Starlette's parser
    keeps them too, but replaces undecodable bytes and reads a form's percent-escapes as UTF-8
    whatever its charset). Other names are skipped, undecoded."""
    out = []
    for piece in raw.split(b"&"):
        key, _, value = piece.partition(b"=")
        name = unquote_to_bytes(key.replace(b"+", b" ")).decode(codec, errors="replace")
        if name in PROTOCOL_NAMES:
            out.append((name, _decode(unquote_to_bytes(value.replace(b"+", b" ")), codec, what)))
    return out


def _multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The protocol's fields of a multipart/form-data body, each in its part's charset (UTF-8
    if none), through the standard library's MIME parser, which keeps each part's bytes."""
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise HTTPException(400, "a multipart/form-data body without parts or boundary")
    out = []
    for part in message.iter_parts():
        param = part.get_param("name", header="content-disposition")
        name = collapse_rfc2231_value(param) if param else ""
        if name in PROTOCOL_NAMES:
            raw = part.get_payload(decode=True)
            codec = _codec(part.get_content_charset() or "utf-8")
            text = _decode(raw if isinstance(raw, bytes) else b"", codec, f"the field {name!r}")
            out.append((name, text))
    return out


def serialize(result: QueryResult, accept: str) -> Response:
    if isinstance(result, Solutions | Boolean):
        offered = BOOLEAN_TYPES if isinstance(result, Boolean) else list(RESULT_TYPES)
        media = negotiate(accept, offered, "application/sparql-results+json")
        kind = RESULT_TYPES[media]
        body: bytes | None
        if kind == "tsv" and isinstance(result, Solutions):
            body = _tsv(result)
        else:
            body = _rdflib_result(result).serialize(format=kind)
        media = {"json": "application/sparql-results+json",
                 "xml": "application/sparql-results+xml"}.get(kind, media)  # fmt: skip
        return Response(body, media_type=media)
    media = negotiate(accept, list(GRAPH_TYPES), "text/turtle")
    return Response(graph_bytes(result.triples, GRAPH_TYPES[media]), media_type=media)


def _tsv(result: Solutions) -> bytes:
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


def to_rdflib(term: Term | ox.Triple) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.Literal(str(term))  # RDF-star triples: their N-Triples text
