"""PDFs through Chromium's DevTools pipe (netlib.cdp, netlib.report_pdf.PdfPrinter).

Privacy (no script runs, nothing is fetched, data: images still print), robustness (every wait has a
deadline; a Chromium that exits, refuses a method or cannot start gives one ReportError; the temporary
profile never outlives the browser) and the two ways Chromium dies with its parent (the pipe closes; the
parent-death signal).  Every test starts a real Chromium, except the launch failures.
"""

from __future__ import annotations

import http.server
import io
import os
import signal
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import zlib
from pathlib import Path

import pytest

from netlib import cdp, report_pdf
from netlib.report_engine import ReportError
from netlib.report_process import process_exists

pytestmark = [pytest.mark.slow, pytest.mark.browser]
ROOT = Path(__file__).resolve().parent.parent
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux's")


def has_chromium() -> bool:
    try:
        report_pdf.chromium_executable()
    except ReportError:
        return False
    return True


needs_chromium = pytest.mark.skipif(not has_chromium(), reason="no Chromium executable on PATH")
SCRIPT_TEXT = "A SCRIPT RAN HERE"
STATIC_TEXT = "Static paragraph"


def page(body: str, head: str = "") -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def png(width: int, height: int) -> bytes:
    """A colourful RGB PNG written with zlib alone."""
    rows = b"".join(b"\0" + b"".join(bytes((x * 7 % 256, y * 5 % 256, (x * y) % 256)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def image_count(data: bytes) -> int:
    """Image XObjects on the PDF's pages, looking inside form XObjects too."""
    pypdf = pytest.importorskip("pypdf")

    def count(resources, seen) -> int:
        found = 0
        xobjects = resources.get("/XObject") if resources else None
        for reference in (xobjects.get_object().values() if xobjects else ()):
            obj = reference.get_object()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.get("/Subtype") == "/Image":
                found += 1
            elif obj.get("/Subtype") == "/Form":
                found += count(obj.get("/Resources"), seen)
        return found

    return sum(count(p.get("/Resources"), set()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets and answers each with a small body."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            body = b"p { color: red }" if self.path.endswith(".css") else b"\0" * 16
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def hostile_page(origin: str) -> str:
    """A page that would fetch an image, a stylesheet and a font from ``origin`` and run a script."""
    head = (f'<link rel="stylesheet" href="{origin}/style.css">'
            f'<style>@font-face {{ font-family: Remote; src: url("{origin}/font.woff2"); }} '
            f'p {{ font-family: Remote, sans-serif; }}</style>')
    body = (f'<p>{STATIC_TEXT}</p><img src="{origin}/figure.png" width="20" height="20">'
            f'<p id="out"></p><script>document.getElementById("out").textContent = "{SCRIPT_TEXT}";</script>')
    return page(body, head)


def bare_browser() -> cdp.Browser:
    """The printer's Chromium with none of its protections: scripts on, network on."""
    return cdp.Browser([report_pdf.chromium_executable(), *report_pdf.CHROMIUM_ARGS,
                        *report_pdf.HEADLESS_PIPE_ARGS])


def bare_page(browser: cdp.Browser) -> tuple[str, str]:
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    browser.call("Page.enable", session=session)
    return session, browser.call("Page.getFrameTree", session=session)["frameTree"]["frame"]["id"]


def profiles(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"{cdp.PROFILE_PREFIX}*"))


@pytest.fixture
def temporary_folder(tmp_path, monkeypatch):
    """The profiles' folder moved to tmp_path, so that a test sees every profile a browser leaves."""
    for name in cdp.TEMPORARY_FOLDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cdp, "MEMORY_FOLDER", str(tmp_path))
    monkeypatch.setattr(cdp, "MEMORY_FOLDER_MIN_FREE_BYTES", 0)
    return tmp_path


def wait_until(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# ---------------------------------------------------------------------------------------------
# Privacy: no script, no request; data: images still print
# ---------------------------------------------------------------------------------------------

@needs_chromium
def test_a_bare_chromium_would_fetch_and_run_the_hostile_page(server):
    # The control for the next test: without the printer's protections the same page reaches the server
    # and its script runs, so "zero requests" and "no script text" below mean something.
    origin, seen = server
    browser = bare_browser()
    try:
        session, frame = bare_page(browser)
        browser.call("Page.setDocumentContent", {"frameId": frame, "html": hostile_page(origin)}, session=session)
        browser.wait_for("Page.loadEventFired", session=session)
        import base64
        data = base64.b64decode(browser.call("Page.printToPDF", {}, session=session)["data"])
    finally:
        browser.close()
    assert {"/style.css", "/figure.png"} <= set(seen), seen
    assert SCRIPT_TEXT in pdf_text(data)


@needs_chromium
@pytest.mark.parametrize("without", [None, "Fetch.enable", "Network.emulateNetworkConditions"],
                         ids=["both-locks", "offline-alone", "failed-requests-alone"])
def test_the_printer_fetches_nothing_and_runs_no_script(server, without, monkeypatch):
    # Each of the two network locks holds alone: the printer is run once without the other.
    origin, seen = server
    if without is not None:
        call = cdp.Browser.call
        monkeypatch.setattr(cdp.Browser, "call", lambda browser, method, *args, **kwargs:
                            {} if method == without else call(browser, method, *args, **kwargs))
    with report_pdf.PdfPrinter() as printer:
        data = printer.pdf(hostile_page(origin), "P-1")
        again = printer.pdf(hostile_page(origin), "P-2")  # the reused page too
    assert seen == []
    for pdf in (data, again):
        text = pdf_text(pdf)
        assert STATIC_TEXT in text and SCRIPT_TEXT not in text


@needs_chromium
def test_a_data_png_figure_is_printed_as_an_image():
    import base64

    figure = base64.b64encode(png(64, 48)).decode("ascii")
    with_figure = page(f'<h1>Scans</h1><img src="data:image/png;base64,{figure}" width="320" height="240">')
    with report_pdf.PdfPrinter() as printer:
        printed = printer.pdf(with_figure, "P-1")
        without = printer.pdf(page("<h1>No figure</h1>"), "P-1")
    assert image_count(printed) >= 1
    assert image_count(without) == 0


# ---------------------------------------------------------------------------------------------
# Robustness: deadlines, exits, refusals, failed launches, the profile folder
# ---------------------------------------------------------------------------------------------

@needs_chromium
def test_a_stuck_chromium_times_out_with_the_method_named_and_is_replaced(temporary_folder, monkeypatch):
    monkeypatch.setattr(cdp, "CALL_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(cdp, "CLOSE_TIMEOUT_SECONDS", 0.5)
    printer = report_pdf.PdfPrinter()
    try:
        stuck = printer._browser.pid
        os.kill(stuck, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(ReportError, match=r"Chromium did not (answer|read) Page\.setDocumentContent"):
            printer.pdf(page("<p>one</p>"), "P-1")
        assert time.monotonic() - started < 10
        assert printer.pdf(page("<p>two</p>"), "P-2").startswith(b"%PDF")  # a new browser
        assert printer._browser.pid != stuck
        assert wait_until(lambda: not process_exists(stuck))  # the stuck one was killed
        assert len(profiles(temporary_folder)) == 1  # only the new browser's
    finally:
        printer.close()
    assert profiles(temporary_folder) == []


@needs_chromium
def test_chromium_killed_mid_call_is_a_report_error_and_the_next_pdf_works(temporary_folder):
    printer = report_pdf.PdfPrinter()
    try:
        doomed = printer._browser.pid
        os.kill(doomed, signal.SIGSTOP)  # so that the kill lands while the call waits for the answer
        threading.Timer(0.5, os.kill, (doomed, signal.SIGKILL)).start()
        with pytest.raises(ReportError, match=r"^Chromium exited \(killed by SIGKILL\) during Page\."):
            printer.pdf(page("<p>one</p>"), "P-1")
        assert printer.pdf(page("<p>two</p>"), "P-2").startswith(b"%PDF")
        assert len(profiles(temporary_folder)) == 1
    finally:
        printer.close()
    assert profiles(temporary_folder) == []


@needs_chromium
def test_a_refused_print_is_a_report_error_with_chromium_s_message_and_the_page_is_replaced(monkeypatch):
    with report_pdf.PdfPrinter() as printer:
        first_target = printer._page[0]
        with monkeypatch.context() as patch:
            patch.setitem(report_pdf.PAPER_SIZES_MM, report_pdf.PDF_FORMAT, (0, 0))  # no printable area
            with pytest.raises(ReportError, match=r"^Chromium refused Page\.printToPDF: \S"):
                printer.pdf(page("<p>one</p>"), "P-1")
        assert printer._browser.usable  # a refusal is an answer: the browser stays
        data = printer.pdf(page("<p>two</p>"), "P-2")
        assert data.startswith(b"%PDF") and printer._page[0] != first_target
        with pytest.raises(ReportError, match=r"Chromium refused Page\.noSuchMethod: .*wasn't found"):
            printer._browser.call("Page.noSuchMethod")


@pytest.mark.parametrize("kind", ["exits", "not-executable", "missing"])
def test_a_failed_launch_is_a_report_error_and_leaves_no_profile(kind, temporary_folder, monkeypatch):
    executable = {"exits": "/bin/false", "not-executable": str(temporary_folder / "chromium.txt"),
                  "missing": str(temporary_folder / "no-such-chromium")}[kind]
    (temporary_folder / "chromium.txt").write_text("not a program\n", encoding="utf-8")
    monkeypatch.setenv(report_pdf.CHROMIUM_ENVIRONMENT_VARIABLE, executable)
    expected = {"exits": r"^Chromium exited \(status 1\) while starting",
                "not-executable": r"^Chromium could not be started \(.*chromium\.txt\): Permission denied",
                "missing": r"^Chromium could not be started \(.*no-such-chromium\): No such file"}[kind]
    with pytest.raises(ReportError, match=expected):
        report_pdf.PdfPrinter()
    assert profiles(temporary_folder) == []


def test_a_chromium_that_never_answers_is_stopped_at_the_launch_deadline(temporary_folder, monkeypatch):
    pid_file = temporary_folder / "pid"
    silent = temporary_folder / "silent-chromium"
    silent.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n", encoding="utf-8")
    silent.chmod(0o755)
    monkeypatch.setenv(report_pdf.CHROMIUM_ENVIRONMENT_VARIABLE, str(silent))
    monkeypatch.setattr(cdp, "LAUNCH_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(cdp, "CLOSE_TIMEOUT_SECONDS", 0.5)
    started = time.monotonic()
    late = r"^Chromium did not answer Browser\.getVersion within 1 s \(while starting\)"
    with pytest.raises(ReportError, match=late):
        report_pdf.PdfPrinter()
    assert time.monotonic() - started < 10
    assert not process_exists(int(pid_file.read_text()))
    assert profiles(temporary_folder) == []


@needs_chromium
def test_close_is_idempotent_removes_the_profile_and_stops_chromium(temporary_folder):
    printer = report_pdf.PdfPrinter()
    pid = printer._browser.pid
    assert len(profiles(temporary_folder)) == 1
    printer.close()
    printer.close()
    assert profiles(temporary_folder) == [] and not process_exists(pid)
    with pytest.raises(ReportError, match="closed"):
        printer.pdf(page("<p>late</p>"), "P-1")


def test_the_profile_goes_to_memory_unless_tmpdir_says_otherwise_or_memory_is_short(tmp_path, monkeypatch):
    memory, chosen = tmp_path / "shm", tmp_path / "chosen"
    memory.mkdir()
    chosen.mkdir()
    for name in cdp.TEMPORARY_FOLDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cdp, "MEMORY_FOLDER", str(memory))
    monkeypatch.setattr(cdp, "MEMORY_FOLDER_MIN_FREE_BYTES", 0)
    assert cdp.profile_parent() == str(memory)
    monkeypatch.setattr(cdp, "MEMORY_FOLDER_MIN_FREE_BYTES", 1 << 62)  # no room to spare
    monkeypatch.setattr(tempfile, "tempdir", str(chosen))
    assert cdp.profile_parent() == str(chosen)
    monkeypatch.setattr(cdp, "MEMORY_FOLDER_MIN_FREE_BYTES", 0)
    monkeypatch.setenv("TMPDIR", str(chosen))
    assert cdp.profile_parent() == str(chosen)
    monkeypatch.setattr(cdp, "MEMORY_FOLDER", str(tmp_path / "absent"))
    monkeypatch.delenv("TMPDIR")
    assert cdp.profile_parent() == str(chosen)


def test_a_profile_left_by_a_killed_owner_is_removed_and_a_live_one_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{cdp.PROFILE_PREFIX}{dead.pid}-abc"
    live = tmp_path / f"{cdp.PROFILE_PREFIX}{os.getpid()}-def"
    other = tmp_path / "netlib-chromium-notes"
    for folder in (stale, live, other):
        (folder / "profile").mkdir(parents=True)
    assert cdp.remove_stale_profiles(str(tmp_path)) == [stale.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])


@needs_chromium
def test_events_that_arrive_between_answers_are_queued_not_lost():
    import base64

    figure = base64.b64encode(png(8, 8)).decode("ascii")
    browser = bare_browser()
    try:
        session, frame = bare_page(browser)
        browser.call("Page.setDocumentContent", {"frameId": frame, "html": page(
            f'<img src="data:image/png;base64,{figure}">')}, session=session)
        time.sleep(0.5)  # the load event arrives meanwhile, before the next call's answer
        browser.call("Browser.getVersion")
        assert any(event[0] == "Page.loadEventFired" for event in browser._events)
        assert browser.wait_for("Page.loadEventFired", session=session, timeout=0.5) is not None
    finally:
        browser.close()


# ---------------------------------------------------------------------------------------------
# Chromium dies with its parent: when its pipe closes, and by the parent-death signal alone
# ---------------------------------------------------------------------------------------------

@needs_chromium
def test_chromium_exits_when_its_pipe_closes():
    browser = bare_browser()
    try:
        process = browser._process
        os.close(browser._to_chromium)  # no Browser.close: only the pipe's end
        browser._to_chromium = -1
        assert process.wait(timeout=15) is not None
    finally:
        browser.close()


PARENT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, sys.argv[1])
    from netlib.report_pdf import PdfPrinter
    printer = PdfPrinter()
    if os.fork() == 0:  # a child that keeps the pipe to Chromium open after this process dies
        time.sleep(60)
        os._exit(0)
    print(printer._browser.pid, flush=True)
    time.sleep(60)
""")


@linux_only
@needs_chromium
def test_chromium_dies_with_its_parent_by_signal_even_while_its_pipe_stays_open(tmp_path):
    marker = f"netlib-pdf-test-{os.getpid()}-{time.monotonic_ns()}"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(ROOT)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "NETLIB_TEST_RUN": marker, "TMPDIR": str(tmp_path)})
    holder = None
    try:
        chromium = int(parent.stdout.readline())
        holder = next(pid for pid in marked(marker) if pid not in (parent.pid, chromium) and is_python(pid))
        assert process_exists(chromium)
        parent.kill()
        parent.wait()
        assert process_exists(holder)  # the pipe is still open ...
        assert wait_until(lambda: not process_exists(chromium))  # ... yet Chromium is gone
        others = [pid for pid in marked(marker) if pid != holder]
        assert wait_until(lambda: not [pid for pid in others if process_exists(pid)]), others  # its helpers too
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if holder is not None:
            os.kill(holder, signal.SIGKILL)


def marked(marker: str) -> list[int]:
    """Live processes whose environment carries NETLIB_TEST_RUN=marker."""
    wanted = f"NETLIB_TEST_RUN={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if wanted in (entry / "environ").read_bytes().split(b"\0") and process_exists(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    except OSError:
        return False
