"""The report engine: the template executed on one reused kernel, its outputs assembled into one page.

* provenance: the inputs' canonical form and SHA-256, the git revision, the generation time;
* the template: :func:`template_problem` (a notebook with a kernelspec and a cell tagged ``parameters``);
* :class:`ReportEngine`: papermill's ``parameterize_notebook`` and nbclient on an IPython kernel that is
  started once and reused; :func:`assemble_outputs` takes the displayed outputs of the report's cells and
  :func:`netlib.report_view.page` frames them; a page with a remote asset or a script is refused;
* :func:`render_report_html`: the same sections without a kernel (standard library and netlib only).

The third-party libraries (papermill, nbclient, nbformat, jupyter_client) are imported inside the functions
that need them.  Not a medical device; verify before clinical use.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from . import report_view as view
from .report_process import kernel_connection_file, kernel_preexec, stop_handlers_kept

# The template ships inside the package (package data), so an installed wheel can run `netlib report`.
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "patient-report.ipynb"

CELL_TIMEOUT_SECONDS = 120  # one report cell takes well under a second; a hung kernel is restarted
KERNEL_STARTUP_TIMEOUT_SECONDS = 60

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
# The report without a kernel
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
        if not isinstance(notebook["metadata"]["kernelspec"]["name"], str) or not isinstance(cells, list):
            raise TypeError("not a notebook")
    except FileNotFoundError:
        return f"template {template} not found"
    except (OSError, ValueError, KeyError, TypeError):
        return f"template {template} is not a Jupyter notebook with a kernelspec"
    for number, cell in enumerate(cells, start=1):
        metadata = cell.get("metadata", {}) if isinstance(cell, dict) else None
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else None
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            return (f"template {template} is not a Jupyter notebook: cell {number} has no list of tags "
                    "(metadata.tags), where the 'parameters' tag belongs")
    if not any(cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", [])
               for cell in cells):
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
        self.km = AsyncKernelManager(kernel_name=kernel_name, connection_file=kernel_connection_file())
        self.kc = None
        # A list (report_process.stop_signals_raise yields one) that receives a stop signal arriving while
        # cells run; None leaves nbclient's own handling (a batch worker: the batch process stops it).
        self.stop_signals: list | None = None
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
        if self.stop_signals is not None:
            client.on_cell_start = self._own_stop_signals
        # nbclient sets SIGINT and SIGTERM handlers of its own while it runs and, when done, leaves them at
        # their defaults: the handlers in place before are put back.
        try:
            try:
                with stop_handlers_kept():
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

    def _own_stop_signals(self, **_cell) -> None:
        """nbclient hook, before each cell: SIGINT and SIGTERM are recorded in ``stop_signals`` and shut the kernel
        down, so the cell fails at once and the caller, finding the signal recorded, reports a stop (exit
        128 + signal) rather than a failed template.  nbclient's own handlers shut the kernel down too, but
        leave no trace of the signal."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()

        def stop(number: int) -> None:
            if self.stop_signals is not None:
                self.stop_signals.append(number)
            self._needs_restart = True
            loop.create_task(self.km.shutdown_kernel(now=True))

        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop, number)

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
        preexec = kernel_preexec()
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


def brief_error(error: BaseException) -> str:
    """An exception in one line (a library's error may carry a whole log)."""
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


def notebook_bytes(notebook) -> bytes:
    """An executed notebook as .ipynb bytes (nbformat 4, as papermill writes it)."""
    import nbformat

    return (nbformat.writes(notebook) + "\n").encode("utf-8")
