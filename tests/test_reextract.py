"""Re-extraction without the PDFs: the current extractor over the stored passages, one
transaction per study, every mention stamped with its extractor version; curations hold."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_cli
from records import ENGLISH_RECORD

import kg.reextract
from api.workspace import Workspace
from ingest.extract import EXTRACTOR_VERSION
from kg import curation, shape
from kg.documents import document_json
from kg.reextract import reextract, stored_document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
KINDS = ("stakeholders", "theories", "methods", "obstacles")


def _concepts(workspace: Workspace, doc_id: str) -> dict[str, set[tuple[str, str | None]]]:
    found = document_json(workspace.store, doc_id)
    return {k: {(m["concept"], m.get("role")) for m in found[k]} for k in KINDS}


def _versions(workspace: Workspace, doc_id: str) -> set[str]:
    """The extractor of each mention: its own jj:extractorVersion (graph shape 1, or the one
    a test writes), else the one the study names (shape 2 says it once per study)."""
    rows = workspace.store.select(
        shape.PROLOGUE + "SELECT ?g ?v ?by WHERE { GRAPH ?g { ?a jj:mentionType ?kind "
        "OPTIONAL { ?a jj:extractorVersion ?v } OPTIONAL { ?g prov:wasGeneratedBy ?by } } }",
        g=shape.doc_iri(doc_id),
    )
    return {r["v"].value if "v" in r else shape.concept_id(r["by"]) for r in rows}


@pytest.fixture
def workspace(demo_workspace: Workspace) -> Workspace:
    """Each test here starts from a copy of the demo corpus and the two records."""
    return demo_workspace


@pytest.fixture
def filled(workspace: Workspace) -> list[str]:
    return workspace.store.document_ids()


def test_reextract_all_keeps_what_the_extractor_finds_and_times_each_study(
    workspace: Workspace, filled: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = {d: _concepts(workspace, d) for d in filled}
    passages = {d: document_json(workspace.store, d)["passages"] for d in filled}
    for doc_id in filled:
        assert _versions(workspace, doc_id) == {EXTRACTOR_VERSION}
        rebuilt = stored_document(workspace.store, doc_id)
        assert rebuilt is not None and rebuilt.passages
        for p in rebuilt.passages:  # each passage back at its offsets, on its page
            assert rebuilt.text[p.start : p.start + 20] == p.text[:20]
            assert rebuilt.page_at(p.start) == p.page
    timings = []
    for doc_id in filled:
        with workspace.write_lock:
            change = reextract(workspace.store, workspace.lexicon, doc_id)
        assert change is not None
        timings.append((doc_id, passages[doc_id], change.seconds))
        # Stakeholders, theories, methods and obstacles come from the passages alone.
        assert _concepts(workspace, doc_id) == before[doc_id], change.as_json()
        assert not {k for k in change.added if k != "place"}, change.as_json()
        assert _versions(workspace, doc_id) == {EXTRACTOR_VERSION}
    with capsys.disabled():
        for doc_id, count, seconds in timings:
            print(f"\nreextract {doc_id}: {count} passages, {seconds * 1000:.0f} ms")
    assert workspace.store.document_ids() == filled
    assert workspace.index.stats()["documents"] == len(filled)  # passages untouched


def test_an_older_extraction_is_replaced_and_its_curations_are_kept_as_orphans(
    workspace: Workspace, filled: list[str]
) -> None:
    garut = next(d for d in filled if "Garut" in document_json(workspace.store, d)["title"])
    graph = shape.doc_iri(garut)
    # What an older extractor left: a "trust" obstacle that today's does not find, version 0.1,
    # and no "funding".
    workspace.store.update(
        shape.PROLOGUE
        + f"""DELETE {{ GRAPH {graph} {{ {graph} jj:reportsObstacle obs:funding .
                 ?a ?p ?o }} }}
        WHERE {{ GRAPH {graph} {{ ?a oa:hasBody obs:funding ; ?p ?o }} }} ;
        INSERT DATA {{ GRAPH {graph} {{ {graph} jj:reportsObstacle obs:trust .
          <{graph.value}/mention/99> a oa:Annotation ; oa:hasBody obs:trust ;
            jj:mentionType "obstacle" ; skos:prefLabel "kepercayaan" ;
            jj:extractorVersion "0.1" ; jj:position 99 }} }}"""
    )
    assert _versions(workspace, garut) == {EXTRACTOR_VERSION, "0.1"}
    with workspace.write_lock:
        rejected = curation.record(
            workspace.store, workspace.lexicon, garut, kind="obstacle", concept="trust",
            action="reject", by="alice", note="not in the study",
        )  # fmt: skip
    assert "trust" not in {
        o["category"] for o in document_json(workspace.store, garut)["obstacles"]
    }

    with workspace.write_lock:
        change = reextract(workspace.store, workspace.lexicon, garut)
    assert change is not None
    assert change.added == {"obstacle": ["funding"]}
    assert change.removed == {"obstacle": ["trust"]}
    assert _versions(workspace, garut) == {EXTRACTOR_VERSION}
    made_by = workspace.store.select(
        shape.PROLOGUE + "SELECT ?g ?by WHERE { GRAPH ?g { ?g prov:wasGeneratedBy ?by } }",
        g=graph,
    )
    assert [r["by"] for r in made_by] == [shape.extractor_iri(EXTRACTOR_VERSION)]
    orphans = curation.list_curations(workspace.store, orphaned=True)
    assert [c["id"] for c in orphans] == [rejected["id"]]  # kept, and reported


def test_a_failed_write_leaves_the_old_mentions(
    workspace: Workspace, filled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc_id = filled[0]
    before = sorted(map(str, workspace.store.document_quads(doc_id)))
    real = kg.reextract.quad_data
    seen = []

    def broken_at_the_end(quad: ox.Quad) -> str:
        seen.append(quad)
        text = real(quad)
        return text if len(seen) < 5 else text + " <broken"

    monkeypatch.setattr(kg.reextract, "quad_data", broken_at_the_end)
    with pytest.raises(Exception, match="malformed update"), workspace.write_lock:
        reextract(workspace.store, workspace.lexicon, doc_id)
    assert sorted(map(str, workspace.store.document_quads(doc_id))) == before


def test_the_cli_reextracts_all_and_says_what_changed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    record = tmp_path / "makassar.md"
    record.write_text(ENGLISH_RECORD, encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, "--data", str(data))

    assert cli("ingest", str(record)).returncode == 0
    started = time.perf_counter()
    done = cli("reextract", "--all", "--json")
    assert done.returncode == 0, done.stderr
    assert time.perf_counter() - started < 60
    (line,) = done.stdout.splitlines()
    report = json.loads(line)
    assert report["added"] == {} and report["removed"] == {} and report["mentions"] > 3
    assert report["extractor"] == EXTRACTOR_VERSION
    missing = cli("reextract", "00000000deadbeef")
    assert missing.returncode == 1 and "no document 00000000deadbeef" in missing.stderr
    assert cli("reextract").returncode == 2
