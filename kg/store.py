"""The graph store: one named graph per document, embedded Oxigraph on disk or any SPARQL 1.1
endpoint (kg/remote.py) behind the same interface.

pyoxigraph is used directly rather than through rdflib's Store API: writing a document is a
single `extend`, one transaction (1.7-2.2x the quads/s of rdflib + oxrdflib `addN` on the same
data, see bench/ingest_bench.py); replacing one is a single SPARQL update, so a crash half-way
leaves either the old document or the new one, never a mix.

Everything above this module speaks SPARQL through `evaluate`/`select`, so it runs unchanged
against a remote store. Queries see the union of all graphs as their default graph.
"""

from __future__ import annotations

import io
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ingest.errors import QueryError, QueryTimeout, ResultTooLarge, StoreError
from kg.shape import PROLOGUE, VOCAB_GRAPH, Term, doc_id_of, is_doc_iri
from kg.shape import doc_iri as graph_of
from kg.sparql_text import PREFIX_MAP, check_bindable, tokens, with_values

# Rows of one batched query (select_rows). Oxigraph answers a UNION of up to ~25 bound groups
# as fast as the groups one by one, and slower per row past that (100 rows: 2-3x), so larger
# batches are split: a search's 300 candidate passages are a handful of queries.
BATCH_ROWS = 25

EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TRIG,  # Turtle cannot hold named graphs; TriG is Turtle with graphs
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}

# A document graph holds its own node with a content hash: that is how documents are listed.
DOCUMENT_IDS = PROLOGUE + "SELECT ?g WHERE { GRAPH ?g { ?g jj:contentHash ?h } }"
DOCUMENTS_BY_FILENAME = (
    PROLOGUE + "SELECT ?g ?name WHERE { GRAPH ?g { ?g jj:sourceFilename ?name } }"
)


@dataclass(slots=True)
class Solutions:
    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)


@dataclass(slots=True)
class Boolean:
    value: bool


@dataclass(slots=True)
class Triples:
    triples: list[ox.Triple] = field(default_factory=list)


QueryResult = Solutions | Boolean | Triples


class GraphStore(ABC):
    """What the rest of Jejaring needs from a store."""

    kind: str
    # Counts the writes made through this object, so that answers computed from the store can
    # be cached until the next write. None: others may write to the store (a remote one), so
    # no answer may be cached.
    generation: int | None = None

    @abstractmethod
    def evaluate(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        timeout: float | None = None,
        cap: int | None = None,
    ) -> QueryResult:
        """Run a query over the union of all graphs; values are bound, never pasted."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update as one transaction."""

    @abstractmethod
    def put_document(
        self, doc_id: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad], replaces: list[str]
    ) -> None:
        """Write one document atomically, dropping the versions it replaces in the same step."""

    @abstractmethod
    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """The quads of one named graph, or of every named graph."""

    def close(self) -> None:  # noqa: B027 - optional for stores that hold nothing open
        """Release what the store holds open."""

    def size_on_disk(self) -> int | None:
        return None

    def flush(self) -> None:  # noqa: B027
        """Make writes durable, where the store buffers them."""

    # --- built on the above ------------------------------------------------------
    def select(self, sparql: str, **bindings: Term) -> list[dict[str, Term]]:
        result = self.evaluate(sparql, bindings=bindings)
        if not isinstance(result, Solutions):
            raise QueryError("expected a SELECT query")
        return result.rows

    def select_rows(
        self,
        sparql: str,
        names: Sequence[str],
        rows: Iterable[Sequence[Term | None]],
        *,
        batch: int = BATCH_ROWS,
    ) -> list[dict[str, Term]]:
        """`sparql` asked once for many bindings: `rows` (terms for `names`, None for UNDEF)
        go in one query (kg.sparql_text.with_values), `batch` rows a query, instead of one query
        per item, which over a remote store is one round trip per item. The query's answers
        for every row, each with the bound variables it selects."""
        pending = [tuple(row) for row in rows]
        out: list[dict[str, Term]] = []
        for start in range(0, len(pending), batch):
            text = with_values(sparql, names, pending[start : start + batch])
            out.extend(self.select(text))
        return out

    def document_ids(self) -> list[str]:
        return sorted(doc_id_of(row["g"]) for row in self.select(DOCUMENT_IDS))

    def has_document(self, doc_id: str) -> bool:
        return bool(self.select(DOCUMENT_IDS, g=graph_of(doc_id)))

    def documents_with_filename(self, filename: str) -> list[str]:
        rows = self.select(DOCUMENTS_BY_FILENAME, name=ox.Literal(filename))
        return [doc_id_of(row["g"]) for row in rows]

    def delete_document(self, doc_id: str) -> bool:
        if not self.has_document(doc_id):
            return False
        self.update(f"DROP SILENT GRAPH {graph_of(doc_id)}")
        return True

    def document_quads(self, doc_id: str) -> list[ox.Quad]:
        return list(self.quads(graph_of(doc_id)))

    def replace_vocabulary(self, quads: Iterable[ox.Quad]) -> None:
        data = " ".join(quad_data(q) for q in quads)
        self.update(f"DROP SILENT GRAPH {VOCAB_GRAPH} ; INSERT DATA {{ {data} }}")

    def vocabulary_size(self) -> int:
        rows = self.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {VOCAB_GRAPH} {{ ?s ?p ?o }} }}"
        )
        return int(rows[0]["n"].value) if rows else 0

    def export(self, fmt: str, output: BinaryIO) -> None:
        dataset = ox.Store()
        dataset.extend(self.quads())
        _dump(dataset, fmt, output)

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value) if rows else 0

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class OxigraphStore(GraphStore):
    """Embedded store. Writes are serialised by a lock: one writer, readers go on."""

    kind = "embedded"
    generation: int = 0

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        try:
            self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the graph store at {path}: {exc}. "
                "Is another jejaring process using it?"
            ) from exc
        self.path = path
        self._write_lock = threading.Lock()
        self.generation = 0

    def evaluate(
        self,
        sparql: str,
        *,
        bindings: dict[str, Term] | None = None,
        timeout: float | None = None,
        cap: int | None = None,
    ) -> QueryResult:
        """In-process, for the queries Jejaring writes itself. Oxigraph cannot cancel a
        running query, so `timeout` only stops collecting rows: a stranger's SPARQL goes
        through kg.sandbox, which can stop it for real."""
        deadline = time.monotonic() + timeout if timeout else None
        try:
            result = self._store.query(
                sparql,
                use_default_graph_as_union=True,
                prefixes=PREFIX_MAP,
                substitutions={ox.Variable(k): v for k, v in (bindings or {}).items()} or None,
            )
        except SyntaxError as exc:
            raise QueryError(f"malformed query: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        try:
            return collect(result, cap, deadline)
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        with self._writing():
            try:
                self._store.update(sparql, prefixes=PREFIX_MAP, base_iri=base_iri)
            except SyntaxError as exc:
                raise QueryError(f"malformed update: {exc}") from exc
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"update failed: {exc}") from exc

    def backup(self, target: Path) -> int:
        """A consistent copy at `target` (hard links where it can); the generation it holds."""
        with self._write_lock:
            self._store.backup(str(target))
            return self.generation

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._write_lock:
            try:
                yield
            finally:  # a failed write may still have changed something: forget cached answers
                self.generation += 1

    def put_document(
        self, doc_id: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad], replaces: list[str]
    ) -> None:
        with self._writing():
            if not replaces:
                self._store.extend(chain(quads, shared))
                return
            drops = " ".join(f"DROP SILENT GRAPH {graph_of(old)} ;" for old in replaces)
            body = " ".join(quad_data(q) for q in chain(quads, shared))
            self._store.update(f"{drops} INSERT DATA {{ {body} }}")

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        if graph is None:
            return (
                q
                for q in self._store.quads_for_pattern(None, None, None, None)
                if not isinstance(q.graph_name, ox.DefaultGraph)
            )
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def select_rows(
        self,
        sparql: str,
        names: Sequence[str],
        rows: Iterable[Sequence[Term | None]],
        *,
        batch: int = BATCH_ROWS,
    ) -> list[dict[str, Term]]:
        """In-process there is no round trip to save: one query a row, each bound by
        substitution, is as fast as a batch or faster (bench/remote_bench.py). What a remote
        store refuses to bind is refused here too, so both answer alike."""
        _check_bindable(sparql, tuple(names))
        out: list[dict[str, Term]] = []
        for row in rows:
            bound = {name: term for name, term in zip(names, row, strict=True) if term is not None}
            out.extend(self.select(sparql, **bound))
        return out

    # Direct look-ups where SPARQL would only add parsing time.
    def document_ids(self) -> list[str]:
        return sorted(doc_id_of(g) for g in self._store.named_graphs() if is_doc_iri(g))

    def has_document(self, doc_id: str) -> bool:
        return self._store.contains_named_graph(graph_of(doc_id))

    def delete_document(self, doc_id: str) -> bool:
        with self._writing():
            if not self.has_document(doc_id):
                return False
            self._store.remove_graph(graph_of(doc_id))
            return True

    def export(self, fmt: str, output: BinaryIO) -> None:
        _dump(self._store, fmt, output)

    def size_on_disk(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        """Release the on-disk lock so another process (or a later command) can open it."""
        self._store.flush()
        del self._store

    def __len__(self) -> int:
        return len(self._store)


@lru_cache(maxsize=256)
def _check_bindable(sparql: str, names: tuple[str, ...]) -> None:
    # Once per query text: select_rows serves the same few queries on every search.
    check_bindable(tokens(sparql), names)


def open_store(location: str, data: Path, timeout: float = 30.0) -> GraphStore:
    """'embedded' (Oxigraph under data/graph) or the URL of a SPARQL 1.1 query endpoint."""
    if location.startswith(("http://", "https://")):
        from kg.remote import RemoteStore

        return RemoteStore(location, timeout=timeout)
    if location != "embedded":
        raise StoreError(f"store must be 'embedded' or an http(s) URL, not {location!r}")
    return OxigraphStore(data / "graph")


def collect(result: object, cap: int | None, deadline: float | None) -> QueryResult:
    """Materialise a pyoxigraph result, stopping at the row cap or the deadline."""
    if isinstance(result, ox.QueryBoolean):
        return Boolean(bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        solutions = Solutions(names)
        for row in result:
            solutions.rows.append({n: row[n] for n in names if row[n] is not None})
            _check(len(solutions.rows), cap, deadline)
        return solutions
    triples = Triples()
    for triple in result:  # type: ignore[attr-defined]
        triples.triples.append(triple)
        _check(len(triples.triples), cap, deadline)
    return triples


def _check(count: int, cap: int | None, deadline: float | None) -> None:
    if cap is not None and count > cap:
        raise ResultTooLarge(f"more than {cap} results: add a LIMIT or narrow the query")
    if deadline is not None and count % 256 == 0 and time.monotonic() > deadline:
        raise QueryTimeout("query ran past the time limit")


def quad_data(quad: ox.Quad) -> str:
    # str() of pyoxigraph terms is their N-Triples form, escaped by the library.
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return f"{quad.subject} {quad.predicate} {quad.object} ."
    return f"GRAPH {quad.graph_name} {{ {quad.subject} {quad.predicate} {quad.object} }}"


def chain(*parts: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for part in parts:
        yield from part


def graph_bytes(triples: Iterable[ox.Triple | ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    """Triples (or the triples of quads, graph names dropped) in one graph format, Turtle with
    our prefixes."""
    plain = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    prefixes = PREFIX_MAP if rdf_format == ox.RdfFormat.TURTLE else None
    out = io.BytesIO()
    ox.serialize(plain, out, rdf_format, prefixes=prefixes)
    return out.getvalue()


def _dump(store: ox.Store, fmt: str, output: BinaryIO) -> None:
    rdf_format = EXPORT_FORMATS[fmt]
    if rdf_format == ox.RdfFormat.JSON_LD:
        store.dump(output, rdf_format)
    else:
        store.dump(output, rdf_format, prefixes=PREFIX_MAP)
