"""The obstacle summary (kg.summary) behind the policy answers: kept current by every write,
always equal to a computation from scratch, and bounded answers that keep their counts whole."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from records import ENGLISH_RECORD, HEADER_RECORD

from api.app import create_app
from api.settings import Settings
from api.workspace import Workspace
from kg import curation, policy
from kg import summary as obstacle_summary
from kg import summary_answers as answers
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synth  # noqa: E402


def _from_scratch(workspace: Workspace) -> obstacle_summary.ObstacleSummary:
    fresh = obstacle_summary.ObstacleSummary()
    fresh.rebuild(workspace.store)
    return fresh


def _facts(s: obstacle_summary.ObstacleSummary) -> dict[str, Any]:
    return {
        "studies": s.studies,
        "index": {
            level: {
                concept: (
                    c.docs,
                    c.order,
                    {k: n for k, n in c.sizes.items() if n},
                    {k: a for k, a in c.areas.items() if a},
                    dict(c.cells),
                    dict(c.cell_sizes),
                )
                for concept, c in by.items()
                if c.docs
            }
            for level, by in s.index.items()
        },
        "by_place": {p: d for p, d in s.by_place.items() if d},
        "labels": s.labels,
    }


def assert_current(workspace: Workspace) -> None:
    """The refreshed summary equals one built from scratch, and its answers equal kg.policy's
    (every row at both levels, with and without the confidence floor; every place page)."""
    kept = workspace.summary
    with kept.lock:  # a warming thread may be rebuilding it: wait for that, as answers do
        _assert_current(workspace, kept)


def _assert_current(workspace: Workspace, kept: obstacle_summary.ObstacleSummary) -> None:
    assert not kept.stale and kept.stamp == workspace.store.generation  # refreshed, not rebuilt
    fresh = _from_scratch(workspace)
    assert _facts(kept) == _facts(fresh)
    store = workspace.store
    for level in ("regency", "province"):
        for floor in (0.0, 0.85):
            rows = answers.rows(kept, store, level, floor)
            assert rows == policy.obstacle_rows(store, level, floor)
            for min_places in (1, 2):
                bounded = answers.recurring(kept, store, level, min_places, floor, 1000)
                whole = policy.recurring_obstacles(rows, level, min_places)
                for entry in bounded:
                    assert entry.pop("documents_left_out") == 0
                assert bounded == whole
            table = answers.matrix(kept, level, floor, 1000)
            for cell in table["cells"]:
                assert cell.pop("documents_left_out") == 0
            assert table == policy.obstacle_matrix(rows, level)
    codes = {p.code for iri, p in kept.places.items() if kept.by_place.get(iri)}
    for code in sorted(codes | {c[:2] for c in codes}):
        studies, inside = answers.place_studies(kept, code)
        page = policy.place_page(store, code, studies, inside, 1000)
        assert page is not None
        assert (page.pop("study_count"), page.pop("studies_left_out")) == (len(studies), 0)
        assert page == policy.place_overview(store, code)
        for floor in (0.0, 0.85):
            counted = answers.place_obstacles(kept, code, floor)
            assert counted == whole_place_obstacles(store, code, floor), (code, floor)


def whole_place_obstacles(store: Any, code: str, floor: float) -> list[dict[str, Any]]:
    """What the web place page counted before kg.summary_answers.place_obstacles: the obstacles of
    every study kg.policy.place_overview lists (all of them, with their concepts), here
    leaving out the mentions kg.policy.doubtful_obstacles finds below `floor`."""
    overview = policy.place_overview(store, code)
    assert overview is not None
    doubtful = policy.doubtful_obstacles(store, floor)
    found: dict[str, dict[str, Any]] = {}
    for study in overview["studies"]:
        for obstacle in study.get("obstacles", []):
            if (study["id"], obstacle["id"]) not in doubtful:
                entry = found.setdefault(obstacle["id"], {**obstacle, "studies": 0})
                entry["studies"] += 1
    return sorted(found.values(), key=lambda o: (-o["studies"], o["label"] or o["id"]))


@pytest.fixture
def synthetic(tmp_path: Path) -> list[Path]:
    synth.generate(12, 7, tmp_path / "synth")
    return sorted(p for p in (tmp_path / "synth").rglob("*") if p.suffix in {".txt", ".md"})


def test_the_summary_follows_ingest_delete_reingest_and_curations(
    workspace: Workspace, synthetic: list[Path]
) -> None:
    workspace.summarised(lambda s: None)  # built once, over the empty store
    outcomes = workspace.ingest_paths(synthetic[:10]).outcomes
    assert_current(workspace)
    ids = [o.doc_id for o in outcomes if o.doc_id]
    garut = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt").doc_id
    makassar = workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md").doc_id
    assert garut and makassar
    assert workspace.delete(ids[0])
    assert_current(workspace)
    workspace.ingest_paths(synthetic[:1])  # the same content again
    # a changed file under the name of an older one replaces it
    changed = synthetic[1].read_text(encoding="utf-8") + "\n\nKata kunci: hambatan anggaran\n"
    workspace.ingest_bytes(changed.encode(), synthetic[1].name, replace=ids[1])
    assert_current(workspace)

    def curate(doc_id: str, **how: Any) -> dict[str, Any]:
        with workspace.write_lock:
            made = curation.record(workspace.store, workspace.lexicon, doc_id, by="alice", **how)
        workspace.curated(doc_id)
        return made

    reported = {r["category"] for r in policy.obstacle_rows(workspace.store, "regency")}
    assert reported
    funding = curate(garut, kind="obstacle", concept="funding", action="reject")
    curate(makassar, kind="obstacle", concept="funding", action="confirm")
    curate(makassar, kind="place", concept="73.71", action="reject")
    curate(garut, kind="place", concept="73.71", action="add")
    curate(garut, kind="obstacle", concept="coordination", action="add",
           quote="Kolaborasi UPTD PPA dan Polres")  # fmt: skip
    assert_current(workspace)
    with workspace.write_lock:
        curation.undo(workspace.store, funding["id"], "alice")
    workspace.curated(garut)
    assert_current(workspace)


def test_a_write_the_summary_is_not_told_of_rebuilds_it(workspace: Workspace) -> None:
    workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    workspace.summarised(lambda s: None)
    before = workspace.summary.stamp
    doc_id = workspace.store.document_ids()[0]
    workspace.store.delete_document(doc_id)  # behind the workspace's back
    assert workspace.summary.stamp != workspace.store.generation
    assert workspace.summarised(lambda s: len(s.studies)) == 0  # rebuilt: stale stamp
    assert workspace.summary.stamp != before
    workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    workspace.summary.invalidate()  # what a SPARQL Update does (Workspace.resync)
    workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md")
    assert workspace.summary.stale  # a refresh does not make a stale summary current
    assert workspace.summarised(lambda s: len(s.studies)) == 2
    assert_current(workspace)


def test_bounded_answers_keep_whole_counts(workspace: Workspace, synthetic: list[Path]) -> None:
    workspace.ingest_paths(synthetic)
    app = create_app(workspace.settings, workspace)
    app.state.workspace, app.state.settings = workspace, workspace.settings  # no start-up
    client = TestClient(app)
    params = {"min_places": 1, "min_confidence": 0}
    whole = client.get("/obstacles/recurring", params={**params, "limit": 1000}).json()
    capped = client.get("/obstacles/recurring", params={**params, "limit": 1}).json()
    assert capped["limit"] == 1 and whole["limit"] == 1000
    assert [(o["category"], o["document_count"], o["place_count"]) for o in capped["obstacles"]] \
        == [(o["category"], o["document_count"], o["place_count"]) for o in whole["obstacles"]]  # fmt: skip
    for small, big in zip(capped["obstacles"], whole["obstacles"], strict=True):
        assert small["documents"] == big["documents"][:1]
        assert small["documents_left_out"] == big["document_count"] - 1
    assert any(o["documents_left_out"] for o in capped["obstacles"])
    cells = client.get("/obstacles/matrix", params={"limit": 1, "min_confidence": 0}).json()
    assert all(len(c["documents"]) == min(1, c["studies"]) for c in cells["cells"])
    assert all(c["documents_left_out"] == c["studies"] - 1 for c in cells["cells"])
    province = max(cells["places"], key=lambda p: p["code"])["code"][:2]
    page = client.get(f"/places/{province}", params={"limit": 1}).json()
    assert len(page["studies"]) == 1 and page["studies_left_out"] == page["study_count"] - 1
    assert client.get("/obstacles/recurring", params={"limit": 1001}).status_code == 422
    assert client.get("/places/32", params={"limit": 0}).status_code == 422


def test_a_rebuild_keeps_its_lock(workspace: Workspace) -> None:
    """Answers and refreshes wait for a rebuild on the summary's lock: a rebuild that made
    itself a new one let them in halfway (seen as a stale summary in a fresh-clone run)."""
    kept = workspace.summary
    lock = kept.lock
    kept.rebuild(workspace.store)
    assert kept.lock is lock and not kept.stale


def test_the_place_page_lists_a_few_and_counts_all(
    workspace: Workspace, synthetic: list[Path]
) -> None:
    """The web page of a place with more studies than `?limit=` lists that many, says how
    many it left out, and counts each obstacle over all the place's studies."""
    workspace.ingest_paths(synthetic)
    app = create_app(workspace.settings, workspace)
    app.state.workspace, app.state.settings = workspace, workspace.settings  # no start-up
    client = TestClient(app)
    codes = [p["code"] for p in workspace.obstacle_matrix("province", 0)["places"]]
    whole = {c: client.get(f"/places/{c}", params={"limit": 1000}).json() for c in codes}
    code = max(codes, key=lambda c: whole[c]["study_count"])
    api = whole[code]
    assert api["study_count"] >= 3 and api["obstacles"]
    floor = workspace.floor(None)
    assert api["obstacles"] == whole_place_obstacles(workspace.store, code, floor)
    html = client.get(f"/place/{code}", params={"limit": 1}).text
    assert html.count('<li>\n      <h3><a href="/study/') == 1
    left = api["study_count"] - 1
    assert f"Listed: the newest 1; {left} more are left out." in html
    assert f'href="/place/{code}?limit={api["study_count"]}">List all</a>' in html
    bars = re.findall(r'class="bar-n">(\d+)<', html)
    assert [int(n) for n in bars] == [o["studies"] for o in api["obstacles"]]
    assert max(int(n) for n in bars) > 1  # counted over more studies than the page lists
    everything = client.get(f"/place/{code}", params={"limit": "bad"}).text
    assert "more are left out" not in everything  # the default lists them all here
    assert client.get(f"/place/{code}", params={"limit": 5000}).status_code == 200


def test_the_place_page_counts_as_before_on_the_demo(demo_workspace: Workspace) -> None:
    """On the demo data the bars equal the whole computation the page made before."""
    store = demo_workspace.store
    places = {r["code"] for r in policy.obstacle_rows(store, "regency", 0)}
    for code in sorted(places | {c[:2] for c in places}):
        page = demo_workspace.place_overview(code)
        assert page is not None and not page["studies_left_out"]
        assert page["obstacles"] == whole_place_obstacles(store, code, 0.0), code
        assert page["obstacles"] == whole_place_obstacles(
            store, code, demo_workspace.floor(None)
        ), code


@pytest.mark.parametrize("reuse", [60.0, 0.0])
def test_a_remote_store_summary_is_reused_for_a_while(
    oxigraph_server: str, tmp_path: Path, embedder: Any, reuse: float
) -> None:
    """Over a real Oxigraph server (no generation: others may write to it) the summary is
    reused `remote_summary_seconds` after a build, kept current by writes made through this
    service; a write made by another client shows once that time has passed, or at once
    with 0."""
    settings = Settings(data=tmp_path / "data", store=oxigraph_server,
                        remote_summary_seconds=reuse)  # fmt: skip
    with Workspace(settings, embedder=embedder) as workspace:
        garut = workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt").doc_id
        assert garut

        def studies() -> int:
            return workspace.summarised(lambda s: len(s.studies))

        assert studies() == 1
        built = workspace.summary.built
        workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md")  # through the service
        assert studies() == 2
        assert (workspace.summary.built == built) == bool(reuse)  # refreshed, not rebuilt
        with workspace.summary.lock:
            assert _facts(workspace.summary) == _facts(_from_scratch(workspace))
        assert workspace.place_overview("32", 1)["study_count"] == 1  # type: ignore[index]
        with open_store(oxigraph_server, tmp_path / "other") as other:  # another writer
            assert other.delete_document(garut)
        assert studies() == (2 if reuse else 1)  # not seen while the summary is reused
        assert workspace.summary.built is not None
        workspace.summary.built -= reuse  # `reuse` seconds later
        assert studies() == 1
        assert workspace.place_overview("32", 1)["study_count"] == 0  # type: ignore[index]
