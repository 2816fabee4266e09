"""The W3C SPARQL 1.1 Protocol tests, run against `/sparql` in-process.

Source: the W3C RDF and SPARQL test suites, https://github.com/w3c/rdf-tests, file
sparql/sparql11/protocol/manifest.ttl (commit ad541a5f0479f0798608c4801369d97b8e08b36f). Its
34 entries describe HTTP exchanges in RDF rather than code; each is one test function here,
`test_<entry id>`, in the manifest's order, and the data files are in tests/w3c/.

How an entry becomes a test:
- `ut:graphData [ ut:graph <dataN.nt> ; rdfs:label "<iri>" ]`: tests/w3c/dataN.nt is loaded
  into the named graph <iri> of a fresh store before the requests.
- each `ht:Request` is sent in order with its `ht:methodName`, `ht:absolutePath` (the manifest's
  `/sparql/` is our `/sparql`; its connection authority www.example is the test client's
  host), `ht:headers` and `ht:body` (`cnt:chars`, percent-escapes and all, in its
  `cnt:characterEncoding`). Updates carry the write token, so that the endpoint rather than
  the token check gives the answer.
- `mf:expectedStatus hts:StatusCode2xx, hts:StatusCode3xx` is a status in 200-399;
  `hts:StatusCode4xx` a status in 400-499, and the test also pins the one we give.
- `mf:expectedFormat` "boolean", "tabular" or "RDF": the media type is one of those the entry's
  name lists (XML or JSON; XML, JSON, CSV or TSV; RDF/XML, Turtle, N-Triples or RDFa), and
  the body parses as it; `mf:expectedBoolean`: the parsed answer.
Where an entry would pass whatever the endpoint did with its dataset (the store's default
graph is the union of the named graphs, so most ASKs are true anyway), a control request
with a different dataset must answer false; a refused update must leave the data alone.
After the 34, a few tests for what the manifest leaves open (FROM without a protocol
dataset, declared charsets, ASK asked for as CSV).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib.query import Result, ResultRow
from starlette.testclient import httpx  # the client's own: httpx2 where it is installed

from api.app import create_app
from api.settings import Settings
from api.workspace import Workspace

TOKEN = "protocol-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DATA = Path(__file__).resolve().parent / "w3c"
KASEI = "http://kasei.us/2009/09/sparql/data/"
ENDPOINT = "http://testserver/sparql"  # the test client's URL of /sparql: the base IRI
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
BOOLEAN_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": "csv", "text/tab-separated-values": "tsv"}
# The entries' RDF formats but RDFa, which the endpoint does not send (nor pyoxigraph parse).
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples"}


@pytest.fixture
def client(settings: Settings, workspace: Workspace) -> Iterator[TestClient]:
    """A fresh store behind an app with a write token."""
    with TestClient(create_app(settings.replace(api_token=TOKEN), workspace)) as client:
        yield client


def load(workspace: Workspace, *names: str) -> None:
    """ut:graphData: tests/w3c/<name>.nt into the graph <http://kasei.us/…/<name>.rdf>."""
    for name in names:
        triples = (DATA / f"{name}.nt").read_text(encoding="utf-8")
        with workspace.write_lock:
            workspace.store.update(f"INSERT DATA {{ GRAPH <{KASEI}{name}.rdf> {{ {triples} }} }}")


def send(
    client: TestClient,
    method: str,
    absolute_path: str,
    body: str | bytes | None = None,
    content_type: str | None = None,
    *,
    token: bool = False,
    accept: str | None = None,
) -> httpx.Response:
    """One ht:Request, the manifest's path moved from /sparql/ to /sparql."""
    assert absolute_path.startswith("/sparql/")
    headers = {"Content-Type": content_type} if content_type else {}
    headers |= AUTH if token else {}
    headers |= {"Accept": accept} if accept else {}
    path = "/sparql" + absolute_path.removeprefix("/sparql/")
    response = client.request(method, path, content=body, headers=headers)
    if content_type is None:  # the entries without a media type: none may be added on the way
        assert "content-type" not in response.request.headers
    return response


def ok(response: httpx.Response) -> httpx.Response:
    """hts:StatusCode2xx, hts:StatusCode3xx"""
    assert 200 <= response.status_code < 400, response.text
    return response


def refused(response: httpx.Response, status: int) -> None:
    """hts:StatusCode4xx, and the one this endpoint gives."""
    assert 400 <= response.status_code < 500 and response.status_code == status, response.text
    assert response.json()["detail"]  # says why


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip().lower()


def boolean(response: httpx.Response) -> bool:
    """mf:expectedFormat "boolean": SPARQL results in XML or JSON holding an ASK answer."""
    ok(response)
    media = media_type(response)
    assert media in BOOLEAN_TYPES, media
    result = Result.parse(io.BytesIO(response.content), format=BOOLEAN_TYPES[media])
    assert result.type == "ASK"
    return bool(result.askAnswer)


def tabular(response: httpx.Response) -> Result:
    """mf:expectedFormat "tabular": SPARQL results in XML, JSON, CSV or TSV with a table."""
    ok(response)
    media = media_type(response)
    assert media in TABULAR_TYPES, media
    result = Result.parse(io.BytesIO(response.content), format=TABULAR_TYPES[media])
    assert result.type == "SELECT"
    return result


def rows(result: Result) -> list[ResultRow]:
    return [row for row in result if isinstance(row, ResultRow)]


def rdf(response: httpx.Response) -> list[ox.Triple]:
    """mf:expectedFormat "RDF": a graph in one of the formats the entry names."""
    ok(response)
    media = media_type(response)
    assert media in RDF_TYPES, media
    return [q.triple for q in ox.parse(response.content, ox.RdfFormat.from_media_type(media))]


def ask(client: TestClient, query: str, params: str = "") -> bool:
    """A query by direct POST with protocol parameters, for the controls."""
    return boolean(send(client, "POST", f"/sparql/?{params}", query, QUERY))


def data_left(client: TestClient) -> bool:
    """Whether the data loaded before a refused update is still there."""
    return ask(client, f"ASK {{ GRAPH <{KASEI}data1.rdf> {{ ?s ?p ?o }} }}")


def quad_count(client: TestClient) -> int:
    count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    (row,) = rows(tabular(client.get("/sparql", params={"query": count})))
    return int(row[0])


# --- the manifest's parameters, as it spells them ------------------------------------------
def graph_param(name: str, *data: str) -> str:
    return "&".join(f"{name}=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2F{d}.rdf"
                    for d in data)  # fmt: skip


DATA0 = graph_param("default-graph-uri", "data0")
ASK_DATA1_AND_DATA2 = (
    "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type . "
    "<http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type . }"
)
ASK_NAMED_DATA1_AND_DATA2 = (
    "ASK { GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } "
    "GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type } }"
)
ASK_FULL = """ASK {
  <http://kasei.us/2009/09/sparql/data/data3.rdf> a ?type
  GRAPH ?g1 { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }
  GRAPH ?g2 { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }
}"""
INSERT_THREE = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
"""


def ask_two_not_three(graph: str) -> str:
    """The check of the update_dataset_* entries: data1 and data2 made it into `graph`,
    data3 did not."""
    return f"""ASK {{
    GRAPH <{graph}> {{
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <{graph}> {{
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }}
    }}
}}"""


# --- the 34 entries ------------------------------------------------------------------------
def test_query_post_form(client: TestClient) -> None:
    response = send(client, "POST", f"/sparql/?{DATA0}", "query=ASK%20%7B%7D", FORM)
    assert boolean(response) is True


def test_query_dataset_default_graphs_get(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2")
    query = f"query={quote(ASK_DATA1_AND_DATA2, safe='')}"  # the manifest's path, byte for byte
    path = f"/sparql/?{query}&{graph_param('default-graph-uri', 'data1', 'data2')}"
    assert boolean(send(client, "GET", path)) is True
    # control: with data1 alone as the default graph, data2's triple is not in it
    alone = f"/sparql/?{query}&{graph_param('default-graph-uri', 'data1')}"
    assert boolean(send(client, "GET", alone)) is False


def test_query_dataset_default_graphs_post(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2")
    both = graph_param("default-graph-uri", "data1", "data2")
    assert ask(client, ASK_DATA1_AND_DATA2, both) is True
    assert ask(client, ASK_DATA1_AND_DATA2, graph_param("default-graph-uri", "data2")) is False


def test_query_dataset_named_graphs_post(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2")
    both = graph_param("named-graph-uri", "data1", "data2")
    assert ask(client, ASK_NAMED_DATA1_AND_DATA2, both) is True
    assert ask(client, ASK_NAMED_DATA1_AND_DATA2, graph_param("named-graph-uri", "data1")) is False


def test_query_dataset_named_graphs_get(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2")
    query = f"query={quote(ASK_NAMED_DATA1_AND_DATA2, safe='')}"
    path = f"/sparql/?{query}&{graph_param('named-graph-uri', 'data1', 'data2')}"
    assert boolean(send(client, "GET", path)) is True
    alone = f"/sparql/?{query}&{graph_param('named-graph-uri', 'data2')}"
    assert boolean(send(client, "GET", alone)) is False


def test_query_dataset_full(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2", "data3")
    named = graph_param("named-graph-uri", "data1", "data2")
    params = f"{graph_param('default-graph-uri', 'data3')}&{named}"
    assert ask(client, ASK_FULL, params) is True
    # control: data1 as the default graph holds no data3 triple
    assert ask(client, ASK_FULL, f"{graph_param('default-graph-uri', 'data1')}&{named}") is False


def test_query_multiple_dataset(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2", "data3")
    query = ASK_NAMED_DATA1_AND_DATA2.replace(
        "ASK {", "ASK FROM <http://kasei.us/2009/09/sparql/data/data3.rdf> {", 1
    )
    assert ask(client, query, graph_param("named-graph-uri", "data1", "data2")) is True
    # the query's FROM alone names no graphs: GRAPH ?g finds nothing
    assert ask(client, query) is False
    # the protocol's dataset replaces the query's: here without data2 among the named graphs
    assert ask(client, query, graph_param("named-graph-uri", "data1", "data3")) is False


def test_query_get(client: TestClient) -> None:
    response = send(client, "GET", f"/sparql/?query=ASK%20%7B%7D&{DATA0}")
    assert boolean(response) is True


def test_query_content_type_select(client: TestClient) -> None:
    response = send(client, "POST", f"/sparql/?{DATA0}", "SELECT (1 AS ?value) {}", QUERY)
    table = tabular(response)
    assert [str(v) for v in table.vars or []] == ["value"]
    assert [str(row[0]) for row in rows(table)] == ["1"]


def test_query_content_type_ask(client: TestClient) -> None:
    assert boolean(send(client, "POST", f"/sparql/?{DATA0}", "ASK {}", QUERY)) is True


def test_query_content_type_describe(client: TestClient) -> None:
    response = send(client, "POST", f"/sparql/?{DATA0}", "DESCRIBE <http://example.org/>", QUERY)
    assert rdf(response) == []  # nothing is known about it


def test_query_content_type_construct(client: TestClient) -> None:
    body = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    triples = rdf(send(client, "POST", f"/sparql/?{DATA0}", body, QUERY))
    # the relative IRIs resolve against the endpoint's URL
    s, p = (ox.NamedNode(urljoin(ENDPOINT, iri)) for iri in ("s", "p"))
    assert triples == [ox.Triple(s, p, ox.Literal(1))]


def test_update_dataset_default_graph(client: TestClient) -> None:
    update = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""
    path = f"/sparql/?{graph_param('using-graph-uri', 'data1')}"
    ok(send(client, "POST", path, update, UPDATE, token=True))
    check = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}"""
    assert boolean(send(client, "POST", "/sparql/", check, QUERY)) is True


def test_update_dataset_default_graphs(client: TestClient) -> None:
    graph = "http://example.org/protocol-update-dataset-graphs-test/"
    update = f"""{INSERT_THREE}INSERT {{
    GRAPH <{graph}> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}"""
    path = f"/sparql/?{graph_param('using-graph-uri', 'data1', 'data2')}"
    ok(send(client, "POST", path, update, UPDATE, token=True))
    check = ask_two_not_three(graph)
    assert boolean(send(client, "POST", "/sparql/", check, QUERY)) is True


def test_update_dataset_named_graphs(client: TestClient) -> None:
    graph = "http://example.org/protocol-update-dataset-named-graphs-test/"
    update = f"""{INSERT_THREE}INSERT {{
    GRAPH <{graph}> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    GRAPH ?g {{
        ?s a foaf:Document
    }}
}}"""
    path = f"/sparql/?{graph_param('using-named-graph-uri', 'data1', 'data2')}"
    ok(send(client, "POST", path, update, UPDATE, token=True))
    check = ask_two_not_three(graph)
    assert boolean(send(client, "POST", "/sparql/", check, QUERY)) is True


def test_update_dataset_full(client: TestClient) -> None:
    update = f"""{INSERT_THREE}INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {{
        ?s <http://example.org/in> ?in
    }}
}}
WHERE {{
    {{
        GRAPH ?g {{ ?s a foaf:Document }}
        BIND(?g AS ?in)
    }}
    UNION
    {{
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }}
}}"""
    params = (
        f"{graph_param('using-graph-uri', 'data1')}&{graph_param('using-named-graph-uri', 'data2')}"
    )
    ok(send(client, "POST", f"/sparql/?{params}", update, UPDATE, token=True))
    check = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> ?p ?o
        }
    }
}"""
    assert boolean(send(client, "POST", "/sparql/", check, QUERY)) is True


def test_update_post_form(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")  # something for CLEAR ALL to clear
    ok(send(client, "POST", "/sparql/", "update=CLEAR+ALL", FORM, token=True))
    assert quad_count(client) == 0


def test_update_post_direct(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    ok(send(client, "POST", "/sparql/", "CLEAR ALL", UPDATE, token=True))
    assert quad_count(client) == 0


def test_update_base_uri(client: TestClient) -> None:
    update = """CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;
INSERT DATA { GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }"""
    ok(send(client, "POST", "/sparql/", update, UPDATE, token=True))
    check = """ASK {
    GRAPH <http://example.org/protocol-base-test/> {
        <http://example.org/s> <http://example.org/p> ?o
        FILTER (isIRI(?o) && STR(?o) != "test")
    }
}"""
    assert boolean(send(client, "POST", "/sparql/", check, QUERY)) is True
    # the service's base IRI is the endpoint's URL
    exact = check.replace('STR(?o) != "test"', f"?o = <{urljoin(ENDPOINT, 'test')}>")
    assert boolean(send(client, "POST", "/sparql/", exact, QUERY)) is True


def test_query_post_direct(client: TestClient) -> None:
    assert boolean(send(client, "POST", "/sparql/", "ASK {}", QUERY)) is True


def test_bad_query_method(client: TestClient) -> None:
    path = f"/sparql/?query=ASK%20%7B%7D&{DATA0}"
    # with the token: PUT is a write, and the method, not the token, is what is wrong
    refused(send(client, "PUT", path, None, FORM, token=True), 405)


def test_bad_multiple_queries(client: TestClient) -> None:
    refused(send(client, "GET", "/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"), 400)


def test_bad_query_wrong_media_type(client: TestClient) -> None:
    refused(send(client, "POST", "/sparql/", "ASK {}", "text/plain"), 415)


def test_bad_query_missing_form_type(client: TestClient) -> None:
    refused(send(client, "POST", "/sparql/", "query=ASK%20%7B%7D"), 415)


def test_bad_query_missing_direct_type(client: TestClient) -> None:
    refused(send(client, "POST", "/sparql/", "ASK {}"), 415)


def test_bad_query_non_utf8(client: TestClient) -> None:
    body = "ASK {}".encode("utf-16")
    refused(send(client, "POST", "/sparql/", body, f"{QUERY}; charset=UTF-16"), 415)


def test_bad_query_syntax(client: TestClient) -> None:
    refused(send(client, "GET", "/sparql/?query=ASK%20%7B"), 400)


def test_bad_update_get(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    refused(send(client, "GET", "/sparql/?update=CLEAR%20ALL", token=True), 400)
    assert data_left(client)


def test_bad_multiple_updates(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    body = "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"
    refused(send(client, "POST", "/sparql/", body, FORM, token=True), 400)
    assert data_left(client)


def test_bad_update_wrong_media_type(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    refused(send(client, "POST", "/sparql/", "CLEAR NAMED", "text/plain", token=True), 415)
    assert data_left(client)


def test_bad_update_missing_form_type(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    refused(send(client, "POST", "/sparql/", "update=CLEAR%20NAMED", token=True), 415)
    assert data_left(client)


def test_bad_update_non_utf8(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    body = "CLEAR NAMED".encode("utf-16")
    refused(send(client, "POST", "/sparql/", body, f"{UPDATE}; charset=UTF-16", token=True), 415)
    assert data_left(client)


def test_bad_update_syntax(client: TestClient) -> None:
    response = send(client, "POST", "/sparql/", "update=CLEAR%20XYZ", FORM, token=True)
    refused(response, 400)
    assert "malformed" in response.json()["detail"]


def test_bad_update_dataset_conflict(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    update = """PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}"""
    path = "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople"
    response = send(client, "POST", path, update, UPDATE, token=True)
    refused(response, 400)
    assert "USING or WITH" in response.json()["detail"]
    assert data_left(client)


# --- beyond the manifest -------------------------------------------------------------------
def test_from_restricts_the_union_default_graph(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1", "data2", "data3")
    assert ask(client, ASK_DATA1_AND_DATA2) is True  # no dataset: the union of the graphs
    data3 = "<http://kasei.us/2009/09/sparql/data/data3.rdf>"
    assert ask(client, f"ASK FROM {data3} {{ {data3} a ?t }}") is True
    assert ask(client, ASK_DATA1_AND_DATA2.replace("ASK {", f"ASK FROM {data3} {{")) is False


def test_a_form_is_read_in_its_declared_charset(client: TestClient) -> None:
    body = "query=SELECT%20%28%22caf%E9%22%20AS%20%3Fv%29%20%7B%7D"  # é as the byte E9
    latin1 = send(client, "POST", "/sparql/", body, f"{FORM}; charset=ISO-8859-1")
    assert ok(latin1).json()["results"]["bindings"][0]["v"]["value"] == "café"
    # undeclared, the form is UTF-8, where a lone E9 is no character: refused, not replaced
    refused(send(client, "POST", "/sparql/", body, FORM), 400)
    refused(send(client, "POST", "/sparql/", b'ASK { FILTER("\xe9") }', QUERY), 400)


def test_a_multipart_form_is_still_accepted(client: TestClient) -> None:
    response = client.post("/sparql", files={"query": (None, "ASK {}")})
    assert media_type(response) == "application/sparql-results+json"
    assert json.loads(response.content)["boolean"] is True


def test_ask_asked_for_as_csv_is_answered_in_json(client: TestClient) -> None:
    response = send(client, "GET", "/sparql/?query=ASK%20%7B%7D", accept="text/csv")
    assert boolean(response) is True and media_type(response) == "application/sparql-results+json"


def test_one_operation_with_its_own_dataset(client: TestClient, workspace: Workspace) -> None:
    load(workspace, "data1")
    both = "query=ASK%20%7B%7D&update=CLEAR%20ALL"
    refused(send(client, "POST", "/sparql/", both, FORM, token=True), 400)
    assert data_left(client)
    wrong = f"/sparql/?query=ASK%20%7B%7D&{graph_param('using-graph-uri', 'data1')}"
    refused(send(client, "GET", wrong), 400)
