"""Curations through a real `jejaring serve` and the CLI, over a real store on disk: they are
honoured everywhere, outlive a restart, re-ingest, reextract and a deleted document, and undo
restores what the extractor said."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from conftest import jejaring_serve, run_cli
from records import ENGLISH_RECORD, HEADER_RECORD

from api.settings import Settings

TOKEN = "operator-token"
ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, "--data", str(data))


def _obstacles(client: httpx.Client, doc: str, raw: bool = False) -> set[str]:
    found = client.get(f"/documents/{doc}", params={"raw": raw}).json()
    return {o["category"] for o in found["obstacles"]}


def _recurring_docs(client: httpx.Client, category: str) -> set[str]:
    answer = client.get("/obstacles/recurring", params={"level": "province", "min_places": 1})
    for entry in answer.json()["obstacles"]:
        if entry["category"] == category:
            return {d["id"] for d in entry["documents"]}
    return set()


def _heat_cells(client: httpx.Client) -> set[tuple[str, str]]:
    matrix = client.get("/obstacles/matrix", params={"level": "province"}).json()
    return {(c["category"], c["place"]) for c in matrix["cells"]}


def _stakeholder_use(client: httpx.Client, concept_id: str) -> int:
    for concept in client.get("/stakeholders").json()["concepts"]:
        if concept["id"] == concept_id:
            return int(concept["studies"])
    return 0


def _holds(client: httpx.Client, garut: str, makassar: str) -> None:
    """What the curations below say, as every reader sees it."""
    assert "funding" not in _obstacles(client, garut)
    assert "funding" in _obstacles(client, garut, raw=True)  # the extraction itself stays
    assert _recurring_docs(client, "funding") == {makassar}
    assert ("funding", "32") not in _heat_cells(client) and ("funding", "73") in _heat_cells(client)
    stakeholders = client.get(f"/documents/{garut}").json()["stakeholders"]
    added = [s for s in stakeholders if s["concept"].endswith("/dinas_sosial")]
    assert added and added[0]["curated"] is True
    assert added[0]["evidence"][0]["quote"] == "kurangnya tenaga pendamping"
    assert _stakeholder_use(client, "dinas_sosial") == 1
    listed = client.get("/documents", params={"stakeholder": "dinas_sosial"}).json()
    assert [d["id"] for d in listed["items"]] == [garut]
    assert garut not in {d["id"] for d in client.get(
        "/documents", params={"obstacle": "funding"}).json()["items"]}  # fmt: skip


def test_curations_are_honoured_and_survive_restart_reingest_reextract(
    tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JEJARING_API_TOKENS", "alice:alice-token,bob:bob-token")
    data = tmp_path / "data"
    garut_file = tmp_path / "garut.txt"
    garut_file.write_text(HEADER_RECORD, encoding="utf-8")
    with (
        jejaring_serve(data, TOKEN, model_cache) as served,
        httpx.Client(base_url=served.base, timeout=60) as client,
    ):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        garut = client.post("/documents", files={"file": ("garut.txt", HEADER_RECORD)},
                            headers=auth).json()["document"]["id"]  # fmt: skip
        makassar = client.post("/documents", files={"file": ("mks.md", ENGLISH_RECORD)},
                               headers=auth).json()["document"]["id"]  # fmt: skip
        assert "funding" in _obstacles(client, garut)
        assert _recurring_docs(client, "funding") == {garut, makassar}  # warms the cache too
        assert ("funding", "32") in _heat_cells(client)
        assert _stakeholder_use(client, "dinas_sosial") == 0

        url = f"/documents/{garut}/curations"
        reject = {"kind": "obstacle", "concept": "funding", "action": "reject",
                  "note": "a recommendation, not a finding"}  # fmt: skip
        assert client.post(url, json=reject).status_code == 401  # reads only without a token
        made = client.post(url, json=reject, headers=ALICE)
        assert made.status_code == 201, made.text
        rejection = made.json()
        assert rejection["by"] == "alice" and rejection["action"] == "reject"
        assert rejection["concept"].endswith("/obstacle/funding") and len(rejection["id"]) == 16

        add = {"kind": "stakeholder", "concept": "dinas_sosial", "action": "add",
               "note": "named in the findings", "quote": "kurangnya tenaga pendamping"}  # fmt: skip
        added = client.post(url, json=add, headers=BOB)
        assert added.status_code == 201, added.text
        assert added.json()["by"] == "bob" and added.json()["page"] == 1
        _holds(client, garut, makassar)
        # The search hits of the study carry the added stakeholder as a concept chip.
        hits = client.get("/search", params={"q": "tenaga pendamping", "k": 3,
                                             "stakeholder": "dinas_sosial"}).json()["hits"]  # fmt: skip
        assert hits and hits[0]["document"] == garut
        chips = {c["id"] for c in hits[0]["concepts"].get("stakeholder", [])}
        assert "dinas_sosial" in chips
        assert "funding" not in {c["id"] for c in hits[0]["concepts"].get("obstacle", [])}

        # Each bad request says what was wrong, and writes nothing.
        for body, status, word in [
            ({**reject, "kind": "budget"}, 422, "kind"),
            ({**reject, "concept": "no_such_thing"}, 422, "concept"),
            ({**reject, "action": "delete"}, 422, "action"),
            ({**reject, "concept": "trust"}, 422, "no extracted obstacle trust"),
            ({**add, "role": "studied"}, 422, "role"),
            ({**add, "concept": "uptd_ppa"}, 409, "confirm it instead"),
        ]:
            answer = client.post(url, json=body, headers=ALICE)
            assert answer.status_code == status and word in answer.json()["detail"], answer.text
        missing = client.post("/documents/00000000deadbeef/curations", json=reject, headers=ALICE)
        assert missing.status_code == 404 and "no document" in missing.json()["detail"]

        listed = client.get("/curations").json()["curations"]
        assert [c["action"] for c in listed] == ["add", "reject"]  # newest first
        assert client.get("/curations", params={"action": "reject"}).json()["total"] == 1
        assert client.get("/curations", params={"kind": "stakeholder"}).json()["total"] == 1
        assert client.get("/curations", params={"document": makassar}).json()["total"] == 0
        assert len(client.get(url).json()["curations"]) == 2
        assert client.get("/curations", params={"orphaned": "true"}).json()["total"] == 0

        # The RDF of the curation: its own named graph, PROV-O, in the export too.
        trig = client.get(
            "/sparql",
            params={"query": "CONSTRUCT { ?c ?p ?o } WHERE { GRAPH "
                    "<https://w3id.org/jejaring/graph/curations> { ?c ?p ?o } }"},
            headers={"Accept": "text/turtle"},
        ).text  # fmt: skip
        assert "prov:wasAttributedTo" in trig and "a recommendation, not a finding" in trig

    # Stopped. The CLI: confirm with its own name, re-ingest the same file, reextract, reindex.
    confirmed = _cli(data, "curate", garut, "--confirm", "obstacle:human_resources",
                     "--note", "seen on p. 1")  # fmt: skip
    assert confirmed.returncode == 0, confirmed.stderr
    assert " cli  confirm obstacle:human_resources " in confirmed.stdout
    confirm_id = confirmed.stdout.split()[0]
    bad = _cli(data, "curate", garut, "--reject", "obstacle:nonsense")
    assert bad.returncode == 1 and "unknown obstacle concept 'nonsense'" in bad.stderr
    again = _cli(data, "ingest", str(garut_file))
    assert "unchanged 1" in again.stdout, again.stdout + again.stderr
    redone = _cli(data, "reextract", "--all")
    assert redone.returncode == 0 and garut in redone.stdout, redone.stderr
    assert _cli(data, "reindex").returncode == 0
    export = tmp_path / "graph.trig"
    assert _cli(data, "export", "-o", str(export)).returncode == 0
    assert "jj:curatedConcept" in export.read_text(encoding="utf-8")

    # Restarted on the same data: everything holds; deleting the study orphans its
    # curations, re-ingesting it brings them back; undo restores the extraction.
    with (
        jejaring_serve(data, TOKEN, model_cache) as served,
        httpx.Client(base_url=served.base, timeout=60) as client,
    ):
        _holds(client, garut, makassar)
        obstacles = client.get(f"/documents/{garut}").json()["obstacles"]
        assert [o.get("confirmed") for o in obstacles if o["category"] == "human_resources"] == [
            True
        ]
        assert client.delete(f"/documents/{garut}", headers=ALICE).status_code == 204
        orphans = client.get("/curations", params={"orphaned": "true"}).json()
        assert orphans["total"] == 3
        assert _recurring_docs(client, "funding") == {makassar}
        assert _stakeholder_use(client, "dinas_sosial") == 0  # an orphan adds nothing
        assert client.get("/documents", params={"stakeholder": "dinas_sosial"}).json()["total"] == 0
        back = client.post("/documents", files={"file": ("garut.txt", HEADER_RECORD)},
                           headers=BOB)  # fmt: skip
        assert back.json()["document"]["id"] == garut
        assert client.get("/curations", params={"orphaned": "true"}).json()["total"] == 0
        _holds(client, garut, makassar)

        assert client.delete(f"/curations/{rejection['id']}").status_code == 401
        undone = client.delete(f"/curations/{rejection['id']}", headers=BOB)
        assert undone.status_code == 200 and undone.json()["undone_by"] == "bob"
        assert client.delete(f"/curations/{rejection['id']}", headers=BOB).status_code == 409
        assert "funding" in _obstacles(client, garut)
        assert _recurring_docs(client, "funding") == {garut, makassar}
        assert ("funding", "32") in _heat_cells(client)
        assert client.delete(f"/curations/{added.json()['id']}", headers=BOB).status_code == 200
        assert _stakeholder_use(client, "dinas_sosial") == 0
        assert not [
            s for s in client.get(f"/documents/{garut}").json()["stakeholders"]
            if s.get("curated")
        ]  # fmt: skip
        history = client.get("/curations", params={"undone": "true"}).json()["curations"]
        assert {c["id"]: c["undone"] for c in history} == {
            rejection["id"]: True, added.json()["id"]: True, confirm_id: False
        }  # fmt: skip
    listed = _cli(data, "curate", "--list")
    assert listed.returncode == 0 and confirm_id in listed.stdout
    undo = _cli(data, "curate", "--undo", confirm_id, "--by", "carol")
    assert undo.returncode == 0 and "[undone]" in undo.stdout


def test_named_tokens_and_the_one_token_write_under_their_names() -> None:
    settings = Settings(api_token="t0", api_tokens=" alice:t1, bob:t2 ,broken")  # type: ignore[arg-type]
    assert settings.writers() == {"t0": "operator", "t1": "alice", "t2": "bob"}
    assert Settings(api_token=None).writers() == {}


def test_curations_on_the_embedded_and_a_remote_store(store_location: str, tmp_path: Path) -> None:
    """The same curations, honoured the same way, on Oxigraph embedded and over SPARQL 1.1."""
    from ingest.pipeline import read_document
    from kg import curation, policy
    from kg.documents import document_json
    from kg.lookup import Filters, document_passage_concepts, documents_matching
    from kg.model import document_quads, place_quads
    from kg.store import open_store
    from kg.vocabulary import load_graph, load_lexicon, vocabulary_quads

    lexicon = load_lexicon()
    store = open_store(store_location, tmp_path)
    store.replace_vocabulary(vocabulary_quads(load_graph()))
    ids = []
    for name, text in (("garut.txt", HEADER_RECORD), ("mks.md", ENGLISH_RECORD)):
        doc = read_document(text.encode(), name, lexicon)
        store.put_document(doc.id, document_quads(doc), place_quads(doc), [])
        ids.append(doc.id)
    garut, makassar = ids

    def funding_docs() -> set[str]:
        rows = policy.obstacle_rows(store, "province")
        return {r["document"] for r in rows if r["category"] == "funding"}

    assert funding_docs() == {garut, makassar}
    rejected = curation.record(store, lexicon, garut, kind="obstacle", concept="funding",
                               action="reject", by="alice", note="n")  # fmt: skip
    curation.record(store, lexicon, garut, kind="place", concept="32.05", action="confirm",
                    by="bob")  # fmt: skip
    curation.record(store, lexicon, makassar, kind="stakeholder", concept="dinas_sosial",
                    action="add", by="bob", quote="weak coordination between agencies")  # fmt: skip
    assert funding_docs() == {makassar}
    assert documents_matching(store, Filters(obstacle="funding")) == {makassar}
    assert documents_matching(store, Filters(stakeholder="dinas_sosial")) == {makassar}
    places = document_json(store, garut)["places"]
    assert [p["confirmed"] for p in places if p["code"] == "32.05"] == [True]
    carried = {c for found in document_passage_concepts(store, makassar).values() for _, c in found}
    assert shape_iri("stakeholder", "dinas_sosial") in carried
    garut_carried = document_passage_concepts(store, garut).values()
    assert shape_iri("obstacle", "funding") not in {c for found in garut_carried for _, c in found}
    usage = {c["id"]: c["studies"] for c in policy.concept_usage(store, "obstacle")}
    assert usage["funding"] == 1
    curation.undo(store, rejected["id"], "carol")
    assert funding_docs() == {garut, makassar}
    assert [c["action"] for c in curation.list_curations(store)] == ["add", "confirm"]
    store.close()


def shape_iri(scheme: str, concept_id: str) -> str:
    from kg.shape import concept_iri

    return concept_iri(scheme, concept_id).value
