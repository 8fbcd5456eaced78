"""The built site works offline in a real browser (Debian Chromium through Playwright).

Serves _build/html with http.server on 127.0.0.1 (a free port; fixtures in conftest.py) and, for
every page of the book: no request leaves the origin, nothing fails to load, the console shows no
error, and a full-page screenshot is saved under _build/screenshots/.  Every calculator or patient
form of a notebook becomes a live-form placeholder on its page, with no inert saved widget left
(test_live.py checks that the live forms compute); the evidence page shows the forest plot,
internal links and citations resolve, formulas are typeset at build time (KaTeX: HTML and MathML, no
maths script), and the search page finds "everolimus".

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
    v.page.wait_for_timeout(300)  # let deferred scripts (the live forms' start) run
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


def test_formulas_are_typeset_at_build_time(visit):
    """Formulas arrive typeset (KaTeX at build time): visible HTML, MathML for assistive technology, no script."""
    html = (HTML / "notebooks/06-monitoring-response.html").read_text(encoding="utf-8")
    assert "\\frac" not in html.split("<annotation")[0], "TeX left for the browser to typeset"
    v = visit("notebooks/06-monitoring-response.html")
    formulas = v.page.locator(".bd-article .katex")
    assert formulas.count() >= 5
    assert v.page.locator(".bd-article div.math .katex-display").count() >= 2, "the display formulas"
    assert v.page.locator(".katex .katex-mathml math").count() == formulas.count(), "a formula without MathML"
    assert v.page.locator(".katex .katex-html[aria-hidden='true']").count() == formulas.count()
    box = formulas.first.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5
    assert v.page.evaluate("document.fonts.check('16px KaTeX_Main')"), "KaTeX's fonts did not load"
    assert not [url for url in v.requests if url.endswith(".js") and ("mathjax" in url.lower() or "katex" in url)]


def test_no_page_loads_a_maths_script():
    for path in PAGES:
        html = (HTML / path).read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*mathjax|window\.MathJax", html, re.IGNORECASE), f"{path} loads MathJax"
        assert ("katex.min.css" in html) == ('class="katex' in html), f"{path}: KaTeX's style sheet without formulas"
    assert not (HTML / "_static" / "offline" / "mathjax").exists(), "MathJax shipped"


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


# --- The reader's site: hub, charts, no code, print, weight, accessibility ---------------------------

PHONE = {"width": 390, "height": 844}
A4_WIDTH_PX = 794          # 210 mm at 96 px per inch
SITE_LIMIT_MB = 22.0       # issue 12: the whole site
FIRST_LOAD_LIMIT_KB = 1000  # issue 12: a chapter's (and the hub's) first load before Pyodide
AXE_JS = [ROOT / "node_modules" / "axe-core" / "axe.min.js"]


def _axe_script() -> Path:
    import os

    candidates = ([Path(os.environ["NETLIB_AXE_JS"])] if os.environ.get("NETLIB_AXE_JS") else []) + AXE_JS
    for path in candidates:
        if path.exists():
            return path
    pytest.fail("axe-core is not installed: run npm ci (package.json lists it)")


def axe_violations(page, minimum=("serious", "critical")) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2 A and AA)."""
    page.add_script_tag(path=str(_axe_script()))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found if v["impact"] in minimum]


def _registry_ids() -> list[str]:
    import netlib.calculators

    return netlib.calculators.list_ids()


def test_the_hub_is_in_the_navigation_of_every_page():
    """Two clicks from anywhere: the hub is in every page's navigation, the calculator one click further."""
    for path in PAGES + ["search.html"]:
        html = (HTML / path).read_text(encoding="utf-8")
        navigation = html[html.find('class="bd-sidebar-primary'):]
        assert re.search(r'href="(?:\.\./)*(?:book/)?calculators\.html"', navigation) or path == "book/calculators.html", path


@pytest.mark.parametrize("calculator_id", _registry_ids())
def test_every_calculator_is_reachable_from_the_hub(calculator_id, visit):
    v = visit("book/calculators.html")
    from netlib.calculators import get

    title = get(calculator_id).title
    heading = v.page.get_by_role("heading", name=title, exact=True)
    assert heading.count() == 1, f"the hub has no heading {title!r}"
    link = heading.locator("xpath=ancestor::section[1]").locator("a.netlib-hub-open")
    assert link.count() == 1, f"no link to the {calculator_id} calculator"
    link.click()
    v.page.wait_for_load_state("load")
    holder = v.page.locator(f'.netlib-live[data-calculator="{calculator_id}"]')
    assert holder.count() >= 1, f"{v.page.url} has no live {calculator_id} form"
    box = holder.first.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, f"{calculator_id}: the link does not land on the form ({box})"


@pytest.mark.parametrize("query, name", [("CRS", "crs_grade"), ("cytokine release syndrome", "crs_grade"),
                                         ("Krenning", "krenning_score"), ("creatinine clearance", "cockcroft_gault")])
def test_search_finds_a_calculator_by_its_clinical_name(query, name, visit):
    from netlib.calculators import get

    v = visit(f"search.html?q={query}")
    results = v.page.locator("#search-results li a")
    results.first.wait_for(state="attached", timeout=20_000)
    first = [results.nth(i).get_attribute("href") or "" for i in range(min(3, results.count()))]
    assert not any("references" in href for href in first[:1]), f"{query}: the bibliography ranks first: {first}"
    texts = " ".join(results.nth(i).inner_text() for i in range(min(5, results.count())))
    anchors = [results.nth(i).get_attribute("href") or "" for i in range(min(5, results.count()))]
    assert get(name).title in texts or any("calculators" in a for a in anchors), (query, first, texts)


def _research_pages() -> list[str]:
    """The pages of the toc's "For researchers" part, which show code on purpose (it is their subject)."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    part = text.split("caption: For researchers", 1)[1].split("- caption:", 1)[0]
    names = re.findall(r"-\s*file:\s*([\w./-]+)", part)
    return [re.sub(r"\.(ipynb|md)$", "", name) + ".html" for name in names]


def test_chapters_show_no_code():
    """Readers see results: no code cell source and no "Show code cell" bar on any chapter (the researchers'
    part excepted, and it is the last part of the book)."""
    research = _research_pages()
    assert research and "notebooks/11-python.html" in research and PAGES[-len(research):] == research
    for path in PAGES:
        if path in research:
            continue
        html = (HTML / path).read_text(encoding="utf-8")
        assert 'class="cell_input' not in html, f"{path} shows code"
        assert "Show code cell" not in html, f"{path} has a code toggle"


def test_the_algorithm_chapter_draws_a_readable_chart(visit):
    v = visit("notebooks/08-decision-algorithm.html")
    chart = v.page.locator(".netlib-chart").first
    assert chart.count() == 1 and v.page.locator("img[src$='.svg']").count() == 0, "the flowchart is an image"
    svg = chart.locator("svg")
    label = svg.locator(":scope > title").text_content()
    assert "decision algorithm" in label.lower() and ".svg" not in label
    boxes = svg.locator("g.node[data-rules]")
    assert boxes.count() >= 5
    tooltip = boxes.first.locator("title").text_content()
    assert len(tooltip) > 20 and not re.fullmatch(r"\w+_\d+", tooltip), tooltip
    # Every box links to its rule in the text version, and that entry exists.
    for i in range(boxes.count()):
        href = boxes.nth(i).locator("a").first.get_attribute("href")
        assert href and v.page.locator(href).count() == 1, href
    # Zoom: the chart is shown at a readable size and the buttons change it.
    width = svg.bounding_box()["width"]
    chart.get_by_role("button", name="Zoom in").click()
    assert svg.bounding_box()["width"] > width * 1.1
    chart.get_by_role("button", name="Fit to width").click()
    viewport = chart.locator(".netlib-chart-viewport").bounding_box()
    assert svg.bounding_box()["width"] <= viewport["width"] + 1


def test_one_chart_per_decision_table(visit):
    from netlib.pathway import RULES, TABLES

    v = visit("book/algorithm-charts.html")
    tables = [t for t in TABLES if any(r.table == t for r in RULES)]
    charts = v.page.locator(".netlib-chart")
    assert charts.count() == len(tables)
    for i in range(charts.count()):
        assert charts.nth(i).locator("g.node").count() >= 1
        assert charts.nth(i).locator(".netlib-chart-text li").count() >= 1
    # Sources in the text version link to bibliography entries (test_internal_links... checks the anchors).
    assert v.page.locator(".netlib-chart-text a[href*='references.html#cite-']").count() >= 1


@pytest.mark.parametrize("path", PAGES)
def test_print_keeps_every_table_inside_the_page(path, browser, origin):
    """Print media at A4 width: no table (or chart) runs past the right edge, no code is printed."""
    context = browser.new_context(viewport={"width": A4_WIDTH_PX, "height": 1123})
    try:
        page = context.new_page()
        page.goto(f"{origin}/{path}", wait_until="load")
        page.emulate_media(media="print")
        clipped = page.evaluate("""(limit) => Array.from(document.querySelectorAll('.bd-article table, .bd-article svg'))
            .filter(t => t.getClientRects().length)
            .map(t => ({right: t.getBoundingClientRect().right, scroll: t.scrollWidth, client: t.clientWidth,
                        text: (t.innerText || '').slice(0, 60)}))
            .filter(t => t.right > limit + 1 || (t.scroll > t.client + 2 && t.client > 0))""", A4_WIDTH_PX)
        assert not clipped, f"{path}: clipped in print: {clipped}"
        assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX + 1
        visible_code = page.locator(".cell_input:visible, .highlight-ipython3:visible").count()
        assert visible_code == 0, f"{path} prints code"
    finally:
        context.close()


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("notebooks/")])
def test_a_chapter_prints_in_a_reasonable_number_of_pages(path, browser, origin):
    """A4 PDF: at most 25 pages a chapter; the decision tables add about a page per six rules."""
    from netlib.pathway import RULES

    limit = 25 + (len(RULES) // 6 if "decision-algorithm" in path else 0)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{origin}/{path}", wait_until="load")
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", page.pdf(format="A4")))
        assert 0 < pages <= limit, f"{path} prints to {pages} pages (limit {limit})"
    finally:
        context.close()


def test_the_site_ships_only_what_pages_load():
    files = [p for p in HTML.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix == ".map"], "source maps in the site"
    assert not (HTML / "_static" / "scripts" / "fontawesome.js").exists()
    pages = [p.read_text(encoding="utf-8") for p in HTML.rglob("*.html")]
    if not any("embed-amd.js" in text for text in pages):
        assert not (HTML / "_static" / "offline" / "widgets").exists(), "unused ipywidgets renderer shipped"
        assert not (HTML / "_static" / "offline" / "require.js").exists(), "unused require.js shipped"
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb < SITE_LIMIT_MB, f"the site weighs {size_mb:.1f} MB"


@pytest.mark.parametrize("path", PAGES)
def test_every_script_and_style_a_page_names_exists(path):
    page = HTML / path
    text = page.read_text(encoding="utf-8")
    missing = []
    for url in re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"#?]+)', text):
        if "://" in url or url.startswith(("mailto:", "data:")) or not re.search(r"\.(js|css|svg|ico|woff2?)$", url):
            continue
        if not (page.parent / unquote(url)).resolve().exists():
            missing.append(url)
    assert not missing, f"{path} names files the site does not have: {missing}"


def _bytes_before_python(browser, origin, path, viewport) -> int:
    context = browser.new_context(viewport=viewport)
    sizes = []
    try:
        page = context.new_page()
        context.on("requestfinished", lambda r: sizes.append((r.url, r.sizes()["responseBodySize"])))
        page.goto(f"{origin}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    return sum(size for url, size in sizes if "/live/pyodide/" not in url and not url.endswith(".whl")
               and ".whl?" not in url)


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("notebooks/") and "08-decision" not in p]
                         + ["book/calculators.html"])
def test_first_load_before_python_is_under_a_megabyte(path, browser, origin):
    total = _bytes_before_python(browser, origin, path, {"width": 1280, "height": 900})
    assert total < FIRST_LOAD_LIMIT_KB * 1000, f"{path}: {total / 1000:.0f} KB before Pyodide"


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(path, visit):
    v = visit(path)
    violations = axe_violations(v.page)
    assert not violations, f"{path}: {violations}"


@pytest.mark.parametrize("path", ["notebooks/00-start.html", "book/calculators.html",
                                  "notebooks/08-decision-algorithm.html"])
def test_pages_fit_a_phone(path, browser, origin):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{origin}/{path}", wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{path} scrolls sideways on a phone ({width} px)"
    finally:
        context.close()


# --- What the reader reads: worked examples as tables, sources in plain words ----------------------

def _example_pages() -> list[str]:
    """Chapters whose notebook prints worked examples with ``example_text``."""
    return [p for p in PAGES if (ROOT / p.replace(".html", ".ipynb")).exists()
            and "example_text(" in (ROOT / p.replace(".html", ".ipynb")).read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", _example_pages())
def test_worked_examples_read_as_tables(path, visit):
    """No Python call or "-> result" text: each example is a table row of labelled inputs and the result."""
    v = visit(path)
    tables = v.page.locator("table.netlib-examples")
    assert tables.count() >= 1, f"{path}: no worked-example table"
    assert tables.first.locator("tbody tr").count() >= 1
    outputs = " ".join(v.page.locator(".cell_output pre").all_inner_texts())
    assert not re.search(r"^\w+\(\w+=", outputs, re.MULTILINE), f"{path}: a worked example printed as a call"
    assert "-> " not in outputs, f"{path}: a worked example printed as test output"
    inputs = tables.first.locator("td ul").first.inner_text()
    assert "_" not in inputs.split(":")[0], f"{path}: an input named by its field id: {inputs!r}"


def test_sources_not_yet_confirmed_read_for_a_clinician():
    """The bibliography and the chapters' reference lists keep no audit notes ("not verified", "re-check")."""
    marks = re.compile(r"not verified|unverified|re-check before publishing|verified against|checked against",
                       re.IGNORECASE)
    references = (HTML / "book/references.html").read_text(encoding="utf-8")
    assert "Source details not yet confirmed" in references
    for path in ["book/references.html"] + [p for p in PAGES if p.startswith("notebooks/")]:
        page = (HTML / path).read_text(encoding="utf-8")
        entries = re.findall(r'role="doc-biblioentry".*?</div>', page, re.DOTALL)
        sections = re.findall(r'<section[^>]*class="[^"]*netlib-references[^"]*".*?</section>', page, re.DOTALL)
        tooltips = re.findall(r'<a class="reference internal" href="[^"]*#cite-[^"]*" title="([^"]*)"', page)
        for text in entries + sections + tooltips:
            found = marks.search(text)
            assert not found, f"{path}: {text[max(0, found.start() - 80):found.end() + 40]!r}"
