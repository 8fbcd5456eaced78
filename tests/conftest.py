"""Fixtures shared by the test modules: ``no_kernel`` for the report tests; the browser fixtures for
test_site.py and test_live.py.

``origin`` serves _build/html with http.server on 127.0.0.1 (a free port); ``browser`` is Debian
Chromium driven by Playwright; ``visit`` opens a page in a fresh context and records every request,
failed request and console error.  Both are module-scoped: Playwright's sync API cannot run
inside another running instance, and netlib.report starts its own for PDFs (test_report.py).

Build the site first: ``python scripts/build_book.py`` (scripts/run-tests.sh does).
"""

from __future__ import annotations

import functools
import http.server
import socketserver
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
    """One page load with everything the page (and its workers) requested and logged."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        # Context-level network events also cover requests made by the page's Web Workers.
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("requestfailed", lambda r: self.failures.append(f"{r.url} ({r.failure})"))
        self.context.on("response", lambda r: self.failures.append(f"{r.url} (HTTP {r.status})")
                        if r.status >= 400 else None)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def outside(self, origin: str) -> list[str]:
        """Requests that left the site's origin (data: URLs never leave the page)."""
        return [url for url in self.requests if not url.startswith(origin) and not url.startswith("data:")]

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


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if a report kernel, a batch worker pool or a browser is started."""
    import concurrent.futures

    from netlib import report, report_batch

    def refuse(*_args, **_kwargs):
        raise AssertionError("a kernel, worker or browser was started")

    for module in (report, report_batch):  # the single report, and the batch's workers
        monkeypatch.setattr(module, "ReportEngine", refuse)
        monkeypatch.setattr(module, "PdfPrinter", refuse)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
