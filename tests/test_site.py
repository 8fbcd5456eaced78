"""The built site works offline in a real browser (Debian Chromium through Playwright).

Serves _build/html with http.server on 127.0.0.1 (a free port) and, for every page of the
book: no request leaves the origin, nothing fails to load, the console shows no error, and a
full-page screenshot is saved under _build/screenshots/.  Calculator pages show their rendered
widget forms, the evidence page shows the forest plot, internal links and citations resolve,
MathJax renders, and the search page finds "everolimus".

Build the site first: ``python scripts/build_book.py`` (scripts/run-tests.sh does).
"""

from __future__ import annotations

import functools
import http.server
import re
import socketserver
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _toc_pages() -> list[str]:
    """Every page of the book, as a path under _build/html, from _toc.yml."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:-\s*file|root):\s*([\w./-]+)\s*$", text, re.MULTILINE)
    return [re.sub(r"\.(ipynb|md)$", "", name) + ".html" for name in names]


PAGES = _toc_pages()


def _forms_in(page: str) -> int:
    """How many forms the page's notebook displays (a CalculatorForm or PatientForm call per line)."""
    import json

    notebook = ROOT / page.replace(".html", ".ipynb")
    if not notebook.exists():
        return 0
    count = 0
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            count += len(re.findall(r"^(?:book\.)?(?:CalculatorForm|PatientForm)\(", source, re.MULTILINE))
    return count


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def origin():
    if not (HTML / "search.html").exists():
        pytest.fail("_build/html is not built: run python scripts/build_book.py first")
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(HTML)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page load with everything the page requested and logged."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failures.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: self.failures.append(f"{r.url} (HTTP {r.status})")
                     if r.status >= 400 else None)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, origin):
    opened = []

    def open_page(path: str) -> Visit:
        v = Visit(browser, f"{origin}/{path}")
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


# --- Every page ------------------------------------------------------------------------------

def test_the_toc_lists_the_chapters():
    assert len(PAGES) >= 10, PAGES


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(path, visit, origin):
    assert (HTML / path).exists(), f"{path} was not built"
    v = visit(path)
    v.page.wait_for_timeout(300)  # let deferred scripts (widgets, MathJax) run
    outside = [url for url in v.requests if not url.startswith(origin) and not url.startswith("data:")]
    assert not outside, f"{path} requested other hosts: {outside}"
    assert not v.failures, f"{path}: failed requests: {v.failures}"
    assert not v.errors, f"{path}: console errors: {v.errors}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / (path.replace("/", "__").replace(".html", ".png"))), full_page=True)


@pytest.mark.parametrize("path", [p for p in PAGES if _forms_in(p)])
def test_calculator_forms_render_as_widgets(path, visit):
    expected = _forms_in(path)
    v = visit(path)
    forms = v.page.locator(".netlib-form")
    forms.first.wait_for(state="visible", timeout=15_000)
    assert forms.count() == expected, f"{path}: {forms.count()} rendered forms, {expected} in the notebook"
    for index in range(expected):
        form = forms.nth(index)
        assert form.locator("input, select, button").count() >= 1, f"form {index} has no controls"
        result = form.locator(".netlib-result")
        assert result.count() == 1 and result.inner_text().strip(), f"form {index} shows no result"


def test_worked_example_is_shown_in_the_grading_form(visit):
    v = visit("notebooks/01-diagnosis-and-grading.html")
    first = v.page.locator(".netlib-form").first
    first.wait_for(state="visible", timeout=15_000)
    assert "NET G2" in first.locator(".netlib-headline").inner_text()


def test_forest_plot_is_present(visit):
    v = visit("notebooks/09-evidence.html")
    image = v.page.locator("#forest-plot img")
    assert image.count() == 1, "no image in the forest-plot figure"
    image.scroll_into_view_if_needed()
    width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
    assert width > 200, f"forest plot not loaded (natural width {width})"


def test_math_is_rendered_offline(visit):
    v = visit("notebooks/06-monitoring-response.html")
    v.page.locator("mjx-container").first.wait_for(state="attached", timeout=15_000)
    assert v.page.locator("mjx-container").count() >= 2


def test_search_finds_everolimus(visit):
    v = visit("search.html?q=everolimus")
    results = v.page.locator("#search-results li a")
    results.first.wait_for(state="attached", timeout=20_000)
    targets = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("05-progressive-disease" in (t or "") for t in targets), targets


# --- Links and citations (read from the built HTML) --------------------------------------------

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (href, class of the enclosing span or "")
        self.citation_ids: set[str] = set()
        self._span_classes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
            if attributes.get("role") == "doc-biblioentry":
                self.citation_ids.add(attributes["id"])
        if tag == "span":
            self._span_classes.append(attributes.get("class") or "")
        if tag == "a" and attributes.get("href"):
            self.links.append((attributes["href"], self._span_classes[-1] if self._span_classes else ""))

    def handle_endtag(self, tag):
        if tag == "span" and self._span_classes:
            self._span_classes.pop()


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("path", PAGES)
def test_internal_links_and_citations_resolve(path):
    page = HTML / path
    assert page.exists(), f"{path} was not built"
    broken, citations = [], 0
    for href, span_class in _parse(page).links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
            continue  # external hyperlinks (DOIs) are text links, never loaded by the page
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{href} (no file)")
            continue
        if parts.fragment and target.suffix == ".html" and parts.fragment not in _parse(target).ids:
            broken.append(f"{href} (no anchor)")
            continue
        if "bibtex-citation" in span_class:
            citations += 1
            if parts.fragment not in _parse(target).citation_ids:
                broken.append(f"{href} (citation does not point at a bibliography entry)")
    assert not broken, f"{path}: broken internal links: {broken}"
    if path.startswith("notebooks/") and path != "notebooks/00-start.html":
        assert citations > 0, f"{path} cites nothing"
