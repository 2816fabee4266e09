"""Every jj: term the code writes or reads is declared in kg/vocab/ontology.ttl, so the graph
explains itself to anyone who loads it."""

from __future__ import annotations

import re
from pathlib import Path

import rdflib

ROOT = Path(__file__).resolve().parent.parent
JJ = rdflib.Namespace("https://w3id.org/jejaring/ns#")


def test_every_jj_term_in_the_code_is_declared() -> None:
    used: set[str] = set()
    for package in ("kg", "ingest", "search", "api"):
        for source in (ROOT / package).rglob("*.py"):
            used |= set(re.findall(r"\bJJ\.([A-Za-z]+)\b", source.read_text(encoding="utf-8")))
    graph = rdflib.Graph().parse(ROOT / "kg" / "vocab" / "ontology.ttl")
    declared = {str(s).removeprefix(str(JJ)) for s in graph.subjects() if str(s).startswith(JJ)}
    assert len(used) > 20  # the scan found the code's terms
    assert used - declared == set()
