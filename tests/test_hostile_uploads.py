"""Attacks on `jejaring serve` from a stranger's uploads, each reproduced in-process (TestClient
over a real store, index and model) and shown to fail harmlessly: a 4xx that says why, with
nothing written and the service answering others all along."""

from __future__ import annotations

import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pdfs import nested_array_pdf, one_page_pdf, slow_pdf, text_pdf, wordy_pdf
from records import ENGLISH_RECORD, HEADER_RECORD, long_record
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.settings import Settings
from api.workspace import Workspace
from ingest.pipeline import read_timed_isolated
from search.embedding import Embedder
from search.index import SearchIndex

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MB = 1024 * 1024


@pytest.fixture
def limited(settings: Settings) -> Settings:
    """Small limits, so that each can be passed in a test without sending much."""
    return settings.replace(
        api_token=TOKEN, max_upload_mb=2, max_update_mb=1, max_query_kb=4, max_text_mb=1,
        parse_timeout_s=2.0,
    )  # fmt: skip


@pytest.fixture
def served(limited: Settings, embedder: Embedder) -> Iterator[tuple[TestClient, Workspace]]:
    with (
        Workspace(limited, embedder=embedder) as workspace,
        TestClient(create_app(limited, workspace)) as client,
    ):
        _ = workspace.index  # wait for the start-up thread that opens it
        yield client, workspace


@pytest.fixture
def client(served: tuple[TestClient, Workspace]) -> TestClient:
    return served[0]


def _state(client: TestClient) -> tuple[int, int, int]:
    """(documents in the store, quads in the store, documents in the index)."""
    health = client.get("/health").json()
    count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert count.status_code == 200, count.text
    quads = int(count.json()["results"]["bindings"][0]["n"]["value"])
    return health["store"]["documents"], quads, health["index"]["documents"]


def _upload(client: TestClient, name: str, content: bytes | str, **params: str):
    return client.post("/documents", files={"file": (name, content)}, headers=AUTH, params=params)


class CountedBody:
    """A request body that counts how much of it the server pulled."""

    def __init__(self, chunks: int, chunk: bytes = b"x" * MB) -> None:
        self.chunks, self.chunk, self.pulled = chunks, chunk, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield self.chunk


# --- A. limits before work --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/sparql", "application/sparql-update"),
        ("POST", "/documents", "multipart/form-data; boundary=x"),
        ("PUT", "/documents/0123456789abcdef", "multipart/form-data; boundary=x"),
        ("POST", "/documents/0123456789abcdef/anything-later", "application/json"),
    ],
)
def test_a_write_without_the_token_is_refused_before_its_body_is_read(
    served: tuple[TestClient, Workspace], limited: Settings,
    method: str, path: str, content_type: str,
) -> None:  # fmt: skip
    client, workspace = served
    # 300 MB announced (and 200 MB more than any limit): not one byte of it may be pulled.
    body = CountedBody(300)
    headers = {"Content-Type": content_type, "Content-Length": str(300 * MB)}
    refused = client.request(method, path, content=iter(body), headers=headers)
    assert refused.status_code == 401 and "Bearer" in refused.json()["detail"]
    assert body.pulled == 0
    wrong = client.request(
        method, path, content=iter(body), headers={**headers, "Authorization": "Bearer guess"}
    )
    assert wrong.status_code == 401 and body.pulled == 0
    read_only = limited.replace(api_token=None)
    with TestClient(create_app(read_only, workspace)) as other:
        refused = other.request(method, path, content=iter(body), headers={**headers, **AUTH})
        assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert body.pulled == 0


@pytest.mark.parametrize(
    ("path", "content_type", "size", "named"),
    [
        ("/sparql", "application/sparql-query", 5 * 1024, "4 KB (JEJARING_MAX_QUERY_KB)"),
        ("/sparql", "application/sparql-update", 2 * MB, "1 MB (JEJARING_MAX_UPDATE_MB)"),
        ("/sparql", "application/x-www-form-urlencoded", 2 * MB, "1 MB (JEJARING_MAX_UPDATE_MB)"),
        ("/documents", "multipart/form-data; boundary=x", 3 * MB, "2 MB (JEJARING_MAX_UPLOAD_MB)"),
    ],
)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_every_body_has_a_size_limit(
    client: TestClient, path: str, content_type: str, size: int, named: str, declared: bool
) -> None:
    before = _state(client)
    headers = {**AUTH, "Content-Type": content_type}
    if declared:  # refused from the header alone
        headers["Content-Length"] = str(size)
        body = CountedBody(1, b"x" * size)
        response = client.post(path, content=iter(body), headers=headers)
        assert body.pulled == 0
    else:  # no length given: counted while it streams
        response = client.post(path, content=iter(CountedBody(size // 1024, b"x" * 1024)),
                               headers=headers)  # fmt: skip
    assert response.status_code == 413, response.text
    assert named in response.json()["detail"]
    assert _state(client) == before


def test_a_body_no_route_reads_is_bounded_and_never_read(client: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    body = CountedBody(1)
    declared = client.post("/search", content=iter(body),
                           headers={**headers, "Content-Length": str(MB)})  # fmt: skip
    assert declared.status_code == 413 and "64 KB" in declared.json()["detail"]
    chunked = client.post("/search", content=iter(body), headers=headers)
    assert chunked.status_code == 405 and body.pulled == 0


def test_an_endless_body_is_cut_off_at_the_limit(
    served: tuple[TestClient, Workspace], limited: Settings
) -> None:
    """Raw ASGI, a message at a time as a server hands them over: the app stops pulling a
    chunked SPARQL update at its 1 MB limit, and answers 413."""
    client, _ = served
    pulled = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal pulled
        pulled += 1
        assert pulled < 100, "the body was read on past its limit"
        return {"type": "http.request", "body": b"x" * (256 * 1024), "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/sparql", "raw_path": b"/sparql", "query_string": b"",
        "root_path": "", "client": ("test", 1), "server": ("test", 80),
        "headers": [(b"content-type", b"application/sparql-update"),
                    (b"authorization", AUTH["Authorization"].encode())],
    }  # fmt: skip
    assert client.portal is not None
    client.portal.call(client.app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert pulled == limited.max_update_mb * 4 + 1  # four 256 KB messages make the limit


# --- B. a file is bounded by the text it may yield and the time it may take ---------------


def test_a_pdf_that_parses_for_minutes_is_stopped_at_the_time_limit(
    served: tuple[TestClient, Workspace],
) -> None:
    client, workspace = served
    _upload(client, "garut.txt", HEADER_RECORD)
    before = _state(client)
    hostile = slow_pdf(4)  # 11 KB; pypdf alone takes about 12 s on it
    assert len(hostile) < 16 * 1024
    answer: dict = {}

    def upload() -> None:
        started = time.monotonic()
        answer["response"] = _upload(client, "slow.pdf", hostile)
        answer["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=upload)
    thread.start()
    latencies = []
    while thread.is_alive():  # the parse is in another process: searches go on meanwhile
        started = time.monotonic()
        assert client.get("/search", params={"q": "anggaran Garut"}).status_code == 200
        latencies.append(time.monotonic() - started)
        time.sleep(0.1)
    thread.join()
    response = answer["response"]
    assert response.status_code == 422
    assert "longer than the limit of 2 s" in response.json()["detail"]
    assert answer["seconds"] < 8
    assert latencies and max(latencies) < 3.0
    assert workspace.parser.replaced == 1  # the worker was killed, and is replaced
    assert _state(client) == before
    good = text_pdf(["Kendala utama di Kabupaten Lingga adalah kurangnya anggaran desa. " * 5])
    assert _upload(client, "good.pdf", good).status_code == 201


def test_a_parse_worker_outlives_the_thread_that_started_it(workspace: Workspace) -> None:
    """Request threads come and go: a worker started by one and serving another must not die
    with the first (PR_SET_PDEATHSIG is per thread, and made such a call a "corrupt PDF")."""
    pool = workspace.parser
    parsing = threading.Event()
    starter = threading.Thread(target=lambda: (pool.start(), parsing.wait(30)))
    starter.start()
    answer: dict = {}

    def parse() -> None:
        pdf = slow_pdf(0.6)
        read = read_timed_isolated(pool, pdf, "s.pdf", workspace.lexicon, timeout=60)
        answer["doc"] = read.document

    parser = threading.Thread(target=parse)
    parser.start()
    time.sleep(0.5)  # the call is under way in the worker the starter started
    parsing.set()
    starter.join()
    parser.join()
    assert len(answer["doc"].text) > 100_000 and pool.replaced == 0


def test_a_file_that_yields_too_much_text_is_refused(client: TestClient) -> None:
    before = _state(client)
    pdf = wordy_pdf(2)  # 6 KB of PDF, 2 MB of text
    refused = _upload(client, "wordy.pdf", pdf)
    assert refused.status_code == 413
    assert "more than the limit of 1 MB" in refused.json()["detail"]
    record = ("Judul: Panjang\n\n" + "kata " * (300 * 1024)).encode()  # 1.5 MB of text
    refused = _upload(client, "long.txt", record)
    assert refused.status_code == 413 and "limit of 1 MB" in refused.json()["detail"]
    assert _state(client) == before


def test_a_pdf_nested_50000_deep_is_a_corrupt_pdf(client: TestClient) -> None:
    before = _state(client)
    refused = _upload(client, "deep.pdf", nested_array_pdf(50_000))
    assert refused.status_code == 422
    assert "corrupt PDF" in refused.json()["detail"]
    assert "nested too deeply" in refused.json()["detail"]
    assert _state(client) == before


@pytest.fixture
def roomy_client(settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    """The default time limit for reading a file: this test is about embedding, and on a busy
    machine reading a 150-passage record can take longer than the 2 s of `limited`."""
    with (
        Workspace(settings.replace(api_token=TOKEN), embedder=embedder) as workspace,
        TestClient(create_app(workspace.settings, workspace)) as client,
    ):
        _ = workspace.index
        yield client


def test_embedding_a_large_upload_does_not_hold_up_searches(roomy_client: TestClient) -> None:
    """The model is given up between small batches of passages, and a waiting query goes
    first: before, a search waited for the whole upload's embedding (9.9 s at 300 passages)."""
    client = roomy_client
    _upload(client, "garut.txt", HEADER_RECORD)
    client.get("/search", params={"q": "anggaran"})  # the lexical index is built once
    answer: dict = {}

    def upload() -> None:
        started = time.monotonic()
        answer["response"] = _upload(client, "long.txt", long_record(150))
        answer["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=upload)
    thread.start()
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        client.get("/search", params={"q": f"koordinasi lembaga {len(latencies)}"})
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    thread.join()
    assert answer["response"].status_code == 201, answer["response"].text
    assert answer["response"].json()["document"]["id"]
    # A few searches ran beside the upload, each far shorter than it (they used to wait for
    # nearly all of it).
    assert len(latencies) >= 3, (latencies, answer["seconds"])
    assert max(latencies) < max(2.0, answer["seconds"] / 3), (latencies, answer["seconds"])


# --- C. identity is content, not the name -------------------------------------------------


def test_a_new_study_under_the_name_of_another_is_added(client: TestClient) -> None:
    first = _upload(client, "abstrak.txt", HEADER_RECORD)
    second = _upload(client, "abstrak.txt", ENGLISH_RECORD)
    assert first.status_code == second.status_code == 201
    assert second.json()["status"] == "ingested" and second.json()["replaced"] == []
    first_id = first.json()["document"]["id"]
    assert client.get(f"/documents/{first_id}").status_code == 200
    assert _state(client)[0] == 2


def test_replacing_a_study_is_explicit(client: TestClient) -> None:
    old = _upload(client, "garut.txt", HEADER_RECORD).json()["document"]["id"]
    newer = HEADER_RECORD.replace("2021", "2022")
    unknown = "0123456789abcdef"

    assert _upload(client, "x.txt", newer, replace=unknown).status_code == 404
    put = client.put(f"/documents/{unknown}", files={"file": ("x.txt", newer)}, headers=AUTH)
    assert put.status_code == 404 and unknown in put.json()["detail"]
    no_token = client.post("/documents", params={"replace": old}, files={"file": ("x", newer)})
    assert no_token.status_code == 401
    assert _state(client)[0] == 1

    replaced = _upload(client, "anything.txt", newer, replace=old)
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["status"] == "replaced" and replaced.json()["replaced"] == [old]
    assert client.get(f"/documents/{old}").status_code == 404
    mid = replaced.json()["document"]["id"]
    assert replaced.json()["document"]["year"] == 2022

    latest = HEADER_RECORD.replace("2021", "2023")
    put = client.put(f"/documents/{mid}", files={"file": ("garut.txt", latest)}, headers=AUTH)
    assert put.status_code == 201 and put.json()["replaced"] == [mid]
    new_id = put.json()["document"]["id"]
    same = client.put(f"/documents/{new_id}", files={"file": ("g.txt", latest)}, headers=AUTH)
    assert same.status_code == 200 and same.json()["status"] == "unchanged"
    hits = client.get("/search", params={"q": "UPTD PPA Garut"}).json()["hits"]
    assert {h["document"] for h in hits} == {new_id}
    documents, _, indexed = _state(client)
    assert documents == indexed == 1


def test_the_cli_replaces_a_changed_file_only_when_asked(tmp_path: Path) -> None:
    record = tmp_path / "garut.md"
    data = str(tmp_path / "data")
    runner = CliRunner()
    record.write_text(HEADER_RECORD, encoding="utf-8")
    assert "ingested 1," in runner.invoke(cli, ["ingest", str(record), "--data", data]).output
    record.write_text(HEADER_RECORD.replace("2021", "2022"), encoding="utf-8")
    added = runner.invoke(cli, ["ingest", str(record), "--data", data])
    assert "ingested 1, replaced 0" in added.output
    record.write_text(HEADER_RECORD.replace("2021", "2023"), encoding="utf-8")
    replaced = runner.invoke(cli, ["ingest", str(record), "--replace-changed", "--data", data])
    assert replaced.exit_code == 0 and "ingested 0, replaced 1" in replaced.output
    shown = runner.invoke(cli, ["show", "--all", "--json", "--data", data])
    assert len(shown.output.strip().splitlines()) == 1 and '"year": 2023' in shown.output


# --- D. every bad file is a 4xx with its reason -------------------------------------------


def test_a_utf16_record_with_an_odd_byte_count_is_refused(client: TestClient) -> None:
    before = _state(client)
    cut = HEADER_RECORD.encode("utf-16") + b"x"
    refused = _upload(client, "garut.txt", cut)
    assert refused.status_code == 422 and "UTF-16" in refused.json()["detail"]
    assert _state(client) == before


def test_control_characters_are_cleaned_from_all_text(client: TestClient) -> None:
    noisy = HEADER_RECORD.replace("Kolaborasi", "Kolaborasi\x01").replace(
        "Kata kunci", "\x1bKata kunci"
    )
    record = noisy + ("\n\nLampiran." + " catatan" * 600 + "\x00\x07\x0b akhir.\n")
    assert len(record.encode()) > 4096 and record.index("\x00") > 4096
    assert _upload(client, "noisy.txt", record).status_code == 201
    pdf = one_page_pdf(
        b"BT /F1 12 Tf 72 700 Td (Kendala\\000 utama\\001 adalah anggaran\\033 yang terbatas "
        b"bagi lembaga perlindungan anak di Kabupaten Lingga.) Tj ET"
    )
    assert _upload(client, "noisy.pdf", pdf).status_code == 201
    everything = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o)) }"
    xml = client.get("/sparql", params={"query": everything},
                     headers={"Accept": "application/sparql-results+xml"})  # fmt: skip
    assert xml.status_code == 200
    literals = [
        e.text or "" for e in ET.fromstring(xml.content).iter() if e.tag.endswith("literal")
    ]
    assert any("Kendala utama adalah anggaran" in t for t in literals)
    assert any("akhir." in t for t in literals)
    assert not [t for t in literals if any(ord(c) < 32 and c not in "\n\t" for c in t)]


def test_a_title_only_record_leaves_the_service_healthy(
    served: tuple[TestClient, Workspace],
) -> None:
    client, workspace = served
    response = _upload(client, "judul.txt", "Judul: Kemitraan DP3A dan desa di Kabupaten Bogor\n")
    assert response.status_code == 201, response.text
    _upload(client, "garut.txt", HEADER_RECORD)
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["store"]["documents"] == health["index"]["documents"] == 2
    # The index records that the document has no passages: nothing is missing at the next
    # repair, and it stays in step.
    assert response.json()["document"]["id"] in workspace.index.document_ids()
    assert workspace.resync() == (0, 0)
    assert client.get("/health").json()["status"] == "ok"


# --- E. ingest repairs a lagging index ----------------------------------------------------


def test_ingest_repairs_an_index_that_lags_the_store(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "garut.txt").write_text(HEADER_RECORD, encoding="utf-8")
    (folder / "makassar.md").write_text(ENGLISH_RECORD, encoding="utf-8")
    settings = Settings(data=tmp_path / "data")
    runner = CliRunner()
    args = ["ingest", str(folder), "--data", str(settings.data)]
    assert runner.invoke(cli, args).exit_code == 0

    def indexed() -> set[str]:  # read without Workspace, whose opening would repair it
        index = SearchIndex(settings.index_path, embedder)
        try:
            return index.document_ids()
        finally:
            index.close()

    everything = indexed()
    assert len(everything) == 2
    # A crash between the store write and the index write: the index lost one document.
    index = SearchIndex(settings.index_path, embedder)
    index.remove_document(sorted(everything)[0])
    index.close()
    assert len(indexed()) == 1
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "unchanged 2" in again.output
    assert indexed() == everything
    # The whole index gone.
    shutil.rmtree(settings.index_path)
    assert runner.invoke(cli, args).exit_code == 0
    assert indexed() == everything


def test_show_all_on_an_empty_store_prints_nothing(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    for extra in ([], ["--json"]):
        shown = CliRunner().invoke(cli, ["show", "--all", *extra, "--data", data])
        assert shown.exit_code == 0 and shown.output == ""
    assert CliRunner().invoke(cli, ["show", "--data", data]).exit_code == 2
