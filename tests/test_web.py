"""The web pages in a real browser: Playwright driving Debian's chromium (`make browser`
installs it; Playwright's own browser download is never used) against a real `jejaring serve`
on loopback, over the demo corpus, two records and one whose title holds `<script>`.

Covered: search with a filter and a concept chip, a study with its evidence, the heat map
(sorting, a cell opened by mouse and by keyboard, the province level), a place, the SPARQL
page, an upload with the token (a wrong token first), escaping, no request leaving the
server, and a phone-width screen. Screenshots of each page are saved to
bench/out/screenshots/, and the time to first render (first-contentful-paint) of the search
page and the heat map is printed and written to bench/out/web_render.json.

Measuring at scale: `JEJARING_WEB_BENCH_DATA=DIR` serves a pre-built data directory instead
(for 1,000 documents, the one `bench/api_bench.py --docs 1000` builds under
bench/out/api-1000); then only the render-time test runs, since the others need the small
corpus and write to it:

    JEJARING_WEB_BENCH_DATA=bench/out/api-1000 .venv/bin/python -m pytest -q -s \
        tests/test_web.py -k render
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import jejaring_serve
from records import ENGLISH_RECORD, HEADER_RECORD

TOKEN = "web-token"
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "bench" / "out" / "screenshots"
BENCH_DATA = os.environ.get("JEJARING_WEB_BENCH_DATA")
SCRIPT_TITLE = "Perlindungan Anak <script>alert(1)</script> di Kota Batam"
SCRIPT_RECORD = f"""Judul: {SCRIPT_TITLE}
Penulis: Dewi Lestari
Tahun: 2022
Jenis: artikel

Abstrak. Penelitian ini membahas kemitraan UPTD PPA dan DP3A dalam perlindungan anak di Kota
Batam, Kepulauan Riau. Hasil penelitian menunjukkan bahwa kendala utama adalah keterbatasan
anggaran dan lemahnya koordinasi antar lembaga <b onmouseover="alert(2)">pelaksana</b>.

Kata kunci: perlindungan anak, kemitraan
"""
UPLOAD_RECORD = """Judul: Sinergi P2TP2A dan Dinas Sosial dalam Perlindungan Anak di Kota Palu
Penulis: Andi Mappanyukki
Tahun: 2024
Jenis: artikel

Abstrak. Penelitian ini menganalisis sinergi P2TP2A dan Dinas Sosial Kota Palu, Sulawesi
Tengah, dalam penanganan kekerasan terhadap anak dengan teori collaborative governance dari
Ansell dan Gash (2007). Hasil penelitian menunjukkan bahwa kendala utama adalah keterbatasan
anggaran, kurangnya koordinasi antar lembaga dan rendahnya kesadaran masyarakat untuk melapor.

Kata kunci: sinergi, perlindungan anak, P2TP2A
"""

small_corpus = pytest.mark.skipif(
    bool(BENCH_DATA), reason="JEJARING_WEB_BENCH_DATA: only the render times are measured"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[str]:
    """A real server; unless JEJARING_WEB_BENCH_DATA is given, over a new data directory that
    the corpus and the records are uploaded into through POST /documents."""
    data = Path(BENCH_DATA).resolve() if BENCH_DATA else tmp_path_factory.mktemp("web") / "data"
    with jejaring_serve(data, TOKEN, model_cache) as served:
        if not BENCH_DATA:
            files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "corpus").glob("*.pdf"))]
            files += [("garut.txt", HEADER_RECORD.encode()), ("makassar.md", ENGLISH_RECORD.encode()),
                      ("batam.txt", SCRIPT_RECORD.encode())]  # fmt: skip
            auth = {"Authorization": f"Bearer {TOKEN}"}
            for name, content in files:
                answer = httpx.post(
                    f"{served.base}/documents", files={"file": (name, content)}, headers=auth,
                    timeout=120,
                )  # fmt: skip
                assert answer.status_code == 201, answer.text
        yield served.base


class Watched:
    """A page with what it did that a test must not see: a dialog (a script that ran from
    document text), a script or console error, or a request to anywhere but the server."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 900) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)  # a blocked or missing resource, for one
        self.page.on("request", self._request)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        # The refused upload answers 401 by design; the browser notes it on the console.
        if message.type == "error" and "401" not in message.text:
            self.errors.append(message.text)

    def _request(self, request: Any) -> None:
        if not request.url.startswith((self.base, "data:", "blob:", "about:")):
            self.outside.append(request.url)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, path
        return response

    def shot(self, name: str, full_page: bool = True) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        prefix = "bench-" if BENCH_DATA else ""
        self.page.screenshot(path=str(SHOTS / f"{prefix}{name}.png"), full_page=full_page)

    def check_clean(self) -> None:
        assert not self.dialogs, f"a script from document text ran: {self.dialogs}"
        assert not self.errors, f"script errors: {self.errors}"
        assert not self.outside, f"requests beyond the server: {self.outside}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def web(browser: Any, server: str) -> Iterator[Watched]:
    watched = Watched(browser, server)
    yield watched
    watched.check_clean()
    watched.close()


def _doc_titled(server: str, word: str) -> str:
    items = httpx.get(f"{server}/documents", params={"limit": 500}).json()["items"]
    return next(i["id"] for i in items if word.lower() in str(i.get("title", "")).lower())


@small_corpus
def test_search_with_a_filter_then_a_concept_chip(web: Watched) -> None:
    page = web.page
    web.goto("/")
    page.get_by_label("Search studies and passages, in Indonesian or English").fill(
        "keterbatasan anggaran"
    )
    page.get_by_label("Obstacle", exact=True).select_option("funding")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_selector(".hit")
    assert "obstacle=funding" in page.url and "place=" not in page.url  # empty filters left out
    assert page.locator(".hit mark").count() > 0
    assert page.locator(".active-filters .chip-active").count() == 1
    assert page.get_by_label("Obstacle", exact=True).input_value() == "funding"
    web.shot("search")

    chip = page.locator(".hit .chips a.chip-stakeholder").first
    stakeholder = (chip.get_attribute("href") or "").rpartition("stakeholder=")[2]
    chip.click()
    page.wait_for_load_state()
    assert f"stakeholder={stakeholder}" in page.url and "obstacle=funding" in page.url
    assert page.locator(".active-filters .chip-active").count() == 2
    assert page.get_by_label("Stakeholder", exact=True).input_value() == stakeholder
    assert page.locator(".hit").count() >= 1
    web.shot("search-chip")


@small_corpus
def test_a_study_page_shows_its_evidence_links_and_graph(web: Watched, server: str) -> None:
    page = web.page
    web.goto("/?q=P2TP2A+Desa+Benan")
    page.locator(".hit h3 a", has_text="Benan").first.click()
    page.wait_for_selector("h1#study-title")
    assert "Benan" in page.locator("h1").inner_text()
    for section in ("stakeholders", "theories", "obstacles", "places"):
        assert page.locator(f"section[aria-labelledby='{section}'] .quote").count() > 0, section
    assert "p.\u00a0" in page.locator("section[aria-labelledby='obstacles']").inner_text()
    assert page.locator("#links .chip").count() > 0  # shares concepts with the other studies
    assert page.locator("section[aria-labelledby='references'] li").count() > 5
    assert page.locator("section[aria-labelledby='similar'] li").count() >= 1
    web.shot("study")
    turtle = page.request.get(server + page.locator("a", has_text="Graph as Turtle").get_attribute("href"))  # fmt: skip
    assert turtle.ok and turtle.headers["content-type"].startswith("text/turtle")
    assert "dct:title" in turtle.text() or "terms/title" in turtle.text()
    jsonld = page.request.get(server + page.locator("a", has_text="JSON-LD").get_attribute("href"))
    assert jsonld.ok and jsonld.json()

    page.locator("section[aria-labelledby='places'] a.label").first.click()
    page.wait_for_selector("section[aria-labelledby='place-obstacles']")
    assert page.locator(".place-studies li h3 a", has_text="Benan").count() == 1
    assert page.locator("section[aria-labelledby='place-obstacles'] .bars li").count() > 0
    web.shot("place")


@small_corpus
def test_document_text_is_escaped_everywhere(web: Watched, server: str) -> None:
    page = web.page
    doc_id = _doc_titled(server, "Batam")
    web.goto(f"/study/{doc_id}")
    assert page.locator("h1").inner_text() == SCRIPT_TITLE  # shown as text, not run
    assert page.locator("main script, main b").count() == 0
    assert "onmouseover" in page.locator(".abstract").inner_text()
    web.goto("/?place=21.71")  # browsing by Kota Batam lists it by its title
    assert SCRIPT_TITLE in page.locator("ul.studies").inner_text()
    web.goto("/?q=keterbatasan+anggaran+Batam")
    assert page.locator(".hit h3", has_text="<script>").count() >= 1
    web.goto("/query?q=" + "SELECT ?t WHERE { ?d dct:title ?t FILTER(CONTAINS(?t, 'script')) }")
    assert page.locator("table.results td", has_text=SCRIPT_TITLE).count() == 1
    raw = httpx.get(f"{server}/study/{doc_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw and "<script>alert" not in raw


@small_corpus
def test_heat_map_sorts_opens_cells_and_switches_level(web: Watched) -> None:
    page = web.page
    web.goto("/obstacles")
    table = page.locator("table#heatmap")
    assert table.is_visible()
    bars = page.locator("ol.bars li")
    assert bars.count() >= 3
    assert "Limited budget" in bars.first.inner_text()  # funding: reported in the most places
    web.shot("obstacles")

    page.get_by_role("button", name="Limited budget or funding: sort by it").click()
    first = [int(v or 0) for v in page.locator("tbody tr td:nth-child(2)").evaluate_all(
        "cells => cells.map(c => c.dataset.v)")]  # fmt: skip
    assert first == sorted(first, reverse=True) and first[0] >= 1
    assert page.locator("thead th[aria-sort='descending']").count() == 1

    page.locator("a.cell").first.click()
    panel = page.locator("#cell-panel")
    panel.locator(".cell-studies li").first.wait_for()
    assert panel.locator(".quote").count() >= 1 and panel.locator("a[href^='/study/']").count() >= 1
    web.shot("obstacles-cell")
    page.keyboard.press("Escape")
    assert panel.is_hidden()

    cell = page.locator("a.cell").nth(1)  # keyboard only: focus a cell, press Enter
    cell.focus()
    page.keyboard.press("Enter")
    panel.locator(".cell-studies li").first.wait_for()
    assert panel.evaluate("p => document.activeElement === p")

    page.get_by_role("link", name="Province", exact=True).click()
    page.wait_for_url("**/obstacles?level=province")
    assert page.locator("thead th").first.inner_text().startswith("Province")
    names = page.locator("tbody th").all_inner_texts()
    assert "Kepulauan Riau" in names and "Kabupaten Lingga" not in names
    web.shot("obstacles-province")


@small_corpus
def test_sparql_page_runs_an_example_and_reports_errors(web: Watched) -> None:
    page = web.page
    web.goto("/query")
    page.get_by_label("Example (a named query)").select_option("recurring_obstacles")
    assert (
        "SELECT" in page.get_by_label("Query", exact=True).input_value()
    )  # the script put it in the box
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_selector("table.results")
    assert page.locator("table.results tbody tr").count() >= 3
    web.shot("sparql")
    page.get_by_label("Query", exact=True).fill("SELECT ?x WHERE { ?x")
    page.get_by_role("button", name="Run", exact=True).click()
    error = page.locator("#query-error")
    assert error.is_visible() and "Traceback" not in error.inner_text()


@small_corpus
def test_upload_with_the_token_lands_on_the_new_study(web: Watched, tmp_path: Path) -> None:
    page = web.page
    web.goto("/add")
    record = tmp_path / "palu.txt"
    record.write_text(UPLOAD_RECORD, encoding="utf-8")
    page.get_by_label("File (PDF, .txt or .md").set_input_files(str(record))
    page.get_by_label("Access token").fill("not-the-token")
    page.get_by_role("button", name="Add the study").click()
    status = page.locator("#upload-status")
    status.filter(has_text="not accepted").wait_for()
    web.shot("add-refused")

    # Note each state of the progress bar; sessionStorage outlives the page change.
    page.evaluate("""() => {
      const bar = document.getElementById('upload-progress');
      new MutationObserver(() => {
        const seen = JSON.parse(sessionStorage.getItem('progress') || '[]');
        seen.push(bar.hidden ? 'hidden' : bar.hasAttribute('value') ? 'determinate' : 'indeterminate');
        sessionStorage.setItem('progress', JSON.stringify(seen));
      }).observe(bar, {attributes: true});
    }""")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Add the study").click()
    page.wait_for_url("**/study/*?added=new", timeout=60_000)
    seen = json.loads(page.evaluate("() => sessionStorage.getItem('progress') || '[]'"))
    assert "indeterminate" in seen, seen  # shown while the server ingested the study
    assert "Kota Palu" in page.locator("h1").inner_text()
    assert page.locator("#added-notice").is_visible()
    links = page.locator("#links")
    assert links.locator("a.chip-obstacle", has_text="Limited budget").count() == 1
    assert links.locator("a.chip-stakeholder").count() >= 1
    web.shot("added-study")


@small_corpus
def test_phone_width_has_no_sideways_scroll(browser: Any, server: str) -> None:
    phone = Watched(browser, server, width=390, height=844)
    try:
        for path, name in [("/?q=koordinasi&obstacle=coordination", "phone-search"),
                           ("/obstacles", "phone-obstacles"),
                           (f"/study/{_doc_titled(server, 'Benan')}", "phone-study")]:  # fmt: skip
            phone.goto(path)
            width = phone.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 392, (path, width)
            phone.shot(name, full_page=False)
        phone.check_clean()
    finally:
        phone.close()


PAINT_TIMING = """() => new Promise(resolve => {
  const nav = performance.getEntriesByType('navigation')[0];
  const answer = fcp => resolve({first_contentful_paint_ms: fcp ? fcp.startTime : -1,
                                 response_end_ms: nav.responseEnd, html_bytes: nav.transferSize});
  // The paint entry can come after the load event: wait for it (buffered).
  new PerformanceObserver(list => {
    const fcp = list.getEntries().find(e => e.name === 'first-contentful-paint');
    if (fcp) answer(fcp);
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => answer(null), 10000);
})"""


def test_first_render_times(browser: Any, server: str, capsys: pytest.CaptureFixture[str]) -> None:
    """First-contentful-paint of the search page (empty and with a query) and the heat map,
    each in a fresh browser context: on the first visit (graph-wide answers computed) and on
    a second one (kept by the server until the next write)."""
    pages = {"search": "/", "search with a query": "/?q=keterbatasan+anggaran+koordinasi",
             "heat map": "/obstacles"}  # fmt: skip
    documents = httpx.get(f"{server}/health", timeout=30).json()["store"]["documents"]
    timings: dict[str, dict[str, float]] = {}
    for visit in ("first", "second"):
        for label, path in pages.items():
            web = Watched(browser, server)
            try:
                web.goto(path)
                timings[f"{label}, {visit} visit"] = web.page.evaluate(PAINT_TIMING)
                if visit == "first":
                    web.shot(f"render-{label.replace(' ', '-')}", full_page=False)
                web.check_clean()
            finally:
                web.close()
    assert all(t["first_contentful_paint_ms"] > 0 for t in timings.values()), timings
    out = ROOT / "bench" / "out" / "web_render.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"documents": documents, "pages": timings}, indent=2) + "\n")
    lines = [f"time to first render, {documents} documents:"] + [
        f"  {label:<34} first paint {t['first_contentful_paint_ms']:6.0f} ms"
        f"   (HTML done {t['response_end_ms']:6.0f} ms, {t['html_bytes'] / 1024:4.0f} KiB)"
        for label, t in timings.items()
    ]
    with capsys.disabled():  # on the terminal even when pytest captures output
        print("\n" + "\n".join(lines))


@small_corpus
def test_pages_answer_bad_input_with_a_page(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        for path in ["/study/not-an-id", "/study/0123456789abcdef", "/place/99",
                     "/place/x'y", "/obstacles/cell?category=funding", "/study/0123abcd/graph.xml"]:  # fmt: skip
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert answer.headers["content-type"].startswith("text/html"), path
        odd = client.get("/", params={"q": "anggaran", "year_from": "soon", "obstacle": "a b"})
        assert odd.status_code == 200 and "ignored the year from filter" in odd.text
        assert "ignored the obstacle filter" in odd.text and 'class="hit"' in odd.text
        too_long = client.get("/", params={"q": "kata " * 300})
        assert too_long.status_code == 200 and "too long" in too_long.text
        slow = client.get(
            "/query", params={"q": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}
        )
        assert slow.status_code == 200 and 'id="query-error"' in slow.text
        assert "Traceback" not in slow.text
        # The JSON API keeps its paths beside the pages.
        assert client.get("/obstacles/recurring").json()["obstacles"]
        assert client.get("/obstacles/matrix").json()["cells"]
        css = client.get("/static/app.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


@small_corpus
def test_search_page_shows_studies_with_why_and_more_like_this(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:
        studies = client.get("/", params={"q": "budget of the P2TP2A in Desa Benan"}).text
        assert "studies for" in studies or "study for" in studies
        assert 'data-unit="study"' in studies and 'class="why"' in studies
        assert "More like this" in studies and "#similar" in studies
        assert "?q=budget+of+the+P2TP2A+in+Desa+Benan&amp;unit=passage" in studies
        passages = client.get("/", params={"q": "budget of the P2TP2A", "unit": "passage"}).text
        assert "passages for" in passages and 'data-unit="study"' not in passages
        api = client.get("/search", params={"q": "anggaran", "unit": "study", "k": 3}).json()
        assert api["unit"] == "study" and api["studies"][0]["passages"]
        assert client.get("/search", params={"q": "anggaran", "unit": "book"}).status_code == 422
