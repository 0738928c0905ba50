"""The web app in a real browser (Debian's Chromium driven by Playwright): search suggestions, the
entity page's graph and timeline, evidence highlighted on fact pages, linked mentions on document
pages, and the hostile article, with no console errors, no CSP violations and no dialog."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from armsgraph import Pipeline
from armsgraph.web.app import create_app
from tests.helpers import SAMPLES
from tests.test_web_api import IMG, INJECTION_DOC, SCRIPT, SQL, web_store

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/armsgraph-shots")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# every CSP violation is reported to this list, before any page script runs
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[str]:
    if not SAMPLES.is_dir():
        pytest.skip("samples/corpus not found")
    app = create_app(str(web_store(tmp_path_factory, pipeline, "web-browser")))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@dataclass
class Watched:
    """A page and everything that went wrong on it."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__csp || []"))

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.page_errors == [], self.page_errors
        assert self.console_errors == [], self.console_errors
        assert self.failed_requests == [], self.failed_requests
        assert self.csp_violations() == []


@pytest.fixture
def web(browser: Any, base_url: str) -> Iterator[Watched]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    page.set_default_timeout(5000)
    w = Watched(page)
    page.on("console", lambda m: w.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: w.failed_requests.append(r.url))

    def on_dialog(dialog: Any) -> None:
        w.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield w
    context.close()


def api(base_url: str, path: str, **params: Any) -> Any:
    url = f"{base_url}{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def entity_id(base_url: str, name: str) -> str:
    return str(next(e["id"] for e in api(base_url, "/api/search", q=name)["entities"] if e["name"] == name))


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# ------------------------------------------------------------------ tests
def test_home_search_box_suggests_entities(web: Watched) -> None:
    page = web.page
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Who builds")
    assert page.locator(".chips .chip").count() > 10
    box = page.locator("input[data-suggest]")
    box.press_sequentially("bayk", delay=40)
    first = page.locator(".suggestions .s-item").first
    first.wait_for(state="visible")
    assert "Baykar" in first.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    shot(page, "home")
    box.press("ArrowDown")
    with page.expect_navigation():
        box.press("Enter")
    assert page.locator("h1").inner_text() == "Baykar"
    web.assert_clean()


def test_entity_page_has_facts_graph_and_timeline(web: Watched, base_url: str) -> None:
    page = web.page
    page.goto(f"/entity/{entity_id(base_url, 'Poland')}")
    assert page.locator("h1").inner_text() == "Poland"
    assert page.locator(".fact").count() >= 3
    assert page.locator(".fact-group h3 .badge").count() >= 2  # grouped by type
    nodes = page.locator("#graph svg g.node")
    nodes.first.wait_for(state="attached")
    assert nodes.count() >= 4
    assert page.locator("#graph svg line.edge").count() >= 3
    assert "Hanwha Aerospace" in page.locator("#graph svg").inner_html()
    assert page.locator("svg.timeline-svg circle.dot").count() >= 3
    assert page.locator("svg.timeline-svg text.lane-label").count() >= 2

    # dragging a node moves it (and does not open it)
    node = nodes.nth(1)
    before = node.get_attribute("transform")
    box = node.locator("circle").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=6)
    page.mouse.up()
    assert node.get_attribute("transform") != before
    assert page.locator("h1").inner_text() == "Poland"
    page.mouse.move(5, 5)  # no hover highlight in the screenshot
    shot(page, "entity")

    # a click on a node opens that entity
    target = nodes.nth(2)
    name = target.locator("title").text_content() or ""
    with page.expect_navigation():
        target.locator("circle").click()
    assert page.locator("h1").inner_text() in name
    web.assert_clean()


def test_fact_page_highlights_each_evidence_sentence(web: Watched, base_url: str) -> None:
    page = web.page
    facts = api(base_url, "/api/facts", limit=500)["items"]
    chosen = max(facts, key=lambda f: (len({c["doc_id"] for c in f["citations"]}), len(f["citations"])))
    fact = api(base_url, f"/api/facts/{chosen['id']}")
    page.goto(f"/fact/{fact['id']}")
    assert page.locator(".article-text").count() == len({c["doc_id"] for c in fact["citations"]})
    for n, citation in enumerate(fact["citations"], 1):
        parts = page.locator(f'mark[data-cite="{n}"]')
        if parts.count() == 0:
            continue  # merged into an overlapping sentence's mark
        assert parts.first.is_visible()
        shown = "".join(parts.nth(i).text_content() or "" for i in range(parts.count()))
        assert shown.strip() == citation["text"].strip()
    assert page.locator("mark").count() >= 1
    assert page.locator(".grade").first.inner_text() == fact["credibility"]["code"]
    shot(page, "fact")
    web.assert_clean()


def test_document_page_links_mentions_to_entities(web: Watched) -> None:
    page = web.page
    page.goto("/document/pl-kr-k9")
    assert page.locator("h1").inner_text().startswith("Hanwha Aerospace signs deal")
    mentions = page.locator(".article-text a.mention")
    assert mentions.count() >= 10
    assert page.locator(".event-list li").count() >= 3
    link = page.locator(".article-text a.mention", has_text="Hanwha Aerospace").first
    with page.expect_navigation():
        link.click()
    assert page.locator("h1").inner_text() == "Hanwha Aerospace"
    web.assert_clean()


def test_hostile_article_shows_its_payload_as_text(web: Watched, base_url: str) -> None:
    page = web.page
    page.goto(f"/document/{INJECTION_DOC}")
    text = page.locator(".article-text").inner_text()
    assert SCRIPT in text and IMG in text and SQL in text
    assert page.locator("main script, main img, main iframe").count() == 0
    assert page.evaluate("document.scripts.length") == 1
    hit = next(h for h in api(base_url, "/api/search", q="alert")["evidence"] if h["doc_id"] == INJECTION_DOC)
    page.goto(f"/fact/{hit['fact_id']}")
    marks = [page.locator("mark").nth(i).inner_text() for i in range(page.locator("mark").count())]
    assert any(SCRIPT in m for m in marks)
    page.wait_for_timeout(200)  # time for anything that would fire
    shot(page, "injection")
    web.assert_clean()
