"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever) behind the
same interface as the embedded one: this is how Jejaring grows past one machine.

Only the SPARQL 1.1 Protocol is used (query and update), so any endpoint will do, given that
its default graph is the union of its named graphs (`oxigraph serve --union-default-graph`,
Fuseki's `unionDefaultGraph`; GraphDB and Virtuoso do so by default). A document is written in
one update request (DROP + INSERT DATA), which a SPARQL store runs as one transaction.

Bindings travel in the query text, put in place of the variables of its outermost group (a
VALUES block where that cannot be done), each term written by pyoxigraph's own N-Triples
serialiser, so request values are escaped by the library. Look-ups about many items send them
in one query (GraphStore.select_rows): each query is a round trip.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator

import httpx
import pyoxigraph as ox

from kg import sparql_text
from kg.shape import Term
from kg.store import (
    PREFIX_MAP,
    Boolean,
    GraphStore,
    QueryError,
    QueryResult,
    QueryTimeout,
    ResultTooLarge,
    Solutions,
    StoreError,
    Triples,
    chain,
    graph_of,
    quad_data,
)

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_DECLARED = re.compile(r"^\s*PREFIX\s+([\w.-]*):", re.IGNORECASE | re.MULTILINE)


class RemoteStore(GraphStore):
    kind = "remote"

    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 30.0):
        self.query_url = query_url
        self.update_url = update_url or _update_url(query_url)
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout)
        try:
            self.evaluate("ASK { ?s ?p ?o }", timeout=timeout)
        except StoreError:
            self._client.close()
            raise

    def evaluate(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        timeout: float | None = None,
        cap: int | None = None,
        protocol: dict[str, list[str]] | None = None,
    ) -> QueryResult:
        """`protocol`: SPARQL 1.1 Protocol parameters passed on (default-graph-uri, …)."""
        text = with_prefixes(bind_values(sparql, bindings or {}))
        try:
            response = self._client.post(
                self.query_url,
                data={"query": text, **(protocol or {})},
                headers={"Accept": _ACCEPT},
                timeout=timeout or self.timeout,
            )
        except httpx.TimeoutException as exc:
            limit = timeout or self.timeout
            raise QueryTimeout(f"query ran past the time limit of {limit:g} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.query_url}: {exc}") from exc
        if response.status_code >= 400:
            raise QueryError(f"query refused by the store: {response.text.strip()[:500]}")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/sparql-results+json":
            return parse_results_json(response.content, cap)
        triples = list(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
        if cap is not None and len(triples) > cap:
            raise ResultTooLarge(f"more than {cap} results: add a LIMIT or narrow the query")
        return Triples(triples)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        text = with_prefixes(sparql if base_iri is None else f"BASE <{base_iri}>\n{sparql}")
        try:
            response = self._client.post(
                self.update_url,
                content=text.encode(),
                headers={"Content-Type": "application/sparql-update"},
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.update_url}: {exc}") from exc
        if response.status_code >= 400:
            raise QueryError(f"update refused by the store: {response.text.strip()[:500]}")

    def put_document(
        self, doc_id: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad], replaces: list[str]
    ) -> None:
        drops = " ".join(f"DROP SILENT GRAPH {graph_of(old)} ;" for old in replaces)
        body = " ".join(quad_data(q) for q in chain(quads, shared))
        self.update(f"{drops} INSERT DATA {{ {body} }}")

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        if graph is not None:
            rows = self.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", g=graph)
            return iter([ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows])  # type: ignore[arg-type]
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return iter([ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows])  # type: ignore[arg-type]

    def close(self) -> None:
        self._client.close()


def _update_url(query_url: str) -> str:
    """Oxigraph serves /query and /update; Fuseki /ds/query (or /ds/sparql) and /ds/update."""
    for suffix in ("/query", "/sparql"):
        if query_url.endswith(suffix):
            return query_url[: -len(suffix)] + "/update"
    return query_url


def bind_values(sparql: str, bindings: dict[str, Term]) -> str:
    """`sparql` with `bindings` in place of its variables (kg.sparql_text.with_values)."""
    if not bindings:
        return sparql
    return sparql_text.with_values(sparql, list(bindings), [list(bindings.values())])


def with_prefixes(sparql: str) -> str:
    declared = {m.group(1) for m in _DECLARED.finditer(sparql)}
    missing = [f"PREFIX {k}: <{v}>" for k, v in PREFIX_MAP.items() if k not in declared]
    return "\n".join([*missing, sparql])


def parse_results_json(content: bytes, cap: int | None = None) -> Solutions | Boolean:
    """SPARQL 1.1 Query Results JSON -> pyoxigraph terms."""
    parsed = ox.parse_query_results(io.BytesIO(content), ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return Boolean(bool(parsed))
    names = [v.value for v in parsed.variables]
    solutions = Solutions(names)
    for row in parsed:
        solutions.rows.append({n: row[n] for n in names if row[n] is not None})
        if cap is not None and len(solutions.rows) > cap:
            raise ResultTooLarge(f"more than {cap} results: add a LIMIT or narrow the query")
    return solutions
