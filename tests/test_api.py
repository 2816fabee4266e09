"""The HTTP API in-process (FastAPI's TestClient over a real store, index and model)."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import copy_demo
from fastapi.testclient import TestClient
from pdfs import text_pdf
from records import ENGLISH_RECORD, HEADER_RECORD

from api.app import create_app
from api.settings import Settings
from api.workspace import Workspace
from search.embedding import Embedder

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder, demo_data: Path
) -> Iterator[TestClient]:
    """The demo corpus and two records behind an app with a token; shared by read tests."""
    data = copy_demo(demo_data, tmp_path_factory.mktemp("api") / "data")
    settings = Settings(data=data, api_token=TOKEN, sparql_result_cap=2000)
    with (
        Workspace(settings, embedder=embedder) as workspace,
        TestClient(create_app(settings, workspace)) as client,
    ):
        # The app opens the index on a thread; /health says "starting" until then, so a
        # test's first request could race it. Opening here waits for (or does) that work.
        _ = workspace.index
        yield client


@pytest.fixture
def writable(settings: Settings, workspace: Workspace) -> Iterator[TestClient]:
    """A fresh, empty data directory with a token: for tests that write."""
    settings = settings.replace(api_token=TOKEN, max_upload_mb=1)
    with TestClient(create_app(settings, workspace)) as client:
        yield client


def _parse(content: bytes, fmt: str) -> rdflib.Graph:
    """Returned RDF parsed into a graph; JSON-LD through pyoxigraph (rdflib's JSON-LD parser
    trips our warnings-as-errors with its own deprecation warning)."""
    if fmt != "json-ld":
        return rdflib.Graph().parse(data=content, format=fmt)
    nt = ox.serialize(ox.parse(content, ox.RdfFormat.JSON_LD), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


def _doc_titled(client: TestClient, word: str) -> str:
    items = client.get("/documents", params={"limit": 500}).json()["items"]
    return next(i["id"] for i in items if word.lower() in i["title"].lower())


def test_health_reports_store_index_and_model(served: TestClient) -> None:
    health = served.get("/health").json()
    assert health["status"] == "ok" and health["store"]["documents"] == 4
    assert health["index"]["documents"] == 4 and health["model"]["dim"] == 384


def test_documents_list_paginates_and_filters(served: TestClient) -> None:
    page = served.get("/documents", params={"limit": 3}).json()
    assert page["total"] == 4 and len(page["items"]) == 3
    rest = served.get("/documents", params={"limit": 3, "offset": 3}).json()["items"]
    assert {i["id"] for i in page["items"]}.isdisjoint({i["id"] for i in rest})
    jabar = served.get("/documents", params={"place": "32"}).json()
    assert [i["title"] for i in jabar["items"]] == [
        "Kolaborasi UPTD PPA dan Polres dalam Penanganan Kekerasan Anak di Kabupaten Garut"
    ]
    assert served.get("/documents", params={"place": "32') ; DROP"}).status_code == 422


def test_document_json_and_its_graph_in_three_formats(served: TestClient) -> None:
    doc_id = _doc_titled(served, "Benan")
    doc = served.get(f"/documents/{doc_id}").json()
    for field in ("id", "title", "year", "language", "kind", "source", "authors", "abstract",
                  "keywords", "places", "stakeholders", "theories", "obstacles", "references"):  # fmt: skip
        assert field in doc
    assert any(p["code"] == "21.04.11.2001" for p in doc["places"])
    for accept, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")]:  # fmt: skip
        response = served.get(f"/documents/{doc_id}/graph", headers={"Accept": accept})
        assert response.headers["content-type"].startswith(accept)
        graph = _parse(response.content, fmt)
        subject = rdflib.URIRef(f"https://w3id.org/jejaring/doc/{doc_id}")
        assert (subject, rdflib.URIRef("http://purl.org/dc/terms/title"), None) in graph
    assert served.get("/documents/0123456789abcdef").status_code == 404
    assert served.get("/documents/not..an..id").status_code == 422


def test_search_with_filters_and_bad_queries(served: TestClient) -> None:
    found = served.get("/search", params={"q": "limited budget", "obstacle": "funding", "k": 5})
    hits = found.json()["hits"]
    assert found.status_code == 200 and 0 < len(hits) <= 5
    assert all((h["page"] >= 1 and "<mark>" in h["marked"]) or h["text"] for h in hits)
    assert served.get("/search", params={"q": "  "}).status_code == 400
    assert "too long" in served.get("/search", params={"q": "kata " * 200}).json()["detail"]
    assert served.get("/search").status_code == 422
    doc_id = hits[0]["document"]
    near = served.get(f"/documents/{doc_id}/similar", params={"k": 2}).json()["similar"]
    assert len(near) == 2 and doc_id not in {n["id"] for n in near}


def test_recurring_obstacles_and_matrix(served: TestClient) -> None:
    recurring = served.get("/obstacles/recurring", params={"min_places": 2}).json()["obstacles"]
    funding = next(o for o in recurring if o["category"] == "funding")
    assert funding["place_count"] >= 3
    assert {"21.04", "32.05"} <= {p["code"] for p in funding["places"]}
    assert all(d["quote"] and d["page"] for d in funding["documents"])
    assert all(o["place_count"] >= 2 for o in recurring)
    provinces = served.get("/obstacles/recurring", params={"level": "province"}).json()
    assert all(len(p["code"]) == 2 for o in provinces["obstacles"] for p in o["places"])
    matrix = served.get("/obstacles/matrix").json()
    assert {"categories", "places", "cells"} <= set(matrix)
    table = served.get("/obstacles/matrix", params={"level": "province", "format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0][:2] == ["code", "place"] and "funding" in rows[0]
    assert served.get("/obstacles/matrix", params={"level": "village"}).status_code == 422


def test_place_and_concept_questions(served: TestClient) -> None:
    riau = served.get("/places/21").json()
    assert riau["name"] == "Kepulauan Riau" and len(riau["studies"]) == 1
    assert "21.04" in {p["code"] for p in riau["places"]}
    assert riau["studies"][0]["obstacles"] and riau["studies"][0]["stakeholders"]
    # counted over all its studies (here the one listed), at the confidence floor
    listed = {o["id"] for o in riau["studies"][0]["obstacles"]}
    assert {o["id"] for o in riau["obstacles"]} <= listed
    assert riau["obstacles"] and all(o["studies"] == 1 for o in riau["obstacles"])
    assert served.get("/places/94").status_code == 404
    obstacles = served.get("/concepts", params={"scheme": "obstacle"}).json()["concepts"]
    assert len({c["id"] for c in obstacles}) >= 13
    assert next(c for c in obstacles if c["id"] == "funding")["studies"] >= 3
    theories = served.get("/theories").json()["concepts"]
    assert next(c for c in theories if c["id"] == "collaborative_governance")["studies"] >= 1
    assert served.get("/stakeholders").json()["concepts"]


def test_sparql_protocol_forms_and_formats(served: TestClient) -> None:
    query = "SELECT ?doc ?title WHERE { ?doc jj:contentHash ?h ; dct:title ?title } ORDER BY ?title"
    by_get = served.get("/sparql", params={"query": query})
    assert by_get.headers["content-type"].startswith("application/sparql-results+json")
    assert len(by_get.json()["results"]["bindings"]) == 4
    by_form = served.post("/sparql", data={"query": query})
    by_body = served.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert by_form.json() == by_body.json() == by_get.json()
    xml = served.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})  # fmt: skip
    assert xml.text.count("<result>") == 4
    as_csv = served.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.text.splitlines()[0] == "doc,title"
    tsv = served.get("/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"})  # fmt: skip
    assert tsv.text.splitlines()[0] == "?doc\t?title" and len(tsv.text.splitlines()) == 5
    construct = (
        "CONSTRUCT { ?doc dct:title ?title } WHERE { ?doc jj:contentHash ?h ; dct:title ?title }"
    )
    turtle = served.get("/sparql", params={"query": construct}, headers={"Accept": "text/turtle"})
    assert len(rdflib.Graph().parse(data=turtle.text, format="turtle")) == 4
    jsonld = served.get("/sparql", params={"query": construct}, headers={"Accept": "application/ld+json"})  # fmt: skip
    assert len(_parse(jsonld.content, "json-ld")) == 4
    ask = served.get("/sparql", params={"query": "ASK { ?s a fabio:Work }"})
    assert ask.json()["boolean"] is True


def test_sparql_errors_are_clear(served: TestClient) -> None:
    malformed = served.get("/sparql", params={"query": "SELECT ?x WHERE { ?x"})
    assert malformed.status_code == 400 and "malformed" in malformed.json()["detail"]
    capped = served.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert capped.status_code == 400 and "more than 2000" in capped.json()["detail"]
    assert served.post("/sparql", content="x", headers={"Content-Type": "text/plain"}).status_code == 415  # fmt: skip
    update = "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"
    assert served.post("/sparql", data={"update": update}).status_code == 401
    wrong = served.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer no"})
    assert wrong.status_code == 401


def test_sparql_time_limit(settings: Settings, embedder: Embedder) -> None:
    slow = settings.replace(sparql_timeout_s=0.2, sparql_result_cap=10)
    with (
        Workspace(slow, embedder=embedder) as workspace,
        TestClient(create_app(slow, workspace)) as client,
    ):
        workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
        # The vocabulary crossed with itself, four times over: about a second, not forever.
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c a skos:ConceptScheme }"
        response = client.get("/sparql", params={"query": heavy})
        assert response.status_code == 503 and "time limit" in response.json()["detail"]


def test_sparql_update_with_token_and_read_only_server(
    writable: TestClient, settings: Settings, workspace: Workspace
) -> None:
    update = "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 'c' } }"
    assert writable.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    ask = writable.get("/sparql", params={"query": "ASK { <http://e/a> <http://e/b> 'c' }"})
    assert ask.json()["boolean"] is True
    body = writable.post("/sparql", content="DROP GRAPH <http://e/g>",
                         headers={**AUTH, "Content-Type": "application/sparql-update"})  # fmt: skip
    assert body.status_code == 204
    read_only = settings.replace(api_token=None)
    with TestClient(create_app(read_only, workspace)) as client:
        refused = client.post("/sparql", data={"update": update}, headers=AUTH)
        assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
        upload = client.post("/documents", files={"file": ("a.txt", HEADER_RECORD)}, headers=AUTH)
        assert upload.status_code == 403


def test_linking_a_new_study(writable: TestClient) -> None:
    first = writable.post("/documents", files={"file": ("garut.txt", HEADER_RECORD)}, headers=AUTH)
    assert first.status_code == 201, first.text
    # The name is a label only: a path in it is cut off, the type comes from the bytes.
    second = writable.post(
        "/documents", files={"file": ("../../etc/makassar", ENGLISH_RECORD)}, headers=AUTH
    )
    assert second.status_code == 201, second.text
    linked = second.json()
    assert linked["document"]["source"]["filename"] == "makassar.txt"
    shared = {c["id"]: c for c in linked["links"]["shared"]["obstacles"]}
    assert shared["funding"]["studies"] == 1
    assert shared["funding"]["documents"] == [first.json()["document"]["id"]]
    assert linked["nearest"][0]["id"] == first.json()["document"]["id"]
    again = writable.post("/documents", files={"file": ("x.md", ENGLISH_RECORD)}, headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"

    doc_id = linked["document"]["id"]
    assert writable.delete(f"/documents/{doc_id}").status_code == 401
    assert writable.delete(f"/documents/{doc_id}", headers=AUTH).status_code == 204
    assert writable.get(f"/documents/{doc_id}").status_code == 404
    hits = writable.get("/search", params={"q": "PATBM Makassar"}).json()["hits"]
    assert doc_id not in {h["document"] for h in hits}
    assert writable.delete(f"/documents/{doc_id}", headers=AUTH).status_code == 404


def _state(client: TestClient) -> tuple[int, int]:
    health = client.get("/health").json()
    count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    return health["store"]["documents"], int(count.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    ("content", "status", "reason"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", 422, "truncated"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 415, "not a text file"),
        (b"", 422, "empty"),
        (b"\x00\x01\x02" * 100, 415, "binary data"),
        (b"x" * (1024 * 1024 + 10), 413, "larger than 1 MB"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(
    writable: TestClient, content: bytes, status: int, reason: str
) -> None:
    writable.post("/documents", files={"file": ("garut.txt", HEADER_RECORD)}, headers=AUTH)
    before = _state(writable)
    response = writable.post("/documents", files={"file": ("study.pdf", content)}, headers=AUTH)
    assert response.status_code == status and reason in response.json()["detail"]
    assert _state(writable) == before


def test_crash_during_upload_leaves_no_half_document(
    writable: TestClient, request: pytest.FixtureRequest
) -> None:
    before = _state(writable)
    request.getfixturevalue("store_write_breaks")
    crashed = writable.post("/documents", files={"file": ("a.txt", HEADER_RECORD)}, headers=AUTH)
    assert crashed.status_code == 500 and "nothing was written" in crashed.json()["detail"]
    assert _state(writable) == before


def test_concurrent_uploads_each_land_whole(writable: TestClient) -> None:
    records = [
        HEADER_RECORD.replace("Garut", place).replace("2021", str(2015 + i))
        for i, place in enumerate(["Bogor", "Cianjur", "Sumedang", "Garut"])
    ]
    statuses: list[int] = []

    def upload(i: int) -> None:
        files = {"file": (f"study{i}.txt", records[i])}
        statuses.append(writable.post("/documents", files=files, headers=AUTH).status_code)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(records))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 4
    health = writable.get("/health").json()
    assert health["store"]["documents"] == health["index"]["documents"] == 4


def test_a_utf16_record_from_notepad_is_read(writable: TestClient) -> None:
    utf16 = HEADER_RECORD.encode("utf-16")  # with its byte-order mark
    response = writable.post("/documents", files={"file": ("garut.txt", utf16)}, headers=AUTH)
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["title"].startswith("Kolaborasi UPTD PPA dan Polres")
    assert "funding" in {o["category"] for o in document["obstacles"]}


def test_a_pdf_upload_is_typed_by_its_bytes(writable: TestClient) -> None:
    pdf = text_pdf([
        "Kemitraan P2TP2A dan pemerintah desa dalam perlindungan anak di Kabupaten Lingga.",
        "Kendala utama adalah kurangnya anggaran dan terbatasnya tenaga pendamping.",
    ])  # fmt: skip
    response = writable.post("/documents", files={"file": ("notes.txt", pdf)}, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["document"]["source"]["filename"] == "notes.txt.pdf"


def test_openapi_schema_lists_the_api(served: TestClient) -> None:
    schema = served.get("/openapi.json").json()
    for path in ("/documents", "/documents/{doc_id}", "/search", "/sparql",
                 "/obstacles/recurring", "/obstacles/matrix", "/places/{code}", "/health"):  # fmt: skip
        assert path in schema["paths"]
    assert served.get("/docs").status_code == 200
    assert json.loads(served.get("/openapi.json").text)["info"]["title"] == "Jejaring"


def test_policy_answers_follow_every_write(writable: TestClient) -> None:
    """The graph-wide answers are cached between writes; a write must show at once."""

    def funding_places() -> set[str]:
        found = writable.get("/obstacles/recurring", params={"min_places": 1}).json()
        funding = [o for o in found["obstacles"] if o["category"] == "funding"]
        return {p["code"] for o in funding for p in o["places"]}

    assert funding_places() == set()
    garut = writable.post("/documents", files={"file": ("g.txt", HEADER_RECORD)}, headers=AUTH)
    assert funding_places() == {"32.05"}
    writable.post("/documents", files={"file": ("m.md", ENGLISH_RECORD)}, headers=AUTH)
    assert funding_places() == {"32.05", "73.71"}
    assert writable.get("/places/32").json()["studies"]
    writable.delete(f"/documents/{garut.json()['document']['id']}", headers=AUTH)
    assert funding_places() == {"73.71"}
    assert writable.get("/places/32").json()["studies"] == []


def test_warming_builds_the_obstacle_summary_once_and_writes_refresh_it(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.summary import ObstacleSummary

    workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    rebuilt: list[int] = []
    real = ObstacleSummary.rebuild

    def counted(self: ObstacleSummary, store) -> None:
        rebuilt.append(1)
        real(self, store)

    monkeypatch.setattr(ObstacleSummary, "rebuild", counted)
    workspace.warm()
    assert len(rebuilt) == 1
    assert {r["code"] for r in workspace.obstacle_rows("regency")} == {"32.05"}
    workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md")
    assert {r["code"] for r in workspace.obstacle_rows("regency")} == {"32.05", "73.71"}
    assert len(rebuilt) == 1  # the write refreshed the two studies' facts; nothing rebuilt
