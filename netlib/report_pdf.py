"""PDF: headless Chromium on a DevTools pipe (:mod:`netlib.cdp`), one browser and one reused page for many reports.

:class:`PdfPrinter` prints a report page (from :class:`netlib.report_engine.ReportEngine`) to A4 with
a footer naming the patient and the notice; no script runs and nothing is fetched (every request but a
``data:`` one fails, and the page is offline).  Standard library only.
"""

from __future__ import annotations

import base64
import html
import os
import shutil
import sys

from . import NOT_A_MEDICAL_DEVICE, __version__
from .files import UsageError
from .report_engine import ReportError

_e = html.escape

# Headless Chromium for PDFs: the Debian package (nothing downloads a browser here).
# NETLIB_CHROMIUM overrides the executable; otherwise the first of these found on PATH is used.
CHROMIUM_ENVIRONMENT_VARIABLE = "NETLIB_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
# Headless on the DevTools pipe with no window at start, and the switches Playwright used to add
# (playwright-core's chromiumSwitches, version 1.65): no extensions (Debian's launcher loads some), no crash
# reporter, colours in sRGB, no throttling of a page nobody looks at, none of the start-up requests to
# Google's services.
HEADLESS_PIPE_ARGS = (
    "--headless", "--remote-debugging-pipe", "--no-startup-window", "--disable-extensions", "--disable-breakpad",
    "--disable-dev-shm-usage", "--force-color-profile=srgb", "--hide-scrollbars", "--mute-audio",
    "--disable-field-trial-config", "--no-default-browser-check", "--disable-default-apps",
    "--disable-component-extensions-with-background-pages", "--metrics-recording-only", "--password-store=basic",
    "--no-service-autorun", "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--disable-features=OptimizationHints,NetworkTimeServiceQuerying,PreconnectToSearch,AimEnabled,MediaRouter,"
    "LensOverlay")
PDF_FORMAT = "A4"
PAPER_SIZES_MM = {"A4": (210, 297)}  # ISO 216
MM_PER_INCH = 25.4
PDF_MARGINS = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
# The footer (patient, netlib version, notice, page x/y) is drawn by CSS @page margin boxes, which Chromium
# ships from version 131 (blink-dev "Intent to Ship: @page margin boxes", September 2024; the version is
# from Chrome's release notes and not verified further).  Chromium's header/footer templates, the older
# way, cost about 50 ms of a 200 ms eight-page PDF on this machine; an older Chromium still gets them.
MARGIN_BOXES_FROM_CHROMIUM = 131
FOOTER_FONT = "font-size: 7px; font-family: sans-serif; color: #000;"
# The only requests a report may make: its own data: images.  Anything else is failed before it leaves.
LOCAL_URL_SCHEMES = ("data:", "about:")
# A closing page gets this long; then it is left to the browser (which a failed print may have broken).
PAGE_CLOSE_TIMEOUT_SECONDS = 2.0


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
    """Prints HTML pages to PDF with one headless Chromium and one reused page; nothing is fetched.

    Opening a page costs about as much as printing one, so the same page is loaded with each report
    (``Page.setDocumentContent`` replaces the whole document); a page whose print fails is replaced by a
    new one, and a browser that timed out or exited by a new browser, at the next report.
    ``margin_boxes``: this Chromium draws the footer from CSS (see MARGIN_BOXES_FROM_CHROMIUM).
    On Linux, Chromium is killed when the thread that started the printer exits: start it in the thread
    that keeps it (netlib starts printers in a process's main thread).
    """

    def __init__(self) -> None:
        if sys.platform == "win32":
            raise ReportError("PDF printing needs a POSIX system (Chromium's debugging pipe is descriptors 3 and 4)")
        self._executable = chromium_executable()
        self._closed = False
        self._page: tuple[str, str, str] | None = None  # target, session, frame
        self._browser = self._start_browser()
        try:
            self.margin_boxes = _major_version(self._browser.version) >= MARGIN_BOXES_FROM_CHROMIUM
            self._page = self._open_page()
        except BaseException:
            self._browser.close()
            raise

    def _start_browser(self):
        from .cdp import Browser

        browser = Browser([self._executable, *CHROMIUM_ARGS, *HEADLESS_PIPE_ARGS])
        browser.on("Fetch.requestPaused", lambda session, params: self._answer_request(browser, session, params))
        return browser

    def _open_page(self) -> tuple[str, str, str]:
        """A new page that runs no script and fetches nothing: (target id, session id, main frame id)."""
        call = self._browser.call
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        call("Emulation.setScriptExecutionDisabled", {"value": True}, session=session)
        # Two locks on the network, each enough alone (tests/test_pdf_pipe.py): every request is paused and
        # failed (see _answer_request), and the page is offline (which needs the Network domain on).
        call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session=session)
        call("Network.enable", session=session)
        call("Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1,
                                                   "uploadThroughput": -1}, session=session)
        call("Page.enable", session=session)
        frame = call("Page.getFrameTree", session=session)["frameTree"]["frame"]["id"]
        return target, session, frame

    @staticmethod
    def _answer_request(browser, session: str | None, params: dict) -> None:
        request = params.get("requestId")
        if params.get("request", {}).get("url", "").startswith(LOCAL_URL_SCHEMES):
            browser.send("Fetch.continueRequest", {"requestId": request}, session=session)
        else:
            browser.send("Fetch.failRequest", {"requestId": request, "errorReason": "BlockedByClient"},
                         session=session)

    def pdf(self, page_html: str, patient_id: str) -> bytes:
        footer_text = f"{patient_id} · netlib {__version__} · {NOT_A_MEDICAL_DEVICE}"
        width_mm, height_mm = PAPER_SIZES_MM[PDF_FORMAT]
        options = {"paperWidth": width_mm / MM_PER_INCH, "paperHeight": height_mm / MM_PER_INCH,
                   "marginTop": _inches(PDF_MARGINS["top"]), "marginBottom": _inches(PDF_MARGINS["bottom"]),
                   "marginLeft": _inches(PDF_MARGINS["left"]), "marginRight": _inches(PDF_MARGINS["right"]),
                   "printBackground": True, "preferCSSPageSize": False,
                   "generateTaggedPDF": False, "generateDocumentOutline": False}
        if self.margin_boxes:
            page_html = _with_style(page_html, f"@page {{ @bottom-left {{ content: {css_string(footer_text)}; "
                                               f"{FOOTER_FONT} }} @bottom-right {{ content: counter(page) "
                                               f'"/" counter(pages); {FOOTER_FONT} }} }}')
        else:
            options.update(displayHeaderFooter=True, headerTemplate="<span></span>", footerTemplate=(
                f'<div style="font-size:7px;width:100%;margin:0 12mm;display:flex;'
                f'justify-content:space-between;font-family:sans-serif"><span>{_e(footer_text)}</span>'
                f'<span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>'))
        # A report is one self-contained document: nothing to load after the DOM except data: images
        # (a PNG figure), and only then is the load event worth waiting for.
        wait_for_load = "<img" in page_html.lower()
        if self._closed:
            raise ReportError("the PDF printer is closed")
        if not self._browser.usable:  # it timed out or exited at an earlier report
            self._browser.close()
            self._page = None
            self._browser = self._start_browser()
        if self._page is None:
            self._page = self._open_page()
        target, session, frame = self._page
        browser = self._browser
        try:
            browser.drop_events(session)
            browser.call("Page.setDocumentContent", {"frameId": frame, "html": page_html}, session=session)
            if wait_for_load:
                browser.wait_for("Page.loadEventFired", session=session)
            data = base64.b64decode(browser.call("Page.printToPDF", options, session=session)["data"])
        except BaseException as error:
            self._page = None
            if isinstance(error, Exception) and browser.usable:
                try:
                    browser.call("Target.closeTarget", {"targetId": target}, timeout=PAGE_CLOSE_TIMEOUT_SECONDS)
                except Exception:
                    pass
            raise
        if not data.startswith(b"%PDF"):
            raise ReportError("Chromium did not return a PDF")
        return data

    def close(self) -> None:
        """Best effort and idempotent: after Ctrl-C the browser may already be gone."""
        self._closed = True
        self._browser.close()

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


def _inches(length: str) -> float:
    """A CSS length in millimetres ("14mm") in inches, as Page.printToPDF takes it."""
    if not length.endswith("mm"):
        raise ValueError(f"a PDF margin must be given in mm; got {length!r}")
    return float(length[:-2]) / MM_PER_INCH


def _major_version(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0
