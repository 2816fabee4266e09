"""The graph store: embedded Oxigraph on disk, one named graph per document.

pyoxigraph is used directly rather than through rdflib's Store API: writing a document is a
single `extend`, one transaction (and 1.6x the quads/s of rdflib + oxrdflib `addN` on the same
data, see bench/ingest_bench.py); replacing one is a single SPARQL update, so a crash half-way
leaves either the old document or the new one, never a mix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg import namespaces as ns

VOCAB_GRAPH = ox.NamedNode(str(ns.VOCAB_GRAPH))
PLACES_GRAPH = ox.NamedNode(str(ns.PLACES_GRAPH))
_DOC_PREFIX = str(ns.DOC)
_FILENAME = ox.NamedNode(str(ns.JJ.sourceFilename))
_HASH = ox.NamedNode(str(ns.JJ.contentHash))

EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TRIG,  # Turtle cannot hold named graphs; TriG is Turtle with graphs
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class StoreError(Exception):
    """The store could not be opened or written."""


class OxigraphStore:
    """Embedded store. Writes are serialised by a lock: one writer, readers go on."""

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

    # --- documents -----------------------------------------------------------------
    def document_ids(self) -> list[str]:
        ids = []
        for graph in self._store.named_graphs():
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(_DOC_PREFIX):
                ids.append(graph.value[len(_DOC_PREFIX) :])
        return sorted(ids)

    def has_document(self, doc_id: str) -> bool:
        return self._store.contains_named_graph(_graph(doc_id))

    def documents_with_filename(self, filename: str) -> list[str]:
        found = []
        for quad in self._store.quads_for_pattern(None, _FILENAME, ox.Literal(filename), None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(_DOC_PREFIX):
                found.append(graph.value[len(_DOC_PREFIX) :])
        return found

    def put_document(
        self, doc_id: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad], replaces: list[str]
    ) -> None:
        """Write one document atomically, dropping the versions it replaces in the same step."""
        with self._write_lock:
            if not replaces:
                self._store.extend(_chain(quads, shared))
                return
            drops = " ".join(f"DROP SILENT GRAPH {_graph(old)} ;" for old in replaces)
            body = " ".join(_quad_data(q) for q in _chain(quads, shared))
            self._store.update(f"{drops} INSERT DATA {{ {body} }}")

    def delete_document(self, doc_id: str) -> bool:
        with self._write_lock:
            if not self.has_document(doc_id):
                return False
            self._store.remove_graph(_graph(doc_id))
            return True

    def document_quads(self, doc_id: str) -> list[ox.Quad]:
        return list(self._store.quads_for_pattern(None, None, None, _graph(doc_id)))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    # --- vocabulary ------------------------------------------------------------------
    def replace_vocabulary(self, quads: Iterable[ox.Quad]) -> None:
        with self._write_lock:
            data = " ".join(_quad_data(q) for q in quads)
            self._store.update(f"DROP SILENT GRAPH {VOCAB_GRAPH} ; INSERT DATA {{ {data} }}")

    def vocabulary_size(self) -> int:
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, VOCAB_GRAPH))

    # --- queries ---------------------------------------------------------------------
    def query(self, sparql: str, *, substitutions: dict[str, ox.Term] | None = None):
        """SELECT/ASK/CONSTRUCT over the union of all graphs, values bound, never pasted."""
        bound = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        return self._store.query(
            sparql, use_default_graph_as_union=True, substitutions=bound or None
        )

    def select(self, sparql: str, **bindings: ox.Term) -> list[dict[str, ox.Term]]:
        result = self.query(sparql, substitutions=bindings)
        names = [v.value for v in result.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in result]

    def update(self, sparql: str) -> None:
        with self._write_lock:
            self._store.update(sparql)

    def export(self, fmt: str, output) -> None:
        rdf_format = EXPORT_FORMATS[fmt]
        if rdf_format in (ox.RdfFormat.JSON_LD,):
            self._store.dump(output, rdf_format)
        else:
            self._store.dump(
                output, rdf_format, prefixes={k: str(v) for k, v in ns.PREFIXES.items()}
            )

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


def _graph(doc_id: str) -> ox.NamedNode:
    return ox.NamedNode(ns.doc_iri(doc_id))


def _quad_data(quad: ox.Quad) -> str:
    # str() of pyoxigraph terms is their N-Triples form, escaped by the library.
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return f"{quad.subject} {quad.predicate} {quad.object} ."
    return f"GRAPH {quad.graph_name} {{ {quad.subject} {quad.predicate} {quad.object} }}"


def _chain(*parts: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for part in parts:
        yield from part
