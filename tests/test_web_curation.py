"""Curating on the study page in a real browser (Playwright driving Debian's chromium, as
tests/test_web.py does) against a real `jejaring serve`: the token is entered once, a
mention is rejected, one is confirmed, one is added, and the page and the JSON show it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import jejaring_serve
from records import ENGLISH_RECORD, HEADER_RECORD
from test_web import Watched

TOKEN = "web-curation-token"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[str]:
    data = tmp_path_factory.mktemp("web-curation") / "data"
    with jejaring_serve(data, TOKEN, model_cache) as served:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for name, content in (("garut.txt", HEADER_RECORD), ("makassar.md", ENGLISH_RECORD)):
            answer = httpx.post(f"{served.base}/documents", files={"file": (name, content)},
                                headers=auth, timeout=120)  # fmt: skip
            assert answer.status_code == 201, answer.text
        yield served.base


def _garut(base: str) -> str:
    items = httpx.get(f"{base}/documents").json()["items"]
    return next(i["id"] for i in items if "Garut" in str(i.get("title")))


def test_the_study_page_curates_with_the_token_entered_once(browser: Any, served: str) -> None:
    web = Watched(browser, served)
    page = web.page
    garut = _garut(served)
    web.goto(f"/study/{garut}")
    obstacles = page.locator("section.mentions", has=page.locator("#obstacles"))
    funding = obstacles.locator("li", has=page.locator("[data-concept='funding']"))
    assert funding.count() == 1

    # No token yet: the page says so and nothing is written.
    funding.get_by_role("button", name="Reject").click()
    page.locator("#curate-status").filter(has_text="Give the access token").wait_for()
    page.get_by_label("Access token").fill("not-the-token")
    page.get_by_label("Note (why)").fill("a recommendation, not a finding")
    funding.get_by_role("button", name="Reject").click()
    page.locator("#curate-status").filter(has_text="not accepted").wait_for()

    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_label("Access token").dispatch_event("change")
    with page.expect_navigation():
        funding.get_by_role("button", name="Reject").click()
    assert obstacles.locator("[data-concept='funding']").count() == 0
    # The token was entered once: after the reload it is still there, for this tab only.
    assert page.get_by_label("Access token").input_value() == TOKEN

    workers = obstacles.locator("li", has=page.locator("[data-concept='human_resources']"))
    with page.expect_navigation():
        workers.get_by_role("button", name="Confirm").click()
    assert workers.locator(".tag.confirmed").inner_text() == "confirmed"

    page.get_by_label("Kind").select_option("stakeholder")
    page.get_by_label("Concept id").fill("dinas_sosial")
    page.get_by_label("Quote (optional evidence)").fill("kurangnya tenaga pendamping")
    with page.expect_navigation():
        page.get_by_role("button", name="Add", exact=True).click()
    stakeholders = page.locator("section.mentions", has=page.locator("#stakeholders"))
    added = stakeholders.locator("li", has=page.locator(".tag.curated"))
    assert added.count() == 1
    assert "kurangnya tenaga pendamping" in added.inner_text()
    web.shot("study-curated")

    document = httpx.get(f"{served}/documents/{garut}").json()
    assert "funding" not in {o["category"] for o in document["obstacles"]}
    corrections = page.locator("#curation-list li")
    corrections.first.wait_for()
    assert corrections.count() == 3
    assert "a recommendation, not a finding" in corrections.last.inner_text()
    curations = httpx.get(f"{served}/documents/{garut}/curations").json()["curations"]
    assert [(c["action"], c["concept_id"], c["by"]) for c in curations] == [
        ("add", "dinas_sosial", "operator"),
        ("confirm", "human_resources", "operator"),
        ("reject", "funding", "operator"),
    ]
    assert curations[-1]["note"] == "a recommendation, not a finding"
    matrix = httpx.get(f"{served}/obstacles/matrix").json()
    assert ("funding", "32.05") not in {(c["category"], c["place"]) for c in matrix["cells"]}

    # Undo the rejection from the page: the obstacle is back, here and in the heat map.
    with page.expect_navigation():
        page.get_by_role("button", name="Undo: reject obstacle").click()
    assert obstacles.locator("[data-concept='funding']").count() == 1
    page.locator("#curation-list li").first.wait_for()
    assert page.locator("#curation-list li").count() == 2
    matrix = httpx.get(f"{served}/obstacles/matrix").json()
    assert ("funding", "32.05") in {(c["category"], c["place"]) for c in matrix["cells"]}
    web.check_clean()
    web.close()
