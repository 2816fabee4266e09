from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(Path(__file__).parent))  # tests/pdfs.py


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion of the packaged model per test session, also for CLI runs and servers.
    JEJARING_TEST_MODEL_CACHE names a folder to keep it in between sessions instead (while
    working on other parts: the conversions take minutes); each model there is still checked
    against its recorded source and recipe, and rebuilt if either changed."""
    kept = os.environ.get("JEJARING_TEST_MODEL_CACHE")
    cache = Path(kept) if kept else tmp_path_factory.mktemp("models")
    os.environ["JEJARING_MODEL_CACHE"] = str(cache)
    return cache


@pytest.fixture(scope="session")
def embedder(model_cache: Path):
    from search.embedding import load_embedder

    return load_embedder(cache_dir=model_cache)


@pytest.fixture
def settings(tmp_path: Path):
    from api.settings import Settings

    return Settings(data=tmp_path / "data")


@pytest.fixture
def workspace(settings, embedder):
    from api.workspace import Workspace

    with Workspace(settings, embedder=embedder) as workspace:
        yield workspace


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A data directory holding the demo corpus and two records (garut.txt, makassar.md),
    ingested once per session; tests that start from it get a copy (`copy_demo`), instead of
    each ingesting and embedding the same files again."""
    from records import ENGLISH_RECORD, HEADER_RECORD

    from api.settings import Settings
    from api.workspace import Workspace

    data = tmp_path_factory.mktemp("demo") / "data"
    with Workspace(Settings(data=data), embedder=embedder) as workspace:
        summary = workspace.ingest_paths(sorted(CORPUS.glob("*.pdf")))
        assert summary.count("ingested") == 2, [o.reason for o in summary.failed]
        for name, text in (("garut.txt", HEADER_RECORD), ("makassar.md", ENGLISH_RECORD)):
            assert workspace.ingest_bytes(text.encode(), name).status == "ingested"
    return data


def copy_demo(demo_data: Path, data: Path) -> Path:
    """A copy of the demo data directory at `data`, to open a workspace on and change."""
    import shutil

    shutil.copytree(demo_data, data)
    return data


@pytest.fixture
def demo_workspace(settings, embedder, demo_data: Path):
    """`workspace`, over a copy of the demo data."""
    from api.workspace import Workspace

    copy_demo(demo_data, settings.data)
    with Workspace(settings, embedder=embedder) as workspace:
        yield workspace


@pytest.fixture(scope="session")
def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("*.pdf"))


@pytest.fixture(scope="session")
def lexicon():
    from kg.vocabulary import load_lexicon

    return load_lexicon()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30.0, *, ready: bool = False) -> None:
    """Until `url` answers; with `ready`, until it answers 200 (a server's /health says
    "starting" with a 503 while it loads its model, which takes a minute on a busy machine)."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = httpx.get(url, timeout=1.0)
            if not ready or answer.status_code == 200:
                return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} was not ready in {seconds} s")
        time.sleep(0.1)


@pytest.fixture
def store_write_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document write fails half-way through its quads, as a full disk would."""
    import kg.model

    real = kg.model.document_quads

    def breaks_half_way(doc):
        quads = real(doc)
        yield from quads[: len(quads) // 2]
        raise OSError("disk full (simulated)")

    monkeypatch.setattr("kg.ingestion.document_quads", breaks_half_way)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`jejaring ARGS` run in this process by typer's CliRunner, answered as a subprocess run
    would be: the real command, without a new interpreter importing everything and loading
    the model again for each call (load_embedder keeps one per process)."""
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


class ServedProcess:
    """A `jejaring serve` subprocess on loopback; `output` is filled in when it has stopped."""

    def __init__(self, base: str, env: dict[str, str]) -> None:
        self.base = base
        self.env = env
        self.output = ""
        self.returncode: int | None = None


@contextmanager
def jejaring_serve(data: Path, token: str, model_cache: Path) -> Iterator[ServedProcess]:
    port = free_port()
    env = {**os.environ, "JEJARING_API_TOKEN": token, "JEJARING_MODEL_CACHE": str(model_cache)}
    command = [sys.executable, "-m", "api.cli", "serve", "--data", str(data), "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    served = ServedProcess(f"http://127.0.0.1:{port}", env)
    try:
        wait_for(f"{served.base}/health", seconds=240, ready=True)
        yield served
    finally:
        process.terminate()
        served.output, _ = process.communicate(timeout=30)
        served.returncode = process.returncode
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it: -15 is a clean stop.
    assert served.returncode in (0, -15), served.output
    assert "Traceback" not in served.output, served.output


@pytest.fixture
def oxigraph_server(tmp_path: Path):
    """A real `oxigraph serve` on loopback: the remote SPARQL 1.1 store."""
    import shutil

    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    assert binary, "the oxigraph server comes with the dev dependencies"
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path / "remote"), "--union-default-graph",
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}/query"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(params=["embedded", "remote"])
def store_location(request: pytest.FixtureRequest) -> str:
    """Each store test runs on the embedded store and on a real Oxigraph server."""
    if request.param == "remote":
        return request.getfixturevalue("oxigraph_server")
    return "embedded"


# Debian's chromium, driven by Playwright for the browser tests (never Playwright's own download);
# without the background-networking flags it keeps dialling out through a closed network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
