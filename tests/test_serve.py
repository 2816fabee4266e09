"""`jejaring serve` as a real server process on loopback, driven over HTTP."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import jejaring_serve
from records import ENGLISH_RECORD, HEADER_RECORD

TOKEN = "served-token"


@pytest.fixture
def server(tmp_path: Path, model_cache: Path) -> Iterator[str]:
    with jejaring_serve(tmp_path / "data", TOKEN, model_cache) as served:
        yield served.base
    assert f"on {served.base}/ , with writes" in served.output
    # The lifespan closed the store: another process can open it and finds what was written.
    listed = subprocess.run(
        [sys.executable, "-m", "api.cli", "show", "--all", "--data", str(tmp_path / "data")],
        env=served.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Child protection partnership in Makassar City" in listed.stdout
    assert "Garut" not in listed.stdout


def test_a_real_server_links_searches_and_answers_sparql(server: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server, timeout=60) as client:
        assert client.get("/health").json()["writable"] is True
        first = client.post(
            "/documents", files={"file": ("garut.txt", HEADER_RECORD)}, headers=auth
        )
        assert first.status_code == 201, first.text
        second = client.post("/documents", files={"file": ("mks.md", ENGLISH_RECORD)}, headers=auth)
        assert second.status_code == 201, second.text
        garut = first.json()["document"]["id"]
        assert second.json()["nearest"][0]["id"] == garut

        hits = client.get("/search", params={"q": "budget shortage", "k": 3}).json()["hits"]
        assert hits and {h["document"] for h in hits} <= {garut, second.json()["document"]["id"]}

        construct = "CONSTRUCT { ?d dct:title ?t } WHERE { ?d jj:contentHash ?h ; dct:title ?t }"
        turtle = client.get(
            "/sparql", params={"query": construct}, headers={"Accept": "text/turtle"}
        )
        graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
        titles = {str(t) for t in graph.objects(None, rdflib.DCTERMS.title)}
        assert "Child protection partnership in Makassar City" in titles and len(titles) == 2

        assert client.delete(f"/documents/{garut}").status_code == 401
        assert client.delete(f"/documents/{garut}", headers=auth).status_code == 204
        assert client.get("/health").json()["store"]["documents"] == 1
