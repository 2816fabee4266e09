"""Named SPARQL queries (the .rq files beside this module) and running SELECTs safely."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.store import OxigraphStore

PREFIX_MAP = {k: str(v) for k, v in PREFIXES.items()}


class QueryError(ValueError):
    """A query that cannot be parsed or run; the message is the parser's."""


def queries_dir() -> Path:
    return Path(str(resources.files("kg").joinpath("queries")))


def named_queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(queries_dir().glob("*.rq"))}


def resolve(source: str) -> str:
    """A path to a .rq file, the name of a packaged query, or SPARQL text itself."""
    if source.endswith(".rq"):
        path = Path(source)
        if path.is_file():
            return path.read_text(encoding="utf-8")
        packaged = queries_dir() / path.name
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
        raise QueryError(f"no query file {source}")
    named = named_queries()
    if source in named:
        return named[source]
    return source


def run_select(
    store: OxigraphStore, source: str, **bindings: ox.Term
) -> tuple[list[str], list[list[str]]]:
    sparql = resolve(source)
    try:
        result = store._store.query(
            sparql,
            use_default_graph_as_union=True,
            prefixes=PREFIX_MAP,
            substitutions={ox.Variable(k): v for k, v in bindings.items()} or None,
        )
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {exc}") from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT queries give a table; use CONSTRUCT through export")
    columns = [v.value for v in result.variables]
    rows = [[_plain(row[c]) for c in columns] for row in result]
    return columns, rows


def _plain(term: ox.Term | None) -> str:
    if term is None:
        return ""
    return term.value if hasattr(term, "value") else str(term)
