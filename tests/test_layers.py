"""The library's shape: one-way arrows between the packages, and one exception tree."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import ingest.errors as errors

ROOT = Path(__file__).resolve().parent.parent
OURS = {"ingest", "kg", "search", "api"}
# What each package may import of ours: api -> library; search -> kg for the graph;
# kg -> ingest (Documents in, plain concepts out); ingest -> nothing of ours.
ALLOWED = {
    "ingest": {"ingest"},
    "kg": {"kg", "ingest"},
    "search": {"search", "kg", "ingest"},
    "api": OURS,
}


def imported_packages(path: Path) -> set[str]:
    """Our top-level packages that a module imports, wherever in it (functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & OURS
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_arrows(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) - ALLOWED[package])
        for path in modules
        if imported_packages(path) - ALLOWED[package]
    }
    assert not wrong, f"imports against the arrows: {wrong}"


def test_the_arrow_check_sees_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import kg.store\nfrom search import hybrid\ndef f():\n    from api import app\n"
    )
    assert imported_packages(module) == {"kg", "search", "api"}


# (module, name): every exception the library raises on purpose, where callers import it.
RAISED_WHERE = [
    ("ingest.errors", "IngestError"),
    ("ingest.errors", "UnknownDocument"),
    ("ingest.isolation", "IsolationError"),
    ("ingest.isolation", "WorkerTimeout"),
    ("ingest.isolation", "PoolClosed"),
    ("kg.store", "StoreError"),
    ("kg.store", "QueryError"),
    ("kg.store", "QueryTimeout"),
    ("kg.store", "ResultTooLarge"),
    ("kg.queries", "QueryError"),
    ("kg.sparql_text", "QueryRefused"),
    ("kg.sandbox", "SparqlCrashed"),
    ("kg.documents", "DocumentNotFound"),
    ("search.hybrid", "QueryError"),
    ("search.embedding", "ModelError"),
    ("search.e5_format", "ModelFormatError"),
]


@pytest.mark.parametrize(("module", "name"), RAISED_WHERE)
def test_every_library_exception_is_in_the_one_tree(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert cls is getattr(errors, name)  # one class, however it is imported
    assert issubclass(cls, errors.JejaringError)


def test_the_tree_keeps_the_builtin_kinds_callers_catch() -> None:
    assert issubclass(errors.QueryRefused, errors.QueryError)
    assert issubclass(errors.SparqlCrashed, ValueError)
    assert issubclass(errors.DocumentNotFound, KeyError)
    assert issubclass(errors.ModelFormatError, errors.ModelError)
    assert issubclass(errors.ModelFormatError, ValueError)


def test_the_docstring_draws_every_exception() -> None:
    drawn = errors.__doc__ or ""
    defined = [
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.JejaringError)
    ]
    assert len(defined) > 20
    assert [name for name in defined if name not in drawn] == []
