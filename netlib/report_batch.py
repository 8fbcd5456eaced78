"""Batch reports: spawned workers, each with one reused kernel (and one browser for PDFs), an index page.

:func:`run_batch` reads the patients, validates them before any kernel starts, locks the output folder
(:class:`OutputFolderLock`), plans what is missing (a re-run without ``--force`` keeps the reports made
from the same inputs), runs the workers and writes :data:`netlib.report_index.INDEX_NAME`.
The worker functions live at module level: the pool spawns its processes and pickles them by name.
"""

from __future__ import annotations

import html
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .files import EXIT_IO, UsageError
from .report_engine import (TEMPLATE_PATH, ReportEngine, ReportError, base_provenance, brief_error, git_revision,
                            inputs_sha256, notebook_bytes, now_utc, template_problem)
from .report_files import Patient, file_stem, read_batch, remove_temporaries, write_atomic
from .report_index import INDEX_NAME, INDEX_TITLE, render_index_html
from .report_pdf import PdfPrinter, require_chromium
from .report_process import (Interrupted, die_with_parent, remove_stale_connection_files,
                             stop_signals_raise)

# ---------------------------------------------------------------------------------------------
# A batch's output folder: one batch at a time
# ---------------------------------------------------------------------------------------------

LOCK_NAME = ".netlib-batch.lock"
# Exit status when another batch holds the output folder (bad usage); a folder that cannot be created or
# locked (read-only, full disk) is an I/O failure: EXIT_IO, as for every file that cannot be written.
OUTPUT_FOLDER_EXIT_STATUS = 2


class OutputFolderError(Exception):
    """The output folder is locked by another batch, or cannot be created or locked (one-line message);
    ``status`` is the exit status it ends the command with."""

    def __init__(self, message: str, status: int = OUTPUT_FOLDER_EXIT_STATUS):
        super().__init__(message)
        self.status = status


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
                # O_NOFOLLOW: a link planted under the lock's name is refused, never written through.
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
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
                                    f"{error.strerror or error}", EXIT_IO) from None
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
# Workers: spawned processes, each with one reused kernel (and a browser for PDFs)
# ---------------------------------------------------------------------------------------------

_WORKER_ENGINE: ReportEngine | None = None
_WORKER_ERROR: str | None = None  # why this worker has no engine (reported for each of its patients)
_WORKER_PRINTER: "PdfPrinter | None" = None  # one browser per worker, reused for all its PDFs
_WORKER_PRINTER_ERROR: str | None = None  # why this worker has no browser (reported for each PDF)


def _worker_start(template: str, parent_pid: int | None = None, pdf: bool = False) -> None:
    """Process-pool initializer: one kernel per worker (and, for PDFs, one browser), shut down when the
    worker exits.

    The browser starts here, while the kernel boots (the engine launches the kernel first and does not
    wait for it), rather than at the first PDF, when the kernel would be ready and waiting.
    On Linux the worker is SIGKILLed when the batch process exits, however it exits, and its kernel is
    SIGKILLed when the worker exits (parent-death signals): a killed batch leaves no process behind.
    A worker's Chromium is its child on a DevTools pipe: it is SIGKILLed when the worker exits (the same
    parent-death signal) and quits when that pipe closes.  The worker leaves the terminal's process group,
    so Ctrl-C reaches only the batch process, which then stops the workers itself.
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
        _WORKER_ERROR = f"could not start the report kernel: {brief_error(error)}"
    else:
        util.Finalize(_WORKER_ENGINE, _WORKER_ENGINE.close, exitpriority=10)
    if pdf:
        _worker_printer()


def _worker_printer() -> "PdfPrinter | None":
    """This worker's browser, started at the first call; None (and _WORKER_PRINTER_ERROR) if it cannot start."""
    global _WORKER_PRINTER, _WORKER_PRINTER_ERROR
    if _WORKER_PRINTER is None and _WORKER_PRINTER_ERROR is None:
        try:
            _WORKER_PRINTER = PdfPrinter()
        except Exception as error:
            _WORKER_PRINTER_ERROR = f"PDF failed: Chromium did not start: {brief_error(error)}"
    return _WORKER_PRINTER


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
            return job.index, brief_error(error), None
    if job.pdf_path is None:
        return job.index, None, None
    try:
        if page is None:
            page = Path(job.html_path).read_text(encoding="utf-8")
        printer = _worker_printer()
        if printer is None:
            return job.index, None, _WORKER_PRINTER_ERROR
        data = printer.pdf(page, job.provenance.get("patient_id", ""))
        write_atomic(Path(job.pdf_path), data, force=job.force)
    except Exception as error:
        return job.index, None, f"PDF failed: {brief_error(error)}"
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
        require_chromium()
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
            raise SystemExit(error.status) from None
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
            return f"<title>{html.escape(INDEX_TITLE)}</title>".encode("utf-8") in handle.read(4096)
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
                                       initializer=_worker_start,
                                       initargs=(str(template), os.getpid(), any(job.pdf_path for job in jobs)))
            futures = {pool.submit(_worker_render, job): job.index for job in jobs}
            for future in as_completed(futures):
                try:
                    _, error, pdf_error = future.result()
                except Exception as crash:  # the worker itself died (e.g. no kernel could start)
                    error, pdf_error = f"report worker failed: {brief_error(crash)}", None
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
