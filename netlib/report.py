"""Tumour-board reports: one self-contained HTML page (and PDF) per patient, or a batch with an index.

``netlib report patient.yaml -o report.html [--pdf] [--force] [--template T.ipynb] [--keep-notebook]``
``netlib report --batch patients.csv|folder -o outdir [--pdf] [--force] [--workers N] [--no-progress]
[--template T.ipynb] [--keep-notebook]``

How a report is made:

1. The patient is read (YAML with ``yaml.safe_load``, or JSON; in a batch, CSV rows as ``netlib cohort``
   reads them, or every ``*.yaml``/``*.yml``/``*.json`` file of a folder) and validated with
   :func:`netlib.pathway.recommend` *before any kernel starts*: bad input exits with status 2 (single) or
   marks that one patient as failed (batch).  An optional ``patient_id`` key or column names the patient;
   otherwise the file name (or the CSV row number) does.
2. The template ``netlib/templates/patient-report.ipynb`` (shipped inside the package; ``--template``
   names another) is parameterised with papermill's ``parameterize_notebook`` and executed with nbclient
   on a kernel that is started once and reused (the template's first cell clears the namespace).  The
   template owns the report: one cell per section, each calling a :mod:`netlib.report_view` helper; the
   contract (parameters, helpers, tags) is in that module's docstring.  A template without a cell
   tagged ``parameters`` is refused (exit 2).
3. The page is assembled from the cells' HTML/SVG outputs, in order, inside a fixed frame
   (intended-use notice and provenance, :func:`netlib.report_view.page`): no nbconvert export, no script,
   no remote asset; the file opens offline.  ``--keep-notebook`` also writes the executed notebook
   (``X.ipynb`` beside ``X.html``) as the audit record; its metadata ``netlib`` holds the provenance.
4. ``--pdf`` prints the HTML with headless Chromium through Playwright (one browser and one reused page
   per process: in a batch each worker prints its own reports; network blocked).  ``-o X.html --pdf``
   writes ``X.html`` and ``X.pdf``; ``-o X.pdf`` writes only the PDF.

Safety: every file is written to a temporary name in the target folder and renamed when complete
(``os.replace``), so a crash or Ctrl-C never leaves a partial report; an existing report is never
overwritten without ``--force``; every patient-supplied string is escaped with :func:`html.escape`.

A batch locks its output folder (a second batch into the same folder refuses at once), takes its
workers and their kernels down with it whatever ends it (SIGINT, SIGTERM, SIGHUP, or SIGKILL through
Linux's parent-death signal), removes its temporary files, and re-runs without ``--force`` by writing only
the reports that are missing: see :func:`run_batch`.
Exit status: 0 every report written, 1 some patients failed, 2 bad usage or (single report) bad input.

The third-party libraries (papermill, nbclient, playwright, yaml, matplotlib) are imported inside the
functions that need them; :func:`render_report_html` needs only the standard library and netlib.

Not a medical device; verify before clinical use.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from . import INTENDED_USE, NOT_A_MEDICAL_DEVICE, __version__
from .files import (EXIT_OK, EXIT_SOME_FAILED, PATIENT_FILE_SUFFIXES, CommandParser, PatientCsv, UsageError,
                    check_output, error_line, load_patient_file, os_error_line, take_patient_id)
from .inputs import InputError
from . import report_view as view
# The report's sections are made by netlib.report_view (one function per template cell); these names stay
# here for the code that imports them from netlib.report.
from .report_view import PROVENANCE_LABELS, REPORT_CSS, TEMPLATE_NAME, top_recommendation  # noqa: F401

# The template ships inside the package (package data), so an installed wheel can run `netlib report`.
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "patient-report.ipynb"
INDEX_NAME = "index.html"

CELL_TIMEOUT_SECONDS = 120  # one report cell takes well under a second; a hung kernel is restarted
KERNEL_STARTUP_TIMEOUT_SECONDS = 60

# Headless Chromium for PDFs: the Debian package (Playwright cannot download its own browser here).
# NETLIB_CHROMIUM overrides the executable; otherwise the first of these found on PATH is used.
CHROMIUM_ENVIRONMENT_VARIABLE = "NETLIB_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
PDF_FORMAT = "A4"
PDF_MARGINS = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}

# Cells left out of the report: the template's notes and set-up, the parameters (see netlib.report_view).
HIDDEN_CELL_TAGS = ("remove-cell", "parameters", "injected-parameters")


# ---------------------------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------------------------

def canonical_inputs(patient: Mapping[str, Any]) -> dict[str, Any]:
    """The validated, typed values of the fields that were given (raises InputError).

    YAML ``ki67_percent: 6`` and a CSV cell ``6.0`` give the same canonical value, so the same
    patient has the same hash whichever file it came from.
    """
    from .pathway import PATIENT_FORM

    clean = PATIENT_FORM.validate(patient)
    return {name: value for name, value in clean.items() if value is not None}


def inputs_sha256(patient: Mapping[str, Any], scans: Sequence[Any] = ()) -> str:
    """SHA-256 of the canonical JSON of the inputs: keys sorted, no spaces, UTF-8; patient_id excluded.

    ``scans`` (from :func:`netlib.measurements.read_measurements`) enter as ``measurements``: a list of
    [ISO date, sum of diameters]; without scans the hash is what it was before measurements existed.
    """
    canonical = canonical_inputs(patient)
    if scans:
        canonical["measurements"] = [[scan.when.isoformat(), scan.sum_diameters_mm] for scan in scans]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_revision(start: Path | None = None) -> str | None:
    """The commit netlib was loaded from, read from ``.git`` without running git; None outside a checkout.

    Uncommitted changes are not detected.
    """
    root = (start or Path(__file__).resolve().parent.parent) / ".git"
    try:
        head = (root / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[len("ref: "):]
        loose = root / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip() or None
        for line in (root / "packed-refs").read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except OSError:
        return None
    return None


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def base_provenance(patient_id: str, source: str, *, generated_at: str | None = None,
                    revision: str | None = None) -> dict[str, str]:
    """What the caller knows about a report; :func:`render_report_html` adds what the kernel ran."""
    return {"patient_id": patient_id, "source": source, "generated_at": generated_at or now_utc(),
            "git_revision": revision or "not available"}


# ---------------------------------------------------------------------------------------------
# The report body (used by the template notebook)
# ---------------------------------------------------------------------------------------------

_e = html.escape  # quote=True: safe in text and in attribute values



def render_report_html(patient: Mapping[str, Any], provenance: Mapping[str, Any] | None = None, *,
                       measurements: Any = None, figures: bool = False) -> str:
    """The whole report for one patient as an HTML fragment (every patient-supplied string escaped).

    The same sections as the template, from the same helpers (:mod:`netlib.report_view`), in the
    packaged template's order, inside the fixed frame (notice, provenance).  ``provenance`` carries what
    the caller knows (patient_id, source, generated_at, git_revision); the netlib and rule-set versions
    and the inputs' hash are added here, from the code that actually ran.  ``figures=True`` adds the
    charts (imports matplotlib); without it only the standard library is used.
    Raises :class:`netlib.InputError` for invalid input, like ``recommend``.
    """
    from .measurements import read_measurements
    from .pathway import recommend

    result = recommend(patient)
    scans = read_measurements(measurements)
    record = view.provenance_record(patient, provenance, result.ruleset_version,
                                    inputs_sha256(patient, scans))
    parts = view.sections(result, patient, record["patient_id"], scans, with_figures=figures)
    return view.fragment("\n".join(part for part in parts if part), record)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

# Every temporary file netlib writes beside an output is named .netlib-<name>.<random>.part, so that a
# batch can recognise (and remove) the ones a killed run left behind.
TEMP_PREFIX = ".netlib-"
TEMP_SUFFIX = ".part"


def write_atomic(target: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``target`` and rename it into place when complete.

    Refuses to replace an existing file unless ``force``.  On any error (or Ctrl-C) the temporary file is
    removed, so ``target`` is either absent, the old file, or the complete new one.  Only a SIGKILL can
    leave the temporary file; the next batch into that folder removes it (:func:`remove_temporaries`).
    """
    if not force and target.exists():
        raise FileExistsError(f"{target} exists; refusing to overwrite it without --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX,
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; reports are ordinary files
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_temporaries(folder: Path) -> list[str]:
    """Remove the temporary files of :func:`write_atomic` in ``folder``; returns their names.

    Call it only while holding the folder's batch lock (:class:`OutputFolderLock`) and with no worker
    running: then every such file is left over from a run that was killed.
    """
    removed = []
    for path in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path.name)
    return removed


# ---------------------------------------------------------------------------------------------
# A batch's output folder: one batch at a time
# ---------------------------------------------------------------------------------------------

LOCK_NAME = ".netlib-batch.lock"
# Exit status when the output folder is busy or cannot be locked: bad usage or I/O.  The one constant to
# change when the command line gets its own status for I/O failures.
OUTPUT_FOLDER_EXIT_STATUS = 2


class OutputFolderError(Exception):
    """The output folder is locked by another batch, or cannot be created or locked (one-line message)."""


class OutputFolderLock:
    """An exclusive, non-blocking ``flock`` on ``<folder>/.netlib-batch.lock`` for one batch run.

    The kernel releases the lock when the holder dies, however it dies (SIGKILL included), so a stale
    lock file never blocks the next run.  The file is removed on release; a run that opened the file
    just before it was removed notices (the path no longer names the file it locked) and tries again.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._descriptor: int | None = None

    def acquire(self) -> "OutputFolderLock":
        import fcntl

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            while True:
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
                    os.close(descriptor)
                    raise OutputFolderError(
                        f"netlib report: another batch is writing to {self.folder}"
                        + (f" (process {holder})" if holder.isdigit() else "")
                        + "; wait for it to finish or choose another -o folder") from None
                except BaseException:
                    os.close(descriptor)
                    raise
                try:
                    current = os.stat(self.path)
                except FileNotFoundError:
                    current = None
                if current is not None and os.path.samestat(current, os.fstat(descriptor)):
                    break
                os.close(descriptor)  # released and removed by its holder meanwhile: lock the new file
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError as error:
            raise OutputFolderError(f"netlib report: cannot lock the output folder {self.folder}: "
                                   f"{error.strerror or error}") from None
        self._descriptor = descriptor
        return self

    def release(self) -> None:
        if self._descriptor is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still holding the lock (see the class docstring)
        except OSError:
            pass
        finally:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> "OutputFolderLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# ---------------------------------------------------------------------------------------------
# Stopping cleanly: signals, and processes that die with their parent
# ---------------------------------------------------------------------------------------------

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived; ``status`` is the shell's exit status for it (130 SIGINT, 143 SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.status = 128 + signum
        self.name = signal.Signals(signum).name


@contextmanager
def stop_signals_raise():
    """In the main thread: SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` (once; later ones are
    ignored while the first is being handled), so ``finally`` blocks stop workers and remove temporary
    files.  The previous handlers are restored on exit.  Elsewhere: nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = []

    def handler(signum, _frame):
        if stopping:
            return
        stopping.append(signum)
        raise Interrupted(signum)

    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _parent_death_signal_setter():
    """A function that asks Linux to SIGKILL the calling process when its parent exits, or None.

    ``prctl(PR_SET_PDEATHSIG)`` is resolved here, before any fork, so that a ``preexec_fn`` runs no
    dynamic loading between fork and exec.  The signal fires when the *thread* that started the child
    exits; netlib starts workers and kernels from the main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    kill = int(signal.SIGKILL)

    def die_with_parent(parent_pid: int) -> None:
        if prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent_pid:  # the parent died before the signal was armed
            os.kill(os.getpid(), kill)

    return die_with_parent


def die_with_parent(parent_pid: int) -> None:
    """Linux: this process is SIGKILLed when its parent ``parent_pid`` exits (no-op elsewhere)."""
    setter = _parent_death_signal_setter()
    if setter is not None:
        setter(parent_pid)


def _kernel_preexec():
    """``preexec_fn`` for a kernel: it dies with the process that starts it (Linux), or None."""
    setter = _parent_death_signal_setter()
    if setter is None:
        return None
    parent_pid = os.getpid()
    return lambda: setter(parent_pid)


# Kernel connection files are named after the process that owns the kernel, so that a run can remove the
# ones a killed process left in Jupyter's runtime folder.
KERNEL_CONNECTION_PREFIX = "netlib-kernel-"


def _kernel_connection_file() -> str:
    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{KERNEL_CONNECTION_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}.json")


def _process_exists(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, killed but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc: the signal test is all there is
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def remove_stale_connection_files() -> list[str]:
    """Remove netlib's kernel connection files whose owning process no longer exists; returns the names."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return []
    removed = []
    for path in Path(jupyter_runtime_dir()).glob(f"{KERNEL_CONNECTION_PREFIX}*.json"):
        owner = path.name[len(KERNEL_CONNECTION_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not _process_exists(int(owner)):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path.name)
    return removed


# ---------------------------------------------------------------------------------------------
# Execution: one kernel, reused
# ---------------------------------------------------------------------------------------------

@contextmanager
def _without_rfc3987_syntax():
    """Import nbformat without rfc3987_syntax: saves about a second of CPU per process.

    jsonschema (imported by nbformat) loads rfc3987_syntax when it is installed, which builds a Lark
    grammar at import time, only to check the "iri" string formats that notebook validation never uses.
    jsonschema imports it under ``suppress(ImportError)``, so marking it absent while jsonschema is first
    imported just leaves those two format checkers out.  Nothing changes if jsonschema is already loaded.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        yield
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        yield
    finally:
        if "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None:
            del sys.modules["rfc3987_syntax"]


# Output types a report shows, in order of preference within one output (the first present is used).
SHOWN_OUTPUT_TYPES = ("text/html", "image/svg+xml", "image/png")


def assemble_outputs(notebook) -> str:
    """The report body: the displayed outputs of every cell not tagged HIDDEN_CELL_TAGS, in order.

    HTML is taken as the template made it (the helpers escape every patient string); SVG is inlined
    without its XML prolog; PNG becomes a data: image.  stdout, stderr and plain-text results are not
    shown (a stray print or a bare expression does not reach the report); a failed cell stops execution
    before this point.
    """
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or set(cell.metadata.get("tags", ())) & set(HIDDEN_CELL_TAGS):
            continue
        for output in cell.get("outputs", ()):
            data = output.get("data", {})
            kind = next((k for k in SHOWN_OUTPUT_TYPES if k in data), None)
            if kind is None:
                continue
            value = data[kind]
            value = "".join(value) if isinstance(value, list) else str(value)
            if kind == "image/svg+xml":
                value = view.inline_svg(value)
            elif kind == "image/png":
                value = f'<img alt="figure" src="data:image/png;base64,{_e(value.strip())}">'
            if value.strip():
                parts.append(value)
    return "\n".join(parts)


def template_problem(template: Path) -> str | None:
    """Why ``template`` cannot be used as a report template (one line), or None."""
    try:
        notebook = json.loads(Path(template).read_text(encoding="utf-8"))
        cells = notebook["cells"]
        notebook["metadata"]["kernelspec"]["name"]
    except FileNotFoundError:
        return f"template {template} not found"
    except (OSError, ValueError, KeyError, TypeError):
        return f"template {template} is not a Jupyter notebook with a kernelspec"
    if not any(cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", ())
               for cell in cells if isinstance(cell, dict)):
        return (f"template {template} has no code cell tagged 'parameters' "
                "(see the template contract in netlib.report_view)")
    return None


class ReportEngine:
    """Executes the template on one IPython kernel (started once, reused) and assembles the HTML page.

    The kernel is launched first, so that it boots while papermill, nbclient and nbconvert are imported.
    A kernel that dies or hangs is restarted; the patient being rendered is reported as failed.  On Linux
    the kernel dies with the process that made the engine (parent-death signal, so even a SIGKILL of that
    process leaves no kernel behind); make the engine in the main thread, as the signal follows the thread
    that started the kernel.  Its connection file is named after this process (KERNEL_CONNECTION_PREFIX).
    """

    def __init__(self, template: Path = TEMPLATE_PATH, *, timeout: int = CELL_TIMEOUT_SECONDS):
        template = Path(template)
        if not template.is_file():
            raise FileNotFoundError(f"report template {template} not found")
        kernel_name = json.loads(template.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"]
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # The asynchronous manager, as nbclient uses when it owns the kernel: its client lets nbclient
        # notice a dead kernel and enforce the cell timeout (a blocking client would wait forever).
        self._kernel_log = tempfile.TemporaryFile()  # ipykernel's stderr: TCP warnings, or why it died
        self._sync = run_sync
        self.km = AsyncKernelManager(kernel_name=kernel_name, connection_file=_kernel_connection_file())
        self.kc = None
        self.timeout = timeout
        self._needs_restart = False
        try:
            try:
                self._sync(self.km.start_kernel)(stderr=self._kernel_log, **self._launch_options())
            except NoSuchKernel:
                raise ReportError(f"no Jupyter kernel named {kernel_name!r} (the template's kernelspec); "
                                  "install ipykernel where netlib is installed") from None
            with _without_rfc3987_syntax():
                import nbformat  # noqa: F401  (imports jsonschema)
            from papermill.iorw import load_notebook_node

            self.template = load_notebook_node(str(template))
        except BaseException:
            self.close()
            raise

    def execute(self, patient: Mapping[str, Any], provenance: Mapping[str, Any], measurements: Any = ()):
        """The executed notebook for one patient (raises ReportError when a cell fails).

        Its metadata (``netlib``) records the provenance: rule-set and netlib versions, git revision,
        inputs' SHA-256, template, generation time; the report page shows the same record.
        """
        import copy

        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.parameterize import parameterize_notebook

        if self._needs_restart or not self._sync(self.km.is_alive)():
            self._restart()
        from .measurements import read_measurements
        from .pathway import recommend

        scans = read_measurements(measurements or None)
        record = view.provenance_record(patient, provenance, recommend(patient).ruleset_version,
                                        inputs_sha256(patient, scans))
        notebook = parameterize_notebook(copy.deepcopy(self.template), {
            "patient": dict(patient), "patient_id": record["patient_id"], "provenance": dict(provenance),
            "measurements": [{"date": s.when.isoformat(), "sum_diameters_mm": s.sum_diameters_mm} for s in scans]})
        notebook.metadata["netlib"] = record
        client = NotebookClient(notebook, km=self.km, timeout=self.timeout,
                                startup_timeout=KERNEL_STARTUP_TIMEOUT_SECONDS, record_timing=False)
        client.kc = self.kc
        try:
            try:
                client.execute()
            finally:
                self.kc = client.kc  # reuse the client's channels for the next patient
        except CellExecutionError as error:
            raise ReportError(f"the template failed: {error.ename}: {error.evalue}") from None
        except (CellTimeoutError, DeadKernelError) as error:
            self._needs_restart = True  # before the next patient, not now: this may be a Ctrl-C
            tail = self._kernel_log_tail()
            raise ReportError(f"the kernel stopped or hung: {str(error).splitlines()[0]}"
                              + (f"; kernel log: {tail}" if tail else "")) from None
        return notebook

    def _kernel_log_tail(self, size: int = 600) -> str:
        """The end of the kernel's stderr, read without moving the offset the kernel writes at."""
        try:
            descriptor = self._kernel_log.fileno()
            length = os.fstat(descriptor).st_size
            text = os.pread(descriptor, min(size, length), max(0, length - size)).decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        lines = [line for line in text.splitlines() if "without encryption" not in line]
        return " | ".join(lines[-3:]).strip()

    def render(self, patient: Mapping[str, Any], provenance: Mapping[str, Any], measurements: Any = (), *,
               keep: list | None = None) -> str:
        """The complete, offline HTML page for one patient: the cells' outputs inside the fixed frame.

        ``keep``: a list that receives the executed notebook (for ``--keep-notebook``).
        """
        notebook = self.execute(patient, provenance, measurements)
        if keep is not None:
            keep.append(notebook)
        body = strip_style_comments(assemble_outputs(notebook))
        page = view.page(body, notebook.metadata["netlib"])
        problem = remote_asset_references(page)
        if problem:
            raise ReportError(f"the exported HTML refers to a remote asset ({problem[0]}); not written")
        if "<script" in page.lower():
            raise ReportError("the template's output holds a <script> element; not written")
        return page

    def _restart(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km.has_kernel:
            self._sync(self.km.restart_kernel)(now=True)
        else:
            self._sync(self.km.start_kernel)(stderr=self._kernel_log, **self._launch_options())
        self._needs_restart = False

    @staticmethod
    def _launch_options() -> dict[str, Any]:
        """Popen options for the kernel (jupyter_client keeps them for restarts): die with this process."""
        preexec = _kernel_preexec()
        return {"preexec_fn": preexec} if preexec is not None else {}

    def close(self) -> None:
        """Stop the channels and the kernel, remove its connection file (idempotent).

        After an interruption the manager may be unusable (its event loop was stopped mid-call): the
        kernel process is then killed directly.
        """
        try:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
            if self.km.has_kernel:
                self._sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            process = getattr(self.km.provisioner, "process", None)
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        finally:
            try:
                self.km.cleanup_connection_file()
            except Exception:
                pass
            self._kernel_log.close()

    def __enter__(self) -> "ReportEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ReportError(RuntimeError):
    """One report could not be made (the patient's input was valid)."""


def _brief(error: BaseException) -> str:
    """An exception in one line (Playwright's errors carry whole browser logs)."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else ""
    return first if isinstance(error, ReportError) else f"{type(error).__name__}: {first}".rstrip(": ")


def strip_style_comments(page: str) -> str:
    """Drop /* comments */ inside <style> blocks: stylesheets credit their sources with URLs, which would
    make a report look as if it referred to remote hosts."""
    import re

    comment = re.compile(r"/\*.*?\*/", re.DOTALL)
    return re.sub(r"(<style[^>]*>)(.*?)(</style>)",
                  lambda m: m.group(1) + comment.sub("", m.group(2)) + m.group(3), page,
                  flags=re.DOTALL | re.IGNORECASE)


def remote_asset_references(text: str) -> list[str]:
    """``src=``/``href=``/``url(``/``@import``/``import(`` references to http(s) hosts in an HTML page."""
    import re

    pattern = re.compile(r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?|"""
                         r"""\bimport\s*\(\s*["'])\s*(?:https?:)?//""", re.IGNORECASE)
    return [match.group(0) for match in pattern.finditer(text)]


# ---------------------------------------------------------------------------------------------
# PDF: headless Chromium through Playwright, one browser for many reports
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Reading patients
# ---------------------------------------------------------------------------------------------

@dataclass
class Patient:
    """One patient of a report run: the given values, or why they cannot be used."""

    patient_id: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None
    top: str = ""
    pathway: str = ""
    measurements: Any = None  # the file's ``measurements`` entry, taken out of the clinical values
    scans: tuple = ()  # ... validated by check() / validate()

    def __post_init__(self) -> None:
        from .measurements import FIELD

        if isinstance(self.values, dict) and FIELD in self.values:
            self.measurements = self.values.pop(FIELD)

    def validate(self):
        """recommend() on the clinical values and read_measurements() on the scans; raises InputError."""
        from .measurements import read_measurements
        from .pathway import recommend

        result = recommend(self.values)
        self.scans = read_measurements(self.measurements)
        return result

    def check(self) -> None:
        """Validate with recommend(): sets ``error`` instead of raising (batch) -- the kernel never sees it."""
        if self.error:
            return
        try:
            result = self.validate()
        except InputError as error:
            self.error, self.error_field = str(error), error.field
            return
        self.top, self.pathway = top_recommendation(result), result.pathway

    def scan_list(self) -> list[dict[str, Any]]:
        """The validated scans as plain data (for the kernel's ``measurements`` parameter)."""
        return [{"date": scan.when.isoformat(), "sum_diameters_mm": scan.sum_diameters_mm} for scan in self.scans]


def _split_id(values: dict[str, Any], default: str) -> str:
    return take_patient_id(values, default) or default


def read_patient_file(path: str | Path) -> Patient:
    """One patient from YAML or JSON (netlib.files.load_patient_file: UsageError for an unreadable file,
    InputError for a bad patient_id, OSError when the file cannot be read)."""
    values = load_patient_file(path)
    return Patient(_split_id(values, Path(path).stem), str(path), values)


def read_csv_patients(path: Path) -> list[Patient]:
    """Rows of a cohort CSV, read as ``netlib cohort`` reads them (netlib.files.PatientCsv).

    Column names are patient fields plus an optional patient_id (default: the row number); an empty cell
    is a value not given; an unknown column or an unterminated quote refuses the whole file (InputError,
    exit 2); a row with fewer or more cells than the header is that patient's error.
    """
    from .pathway import PATIENT_FORM

    patients = []
    with PatientCsv(path, PATIENT_FORM.by_name) as rows:
        for row in rows:
            values = row.values
            patient = Patient(_split_id(values, str(row.number)), f"{Path(path).name} row {row.number}", values)
            if row.problem is not None:
                patient.error, patient.error_field = row.problem, "row"
            patients.append(patient)
    return patients


def read_batch(source: str | Path) -> list[Patient]:
    """A CSV file (one patient a row) or a folder (every *.yaml, *.yml and *.json file, sorted).

    In a folder, a file that cannot be read (not UTF-8, not YAML, too large, unreadable) is that
    patient's error; the others go on.
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in PATIENT_FILE_SUFFIXES and p.is_file())
        if not files:
            raise UsageError(f"netlib report: no *.yaml, *.yml or *.json patient files in {source}")
        patients = []
        for file in files:
            try:
                patients.append(read_patient_file(file))
            except (UsageError, InputError) as error:
                message = error_line(error) if isinstance(error, InputError) else str(error)
                patients.append(Patient(file.stem, str(file), error=message, error_field="file"))
            except OSError as error:
                patients.append(Patient(file.stem, str(file), error=f"cannot read: {os_error_line(error)}",
                                        error_field="file"))
        return patients
    if path.is_file() and path.suffix.lower() == ".csv":
        patients = read_csv_patients(path)
        if not patients:
            raise UsageError(f"netlib report: {source} has no patient rows")
        return patients
    raise UsageError(f"netlib report: --batch needs a .csv file or a folder of patient files; got {source!r}")


def file_stem(patient_id: str, taken: set[str]) -> str:
    """A safe, unique file name stem for a patient id (ASCII letters, digits, '-', '_', '.')."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in patient_id)
    stem = "_".join(part for part in stem.split("_") if part).strip("._")[:80] or "patient"
    candidate, number = stem, 2
    while candidate.lower() in taken:
        candidate, number = f"{stem}-{number}", number + 1
    taken.add(candidate.lower())
    return candidate


# ---------------------------------------------------------------------------------------------
# One report
# ---------------------------------------------------------------------------------------------

def report_one(patient: Patient, output: Path, *, pdf: bool = False, force: bool = False,
               template: Path = TEMPLATE_PATH, keep_notebook: bool = False) -> list[Path]:
    """Validate, execute, export and write one report; returns the files written.

    ``output`` ending in .pdf writes only the PDF; otherwise the HTML, plus a PDF beside it with ``pdf``.
    ``keep_notebook`` also writes the executed notebook beside it (``X.ipynb``).
    Invalid input raises InputError before any kernel starts.  SIGINT, SIGTERM or SIGHUP stop the kernel,
    leave no temporary file, print one line and exit with 128 + the signal number.
    """
    patient.validate()  # InputError here: nothing started, nothing written
    pdf_only = output.suffix.lower() == ".pdf"
    pdf = pdf or pdf_only
    targets = [output] if pdf_only else [output] + ([output.with_suffix(".pdf")] if pdf else [])
    notebook_path = output.with_suffix(".ipynb") if keep_notebook else None
    _refuse_existing(targets + ([notebook_path] if notebook_path else []), force)
    if pdf:
        _require_chromium()
    provenance = base_provenance(patient.patient_id, patient.source, revision=git_revision())
    written: list[Path] = []
    with stop_signals_raise():
        try:
            executed: list = []
            with ReportEngine(template) as engine:
                page = engine.render(patient.values, provenance, patient.scan_list(), keep=executed)
            if not pdf_only:
                write_atomic(output, page.encode("utf-8"), force=force)
                written.append(output)
            if notebook_path is not None:
                write_atomic(notebook_path, notebook_bytes(executed[0]), force=force)
                written.append(notebook_path)
            if pdf:
                try:
                    with PdfPrinter() as printer:
                        data = printer.pdf(page, patient.patient_id)
                except Exception as error:
                    raise ReportError(f"PDF failed: {_brief(error)}") from None
                write_atomic(targets[-1], data, force=force)
                written.append(targets[-1])
        except Interrupted as stop:
            done = f"; {written[0]} was written" if written else "; nothing was written"
            sys.stderr.write(f"netlib report: stopped by {stop.name}: kernel stopped, no partial file left{done}\n")
            raise SystemExit(stop.status) from None
    return written


def notebook_bytes(notebook) -> bytes:
    """An executed notebook as .ipynb bytes (nbformat 4, as papermill writes it)."""
    import nbformat

    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def _require_chromium() -> None:
    """--pdf without a browser is bad usage: say so before any work starts."""
    try:
        chromium_executable()
    except ReportError as error:
        raise UsageError(f"netlib report: --pdf: {error}") from None


def _refuse_existing(targets: Sequence[Path], force: bool) -> None:
    if force:
        return
    existing = [t for t in targets if t.exists()]
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UsageError(f"netlib report: {existing[0]} exists{more}; refusing to overwrite without --force")


# ---------------------------------------------------------------------------------------------
# Batch: spawned workers, each with one reused kernel
# ---------------------------------------------------------------------------------------------

FORCE_HELP = ("rewrite every report. Without it a single report refuses to overwrite, and a batch keeps the "
              "reports already in the output folder (made from the same inputs) and writes only the missing "
              "ones: a batch that was stopped or killed resumes when run again")

_WORKER_ENGINE: ReportEngine | None = None
_WORKER_ERROR: str | None = None  # why this worker has no engine (reported for each of its patients)
_WORKER_PRINTER: "PdfPrinter | None" = None  # started at this worker's first PDF, reused for the others


def _worker_start(template: str, parent_pid: int | None = None) -> None:
    """Process-pool initializer: one kernel per worker, shut down when the worker exits.

    On Linux the worker is SIGKILLed when the batch process exits, however it exits, and its kernel is
    SIGKILLed when the worker exits (parent-death signals): a killed batch leaves no process behind.
    A worker's Chromium (for PDFs) is a child of Playwright's driver, which exits, closing the browser,
    when the worker's pipe to it closes.  The worker leaves the terminal's process group, so Ctrl-C
    reaches only the batch process, which then stops the workers itself.
    """
    from multiprocessing import util

    global _WORKER_ENGINE, _WORKER_ERROR
    if parent_pid is not None:
        die_with_parent(parent_pid)
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    util.Finalize(None, _worker_close_printer, exitpriority=11)
    try:
        _WORKER_ENGINE = ReportEngine(Path(template))
    except Exception as error:
        _WORKER_ERROR = f"could not start the report kernel: {_brief(error)}"
        return
    util.Finalize(_WORKER_ENGINE, _WORKER_ENGINE.close, exitpriority=10)


def _worker_close_printer() -> None:
    global _WORKER_PRINTER
    if _WORKER_PRINTER is not None:
        _WORKER_PRINTER.close()
        _WORKER_PRINTER = None


@dataclass
class Job:
    """One patient's work for a batch worker (plain data: it crosses the process boundary)."""

    index: int
    values: dict
    provenance: dict
    measurements: list
    html_path: str
    make_html: bool
    pdf_path: str | None  # None: no PDF to print
    notebook_path: str | None  # --keep-notebook
    force: bool


def _worker_render(job: Job) -> tuple[int, str | None, str | None]:
    """Render and write one HTML report (and its notebook), print its PDF; returns (index, error, pdf error).

    ``error`` None means the HTML report stands (written now, or kept from an earlier run).
    """
    global _WORKER_PRINTER
    page = None
    if job.make_html:
        if _WORKER_ENGINE is None:
            return job.index, _WORKER_ERROR or "the report worker has no kernel", None
        try:
            executed: list = []
            page = _WORKER_ENGINE.render(job.values, {**job.provenance, "generated_at": now_utc()},
                                         job.measurements, keep=executed if job.notebook_path else None)
            write_atomic(Path(job.html_path), page.encode("utf-8"), force=job.force)
            if job.notebook_path:
                write_atomic(Path(job.notebook_path), notebook_bytes(executed[0]), force=True)
        except ReportError as error:
            return job.index, str(error), None
        except Exception as error:  # one patient's failure must not stop the batch
            return job.index, _brief(error), None
    if job.pdf_path is None:
        return job.index, None, None
    try:
        if page is None:
            page = Path(job.html_path).read_text(encoding="utf-8")
        if _WORKER_PRINTER is None:
            try:
                _WORKER_PRINTER = PdfPrinter()
            except Exception as error:
                return job.index, None, f"PDF failed: Chromium did not start: {_brief(error)}"
        data = _WORKER_PRINTER.pdf(page, job.provenance.get("patient_id", ""))
        write_atomic(Path(job.pdf_path), data, force=job.force)
    except Exception as error:
        return job.index, None, f"PDF failed: {_brief(error)}"
    return job.index, None, None


def _stop_pool(pool) -> None:
    """Cancel the queued patients and kill the workers now; their kernels die with them."""
    # Python 3.14 has ProcessPoolExecutor.kill_workers(); before it, the pool's own process table.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.kill()
        except Exception:
            pass
    for process in processes:
        try:
            process.join(timeout=10)
        except Exception:
            pass
    remove_stale_connection_files()  # the killed workers' kernels could not remove theirs


@dataclass
class BatchSummary:
    """``files``: what this run wrote, per patient; ``present``: reports kept from an earlier run."""

    patients: list[Patient]
    files: dict[int, dict[str, str]]
    index_path: Path
    seconds: float
    present: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def failed(self) -> list[Patient]:
        return [p for p in self.patients if p.error]


def run_batch(source: str | Path, outdir: str | Path, *, pdf: bool = False, force: bool = False,
              workers: int | None = None, progress: bool = True, template: Path = TEMPLATE_PATH,
              keep_notebook: bool = False) -> BatchSummary:
    """One report per patient plus index.html; a bad patient is recorded, never fatal to the others.

    Safe to stop and to run again:

    * the output folder is locked (:class:`OutputFolderLock`) from before the first file is written to
      after the index: a second batch into the same folder prints one line and exits with
      ``OUTPUT_FOLDER_EXIT_STATUS``, touching nothing;
    * without ``force``, a report already in the folder that was made from the same inputs (its inputs'
      SHA-256 is on the page) is kept and listed in the index as already present; a missing PDF is
      printed from it.  A report made from other inputs is not replaced (that patient fails and
      ``--force`` replaces it).  With ``force`` every report is rewritten;
    * SIGINT, SIGTERM or SIGHUP kill the workers (and so their kernels), remove the temporary files,
      print one line and exit with 128 + the signal number.  A SIGKILL cannot be handled: the workers and
      kernels die through Linux's parent-death signal and the next run removes the temporary files.
    """
    started = time.perf_counter()
    patients = read_batch(source)
    for patient in patients:
        patient.check()
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"netlib report: -o {outdir} must be a folder for --batch")
    taken = {Path(INDEX_NAME).stem}
    files: dict[int, dict[str, str]] = {}
    for number, patient in enumerate(patients):
        if not patient.error:
            stem = file_stem(patient.patient_id, taken)
            files[number] = {"html": f"{stem}.html", **({"pdf": f"{stem}.pdf"} if pdf else {})}
    if pdf and files:
        _require_chromium()
    problem = template_problem(Path(template))
    if problem:
        raise UsageError(f"netlib report: {problem}")
    remove_stale_connection_files()

    lock = OutputFolderLock(outdir)
    counts = {"written": 0}
    with stop_signals_raise():
        try:
            lock.acquire()
            summary = _run_locked(patients, files, outdir, pdf=pdf, force=force, workers=workers,
                                  progress=progress, template=Path(template), counts=counts,
                                  keep_notebook=keep_notebook)
        except OutputFolderError as error:
            sys.stderr.write(f"{error}\n")
            raise SystemExit(OUTPUT_FOLDER_EXIT_STATUS) from None
        except Interrupted as stop:
            sys.stderr.write(("\n" if progress else "") + f"netlib report: stopped by {stop.name}: workers and kernels stopped, temporary "
                             f"files removed, {counts['written']} reports written to {outdir}; run the same "
                             f"command again (without --force) to write the others\n")
            raise SystemExit(stop.status) from None
        finally:
            lock.release()
    summary.seconds = time.perf_counter() - started
    if summary.present:
        sys.stderr.write(f"netlib report: {len(summary.present)} reports already in {outdir} were kept "
                         f"(--force rewrites them)\n")
    return summary


def _existing_report_problem(path: Path, patient: Patient) -> str | None:
    """None when ``path`` is a report for this patient's inputs; otherwise why it cannot be kept."""
    try:
        page = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"{path.name} exists but cannot be read ({error.strerror or error}); --force replaces it"
    if inputs_sha256(patient.values, patient.scans) in page:
        return None
    return f"{path.name} exists and was not made from these inputs; --force replaces it"


def _is_batch_index(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b"<title>Tumour-board reports</title>" in handle.read(4096)
    except OSError:
        return False


def _run_locked(patients: list[Patient], files: dict[int, dict[str, str]], outdir: Path, *, pdf: bool,
                force: bool, workers: int | None, progress: bool, template: Path,
                counts: dict[str, int], keep_notebook: bool = False) -> BatchSummary:
    """The part of :func:`run_batch` that runs while holding the output folder's lock."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .cohort import Progress

    remove_temporaries(outdir)  # left by a run that was killed: no one else writes here while we hold the lock
    index_path = outdir / INDEX_NAME
    if not force and index_path.exists() and not _is_batch_index(index_path):
        raise OutputFolderError(f"netlib report: {index_path} exists and is not a batch index; "
                                "refusing to overwrite it without --force")

    # What to make for each patient: (render the HTML, print the PDF).
    plan: dict[int, tuple[bool, bool]] = {}
    present: dict[int, dict[str, str]] = {}
    for number, entry in list(files.items()):
        make_html = force or not (outdir / entry["html"]).exists()
        if not make_html:
            problem = _existing_report_problem(outdir / entry["html"], patients[number])
            if problem:
                patients[number].error, patients[number].error_field = problem, "report"
                del files[number]
                continue
        make_pdf = pdf and (force or not (outdir / entry["pdf"]).exists())
        if make_html or make_pdf:
            plan[number] = (make_html, make_pdf)
        else:
            present[number] = files.pop(number)

    revision, generated_at = git_revision(), now_utc()
    jobs = []
    for number, (make_html, make_pdf) in plan.items():
        patient, entry = patients[number], files[number]
        jobs.append(Job(number, patient.values,
                        base_provenance(patient.patient_id, patient.source, generated_at=generated_at,
                                        revision=revision),
                        patient.scan_list(), str(outdir / entry["html"]), make_html,
                        str(outdir / entry["pdf"]) if make_pdf else None,
                        str(outdir / (Path(entry["html"]).stem + ".ipynb")) if keep_notebook and make_html else None,
                        force))
    bar = Progress(len(patients), progress)
    done = len(patients) - len(plan)
    bar.update(done)

    pool = None

    def finish(number: int, error: str | None, pdf_error: str | None) -> None:
        nonlocal done
        patient = patients[number]
        if error is not None:
            patient.error, patient.error_field = error, "report"
            del files[number]
        else:
            if pdf_error is not None:  # the HTML report stands; the index links it and says why no PDF
                patient.error, patient.error_field = pdf_error, "pdf"
                files[number].pop("pdf", None)
            if plan[number][0] or pdf_error is None:
                counts["written"] += 1
        done += 1
        bar.update(done)

    try:
        if jobs:
            count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
            pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_worker_start, initargs=(str(template), os.getpid()))
            futures = {pool.submit(_worker_render, job): job.index for job in jobs}
            for future in as_completed(futures):
                try:
                    _, error, pdf_error = future.result()
                except Exception as crash:  # the worker itself died (e.g. no kernel could start)
                    error, pdf_error = f"report worker failed: {_brief(crash)}", None
                finish(futures[future], error, pdf_error)
    except BaseException:
        if pool is not None:
            _stop_pool(pool)
        raise
    finally:
        try:
            if pool is not None:
                try:
                    pool.shutdown(wait=True)  # the workers shut their kernels and browsers down
                except BaseException:  # a stop signal while waiting for them
                    _stop_pool(pool)
                    raise
        finally:
            remove_temporaries(outdir)
    links = {**present, **files}
    write_atomic(index_path, render_index_html(patients, links, generated_at, revision, present=present)
                 .encode("utf-8"), force=True)
    return BatchSummary(patients, files, index_path, 0.0, present)


def render_index_html(patients: Sequence[Patient], files: Mapping[int, Mapping[str, str]], generated_at: str,
                      revision: str | None, *, present: Iterable[int] = ()) -> str:
    """The batch's index page: one row per patient, failures with their reason (all text escaped).

    ``present``: the patients whose reports were already in the folder and were kept (not failures).
    """
    from .pathway import RULESET_VERSION

    present = set(present)
    rows = []
    for number, patient in enumerate(patients):
        links = " ".join(f'<a href="{_e(name)}">{_e(kind.upper())}</a>'
                         for kind, name in files.get(number, {}).items())
        if patient.error:
            status = "failed"
            field_name = f"<code>{_e(patient.error_field)}</code>: " if patient.error_field else ""
            detail = f'<span class="error">{field_name}{_e(patient.error)}</span>'
        else:
            status = "already present" if number in present else "report written"
            detail = _e(patient.top)
        rows.append(f'<tr class="{"failed" if patient.error else "ok"}"><td>{number + 1}</td>'
                    f"<td>{_e(patient.patient_id)}</td><td>{_e(patient.source)}</td><td>{status}</td>"
                    f"<td>{_e(patient.pathway)}</td><td>{detail}</td><td>{links}</td></tr>")
    failed = sum(1 for p in patients if p.error)
    kept = sum(1 for number in present if number < len(patients) and not patients[number].error)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tumour-board reports</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 2rem;
  color: #1d1d1d; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #ccc; padding: .3rem .5rem;
  text-align: left; vertical-align: top; }} th {{ background: #f0f0f0; }}
tr.failed td {{ background: #fff3f3; }} .error {{ color: #8a1c1c; }}
.notice {{ border: 2px solid #a33; background: #fff3f3; padding: .5rem .7rem; margin: .6rem 0; }}
.muted {{ color: #555; font-size: .9em; }}
</style></head>
<body>
<h1>Tumour-board reports</h1>
<div class="notice"><strong>{_e(NOT_A_MEDICAL_DEVICE)}</strong> {_e(INTENDED_USE)}</div>
<p>{len(patients)} patients: {len(patients) - failed - kept} reports written, {kept} already present, {failed} failed.</p>
<table><thead><tr><th>#</th><th>Patient</th><th>Input</th><th>Status</th><th>Pathway</th>
<th>Top recommendation, or why it failed</th><th>Files</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p class="muted">netlib {_e(__version__)} · rule set {_e(RULESET_VERSION)} · git revision
{_e(revision or "not available")} · generated {_e(generated_at)} (UTC)</p>
</body></html>
"""


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def _workers(text: str) -> int:
    """--workers N: a whole number in ASCII digits (argparse's int() would take "1_0" and "٣")."""
    if not text.strip().isascii() or not text.strip().isdigit() or len(text.strip()) > 4:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1; got {text[:40]!r}")
    return int(text)


def _parser():
    parser = CommandParser(prog="netlib report",
                           description="Tumour-board report(s) as offline HTML (and PDF) from the report template.",
                           epilog=f"Exit status: 0 all written, 1 some patients failed, 2 bad usage or input, "
                                  f"74 a file could not be read or written. {NOT_A_MEDICAL_DEVICE}")
    parser.add_argument("file", nargs="?", help="one patient as YAML or JSON (optional key patient_id)")
    parser.add_argument("--batch", metavar="CSV_OR_FOLDER",
                        help="a cohort CSV (patient fields plus optional patient_id) or a folder of patient files")
    parser.add_argument("-o", "--output", required=True,
                        help="the report (.html, or .pdf for a PDF only); with --batch, the output folder")
    parser.add_argument("--pdf", action="store_true", help="also print a PDF beside each HTML report")
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)
    parser.add_argument("--workers", type=_workers, default=None,
                        help="batch: parallel workers, each with one kernel (default: the number of CPUs)")
    parser.add_argument("--no-progress", action="store_true", help="batch: no progress bar")
    parser.add_argument("--template", default=str(TEMPLATE_PATH),
                        help="a report template notebook with a cell tagged 'parameters' (default: the packaged one)")
    parser.add_argument("--keep-notebook", action="store_true",
                        help="also write the executed notebook (X.ipynb beside X.html) as the audit record")
    return parser


def cmd_report(argv: Sequence[str]) -> int:
    """``netlib report``: returns the exit status; raises UsageError / InputError for status 2, OSError
    for status 74."""
    args = _parser().parse_args(list(argv))
    template = Path(args.template)
    if bool(args.file) == bool(args.batch):
        raise UsageError("netlib report: give one patient file, or --batch CSV_OR_FOLDER (not both)")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"netlib report: --workers must be at least 1; got {args.workers}")
    if args.batch:
        summary = run_batch(args.batch, args.output, pdf=args.pdf, force=args.force, workers=args.workers,
                            progress=not args.no_progress, template=template, keep_notebook=args.keep_notebook)
        failed = summary.failed
        sys.stderr.write(f"netlib report: {len(summary.patients)} patients, {len(summary.files)} reports written "
                         f"to {args.output}, {len(failed)} failed ({summary.seconds:.1f} s); "
                         f"index: {summary.index_path}\n")
        for patient in failed:
            sys.stderr.write(f"  failed: {patient.patient_id} ({patient.source}): {patient.error}\n")
        return EXIT_SOME_FAILED if failed else EXIT_OK

    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise UsageError(f"netlib report: -o must end in .html or .pdf; got {args.output!r}")
    if template_problem(template):
        raise UsageError(f"netlib report: {template_problem(template)}")
    patient = read_patient_file(args.file)
    check_output(output, force=True, inputs=[args.file])  # not the input, a folder or a device (--force: below)
    if args.pdf and output.suffix.lower() != ".pdf":
        check_output(output.with_suffix(".pdf"), force=True, inputs=[args.file])
    try:
        written = report_one(patient, output, pdf=args.pdf, force=args.force, template=template,
                             keep_notebook=args.keep_notebook)
    except ReportError as error:
        sys.stderr.write(f"netlib report: {patient.patient_id}: {error}\n")
        return EXIT_SOME_FAILED
    for path in written:
        sys.stderr.write(f"netlib report: wrote {path}\n")
    return EXIT_OK
