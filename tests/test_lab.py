"""JupyterLab as `make lab` starts it: chapters read as prose, forms are live, nothing tracked changes.

Starts the Makefile target (as root here: it must add --allow-root itself) on a free port with a
token of its own, opens two chapters from scratch/chapters/ in Debian Chromium, runs them, types into
the forms, and checks that `git status` of the repository is the same afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from html import unescape
from pathlib import Path

import pytest

from netlib.inputs import InputError
from netlib.registry import get

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 180
RUN_SECONDS = 240_000  # milliseconds, for Playwright waits: Run All on a shared machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def lab():
    port, token = _free_port(), secrets.token_hex(16)
    before = _git_status()
    args = f"--port={port} --ServerApp.ip=127.0.0.1 --no-browser --IdentityProvider.token={token}"
    # The virtual environment of this test run (make setup's .venv in CI).
    process = subprocess.Popen(["make", "--no-print-directory", "lab", f"VENV={sys.prefix}", f"LAB_ARGS={args}"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"make lab exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as reply:
                if reply.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGTERM)
            pytest.fail(f"JupyterLab did not answer on {base} within {START_SECONDS} s")
        time.sleep(1)
    yield {"base": base, "token": token, "before": before}
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def _open_and_run(lab, page, chapter: str) -> None:
    # A workspace of its own, reset: only this chapter open, whatever an earlier session left.
    workspace = chapter.split("-")[0]
    page.goto(f"{lab['base']}/lab/workspaces/chapter-{workspace}/tree/chapters/{chapter}?reset&token={lab['token']}")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for(timeout=RUN_SECONDS)
    # Run All only once the kernel has started (the status bar reads "Python 3 (ipykernel) | Idle").
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"ipykernel\)? \| Idle")).first \
        .wait_for(timeout=RUN_SECONDS)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .netlib-form").first
    try:
        form.wait_for(state="attached", timeout=RUN_SECONDS)
    except Exception:
        page.screenshot(path=str(Path(os.environ.get("TMPDIR", "/tmp")) / f"lab-{chapter}.png"))
        raise
    form.scroll_into_view_if_needed()


def _visible_text(page) -> str:
    return page.evaluate("document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook').textContent")


def _field(form, label: str):
    return form.locator(".netlib-field", has_text=label).first


def test_grading_chapter_reads_as_prose_and_its_form_is_live(lab, lab_page):
    page = lab_page
    _open_and_run(lab, page, "01-diagnosis-and-grading.ipynb")
    text = _visible_text(page)
    assert "{glue" not in text and "{cite" not in text
    from netlib import grading
    assert f"Ki-67 is below {grading.KI67_G2_FROM_PERCENT:g} %" in " ".join(text.split())

    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .netlib-form").first
    ki67 = _field(form, "Ki-67").locator("input")
    ki67.fill("25")  # no Enter, no Tab: the keystrokes alone recompute
    form.locator(".netlib-headline", has_text="NET G3").wait_for(timeout=30_000)
    ki67.fill("1")
    form.locator(".netlib-headline", has_text="NET G1").wait_for(timeout=30_000)

    ki67.fill("3,5")
    with pytest.raises(InputError) as refused:
        get("who_gep_grade").form.by_name["ki67_percent"].validate("3,5")
    form.locator(".netlib-pending").wait_for(timeout=30_000)
    assert form.locator(".netlib-headline").count() == 0  # no stale grade beside "3,5"
    beside = _field(form, "Ki-67").locator(".netlib-field-error").inner_text()
    assert unescape(str(refused.value)) in beside


def test_decision_chapter_names_the_field_in_error(lab, lab_page):
    page = lab_page
    _open_and_run(lab, page, "08-decision-algorithm.ipynb")
    text = _visible_text(page)
    assert "{glue" not in text and "{cite" not in text
    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .netlib-form").first
    form.locator(".netlib-headline").first.wait_for(timeout=30_000)
    ki67 = _field(form, "Ki-67").locator("input")
    ki67.fill("150")
    pending = form.locator(".netlib-pending")
    pending.wait_for(timeout=30_000)
    assert "Check Ki-67" in pending.inner_text()
    assert "176, 0, 32" in _field(form, "Ki-67").evaluate("e => getComputedStyle(e).borderTopColor")
    ki67.fill("15")
    form.locator(".netlib-headline", has_text="Pathway").wait_for(timeout=30_000)


def test_exploring_changes_no_tracked_file(lab, lab_page):
    lab_page.keyboard.press("Control+s")  # even an explicit save writes only the copy in scratch/
    time.sleep(2)
    assert _git_status() == lab["before"]
