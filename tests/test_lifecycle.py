"""Background work and shutdown: close() waits for it, start-up repair does not hold requests.

`make test` once crashed one run in two: a test's workspace closed while the warming thread
was still searching its index. These run that race many times over.
"""

from __future__ import annotations

import shutil
import threading

from fastapi.testclient import TestClient
from records import ENGLISH_RECORD, HEADER_RECORD

from api.app import create_app
from api.settings import Settings
from api.workspace import Workspace
from search.embedding import Embedder


def test_close_waits_for_warming_in_flight(settings: Settings, embedder: Embedder) -> None:
    with Workspace(settings, embedder=embedder) as workspace:
        workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
    for _ in range(15):
        workspace = Workspace(settings, embedder=embedder)
        workspace.warm_in_background()
        workspace.close()  # a segfault here before: the thread searched a closed index
        assert not [t for t in threading.enumerate() if t.name in ("warm", "open")]


def test_no_background_work_starts_after_close(settings: Settings, embedder: Embedder) -> None:
    workspace = Workspace(settings, embedder=embedder)
    workspace.close()
    workspace.warm_in_background()
    workspace.open_in_background()
    assert not [t for t in threading.enumerate() if t.name in ("warm", "open")]


def test_the_server_answers_while_the_index_is_repaired(
    settings: Settings, embedder: Embedder
) -> None:
    with Workspace(settings, embedder=embedder) as workspace:
        workspace.ingest_bytes(HEADER_RECORD.encode(), "garut.txt")
        workspace.ingest_bytes(ENGLISH_RECORD.encode(), "makassar.md")
    shutil.rmtree(settings.index_path)  # the index lags the store, as after a crash
    with Workspace(settings, embedder=embedder) as workspace:
        # Hold the repair back for as long as the test needs, as a slow one would.
        workspace._index_lock.acquire()
        released = False
        try:
            with TestClient(create_app(settings, workspace)) as client:
                health = client.get("/health")
                assert health.status_code == 503 and health.json()["status"] == "starting"
                assert client.get("/documents").json()["total"] == 2
                assert client.get("/obstacles/recurring").status_code == 200
                workspace._index_lock.release()
                released = True
                search = client.get("/search", params={"q": "kolaborasi"})  # waits for it
                assert search.status_code == 200 and search.json()["hits"]
                health = client.get("/health").json()
                assert health["status"] == "ok" and health["index"]["documents"] == 2
        finally:
            if not released:
                workspace._index_lock.release()
