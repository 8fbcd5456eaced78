"""PDF: headless Chromium through Playwright, one browser and one reused page for many reports.

:class:`PdfPrinter` prints a report page (from :class:`netlib.report_engine.ReportEngine`) to A4 with
a footer naming the patient and the notice; the network is blocked and no script runs.  Playwright is
imported when a printer starts.
"""

from __future__ import annotations

import html
import os
import shutil

from . import NOT_A_MEDICAL_DEVICE, __version__
from .files import UsageError
from .report_engine import ReportError

_e = html.escape

# Headless Chromium for PDFs: the Debian package (Playwright cannot download its own browser here).
# NETLIB_CHROMIUM overrides the executable; otherwise the first of these found on PATH is used.
CHROMIUM_ENVIRONMENT_VARIABLE = "NETLIB_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
PDF_FORMAT = "A4"
PDF_MARGINS = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
# The footer (patient, netlib version, notice, page x/y) is drawn by CSS @page margin boxes, which Chromium
# ships from version 131 (blink-dev "Intent to Ship: @page margin boxes", September 2024; the version is
# from Chrome's release notes and not verified further).  Chromium's header/footer templates, the older
# way, cost about 50 ms of a 200 ms eight-page PDF on this machine; an older Chromium still gets them.
MARGIN_BOXES_FROM_CHROMIUM = 131
FOOTER_FONT = "font-size: 7px; font-family: sans-serif; color: #000;"


def chromium_executable() -> str:
    chosen = os.environ.get(CHROMIUM_ENVIRONMENT_VARIABLE)
    if chosen:
        return chosen
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(f"no Chromium found for the PDF (looked for {', '.join(CHROMIUM_NAMES)} on PATH); "
                      f"set {CHROMIUM_ENVIRONMENT_VARIABLE} to its path")


class PdfPrinter:
    """Prints HTML pages to PDF with one headless Chromium and one reused page; the network is blocked.

    Opening a page costs about as much as printing one, so the same page is loaded with each report
    (``set_content`` replaces the whole document); a page that fails is replaced by a new one.
    ``margin_boxes``: this Chromium draws the footer from CSS (see MARGIN_BOXES_FROM_CHROMIUM).
    """

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        executable = chromium_executable()
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            # Reports carry no scripts; printing runs none and fetches nothing.
            self._context = self._browser.new_context(offline=True, java_script_enabled=False)
            self._context.route(lambda url: not url.startswith(("data:", "about:")),
                                lambda route: route.abort())
            self._page = self._context.new_page()
            self.margin_boxes = _major_version(self._browser.version) >= MARGIN_BOXES_FROM_CHROMIUM
        except BaseException:
            self._playwright.stop()
            raise

    def pdf(self, page_html: str, patient_id: str) -> bytes:
        footer_text = f"{patient_id} · netlib {__version__} · {NOT_A_MEDICAL_DEVICE}"
        if self.margin_boxes:
            page_html = _with_style(page_html, f"@page {{ @bottom-left {{ content: {css_string(footer_text)}; "
                                               f"{FOOTER_FONT} }} @bottom-right {{ content: counter(page) "
                                               f'"/" counter(pages); {FOOTER_FONT} }} }}')
            options: dict = {}
        else:
            options = {"display_header_footer": True, "header_template": "<span></span>", "footer_template": (
                f'<div style="font-size:7px;width:100%;margin:0 12mm;display:flex;'
                f'justify-content:space-between;font-family:sans-serif"><span>{_e(footer_text)}</span>'
                f'<span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>')}
        # A report is one self-contained document: nothing to load after the DOM except data: images
        # (a PNG figure), and only then is the load event worth waiting for (about 30 ms).
        wait = "load" if "<img" in page_html.lower() else "domcontentloaded"
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
        try:
            self._page.set_content(page_html, wait_until=wait)
            data = self._page.pdf(format=PDF_FORMAT, print_background=True, margin=PDF_MARGINS, **options)
        except BaseException:
            try:
                self._page.close()
            except Exception:
                pass
            self._page = None
            raise
        if not data.startswith(b"%PDF"):
            raise ReportError("Chromium did not return a PDF")
        return data

    def close(self) -> None:
        """Best effort: after Ctrl-C the browser and Playwright's driver may already be gone."""
        for step in (self._browser.close, self._playwright.stop):
            try:
                step()
            except Exception:
                pass

    def __enter__(self) -> "PdfPrinter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def require_chromium() -> None:
    """--pdf without a browser is bad usage: say so before any work starts."""
    try:
        chromium_executable()
    except ReportError as error:
        raise UsageError(f"netlib report: --pdf: {error}") from None


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but ASCII letters and digits as a six-digit escape
    (no quote, backslash, ``<`` or line break of a patient id can end the string or the style element)."""
    return '"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in text) + '"'


def _with_style(page_html: str, css: str) -> str:
    """The page with one more style element, at the end of its head (after the report's own styles)."""
    style = f"<style>{css}</style>"
    at = page_html.lower().find("</head>")
    return page_html[:at] + style + page_html[at:] if at >= 0 else style + page_html


def _major_version(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0
