"""Round trips to a remote store stay constant per request, whatever the number of items.

A real `oxigraph serve` on loopback is the store; a spy on the store's own HTTP client counts
the requests it sends (it answers nothing, the server does). Each page is asked for a small
and a large case: a study with one place and one reference against one with nine places and
thirty references, a place with one study against a province with many, a search for one hit
against ten, a browse that matches one study against one that matches all. The counts must be
equal: one batched query for the items, not one per item.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.workspace import Workspace

RIAU = ["Kabupaten Kampar", "Kabupaten Siak", "Kabupaten Bengkalis", "Kota Pekanbaru",
        "Kota Dumai", "Kabupaten Pelalawan", "Kabupaten Rokan Hulu", "Kabupaten Indragiri Hilir"]  # fmt: skip
BIG_STUDIES = 6
REFERENCES = 30


def record(title: str, author: str, year: int, places: list[str], references: list[str]) -> str:
    lines = [
        f"Judul: {title}", f"Penulis: {author}", f"Tahun: {year}", "",
        "Abstrak. Penelitian ini menganalisis kemitraan pemerintah daerah dan P2TP2A dalam "
        f"perlindungan anak di {', '.join(places)}. Kendala utama adalah keterbatasan anggaran "
        "dan lemahnya koordinasi antar lembaga.", "",
        "Kata kunci: kemitraan, perlindungan anak", "",
    ]  # fmt: skip
    if references:
        lines += ["DAFTAR PUSTAKA", "", *references]
    return "\n".join(lines) + "\n"


def big_record(i: int) -> str:
    references = [
        f"Penulis{r}, A. ({2000 + r % 20}). Kebijakan perlindungan anak bagian {r}. "
        f"Jurnal Kebijakan, {r + 1}(2), 10-20."
        for r in range(REFERENCES - 1)
    ]
    # A reference to the small study, so that one reference resolves to a document.
    references.append(
        "Santoso, B. (2019). Perlindungan anak di Kabupaten Garut. Jurnal Anak, 3(1)."
    )
    return record(f"Kemitraan perlindungan anak nomor {i} di Provinsi Riau", f"Siti Aminah{i}",
                  2020, [*RIAU, "Provinsi Riau"], references)  # fmt: skip


SMALL = record(
    "Perlindungan anak di Kabupaten Garut", "Budi Santoso", 2019, ["Kabupaten Garut"],
    ["Ansell, C., & Gash, A. (2008). Collaborative governance in theory and practice. JPART."],
)  # fmt: skip


class Spy:
    """Counts the HTTP requests a remote store sends; the server answers them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: object) -> None:
        self.count += 1


@pytest.fixture
def remote(settings: Settings, embedder, oxigraph_server: str) -> Iterator[tuple[Workspace, Spy]]:
    with Workspace(settings.replace(store=oxigraph_server), embedder=embedder) as workspace:
        small = workspace.ingest_bytes(SMALL.encode(), "small.txt")
        assert small.status == "ingested", small.reason
        for i in range(BIG_STUDIES):
            outcome = workspace.ingest_bytes(big_record(i).encode(), f"big{i}.txt")
            assert outcome.status == "ingested", outcome.reason
        spy = Spy()
        workspace.store._client.event_hooks["request"].append(spy)  # type: ignore[attr-defined]
        yield workspace, spy


def trips(
    client: TestClient, spy: Spy, path: str, workspace: Workspace | None = None
) -> tuple[int, dict]:
    """Round trips of one request, from cold: the search service's per-study cache emptied."""
    if workspace is not None:
        workspace.searching._carried.clear()
    before = spy.count
    response = client.get(path)
    assert response.status_code == 200, response.text
    body = (
        response.json() if response.headers["content-type"].startswith("application/json") else {}
    )
    return spy.count - before, body


def test_round_trips_do_not_grow_with_items(remote: tuple[Workspace, Spy]) -> None:
    workspace, spy = remote
    app = create_app(workspace.settings, workspace)
    app.state.workspace = workspace  # no lifespan: no background thread sends requests meanwhile
    client = TestClient(app)
    _ = workspace.index  # opened (and repaired against the store) before counting

    ids = {d["title"]: d["id"] for d in client.get("/documents").json()["items"]}
    small_id = ids["Perlindungan anak di Kabupaten Garut"]
    big_id = ids["Kemitraan perlindungan anak nomor 0 di Provinsi Riau"]

    # A study's JSON: places and references in one query each.
    few, small = trips(client, spy, f"/documents/{small_id}")
    many, big = trips(client, spy, f"/documents/{big_id}")
    assert len(small["places"]) == 1 and len(small["references"]) == 1
    assert len(big["places"]) == len(RIAU) + 1 and len(big["references"]) == REFERENCES
    assert {p["province"] for p in big["places"]} == {"Riau"}
    assert [r["document"] for r in big["references"] if r["document"]] == [small_id]
    assert many == few, f"/documents/{{id}}: {few} round trips for 1 place, {many} for 9"

    # A place page: the concepts of all its studies in one query. The obstacle summary is
    # built first: a remote store's is then reused (JEJARING_REMOTE_SUMMARY_SECONDS), so both
    # pages read only what they list.
    workspace.summarised(lambda summary: None)
    few, garut = trips(client, spy, "/places/32.05")
    many, riau = trips(client, spy, "/places/14")
    assert len(garut["studies"]) == 1 and len(riau["studies"]) == BIG_STUDIES
    assert all(s["obstacles"] for s in riau["studies"])
    assert many == few, f"/places: {few} round trips for 1 study, {many} for {BIG_STUDIES}"

    # Search: the hits' studies and the concepts of their passages, batched.
    few, one = trips(client, spy, "/search?q=kemitraan%20perlindungan%20anak&k=1", workspace)
    many, ten = trips(client, spy, "/search?q=kemitraan%20perlindungan%20anak&k=10", workspace)
    assert len(one["hits"]) == 1 and len(ten["hits"]) == 1 + BIG_STUDIES
    assert len({h["document"] for h in ten["hits"]}) == 1 + BIG_STUDIES
    assert all(h["concepts"] for h in ten["hits"])
    assert many == few, f"/search: {few} round trips for 1 hit, {many} for {len(ten['hits'])}"
    few_s, _ = trips(client, spy, "/search?q=kemitraan&k=1&unit=study", workspace)
    many_s, studies = trips(client, spy, "/search?q=kemitraan&k=10&unit=study", workspace)
    assert len(studies["studies"]) == 1 + BIG_STUDIES
    assert many_s == few_s

    # Browsing: the list of documents and the search page's filtered list.
    few, page = trips(client, spy, "/documents?limit=1")
    many, full = trips(client, spy, "/documents?limit=50")
    assert len(page["items"]) == 1 and len(full["items"]) == 1 + BIG_STUDIES
    assert many == few
    few, _ = trips(client, spy, "/?place=32.05")
    many, _ = trips(client, spy, "/?place=14")
    assert many == few

    # The study page (the JSON, its links and its nearest studies).
    few, _ = trips(client, spy, f"/study/{small_id}")
    many, _ = trips(client, spy, f"/study/{big_id}")
    assert many == few
    assert many <= 12


def test_many_rows_in_one_query_answer_as_each_row_alone() -> None:
    """with_values: the rows' terms in place of the variables, a UNION for many rows; a
    hostile literal stays a literal; a subquery's variable is bound by VALUES instead."""
    import pyoxigraph as ox

    from kg.sparql_text import with_values

    ex = "http://example.org/"
    store = ox.Store()
    names = ["a", "b", 'say "} UNION { ?s ?p ?o }', "d"]
    for i, name in enumerate(names):
        store.add(ox.Quad(ox.NamedNode(f"{ex}{i}"), ox.NamedNode(ex + "name"), ox.Literal(name)))
    query = f"SELECT ?s ?name WHERE {{ ?s <{ex}name> ?name }}"
    rows = [(ox.Literal(n),) for n in names[1:3]]
    found = {
        (r["s"].value, r["name"].value) for r in store.query(with_values(query, ["name"], rows))
    }  # type: ignore[union-attr]
    assert found == {(f"{ex}1", "b"), (f"{ex}2", names[2])}
    nested = f"SELECT ?s ?name WHERE {{ {{ SELECT ?s ?name WHERE {{ ?s <{ex}name> ?name }} }} }}"
    text = with_values(nested, ["name"], rows)
    assert "VALUES" in text
    assert {r["s"].value for r in store.query(text)} == {f"{ex}1", f"{ex}2"}  # type: ignore[union-attr]
