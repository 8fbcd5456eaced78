"""Tumour-board reports: one self-contained HTML page (and PDF) per patient, or a batch with an index.

``netlib report patient.yaml -o report.html [--pdf] [--force] [--template T.ipynb] [--keep-notebook]``
``netlib report --batch patients.csv|folder -o outdir [--pdf] [--force] [--workers N] [--no-progress]
[--template T.ipynb] [--keep-notebook]``

This module is the command (:func:`cmd_report`, :func:`report_one`); the work is done by one module per
responsibility, whose public names are also importable from here:

* :mod:`netlib.report_batch`: :func:`run_batch`, its workers and the output folder's lock;
* :mod:`netlib.report_pdf`: :class:`PdfPrinter` (headless Chromium on its DevTools pipe, :mod:`netlib.cdp`);
* :mod:`netlib.report_index`: :func:`render_index_html`, the batch's index page;
* :mod:`netlib.report_files`: reading patients (:class:`Patient`, :func:`read_batch`), file names,
  :func:`write_atomic`;
* :mod:`netlib.report_engine`: provenance, the template check, :class:`ReportEngine` (one reused kernel),
  :func:`assemble_outputs`, :func:`render_report_html`;
* :mod:`netlib.report_process`: stop signals, processes that die with their parent, stale kernel files;
* :mod:`netlib.report_view`: the report's sections (one helper per template cell) and its frame.

Each imports only the ones below it in that list and never this module, so there is no import cycle.

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
4. ``--pdf`` prints the HTML with headless Chromium, driven on its DevTools pipe (one browser and one reused page
   per process: in a batch each worker prints its own reports; network blocked).  ``-o X.html --pdf``
   writes ``X.html`` and ``X.pdf``; ``-o X.pdf`` writes only the PDF.

Safety: every file is written to a temporary name in the target folder and renamed when complete
(``os.replace``), so a crash or Ctrl-C never leaves a partial report; an existing report is never
overwritten without ``--force``; every patient-supplied string is escaped with :func:`html.escape`.

A batch locks its output folder (a second batch into the same folder refuses at once), takes its
workers and their kernels down with it whatever ends it (SIGINT, SIGTERM, SIGHUP, or SIGKILL through
Linux's parent-death signal), removes its temporary files, and re-runs without ``--force`` by writing only
the reports that are missing: see :func:`netlib.report_batch.run_batch`.
Exit status: 0 every report written, 1 some patients failed, 2 bad usage or (single report) bad input.

The third-party libraries (papermill, nbclient, yaml, matplotlib) are imported inside the
functions that need them; :func:`render_report_html` needs only the standard library and netlib.

Not a medical device; verify before clinical use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from . import NOT_A_MEDICAL_DEVICE
from .files import EXIT_OK, EXIT_SOME_FAILED, CommandParser, UsageError, check_output
# The public names of the report modules, importable from netlib.report as before they were split.
from .report_batch import (LOCK_NAME, OUTPUT_FOLDER_EXIT_STATUS, BatchSummary, Job,  # noqa: F401
                           OutputFolderError, OutputFolderLock, run_batch)
from .report_engine import (CELL_TIMEOUT_SECONDS, HIDDEN_CELL_TAGS,  # noqa: F401
                            KERNEL_STARTUP_TIMEOUT_SECONDS, SHOWN_OUTPUT_TYPES, TEMPLATE_PATH, ReportEngine,
                            ReportError, assemble_outputs, base_provenance, brief_error, canonical_inputs,
                            git_revision, inputs_sha256, notebook_bytes, now_utc, remote_asset_references,
                            render_report_html, strip_style_comments, template_problem)
from .report_files import (TEMP_PREFIX, TEMP_SUFFIX, Patient, file_stem, read_batch,  # noqa: F401
                           read_csv_patients, read_patient_file, remove_temporaries, write_atomic)
from .report_index import INDEX_NAME, INDEX_TITLE, render_index_html  # noqa: F401
from .report_pdf import (CHROMIUM_ARGS, CHROMIUM_ENVIRONMENT_VARIABLE, CHROMIUM_NAMES,  # noqa: F401
                         PDF_FORMAT, PDF_MARGINS, PdfPrinter, chromium_executable, require_chromium)
from .report_process import (KERNEL_CONNECTION_PREFIX, PR_SET_PDEATHSIG, STOP_SIGNALS,  # noqa: F401
                             Interrupted, die_with_parent, remove_stale_connection_files, stop_signals_raise)
from . import report_view as view  # noqa: F401
from .report_view import PROVENANCE_LABELS, REPORT_CSS, TEMPLATE_NAME, top_recommendation  # noqa: F401


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
        require_chromium()
    provenance = base_provenance(patient.patient_id, patient.source, revision=git_revision())
    written: list[Path] = []
    with stop_signals_raise() as stopped:
        try:
            executed: list = []
            with ReportEngine(template) as engine:
                engine.stop_signals = stopped
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
                    raise ReportError(f"PDF failed: {brief_error(error)}") from None
                write_atomic(targets[-1], data, force=force)
                written.append(targets[-1])
        except BaseException as error:  # a stop, or what a library made of it while it was stopping
            if not (isinstance(error, Interrupted) or stopped):
                raise
            stop = error if isinstance(error, Interrupted) else Interrupted(stopped[0])
            done = f"; {written[0]} was written" if written else "; nothing was written"
            sys.stderr.write(f"netlib report: stopped by {stop.name}: kernel stopped, no partial file left{done}\n")
            raise SystemExit(stop.status) from None
    return written


def _refuse_existing(targets: Sequence[Path], force: bool) -> None:
    if force:
        return
    existing = [t for t in targets if t.exists()]
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UsageError(f"netlib report: {existing[0]} exists{more}; refusing to overwrite without --force")


FORCE_HELP = ("rewrite every report. Without it a single report refuses to overwrite, and a batch keeps the "
              "reports already in the output folder (made from the same inputs) and writes only the missing "
              "ones: a batch that was stopped or killed resumes when run again")


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

MAXIMUM_WORKERS = 9999


def _workers(text: str) -> int:
    """--workers N: a whole number in ASCII digits (argparse's int() would take "1_0" and "٣")."""
    if not text.strip().isascii() or not text.strip().isdigit() or len(text.strip()) > len(str(MAXIMUM_WORKERS)):
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 and at most {MAXIMUM_WORKERS}; got {text[:40]!r}")
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
        raise UsageError(f"netlib report: --workers must be a whole number of at least 1 and at most {MAXIMUM_WORKERS}; got {args.workers}")
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
    problem = template_problem(template)
    if problem:
        raise UsageError(f"netlib report: {problem}")
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
