"""The built site works offline in a real browser (Debian Chromium through Playwright).

Serves _build/html with http.server on 127.0.0.1 (a free port; fixtures in conftest.py) and, for
every page of the book: no request leaves the origin, nothing fails to load, the console shows no
error, and a full-page screenshot is saved under _build/screenshots/.  Every calculator or patient
form of a notebook becomes a live-form placeholder on its page, with no inert saved widget left
(test_live.py checks that the live forms compute); the evidence page shows the forest plot,
internal links and citations resolve, MathJax renders, and the search page finds "everolimus".

Build the site first: ``python scripts/build_book.py`` (scripts/run-tests.sh does).
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"

pytestmark = pytest.mark.browser


def _toc_pages() -> list[str]:
    """Every page of the book, as a path under _build/html, from _toc.yml."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"^\s*(?:-\s*file|root):\s*([\w./-]+)\s*$", text, re.MULTILINE)
    return [re.sub(r"\.(ipynb|md)$", "", name) + ".html" for name in names]


PAGES = _toc_pages()


def _forms_in(page: str) -> list[str]:
    """The forms the page's notebook displays, in order: a calculator id per ``CalculatorForm("id", ...)``
    and "patient" per ``PatientForm(...)`` (one call per line)."""
    import json

    notebook = ROOT / page.replace(".html", ".ipynb")
    if not notebook.exists():
        return []
    forms = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            calls = re.finditer(r'^(?:book\.)?(?:CalculatorForm\(\s*"(\w+)"|(PatientForm)\()', source, re.MULTILINE)
            forms += [match.group(1) or "patient" for match in calls]
    return forms


# --- Every page ------------------------------------------------------------------------------

def test_the_toc_lists_the_chapters():
    assert len(PAGES) >= 10, PAGES


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(path, visit, origin):
    assert (HTML / path).exists(), f"{path} was not built"
    v = visit(path)
    v.page.wait_for_timeout(300)  # let deferred scripts (MathJax, the live forms' start) run
    outside = v.outside(origin)
    assert not outside, f"{path} requested other hosts: {outside}"
    assert not v.failures, f"{path}: failed requests: {v.failures}"
    assert not v.errors, f"{path}: console errors: {v.errors}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / (path.replace("/", "__").replace(".html", ".png"))), full_page=True)


@pytest.mark.parametrize("path", [p for p in PAGES if _forms_in(p)])
def test_every_form_becomes_a_live_form_and_no_inert_widget_remains(path, visit):
    """The site shows the live form's placeholder, never the saved widget (it cannot compute)."""
    expected = _forms_in(path)
    v = visit(path)
    holders = v.page.locator(".netlib-live")
    found = [holders.nth(i).get_attribute("data-calculator") or
             ("patient" if holders.nth(i).get_attribute("data-pathway") else "?") for i in range(holders.count())]
    assert found == expected, f"{path}: live forms {found}, the notebook displays {expected}"
    assert v.page.locator(".netlib-form, .jupyter-widgets, .widget-box").count() == 0, f"{path}: a saved widget"
    html = (HTML / path).read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert "embed-amd.js" not in html, f"{path} still loads the widget renderer"
    assert "live/netlib-live.js" in html, f"{path} does not load the live forms"


def test_pages_without_forms_do_not_load_the_live_forms():
    for path in PAGES:
        if not _forms_in(path):
            assert "netlib-live" not in (HTML / path).read_text(encoding="utf-8"), path


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
