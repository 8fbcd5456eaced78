"""Batch reports that survive kills and races, and a report template that ships in the wheel.

Fast tests check the output folder's lock, the temporary files, the parent-death signal and the re-run
planning without starting a kernel.  Tests marked `slow` start real `netlib report --batch` processes,
stop them with SIGKILL, SIGTERM or SIGINT, run two batches into one folder at once, and install the
built wheel into a scratch folder.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from netlib import cli, report, report_batch, report_files
from netlib.examples import PATIENT_EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LINUX = sys.platform.startswith("linux")
linux_only = pytest.mark.skipif(not LINUX, reason="parent-death signal and /proc are Linux features")
slow = pytest.mark.slow
DEADLINE_SECONDS = 10  # the brief: no process of a killed batch may survive longer than this
FIRST_REPORT_TIMEOUT_SECONDS = 240  # two kernels starting on a busy 2-core machine


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def good_cohort(path: Path, copies: int = 1) -> list[str]:
    """examples/cohort.csv without its deliberately bad row, each patient ``copies`` times; returns the ids."""
    with (EXAMPLES / "cohort.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["patient_id"] in PATIENT_EXAMPLES]
    ids = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                patient_id = row["patient_id"] if copies == 1 else f"{row['patient_id']}-{copy}"
                writer.writerow({**row, "patient_id": patient_id})
                ids.append(patient_id)
    return ids


def environment(tmp_path: Path) -> dict[str, str]:
    """This checkout first on the path; kernel connection files in a scratch runtime folder."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))


def batch_command(source: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "netlib", "report", "--batch", str(source), "-o", str(out), "--no-progress",
            "--workers", "2", *extra]


def reports_in(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("*.html") if p.name != report.INDEX_NAME)


def leftovers(out: Path) -> list[str]:
    """netlib's own hidden files (temporary reports, the lock) in an output folder."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(report.TEMP_PREFIX))


def connection_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "runtime"
    return sorted(p.name for p in folder.glob("*.json")) if folder.exists() else []


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state, ppid, ...; start time at index 19)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def descendants(root: int) -> dict[tuple[int, str], str]:
    """Every process below ``root``: (pid, start time) -> command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            fields = _stat(child)
            if fields:
                found[(child, fields[19])] = _cmdline(child)
                todo.append(child)
    return found


def alive(pid: int, started: str) -> bool:
    """The same process (pid and start time), not a zombie."""
    fields = _stat(pid)
    return bool(fields) and fields[19] == started and fields[0] != "Z"


def processes_mentioning(*texts: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            line = _cmdline(int(entry.name))
            fields = _stat(int(entry.name))
            if fields and fields[0] != "Z" and any(text in line for text in texts):
                found.append(f"{entry.name}: {line[:160]}")
    return found


def processes_with_environment(name: str, value: str) -> dict[int, str]:
    """Live processes (not zombies) whose environment holds ``name=value``: pid -> command line.

    Every process a run starts inherits its environment (workers, kernels, Chromium and the helpers
    Chromium detaches from its process tree), so a marker found here belongs to that run.
    """
    wanted = f"{name}={value}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or another user's
            continue
        fields = _stat(int(entry.name))
        if fields and fields[0] != "Z" and wanted in environ.split(b"\0"):
            found[int(entry.name)] = _cmdline(int(entry.name))
    return found


def wait_until(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def fake_report(path: Path, values: dict) -> None:
    """A stand-in for a report written by an earlier run: it carries the inputs' SHA-256, as reports do."""
    path.write_text(f"<html><td class=\"mono\">{report.inputs_sha256(values)}</td></html>", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The lock, temporary files, signals (no kernel)
# ---------------------------------------------------------------------------------------------

def test_lock_refuses_a_second_holder_and_is_removed_on_release(tmp_path):
    out = tmp_path / "out"
    with report.OutputFolderLock(out) as lock:
        assert lock.path.read_text().strip() == str(os.getpid())
        with pytest.raises(report.OutputFolderError) as refused:
            report.OutputFolderLock(out).acquire()  # flock: a second open file conflicts, same process or not
        message = str(refused.value)
        assert str(out) in message and str(os.getpid()) in message and "\n" not in message
    assert not (out / report.LOCK_NAME).exists()
    report.OutputFolderLock(out).acquire().release()  # free again


def test_lock_is_free_after_its_holder_is_killed(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from netlib.report import OutputFolderLock\n"
                               f"OutputFolderLock({str(out)!r}).acquire(); print('locked', flush=True); time.sleep(60)"],
        env=environment(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(report.OutputFolderError):
            report.OutputFolderLock(out).acquire()
    finally:
        holder.kill()
        holder.wait()
    assert (out / report.LOCK_NAME).exists()  # a SIGKILL leaves the file, but not the lock
    report.OutputFolderLock(out).acquire().release()


def test_lock_on_an_unusable_folder_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(report.OutputFolderError) as refused:
        report.OutputFolderLock(tmp_path / "file" / "out").acquire()
    assert "cannot lock the output folder" in str(refused.value) and "\n" not in str(refused.value)


def test_temporary_files_have_netlib_prefix_and_only_those_are_removed(tmp_path, monkeypatch):
    seen = []
    original = os.replace

    def spy(source, target):
        seen.append(Path(source).name)
        original(source, target)

    monkeypatch.setattr(report_files.os, "replace", spy)
    report.write_atomic(tmp_path / "a.html", b"x")
    assert seen[0].startswith(report.TEMP_PREFIX + "a.html.") and seen[0].endswith(report.TEMP_SUFFIX)
    for name in (".netlib-b.html.x1.part", ".netlib-index.html.x2.part", ".other.part", "keep.part",
                 ".netlib-notes.txt"):
        (tmp_path / name).write_text("x")
    assert sorted(report.remove_temporaries(tmp_path)) == [".netlib-b.html.x1.part", ".netlib-index.html.x2.part"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".netlib-notes.txt", ".other.part", "a.html", "keep.part"]


def test_stale_kernel_connection_files_of_dead_processes_are_removed(tmp_path, monkeypatch):
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    dead, living = dead_pid(), os.getpid()
    for name in (f"netlib-kernel-{dead}-abc.json", f"netlib-kernel-{living}-def.json", f"kernel-{dead}.json"):
        (runtime / name).write_text("{}")
    assert report.remove_stale_connection_files() == [f"netlib-kernel-{dead}-abc.json"]
    assert sorted(p.name for p in runtime.iterdir()) == [f"kernel-{dead}.json", f"netlib-kernel-{living}-def.json"]


def test_stop_signals_raise_once_and_restore_the_handlers():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(report.Interrupted) as stopped:
        with report.stop_signals_raise():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises before this ends
    assert (stopped.value.status, stopped.value.name) == (143, "SIGTERM")
    assert signal.getsignal(signal.SIGTERM) is before


@linux_only
@pytest.mark.parametrize("how", ["preexec", "in the child"])
def test_a_child_dies_with_its_parent_even_on_sigkill(tmp_path, how):
    # The parent starts a sleeping child that arms the parent-death signal, as kernels (preexec_fn) and
    # pool workers (initializer) do; then the parent is SIGKILLed and can clean up nothing.
    child = ("[sys.executable, '-c', 'import time; time.sleep(60)'], preexec_fn=report_process.kernel_preexec()"
             if how == "preexec" else
             "[sys.executable, '-c', 'import os, time; from netlib.report import die_with_parent; "
             "die_with_parent(os.getppid()); print(1, flush=True); time.sleep(60)'], stdout=subprocess.PIPE")
    script = textwrap.dedent(f"""
        import subprocess, sys, time
        from netlib import report_process
        child = subprocess.Popen({child})
        if child.stdout is not None:
            child.stdout.readline()  # armed
        print(child.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], env=environment(tmp_path), stdout=subprocess.PIPE,
                              text=True)
    child_pid = int(parent.stdout.readline())
    started = _stat(child_pid)[19]
    assert alive(child_pid, started)
    parent.kill()
    parent.wait()
    assert wait_until(lambda: not alive(child_pid, started), 5), _cmdline(child_pid)


# ---------------------------------------------------------------------------------------------
# Re-runs and a busy folder (no kernel: every report is already there)
# ---------------------------------------------------------------------------------------------

def test_batch_into_a_locked_folder_refuses_at_once(tmp_path, capsys, no_kernel):
    source = tmp_path / "cohort.csv"
    good_cohort(source)
    out = tmp_path / "out"
    with report.OutputFolderLock(out):
        with pytest.raises(SystemExit) as refused:
            cli.main(["report", "--batch", str(source), "-o", str(out)])
        assert refused.value.code == report.OUTPUT_FOLDER_EXIT_STATUS
        err = capsys.readouterr().err
        assert str(out) in err and "another batch" in err and len(err.strip().splitlines()) == 1
        assert sorted(p.name for p in out.iterdir()) == [report.LOCK_NAME]  # nothing written


def test_rerun_keeps_reports_of_the_same_inputs_and_cleans_what_a_kill_left(tmp_path, capsys, monkeypatch,
                                                                             no_kernel):
    source = tmp_path / "cohort.csv"
    ids = good_cohort(source)
    out = tmp_path / "out"
    out.mkdir()
    for patient_id in ids:
        fake_report(out / f"{patient_id}.html", PATIENT_EXAMPLES[patient_id])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # What a SIGKILLed run leaves: a temporary report, the (unlocked) lock file, a kernel connection file.
    (out / ".netlib-x.html.abc123.part").write_bytes(b"partial")
    (out / report.LOCK_NAME).write_text("999999\n")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    (runtime / f"netlib-kernel-{dead_pid()}-abc.json").write_text("{}")

    assert cli.main(["report", "--batch", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{len(ids)} reports already in {out} were kept" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "index.html"} == before
    assert leftovers(out) == [] and list(runtime.iterdir()) == []
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<td>already present</td>") == len(ids)
    assert f"{len(ids)} patients: 0 reports written, {len(ids)} already present, 0 failed." in index
    for patient_id in ids:
        assert f'href="{patient_id}.html"' in index


def test_rerun_never_keeps_or_replaces_a_report_of_other_inputs(tmp_path, capsys, no_kernel):
    source = tmp_path / "cohort.csv"
    ids = good_cohort(source)
    out = tmp_path / "out"
    out.mkdir()
    for patient_id in ids[1:]:
        fake_report(out / f"{patient_id}.html", PATIENT_EXAMPLES[patient_id])
    stale = out / f"{ids[0]}.html"
    fake_report(stale, dict(PATIENT_EXAMPLES[ids[0]], ki67_percent=2.5))  # an older report, other inputs
    assert cli.main(["report", "--batch", str(source), "-o", str(out)]) == 1
    assert report.inputs_sha256(dict(PATIENT_EXAMPLES[ids[0]], ki67_percent=2.5)) in stale.read_text()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "was not made from these inputs; --force replaces it" in index
    assert f"{len(ids)} patients: 0 reports written, {len(ids) - 1} already present, 1 failed." in index
    assert ids[0] in capsys.readouterr().err


def test_an_index_netlib_did_not_write_is_not_overwritten(tmp_path, capsys, no_kernel):
    source = tmp_path / "cohort.csv"
    good_cohort(source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("my own notes")
    with pytest.raises(SystemExit) as refused:
        cli.main(["report", "--batch", str(source), "-o", str(out)])
    assert refused.value.code == report.OUTPUT_FOLDER_EXIT_STATUS
    assert "not a batch index" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert (out / "index.html").read_text() == "my own notes"


def test_help_says_how_a_batch_resumes(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "writes only the missing ones" in text and "resumes when run again" in text


# ---------------------------------------------------------------------------------------------
# Real batches, stopped from outside
# ---------------------------------------------------------------------------------------------

def start_batch(tmp_path: Path, copies: int = 2) -> tuple[subprocess.Popen, Path, Path, list[str], Path]:
    source = tmp_path / "cohort.csv"
    ids = good_cohort(source, copies)
    out = tmp_path / "out"
    err = tmp_path / "stderr.txt"
    with err.open("w") as handle:
        process = subprocess.Popen(batch_command(source, out), cwd=tmp_path, env=environment(tmp_path),
                                   stdout=subprocess.DEVNULL, stderr=handle)
    assert wait_until(lambda: out.is_dir() and reports_in(out) or process.poll() is not None,
                      FIRST_REPORT_TIMEOUT_SECONDS, 0.05), "no report was written in time"
    assert process.poll() is None, err.read_text()
    return process, source, out, ids, err


@slow
@linux_only
@pytest.mark.parametrize("stop, status", [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 143),
                                          (signal.SIGINT, 130)], ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_stopped_batch_leaves_no_process_and_resumes_without_force(tmp_path, stop, status):
    process, source, out, ids, err = start_batch(tmp_path)
    tree = descendants(process.pid)
    workers = [line for line in tree.values() if "multiprocessing.spawn" in line]
    kernels = [line for line in tree.values() if "ipykernel_launcher" in line]
    assert len(workers) == 2 and len(kernels) == 2, tree  # otherwise the test below would prove nothing
    written_before = {name: (out / name).stat().st_mtime_ns for name in reports_in(out)}

    os.kill(process.pid, stop)
    assert process.wait(timeout=DEADLINE_SECONDS) == status
    assert wait_until(lambda: not any(alive(pid, started) for pid, started in tree), DEADLINE_SECONDS), \
        [line for (pid, started), line in tree.items() if alive(pid, started)]
    assert processes_mentioning(str(out), str(tmp_path / "runtime")) == []

    if stop != signal.SIGKILL:  # handled: everything is tidy at once, and the user gets one line
        assert leftovers(out) == [] and connection_files(tmp_path) == []
        lines = err.read_text().strip().splitlines()
        assert len(lines) == 1 and f"stopped by {signal.Signals(stop).name}" in lines[0], lines
        if stop == signal.SIGINT:
            return  # the same cleanup path as SIGTERM; one resume check per kind of stop is enough
    else:  # a SIGKILL mid-write would leave a temporary report: the next run must remove it
        (out / ".netlib-interrupted.html.k1ll3d.part").write_bytes(b"<html>half")

    again = subprocess.run(batch_command(source, out), cwd=tmp_path, env=environment(tmp_path),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert reports_in(out) == sorted(f"{patient_id}.html" for patient_id in ids)
    assert leftovers(out) == [] and connection_files(tmp_path) == []
    for name, mtime in written_before.items():  # kept, not rewritten
        assert (out / name).stat().st_mtime_ns == mtime
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<td>already present</td>") >= len(written_before)
    assert "<td>failed</td>" not in index and ", 0 failed." in index


RUN_MARKER = "NETLIB_TEST_RUN"  # an environment variable naming one test run's processes


def is_browser(command_line: str) -> bool:
    """Chromium's main process (its helpers carry --type=...)."""
    program = command_line.split(" ", 1)[0].rsplit("/", 1)[-1]
    return "chrom" in program and "--type=" not in command_line and "crashpad" not in program


@slow
@linux_only
@pytest.mark.browser
@pytest.mark.skipif(not (os.environ.get(report.CHROMIUM_ENVIRONMENT_VARIABLE)
                         or any(shutil.which(name) for name in report.CHROMIUM_NAMES)),
                    reason="no Chromium executable on PATH")
def test_a_killed_pdf_batch_leaves_no_browser_worker_or_kernel(tmp_path):
    # Chromium is a child of the worker, but its helpers need not stay in the process tree (a crash
    # handler detaches to init).  The tree cannot find them all after a kill; the run's environment marker,
    # inherited by every one of them, can.
    marker = uuid.uuid4().hex
    source = tmp_path / "cohort.csv"
    good_cohort(source, copies=4)
    out = tmp_path / "out"
    process = subprocess.Popen(batch_command(source, out, "--pdf"), cwd=tmp_path,
                               env={**environment(tmp_path), RUN_MARKER: marker},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def printing() -> bool:  # both workers' browsers are up and at least one PDF is out
            browsers = [line for line in processes_with_environment(RUN_MARKER, marker).values() if is_browser(line)]
            return len(browsers) == 2 and out.is_dir() and any(out.glob("*.pdf"))

        assert wait_until(lambda: printing() or process.poll() is not None, FIRST_REPORT_TIMEOUT_SECONDS, 0.05)
        assert process.poll() is None, "the batch ended before the test could kill it"
        run = processes_with_environment(RUN_MARKER, marker)
        tree = descendants(process.pid)
        lines = list(run.values())
        # Otherwise the test below would prove nothing: two workers, each with a kernel and a browser.
        assert sum("multiprocessing.spawn" in line for line in lines) == 2, lines
        assert sum("ipykernel_launcher" in line for line in lines) == 2, lines
        assert sum(is_browser(line) for line in lines) == 2, lines

        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=DEADLINE_SECONDS) == -signal.SIGKILL
        assert wait_until(lambda: not processes_with_environment(RUN_MARKER, marker), DEADLINE_SECONDS), \
            sorted(processes_with_environment(RUN_MARKER, marker).values())
        # A process that is exiting has no environment left to read but is not a zombie yet: wait for the tree.
        assert wait_until(lambda: not any(alive(pid, started) for pid, started in tree), DEADLINE_SECONDS), \
            [line for (pid, started), line in tree.items() if alive(pid, started)]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@slow
def test_two_batches_into_one_folder_one_runs_the_other_refuses(tmp_path):
    source = tmp_path / "cohort.csv"
    ids = good_cohort(source)
    out = tmp_path / "out"
    runs = [subprocess.Popen(batch_command(source, out), cwd=tmp_path, env=environment(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
    for run in runs:
        run.stderr.close()
        run.stdout.close()
    statuses = sorted(code for code, _ in results)
    assert statuses == [0, report.OUTPUT_FOLDER_EXIT_STATUS], results
    refused = next(text for code, text in results if code == report.OUTPUT_FOLDER_EXIT_STATUS)
    assert len(refused.strip().splitlines()) == 1 and str(out) in refused and "Traceback" not in refused
    assert reports_in(out) == sorted(f"{patient_id}.html" for patient_id in ids)
    assert leftovers(out) == []
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<td>failed</td>" not in index and ", 0 failed." in index

    later = subprocess.run(batch_command(source, out), cwd=tmp_path, env=environment(tmp_path),
                           capture_output=True, text=True, timeout=600)
    assert later.returncode == 0, later.stderr
    assert (out / "index.html").read_text(encoding="utf-8").count("<td>already present</td>") == len(ids)


# ---------------------------------------------------------------------------------------------
# The template ships in the wheel
# ---------------------------------------------------------------------------------------------

@slow
def test_an_installed_wheel_runs_netlib_report(tmp_path):
    source = tmp_path / "source"  # a copy: building in the checkout would leave build/ and *.egg-info there
    shutil.copytree(ROOT / "netlib", source / "netlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "wheels"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("netlib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "netlib/templates/patient-report.ipynb" in names
    assert not [n for n in names if n.startswith("notebooks/")]
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                                str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr

    run = tmp_path / "run"  # not the checkout, so nothing can be imported from it
    run.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    where = subprocess.run([sys.executable, "-c", "import netlib.report as r; print(r.TEMPLATE_PATH)"], cwd=run,
                           env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()) == site / "netlib" / "templates" / "patient-report.ipynb", where.stderr
    done = subprocess.run([sys.executable, "-m", "netlib", "report", str(EXAMPLES / "progressive-midgut.yaml"),
                           "-o", "report.html"], cwd=run, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "177Lu-dotatate (PRRT) (preferred)" in page
    assert "netlib/templates/patient-report.ipynb" in page
