"""Time the live forms in headless Chromium: first result, recomputation, and what a page costs.

Serves the built site exactly as a reader would (``python -m http.server -d _build/html``, on a free
port on 127.0.0.1) and drives Debian Chromium through Playwright:

* first live result: from the start of navigation to the first answer shown by a live form, on a
  calculator's own section (``#calc-who-gep-grade``), with a cold cache (a fresh browser context per
  run) and with a warm one (the same context, reloaded); split into page load, Pyodide start,
  netlib import and the first answer (performance marks set by _assets/live/netlib-live.js and the
  worker's own timings);
* recomputation: from an input event to the new answer in the page (and to the next frame), over
  many changes, for a calculator and for the decision algorithm's patient form;
* initial load: the bytes every live page transfers before Pyodide is requested (the page top, no
  scrolling, a fresh context), and how many of them the live forms add (their script, style sheet
  and placeholders); then what Pyodide and the wheel cost once requested.

* site weight: the built site on disk, in total and by its largest parts; the hub's and each chapter's
  initial transfer before Pyodide.

Targets: first result < 5 s, recomputation < 100 ms, <= 100 KB added to a page's initial load, a chapter or
the hub under 1000 KB before Pyodide, the site under 22 MB.
Build the site first (``python scripts/build_book.py``).  Exit status 1 if a target is missed.

    .venv/bin/python benchmarks/live.py            # 5 cold runs, 3 warm runs
    .venv/bin/python benchmarks/live.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

FIRST_RESULT_PAGE = "notebooks/01-diagnosis-and-grading.html#calc-who-gep-grade"
TARGET_FIRST_RESULT_S = 5.0
TARGET_RECOMPUTE_MS = 100.0
TARGET_ADDED_KB = 100.0
TARGET_FIRST_LOAD_KB = 1000.0   # issue 12: a chapter or the hub, before Pyodide
TARGET_SITE_MB = 22.0           # issue 12: the whole site
PLACEHOLDER = re.compile(r'<div (?:id="[\w-]+" )?class="netlib-live"[^>]*>.*?</p></div>', re.DOTALL)

# Change one field many times and time each answer, inside the page (no driver round trips).
RECOMPUTE_JS = """
async ([selector, field, values]) => {
  const holder = document.querySelector(selector);
  const input = holder.querySelector(`[name="${field}"]`);
  const toAnswer = [], toFrame = [];
  for (const value of values) {
    const answered = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (holder.dataset.busy === "false") { observer.disconnect(); resolve(); }
      });
      observer.observe(holder, { attributes: true, attributeFilter: ["data-busy"] });
    });
    const started = performance.now();
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await answered;
    toAnswer.push(performance.now() - started);
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    toFrame.push(performance.now() - started);
  }
  return { toAnswer, toFrame, headline: holder.querySelector(".netlib-headline").textContent };
}
"""

MARKS_JS = """
() => Object.fromEntries(performance.getEntriesByType("mark")
  .filter((m) => m.name.startsWith("netlib-live:")).map((m) => [m.name.slice(12), m.startTime]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    """``python -m http.server -d _build/html`` on 127.0.0.1:port, as the README tells readers."""
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "-d", str(HTML),
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.terminate()
    raise SystemExit("live.py: the http.server did not start")


def wait_first_result(page) -> dict:
    page.wait_for_function("() => performance.getEntriesByName('netlib-live:first-result').length > 0",
                           timeout=120_000)
    marks = page.evaluate(MARKS_JS)
    marks["phases"] = page.evaluate("() => window.netlibLive && window.netlibLive.phases")
    return marks


def first_results(browser, origin: str, cold_runs: int, warm_runs: int) -> tuple[list[dict], list[dict]]:
    cold, warm = [], []
    for run in range(cold_runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{origin}/{FIRST_RESULT_PAGE}")
        cold.append(wait_first_result(page))
        if run == 0:
            for _ in range(warm_runs):
                page.reload()
                warm.append(wait_first_result(page))
        context.close()
    return cold, warm


def recomputation(browser, origin: str, path: str, selector: str, field: str, values: list[str]) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{origin}/{path}")
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelector('{selector}').dataset.busy === 'false'",
                           timeout=120_000)
    answer = page.evaluate(RECOMPUTE_JS, [selector, field, values])
    context.close()
    return answer


def initial_load(browser, origin: str, path: str) -> dict:
    """Bytes transferred by a page opened at its top until Pyodide is requested (if it is)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    page.goto(f"{origin}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    before, pyodide_requested = [], False
    for request in requests:
        if "/_static/live/netlib-worker.mjs" in request.url:
            pyodide_requested = True
            break
        before.append(request)
    total = live = 0
    for request in before:
        response = request.response()
        if response is None or request.url.startswith("data:"):
            continue
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += size
        if "/_static/live/" in request.url:
            live += size
    placeholders = sum(len(m.group(0).encode()) for m in PLACEHOLDER.finditer(
        (HTML / path).read_text(encoding="utf-8")))
    context.close()
    return {"total": total, "live": live + placeholders, "placeholders": placeholders,
            "requests": len(before), "pyodide_requested": pyodide_requested}


def site_weight() -> dict:
    """What _build/html weighs on disk, in total and by its largest parts."""
    files = [p for p in HTML.rglob("*") if p.is_file()]
    part = lambda test: sum(p.stat().st_size for p in files if test(p.relative_to(HTML).as_posix()))  # noqa: E731
    return {"files": len(files), "total": part(lambda p: True), "pyodide": part(lambda p: "live/pyodide/" in p),
            "katex": part(lambda p: "_static/katex/" in p), "html": part(lambda p: p.endswith(".html")),
            "theme": part(lambda p: p.startswith(("_static/styles/", "_static/scripts/", "_static/vendor/")))}


def pyodide_download(browser, origin: str) -> int:
    context = browser.new_context()
    requests = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    page.goto(f"{origin}/{FIRST_RESULT_PAGE}")
    wait_first_result(page)
    total = 0
    for request in requests:
        if "/_static/live/" in request.url and request.response() is not None:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return total


def live_pages() -> list[str]:
    return [f"notebooks/{p.name}" for p in sorted((HTML / "notebooks").glob("*.html"))
            if 'class="netlib-live"' in p.read_text(encoding="utf-8")]


def summary(values: list[float], unit: str, scale: float = 1.0) -> str:
    values = [v * scale for v in values]
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(values):.1f} {unit}, p95 {p95:.1f} {unit}, max {max(values):.1f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold page loads to time (default 5)")
    parser.add_argument("--warm", type=int, default=3, help="warm reloads to time (default 3)")
    parser.add_argument("--changes", type=int, default=60, help="input changes to time per form (default 60)")
    args = parser.parse_args(argv)
    if not (HTML / "_static" / "live" / "netlib-live.json").exists():
        raise SystemExit("live.py: build the site first: python scripts/build_book.py")

    from playwright.sync_api import sync_playwright

    port = free_port()
    server = serve(port)
    origin = f"http://127.0.0.1:{port}"
    missed = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(f"machine:  {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
                  f"Chromium {browser.version} (headless), site served by python -m http.server")

            cold, warm = first_results(browser, origin, max(1, args.runs), args.warm)
            seconds = [m["first-result"] / 1000 for m in cold]
            print(f"\nfirst live result, {FIRST_RESULT_PAGE}, from navigation start")
            print(f"  cold cache ({len(cold)} fresh contexts): median {statistics.median(seconds):.2f} s  "
                  f"(runs: {', '.join(f'{s:.2f}' for s in seconds)})   target < {TARGET_FIRST_RESULT_S:g} s")
            if warm:
                warm_seconds = [m["first-result"] / 1000 for m in warm]
                print(f"  warm cache ({len(warm)} reloads):       median {statistics.median(warm_seconds):.2f} s  "
                      f"(runs: {', '.join(f'{s:.2f}' for s in warm_seconds)})")
            middle = sorted(cold, key=lambda m: m["first-result"])[len(cold) // 2]
            phases = middle.get("phases") or {}
            print(f"  the median cold run: Pyodide requested at {middle['start'] / 1000:.2f} s (page loaded, browser "
                  f"idle); in the worker: Pyodide ready after {phases.get('pyodide', 0) / 1000:.2f} s, wheel "
                  f"unpacked {phases.get('wheel', 0) / 1000:.2f} s, netlib imported and schemas read "
                  f"{phases.get('netlib', 0) / 1000:.2f} s; forms ready at {middle['ready'] / 1000:.2f} s, "
                  f"first answer at {middle['first-result'] / 1000:.2f} s")
            if statistics.median(seconds) >= TARGET_FIRST_RESULT_S:
                missed.append("first result")

            print(f"\nrecomputation after an input change ({args.changes} changes each, timed inside the page)")
            forms = [
                ("WHO grade (calculate)", "notebooks/01-diagnosis-and-grading.html",
                 '.netlib-live[data-calculator="who_gep_grade"]', "ki67_percent", ["2.9", "3", "12", "20", "20.1"]),
                ("decision algorithm (recommend)", "notebooks/08-decision-algorithm.html",
                 ".netlib-live[data-pathway]", "ki67_percent", ["1.5", "3", "12", "25", "6"]),
            ]
            for label, path, selector, field, values in forms:
                typed = [values[i % len(values)] for i in range(args.changes)]
                answer = recomputation(browser, origin, path, selector, field, typed)
                print(f"  {label:32s} to the new answer in the page: {summary(answer['toAnswer'], 'ms')}")
                print(f"  {'':32s} to the next frame:              {summary(answer['toFrame'], 'ms')}")
                if statistics.median(answer["toAnswer"]) >= TARGET_RECOMPUTE_MS:
                    missed.append(f"recomputation ({label})")

            print("\ninitial load of each page with live forms, before Pyodide is requested (page top, fresh context)")
            print(f"  {'page':44s} {'total':>9s} {'added by live forms':>20s}  Pyodide requested at the top?")
            for path in live_pages():
                load = initial_load(browser, origin, path)
                print(f"  {path:44s} {load['total'] / 1024:7.1f} KB {load['live'] / 1024:16.1f} KB    "
                      f"{'yes' if load['pyodide_requested'] else 'no (not until a form nears the screen)'}")
                if load["live"] / 1024 > TARGET_ADDED_KB:
                    missed.append(f"initial load ({path})")
            print(f"  (added = netlib-live.js + netlib-live.css + the placeholders in the HTML; target <= "
                  f"{TARGET_ADDED_KB:g} KB)")
            print("\ninitial transfer of the calculators hub and of the chapters, before Pyodide (target < "
                  f"{TARGET_FIRST_LOAD_KB:g} KB)")
            for path in ["book/calculators.html"] + [f"notebooks/{p.name}" for p in sorted((HTML / "notebooks").glob("*.html"))]:
                load = initial_load(browser, origin, path)
                print(f"  {path:44s} {load['total'] / 1024:7.1f} KB")
                if load["total"] / 1024 >= TARGET_FIRST_LOAD_KB:
                    missed.append(f"first load ({path})")
            download = pyodide_download(browser, origin)
            print(f"\nonce requested: Pyodide core, netlib wheel, worker and manifest: {download / 1e6:.1f} MB "
                  "(fetched once per browser cache)")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    weight = site_weight()
    print(f"\nsite weight: {weight['total'] / 1e6:.1f} MB in {weight['files']} files (Pyodide {weight['pyodide'] / 1e6:.1f} MB, "
          f"KaTeX style and fonts {weight['katex'] / 1e6:.2f} MB, theme {weight['theme'] / 1e6:.1f} MB, pages {weight['html'] / 1e6:.1f} MB); "
          f"target < {TARGET_SITE_MB:g} MB")
    if weight["total"] / 1e6 >= TARGET_SITE_MB:
        missed.append("site weight")
    print("\nall targets met" if not missed else "\nMISSED: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
