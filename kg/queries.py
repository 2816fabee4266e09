"""Named SPARQL queries (the .rq files beside this module) and running SELECTs safely."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kg.shape import Term
from kg.store import GraphStore, QueryError, Solutions

__all__ = ["QueryError", "named_queries", "resolve", "run_select"]


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
    store: GraphStore, source: str, **bindings: Term
) -> tuple[list[str], list[list[str]]]:
    result = store.evaluate(resolve(source), bindings=bindings)
    if not isinstance(result, Solutions):
        raise QueryError("only SELECT queries give a table; use CONSTRUCT through export")
    columns = result.variables
    rows = [[_plain(row.get(c)) for c in columns] for row in result.rows]
    return columns, rows


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    return term.value if hasattr(term, "value") else str(term)
