"""Handlers and their helpers, unit by unit: content negotiation, value binding, and route
handlers called as plain functions with a real workspace (no app, no HTTP)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi import HTTPException
from records import HEADER_RECORD
from starlette.requests import Request

from api import routes
from api.sparql import BOOLEAN_TYPES, GRAPH_TYPES, RESULT_TYPES, negotiate
from api.workspace import Workspace
from kg.remote import bind_values
from kg.store import QueryError

JSON = "application/sparql-results+json"


@pytest.mark.parametrize(
    ("accept", "offered", "chosen"),
    [
        ("", list(RESULT_TYPES), JSON),  # no header: the default
        ("*/*", list(RESULT_TYPES), JSON),
        ("text/csv", list(RESULT_TYPES), "text/csv"),
        ("TEXT/CSV", list(RESULT_TYPES), "text/csv"),  # media types are case-insensitive
        ("text/csv;q=0.5, application/sparql-results+xml", list(RESULT_TYPES),
         "application/sparql-results+xml"),  # the higher q wins, whatever the order
        ("application/xml;q=0.9, text/csv;q=0.9", list(RESULT_TYPES), "application/xml"),
        ("text/*", list(RESULT_TYPES), "text/csv"),  # a range: the first offered in it
        ("image/png, */*;q=0.1", list(RESULT_TYPES), JSON),
        ("image/png", list(RESULT_TYPES), JSON),  # nothing acceptable: the default anyway
        ("text/csv;q=bad, application/json", list(RESULT_TYPES), "application/json"),
        ("text/csv", BOOLEAN_TYPES, JSON),  # ASK has no CSV form
        ("application/n-triples", list(GRAPH_TYPES), "application/n-triples"),
        ("application/ld+json;q=0.8, text/turtle;q=0.9", list(GRAPH_TYPES), "text/turtle"),
    ],
)  # fmt: skip
def test_negotiate(accept: str, offered: list[str], chosen: str) -> None:
    default = "text/turtle" if offered == list(GRAPH_TYPES) else JSON
    assert negotiate(accept, offered, default) == chosen


EX = "http://example.org/"
PREFIX = f"PREFIX ex: <{EX}> "


@pytest.fixture(scope="module")
def two_subjects() -> ox.Store:
    store = ox.Store()  # in memory: the binding is checked by what a real engine answers
    for name, value in (("a", 1), ("b", 2)):
        store.add(ox.Quad(ox.NamedNode(EX + name), ox.NamedNode(EX + "p"), ox.Literal(value)))
    return store


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?o WHERE { ?s ex:p ?o }",
        "select ?s ?o where{?s ex:p ?o}",  # lower case, no space before the brace
        "SELECT ?s ?o\nWHERE\n{\n ?s ex:p ?o }",
        # nested groups and a subquery: the binding goes in the outermost group
        "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s ex:p ?o } } }",
        "SELECT ?s ?o WHERE { ?s ex:p ?o { ?s ?q ?o } UNION { ?s ex:p ?o } }",
        # text that looks like the clause but is a comment or a string
        "# no WHERE { here\nSELECT ?s ?o WHERE { ?s ex:p ?o }",
        'SELECT ?s ?o ("WHERE { ?x" AS ?note) WHERE { ?s ex:p ?o }',
        "SELECT ?s ?o ('''where {''' AS ?note) WHERE { ?s ex:p ?o }",
    ],
)
def test_bind_values_binds_the_outermost_group(two_subjects: ox.Store, query: str) -> None:
    bound = bind_values(PREFIX + query, {"s": ox.NamedNode(EX + "a")})
    rows = list(two_subjects.query(bound))  # type: ignore[arg-type]
    assert {row["s"].value for row in rows} == {EX + "a"}, bound


def test_bind_values_without_bindings_leaves_the_query_alone() -> None:
    assert bind_values("ASK {}", {}) == "ASK {}"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p ?o }",  # WHERE is optional in SPARQL, but bindings need it
        "ASK {}",
        "SELECT * # WHERE {\n { ?s ?p ?o }",  # only in a comment
        'SELECT ("WHERE {" AS ?x) {}',  # only in a string
    ],
)
def test_bind_values_without_a_where_clause_is_a_clear_error(query: str) -> None:
    with pytest.raises(QueryError, match="bound queries need a WHERE clause"):
        bind_values(query, {"s": ox.NamedNode(EX + "a")})


def request_with(accept: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"",
                    "headers": [(b"accept", accept.encode())]})  # fmt: skip


def test_document_handlers_alone(workspace: Workspace) -> None:
    with pytest.raises(HTTPException) as missing:
        routes.get_document(workspace, "0123456789abcdef")
    assert missing.value.status_code == 404

    doc_id = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt").doc_id
    assert doc_id is not None
    assert routes.get_document(workspace, doc_id)["id"] == doc_id
    listed = routes.list_documents(workspace, routes.FilterParams(), offset=0, limit=10)
    assert listed["total"] == 1 and listed["items"][0]["id"] == doc_id
    assert routes.list_documents(workspace, routes.FilterParams(year_from=2100))["total"] == 0

    graph = routes.get_graph(request_with("application/n-triples"), workspace, doc_id)
    assert graph.media_type == "application/n-triples"
    assert f"<https://w3id.org/jejaring/doc/{doc_id}>".encode() in bytes(graph.body)


def test_question_handlers_alone(workspace: Workspace) -> None:
    workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    recurring = routes.recurring(workspace, "regency", 1)
    assert recurring["level"] == "regency" and recurring["obstacles"]
    with pytest.raises(HTTPException) as nowhere:
        routes.place(workspace, "91.01")
    assert nowhere.value.status_code == 404
    usage = routes.stakeholders(workspace)
    assert usage["scheme"] == "stakeholder" and usage["concepts"]


def test_search_handler_refuses_an_empty_query(workspace: Workspace) -> None:
    with pytest.raises(HTTPException) as empty:
        routes.search(workspace, "   ", routes.FilterParams(), k=5)
    assert empty.value.status_code == 400 and "empty query" in str(empty.value.detail)


def test_a_page_handler_alone(workspace: Workspace) -> None:
    from types import SimpleNamespace

    from api import web

    app = SimpleNamespace(state=SimpleNamespace(settings=workspace.settings))
    request = Request({"type": "http", "method": "GET", "path": "/place/x", "query_string": b"",
                       "headers": [], "app": app})  # fmt: skip
    page = web.place_page(request, workspace, "not-a-code")
    assert page.status_code == 404 and b"not a Kemendagri region code" in bytes(page.body)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
