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
        except BaseException:
            self._playwright.stop()
            raise

    def pdf(self, page_html: str, patient_id: str) -> bytes:
        footer = (f'<div style="font-size:7px;width:100%;margin:0 12mm;display:flex;'
                  f'justify-content:space-between;font-family:sans-serif">'
                  f"<span>{_e(patient_id)} · netlib {_e(__version__)} · {_e(NOT_A_MEDICAL_DEVICE)}</span>"
                  f'<span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>')
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
        try:
            self._page.set_content(page_html, wait_until="load")
            data = self._page.pdf(format=PDF_FORMAT, print_background=True, margin=PDF_MARGINS,
                                  display_header_footer=True, header_template="<span></span>",
                                  footer_template=footer)
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
